//! build.rs helper: runs bid-schema over BID files and writes the bindings to `$OUT_DIR`.
