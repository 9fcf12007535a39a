//! The quick start's interface served by two plugins, one in C (`examples/kv/plugin/kv.c`)
//! and one in Rust (`examples/kv-plugin`, the trait generated through `Builder::plugin`):
//! the same host bindings load both, and both answer and audit alike.

#[bid_macros::bid_interface("../examples/kv/kv.bid.yaml")]
mod kv {}

use bid_runtime::{CallErrorKind, LoadOptions, SignatureCheck};

fn exercise(path: &std::path::Path) -> String {
    // SAFETY: both plugins are built from kv.bid.yaml; the signature is required.
    let kv = unsafe { kv::Kv::load_with(path, &LoadOptions::new().require_signature(true)) }
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kv.audit().signature(), SignatureCheck::Matched);
    kv.put("answer", 42).unwrap();
    kv.put("answer", 43).unwrap();
    kv.put("", -1).unwrap();
    assert_eq!(kv.get("answer").unwrap(), 43, "the last put wins");
    assert_eq!(kv.get("").unwrap(), -1, "an empty key is a key");
    let e = kv.get("question").unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::Status {
                name: "not_found",
                ..
            }
        ),
        "{e}"
    );
    kv.audit().to_string()
}

#[test]
fn the_c_and_the_rust_plugin_answer_and_audit_alike() {
    let dir = bid_tests::tests_dir().join("../examples/kv");
    let c = bid_tests::build_plugin(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        "kv_c",
        &dir.join("kv.bid.yaml"),
        &[&dir.join("plugin/kv.c")],
    );
    let rust = bid_tests::rust_plugin("kv_rs");
    let from_c = exercise(&c);
    assert_eq!(from_c, exercise(&rust));
    assert!(
        from_c.starts_with("audit: 6 calls, 5 ok, 1 failed"),
        "{from_c}"
    );
}
