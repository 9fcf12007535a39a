//! The value types of the model: what a parameter, a return value, a record field or an
//! array element can be, and the ids that name declared types and methods. A leaf of the
//! model: nothing here refers back to an interface.

use bid_abi::Ownership;

/// Index into [`Interface::types`]; only `check` makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub(crate) usize);

impl TypeId {
    /// The position in [`Interface::types`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// Index into [`Interface::methods`]; only `check` makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodId(pub(crate) usize);

impl MethodId {
    /// The position in [`Interface::methods`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// The C representation of a handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HandleRepr {
    /// `int32_t` (the default).
    I32,
    /// `int64_t`.
    I64,
    /// `void*`.
    Pointer,
}

impl HandleRepr {
    /// The spelling used in YAML and signatures.
    pub fn as_str(self) -> &'static str {
        match self {
            HandleRepr::I32 => "i32",
            HandleRepr::I64 => "i64",
            HandleRepr::Pointer => "pointer",
        }
    }
}

/// A fixed-size value: what a record field or an array element can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `int32_t` 0 or 1 at the boundary.
    Bool,
    /// `int8_t`.
    I8,
    /// `int16_t`.
    I16,
    /// `int32_t`.
    I32,
    /// `int64_t`.
    I64,
    /// `uint8_t`.
    U8,
    /// `uint16_t`.
    U16,
    /// `uint32_t`.
    U32,
    /// `uint64_t`.
    U64,
    /// `float`.
    F32,
    /// `double`.
    F64,
}

impl Scalar {
    /// Every scalar, in the order the docs list them.
    pub const ALL: [Scalar; 11] = [
        Scalar::Bool,
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::F32,
        Scalar::F64,
    ];

    /// The BID keyword (`i32`), the one spelling of the type in YAML, signatures and docs;
    /// also the Rust type (`bool` aside, which crosses as `i32`).
    pub fn keyword(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
        }
    }

    /// The scalar spelled `keyword`.
    pub fn parse(keyword: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.keyword() == keyword)
    }

    /// The C type at the boundary (a `bool` is its `int32_t`).
    pub fn c_type(self) -> &'static str {
        match self {
            Scalar::Bool | Scalar::I32 => "int32_t",
            Scalar::I8 => "int8_t",
            Scalar::I16 => "int16_t",
            Scalar::I64 => "int64_t",
            Scalar::U8 => "uint8_t",
            Scalar::U16 => "uint16_t",
            Scalar::U32 => "uint32_t",
            Scalar::U64 => "uint64_t",
            Scalar::F32 => "float",
            Scalar::F64 => "double",
        }
    }

    /// Size in bytes (alignment is the same, except 8-byte scalars on some targets).
    pub fn size(self) -> u64 {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::Bool | Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::I64 | Scalar::U64 | Scalar::F64 => 8,
        }
    }

    /// Whether it is `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }
}

/// A value with a fixed size and no owner: the type of a record field or an array element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Elem {
    /// A scalar (never `bool` as an array element: it has no agreed layout there).
    Scalar(Scalar),
    /// A declared handle type, by raw value.
    Handle(TypeId),
    /// A declared record type, by value.
    Record(TypeId),
}

/// What crosses as `(pointer, length)` as a parameter and through a `bid_buf` when returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Buffer {
    /// UTF-8 text, no NUL, length in bytes.
    String,
    /// Raw bytes.
    Bytes,
    /// `array(T)`, length in elements.
    Array(Elem),
}

impl Buffer {
    /// `string`, `bytes` or `array`.
    pub fn keyword(self) -> &'static str {
        match self {
            Buffer::String => "string",
            Buffer::Bytes => "bytes",
            Buffer::Array(_) => "array",
        }
    }
}

/// The type of a parameter or a return value, with its ownership where it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A scalar, by value.
    Scalar(Scalar),
    /// A declared record, by value.
    Record(TypeId),
    /// A declared handle: borrowed or transferred.
    Handle(TypeId, Ownership),
    /// A string, bytes or an array: borrowed, transferred or reference.
    Buffer(Buffer, Ownership),
    /// `cstr`: a NUL-terminated UTF-8 `const char*`. A parameter is borrowed; a return is
    /// transferred or reference.
    CStr(Ownership),
}

impl Type {
    /// The ownership of a handle, buffer or C string, `None` for values that are copied.
    pub fn ownership(self) -> Option<Ownership> {
        match self {
            Type::Scalar(_) | Type::Record(_) => None,
            Type::Handle(_, own) | Type::Buffer(_, own) | Type::CStr(own) => Some(own),
        }
    }

    /// The buffer this type is, if any.
    pub fn buffer(self) -> Option<Buffer> {
        match self {
            Type::Buffer(b, _) => Some(b),
            _ => None,
        }
    }
}

impl From<Elem> for Type {
    /// An element as a by-value type; a handle element is borrowed.
    fn from(e: Elem) -> Type {
        match e {
            Elem::Scalar(s) => Type::Scalar(s),
            Elem::Record(id) => Type::Record(id),
            Elem::Handle(id) => Type::Handle(id, Ownership::Borrowed),
        }
    }
}
