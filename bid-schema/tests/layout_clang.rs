//! Record layouts on the five targets: bid-schema's numbers, the literals clang reported,
//! and (when clang is installed) clang asked again through `_Static_assert`s.

mod layout_support;

use bid_schema::layout::{self, Layout, Target};
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
    let iface = sample();
    assert_eq!(
        EXPECTED.len(),
        iface.types.len() - 2,
        "every record has a row"
    );
    for (name, per_target) in EXPECTED {
        for (t, want) in Target::ALL.into_iter().zip(per_target) {
            check(name, t, &layout::record(&iface, id(&iface, name), t), want);
        }
    }
    for (name, per_target) in BUILTINS {
        for (t, want) in Target::ALL.into_iter().zip(per_target) {
            check(name, t, &builtin(name, t), want);
        }
    }
}

#[test]
fn interface_layouts_lists_every_record_in_order() {
    let iface = sample();
    let all = layout::interface_layouts(&iface, Target::I686Linux);
    let names: Vec<&str> = all
        .records
        .iter()
        .map(|(id, _)| iface.ty(*id).name.as_str())
        .collect();
    let want: Vec<&str> = EXPECTED.iter().map(|r| r.0).collect();
    assert_eq!(names, want);
    assert_eq!(all.bid_buf.size, 8);
    assert_eq!(all.string_box.size, 20);
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
    let iface = sample();
    for (i, t) in Target::ALL.into_iter().enumerate() {
        let mut src = c_decls(&iface);
        src += BUILTIN_C;
        src += &asserts(
            EXPECTED,
            |n| iface.ty(id(&iface, n)).c.clone(),
            |n| match &iface.ty(id(&iface, n)).kind {
                bid_schema::model::TypeDefKind::Record(r) => {
                    r.fields.iter().map(|f| f.c.clone()).collect()
                }
                bid_schema::model::TypeDefKind::Handle(_) => Vec::new(),
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

#[test]
fn buffers_have_no_layout() {
    let iface = sample();
    let t = Target::X86_64Linux;
    assert_eq!(
        layout::of_type(&iface, &bid_schema::model::Type::String, t),
        None
    );
    let arr = bid_schema::model::Type::Array(Box::new(bid_schema::model::Type::F64));
    assert_eq!(layout::of_type(&iface, &arr, t), None);
    let hp = layout::of_type(
        &iface,
        &bid_schema::model::Type::Handle(id(&iface, "HP")),
        Target::Wasm32,
    );
    assert_eq!(hp.map(|l| (l.size, l.align)), Some((4, 4)));
    let f64_i686 = layout::of_type(&iface, &bid_schema::model::Type::F64, Target::I686Linux);
    assert_eq!(f64_i686.map(|l| (l.size, l.align)), Some((8, 4)));
}
