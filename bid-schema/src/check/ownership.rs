//! The ownership contract of SPEC §6: defaults per position, what is allowed, and `release:`.

use super::Checker;
use super::types::Pos;
use crate::ast::{MethodAst, Sp, TypeAst};
use crate::diag::Diagnostic;
use crate::model::*;
use std::collections::HashMap;

impl Checker<'_> {
    /// Applies the defaults of SPEC §6 and rejects what is not allowed at this position.
    pub(super) fn ownership(
        &mut self,
        given: Option<&Sp<&str>>,
        ty: &Type,
        pos: Pos,
        iface: &Interface,
    ) -> Option<Ownership> {
        use Ownership::*;
        let (default, allowed): (Option<Ownership>, &[Ownership]) = match (ty, pos) {
            (t, Pos::Param) if t.is_buffer() => (Some(Borrowed), &[Borrowed]),
            (Type::Handle(_), Pos::Param) => (Some(Borrowed), &[Borrowed, Transferred]),
            (t, _) if t.is_buffer() => (Some(Transferred), &[Transferred, Borrowed, Reference]),
            (Type::Handle(_), _) => (Some(Transferred), &[Transferred, Borrowed]),
            _ => (None, &[]),
        };
        let Some(g) = given else { return default };
        let value = match g.value {
            "borrowed" => Borrowed,
            "transferred" => Transferred,
            "reference" => Reference,
            other => {
                let span = self.span(g.span);
                let d =
                    Diagnostic::error("bid.field.invalid", format!("unknown ownership `{other}`"))
                        .primary(span, "not an ownership")
                        .did_you_mean(other, ["borrowed", "transferred", "reference"])
                        .note("ownerships are `borrowed`, `transferred` and `reference`");
                self.push(d);
                return default;
            }
        };
        if allowed.contains(&value) {
            return Some(value);
        }
        let what = format!("{} of type `{}`", pos.describe(), type_name(iface, ty));
        self.ownership_error(
            g,
            &what,
            allowed,
            "none: this value is copied and has no owner",
        );
        default
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
                "ffi.contract.ownership_mismatch",
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
                    "bid.field.invalid",
                    format!("release method `{}` of `{tname}` does not exist", rel.value),
                )
                .primary(span, "no such method")
                .did_you_mean(rel.value, iface.methods.iter().map(|m| m.name.as_str()));
                self.push(d);
                continue;
            };
            let consumes = iface.methods[mi].params.iter().any(|p| {
                p.ty == Type::Handle(TypeId(idx)) && p.ownership == Some(Ownership::Transferred)
            });
            if consumes {
                if let TypeDefKind::Handle(h) = &mut iface.types[idx].kind {
                    h.release = Some(MethodId(mi));
                }
                continue;
            }
            let mut d = Diagnostic::error(
                "ffi.contract.ownership_mismatch",
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

/// The BID spelling of a resolved type, for messages.
fn type_name(iface: &Interface, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::I32 => "i32".into(),
        Type::I64 => "i64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::String => "string".into(),
        Type::Bytes => "bytes".into(),
        Type::Handle(id) | Type::Record(id) => iface.ty(*id).name.clone(),
        Type::Array(t) => format!("array({})", type_name(iface, t)),
    }
}
