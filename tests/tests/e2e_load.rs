//! End to end through generated bindings: keywords as names, and the load-time reports: a
//! missing library, every missing symbol named, every changed method named.

use bid_runtime::LoadError;
use std::path::{Path, PathBuf};

#[bid_macros::bid_interface("../fixtures/valid/keywords.bid.yaml")]
mod keywords {}

#[bid_macros::bid_interface("e2e/types.bid.yaml")]
mod types {}

fn build(name: &str, bid: &Path, c: &str) -> PathBuf {
    let dir = bid_tests::tests_dir();
    bid_tests::build_plugin(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        name,
        bid,
        &[&dir.join("plugins").join(c)],
    )
}

#[test]
fn keywords_work_as_names_on_both_sides() {
    use keywords::{Class, Struct, Type};
    let bid = bid_tests::tests_dir().join("../fixtures/valid/keywords.bid.yaml");
    let lib = build("e2e_keywords", &bid, "keywords.c");
    // SAFETY: plugins/keywords.c is compiled against the header of keywords.bid.yaml.
    let t = unsafe { Type::load(&lib) }.expect("the keywords plugin loads");
    let s = Struct {
        r#type: 2,
        int: 1.5,
        class: 1,
        self_: -3,
        r#fn: 0.25,
    };
    let c: Class = t.r#fn(40, "match", s).unwrap();
    assert_eq!(c.r#match.r#type, 42);
    assert_eq!(c.r#match.self_, -3);
    assert_eq!(c.new, 5);
    let h = t.new("tmpl", &[1, 2, 3]).unwrap();
    assert_eq!(h.raw(), 403);
    assert_eq!(t.r#loop(1, 2, 3.0, true).unwrap(), 7);
    assert_eq!(t.int(6, 7).unwrap(), 42);
    t.delete(h).unwrap();
    assert_eq!(t.audit().snapshot().ok, 5);
}

#[test]
fn a_missing_library_names_the_path() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-plugin.so");
    // SAFETY: nothing is loaded: the file does not exist.
    let err = unsafe { types::Types::load(&path) }.unwrap_err();
    assert!(matches!(err, LoadError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-plugin.so"), "{err}");
}

#[test]
fn every_missing_symbol_is_named_at_once() {
    let bid = bid_tests::tests_dir().join("e2e/types.bid.yaml");
    let lib = build("e2e_types_partial", &bid, "types_partial.c");
    // SAFETY: loading only resolves symbols; it fails before any call.
    let err = unsafe { types::Types::load(&lib) }.unwrap_err();
    assert_eq!(err.code(), "ffi.contract.symbol_missing");
    let LoadError::SymbolsMissing { symbols, .. } = &err else {
        panic!("expected missing symbols, got {err:?}");
    };
    // 29 methods declared, one exported.
    assert_eq!(symbols.len(), 28, "{symbols:?}");
    assert!(!symbols.contains(&"e2e_types_echo_i32"));
    for s in [
        "e2e_types_echo_bool",
        "e2e_types_concat",
        "e2e_types_live_buffers",
    ] {
        assert!(symbols.contains(&s), "{s} not named in {symbols:?}");
        assert!(err.to_string().contains(s), "{err}");
    }
}

#[test]
fn a_changed_signature_names_each_changed_method() {
    let bid = bid_tests::tests_dir().join("e2e/types.bid.yaml");
    let lib = build("e2e_types_old", &bid, "types_old.c");
    // SAFETY: the plugin exports every symbol; the signature check refuses it before any call.
    let err = unsafe { types::Types::load(&lib) }.unwrap_err();
    assert_eq!(err.code(), "ffi.type_mismatch");
    let LoadError::SignatureMismatch { mismatches, .. } = &err else {
        panic!("expected a signature mismatch, got {err:?}");
    };
    let names: Vec<&str> = mismatches.iter().map(|m| m.method.as_str()).collect();
    assert_eq!(names, ["echo_i32", "sum"]);
    assert_eq!(
        mismatches[1].found.as_deref(),
        Some("fn sum e2e_types_sum(array(i32) borrowed) -> i32")
    );
    let text = err.to_string();
    assert!(text.contains("echo_i32") && text.contains("sum"), "{text}");
}
