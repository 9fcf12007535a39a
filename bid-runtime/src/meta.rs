//! The static description of an interface that generated bindings hand to
//! [`crate::__private::open`]: names for errors and traces, symbols to resolve, the
//! signature to compare, and who owns what crosses.
//!
//! Generated code writes these as `static` items; a handle or method is referred to by a
//! reference into the interface's own arrays (`&HANDLES[0]`, `&METHODS[3]`), so an index
//! the generator got wrong fails to compile instead of failing at load. What a parameter
//! needs (its name in an error, its handle type) is passed where the method passes the
//! parameter: a table of every parameter would cost the user's compiler more than it saves
//! (each nested slice in a `static` is a constant of its own to evaluate).

pub use bid_abi::{Effect, Ownership};

/// One interface, as its bindings describe it.
#[derive(Debug)]
pub struct InterfaceMeta {
    /// `namespace.name`.
    pub name: &'static str,
    /// The Rust box type name, for messages.
    pub box_name: &'static str,
    /// Whether the plugin may be called from several threads at once (`thread_safe: true`);
    /// without it every call into the library is serialized, across boxes.
    pub thread_safe: bool,
    /// `<prefix>_bid_free`.
    pub free_symbol: &'static str,
    /// Whether `free_symbol` must be exported (some method returns a transferred buffer).
    pub needs_free: bool,
    /// `<prefix>_bid_signature`.
    pub signature_symbol: &'static str,
    /// The canonical signature text the bindings were generated from.
    pub signature: &'static str,
    /// The declared handle types.
    pub handles: &'static [HandleMeta],
    /// The methods in declaration order; a method's position is its index in calls.
    pub methods: &'static [MethodMeta],
}

/// A declared handle type.
pub struct HandleMeta {
    /// The type name as written in the BID file.
    pub name: &'static str,
    /// The method that releases it, if the type declares one.
    pub release: Option<&'static MethodMeta>,
}

/// One method.
#[derive(Debug)]
pub struct MethodMeta {
    /// The name as written in the BID file.
    pub name: &'static str,
    /// The exported C symbol.
    pub symbol: &'static str,
    /// The declared effect.
    pub effect: Effect,
    /// Whether the C function returns an `int32_t` status.
    pub fallible: bool,
    /// The ownership the trace reports for the parameters (`bridge.ownership`): transferred
    /// if any parameter is, else borrowed if any is, else reference if any is, else `None`.
    /// Each parameter's own checks are written where the generated method passes it.
    pub param_ownership: Option<Ownership>,
    /// The return value; `None` is `void`.
    pub ret: Option<Value>,
    /// How the target the bindings were built for passes the method's records (registers,
    /// `byval`, `sret`, ...), traced as `bridge.passing`; `None` without records.
    pub passing: Option<&'static str>,
    /// `free: SYMBOL`: the plugin's own `void SYMBOL(void*)` that releases the transferred
    /// result, resolved at load; `None` releases it with `<prefix>_bid_free(ptr, len)`.
    pub free: Option<&'static str>,
}

impl MethodMeta {
    /// A method, as generated code writes one: the fields in declaration order.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call per method in generated code"
    )]
    pub const fn new(
        name: &'static str,
        symbol: &'static str,
        effect: Effect,
        fallible: bool,
        param_ownership: Option<Ownership>,
        ret: Option<Value>,
        passing: Option<&'static str>,
        free: Option<&'static str>,
    ) -> MethodMeta {
        MethodMeta {
            name,
            symbol,
            effect,
            fallible,
            param_ownership,
            ret,
            passing,
            free,
        }
    }
}

/// What crosses the boundary in one position, with the ownership of what has an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A scalar, copied.
    Scalar,
    /// A record, copied.
    Record,
    /// A handle of a declared type.
    Handle(&'static HandleMeta, Ownership),
    /// UTF-8 text as `(ptr, len)`.
    String(Ownership),
    /// Bytes as `(ptr, len)`.
    Bytes(Ownership),
    /// An array as `(ptr, len)`, `len` in elements.
    Array(Ownership),
    /// A NUL-terminated `char*`.
    CStr(Ownership),
}

impl Value {
    /// The ownership of what has an owner.
    pub fn ownership(self) -> Option<Ownership> {
        match self {
            Value::Scalar | Value::Record => None,
            Value::Handle(_, o)
            | Value::String(o)
            | Value::Bytes(o)
            | Value::Array(o)
            | Value::CStr(o) => Some(o),
        }
    }
}

impl std::fmt::Debug for HandleMeta {
    /// The release method by name: a method's parameters refer back to this handle type.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandleMeta")
            .field("name", &self.name)
            .field("release", &self.release.map(|m| m.name))
            .finish()
    }
}

impl PartialEq for HandleMeta {
    /// Handle types are the same when they are the same static.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for HandleMeta {}
