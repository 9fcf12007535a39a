//! The prose of the header: each method's contract (who frees what) spelled out for the
//! plugin author, from SPEC §6's ownership table.

use crate::model::{Interface, Method, Ownership, Param, Type, TypeDefKind};

/// A short spelling of a type for comments: `string`, `array(Point)`, `FileHandle`.
pub(super) fn type_name(iface: &Interface, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".to_owned(),
        Type::I32 => "i32".to_owned(),
        Type::I64 => "i64".to_owned(),
        Type::F32 => "f32".to_owned(),
        Type::F64 => "f64".to_owned(),
        Type::String => "string".to_owned(),
        Type::Bytes => "bytes".to_owned(),
        Type::Array(elem) => format!("array({})", type_name(iface, elem)),
        Type::Handle(id) | Type::Record(id) => iface.ty(*id).name.clone(),
    }
}

/// The comment paragraphs above a method's prototype; `out` is the C name of its
/// out-parameter (`out` unless a parameter already has that name).
pub(super) fn method(iface: &Interface, m: &Method, out: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "Method `{}` (effect: {}).",
        m.name,
        m.effect.as_str()
    )];
    if let Some(doc) = &m.doc {
        lines.push(String::new());
        lines.push(doc.clone());
    }
    lines.push(String::new());
    if m.params.is_empty() {
        lines.push("Parameters: none.".to_owned());
    } else {
        lines.push("Parameters:".to_owned());
        lines.extend(m.params.iter().map(|p| format!("  {}", param(iface, p))));
    }
    lines.push(format!("Returns: {}", returns(iface, m, out)));
    if m.fallible {
        lines.push(if m.returns.ty.is_some() {
            format!(
                "Status: return BID_OK (0) and write the value to *{out} on success; on failure \
                 return a negative BID_E_* code, the host then ignores *{out}."
            )
        } else {
            "Status: return BID_OK (0) on success or a negative BID_E_* code on failure.".to_owned()
        });
    }
    lines
}

fn param(iface: &Interface, p: &Param) -> String {
    let ty = type_name(iface, &p.ty);
    if p.ty.is_buffer() {
        let unit = buffer_unit(&p.ty);
        let own = match p.ownership.unwrap_or(Ownership::Borrowed) {
            Ownership::Borrowed => "borrowed: valid for this call only; copy what you keep",
            Ownership::Transferred => "transferred: yours to keep",
            Ownership::Reference => "reference: valid for the host's lifetime; never free it",
        };
        return format!("{0} ({1}_ptr, {1}_len): {ty} ({unit}), {own}.", p.name, p.c);
    }
    let own = match (&p.ty, p.ownership) {
        (Type::Handle(_), Some(Ownership::Transferred)) => {
            "transferred: this call consumes the handle; release what it holds, the host never \
             uses it again"
        }
        (Type::Handle(_), Some(Ownership::Reference)) => {
            "reference: shared; neither side releases it through this call"
        }
        (Type::Handle(_), _) => "borrowed: the host still owns it; do not release it",
        (Type::Bool, _) => "by value, 0 or 1",
        _ => "by value",
    };
    if p.c == p.name {
        format!("{}: {ty}, {own}.", p.name)
    } else {
        format!("{} (C `{}`): {ty}, {own}.", p.name, p.c)
    }
}

fn buffer_unit(ty: &Type) -> &'static str {
    match ty {
        Type::String => "UTF-8, no NUL terminator, len in bytes",
        Type::Array(_) => "len counts elements",
        _ => "len in bytes",
    }
}

fn returns(iface: &Interface, m: &Method, out: &str) -> String {
    let Some(ty) = &m.returns.ty else {
        return "nothing.".to_owned();
    };
    let name = type_name(iface, ty);
    if ty.is_buffer() {
        let unit = buffer_unit(ty);
        let own = match m.returns.ownership.unwrap_or(Ownership::Transferred) {
            Ownership::Transferred => format!(
                "transferred: allocate it and write {{ptr, len}} to *{out}; the host releases it \
                 exactly once with {}(ptr, len)",
                iface.free_symbol()
            ),
            Ownership::Borrowed => format!(
                "borrowed: write {{ptr, len}} to *{out}; it must stay valid until the next call \
                 into this library; the host copies it and never frees it"
            ),
            Ownership::Reference => format!(
                "reference: write {{ptr, len}} to *{out} pointing at data valid for the \
                 library's lifetime; never freed"
            ),
        };
        return format!("{name} ({unit}), {own}.");
    }
    let own = match (ty, m.returns.ownership) {
        (Type::Handle(id), Some(Ownership::Transferred) | None) => {
            let release = match &iface.ty(*id).kind {
                TypeDefKind::Handle(h) => h.release.map(|r| iface.method(r)),
                TypeDefKind::Record(_) => None,
            };
            match release {
                Some(r) => format!(
                    "transferred: the host owns the new handle and releases it with {} ({})",
                    r.name, r.symbol
                ),
                None => "transferred: the host owns the new handle (the type declares no \
                         release method)"
                    .to_owned(),
            }
        }
        (Type::Handle(_), Some(Ownership::Borrowed)) => {
            "borrowed: the plugin keeps ownership; the host never releases it".to_owned()
        }
        (Type::Handle(_), Some(Ownership::Reference)) => {
            "reference: valid for the library's lifetime; the host never releases it".to_owned()
        }
        (Type::Bool, _) => "0 or 1; any other value is an error on the host".to_owned(),
        _ => "by value".to_owned(),
    };
    format!("{name}, {own}.")
}
