//! FFI ABI v0 layouts: size, alignment and field offsets of every BID type per target.

use crate::model::{Interface, Type, TypeId};

/// A target the layouts are computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `wasm32-unknown-unknown`
    Wasm32,
    /// `x86_64-unknown-linux-gnu`
    X86_64Linux,
    /// `x86_64-pc-windows-msvc`
    X86_64Windows,
    /// `aarch64-apple-darwin`
    Aarch64Darwin,
    /// `i686-unknown-linux-gnu`
    I686Linux,
}

/// Size, alignment and (for records) field offsets of one type on one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `sizeof`, in bytes.
    pub size: u64,
    /// `alignof` inside a struct, in bytes.
    pub align: u64,
    /// Fields in declaration order; empty for scalars.
    pub fields: Vec<FieldLayout>,
}

/// One field of a record layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// The field name as written in the YAML (or the C name for built-in structs).
    pub name: String,
    /// Offset from the start of the record, in bytes.
    pub offset: u64,
    /// Size of the field, in bytes.
    pub size: u64,
    /// Alignment of the field inside the record, in bytes.
    pub align: u64,
}

// Owner: layout helper. Everything below is to be implemented.
#[allow(unused_variables, reason = "skeleton")]
impl Target {
    /// Every supported target, in a stable order.
    pub const ALL: [Target; 5] = [
        Target::X86_64Linux,
        Target::X86_64Windows,
        Target::Aarch64Darwin,
        Target::I686Linux,
        Target::Wasm32,
    ];
}

#[allow(unused_variables, reason = "skeleton")]
/// Layout of a scalar, handle or record type.
pub fn of_type(iface: &Interface, ty: &Type, target: Target) -> Layout {
    todo!()
}

#[allow(unused_variables, reason = "skeleton")]
/// Layout of a declared record.
pub fn record(iface: &Interface, id: TypeId, target: Target) -> Layout {
    todo!()
}
