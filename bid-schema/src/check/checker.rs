//! The checker's state and the judgements every part of it makes: unique names,
//! identifiers, C names nobody else uses.

use super::scope::{Names, ValueScope};
use crate::ast::Sp;
use crate::diag::{Code, Diagnostic, Span};
use crate::names;
use std::collections::HashMap;

pub(crate) struct Checker<'t> {
    pub text: &'t str,
    pub diags: Vec<Diagnostic>,
    /// Every C symbol, type name and macro of the file: they share one C namespace.
    pub(super) symbols: Names,
    /// Qualified interface names.
    pub(super) interfaces: Names,
    /// Box and type names of the whole file: generated Rust puts them side by side.
    pub(super) rust_types: Names,
    /// Declared type name -> its first index in the current interface.
    pub(super) type_ids: HashMap<String, usize>,
    /// Whether the current interface's symbol prefix makes valid C names, so names derived
    /// from it are worth checking one by one.
    pub(super) prefix_ok: bool,
}

impl Checker<'_> {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// An error at `at` (grown to show a caret) with `label` there.
    pub(crate) fn error(
        &self,
        code: Code,
        message: impl Into<String>,
        at: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(code, message).primary(self.span(at), label)
    }

    pub(crate) fn span(&self, s: Span) -> Span {
        s.non_empty(self.text)
    }

    /// Registers `key` in `names`; reports `bid.name.duplicate` with both places labelled.
    pub(crate) fn unique(
        &mut self,
        names: &mut Names,
        key: &str,
        span: Span,
        kind: &'static str,
        why: &str,
    ) -> bool {
        let Some((first, first_kind)) = names.insert(key, span, kind) else {
            return true;
        };
        let what = format!("{kind} `{}`", span.source(self.text));
        let first_what = format!("{first_kind} `{}`", first.source(self.text));
        let (span, first) = (self.span(span), self.span(first));
        self.push(
            Diagnostic::error(
                Code::NameDuplicate,
                if why == "is named" {
                    format!("{what} is defined more than once")
                } else {
                    format!("{what} {why} `{key}`, already used by {first_what}")
                },
            )
            .primary(span, "second use")
            .secondary(first, "first used here"),
        );
        false
    }

    /// Registers a field or parameter in `scope` under its written name, its Rust ident and
    /// (when known) its C names, stopping at the first clash; reports it as a duplicate.
    pub(super) fn unique_value(
        &mut self,
        scope: &mut ValueScope,
        name: &Sp<&str>,
        rust: &str,
        c: Option<&[String]>,
        what: &'static str,
    ) -> bool {
        let fresh = self.unique(&mut scope.written, name.value, name.span, what, "is named")
            && self.unique(&mut scope.rust, rust, name.span, what, "has the Rust name");
        fresh
            && c.unwrap_or_default()
                .iter()
                .all(|key| self.unique(&mut scope.c, key, name.span, what, "has the C name"))
    }

    /// Reports `bid.name.invalid` unless `name` is an identifier, and `bid.name.too_long`
    /// when it is longer than [`names::MAX_NAME_BYTES`].
    pub(crate) fn ident(&mut self, name: &Sp<&str>, what: &str) -> bool {
        let span = self.span(name.span);
        if name.value.len() > names::MAX_NAME_BYTES {
            self.push(
                Diagnostic::error(
                    Code::NameTooLong,
                    format!(
                        "{what} is {} bytes long; names are limited to {} bytes",
                        name.value.len(),
                        names::MAX_NAME_BYTES
                    ),
                )
                .primary(span, "name too long")
                .help("choose a shorter name"),
            );
            return false;
        }
        if names::is_identifier(name.value) {
            return true;
        }
        self.push(
            Diagnostic::error(
                Code::NameInvalid,
                format!("{what} `{}` is not an identifier", name.value),
            )
            .primary(span, "not an identifier")
            .note("names are `[A-Za-z_][A-Za-z0-9_]*`"),
        );
        false
    }

    /// Reports `bid.name.reserved` when the C name `c` of an item (a symbol, a type, a macro
    /// derived from a prefix) is taken by C, C++ or the generated header. `written` is the
    /// item as the file spells it, `span` where.
    pub(super) fn c_global(&mut self, c: &str, what: &str, span: Span) -> bool {
        let Some(why) = names::c_reserved(c) else {
            return true;
        };
        let span = self.span(span);
        let written = span.source(self.text).to_owned();
        let d = Diagnostic::error(
            Code::NameReserved,
            format!("{what} `{written}` would be the C name `{c}`, {why}"),
        )
        .primary(span, "reserved in the generated C")
        .note("C symbols and type names share one namespace with C, C++ and the header's own names")
        .help(match what {
            "symbol" | "symbol prefix" | "free function" => {
                "choose another name; an existing library's symbol \
                                           can be bound with `symbol:` only if it is a valid C name"
            }
            _ => "choose another name",
        });
        self.push(d);
        false
    }
}
