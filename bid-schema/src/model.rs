//! The checked interface: the one immutable value every later phase (layout, emit) reads.
//!
//! A `Model` only exists when `check` found no error, so nothing downstream needs to
//! validate it again. Every foreign name (Rust ident, C identifier, C symbol) is computed
//! once, in `names`, and stored here in both spellings.

/// A whole BID file, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Where the model came from, for generated-file preambles.
    pub source: SourceInfo,
    /// The `memory:` section (defaults filled in).
    pub memory: Memory,
    /// The `transport:` section (defaults filled in).
    pub transport: Transport,
    /// Every interface, in file order.
    pub interfaces: Vec<Interface>,
}

/// Identity of the source file a model was checked from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// The file name as the user gave it (display form, `/` separators).
    pub name: String,
    /// FNV-1a 64 hash of the source bytes, 16 lowercase hex digits.
    pub hash: String,
}

/// The `memory:` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    /// 32 or 64: the pointer width the interface was written for.
    pub pointer_size: u32,
    /// The declared alignment in bytes (a power of two).
    pub alignment: u32,
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            pointer_size: 32,
            alignment: 4,
        }
    }
}

/// The `transport:` section. Only `dynamic_library` passes `check`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transport {
    /// Default library path for `load_default()`, as written in the file.
    pub location: Option<String>,
    /// `future_transports`, kept for information only.
    pub future_transports: Vec<String>,
}

/// One interface: becomes one Rust box type and one group of C symbols.
#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    /// `nyash` in `nyash.file`.
    pub namespace: String,
    /// `file` in `nyash.file`.
    pub name: String,
    /// `namespace.name`, the name used in audits and signatures.
    pub qualified: String,
    /// The Rust type of the box (`box:` or UpperCamelCase(name)), a valid Rust ident.
    pub box_name: String,
    /// Optional semver string.
    pub version: Option<String>,
    /// Prefix of every C symbol: `symbol_prefix:` or `<namespace>_<name>` with `.` -> `_`.
    pub symbol_prefix: String,
    /// Free text from the YAML; emitters escape it.
    pub doc: Option<String>,
    /// `false` makes the host box `!Sync`.
    pub thread_safe: bool,
    /// Declared handle and record types; `TypeId` indexes this.
    pub types: Vec<TypeDef>,
    /// Methods in file order; `MethodId` indexes this.
    pub methods: Vec<Method>,
}

impl Interface {
    /// The declared type behind an id.
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The method behind an id.
    pub fn method(&self, id: MethodId) -> &Method {
        &self.methods[id.0]
    }

    /// `<prefix>_bid_free`: exported by plugins that return transferred buffers.
    pub fn free_symbol(&self) -> String {
        format!("{}_bid_free", self.symbol_prefix)
    }

    /// `<prefix>_bid_signature`: optionally exported, returns the canonical signature.
    pub fn signature_symbol(&self) -> String {
        format!("{}_bid_signature", self.symbol_prefix)
    }

    /// Whether any method returns a buffer the host must give back with `<prefix>_bid_free`.
    pub fn needs_free(&self) -> bool {
        self.methods.iter().any(|m| {
            m.returns.ty.as_ref().is_some_and(Type::is_buffer)
                && m.returns.ownership == Some(Ownership::Transferred)
        })
    }
}

/// Index into `Interface::types`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// Index into `Interface::methods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodId(pub usize);

/// A named type declared under `types:`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The name as written in the YAML (`FileHandle`).
    pub name: String,
    /// Rust ident (UpperCamelCase, keyword-escaped).
    pub rust: String,
    /// C identifier: `<symbol_prefix>_<name>`.
    pub c: String,
    /// Free text from the YAML.
    pub doc: Option<String>,
    /// Handle or record.
    pub kind: TypeDefKind,
}

/// What a declared type is.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeDefKind {
    /// An opaque handle owned by the plugin.
    Handle(HandleDef),
    /// A `#[repr(C)]` struct passed by value.
    Record(RecordDef),
}

/// An opaque handle type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandleDef {
    /// How the handle crosses the boundary.
    pub repr: HandleRepr,
    /// The method that consumes the handle (takes it `transferred`), if any.
    pub release: Option<MethodId>,
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

/// A record type: fields in declaration order, C layout.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDef {
    /// At least one field.
    pub fields: Vec<Field>,
}

/// One record field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The name as written in the YAML.
    pub name: String,
    /// Rust field ident (snake_case, keyword-escaped, e.g. `r#type`).
    pub rust: String,
    /// C field name (C keywords get a trailing `_`).
    pub c: String,
    /// A scalar, handle or record (no buffers inside records).
    pub ty: Type,
    /// Free text from the YAML.
    pub doc: Option<String>,
}

/// A BID value type. `void` is not a `Type`: a void return is `Return { ty: None }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `int32_t` 0/1 at the boundary.
    Bool,
    /// `int32_t`.
    I32,
    /// `int64_t`.
    I64,
    /// `float`.
    F32,
    /// `double`.
    F64,
    /// UTF-8, `(ptr, len)`.
    String,
    /// Raw bytes, `(ptr, len)`.
    Bytes,
    /// A declared handle type.
    Handle(TypeId),
    /// A declared record type.
    Record(TypeId),
    /// `array(T)`: T is i32, i64, f32, f64, a handle or a record; `(ptr, len)` with len in elements.
    Array(Box<Type>),
}

impl Type {
    /// Whether the value crosses as `(ptr, len)` and returns through `bid_buf* out`.
    pub fn is_buffer(&self) -> bool {
        matches!(self, Type::String | Type::Bytes | Type::Array(_))
    }

    /// Whether an ownership annotation is meaningful on this type.
    pub fn has_ownership(&self) -> bool {
        self.is_buffer() || matches!(self, Type::Handle(_))
    }
}

/// Call effect, from the seed's effect system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// No side effects: may be reordered or memoised.
    Pure,
    /// Mutates state of the box.
    Mut,
    /// Performs I/O: program order is kept.
    Io,
    /// Affects control flow.
    Control,
}

impl Effect {
    /// The spelling used in YAML, signatures and audits.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Pure => "pure",
            Effect::Mut => "mut",
            Effect::Io => "io",
            Effect::Control => "control",
        }
    }
}

/// Who owns a value that crosses the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ownership {
    /// Valid for the call (params) or until the next call (returns).
    Borrowed,
    /// Ownership moves: the receiver releases it exactly once.
    Transferred,
    /// Static for the library's lifetime.
    Reference,
}

impl Ownership {
    /// The spelling used in YAML, signatures and audits.
    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::Borrowed => "borrowed",
            Ownership::Transferred => "transferred",
            Ownership::Reference => "reference",
        }
    }
}

/// One method of an interface.
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    /// The name as written in the YAML (`fillRect`).
    pub name: String,
    /// Rust method ident (snake_case, keyword-escaped).
    pub rust: String,
    /// The exported C symbol: `symbol:` or `<symbol_prefix>_<name>`.
    pub symbol: String,
    /// Parameters in order.
    pub params: Vec<Param>,
    /// The return value.
    pub returns: Return,
    /// The declared effect.
    pub effect: Effect,
    /// `true`: the C function returns an `int32_t` status and the value goes to an out-param.
    pub fallible: bool,
    /// Free text from the YAML.
    pub doc: Option<String>,
}

/// One method parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The name as written in the YAML.
    pub name: String,
    /// Rust ident (snake_case, keyword-escaped).
    pub rust: String,
    /// C parameter name (C keywords get a trailing `_`); buffers use `<c>_ptr`, `<c>_len`.
    pub c: String,
    /// The parameter type.
    pub ty: Type,
    /// `Some` exactly when `ty.has_ownership()`, defaults applied (SPEC §6).
    pub ownership: Option<Ownership>,
}

/// A method's return value.
#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    /// `None` for `void`.
    pub ty: Option<Type>,
    /// `Some` exactly when the type has ownership, defaults applied (SPEC §6).
    pub ownership: Option<Ownership>,
}

/// FNV-1a 64 of `bytes` as 16 lowercase hex digits: a stable, dependency-free content hash
/// for generated-file preambles.
pub fn source_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(source_hash(b""), "cbf29ce484222325");
        assert_eq!(source_hash(b"a"), "af63dc4c8601ec8c");
        assert_eq!(source_hash(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn buffers_and_ownership() {
        assert!(Type::String.is_buffer());
        assert!(Type::Array(Box::new(Type::I32)).is_buffer());
        assert!(!Type::Handle(TypeId(0)).is_buffer());
        assert!(Type::Handle(TypeId(0)).has_ownership());
        assert!(!Type::Record(TypeId(0)).has_ownership());
        assert!(!Type::F64.has_ownership());
    }
}
