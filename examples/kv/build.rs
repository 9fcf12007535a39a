//! Generates the bindings and the header from kv.bid.yaml, then builds the C plugin.

fn main() {
    // $OUT_DIR/kv.rs for the host and $OUT_DIR/kv.h for the plugin.
    let generated = bid_build::Builder::new()
        .file("kv.bid.yaml")
        .generate()
        .unwrap_or_else(|e| e.exit());
    let header_dir = generated.outputs[0].header.parent().unwrap();
    // libkv.so (kv.dll, libkv.dylib) in $OUT_DIR: rebuilt when plugin/kv.c changes, and the
    // compiler's warnings shown as cargo warnings.
    let plugin = bid_build::PluginBuilder::new("kv")
        .file("plugin/kv.c")
        .include(header_dir)
        .build()
        .unwrap_or_else(|e| e.exit());
    println!("cargo:rustc-env=KV_PLUGIN={}", plugin.display());
}
