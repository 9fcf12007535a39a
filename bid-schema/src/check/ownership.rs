//! The ownership contract: defaults per position, what is allowed, and `release:`.

use super::checker::Checker;
use super::types::{Pos, Shape};
use crate::ast::{MethodAst, Sp, TypeAst};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use std::collections::HashMap;

/// The kind a `free:` symbol is registered under: several methods may share one.
const FREE_KIND: &str = "the free function";

impl Checker<'_> {
    /// The type of a value at `pos` with the ownership written (`given`) or its default,
    /// rejecting what is not allowed at this position.
    ///
    /// | position | default | allowed |
    /// |---|---|---|
    /// | buffer parameter | borrowed | borrowed |
    /// | `cstr` parameter | borrowed | borrowed |
    /// | handle parameter | borrowed | borrowed, transferred |
    /// | buffer return | transferred | transferred, borrowed, reference |
    /// | `cstr` return | transferred | transferred, reference |
    /// | handle return | transferred | transferred, borrowed |
    /// | scalar, record | none | none |
    pub(super) fn ownership(
        &mut self,
        given: Option<&Sp<&str>>,
        shape: Shape,
        pos: Pos,
        iface: &Interface,
    ) -> Type {
        use Ownership::*;
        let (default, allowed): (Ownership, &[Ownership]) = match (shape, pos) {
            (Shape::Buffer(_) | Shape::CStr, Pos::Param) => (Borrowed, &[Borrowed]),
            // A C string the host would copy has no length to copy by: borrowed is refused.
            (Shape::CStr, _) => (Transferred, &[Transferred, Reference]),
            (Shape::Handle(_), Pos::Param) => (Borrowed, &[Borrowed, Transferred]),
            (Shape::Buffer(_), _) => (Transferred, &[Transferred, Borrowed, Reference]),
            (Shape::Handle(_), _) => (Transferred, &[Transferred, Borrowed]),
            (Shape::Scalar(_) | Shape::Record(_), _) => (Borrowed, &[]),
        };
        let with = |own| match shape {
            Shape::Scalar(s) => Type::Scalar(s),
            Shape::Record(id) => Type::Record(id),
            Shape::Handle(id) => Type::Handle(id, own),
            Shape::Buffer(b) => Type::Buffer(b, own),
            Shape::CStr => Type::CStr(own),
        };
        let Some(g) = given else {
            return with(default);
        };
        let Some(value) = Ownership::parse(g.value) else {
            let span = self.span(g.span);
            let d = Diagnostic::error(
                Code::FieldInvalid,
                format!("unknown ownership `{}`", g.value),
            )
            .primary(span, "not an ownership")
            .did_you_mean(g.value, Ownership::ALL.map(Ownership::as_str))
            .note("ownerships are `borrowed`, `transferred` and `reference`");
            self.push(d);
            return with(default);
        };
        if allowed.contains(&value) {
            return with(value);
        }
        let what = format!(
            "{} of type `{}`",
            pos.describe(),
            spelling(iface, with(default))
        );
        self.ownership_error(
            g,
            &what,
            allowed,
            "none: this value is copied and has no owner",
        );
        with(default)
    }

    /// `nullable:` and `free:` of a method's return, checked against its type: `nullable` on
    /// a handle or `cstr`, `free` on a transferred `cstr`, string, bytes or array. A `free`
    /// symbol is a C name of the file like a method's symbol; several methods may name the
    /// same one.
    pub(super) fn return_extras(
        &mut self,
        iface: &Interface,
        m: &MethodAst,
        ret: Option<Type>,
    ) -> (bool, Option<String>) {
        let Some(r) = &m.returns else {
            return (false, None);
        };
        // A type was written but did not resolve: reported already, nothing more to say.
        let unresolved = ret.is_none() && r.ty.as_ref().is_some_and(|t| t.value.trim() != "void");
        let mut nullable = false;
        if let Some(n) = &r.nullable {
            match ret {
                Some(Type::Handle(..) | Type::CStr(_)) => nullable = n.value,
                None if unresolved => {}
                _ => {
                    let what = ret.map_or_else(|| "void".to_owned(), |t| spelling(iface, t));
                    self.push(
                        self.error(
                            Code::FieldInvalid,
                            format!("`nullable` does not apply to a `{what}` return"),
                            n.span,
                            "not a handle or a `cstr`",
                        )
                        .note("`nullable: true` makes a NULL (or 0) result `None`: handles and C strings have one")
                        .help("remove `nullable`"),
                    );
                }
            }
        }
        let Some(free) = r.free.clone() else {
            return (nullable, None);
        };
        let fits = match ret {
            Some(Type::Buffer(_, own) | Type::CStr(own)) => Some(own),
            _ => None,
        };
        match fits {
            Some(Ownership::Transferred) => {}
            Some(own) => {
                self.push(
                    self.error(
                        Code::OwnershipMismatch,
                        format!("`free` is not allowed on a `{}` return", own.as_str()),
                        free.span,
                        "the host does not free this result",
                    )
                    .note("the host frees only what it owns: a result returned `ownership: transferred`")
                    .help("remove `free`, or make the result `ownership: transferred`"),
                );
                return (nullable, None);
            }
            None if unresolved => return (nullable, None),
            None => {
                let what = ret.map_or_else(|| "void".to_owned(), |t| spelling(iface, t));
                let help = if matches!(ret, Some(Type::Handle(..))) {
                    "a handle is released by the method its type names with `release:`"
                } else {
                    "remove `free`: only strings, bytes, arrays and `cstr` are freed"
                };
                self.push(
                    self.error(
                        Code::FieldInvalid,
                        format!("`free` does not apply to a `{what}` return"),
                        free.span,
                        "nothing to free",
                    )
                    .help(help),
                );
                return (nullable, None);
            }
        }
        if !self.ident(&free, "free function")
            || !self.c_global(free.value, "free function", free.span)
        {
            return (nullable, None);
        }
        if self.symbols.kind_of(free.value) != Some(FREE_KIND) {
            let mut symbols = std::mem::take(&mut self.symbols);
            let fresh = self.unique(
                &mut symbols,
                free.value,
                free.span,
                FREE_KIND,
                "has the C symbol",
            );
            self.symbols = symbols;
            if !fresh {
                return (nullable, None);
            }
        }
        (nullable, Some(free.value.to_owned()))
    }

    pub(super) fn ownership_error(
        &mut self,
        g: &Sp<&str>,
        what: &str,
        allowed: &[Ownership],
        none: &str,
    ) {
        let span = self.span(g.span);
        let allowed_text = if allowed.is_empty() {
            none.to_owned()
        } else {
            allowed
                .iter()
                .map(|o| format!("`{}`", o.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.push(
            Diagnostic::error(
                Code::OwnershipMismatch,
                format!("`{}` is not allowed on {what}", g.value),
            )
            .primary(span, "ownership not allowed here")
            .note(format!("given: `{}`", g.value))
            .note(format!("allowed here: {allowed_text}")),
        );
    }

    /// Links each handle's `release:` to a method that consumes the handle.
    pub(super) fn releases(
        &mut self,
        iface: &mut Interface,
        types: &[TypeAst],
        methods: &[MethodAst],
    ) {
        // Method name -> first index, built at the first `release:` (one lookup per handle).
        let mut by_name: Option<HashMap<&str, usize>> = None;
        for (idx, t) in types.iter().enumerate() {
            let Some(rel) = &t.release else { continue };
            if !matches!(iface.types[idx].kind, TypeDefKind::Handle(_)) {
                continue;
            }
            let tname = iface.types[idx].name.clone();
            let span = self.span(rel.span);
            let by_name = by_name.get_or_insert_with(|| {
                let mut map = HashMap::with_capacity(iface.methods.len());
                for (i, m) in iface.methods.iter().enumerate() {
                    map.entry(m.name.as_str()).or_insert(i);
                }
                map
            });
            let Some(&mi) = by_name.get(rel.value) else {
                let d = Diagnostic::error(
                    Code::FieldInvalid,
                    format!("release method `{}` of `{tname}` does not exist", rel.value),
                )
                .primary(span, "no such method")
                .did_you_mean(rel.value, iface.methods.iter().map(|m| m.name.as_str()));
                self.push(d);
                continue;
            };
            let consumes = iface.methods[mi]
                .params
                .iter()
                .any(|p| p.ty == Type::Handle(TypeId(idx), Ownership::Transferred));
            let params = iface.methods[mi].params.len();
            if consumes && params > 1 {
                // The drop of an owned handle calls the release method with the handle alone.
                let m = &iface.methods[mi].name;
                let d = self
                    .error(
                        Code::FieldInvalid,
                        format!("release method `{m}` takes {params} parameters"),
                        rel.span,
                        "a release method takes the handle alone",
                    )
                    .note(format!(
                        "dropping an owned `{tname}` calls `{m}` with nothing but the handle"
                    ))
                    .help(format!(
                        "give `{tname}` a method that takes only the handle, or drop `release:` \
                         and call `{m}` yourself"
                    ));
                self.push(d);
                continue;
            }
            if consumes {
                if let TypeDefKind::Handle(h) = &mut iface.types[idx].kind {
                    h.release = Some(MethodId(mi));
                }
                continue;
            }
            let mut d = Diagnostic::error(
                Code::OwnershipMismatch,
                format!(
                    "release method `{}` does not consume a `{tname}`",
                    rel.value
                ),
            )
            .primary(
                span,
                format!("`{}` takes no `{tname}` as `transferred`", rel.value),
            )
            .note("a release method takes its handle with `ownership: transferred`".to_string());
            if let Some(p) = methods[mi]
                .params
                .iter()
                .find(|p| p.ty.as_ref().is_some_and(|t| t.value.trim() == tname))
                && let Some(n) = &p.name
            {
                let pspan = self.span(n.span);
                d = d
                    .secondary(pspan, "borrowed, not consumed")
                    .help(format!("write `ownership: transferred` on `{}`", n.value));
            }
            self.push(d);
        }
    }
}
