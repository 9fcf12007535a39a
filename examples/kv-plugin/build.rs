//! Generates the plugin side of kv.bid.yaml: $OUT_DIR/kv_plugin.rs.

fn main() {
    bid_build::Builder::new()
        .file("../kv/kv.bid.yaml")
        .plugin(true)
        .generate()
        .unwrap_or_else(|e| e.exit());
}
