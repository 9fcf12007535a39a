//! The canonical signature text of an interface: what a plugin reports and the host compares at load.
//!
//! The format is specified in `docs/signature.md`; the runtime compares two texts with
//! `bid_abi::compare_signatures`, without this crate, so the text is deliberately line
//! oriented and compared as plain strings:
//!
//! ```text
//! bid-signature 0
//! interface nyash.file 1.0.0
//! fn open nyash_file_open(string borrowed, string borrowed) -> FileHandle:handle(i32) transferred
//! fn close nyash_file_close_v2(FileHandle:handle(i32) transferred) -> void fallible
//! ```
//!
//! Only what changes the ABI or the ownership contract is spelled: parameter names, docs and
//! effects are left out; record fields are spelled recursively so a layout change shows.

use crate::model::{Buffer, Elem, Interface, Method, Ownership, Type, TypeDefKind};

/// The first line of every signature text of this format version.
pub use bid_abi::SIGNATURE_FORMAT_LINE as FORMAT_LINE;

/// The whole signature text of one interface: the format line, the interface line, then one
/// `fn` line per method in file order. Every line ends with `\n`.
pub fn text(iface: &Interface) -> String {
    let mut out = String::new();
    out.push_str(FORMAT_LINE);
    out.push('\n');
    out.push_str(&interface_line(iface));
    out.push('\n');
    for method in iface.methods() {
        out.push_str(&method_line(iface, method));
        out.push('\n');
    }
    out
}

/// `interface <qualified> <version>`, with `-` when the interface has no version.
pub fn interface_line(iface: &Interface) -> String {
    let version = iface.version().map_or_else(|| "-".to_owned(), atom);
    format!("interface {} {version}", atom(iface.qualified()))
}

/// One method's line, without the trailing newline:
/// `fn <name> <symbol>(<param>, ...) -> <return>[ fallible]`.
pub fn method_line(iface: &Interface, method: &Method) -> String {
    let params: Vec<String> = method
        .params()
        .iter()
        .map(|p| with_ownership(type_text(iface, p.ty()), p.ty().ownership()))
        .collect();
    let ret = match method.returns() {
        None => "void".to_owned(),
        Some(ty) => with_ownership(type_text(iface, ty), ty.ownership()),
    };
    let fallible = if method.fallible() { " fallible" } else { "" };
    format!(
        "fn {} {}({}) -> {ret}{fallible}",
        method.name(),
        method.symbol(),
        params.join(", ")
    )
}

/// The spelling of a type: scalars by name, `array(T)`, `Name:handle(repr)`, and
/// `Name:record{field:type,...}` with nested records spelled out in full.
pub fn type_text(iface: &Interface, ty: Type) -> String {
    match ty {
        Type::Scalar(s) => s.keyword().to_owned(),
        Type::Buffer(Buffer::Array(e), _) => format!("array({})", elem_text(iface, e)),
        Type::Buffer(b, _) => b.keyword().to_owned(),
        Type::Handle(id, _) => elem_text(iface, Elem::Handle(id)),
        Type::Record(id) => elem_text(iface, Elem::Record(id)),
    }
}

fn elem_text(iface: &Interface, elem: Elem) -> String {
    match elem {
        Elem::Scalar(s) => s.keyword().to_owned(),
        Elem::Handle(id) | Elem::Record(id) => {
            let def = iface.ty(id);
            match def.kind() {
                TypeDefKind::Handle(h) => format!("{}:handle({})", def.name(), h.repr().as_str()),
                TypeDefKind::Record(r) => {
                    let fields: Vec<String> = r
                        .fields()
                        .iter()
                        .map(|f| format!("{}:{}", f.name(), elem_text(iface, f.ty())))
                        .collect();
                    format!("{}:record{{{}}}", def.name(), fields.join(","))
                }
            }
        }
    }
}

fn with_ownership(ty: String, ownership: Option<Ownership>) -> String {
    match ownership {
        Some(o) => format!("{ty} {}", o.as_str()),
        None => ty,
    }
}

/// Free text (the version string) kept on one line and free of spaces: bytes outside
/// printable ASCII, the space and `%` itself become `%XX`, so the line splits unambiguously.
fn atom(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push('-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    /// `nyash.file` with every kind of line: buffers, a handle and its release, nested records,
    /// a symbol override, a fallible method.
    const SAMPLE: &str = "
interfaces:
  - name: nyash.file
    version: \"1.0.0\"
    types:
      - { name: FileHandle, type: handle, release: close }
      - { name: Rect, type: record, fields: [ { Point: origin }, { i32: w }, { i64: big }, { bool: on } ] }
      - { name: Point, type: record, fields: [ { f64: x }, { f64: y } ] }
    methods:
      - { name: open, params: [ { string: path }, { string: mode } ], returns: FileHandle, effect: io }
      - { name: read, params: [ { FileHandle: h }, { i32: size } ], returns: bytes, effect: io }
      - { name: write, params: [ { FileHandle: h }, { bytes: data } ], returns: i32, effect: io }
      - { name: close, params: [ { FileHandle: h, ownership: transferred } ], effect: io, fallible: true, symbol: nyash_file_close_v2 }
      - { name: area, params: [ { Rect: r } ], returns: f64, effect: pure }
      - { name: points, params: [ { name: pts, type: array(Point) } ], returns: { type: array(i64), ownership: borrowed }, effect: io }
      - { name: ping, effect: io }
";

    fn signature(yaml: &str) -> String {
        text(&testing::model(yaml).interfaces()[0])
    }

    #[test]
    fn text_spells_types_ownership_and_fallibility() {
        let t = signature(SAMPLE);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "bid-signature 0");
        assert_eq!(lines[1], "interface nyash.file 1.0.0");
        assert_eq!(
            lines[2],
            "fn open nyash_file_open(string borrowed, string borrowed) -> FileHandle:handle(i32) transferred"
        );
        assert_eq!(
            lines[5],
            "fn close nyash_file_close_v2(FileHandle:handle(i32) transferred) -> void fallible"
        );
        assert_eq!(
            lines[6],
            "fn area nyash_file_area(Rect:record{origin:Point:record{x:f64,y:f64},w:i32,big:i64,on:bool}) -> f64"
        );
        assert_eq!(
            lines[7],
            "fn points nyash_file_points(array(Point:record{x:f64,y:f64}) borrowed) -> array(i64) borrowed"
        );
        assert_eq!(lines[8], "fn ping nyash_file_ping() -> void");
        assert_eq!(lines.len(), 9);
        assert!(t.ends_with('\n'));
    }

    #[test]
    fn param_names_docs_and_effects_do_not_change_it() {
        let renamed = SAMPLE
            .replace("{ string: path }", "{ string: file_path }")
            .replace(
                "returns: f64, effect: pure",
                "returns: f64, effect: io, doc: changed",
            )
            .replace(
                "  - name: nyash.file\n",
                "  - name: nyash.file\n    doc: Files.\n",
            );
        assert_ne!(renamed, SAMPLE);
        assert_eq!(signature(&renamed), signature(SAMPLE));
    }

    #[test]
    fn layout_changes_do_change_it() {
        let changed = SAMPLE.replace("{ f64: y }", "{ f32: y }");
        let found = bid_abi::compare_signatures(&signature(SAMPLE), &signature(&changed))
            .expect("both are signatures");
        let names: Vec<&str> = found.iter().map(|c| c.method.as_str()).collect();
        assert_eq!(names, ["area", "points"]);
    }

    #[test]
    fn version_is_a_single_atom() {
        assert_eq!(atom("1.0 beta\n%é"), "1.0%20beta%0A%25%C3%A9");
        assert_eq!(atom(""), "-");
        let unversioned = SAMPLE.replace("    version: \"1.0.0\"\n", "");
        assert!(signature(&unversioned).contains("\ninterface nyash.file -\n"));
    }
}
