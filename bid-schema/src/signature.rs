//! The canonical signature text of an interface: what a plugin reports and the host compares at load.
//!
//! The format is specified in `docs/signature.md`; the runtime parses it without this crate, so
//! the text is deliberately line oriented and compared as plain strings:
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

use crate::model::{Interface, Method, Ownership, Type, TypeDefKind};
use std::collections::BTreeMap;
use std::fmt;

/// The version of the signature format, the number on the first line.
pub const FORMAT_VERSION: u32 = 0;

/// The first line of every signature text of this format version.
pub const FORMAT_LINE: &str = "bid-signature 0";

/// The whole signature text of one interface: the format line, the interface line, then one
/// `fn` line per method in file order. Every line ends with `\n`.
pub fn text(iface: &Interface) -> String {
    let mut out = String::new();
    out.push_str(FORMAT_LINE);
    out.push('\n');
    out.push_str(&interface_line(iface));
    out.push('\n');
    for method in &iface.methods {
        out.push_str(&method_line(iface, method));
        out.push('\n');
    }
    out
}

/// `interface <qualified> <version>`, with `-` when the interface has no version.
pub fn interface_line(iface: &Interface) -> String {
    let version = iface
        .version
        .as_deref()
        .map_or_else(|| "-".to_owned(), atom);
    format!("interface {} {version}", atom(&iface.qualified))
}

/// One method's line, without the trailing newline:
/// `fn <name> <symbol>(<param>, ...) -> <return>[ fallible]`.
pub fn method_line(iface: &Interface, method: &Method) -> String {
    let params: Vec<String> = method
        .params
        .iter()
        .map(|p| with_ownership(type_text(iface, &p.ty), p.ownership))
        .collect();
    let ret = match &method.returns.ty {
        None => "void".to_owned(),
        Some(ty) => with_ownership(type_text(iface, ty), method.returns.ownership),
    };
    let fallible = if method.fallible { " fallible" } else { "" };
    format!(
        "fn {} {}({}) -> {ret}{fallible}",
        method.name,
        method.symbol,
        params.join(", ")
    )
}

/// The spelling of a type: scalars by name, `array(T)`, `Name:handle(repr)`, and
/// `Name:record{field:type,...}` with nested records spelled out in full.
pub fn type_text(iface: &Interface, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".to_owned(),
        Type::I32 => "i32".to_owned(),
        Type::I64 => "i64".to_owned(),
        Type::F32 => "f32".to_owned(),
        Type::F64 => "f64".to_owned(),
        Type::String => "string".to_owned(),
        Type::Bytes => "bytes".to_owned(),
        Type::Array(elem) => format!("array({})", type_text(iface, elem)),
        Type::Handle(id) | Type::Record(id) => {
            let def = iface.ty(*id);
            match &def.kind {
                TypeDefKind::Handle(h) => format!("{}:handle({})", def.name, h.repr.as_str()),
                TypeDefKind::Record(r) => {
                    let fields: Vec<String> = r
                        .fields
                        .iter()
                        .map(|f| format!("{}:{}", f.name, type_text(iface, &f.ty)))
                        .collect();
                    format!("{}:record{{{}}}", def.name, fields.join(","))
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

/// One method that differs between two signature texts, keyed by method name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodChange {
    /// The method name (the second word of its `fn` line).
    pub method: String,
    /// The whole expected `fn` line; `None` when the method is not expected (added).
    pub expected: Option<String>,
    /// The whole found `fn` line; `None` when the method was not found (missing).
    pub found: Option<String>,
}

/// What kind of difference a [`MethodChange`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Expected but not found.
    Missing,
    /// Found but not expected.
    Added,
    /// Found with a different line.
    Changed,
}

impl MethodChange {
    /// Missing, added or changed.
    pub fn kind(&self) -> ChangeKind {
        match (&self.expected, &self.found) {
            (Some(_), None) => ChangeKind::Missing,
            (None, Some(_)) => ChangeKind::Added,
            _ => ChangeKind::Changed,
        }
    }
}

impl fmt::Display for MethodChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, &self.found) {
            (Some(e), None) => write!(f, "method `{}` is missing: expected `{e}`", self.method),
            (None, Some(x)) => write!(f, "method `{}` is not expected: found `{x}`", self.method),
            (Some(e), Some(x)) => write!(
                f,
                "method `{}` differs: expected `{e}`, found `{x}`",
                self.method
            ),
            (None, None) => write!(f, "method `{}`", self.method),
        }
    }
}

/// Per-method differences between two signature texts: missing and changed methods in the
/// expected order, then added methods in the found order. Only `fn` lines are compared (the
/// header lines are [`compare`]'s job); method order does not matter. A method name that
/// appears twice counts once, by its first line.
pub fn diff(expected: &str, found: &str) -> Vec<MethodChange> {
    let exp = fn_lines(expected);
    let fnd = fn_lines(found);
    let fnd_map: BTreeMap<&str, &str> = index(&fnd);
    let exp_map: BTreeMap<&str, &str> = index(&exp);
    let mut changes = Vec::new();
    let mut seen = BTreeMap::new();
    for &(name, line) in &exp {
        if seen.insert(name, ()).is_some() {
            continue;
        }
        match fnd_map.get(name) {
            Some(&other) if other == line => {}
            other => changes.push(MethodChange {
                method: name.to_owned(),
                expected: Some(line.to_owned()),
                found: other.map(|s| (*s).to_owned()),
            }),
        }
    }
    let mut seen = BTreeMap::new();
    for &(name, line) in &fnd {
        if !exp_map.contains_key(name) && seen.insert(name, ()).is_none() {
            changes.push(MethodChange {
                method: name.to_owned(),
                expected: None,
                found: Some(line.to_owned()),
            });
        }
    }
    changes
}

/// `(name, line)` of every `fn` line, in order. Lines are split on `\n`; a trailing `\r` is
/// tolerated so a plugin built on Windows with text-mode literals still compares.
fn fn_lines(text: &str) -> Vec<(&str, &str)> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter_map(|line| {
            let rest = line.strip_prefix("fn ")?;
            let name = rest.split(' ').next().unwrap_or("");
            Some((name, line))
        })
        .collect()
}

fn index<'a>(lines: &[(&'a str, &'a str)]) -> BTreeMap<&'a str, &'a str> {
    let mut map = BTreeMap::new();
    for &(name, line) in lines {
        map.entry(name).or_insert(line);
    }
    map
}

/// Why two signature texts do not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The first line differs: a different (or no) format version, nothing else is comparable.
    Format {
        /// The expected first line.
        expected: String,
        /// The found first line (empty when the text is empty).
        found: String,
    },
    /// The interface line differs (another interface, or another version of it).
    Interface {
        /// The expected interface line.
        expected: String,
        /// The found interface line.
        found: String,
        /// Per-method differences, reported alongside.
        methods: Vec<MethodChange>,
    },
    /// A line of the found text is neither blank nor a `fn` line.
    Malformed {
        /// 1-based line number in the found text.
        line: usize,
        /// The line as found.
        text: String,
    },
    /// Same interface, but methods differ.
    Methods(Vec<MethodChange>),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Format { expected, found } => {
                write!(
                    f,
                    "signature format differs: expected `{expected}`, found `{found}`"
                )
            }
            Mismatch::Interface {
                expected,
                found,
                methods,
            } => {
                write!(
                    f,
                    "interface differs: expected `{expected}`, found `{found}`"
                )?;
                methods.iter().try_for_each(|m| write!(f, "; {m}"))
            }
            Mismatch::Malformed { line, text } => {
                write!(f, "signature line {line} is malformed: `{text}`")
            }
            Mismatch::Methods(methods) => {
                let parts: Vec<String> = methods.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join("; "))
            }
        }
    }
}

impl std::error::Error for Mismatch {}

/// Compare a found signature text with the expected one: the format line first, then every
/// line's shape, then the interface line and the methods (see `docs/signature.md`).
pub fn compare(expected: &str, found: &str) -> Result<(), Mismatch> {
    let lines = |t: &'_ str| -> Vec<String> {
        t.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect()
    };
    let exp = lines(expected);
    let fnd = lines(found);
    let first = |v: &[String]| v.first().cloned().unwrap_or_default();
    if first(&exp) != first(&fnd) {
        return Err(Mismatch::Format {
            expected: first(&exp),
            found: first(&fnd),
        });
    }
    let mut names = BTreeMap::new();
    for (i, line) in fnd.iter().enumerate().skip(2) {
        let name = line.strip_prefix("fn ").and_then(|r| r.split(' ').next());
        let ok = match name {
            Some(n) => !n.is_empty() && names.insert(n.to_owned(), ()).is_none(),
            None => line.is_empty(),
        };
        if !ok {
            return Err(Mismatch::Malformed {
                line: i + 1,
                text: line.clone(),
            });
        }
    }
    let second = |v: &[String]| v.get(1).cloned().unwrap_or_default();
    let methods = diff(expected, found);
    if second(&exp) != second(&fnd) {
        return Err(Mismatch::Interface {
            expected: second(&exp),
            found: second(&fnd),
            methods,
        });
    }
    if methods.is_empty() {
        Ok(())
    } else {
        Err(Mismatch::Methods(methods))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::c::tests::sample;

    fn expected() -> String {
        text(&sample().interfaces[0])
    }

    #[test]
    fn text_spells_types_ownership_and_fallibility() {
        let t = expected();
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
        let mut m = sample();
        let i = &mut m.interfaces[0];
        i.methods[0].params[0].name = "file_path".to_owned();
        i.methods[0].params[0].c = "file_path".to_owned();
        i.methods[0].doc = Some("changed".to_owned());
        i.methods[0].effect = crate::model::Effect::Pure;
        i.doc = None;
        assert_eq!(text(i), expected());
    }

    #[test]
    fn layout_changes_do_change_it() {
        let mut m = sample();
        let i = &mut m.interfaces[0];
        if let TypeDefKind::Record(r) = &mut i.types[2].kind {
            r.fields[1].ty = Type::F32;
        }
        let changes = diff(&expected(), &text(i));
        let names: Vec<&str> = changes.iter().map(|c| c.method.as_str()).collect();
        assert_eq!(names, ["area", "points"]);
        assert!(changes.iter().all(|c| c.kind() == ChangeKind::Changed));
    }

    #[test]
    fn version_is_a_single_atom() {
        let mut m = sample();
        let i = &mut m.interfaces[0];
        i.version = Some("1.0 beta\n%é".to_owned());
        assert_eq!(
            interface_line(i),
            "interface nyash.file 1.0%20beta%0A%25%C3%A9"
        );
        i.version = None;
        assert_eq!(interface_line(i), "interface nyash.file -");
        i.version = Some(String::new());
        assert_eq!(interface_line(i), "interface nyash.file -");
    }

    #[test]
    fn diff_reports_missing_added_and_changed_in_order() {
        let exp = "bid-signature 0\ninterface a.b -\nfn x s_x() -> void\nfn y s_y(i32) -> i32\nfn z s_z() -> void\n";
        let fnd = "bid-signature 0\ninterface a.b -\nfn w s_w() -> void\nfn z s_z() -> void\nfn y s_y(i64) -> i32\n";
        let d = diff(exp, fnd);
        assert_eq!(
            d,
            vec![
                MethodChange {
                    method: "x".into(),
                    expected: Some("fn x s_x() -> void".into()),
                    found: None
                },
                MethodChange {
                    method: "y".into(),
                    expected: Some("fn y s_y(i32) -> i32".into()),
                    found: Some("fn y s_y(i64) -> i32".into())
                },
                MethodChange {
                    method: "w".into(),
                    expected: None,
                    found: Some("fn w s_w() -> void".into())
                },
            ]
        );
        assert_eq!(
            d.iter().map(MethodChange::kind).collect::<Vec<_>>(),
            [ChangeKind::Missing, ChangeKind::Changed, ChangeKind::Added]
        );
        assert_eq!(
            d[1].to_string(),
            "method `y` differs: expected `fn y s_y(i32) -> i32`, found `fn y s_y(i64) -> i32`"
        );
    }

    #[test]
    fn order_and_crlf_do_not_matter() {
        let exp = expected();
        let mut lines: Vec<&str> = exp.lines().collect();
        lines[2..].reverse();
        let shuffled = lines.join("\r\n");
        assert!(diff(&exp, &shuffled).is_empty());
        assert_eq!(compare(&exp, &shuffled), Ok(()));
        assert_eq!(compare(&exp, &exp), Ok(()));
    }

    #[test]
    fn compare_checks_the_format_line_first() {
        let exp = expected();
        let other = exp.replacen("bid-signature 0", "bid-signature 1", 1);
        assert_eq!(
            compare(&exp, &other),
            Err(Mismatch::Format {
                expected: "bid-signature 0".into(),
                found: "bid-signature 1".into()
            })
        );
        assert!(
            matches!(compare(&exp, ""), Err(Mismatch::Format { found, .. }) if found.is_empty())
        );
    }

    #[test]
    fn compare_reports_interface_changes_with_methods() {
        let exp = expected();
        let other = exp
            .replacen("1.0.0", "1.1.0", 1)
            .replace("fn ping nyash_file_ping() -> void\n", "");
        let Err(Mismatch::Interface {
            expected,
            found,
            methods,
        }) = compare(&exp, &other)
        else {
            panic!("expected an interface mismatch");
        };
        assert_eq!(expected, "interface nyash.file 1.0.0");
        assert_eq!(found, "interface nyash.file 1.1.0");
        assert_eq!(methods.len(), 1);
        assert_eq!(methods[0].kind(), ChangeKind::Missing);
    }

    #[test]
    fn compare_rejects_malformed_and_duplicate_lines() {
        let exp = expected();
        let junk = format!("{exp}garbage\n");
        assert_eq!(
            compare(&exp, &junk),
            Err(Mismatch::Malformed {
                line: 10,
                text: "garbage".into()
            })
        );
        let dup = format!("{exp}fn ping nyash_file_ping() -> void\n");
        assert!(matches!(
            compare(&exp, &dup),
            Err(Mismatch::Malformed { line: 10, .. })
        ));
        let changed = exp.replace("-> f64", "-> f32");
        let Err(Mismatch::Methods(m)) = compare(&exp, &changed) else {
            panic!("expected method changes");
        };
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].method, "area");
    }
}
