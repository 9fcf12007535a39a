//! The runtime's test plugin, compiled at test time, and its bindings, generated from
//! `tests/plug.bid.yaml` exactly as a user's would be.

#![allow(dead_code, reason = "each test binary uses a different part")]

mod schema;
#[allow(unused_imports, reason = "each test binary uses a different part")]
pub use schema::{trace_path, validate_all, validated_lines};

use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[bid_macros::bid_interface("tests/plug.bid.yaml")]
pub mod plug {
    /// What the generated box keeps private, for tests of the runtime underneath it.
    pub fn library(p: &Plug) -> &bid_runtime::__private::Library {
        &p.lib
    }

    /// The bindings' metadata static.
    pub fn meta() -> &'static bid_runtime::__private::InterfaceMeta {
        &__BID_PLUG_META
    }
}

pub use plug::Plug;

/// How many methods the test interface has.
pub const METHODS: usize = 21;

/// The signature text the bindings compare with the plugin's.
pub fn signature() -> &'static str {
    plug::meta().signature
}

/// Builds the plugin once per variant: `sig_h` is the content of `sig.h`.
pub fn build(variant: &str, sig_h: &str, defines: &[&str]) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = built.iter().find(|(v, _)| v == variant) {
        return p.clone();
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bid-runtime-{}", env!("CARGO_CRATE_NAME")))
        .join(variant);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = dir.join("plug.c");
    std::fs::write(&src, include_str!("../plugins/plug.c")).expect("write source");
    std::fs::write(dir.join("sig.h"), sig_h).expect("write sig.h");
    let out = dir.join(format!("libplug.{}", std::env::consts::DLL_EXTENSION));
    let compiler = cc::Build::new()
        .target(bid_runtime::host().target)
        .host(bid_runtime::host().target)
        .opt_level(0)
        .cargo_metadata(false)
        .get_compiler();
    let mut cmd = compiler.to_command();
    cmd.args(["-shared", "-fPIC", "-std=c99", "-Wall", "-Werror", "-o"])
        .arg(&out)
        .arg(&src);
    cmd.arg("-I").arg(&dir);
    for d in defines {
        cmd.arg(format!("-D{d}"));
    }
    let status = cmd.status().expect("run the C compiler");
    assert!(status.success(), "compiling the test plugin failed");
    built.push((variant.to_owned(), out.clone()));
    out
}

/// `sig.h` for a plugin exporting `text` as its signature.
pub fn sig_h(text: &str) -> String {
    let mut s = String::from("#define PLUG_SIGNATURE \"");
    for b in text.bytes() {
        match b {
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b' '..=b'~' => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}\"\"")),
        }
    }
    s.push_str("\"\n");
    s
}

/// The plugin exporting the matching signature.
pub fn plugin() -> PathBuf {
    build("good", &sig_h(signature()), &[])
}
