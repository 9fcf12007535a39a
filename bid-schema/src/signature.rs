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
//! fn name nyash_file_name(FileHandle:handle(i32) borrowed) -> cstr transferred nullable free(nyash_string_free)
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
/// `fn <name> <symbol>(<param>, ...) -> <return>[ nullable][ free(<symbol>)][ fallible]`.
pub fn method_line(iface: &Interface, method: &Method) -> String {
    let mut spelled = vec![false; iface.types().len()];
    let mut text = |ty: Type| with_ownership(type_text(iface, ty, &mut spelled), ty.ownership());
    let params: Vec<String> = method.params().iter().map(|p| text(p.ty())).collect();
    let mut ret = method.returns().map_or_else(|| "void".to_owned(), text);
    if method.nullable() {
        ret.push_str(" nullable");
    }
    if let Some(free) = method.free() {
        ret.push_str(&format!(" free({free})"));
    }
    let fallible = if method.fallible() { " fallible" } else { "" };
    format!(
        "fn {} {}({}) -> {ret}{fallible}",
        method.name(),
        method.symbol(),
        params.join(", ")
    )
}

/// The spelling of a type: scalars by name, `array(T)`, `Name:handle(repr)`, and
/// `Name:record{field:type,...}`. A record is spelled in full the first time a line names
/// it (`spelled`, by type index, says which were) and by its name alone after that, so a
/// line grows with the records it names, not with how often they nest.
fn type_text(iface: &Interface, ty: Type, spelled: &mut [bool]) -> String {
    match ty {
        Type::Scalar(s) => s.keyword().to_owned(),
        Type::Buffer(Buffer::Array(e), _) => format!("array({})", elem_text(iface, e, spelled)),
        Type::Buffer(b, _) => b.keyword().to_owned(),
        Type::CStr(_) => "cstr".to_owned(),
        Type::Handle(id, _) => elem_text(iface, Elem::Handle(id), spelled),
        Type::Record(id) => elem_text(iface, Elem::Record(id), spelled),
    }
}

fn elem_text(iface: &Interface, elem: Elem, spelled: &mut [bool]) -> String {
    let id = match elem {
        Elem::Scalar(s) => return s.keyword().to_owned(),
        Elem::Handle(id) | Elem::Record(id) => id,
    };
    let def = iface.ty(id);
    match def.kind() {
        TypeDefKind::Handle(h) => format!("{}:handle({})", def.name(), h.repr().as_str()),
        TypeDefKind::Record(_) if spelled[id.index()] => def.name().to_owned(),
        TypeDefKind::Record(r) => {
            spelled[id.index()] = true;
            let fields: Vec<String> = r
                .fields()
                .iter()
                .map(|f| format!("{}:{}", f.name(), elem_text(iface, f.ty(), spelled)))
                .collect();
            format!("{}:record{{{}}}", def.name(), fields.join(","))
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

    const SAMPLE: &str = testing::NYASH_FILE;

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
            .replace("        effect: pure\n", "        effect: io\n")
            .replace("doc: \"Area of a rect.", "doc: \"The area.")
            .replace("doc: Files on the host.", "doc: Files.");
        for (before, after) in [
            ("file_path", "path"),
            ("io\n", "pure\n"),
            ("The area", "Area of"),
            ("Files.", "Files on"),
        ] {
            assert!(
                renamed.contains(before) && SAMPLE.contains(after),
                "{before}"
            );
        }
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
    fn a_record_is_spelled_once_per_line() {
        let m = testing::interface(
            &[
                "{ name: P, type: record, fields: [ { f64: x } ] }",
                "{ name: Seg, type: record, fields: [ { P: a }, { P: b } ] }",
                "{ name: Path, type: record, fields: [ { Seg: s1 }, { Seg: s2 } ] }",
            ],
            &["{ name: f, params: [ { Path: p }, { P: q } ], returns: Seg, effect: io }"],
        );
        let i = &m.interfaces()[0];
        assert_eq!(
            method_line(i, &i.methods()[0]),
            "fn f t_f(Path:record{s1:Seg:record{a:P:record{x:f64},b:P},s2:Seg}, P) -> Seg"
        );
        // Each line spells anew: a reader never needs another line to know a record.
        let twice = testing::interface(
            &["{ name: P, type: record, fields: [ { f64: x } ] }"],
            &[
                "{ name: f, params: [ { P: p } ], effect: io }",
                "{ name: g, params: [ { P: p } ], effect: io }",
            ],
        );
        let i = &twice.interfaces()[0];
        assert!(
            text(i).ends_with(
                "fn f t_f(P:record{x:f64}) -> void\nfn g t_g(P:record{x:f64}) -> void\n"
            )
        );
    }

    #[test]
    fn version_is_a_single_atom() {
        assert_eq!(atom("1.0 beta\n%é"), "1.0%20beta%0A%25%C3%A9");
        assert_eq!(atom(""), "-");
        let unversioned = SAMPLE.replace("    version: \"1.0.0\"\n", "");
        assert!(signature(&unversioned).contains("\ninterface nyash.file -\n"));
    }
}
