//! The spanned syntax tree of a BID file: what was written, where, before any meaning is checked.
//!
//! Two layers: [`Node`] is the raw YAML with a [`Span`] on every value (keys included), and the
//! typed structs below are BID's shape over it, borrowing every string from the tree (copies
//! are made once, into the `Model`). A field is `None` when it was absent or had the wrong
//! shape; `parse` has already reported which, so `check` only judges meaning.

use crate::diag::Span;
use std::borrow::Cow;

/// One YAML value and where it was written. Strings borrow from the source text `'s` unless
/// quoting or escapes changed them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node<'s> {
    pub value: Value<'s>,
    pub span: Span,
}

/// A YAML value. Mappings keep their order and every key's span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value<'s> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'s, str>),
    Seq(Vec<Node<'s>>),
    Map(Vec<(Node<'s>, Node<'s>)>),
}

/// A value and its span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sp<T> {
    pub value: T,
    pub span: Span,
}

/// The whole file.
#[derive(Clone, Debug, Default)]
pub(crate) struct File<'a> {
    pub version: Option<Sp<i64>>,
    pub memory: Option<MemoryAst<'a>>,
    pub transport: Option<TransportAst<'a>>,
    pub interfaces: Vec<InterfaceAst<'a>>,
}

/// `memory:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemoryAst<'a> {
    pub pointer_size: Option<Sp<i64>>,
    pub alignment: Option<Sp<i64>>,
    pub endianness: Option<Sp<&'a str>>,
}

/// `transport:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TransportAst<'a> {
    pub ty: Option<Sp<&'a str>>,
    pub location: Option<Sp<&'a str>>,
    pub future_transports: Vec<Sp<&'a str>>,
}

/// One entry of `interfaces:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct InterfaceAst<'a> {
    /// Where the entry starts, for errors about the whole interface.
    pub span: Span,
    pub namespace: Option<Sp<&'a str>>,
    pub name: Option<Sp<&'a str>>,
    pub box_name: Option<Sp<&'a str>>,
    pub version: Option<Sp<&'a str>>,
    pub symbol_prefix: Option<Sp<&'a str>>,
    pub doc: Option<&'a str>,
    pub thread_safe: Option<Sp<bool>>,
    pub types: Vec<TypeAst<'a>>,
    pub methods: Vec<MethodAst<'a>>,
}

/// One entry of `types:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeAst<'a> {
    pub span: Span,
    pub name: Option<Sp<&'a str>>,
    /// `handle` or `record`.
    pub kind: Option<Sp<&'a str>>,
    pub repr: Option<Sp<&'a str>>,
    pub release: Option<Sp<&'a str>>,
    pub fields: Vec<ValueAst<'a>>,
    pub doc: Option<&'a str>,
}

/// A param or a record field: `{ name, type, ownership }` or the short `{ TYPE: NAME }`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ValueAst<'a> {
    pub span: Span,
    pub name: Option<Sp<&'a str>>,
    pub ty: Option<Sp<&'a str>>,
    pub ownership: Option<Sp<&'a str>>,
    pub doc: Option<&'a str>,
}

/// One entry of `methods:`.
#[derive(Clone, Debug, Default)]
pub(crate) struct MethodAst<'a> {
    pub span: Span,
    pub name: Option<Sp<&'a str>>,
    pub params: Vec<ValueAst<'a>>,
    /// `None`: omitted, which means void.
    pub returns: Option<ReturnAst<'a>>,
    pub effect: Option<Sp<&'a str>>,
    pub symbol: Option<Sp<&'a str>>,
    pub fallible: Option<Sp<bool>>,
    pub doc: Option<&'a str>,
}

/// `returns:` in either form.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReturnAst<'a> {
    pub ty: Option<Sp<&'a str>>,
    pub ownership: Option<Sp<&'a str>>,
    /// `nullable: true`: a NULL (or 0) result is `None`.
    pub nullable: Option<Sp<bool>>,
    /// `free: SYMBOL`: the plugin's own release function of a transferred result.
    pub free: Option<Sp<&'a str>>,
}
