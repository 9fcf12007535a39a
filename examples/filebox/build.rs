//! Generates the FileBox bindings and header, then builds the C plugin against that header.

fn main() {
    let generated = bid_build::Builder::new()
        .file("filebox.bid.yaml")
        .generate()
        .unwrap_or_else(|e| e.exit());
    let plugin = bid_build::PluginBuilder::new("filebox")
        .file("plugin/filebox.c")
        .include(
            generated.outputs[0]
                .header
                .parent()
                .expect("the header has a directory"),
        )
        .build()
        .unwrap_or_else(|e| panic!("building the filebox plugin: {e}"));
    println!("cargo:rerun-if-changed=plugin/filebox.c");
    println!("cargo:rustc-env=BID_FILEBOX_PLUGIN={}", plugin.display());
}
