//! Verification against clang through bindgen, with hand-built models and headers.

use super::*;

/// `Point {x: f64, y: f64}`, `Mixed {a: i32, b: i64, c: bool, t: f32}` (`type` is a Rust
/// keyword bindgen escapes) and `Outer {tag: i32, m: Mixed}`, with the C names the header
/// below declares.
const GOOD: &str = "
interfaces:
  - name: demo.shapes
    symbol_prefix: demo
    types:
      - { name: Point, type: record, fields: [ { f64: x }, { f64: y } ] }
      - { name: Mixed, type: record, fields: [ { i32: a }, { i64: b }, { bool: c }, { f32: type } ] }
      - { name: Outer, type: record, fields: [ { i32: tag }, { Mixed: m } ] }
    methods: []
";

fn model(yaml: &str) -> Model {
    bid_schema::testing::model_named("demo.bid.yaml", yaml)
}

fn good_model() -> Model {
    model(GOOD)
}

/// Like the C emitter's header: types, then `_Static_assert`s under a per-target `#if`.
const GOOD_HEADER: &str = r#"
#include <stdint.h>
#include <stddef.h>
typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;
typedef struct demo_Point { double x; double y; } demo_Point;
typedef struct demo_Mixed { int32_t a; int64_t b; int32_t c; float type; } demo_Mixed;
typedef struct demo_Outer { int32_t tag; demo_Mixed m; } demo_Outer;
#if defined(__i386__) && defined(__linux__)
_Static_assert(sizeof(demo_Mixed) == 20, "demo_Mixed size on i686");
#elif defined(__x86_64__) && defined(__linux__)
_Static_assert(sizeof(demo_Mixed) == 24, "demo_Mixed size on x86_64");
#endif
"#;

use std::io::Write as _;

fn skip(test: &str) -> bool {
    if libclang_available() {
        return false;
    }
    // Straight to stderr, past the test harness's capture, so the run says what it skipped.
    let _ = writeln!(
        std::io::stderr(),
        "note: {test}: libclang not found, layout verification did not run"
    );
    true
}

#[test]
fn reads_both_forms_of_bindgen_layout_tests() {
    let text = r#"
        const _: () = {
            ["Size of P"][::std::mem::size_of::<P>() - 16usize];
            ["Alignment of P"][::std::mem::align_of::<P>() - 8usize];
            ["Offset of field: P::x"][::std::mem::offset_of!(P, x) - 0usize];
            ["Offset of field: P::type_"][::std::mem::offset_of!(P, type_) - 8usize];
        };
        #[test]
        fn bindgen_test_layout_Q() {
            assert_eq!(::std::mem::size_of::<Q>(), 12usize, "Size of Q");
            assert_eq!(::std::mem::align_of::<Q>(), 4usize, concat!("Alignment of ", "Q"));
        }
    "#;
    let got = parse_layout_tests(text).unwrap();
    let p = &got["P"];
    assert_eq!((p.size, p.align), (Some(16), Some(8)));
    assert_eq!(
        p.offsets,
        vec![("x".to_owned(), 0), ("type_".to_owned(), 8)]
    );
    // `concat!` is not a literal: the alignment is not guessed.
    assert_eq!((got["Q"].size, got["Q"].align), (Some(12), None));
    assert!(same_field("type", "type_") && same_field("type", "r#type") && !same_field("a", "b"));
    assert!(parse_layout_tests("fn (").is_err());
}

#[test]
fn a_matching_header_verifies_on_every_target() {
    if skip("a_matching_header_verifies_on_every_target") {
        return;
    }
    let verified = verify_layouts(&good_model(), GOOD_HEADER).unwrap_or_else(|e| panic!("{e}"));
    let targets: Vec<Target> = verified.iter().map(|v| v.target).collect();
    assert_eq!(targets, Target::ALL);
    for v in &verified {
        assert!(v.bid_buf_checked, "{}", v.target);
        let names: Vec<&str> = v.types.iter().map(|t| t.c_name.as_str()).collect();
        assert_eq!(names, ["demo_Point", "demo_Mixed", "demo_Outer", "bid_buf"]);
    }
    let i686 = &verified[3];
    assert_eq!(i686.target, Target::I686Linux);
    let mixed = &i686.types[1];
    assert_eq!((mixed.size, mixed.align), (20, 4));
    assert_eq!(mixed.fields[3], ("type".to_owned(), 16));
}

#[test]
fn a_wrong_layout_names_type_field_target_and_numbers() {
    if skip("a_wrong_layout_names_type_field_target_and_numbers") {
        return;
    }
    // The model says `Point {x: f64, y: f32}`; the header declares `double y`.
    let m = model(&GOOD.replace("{ f64: x }, { f64: y }", "{ f64: x }, { f32: y }"));
    let err =
        verify_layouts_for(&m, GOOD_HEADER, &[Target::X86_64Linux, Target::I686Linux]).unwrap_err();
    let VerifyError::Mismatch(all) = &err else {
        panic!("expected a mismatch, got {err}");
    };
    // On x86_64 `{f64, f32}` rounds up to the same 16 bytes and `y` stays at 8: nothing
    // is reported there.
    assert!(
        !all.iter().any(|m| m.target == Target::X86_64Linux),
        "{err}"
    );
    let size = all
        .iter()
        .find(|m| m.target == Target::I686Linux && m.what == "size")
        .expect("i686 size mismatch");
    assert_eq!((size.expected, size.actual), (12, 16));
    let text = err.to_string();
    assert!(
        text.contains(
            "i686-unknown-linux-gnu: `demo_Point` size: bid-schema computes 12, clang reports 16"
        ),
        "{text}"
    );
    // A field that moved: `Mixed.b` as i32 sits at 4, clang puts the int64_t at 8.
    let m = model(&GOOD.replace("{ i64: b }", "{ i32: b }"));
    let err = verify_layouts_for(&m, GOOD_HEADER, &[Target::Wasm32])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wasm32-unknown-unknown: `demo_Mixed` field `c` offset: bid-schema computes 8, clang reports 16"),
        "{err}"
    );
}

#[test]
fn failed_static_asserts_and_missing_types_are_errors() {
    if skip("failed_static_asserts_and_missing_types_are_errors") {
        return;
    }
    let bad = GOOD_HEADER.replace("== 20", "== 24");
    let err = verify_layouts_for(&good_model(), &bad, &[Target::I686Linux]).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Bindgen { target: Target::I686Linux, message } if message.contains("demo_Mixed size on i686")),
        "{err}"
    );
    // The same header is fine where the failing assert is not selected.
    assert!(verify_layouts_for(&good_model(), &bad, &[Target::Aarch64Darwin]).is_ok());
    let m = model(&GOOD.replace("name: Point,", "name: Nowhere,"));
    let err = verify_layouts_for(&m, GOOD_HEADER, &[Target::Wasm32]).unwrap_err();
    assert_eq!(
        err,
        VerifyError::MissingType {
            target: Target::Wasm32,
            ty: "demo_Nowhere".into()
        }
    );
}

#[test]
fn every_fixture_with_records_verifies_on_every_target() {
    if skip("every_fixture_with_records_verifies_on_every_target") {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/valid")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".bid.yaml"))
        .collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        let model = bid_schema::check_file(&path).unwrap_or_else(|r| panic!("{}", r.render()));
        let records: usize = model
            .interfaces()
            .iter()
            .map(|i| i.records_in_dependency_order().len())
            .sum();
        if records == 0 {
            continue;
        }
        // The header plugin authors get, with its per-target static assertions under `#if`.
        let header = bid_schema::emit::c::header(&model);
        let verified = verify_layouts(&model, &header)
            .unwrap_or_else(|e| panic!("{}: {e}\n{header}", path.display()));
        assert_eq!(verified.len(), 5);
        for v in &verified {
            assert_eq!(
                v.types.len(),
                records + 1,
                "{} on {}",
                path.display(),
                v.target
            );
        }
        checked += 1;
    }
    assert!(checked >= 1, "no fixture with records");
}
