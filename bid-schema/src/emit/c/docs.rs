//! The prose of the header: each method's contract (who frees what) spelled out for the
//! plugin author.

use crate::model::{Buffer, Interface, Method, Ownership, Param, Scalar, Type, spelling};

/// The comment paragraphs above a method's prototype.
pub(super) fn method(iface: &Interface, m: &Method) -> Vec<String> {
    let out = "out";
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
        lines.push(if m.returns.is_some() {
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
    let ty = spelling(iface, p.ty);
    if let Type::Buffer(buf, own) = p.ty {
        let unit = buffer_unit(buf);
        let own = match own {
            Ownership::Borrowed => "borrowed: valid for this call only; copy what you keep",
            Ownership::Transferred => "transferred: yours to keep",
            Ownership::Reference => "reference: valid for the host's lifetime; never free it",
        };
        return format!("{0} ({1}_ptr, {1}_len): {ty} ({unit}), {own}.", p.name, p.c);
    }
    let own = match p.ty {
        Type::Handle(_, Ownership::Transferred) => {
            "transferred: this call consumes the handle; release what it holds, the host never \
             uses it again"
        }
        Type::Handle(_, Ownership::Reference) => {
            "reference: shared; neither side releases it through this call"
        }
        Type::Handle(_, Ownership::Borrowed) => {
            "borrowed: the host still owns it; do not release it"
        }
        Type::Scalar(Scalar::Bool) => "by value, 0 or 1",
        Type::CStr(_) => {
            "borrowed: NUL-terminated UTF-8, never NULL, valid for this call only; copy what you keep"
        }
        _ => "by value",
    };
    if p.c == p.name {
        format!("{}: {ty}, {own}.", p.name)
    } else {
        format!("{} (C `{}`): {ty}, {own}.", p.name, p.c)
    }
}

fn buffer_unit(buf: Buffer) -> &'static str {
    match buf {
        Buffer::String => "UTF-8, no NUL terminator, len in bytes",
        Buffer::Array(_) => "len counts elements",
        Buffer::Bytes => "len in bytes",
    }
}

fn returns(iface: &Interface, m: &Method, out: &str) -> String {
    let Some(ty) = m.returns else {
        return "nothing.".to_owned();
    };
    let name = spelling(iface, ty);
    let own = match ty {
        Type::Buffer(buf, own) => {
            let unit = buffer_unit(buf);
            let own = match own {
                Ownership::Transferred => match m.free() {
                    Some(free) => format!(
                        "transferred: allocate it and write {{ptr, len}} to *{out}; the host \
                         releases it exactly once with {free}(ptr)"
                    ),
                    None => format!(
                        "transferred: allocate it and write {{ptr, len}} to *{out}; the host \
                         releases it exactly once with {}(ptr, len)",
                        iface.free_symbol()
                    ),
                },
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
        Type::Handle(id, Ownership::Transferred) => {
            match iface.handle(id).release().map(|r| iface.method(r)) {
                Some(r) => format!(
                    "transferred: the host owns the new handle and releases it with {} ({})",
                    r.name, r.symbol
                ),
                None => "transferred: the host owns the new handle (the type declares no \
                         release method)"
                    .to_owned(),
            }
        }
        Type::Handle(_, Ownership::Borrowed) => {
            "borrowed: the plugin keeps ownership; the host never releases it".to_owned()
        }
        Type::Handle(_, Ownership::Reference) => {
            "reference: valid for the library's lifetime; the host never releases it".to_owned()
        }
        Type::Scalar(Scalar::Bool) => "0 or 1; any other value is an error on the host".to_owned(),
        Type::Scalar(_) | Type::Record(_) => "by value".to_owned(),
        Type::CStr(own) => {
            let null = if m.nullable() {
                "NULL means none"
            } else {
                "never NULL (NULL is an error on the host)"
            };
            match own {
                Ownership::Transferred => format!(
                    "transferred: NUL-terminated UTF-8, {null}; the host releases it exactly once \
                     with {}",
                    m.free().map_or_else(
                        || format!("{}(ptr, 0)", iface.free_symbol()),
                        |f| format!("{f}(ptr)")
                    )
                ),
                _ => format!(
                    "reference: NUL-terminated UTF-8 valid for the library's lifetime, {null}; never \
                     freed"
                ),
            }
        }
    };
    let own = match ty {
        Type::Handle(..) if m.nullable() => format!("{own}; NULL or 0 means none"),
        Type::Handle(id, _) if iface.handle(id).repr() == crate::model::HandleRepr::Pointer => {
            format!("{own}; never NULL (NULL is an error on the host)")
        }
        _ => own,
    };
    format!("{name}, {own}.")
}
