//! The checked interface: the one immutable value every later phase (layout, emit) reads.
//!
//! Only `check` builds a [`Model`]: its fields are private, so a model that no checker saw
//! cannot reach an emitter, and the emitters need no fallback for states the checker
//! forbids. The types say what the checker guarantees: a buffer or a handle always carries
//! its ownership (defaults applied), a record field or an array element can only be a
//! scalar, a handle or a record ([`Elem`]). Every foreign name (Rust ident, C identifier,
//! C symbol) is computed once, in `names`, and stored here in both spellings.

mod ty;

pub use bid_abi::{Effect, Ownership};
pub use ty::{Buffer, Elem, HandleRepr, MethodId, Scalar, Type, TypeId};

/// A whole BID file, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) source: SourceInfo,
    pub(crate) memory: Memory,
    pub(crate) transport: Transport,
    pub(crate) interfaces: Vec<Interface>,
}

impl Model {
    /// Where the model came from, for generated-file preambles.
    pub fn source(&self) -> &SourceInfo {
        &self.source
    }

    /// The `memory:` section, defaults filled in.
    pub fn memory(&self) -> Memory {
        self.memory
    }

    /// The `transport:` section, defaults filled in.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Every interface, in file order.
    pub fn interfaces(&self) -> &[Interface] {
        &self.interfaces
    }
}

/// Identity of the source file a model was checked from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    pub(crate) name: String,
    pub(crate) hash: String,
}

impl SourceInfo {
    /// The file name as the user gave it (display form, `/` separators).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// FNV-1a 64 hash of the source bytes, 16 lowercase hex digits.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// The `memory:` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    pub(crate) pointer_size: u32,
    pub(crate) alignment: u32,
}

impl Memory {
    /// 32 or 64: the pointer width the interface was written for.
    pub fn pointer_size(self) -> u32 {
        self.pointer_size
    }

    /// The declared alignment in bytes (a power of two).
    pub fn alignment(self) -> u32 {
        self.alignment
    }
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
    pub(crate) location: Option<String>,
    pub(crate) future_transports: Vec<String>,
}

impl Transport {
    /// The library `load_default()` opens, as written in the file.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// `future_transports`, kept for information only.
    pub fn future_transports(&self) -> &[String] {
        &self.future_transports
    }
}

/// One interface: becomes one Rust box type and one group of C symbols.
#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) qualified: String,
    pub(crate) box_name: String,
    pub(crate) version: Option<String>,
    pub(crate) symbol_prefix: String,
    pub(crate) doc: Option<String>,
    pub(crate) thread_safe: bool,
    pub(crate) types: Vec<TypeDef>,
    pub(crate) methods: Vec<Method>,
}

impl Interface {
    /// `nyash` in `nyash.file`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// `file` in `nyash.file`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `namespace.name`, the name used in audits and signatures.
    pub fn qualified(&self) -> &str {
        &self.qualified
    }

    /// The Rust type of the box (`box:` or UpperCamelCase(name)), a Rust ident (`r#` when a keyword).
    pub fn box_name(&self) -> &str {
        &self.box_name
    }

    /// The `version:` string (semver), if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The prefix of every C symbol: `symbol_prefix:` or `<namespace>_<name>`, `.` -> `_`.
    pub fn symbol_prefix(&self) -> &str {
        &self.symbol_prefix
    }

    /// Free text from the YAML; emitters escape it.
    pub fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    /// Whether the plugin may be called from several threads at once (`thread_safe: true`).
    pub fn thread_safe(&self) -> bool {
        self.thread_safe
    }

    /// Declared handle and record types, in file order; a [`TypeId`] indexes them.
    pub fn types(&self) -> &[TypeDef] {
        &self.types
    }

    /// Methods in file order; a [`MethodId`] indexes them.
    pub fn methods(&self) -> &[Method] {
        &self.methods
    }

    /// The id of the declared type called `name` (as written in the BID file).
    pub fn type_id(&self, name: &str) -> Option<TypeId> {
        self.types.iter().position(|t| t.name == name).map(TypeId)
    }

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

    /// `<prefix>_bid_signature`: returns the canonical signature text.
    pub fn signature_symbol(&self) -> String {
        format!("{}_bid_signature", self.symbol_prefix)
    }

    /// Whether some method returns a buffer the host gives back with `<prefix>_bid_free`
    /// (a transferred buffer or C string without a `free:` of its own).
    pub fn needs_free(&self) -> bool {
        self.methods.iter().any(|m| {
            m.free.is_none()
                && matches!(
                    m.returns,
                    Some(
                        Type::Buffer(_, Ownership::Transferred)
                            | Type::CStr(Ownership::Transferred)
                    )
                )
        })
    }

    /// The `free:` functions the methods name, each once, in the order first named.
    pub fn custom_frees(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in self.methods.iter().filter_map(|m| m.free.as_deref()) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }

    /// The handle definition behind an id the checker resolved to a handle.
    pub fn handle(&self, id: TypeId) -> &HandleDef {
        match &self.ty(id).kind {
            TypeDefKind::Handle(h) => h,
            TypeDefKind::Record(_) => unreachable!("checked: {id:?} is a handle"),
        }
    }

    /// The record definition behind an id the checker resolved to a record.
    pub fn record(&self, id: TypeId) -> &RecordDef {
        match &self.ty(id).kind {
            TypeDefKind::Record(r) => r,
            TypeDefKind::Handle(_) => unreachable!("checked: {id:?} is a record"),
        }
    }

    /// Every record, each after the records it holds by value, file order otherwise. The
    /// walk keeps its own stack: a long chain of nested records costs no call stack.
    pub fn records_in_dependency_order(&self) -> Vec<TypeId> {
        let mut queued = vec![false; self.types.len()];
        let mut out = Vec::new();
        for start in 0..self.types.len() {
            if queued[start] || !matches!(self.types[start].kind, TypeDefKind::Record(_)) {
                continue;
            }
            queued[start] = true;
            // (record, index of the next field to look at)
            let mut stack = vec![(start, 0usize)];
            while let Some((id, next)) = stack.last_mut() {
                let fields = match &self.types[*id].kind {
                    TypeDefKind::Record(r) => r.fields.as_slice(),
                    TypeDefKind::Handle(_) => &[],
                };
                match fields.get(*next) {
                    Some(f) => {
                        *next += 1;
                        if let Elem::Record(inner) = f.ty
                            && !queued[inner.0]
                        {
                            queued[inner.0] = true;
                            stack.push((inner.0, 0));
                        }
                    }
                    None => {
                        out.push(TypeId(*id));
                        stack.pop();
                    }
                }
            }
        }
        out
    }

    /// For each type, by index: whether it is a record that holds a handle, directly or in a
    /// record it holds (`false` for handle types). Computed in dependency order, once per
    /// record: records that each hold two of the one before stay linear.
    pub fn records_holding_handles(&self) -> Vec<bool> {
        let mut holds = vec![false; self.types.len()];
        for id in self.records_in_dependency_order() {
            holds[id.0] = self.record(id).fields().iter().any(|f| match f.ty() {
                Elem::Scalar(_) => false,
                Elem::Handle(_) => true,
                Elem::Record(inner) => holds[inner.0],
            });
        }
        holds
    }

    /// The position of handle type `id` among the interface's handle types.
    pub fn handle_index(&self, id: TypeId) -> usize {
        self.types[..id.0]
            .iter()
            .filter(|t| matches!(t.kind, TypeDefKind::Handle(_)))
            .count()
    }
}

/// A named type declared under `types:`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) c: String,
    pub(crate) doc: Option<String>,
    pub(crate) kind: TypeDefKind,
}

impl TypeDef {
    /// The name as written in the YAML (`FileHandle`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Rust ident (UpperCamelCase, keyword-escaped).
    pub fn rust(&self) -> &str {
        &self.rust
    }

    /// The C identifier: `<symbol_prefix>_<name>`.
    pub fn c(&self) -> &str {
        &self.c
    }

    /// Free text from the YAML.
    pub fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    /// Handle or record.
    pub fn kind(&self) -> &TypeDefKind {
        &self.kind
    }
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
    pub(crate) repr: HandleRepr,
    pub(crate) release: Option<MethodId>,
}

impl HandleDef {
    /// How the handle crosses the boundary.
    pub fn repr(&self) -> HandleRepr {
        self.repr
    }

    /// The method that consumes the handle (takes it `transferred`), if any.
    pub fn release(&self) -> Option<MethodId> {
        self.release
    }
}

/// A record type: fields in declaration order, C layout; at least one field.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDef {
    pub(crate) fields: Vec<Field>,
}

impl RecordDef {
    /// The fields in declaration order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }
}

/// One record field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) c: String,
    pub(crate) ty: Elem,
    pub(crate) doc: Option<String>,
}

impl Field {
    /// The name as written in the YAML.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Rust field ident (snake_case, keyword-escaped, e.g. `r#type`).
    pub fn rust(&self) -> &str {
        &self.rust
    }

    /// The C member name (reserved C names get a trailing `_`).
    pub fn c(&self) -> &str {
        &self.c
    }

    /// The field's type: a scalar, handle or record, never a buffer.
    pub fn ty(&self) -> Elem {
        self.ty
    }

    /// Free text from the YAML.
    pub fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }
}

/// One method of an interface.
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) symbol: String,
    pub(crate) params: Vec<Param>,
    pub(crate) returns: Option<Type>,
    pub(crate) nullable: bool,
    pub(crate) free: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) fallible: bool,
    pub(crate) doc: Option<String>,
}

impl Method {
    /// The name as written in the YAML (`fillRect`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Rust method ident (snake_case, keyword-escaped, clear of the box's own methods).
    pub fn rust(&self) -> &str {
        &self.rust
    }

    /// The exported C symbol: `symbol:` or `<symbol_prefix>_<name>`.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// Parameters in order.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// The return type; `None` is `void`.
    pub fn returns(&self) -> Option<Type> {
        self.returns
    }

    /// `nullable: true` on a handle or `cstr` return: NULL (or 0) is `None`, not an error.
    pub fn nullable(&self) -> bool {
        self.nullable
    }

    /// `free: SYMBOL` on a transferred return: the plugin's own `void SYMBOL(void*)` that
    /// releases it, instead of `<prefix>_bid_free(ptr, len)`.
    pub fn free(&self) -> Option<&str> {
        self.free.as_deref()
    }

    /// The declared effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the C function returns an `int32_t` status and its value through an out-param.
    pub fn fallible(&self) -> bool {
        self.fallible
    }

    /// Free text from the YAML.
    pub fn doc(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    /// Whether the C function takes a trailing out-parameter: buffers always return through
    /// one, and a fallible method returns its value through one.
    pub fn has_out_param(&self) -> bool {
        match self.returns {
            None => false,
            Some(Type::Buffer(..)) => true,
            Some(_) => self.fallible,
        }
    }
}

/// One method parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) c: String,
    pub(crate) ty: Type,
}

impl Param {
    /// The name as written in the YAML.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Rust ident (snake_case, keyword-escaped).
    pub fn rust(&self) -> &str {
        &self.rust
    }

    /// The C parameter name (reserved C names get a trailing `_`); buffers use `<c>_ptr`
    /// and `<c>_len`.
    pub fn c(&self) -> &str {
        &self.c
    }

    /// The type, with its ownership.
    pub fn ty(&self) -> Type {
        self.ty
    }
}

/// The BID spelling of a type, with declared names: `array(Point)`, `FileHandle`.
pub fn spelling(iface: &Interface, ty: Type) -> String {
    match ty {
        Type::Scalar(s) => s.keyword().to_owned(),
        Type::Record(id) | Type::Handle(id, _) => iface.ty(id).name.clone(),
        Type::Buffer(Buffer::Array(e), _) => format!("array({})", spelling(iface, e.into())),
        Type::Buffer(b, _) => b.keyword().to_owned(),
        Type::CStr(_) => "cstr".to_owned(),
    }
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
    fn scalar_keywords_round_trip() {
        for s in Scalar::ALL {
            assert_eq!(Scalar::parse(s.keyword()), Some(s));
        }
        assert_eq!(Scalar::parse("string"), None);
    }

    #[test]
    fn ownership_lives_on_buffers_and_handles_only() {
        let t = Type::Buffer(Buffer::String, Ownership::Borrowed);
        assert_eq!(t.ownership(), Some(Ownership::Borrowed));
        assert_eq!(Type::Scalar(Scalar::F64).ownership(), None);
        assert_eq!(Type::Record(TypeId(0)).ownership(), None);
        assert_eq!(
            Type::from(Elem::Handle(TypeId(1))),
            Type::Handle(TypeId(1), Ownership::Borrowed)
        );
    }
}
