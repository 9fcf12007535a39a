//! Record layouts on the five targets: bid-schema's numbers, the literals clang reported,
//! and (when clang is installed) clang asked again through `_Static_assert`s.

mod layout_support;

use bid_schema::layout::{self, Layout, Layouts, Target};
use bid_schema::model::{Elem, Scalar};
use layout_support::*;

/// (size, align, field offsets) per target, in `Target::ALL` order: x86_64 Linux,
/// x86_64 Windows, aarch64 Darwin, i686 Linux, wasm32. Taken from
/// `clang --target=T -ffreestanding` (`sizeof`, `_Alignof`, `offsetof`).
type Row = (&'static str, [(u64, u64, &'static [u64]); 5]);

const EXPECTED: &[Row] = &[
    (
        "IL",
        [
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (12, 4, &[0, 4]),
            (16, 8, &[0, 8]),
        ],
    ),
    (
        "BDI",
        [
            (24, 8, &[0, 8, 16]),
            (24, 8, &[0, 8, 16]),
            (24, 8, &[0, 8, 16]),
            (16, 4, &[0, 4, 12]),
            (24, 8, &[0, 8, 16]),
        ],
    ),
    (
        "FF",
        [
            (8, 4, &[0, 4]),
            (8, 4, &[0, 4]),
            (8, 4, &[0, 4]),
            (8, 4, &[0, 4]),
            (8, 4, &[0, 4]),
        ],
    ),
    (
        "LI",
        [
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (12, 4, &[0, 8]),
            (16, 8, &[0, 8]),
        ],
    ),
    (
        "IDB",
        [
            (24, 8, &[0, 8, 16]),
            (24, 8, &[0, 8, 16]),
            (24, 8, &[0, 8, 16]),
            (16, 4, &[0, 4, 12]),
            (24, 8, &[0, 8, 16]),
        ],
    ),
    (
        "D4",
        [
            (32, 8, &[0, 8, 16, 24]),
            (32, 8, &[0, 8, 16, 24]),
            (32, 8, &[0, 8, 16, 24]),
            (32, 4, &[0, 8, 16, 24]),
            (32, 8, &[0, 8, 16, 24]),
        ],
    ),
    (
        "I3",
        [
            (12, 4, &[0, 4, 8]),
            (12, 4, &[0, 4, 8]),
            (12, 4, &[0, 4, 8]),
            (12, 4, &[0, 4, 8]),
            (12, 4, &[0, 4, 8]),
        ],
    ),
    (
        "BBL",
        [
            (16, 8, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
            (16, 4, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
        ],
    ),
    (
        "Mixed",
        [
            (40, 8, &[0, 8, 16, 24, 32]),
            (40, 8, &[0, 8, 16, 24, 32]),
            (40, 8, &[0, 8, 16, 24, 32]),
            (28, 4, &[0, 4, 12, 16, 24]),
            (40, 8, &[0, 8, 16, 24, 32]),
        ],
    ),
    (
        "F1",
        [
            (4, 4, &[0]),
            (4, 4, &[0]),
            (4, 4, &[0]),
            (4, 4, &[0]),
            (4, 4, &[0]),
        ],
    ),
    (
        "DD",
        [
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (16, 4, &[0, 8]),
            (16, 8, &[0, 8]),
        ],
    ),
    (
        "FID",
        [
            (16, 8, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
            (16, 4, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
        ],
    ),
    (
        "Nested",
        [
            (24, 8, &[0, 8]),
            (24, 8, &[0, 8]),
            (24, 8, &[0, 8]),
            (16, 4, &[0, 4]),
            (24, 8, &[0, 8]),
        ],
    ),
    (
        "WithHandles",
        [
            (24, 8, &[0, 8, 16]),
            (24, 8, &[0, 8, 16]),
            (24, 8, &[0, 8, 16]),
            (16, 4, &[0, 4, 8]),
            (16, 8, &[0, 4, 8]),
        ],
    ),
];

/// The built-in structs, same shape as `EXPECTED`.
const BUILTINS: &[Row] = &[
    (
        "bid_buf",
        [
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (16, 8, &[0, 8]),
            (8, 4, &[0, 4]),
            (8, 4, &[0, 4]),
        ],
    ),
    ("BoxHeader", [(12, 4, &[0, 4, 8]); 5]),
    ("StringBoxLayout", [(20, 4, &[0, 12, 16]); 5]),
];

const BUILTIN_C: &str = "typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;
typedef struct BoxHeader { int32_t type_id; int32_t ref_count; int32_t field_count; } BoxHeader;
typedef struct StringBoxLayout { BoxHeader header; int32_t data_ptr; int32_t length; } StringBoxLayout;
";

fn builtin(name: &str, t: Target) -> Layout {
    match name {
        "bid_buf" => layout::bid_buf(t),
        "BoxHeader" => layout::box_header(t),
        _ => layout::string_box(t),
    }
}

fn check(name: &str, t: Target, got: &Layout, want: &(u64, u64, &[u64])) {
    let offsets: Vec<u64> = got.fields.iter().map(|f| f.offset).collect();
    assert_eq!(
        (got.size, got.align, offsets.as_slice()),
        (want.0, want.1, want.2),
        "{name} on {t}"
    );
}

#[test]
fn records_match_the_clang_literals() {
    let m = sample();
    let iface = &m.interfaces()[0];
    assert_eq!(
        EXPECTED.len(),
        iface.types().len() - 2,
        "every record has a row"
    );
    let layouts = Target::ALL.map(|t| Layouts::new(iface, t));
    for (name, per_target) in EXPECTED {
        for ((t, want), layouts) in Target::ALL.into_iter().zip(per_target).zip(&layouts) {
            check(name, t, layouts.record(id(iface, name)), want);
        }
    }
    for (name, per_target) in BUILTINS {
        for (t, want) in Target::ALL.into_iter().zip(per_target) {
            check(name, t, &builtin(name, t), want);
        }
    }
}

#[test]
fn layouts_list_every_record_in_order() {
    let m = sample();
    let iface = &m.interfaces()[0];
    let all = Layouts::new(iface, Target::I686Linux);
    assert_eq!(all.target(), Target::I686Linux);
    let names: Vec<&str> = all.records().map(|(id, _)| iface.ty(id).name()).collect();
    let want: Vec<&str> = EXPECTED.iter().map(|r| r.0).collect();
    assert_eq!(names, want);
    assert_eq!(layout::bid_buf(Target::I686Linux).size, 8);
    assert_eq!(layout::string_box(Target::I686Linux).size, 20);
}

/// `_Static_assert`s for every literal; clang fails on the first wrong one.
fn asserts(
    rows: &[Row],
    c_name: impl Fn(&str) -> String,
    fields: impl Fn(&str) -> Vec<String>,
    i: usize,
) -> String {
    let mut out = String::new();
    for (name, per_target) in rows {
        let (size, align, offsets) = per_target[i];
        let c = c_name(name);
        out += &format!("_Static_assert(sizeof({c}) == {size}, \"size of {c}\");\n");
        out += &format!("_Static_assert(_Alignof({c}) == {align}, \"align of {c}\");\n");
        let fs = fields(name);
        assert_eq!(fs.len(), offsets.len(), "{name}: one offset per field");
        for (f, off) in fs.iter().zip(offsets) {
            out +=
                &format!("_Static_assert(offsetof({c}, {f}) == {off}, \"offset of {c}.{f}\");\n");
        }
    }
    out
}

#[test]
fn clang_agrees_with_the_literals() {
    if !clang_available("clang_agrees_with_the_literals") {
        return;
    }
    let m = sample();
    let iface = &m.interfaces()[0];
    for (i, t) in Target::ALL.into_iter().enumerate() {
        let mut src = c_decls(iface);
        src += BUILTIN_C;
        src += &asserts(
            EXPECTED,
            |n| iface.ty(id(iface, n)).c().to_owned(),
            |n| {
                iface
                    .record(id(iface, n))
                    .fields()
                    .iter()
                    .map(|f| f.c().to_owned())
                    .collect()
            },
            i,
        );
        src += &asserts(
            BUILTINS,
            |n| n.to_owned(),
            |n| {
                builtin(n, t)
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .collect()
            },
            i,
        );
        let (ok, _, stderr) = run_clang(t.triple(), &["-fsyntax-only"], &src);
        assert!(ok, "clang --target={t} disagrees:\n{stderr}");
    }
}

#[test]
fn clang_rejects_a_wrong_literal() {
    if !clang_available("clang_rejects_a_wrong_literal") {
        return;
    }
    // The check above could pass vacuously if clang ignored the asserts; prove it does not.
    let src = "#include <stdint.h>\ntypedef struct { int32_t a; int64_t b; } X;\n\
               _Static_assert(sizeof(X) == 16, \"size of X\");\n";
    let (ok, _, stderr) = run_clang("i686-unknown-linux-gnu", &["-fsyntax-only"], src);
    assert!(!ok && stderr.contains("size of X"), "{stderr}");
}

/// A buffer has no layout of its own: the checker refuses one where a layout would be needed
/// (a record field), so only scalars, handles and records reach `Layouts`.
#[test]
fn buffers_have_no_layout_scalars_and_handles_do() {
    for buffer in ["string", "bytes", "array(f64)"] {
        let yaml = format!(
            "version: 0\ninterfaces:\n  - name: t.test\n    types:\n      - {{ name: R, type: record, fields: [ {{ name: b, type: \"{buffer}\" }} ] }}\n    methods: []\n"
        );
        let report = bid_schema::check_source("buffer_field.bid.yaml", &yaml)
            .expect_err("a buffer field must be refused");
        let codes: Vec<&str> = report
            .diagnostics()
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            codes,
            ["bid.type.misplaced"],
            "{buffer}: {}",
            report.render()
        );
    }
    let m = sample();
    let iface = &m.interfaces()[0];
    let hp = field_type(iface, "WithHandles", "p");
    assert!(matches!(hp, Elem::Handle(_)), "{hp:?}");
    let l = Layouts::new(iface, Target::Wasm32).elem(iface, hp);
    assert_eq!((l.size, l.align), (4, 4));
    let l = Layouts::new(iface, Target::I686Linux).elem(iface, Elem::Scalar(Scalar::F64));
    assert_eq!((l.size, l.align), (8, 4));
}
