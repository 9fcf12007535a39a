//! The spanned syntax tree of a BID file: what was written, where, before any meaning is checked.
//!
//! Two layers: [`Node`] is the raw YAML with a [`Span`] on every value (keys included), and the
//! typed structs below are BID's shape over it. A field is `None` when it was absent or had the
//! wrong shape; `parse` has already reported which, so `check` only judges meaning.

use crate::diag::Span;

/// One YAML value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Span,
}

/// A YAML value. Mappings keep their order and every key's span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A value and its span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sp<T> {
    pub value: T,
    pub span: Span,
}

/// The whole file.
#[derive(Clone, Debug, Default)]
pub(crate) struct File {
    pub version: Option<Sp<i64>>,
    pub memory: Option<MemoryAst>,
    pub transport: Option<TransportAst>,
    pub interfaces: Vec<InterfaceAst>,
}

/// `memory:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemoryAst {
    pub pointer_size: Option<Sp<i64>>,
    pub alignment: Option<Sp<i64>>,
    pub endianness: Option<Sp<String>>,
}

/// `transport:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TransportAst {
    pub ty: Option<Sp<String>>,
    pub location: Option<Sp<String>>,
    pub future_transports: Vec<Sp<String>>,
}

/// One entry of `interfaces:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct InterfaceAst {
    /// Where the entry starts, for errors about the whole interface.
    pub span: Span,
    pub namespace: Option<Sp<String>>,
    pub name: Option<Sp<String>>,
    pub box_name: Option<Sp<String>>,
    pub version: Option<Sp<String>>,
    pub symbol_prefix: Option<Sp<String>>,
    pub doc: Option<String>,
    pub thread_safe: Option<Sp<bool>>,
    pub types: Vec<TypeAst>,
    pub methods: Vec<MethodAst>,
}

/// One entry of `types:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeAst {
    pub span: Span,
    pub name: Option<Sp<String>>,
    /// `handle` or `record`.
    pub kind: Option<Sp<String>>,
    pub repr: Option<Sp<String>>,
    pub release: Option<Sp<String>>,
    pub fields: Vec<ValueAst>,
    pub doc: Option<String>,
}

/// A param or a record field: `{ name, type, ownership }` or the short `{ TYPE: NAME }`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ValueAst {
    pub span: Span,
    pub name: Option<Sp<String>>,
    pub ty: Option<Sp<String>>,
    pub ownership: Option<Sp<String>>,
    pub doc: Option<String>,
}

/// One entry of `methods:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct MethodAst {
    pub span: Span,
    pub name: Option<Sp<String>>,
    pub params: Vec<ValueAst>,
    /// `None`: omitted, which means void.
    pub returns: Option<ReturnAst>,
    pub effect: Option<Sp<String>>,
    pub symbol: Option<Sp<String>>,
    pub fallible: Option<Sp<bool>>,
    pub doc: Option<String>,
}

/// `returns:` in either form.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReturnAst {
    pub ty: Option<Sp<String>>,
    pub ownership: Option<Sp<String>>,
}
