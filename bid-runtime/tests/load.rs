//! Loading: a missing library, missing symbols, signature mismatches and bad signatures.

mod common;

use bid_runtime::LoadError;
use common::{Plug, SIGNATURE, build, plugin, sig_h};

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
    assert!(
        text.contains("No such file") || text.contains("cannot open"),
        "{text}"
    );
    assert_eq!(e.code(), "ffi.load.open");
}

#[test]
fn every_missing_symbol_is_named_at_once() {
    let path = build("omit", &sig_h(SIGNATURE), &["OMIT_SYMBOLS"]);
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
    let theirs = SIGNATURE
        .replace("fn add i32 i32 -> i32", "fn add i64 i64 -> i64")
        .replace("fn greet string:borrowed -> string:transferred\n", "")
        .replace(
            "fn close FileHandle:transferred -> void",
            "fn close FileHandle:borrowed -> void",
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
        Some("fn add i64 i64 -> i64")
    );
    assert_eq!(mismatches[1].found, None);
    let text = e.to_string();
    assert!(text.starts_with("error[ffi.type_mismatch]"), "{text}");
    assert!(text.contains("expected: fn add i32 i32 -> i32"), "{text}");
    assert!(text.contains("found:    fn add i64 i64 -> i64"), "{text}");
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
    // SAFETY: test plugins.
    let p =
        unsafe { Plug::load(build("nosig", "", &[])) }.expect("no signature: nothing to compare");
    assert_eq!(p.add(1, 2).unwrap(), 3);
    // SAFETY: as above.
    let p = unsafe { Plug::load(plugin()) }.expect("same signature");
    assert!(p.lib().path().is_absolute());
    assert_eq!(p.lib().interface(), "test.plug");
}

#[test]
fn a_function_table_of_another_size_panics_instead_of_reading_past_the_symbols() {
    // SAFETY: test plugin only.
    let plug = unsafe { Plug::load(plugin()) }.expect("the test plugin loads");
    let methods = common::PlugFns::METHODS;
    // SAFETY: a table one entry too long; `fn_table` must refuse it before reading.
    let long = std::panic::catch_unwind(|| unsafe {
        plug.lib()
            .fn_table::<[usize; common::PlugFns::METHODS + 1]>()
    });
    let message = long.expect_err("a longer table is refused");
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("does not match"), "{message}");
    // SAFETY: the right size: every address, in method order.
    let table = unsafe { plug.lib().fn_table::<[usize; common::PlugFns::METHODS]>() };
    assert_eq!(table.len(), methods);
    assert!(table.iter().all(|&addr| addr != 0));
}

#[test]
fn bindings_whose_method_table_cannot_be_read_load_nothing() {
    use bid_runtime::__private::{InterfaceMeta, MethodTable, open};
    static NEWER: InterfaceMeta = InterfaceMeta {
        name: "test.plug",
        box_name: "Plug",
        free_symbol: "plug_bid_free",
        needs_free: true,
        signature_symbol: "plug_bid_signature",
        signature: SIGNATURE,
        handles: &[],
        methods: MethodTable::new("bid-methods 9\nadd plug_add pure - i32\n"),
        passing: &[],
    };
    // SAFETY: test plugin only (and the table is refused before it is opened).
    let e = match unsafe { open(plugin().as_os_str(), &NEWER) } {
        Ok(_) => panic!("a table of another format must not load"),
        Err(e) => e,
    };
    assert!(matches!(e, LoadError::Bindings { .. }), "{e:?}");
    assert_eq!(e.code(), "bid.bindings");
    let text = e.to_string();
    assert!(text.contains("`test.plug`"), "{text}");
    assert!(text.contains("starts with `bid-methods 9`"), "{text}");
    assert!(text.contains("regenerate the bindings"), "{text}");
}
