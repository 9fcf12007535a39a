//! Short constructors for the metadata static, so each method's entry is a line or two of
//! generated code instead of nested struct literals. Generated code imports them inside
//! the static's initialiser block only.

pub use super::Ownership::{Borrowed, Reference, Transferred};
use super::{MethodMeta, Ownership, ParamMeta, ValueKind, ValueMeta};

const fn plain(kind: ValueKind) -> ValueMeta {
    ValueMeta {
        kind,
        ownership: None,
        handle: None,
    }
}

/// A void return.
pub const VOID: ValueMeta = plain(ValueKind::Void);
/// A `bool` (`int32_t` 0/1).
pub const BOOL: ValueMeta = plain(ValueKind::Bool);
/// An `i32`.
pub const I32: ValueMeta = plain(ValueKind::I32);
/// An `i64`.
pub const I64: ValueMeta = plain(ValueKind::I64);
/// An `f32`.
pub const F32: ValueMeta = plain(ValueKind::F32);
/// An `f64`.
pub const F64: ValueMeta = plain(ValueKind::F64);
/// A record by value.
pub const RECORD: ValueMeta = plain(ValueKind::Record);

const fn owned(kind: ValueKind, ownership: Ownership) -> ValueMeta {
    ValueMeta {
        kind,
        ownership: Some(ownership),
        handle: None,
    }
}

/// A UTF-8 string buffer.
pub const fn string(ownership: Ownership) -> ValueMeta {
    owned(ValueKind::String, ownership)
}

/// A byte buffer.
pub const fn bytes(ownership: Ownership) -> ValueMeta {
    owned(ValueKind::Bytes, ownership)
}

/// An array buffer.
pub const fn array(ownership: Ownership) -> ValueMeta {
    owned(ValueKind::Array, ownership)
}

/// A handle of the interface's handle type number `index`.
pub const fn handle(ownership: Ownership, index: usize) -> ValueMeta {
    ValueMeta {
        kind: ValueKind::Handle,
        ownership: Some(ownership),
        handle: Some(index),
    }
}

/// Any value: the long form, for combinations the short ones do not cover.
pub const fn value(
    kind: ValueKind,
    ownership: Option<Ownership>,
    handle: Option<usize>,
) -> ValueMeta {
    ValueMeta {
        kind,
        ownership,
        handle,
    }
}

/// A parameter.
pub const fn param(name: &'static str, value: ValueMeta) -> ParamMeta {
    ParamMeta { name, value }
}

/// A method; `ret` comes before the parameters so a short entry stays on one line.
pub const fn method(
    name: &'static str,
    symbol: &'static str,
    effect: &'static str,
    fallible: bool,
    ret: ValueMeta,
    params: &'static [ParamMeta],
) -> MethodMeta {
    MethodMeta {
        name,
        symbol,
        effect,
        fallible,
        params,
        ret,
    }
}
