//! The records the layout tests share, as BID, and a clang runner.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use bid_schema::Model;
use bid_schema::model::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// The records the layout and passing tests share, mixing i64, f64, i32, f32 and bool, after
/// two handles that `WithHandles` holds. Records are listed in the order of the layout
/// tables; every one refers only to earlier types.
pub const SAMPLE_TYPES: &[&str] = &[
    "{ name: HP, type: handle, repr: pointer }",
    "{ name: H64, type: handle, repr: i64 }",
    "{ name: IL, type: record, fields: [ { i32: a }, { i64: b } ] }",
    "{ name: BDI, type: record, fields: [ { bool: a }, { f64: b }, { i32: c } ] }",
    "{ name: FF, type: record, fields: [ { f32: a }, { f32: b } ] }",
    "{ name: LI, type: record, fields: [ { i64: a }, { i32: b } ] }",
    "{ name: IDB, type: record, fields: [ { i32: a }, { f64: b }, { bool: c } ] }",
    "{ name: D4, type: record, fields: [ { f64: a }, { f64: b }, { f64: c }, { f64: d } ] }",
    "{ name: I3, type: record, fields: [ { i32: a }, { i32: b }, { i32: c } ] }",
    "{ name: BBL, type: record, fields: [ { bool: a }, { bool: b }, { i64: c } ] }",
    "{ name: Mixed, type: record, fields: [ { f32: a }, { i64: b }, { f32: c }, { f64: d }, { bool: e } ] }",
    "{ name: F1, type: record, fields: [ { f32: a } ] }",
    "{ name: DD, type: record, fields: [ { f64: a }, { f64: b } ] }",
    "{ name: FID, type: record, fields: [ { f32: a }, { i32: b }, { f64: c } ] }",
    "{ name: Nested, type: record, fields: [ { i32: a }, { LI: b } ] }",
    "{ name: WithHandles, type: record, fields: [ { i32: a }, { HP: p }, { H64: q } ] }",
];

/// The sample types with these methods (one-line flow mappings), in interface `t.test`
/// with symbol prefix `t`.
pub fn sample_with(methods: &[&str]) -> Model {
    bid_schema::testing::interface(SAMPLE_TYPES, methods)
}

/// The sample types and no method.
pub fn sample() -> Model {
    sample_with(&[])
}

/// The id of the declared record `name`. The model hands out ids only where a type is used
/// or listed: `records_in_dependency_order` lists every record.
pub fn id(iface: &Interface, name: &str) -> TypeId {
    iface
        .records_in_dependency_order()
        .into_iter()
        .find(|&id| iface.ty(id).name() == name)
        .unwrap_or_else(|| panic!("no declared record {name}"))
}

/// The type of field `field` of record `record`: how a test reaches a handle's id.
pub fn field_type(iface: &Interface, record: &str, field: &str) -> Elem {
    iface
        .record(id(iface, record))
        .fields()
        .iter()
        .find(|f| f.name() == field)
        .unwrap_or_else(|| panic!("{record} has no field {field}"))
        .ty()
}

/// C declarations of every type of `iface`, in order (records refer only to earlier ones).
pub fn c_decls(iface: &Interface) -> String {
    let mut out = String::from("#include <stdint.h>\n#include <stddef.h>\n");
    for t in iface.types() {
        match t.kind() {
            TypeDefKind::Handle(h) => {
                let c = match h.repr() {
                    HandleRepr::I32 => "int32_t",
                    HandleRepr::I64 => "int64_t",
                    HandleRepr::Pointer => "void*",
                };
                out += &format!("typedef {c} {};\n", t.c());
            }
            TypeDefKind::Record(r) => {
                out += &format!("typedef struct {} {{\n", t.c());
                for f in r.fields() {
                    out += &format!(
                        "    {} {};\n",
                        bid_schema::lower::c_elem(iface, f.ty()),
                        f.c()
                    );
                }
                out += &format!("}} {};\n", t.c());
            }
        }
    }
    out
}

/// Whether a `clang` executable runs; prints why the caller skips when it does not.
pub fn clang_available(test: &str) -> bool {
    let ok = Command::new("clang")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        // Straight to stderr, past the test harness's capture, so the run says what it skipped.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "note: {test}: clang not found, the clang cross-check did not run"
        );
    }
    ok
}

/// Runs `clang --target=<triple> -ffreestanding -x c <args> -` over `source`; returns
/// (success, stdout, stderr).
pub fn run_clang(triple: &str, args: &[&str], source: &str) -> (bool, String, String) {
    let mut child = Command::new("clang")
        .arg(format!("--target={triple}"))
        .args(["-ffreestanding", "-x", "c"])
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clang runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .expect("write to clang");
    let out = child.wait_with_output().expect("clang finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
