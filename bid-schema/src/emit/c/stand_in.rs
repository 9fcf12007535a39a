//! Stand-ins for `lower::{c_prototype, c_type}` and `layout::{record, bid_buf, Target}` until
//! the layout branch lands; every caller in the C emitter goes through these names so the swap
//! is one file.

use crate::layout::{FieldLayout, Layout, Target};
use crate::model::{HandleRepr, Interface, Method, Type, TypeDefKind, TypeId};

/// The C spelling of a value type: scalars, handle typedefs, record typedefs; for a buffer type,
/// the element type its pointer points to (`char`, `uint8_t`, `T`).
pub(super) fn c_type(iface: &Interface, ty: &Type) -> String {
    match ty {
        Type::Bool | Type::I32 => "int32_t".to_owned(),
        Type::I64 => "int64_t".to_owned(),
        Type::F32 => "float".to_owned(),
        Type::F64 => "double".to_owned(),
        Type::String => "char".to_owned(),
        Type::Bytes => "uint8_t".to_owned(),
        Type::Array(elem) => c_type(iface, elem),
        Type::Handle(id) | Type::Record(id) => iface.ty(*id).c.clone(),
    }
}

/// The C declaration of a method without `;` (SPEC §4's lowering table).
pub(super) fn c_prototype(iface: &Interface, method: &Method) -> String {
    let mut params = Vec::new();
    for p in &method.params {
        if p.ty.is_buffer() {
            params.push(format!("const {}* {}_ptr", c_type(iface, &p.ty), p.c));
            params.push(format!("int32_t {}_len", p.c));
        } else {
            params.push(format!("{} {}", c_type(iface, &p.ty), p.c));
        }
    }
    let value = method.returns.ty.as_ref().map(|ty| {
        if ty.is_buffer() {
            "bid_buf".to_owned()
        } else {
            c_type(iface, ty)
        }
    });
    let ret = match (&value, method.fallible) {
        (_, true) => "int32_t".to_owned(),
        (None, false) => "void".to_owned(),
        (Some(v), false) if v == "bid_buf" => "void".to_owned(),
        (Some(v), false) => v.clone(),
    };
    if let Some(v) = value
        && (method.fallible || v == "bid_buf")
    {
        params.push(format!("{v}* out"));
    }
    let params = if params.is_empty() {
        "void".to_owned()
    } else {
        params.join(", ")
    };
    format!("{ret} {}({params})", method.symbol)
}

/// The target triple.
pub(super) fn triple(target: Target) -> &'static str {
    match target {
        Target::Wasm32 => "wasm32-unknown-unknown",
        Target::X86_64Linux => "x86_64-unknown-linux-gnu",
        Target::X86_64Windows => "x86_64-pc-windows-msvc",
        Target::Aarch64Darwin => "aarch64-apple-darwin",
        Target::I686Linux => "i686-unknown-linux-gnu",
    }
}

/// The preprocessor test that selects the target in C.
pub(super) fn c_condition(target: Target) -> &'static str {
    match target {
        Target::Wasm32 => "defined(__wasm32__)",
        Target::X86_64Linux => "defined(__x86_64__) && defined(__linux__) && !defined(__ILP32__)",
        Target::X86_64Windows => "defined(_WIN64) && (defined(_M_X64) || defined(__x86_64__))",
        Target::Aarch64Darwin => "defined(__aarch64__) && defined(__APPLE__)",
        Target::I686Linux => "defined(__i386__) && defined(__linux__)",
    }
}

fn pointer_size(target: Target) -> u64 {
    match target {
        Target::Wasm32 | Target::I686Linux => 4,
        _ => 8,
    }
}

/// Size and alignment of a field type (records recurse).
fn value(iface: &Interface, ty: &Type, target: Target) -> (u64, u64) {
    let wide = if target == Target::I686Linux { 4 } else { 8 };
    match ty {
        Type::Bool | Type::I32 | Type::F32 => (4, 4),
        Type::I64 | Type::F64 => (8, wide),
        Type::Handle(id) | Type::Record(id) => match &iface.ty(*id).kind {
            TypeDefKind::Handle(h) => match h.repr {
                HandleRepr::I32 => (4, 4),
                HandleRepr::I64 => (8, wide),
                HandleRepr::Pointer => (pointer_size(target), pointer_size(target)),
            },
            TypeDefKind::Record(_) => {
                let l = record(iface, *id, target);
                (l.size, l.align)
            }
        },
        // Buffers never sit inside records (check rejects them): a (ptr, len) pair stands in.
        Type::String | Type::Bytes | Type::Array(_) => {
            let l = bid_buf(target);
            (l.size, l.align)
        }
    }
}

fn c_struct(fields: impl IntoIterator<Item = (String, u64, u64)>) -> Layout {
    let mut offset: u64 = 0;
    let mut align: u64 = 1;
    let mut out = Vec::new();
    for (name, size, a) in fields {
        offset = offset.next_multiple_of(a);
        out.push(FieldLayout {
            name,
            offset,
            size,
            align: a,
        });
        offset += size;
        align = align.max(a);
    }
    Layout {
        size: offset.next_multiple_of(align),
        align,
        fields: out,
    }
}

/// Layout of a declared record on a target.
pub(super) fn record(iface: &Interface, id: TypeId, target: Target) -> Layout {
    let TypeDefKind::Record(rec) = &iface.ty(id).kind else {
        return value_layout(iface, id, target);
    };
    c_struct(rec.fields.iter().map(|f| {
        let (size, align) = value(iface, &f.ty, target);
        (f.name.clone(), size, align)
    }))
}

fn value_layout(iface: &Interface, id: TypeId, target: Target) -> Layout {
    let (size, align) = value(iface, &Type::Handle(id), target);
    Layout {
        size,
        align,
        fields: Vec::new(),
    }
}

/// Layout of `bid_buf { void* ptr; int32_t len; }`.
pub(super) fn bid_buf(target: Target) -> Layout {
    let p = pointer_size(target);
    c_struct([("ptr".to_owned(), p, p), ("len".to_owned(), 4, 4)])
}
