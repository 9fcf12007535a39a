//! The plugin skeleton of every valid fixture, built untouched into a shared library, loads
//! through the generated bindings with its signature required (so every symbol resolves and
//! the signature is equal), and its stubs answer as documented: a fallible method says
//! `unsupported`, any other a zero value.

use bid_runtime::{CallError, CallErrorKind};
use std::path::PathBuf;

use bid_tests::fixtures::*;
use bid_tests::load_strict as load;

/// Generates the header and `<stem>.skeleton.c` (bid-build's `skeleton_dir`), then builds the
/// skeleton as it is, warnings as errors, into `lib<stem>_skeleton`.
fn build(stem: &str) -> PathBuf {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("skeleton_{stem}"));
    // A fresh directory: an old skeleton would be kept as the author's work.
    let _ = std::fs::remove_dir_all(&out);
    let bid = bid_tests::tests_dir().join(format!("../fixtures/valid/{stem}.bid.yaml"));
    let generated = bid_build::Builder::new()
        .file(&bid)
        .out_dir(&out)
        .skeleton_dir(&out)
        .generate()
        .unwrap_or_else(|e| panic!("generating {stem}: {e}"));
    let skeleton = generated.outputs[0]
        .skeleton
        .clone()
        .expect("skeleton_dir was given");
    let mut plugin = bid_build::PluginBuilder::new(format!("{stem}_skeleton"))
        .file(&skeleton)
        .include(&out)
        .out_dir(&out);
    for flag in ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"] {
        plugin = plugin.flag(flag);
    }
    plugin
        .build()
        .unwrap_or_else(|e| panic!("building the {stem} skeleton: {e}"))
}

fn assert_unsupported(e: CallError) {
    match e.kind() {
        CallErrorKind::Status { code, name, .. } => {
            assert_eq!((*code, *name), (-6, "unsupported"), "{e}");
        }
        other => panic!("expected status unsupported, got {other:?}"),
    }
}

#[test]
fn all_types_skeleton_loads_and_says_unsupported() {
    let lib = build("all_types");
    let t = load!(all_types::AllTypes, &lib);
    assert_unsupported(t.new_obj(1).unwrap_err());
    assert_unsupported(t.nothing().unwrap_err());
    assert_unsupported(t.scale_f64(&[1.0], 2.0).unwrap_err());
    assert_eq!(t.int32(7).unwrap(), 0);
    assert!(!t.flag(true).unwrap());
    assert_eq!(t.float32(1.5).unwrap(), 0.0);
    assert_eq!(t.echo_string("abc").unwrap().as_str(), "");
    assert_eq!(
        t.sample(all_types::Sample::default()).unwrap(),
        Default::default()
    );
    let local = load!(all_types::Local, &lib);
    assert_eq!(local.counter().unwrap(), 0);
}

#[test]
fn filebox_skeleton_loads_and_says_unsupported() {
    let lib = build("filebox");
    let f = load!(filebox::FileBox, &lib);
    assert_unsupported(f.open("/tmp/x", "r").unwrap_err());
    assert_eq!(f.audit().snapshot().failed, 1);
}

#[test]
fn keywords_skeleton_loads_and_returns_zeros() {
    let lib = build("keywords");
    let t = load!(keywords::Type, &lib);
    assert_eq!(t.r#loop(1, 2, 3.0, true).unwrap(), 0);
    assert_eq!(t.int(6, 7).unwrap(), 0);
    let c = t.r#fn(40, "match", keywords::Struct::default()).unwrap();
    assert_eq!(c, keywords::Class::default());
}

#[test]
fn mixed_skeleton_loads_both_interfaces() {
    let lib = build("mixed");
    load!(mixed::Canvas, &lib);
    let log = load!(mixed::Log, &lib);
    log.write("line").unwrap();
}

#[test]
fn nyash_file_skeleton_loads() {
    let lib = build("nyash_file");
    load!(nyash_file::File, &lib);
}

#[test]
fn records_skeleton_returns_zeroed_records() {
    let lib = build("records");
    let s = load!(records::Shapes, &lib);
    assert_eq!(
        s.round_trip(records::Deep::default()).unwrap(),
        Default::default()
    );
    assert_eq!(s.centroid(&[]).unwrap(), records::Point::default());
}

#[test]
fn short_form_skeleton_loads_both_interfaces() {
    let lib = build("short_form");
    let c = load!(short_form::Console, &lib);
    assert_eq!(c.line_count().unwrap(), 0);
    assert_eq!(c.now().unwrap(), 0.0);
    let v = load!(short_form::Vec, &lib);
    assert_eq!(v.sum(&[1.0, 2.0]).unwrap(), 0.0);
}

#[test]
fn c_library_skeleton_answers_with_zero_values() {
    let lib = build("c_library");
    let m = load!(c_library::MathLib, &lib);
    assert_eq!(m.sqrt(4.0).unwrap(), 0.0);
    // A nullable handle stub returns NULL: `None`, nothing tracked.
    assert!(m.parse(c"2024-01-01").unwrap().is_none());
    // A reference C string stub is "", a nullable one NULL.
    assert_eq!(m.version().unwrap(), c"");
    assert_eq!(m.last_error().unwrap(), None);
    // A transferred C string stub is a fresh "", released through its `free:` function.
    assert_eq!(m.greet(c"x").unwrap_err().code(), "ffi.status");
    assert_eq!(m.clamp_u8(300).unwrap(), 0);
    assert_eq!(m.bits(7).unwrap(), 0);
    assert!(m.digits(7).unwrap().is_empty());
    // A pointer handle stub that is not nullable returns NULL: refused, never live.
    let e = m.create().unwrap_err();
    assert_eq!(e.code(), "ffi.result.null_handle", "{e}");
    let audit = m.audit().snapshot();
    assert_eq!((audit.live_handles, audit.leaks), (0, 0), "{audit}");
}

#[test]
fn every_valid_fixture_is_loaded_here() {
    let dir = bid_tests::tests_dir().join("../fixtures/valid");
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".bid.yaml").map(str::to_owned)
        })
        .collect();
    stems.sort();
    assert_eq!(
        stems,
        [
            "all_types",
            "c_library",
            "filebox",
            "keywords",
            "mixed",
            "nyash_file",
            "records",
            "short_form"
        ],
        "a new fixture needs its `bid_interface` module and test here"
    );
}
