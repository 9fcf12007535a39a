//! Loading: a missing library, missing symbols, signature mismatches and bad signatures.

mod common;

use bid_runtime::{LoadError, LoadOptions, SignatureCheck};
use common::{Plug, build, plug, plugin, sig_h, signature};

fn load_err(path: impl AsRef<std::ffi::OsStr>) -> LoadError {
    // SAFETY: test plugins only.
    match unsafe { Plug::load(path) } {
        Ok(_) => panic!("the load should fail"),
        Err(e) => e,
    }
}

#[test]
fn a_missing_library_names_its_path_and_the_os_message() {
    let e = load_err("/nonexistent/dir/libnothing.so");
    assert!(matches!(e, LoadError::Open { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("/nonexistent/dir/libnothing.so"), "{text}");
    assert_eq!(format!("{e:?}"), text, "Debug reads as Display");
    assert!(
        text.contains("No such file") || text.contains("cannot open"),
        "{text}"
    );
    assert_eq!(e.code(), "ffi.load.open");
}

#[test]
fn every_missing_symbol_is_named_at_once() {
    let path = build("omit", &sig_h(signature()), &["OMIT_SYMBOLS"]);
    let e = load_err(&path);
    match &e {
        LoadError::SymbolsMissing {
            symbols, interface, ..
        } => {
            assert_eq!(symbols, &["plug_add", "plug_range", "plug_bid_free"]);
            assert_eq!(*interface, "test.plug");
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.starts_with("error[ffi.contract.symbol_missing]"),
        "{text}"
    );
    for s in ["`plug_add`", "`plug_range`", "`plug_bid_free`", "libplug"] {
        assert!(text.contains(s), "{s} in {text}");
    }
}

#[test]
fn a_signature_mismatch_names_each_changed_method() {
    let add = "fn add plug_add(i32, i32) -> i32";
    let greet = "fn greet plug_greet(string borrowed) -> string transferred\n";
    let close = "fn close plug_close(FileHandle:handle(i32) transferred) -> void";
    for line in [add, greet, close] {
        assert!(signature().contains(line), "{line} in {}", signature());
    }
    let theirs = signature()
        .replace(add, "fn add plug_add(i64, i64) -> i64")
        .replace(greet, "")
        .replace(
            close,
            "fn close plug_close(FileHandle:handle(i32) borrowed) -> void",
        );
    let path = build("changed", &sig_h(&theirs), &[]);
    let e = load_err(&path);
    let LoadError::SignatureMismatch { mismatches, .. } = &e else {
        panic!("{e:?}")
    };
    let names: Vec<&str> = mismatches.iter().map(|m| m.method.as_str()).collect();
    assert_eq!(names, ["add", "greet", "close"]);
    assert_eq!(
        mismatches[0].found.as_deref(),
        Some("fn add plug_add(i64, i64) -> i64")
    );
    assert_eq!(mismatches[1].found, None);
    let text = e.to_string();
    assert!(text.starts_with("error[ffi.type_mismatch]"), "{text}");
    assert!(text.contains(&format!("expected: {add}")), "{text}");
    assert!(
        text.contains("found:    fn add plug_add(i64, i64) -> i64"),
        "{text}"
    );
    assert!(text.contains("(missing from the plugin)"), "{text}");
    assert!(
        text.contains("rebuild the plugin against the current BID file"),
        "{text}"
    );
}

#[test]
fn a_null_or_non_utf8_signature_is_an_error() {
    let e = load_err(build("sig-null", "#define PLUG_SIGNATURE NULL\n", &[]));
    assert!(matches!(e, LoadError::BadSignature { .. }), "{e:?}");
    assert!(e.to_string().contains("null pointer"), "{e}");
    assert_eq!(e.code(), "ffi.type_mismatch");

    let e = load_err(build(
        "sig-bad",
        "#define PLUG_SIGNATURE \"bid-signature 0\\n\\xff\\xfe\"\n",
        &[],
    ));
    assert!(matches!(e, LoadError::BadSignature { .. }), "{e:?}");
    assert!(e.to_string().contains("not UTF-8"), "{e}");

    let e = load_err(build(
        "sig-format",
        "#define PLUG_SIGNATURE \"bid-signature 9\\n\"\n",
        &[],
    ));
    assert!(e.to_string().contains("bid-signature 9"), "{e}");
}

#[test]
fn a_plugin_without_a_signature_or_with_the_same_one_loads() {
    let nosig = build("nosig", "", &[]);
    // SAFETY: test plugins.
    let p = unsafe { Plug::load(&nosig) }.expect("no signature: nothing to compare");
    assert_eq!(p.add(1, 2).unwrap(), 3);
    // The audit says nothing was checked.
    assert_eq!(p.audit().signature(), SignatureCheck::Absent);
    assert!(
        p.audit().to_string().contains("signature: not checked"),
        "{}",
        p.audit()
    );
    drop(p);
    // A host that requires the signature refuses such a plugin.
    let require = LoadOptions::new().require_signature(true);
    // SAFETY: as above.
    let e = match unsafe { Plug::load_with(&nosig, &require) } {
        Ok(_) => panic!("a plugin without a signature must not load when it is required"),
        Err(e) => e,
    };
    assert_eq!(e.code(), "ffi.contract.signature_missing");
    assert!(e.to_string().contains("`plug_bid_signature`"), "{e}");
    // SAFETY: as above.
    let p = unsafe { Plug::load_with(plugin(), &require) }.expect("a matching signature");
    assert_eq!(p.audit().signature(), SignatureCheck::Matched);
    assert!(
        !p.audit().to_string().contains("signature"),
        "{}",
        p.audit()
    );
    // SAFETY: as above.
    let p = unsafe { Plug::load(plugin()) }.expect("same signature");
    assert!(plug::library(&p).path().is_absolute());
    assert_eq!(plug::library(&p).interface(), "test.plug");
}

#[test]
fn a_function_table_of_another_size_panics_instead_of_reading_past_the_symbols() {
    // SAFETY: test plugin only.
    let plug = unsafe { Plug::load(plugin()) }.expect("the test plugin loads");
    let lib = plug::library(&plug);
    // SAFETY: a table one entry too long; `fn_table` must refuse it before reading.
    let long =
        std::panic::catch_unwind(|| unsafe { lib.fn_table::<[usize; common::METHODS + 1]>() });
    let message = long.expect_err("a longer table is refused");
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("does not match"), "{message}");
    // SAFETY: the right size: every address, in method order.
    let table = unsafe { lib.fn_table::<[usize; common::METHODS]>() };
    assert_eq!(table.len(), plug::meta().methods.len());
    assert!(table.iter().all(|&addr| addr != 0));
}
