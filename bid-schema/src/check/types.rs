//! Type expressions, records, handles, parameters and return values.

use super::checker::Checker;
use super::scope::ValueScope;
use crate::ast::{MethodAst, Sp, TypeAst};
use crate::diag::{Code, Diagnostic, Span};
use crate::model::*;
use crate::names;

/// Type keywords that are not scalars.
const NON_SCALAR: &[&str] = &["string", "bytes", "cstr", "void", "handle", "array"];
const PHASE2: &[&str] = &["list", "map", "optional", "result"];

/// Every built-in type keyword, for "did you mean".
fn builtins<'a>() -> impl Iterator<Item = &'a str> {
    Scalar::ALL
        .iter()
        .map(|s| s.keyword())
        .chain(NON_SCALAR.iter().copied())
}

/// Whether `name` is a built-in or reserved type name, which a declared type cannot take.
pub(super) fn is_builtin(name: &str) -> bool {
    builtins().any(|b| b == name) || PHASE2.contains(&name)
}

/// Where a type is written: decides what may appear there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pos {
    Param,
    Return,
    Field,
    /// An array element; `true` when the array is a return value.
    Element(bool),
}

impl Pos {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Pos::Param => "a parameter",
            Pos::Return => "a return value",
            Pos::Field => "a record field",
            Pos::Element(_) => "an array element",
        }
    }
}

/// A resolved type before its ownership is known.
#[derive(Clone, Copy)]
pub(super) enum Shape {
    Scalar(Scalar),
    Record(TypeId),
    Handle(TypeId),
    Buffer(Buffer),
    CStr,
}

impl Shape {
    /// The shape as a field or element type; buffers never get here (refused as misplaced).
    fn elem(self) -> Option<Elem> {
        match self {
            Shape::Scalar(s) => Some(Elem::Scalar(s)),
            Shape::Record(id) => Some(Elem::Record(id)),
            Shape::Handle(id) => Some(Elem::Handle(id)),
            Shape::Buffer(_) | Shape::CStr => None,
        }
    }
}

/// A type string with a way to point at any part of it.
struct TypeText<'a> {
    text: &'a str,
    span: Span,
    /// Byte offset of `text` in the source when the scalar was written as is; `None` when
    /// quoting or escapes moved it (then every part points at the whole value).
    base: Option<usize>,
}

impl TypeText<'_> {
    fn part(&self, from: usize, to: usize) -> Span {
        match self.base {
            Some(base) => Span {
                line: self.span.line,
                column: self.span.column + self.text[..from].chars().count(),
                start: base + from,
                end: base + to,
            },
            None => self.span,
        }
    }
}

impl Checker<'_> {
    fn type_text<'a>(&self, ty: &'a Sp<&str>) -> TypeText<'a> {
        let src = ty.span.source(self.text);
        let quoted = src.len() == ty.value.len() + 2
            && src.starts_with(['"', '\''])
            && src.get(1..src.len() - 1) == Some(ty.value);
        let base = if src == ty.value {
            Some(ty.span.start)
        } else if quoted {
            Some(ty.span.start + 1)
        } else {
            None
        };
        let span = match base {
            Some(b) if b != ty.span.start => Span {
                column: ty.span.column + 1,
                start: b,
                end: b + ty.value.len(),
                ..ty.span
            },
            _ => ty.span,
        };
        TypeText {
            text: ty.value,
            span,
            base,
        }
    }

    /// Resolves a type string; `Ok(None)` is `void`; `Err` means already reported.
    pub(super) fn resolve(
        &mut self,
        iface: &Interface,
        ty: &Sp<&str>,
        pos: Pos,
    ) -> Result<Option<Shape>, ()> {
        let tt = self.type_text(ty);
        let s = tt.text;
        if s.trim().is_empty() {
            self.push(
                self.error(
                    Code::FieldInvalid,
                    "the type is empty",
                    tt.span,
                    "no type here",
                )
                .help("write a type such as `i32`, `string` or a declared type's name"),
            );
            return Err(());
        }
        let from = s.len() - s.trim_start().len();
        let to = s.trim_end().len();
        self.resolve_part(iface, &tt, from, to, pos)
    }

    fn resolve_part(
        &mut self,
        iface: &Interface,
        tt: &TypeText,
        from: usize,
        to: usize,
        pos: Pos,
    ) -> Result<Option<Shape>, ()> {
        let s = &tt.text[from..to];
        let span = self.span(tt.part(from, to));
        if let Some(open) = s.find('(') {
            let head = s[..open].trim_end();
            let head_span = self.span(tt.part(from, from + head.len()));
            if PHASE2.contains(&head) {
                self.push(
                    Diagnostic::error(
                        Code::TypePhase2,
                        format!("`{head}(...)` is reserved for a later ABI"),
                    )
                    .primary(head_span, "not in FFI ABI v0")
                    .help(match head {
                        "optional" | "result" => {
                            "use `fallible: true` on the method, or a record with a flag field"
                        }
                        _ => "use `array(T)` of a record, or pass the parts as separate parameters",
                    }),
                );
                return Err(());
            }
            if head != "array" || !s.ends_with(')') {
                self.push(
                    Diagnostic::error(Code::FieldInvalid, format!("malformed type `{s}`"))
                        .primary(span, "not a type")
                        .note("types are a name or `array(T)`"),
                );
                return Err(());
            }
            if matches!(pos, Pos::Field | Pos::Element(_)) {
                return self.misplaced(span, "array(...)", pos);
            }
            let inner_from = from + open + 1;
            let inner = &tt.text[inner_from..to - 1];
            let lead = inner.len() - inner.trim_start().len();
            let inner_to = inner_from + inner.trim_end().len();
            if inner_from + lead >= inner_to {
                self.push(
                    Diagnostic::error(Code::FieldInvalid, "`array()` needs an element type")
                        .primary(span, "no element type")
                        .help("write `array(i32)`, `array(MyRecord)`, ..."),
                );
                return Err(());
            }
            let elem_pos = Pos::Element(pos == Pos::Return);
            let elem = self.resolve_part(iface, tt, inner_from + lead, inner_to, elem_pos)?;
            let elem = elem.and_then(Shape::elem).ok_or(())?;
            return Ok(Some(Shape::Buffer(Buffer::Array(elem))));
        }
        if let Some(scalar) = Scalar::parse(s) {
            if scalar == Scalar::Bool && matches!(pos, Pos::Element(_)) {
                return self.misplaced(span, s, pos);
            }
            return Ok(Some(Shape::Scalar(scalar)));
        }
        let shape = match s {
            "void" => {
                return if pos == Pos::Return {
                    Ok(None)
                } else {
                    self.misplaced(span, s, pos)
                };
            }
            "string" | "bytes" | "cstr" if matches!(pos, Pos::Field | Pos::Element(_)) => {
                return self.misplaced(span, s, pos);
            }
            "cstr" => Shape::CStr,
            "string" => Shape::Buffer(Buffer::String),
            "bytes" => Shape::Buffer(Buffer::Bytes),
            "handle" => {
                self.push(
                    Diagnostic::error(
                        Code::TypeMisplaced,
                        "`handle` declares a type; it cannot be used directly",
                    )
                    .primary(span, "use a declared handle type here")
                    .help("declare `- { name: MyHandle, type: handle }` under `types:` and use `MyHandle`"),
                );
                return Err(());
            }
            "array" => {
                self.push(
                    Diagnostic::error(Code::FieldInvalid, "`array` needs an element type")
                        .primary(span, "no element type")
                        .help("write `array(i32)`, `array(MyRecord)`, ..."),
                );
                return Err(());
            }
            _ => match self.type_ids.get(s).copied() {
                Some(i) => match iface.types[i].kind {
                    TypeDefKind::Handle(_) => Shape::Handle(TypeId(i)),
                    TypeDefKind::Record(_) => Shape::Record(TypeId(i)),
                },
                None => {
                    let candidates = builtins().chain(iface.types.iter().map(|t| t.name.as_str()));
                    let mut d = Diagnostic::error(Code::TypeUnknown, format!("unknown type `{s}`"))
                        .primary(span, "not a BID type")
                        .did_you_mean(s, candidates);
                    if let Some(bid) = crate::names::bid_spelling(s)
                        && d.help.is_empty()
                    {
                        d = d.help(format!("BID spells it `{bid}`"));
                    }
                    if d.help.is_empty() && PHASE2.contains(&s) {
                        d = d.help(format!("`{s}(...)` is reserved for a later ABI"));
                    }
                    self.push(d);
                    return Err(());
                }
            },
        };
        Ok(Some(shape))
    }

    fn misplaced<T>(&mut self, span: Span, ty: &str, pos: Pos) -> Result<T, ()> {
        let (why, help) = match (ty, pos) {
            ("void", _) => (
                "`void` is only a return type",
                "remove it, or use it under `returns:`",
            ),
            ("bool", Pos::Element(_)) => (
                "`array(bool)` has no agreed layout",
                "use `array(i32)` with 0 and 1",
            ),
            (_, Pos::Field) => (
                "records hold scalars, handles and records only",
                "pass buffers as separate parameters",
            ),
            (_, Pos::Element(true)) => (
                "arrays hold integers, floats, handles and records only",
                "return a count and fetch each item with an indexed getter, e.g. \
                 `count() -> i32` and `get(index: i32) -> string`",
            ),
            _ => (
                "arrays hold integers, floats, handles and records only",
                "pass strings and nested arrays as separate parameters",
            ),
        };
        self.push(
            Diagnostic::error(
                Code::TypeMisplaced,
                format!("`{ty}` cannot be {}", pos.describe()),
            )
            .primary(span, "not allowed here")
            .note(why)
            .help(help),
        );
        Err(())
    }

    pub(super) fn type_kind(&mut self, iface: &Interface, t: &TypeAst) -> TypeDefKind {
        let kind = t.kind.as_ref().map(|k| k.value);
        if kind != Some("record")
            && let Some(f) = t.fields.first()
        {
            self.push(self.error(
                Code::FieldInvalid,
                "`fields` only applies to records",
                f.span,
                "field of a non-record type",
            ));
        }
        match kind {
            Some("handle") => {
                let repr = match t.repr.as_ref().map(|r| (r.value, r.span)) {
                    None | Some(("i32", _)) => HandleRepr::I32,
                    Some(("i64", _)) => HandleRepr::I64,
                    Some(("pointer", _)) => HandleRepr::Pointer,
                    Some((other, span)) => {
                        let span = self.span(span);
                        let d = Diagnostic::error(
                            Code::FieldInvalid,
                            format!("handle repr `{other}` is not supported"),
                        )
                        .primary(span, "expected i32, i64 or pointer")
                        .did_you_mean(other, ["i32", "i64", "pointer"]);
                        self.push(d);
                        HandleRepr::I32
                    }
                };
                TypeDefKind::Handle(HandleDef {
                    repr,
                    release: None,
                })
            }
            Some("record") => {
                for key in [&t.repr, &t.release].into_iter().flatten() {
                    self.push(self.error(
                        Code::FieldInvalid,
                        "`repr` and `release` only apply to handles",
                        key.span,
                        "not for a record",
                    ));
                }
                TypeDefKind::Record(RecordDef {
                    fields: self.fields(iface, t),
                })
            }
            Some(other) => {
                let span = self.span(t.kind.as_ref().map_or(t.span, |k| k.span));
                let d = Diagnostic::error(
                    Code::FieldInvalid,
                    format!("a declared type must be `handle` or `record`, not `{other}`"),
                )
                .primary(span, "expected `handle` or `record`")
                .did_you_mean(other, ["handle", "record"]);
                self.push(d);
                TypeDefKind::Record(RecordDef { fields: Vec::new() })
            }
            None => TypeDefKind::Record(RecordDef { fields: Vec::new() }),
        }
    }

    fn fields(&mut self, iface: &Interface, t: &TypeAst) -> Vec<Field> {
        if t.fields.is_empty() {
            self.push(self.error(
                Code::FieldMissing,
                "a record needs at least one field",
                t.name.as_ref().map_or(t.span, |n| n.span),
                "record without `fields`",
            ));
        }
        let mut out = Vec::new();
        let mut scope = ValueScope::default();
        for f in &t.fields {
            let (Some(name), Some(ty)) = (&f.name, &f.ty) else {
                continue;
            };
            let Some(ty) = self
                .resolve(iface, ty, Pos::Field)
                .ok()
                .flatten()
                .and_then(Shape::elem)
            else {
                continue;
            };
            if !self.ident(name, "field name") {
                continue;
            }
            let (r, cn) = (
                names::rust_value_ident(name.value),
                names::c_escape(name.value),
            );
            self.unique_value(
                &mut scope,
                name,
                &r,
                Some(std::slice::from_ref(&cn)),
                "field",
            );
            out.push(Field {
                name: name.value.to_owned(),
                rust: r,
                c: cn,
                ty,
                doc: f.doc.map(str::to_owned),
            });
        }
        out
    }

    pub(super) fn params(&mut self, iface: &Interface, m: &MethodAst) -> Vec<Param> {
        let mut out = Vec::with_capacity(m.params.len());
        let mut scope = ValueScope::default();
        for p in &m.params {
            let (Some(name), Some(ty)) = (&p.name, &p.ty) else {
                continue;
            };
            let resolved = self.resolve(iface, ty, Pos::Param);
            if !self.ident(name, "parameter name") {
                continue;
            }
            let (r, cn) = (
                names::rust_value_ident(name.value),
                names::c_param(name.value),
            );
            let c = match &resolved {
                Ok(Some(Shape::Buffer(_))) => Some(vec![format!("{cn}_ptr"), format!("{cn}_len")]),
                Ok(Some(_)) => Some(vec![cn.clone()]),
                _ => None,
            };
            self.unique_value(&mut scope, name, &r, c.as_deref(), "parameter");
            let Ok(Some(shape)) = resolved else { continue };
            let ty = self.ownership(p.ownership.as_ref(), shape, Pos::Param, iface);
            out.push(Param {
                name: name.value.to_owned(),
                rust: r,
                c: cn,
                ty,
            });
        }
        out
    }

    pub(super) fn return_value(&mut self, iface: &Interface, m: &MethodAst) -> Option<Type> {
        let r = m.returns.as_ref()?;
        let shape = match &r.ty {
            Some(t) => match self.resolve(iface, t, Pos::Return) {
                Ok(shape) => shape,
                // Already reported: an ownership on it is not a second mistake.
                Err(()) => return None,
            },
            None => None,
        };
        match shape {
            Some(shape) => Some(self.ownership(r.ownership.as_ref(), shape, Pos::Return, iface)),
            None => {
                if let Some(o) = &r.ownership {
                    self.ownership_error(
                        o,
                        "a `void` return",
                        &[],
                        "none: `void` carries no value",
                    );
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::*;

    fn model(methods: &str) -> Result<Model, crate::Report> {
        let text = format!(
            "version: 0\ninterfaces:\n  - name: a.b\n    types:\n      - {{ name: H, type: handle, release: close }}\n      - {{ name: R, type: record, fields: [ {{ i32: x }}, {{ H: h }} ] }}\n    methods:\n      - {{ name: close, params: [ {{ H: h, ownership: transferred }} ], effect: io }}\n{methods}"
        );
        crate::check_source("t.bid.yaml", &text)
    }

    #[test]
    fn ownership_defaults_follow_the_contract() {
        let m = model("      - { name: f, params: [ { string: s }, { H: h }, { R: r } ], returns: bytes, effect: io }\n      - { name: g, returns: H, effect: io }\n").unwrap();
        let iface = &m.interfaces()[0];
        let f = &iface.methods()[1];
        let (h, r) = (TypeId(0), TypeId(1));
        assert_eq!(
            f.params()[0].ty(),
            Type::Buffer(Buffer::String, Ownership::Borrowed)
        );
        assert_eq!(f.params()[1].ty(), Type::Handle(h, Ownership::Borrowed));
        assert_eq!(f.params()[2].ty(), Type::Record(r));
        assert_eq!(
            f.returns(),
            Some(Type::Buffer(Buffer::Bytes, Ownership::Transferred))
        );
        let g = &iface.methods()[2];
        assert_eq!(g.returns(), Some(Type::Handle(h, Ownership::Transferred)));
        assert_eq!(iface.handle(h).release(), Some(MethodId(0)));
    }

    #[test]
    fn record_fields_may_be_handles() {
        let m = model("").unwrap();
        let r = m.interfaces()[0].record(TypeId(1));
        assert_eq!(r.fields()[1].ty(), Elem::Handle(TypeId(0)));
    }

    #[test]
    fn carets_point_inside_quoted_and_array_types() {
        let r = model(
            "      - { name: f, params: [ { name: a, type: \"array(strng)\" } ], effect: io }\n",
        )
        .unwrap_err();
        let d = &r.diagnostics()[0];
        assert_eq!(d.code, "bid.type.unknown");
        let s = d.span.unwrap();
        assert_eq!(&r.text[s.start..s.end], "strng");
        assert_eq!(d.help, ["did you mean `string`?"]);
    }

    #[test]
    fn many_declared_types_are_found_by_name() {
        let mut text = String::from("version: 0\ninterfaces:\n  - name: a.b\n    types:\n");
        for i in 0..12 {
            text.push_str(&format!(
                "      - {{ name: H{i}, type: handle, release: close{i} }}\n"
            ));
        }
        text.push_str("    methods:\n");
        for i in 0..12 {
            text.push_str(&format!(
                "      - {{ name: close{i}, params: [ {{ H{i}: h, ownership: transferred }} ], effect: io }}\n"
            ));
        }
        let m = crate::check_source("t.bid.yaml", &text).unwrap();
        let iface = &m.interfaces()[0];
        assert_eq!(
            iface.methods()[11].params()[0].ty(),
            Type::Handle(TypeId(11), Ownership::Transferred)
        );
        assert_eq!(iface.handle(TypeId(7)).release(), Some(MethodId(7)));
        text.push_str("      - { name: f, params: [ { H12: h } ], effect: io }\n");
        let r = crate::check_source("t.bid.yaml", &text).unwrap_err();
        assert_eq!(r.diagnostics()[0].code, "bid.type.unknown");
    }

    #[test]
    fn reference_is_not_a_parameter_ownership() {
        let r = model("      - { name: f, params: [ { name: s, type: string, ownership: reference } ], effect: io }\n")
            .unwrap_err();
        assert_eq!(r.diagnostics()[0].code, "ffi.contract.ownership_mismatch");
        assert_eq!(r.diagnostics()[0].notes[1], "allowed here: `borrowed`");
    }

    #[test]
    fn a_misplaced_return_type_is_one_error_with_a_getter_hint() {
        let r = model("      - { name: names, returns: { type: \"array(string)\", ownership: transferred }, effect: io }\n")
            .unwrap_err();
        assert_eq!(r.diagnostics().len(), 1, "{}", r.render());
        let d = &r.diagnostics()[0];
        assert_eq!(d.code, "bid.type.misplaced");
        assert!(d.help[0].contains("indexed getter"), "{:?}", d.help);
    }

    #[test]
    fn blank_and_non_ascii_types_are_errors_not_panics() {
        for ty in [
            "\" \"",
            "\"  \"",
            "\"\"",
            "\"array( )\"",
            "\"é\"",
            "\"array(é)\"",
        ] {
            let r = model(&format!(
                "      - {{ name: f, params: [ {{ name: p, type: {ty} }} ], effect: io }}\n"
            ))
            .unwrap_err();
            assert!(!r.diagnostics().is_empty(), "{ty}");
        }
        let aliased = "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - name: f\n        effect: io\n        params: [ { name: p, type: &éé i32 }, { name: q, type: *éé } ]\n";
        let m = crate::check_source("t.bid.yaml", aliased).unwrap();
        assert_eq!(
            m.interfaces()[0].methods()[0].params()[1].ty(),
            Type::Scalar(Scalar::I32)
        );
    }
}
