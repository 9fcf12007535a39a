//! Records the triple bid-build is compiled for, so `PluginBuilder` can drive `cc` outside
//! build scripts (tests, examples), where cargo sets no `TARGET`.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=BID_BUILD_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
