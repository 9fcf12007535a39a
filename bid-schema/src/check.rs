//! AST -> [`Model`]: judges what the file means (names, types, ownership, the memory model),
//! collecting every error of the file before giving up, as cxx's `Errors` does.

mod ownership;
mod scope;
mod types;

pub(crate) use scope::Names;

use crate::ast::{File, InterfaceAst, MethodAst, Sp, TypeAst};
use crate::diag::{Diagnostic, Report, Span};
use crate::model::{self, *};
use crate::names;
use crate::parse::{self, Parser};
use std::collections::HashMap;
use std::path::Path;

/// Parse and check BID YAML text. `name` is shown in diagnostics.
pub fn check_source(name: &str, text: &str) -> Result<Model, Report> {
    let report = |diagnostics| Report {
        name: name.to_owned(),
        // A refused oversized file has no snippet to show; do not copy it.
        text: if text.len() > parse::MAX_FILE_BYTES {
            String::new()
        } else {
            text.to_owned()
        },
        diagnostics,
    };
    let root = parse::load(text).map_err(|d| report(vec![*d]))?;
    let mut parser = Parser::new(text);
    let file = parser.file(&root);
    let mut cx = Checker {
        text,
        diags: parser.diags,
        symbols: Names::default(),
        interfaces: Names::default(),
        rust_types: Names::default(),
        scratch: Vec::new(),
        type_ids: HashMap::new(),
    };
    let model = cx.file(&file, name, text);
    if cx.diags.is_empty() {
        Ok(model)
    } else {
        // Report in source order, as a reader scans the file; ties keep the order found.
        cx.diags.sort_by_key(|d| d.span.map(|s| s.start));
        Err(report(cx.diags))
    }
}

/// Read, parse and check a BID file.
pub fn check_file(path: &Path) -> Result<Model, Report> {
    let name = path.to_string_lossy().replace('\\', "/");
    let fail = |d: Diagnostic| Report {
        name: name.clone(),
        text: String::new(),
        diagnostics: vec![d],
    };
    // Refuse a huge file before reading it into memory.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > parse::MAX_FILE_BYTES as u64
    {
        return Err(fail(Diagnostic::error(
            "bid.yaml.limit",
            format!(
                "the file is {} bytes; BID files are limited to {} bytes",
                meta.len(),
                parse::MAX_FILE_BYTES
            ),
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(Diagnostic::error(
            "bid.io.read",
            format!("cannot read `{name}`: {e}"),
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(Diagnostic::error(
            "bid.yaml.syntax",
            format!(
                "the file is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    check_source(&name, &text)
}

pub(crate) struct Checker<'t> {
    pub text: &'t str,
    pub diags: Vec<Diagnostic>,
    /// Every C symbol and type name of the file: they share one C namespace.
    symbols: Names,
    /// Qualified interface names.
    interfaces: Names,
    /// Box and type names of the whole file: generated Rust puts them side by side.
    rust_types: Names,
    /// Scopes kept for reuse, so the params of each method need no fresh allocations.
    scratch: Vec<Names>,
    /// Declared type name -> its first index in the current interface, once there are many:
    /// every param looks its type up.
    type_ids: HashMap<String, usize>,
}

impl Checker<'_> {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Three empty scopes (written names, Rust names, C names); give them back with
    /// [`Self::put_scopes`].
    pub(crate) fn take_scopes(&mut self) -> [Names; 3] {
        let mut take = || {
            let mut n = self.scratch.pop().unwrap_or_default();
            n.clear();
            n
        };
        [take(), take(), take()]
    }

    pub(crate) fn put_scopes(&mut self, scopes: [Names; 3]) {
        self.scratch.extend(scopes);
    }

    pub(crate) fn span(&self, s: Span) -> Span {
        parse::non_empty(self.text, s)
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
        if let Some((first, first_kind)) = names.insert(key, span, kind) {
            let what = format!("{kind} `{}`", parse::src(self.text, span));
            let first_what = format!("{first_kind} `{}`", parse::src(self.text, first));
            let span = self.span(span);
            let first = self.span(first);
            self.push(
                Diagnostic::error(
                    "bid.name.duplicate",
                    if why == "is named" {
                        format!("{what} is defined more than once")
                    } else {
                        format!("{what} {why} `{key}`, already used by {first_what}")
                    },
                )
                .primary(span, "second use")
                .secondary(first, "first used here"),
            );
            return false;
        }
        true
    }

    /// Reports `bid.name.invalid` unless `name` is an identifier.
    pub(crate) fn ident(&mut self, name: &Sp<&str>, what: &str) -> bool {
        if names::is_identifier(name.value) {
            return true;
        }
        let span = self.span(name.span);
        self.push(
            Diagnostic::error(
                "bid.name.invalid",
                format!("{what} `{}` is not an identifier", name.value),
            )
            .primary(span, "not an identifier")
            .note("names are `[A-Za-z_][A-Za-z0-9_]*`"),
        );
        false
    }

    fn file(&mut self, f: &File, name: &str, text: &str) -> Model {
        if let Some(v) = &f.version
            && v.value != 0
        {
            let span = self.span(v.span);
            self.push(
                Diagnostic::error(
                    "bid.version.unsupported",
                    format!("BID version {} is not supported", v.value),
                )
                .primary(span, "unsupported version")
                .help("this bid reads `version: 0` (FFI ABI v0)"),
            );
        }
        let memory = self.memory(f);
        let transport = self.transport(f);
        let mut interfaces = Vec::new();
        for i in &f.interfaces {
            let iface = self.interface(i);
            interfaces.push(iface);
        }
        Model {
            source: SourceInfo {
                name: name.to_owned(),
                hash: model::source_hash(text.as_bytes()),
            },
            memory,
            transport,
            interfaces,
        }
    }

    fn memory(&mut self, f: &File) -> Memory {
        let mut mem = Memory::default();
        let Some(m) = &f.memory else { return mem };
        if let Some(p) = &m.pointer_size {
            if p.value == 32 || p.value == 64 {
                mem.pointer_size = p.value as u32;
            } else {
                let span = self.span(p.span);
                self.push(
                    Diagnostic::error(
                        "bid.memory.unsupported",
                        format!("pointer size {} is not supported", p.value),
                    )
                    .primary(span, "expected 32 or 64"),
                );
            }
        }
        if let Some(a) = &m.alignment {
            if a.value > 0 && a.value <= 4096 && (a.value & (a.value - 1)) == 0 {
                mem.alignment = a.value as u32;
            } else {
                let span = self.span(a.span);
                self.push(
                    Diagnostic::error(
                        "bid.memory.unsupported",
                        format!("alignment {} is not a power of two", a.value),
                    )
                    .primary(span, "expected 1, 2, 4, 8, ...")
                    .note("alignment must be a power of two up to 4096"),
                );
            }
        }
        if let Some(e) = &m.endianness
            && e.value != "little"
        {
            let span = self.span(e.span);
            self.push(
                Diagnostic::error(
                    "bid.memory.unsupported",
                    format!("endianness `{}` is not supported", e.value),
                )
                .primary(span, "only `little` is supported")
                .note("FFI ABI v0 is little endian on every target"),
            );
        }
        mem
    }

    fn transport(&mut self, f: &File) -> Transport {
        let mut t = Transport::default();
        let Some(tr) = &f.transport else { return t };
        if let Some(ty) = &tr.ty
            && ty.value != "dynamic_library"
        {
            let future = ["grpc", "rest", "wasm", "python_bridge"];
            let span = self.span(ty.span);
            let mut d = Diagnostic::error(
                "bid.transport.unsupported",
                format!("transport `{}` is not supported", ty.value),
            )
            .primary(span, "only `dynamic_library` is supported");
            if future.contains(&ty.value) {
                d = d.note(format!(
                    "`{}` is reserved for a later phase; list it under `future_transports`",
                    ty.value
                ));
            } else {
                d = d.did_you_mean(ty.value, ["dynamic_library"]);
            }
            self.push(d);
        }
        t.location = tr.location.as_ref().map(|l| l.value.to_owned());
        t.future_transports = tr
            .future_transports
            .iter()
            .map(|s| s.value.to_owned())
            .collect();
        t
    }

    fn interface(&mut self, i: &InterfaceAst) -> Interface {
        let (namespace, name) = self.interface_names(i);
        let qualified = format!("{namespace}.{name}");
        let box_name = match &i.box_name {
            Some(b) => {
                self.ident(b, "box name");
                names::rust_escape(b.value)
            }
            None => names::rust_type_ident(&name),
        };
        let symbol_prefix = match &i.symbol_prefix {
            Some(p) => {
                self.ident(p, "symbol prefix");
                p.value.to_owned()
            }
            None => names::default_symbol_prefix(&namespace, &name),
        };
        if let Some(v) = &i.version
            && !is_semver(v.value)
        {
            let span = self.span(v.span);
            self.push(
                Diagnostic::error(
                    "bid.field.invalid",
                    format!("interface version `{}` is not a semver version", v.value),
                )
                .primary(span, "expected MAJOR.MINOR.PATCH")
                .help("write it quoted, e.g. `version: \"1.0.0\"`"),
            );
        }
        let owner = i.name.as_ref().map_or(i.span, |n| n.span);
        let (mut seen, mut rust_types) = (
            std::mem::take(&mut self.interfaces),
            std::mem::take(&mut self.rust_types),
        );
        if i.name.is_some() && self.unique(&mut seen, &qualified, owner, "interface", "is named") {
            let box_span = i.box_name.as_ref().map_or(owner, |b| b.span);
            let kind = if i.box_name.is_some() {
                "the box"
            } else {
                "the box of interface"
            };
            self.unique(
                &mut rust_types,
                &box_name,
                box_span,
                kind,
                "has the Rust type",
            );
        }
        (self.interfaces, self.rust_types) = (seen, rust_types);
        for (suffix, kind) in [
            ("bid_free", "the buffer release function of interface"),
            ("bid_signature", "the signature function of interface"),
        ] {
            let sym = format!("{symbol_prefix}_{suffix}");
            let _ = self.symbols.insert(&sym, owner, kind);
        }
        let mut iface = Interface {
            namespace,
            name,
            qualified,
            box_name,
            version: i.version.as_ref().map(|v| v.value.to_owned()),
            symbol_prefix,
            doc: i.doc.map(str::to_owned),
            thread_safe: i.thread_safe.as_ref().is_none_or(|t| t.value),
            types: Vec::new(),
            methods: Vec::new(),
        };
        self.types(&mut iface, &i.types);
        self.methods(&mut iface, &i.methods);
        self.releases(&mut iface, &i.types, &i.methods);
        iface
    }

    /// `namespace` + `name`, or the short form's dotted `name`.
    fn interface_names(&mut self, i: &InterfaceAst) -> (String, String) {
        let Some(name) = &i.name else {
            return (String::new(), String::new());
        };
        match &i.namespace {
            Some(ns) => {
                for seg in ns.value.split('.') {
                    if !names::is_identifier(seg) {
                        self.ident(ns, "namespace");
                        break;
                    }
                }
                self.ident(name, "interface name");
                (ns.value.to_owned(), name.value.to_owned())
            }
            None => match name.value.rsplit_once('.') {
                Some((ns, n)) => {
                    let ok = ns.split('.').chain([n]).all(names::is_identifier);
                    if !ok {
                        self.ident(name, "interface name");
                    }
                    (ns.to_owned(), n.to_owned())
                }
                None => {
                    let span = self.span(name.span);
                    self.push(
                        Diagnostic::error(
                            "bid.field.missing",
                            format!("interface `{}` has no namespace", name.value),
                        )
                        .primary(span, "no namespace")
                        .help(format!(
                            "write `name: NAMESPACE.{}` or add `namespace: NAMESPACE`",
                            name.value
                        )),
                    );
                    (String::new(), name.value.to_owned())
                }
            },
        }
    }

    /// Declared type names first, so methods and fields can refer to any of them.
    fn types(&mut self, iface: &mut Interface, types: &[TypeAst]) {
        let mut written = Names::default();
        let mut rust = std::mem::take(&mut self.rust_types);
        for t in types {
            let Some(name) = &t.name else {
                iface.types.push(placeholder_type());
                continue;
            };
            self.ident(name, "type name");
            let what = "type";
            if types::is_builtin(name.value) {
                let span = self.span(name.span);
                self.push(
                    Diagnostic::error(
                        "bid.name.duplicate",
                        format!("type `{}` has the name of a built-in type", name.value),
                    )
                    .primary(span, "built-in type name")
                    .help("choose another name, e.g. in UpperCamelCase"),
                );
            }
            let rust_name = names::rust_type_ident(name.value);
            let c = names::c_type(&iface.symbol_prefix, name.value);
            let mut symbols = std::mem::take(&mut self.symbols);
            let _ = self.unique(&mut written, name.value, name.span, what, "is named")
                && self.unique(&mut rust, &rust_name, name.span, what, "has the Rust name")
                && self.unique(&mut symbols, &c, name.span, what, "has the C name");
            self.symbols = symbols;
            iface.types.push(TypeDef {
                name: name.value.to_owned(),
                rust: rust_name,
                c,
                doc: t.doc.map(str::to_owned),
                kind: if t.kind.as_ref().is_some_and(|k| k.value == "handle") {
                    TypeDefKind::Handle(HandleDef {
                        repr: HandleRepr::I32,
                        release: None,
                    })
                } else {
                    TypeDefKind::Record(RecordDef { fields: Vec::new() })
                },
            });
        }
        self.rust_types = rust;
        self.type_ids.clear();
        if iface.types.len() > 8 {
            for (idx, t) in iface.types.iter().enumerate() {
                if !t.name.is_empty() {
                    self.type_ids.entry(t.name.clone()).or_insert(idx);
                }
            }
        }
        for (idx, t) in types.iter().enumerate() {
            if t.name.is_some() {
                let kind = self.type_kind(iface, t);
                iface.types[idx].kind = kind;
            }
        }
        self.recursion(iface, types);
    }

    fn methods(&mut self, iface: &mut Interface, methods: &[MethodAst]) {
        let mut written = Names::with_capacity(methods.len(), methods.len() * 8);
        let mut rust = Names::with_capacity(methods.len(), methods.len() * 8);
        self.symbols.reserve(methods.len(), methods.len() * 16);
        iface.methods.reserve_exact(methods.len());
        for m in methods {
            let name = m.name.clone().unwrap_or(Sp {
                value: "",
                span: m.span,
            });
            let named = m.name.is_some() && self.ident(&name, "method name");
            let what = "method";
            let rust_name = names::rust_method_ident(name.value);
            let fresh = named
                && self.unique(&mut written, name.value, name.span, what, "is named")
                && self.unique(&mut rust, &rust_name, name.span, what, "has the Rust name");
            let symbol = match &m.symbol {
                Some(s) => {
                    self.ident(s, "symbol");
                    Some(s.value)
                }
                None => None,
            };
            let c = names::c_symbol(&iface.symbol_prefix, name.value, symbol);
            if fresh {
                let (span, kind) = match &m.symbol {
                    Some(s) => (s.span, "the symbol override"),
                    None => (name.span, what),
                };
                let mut symbols = std::mem::take(&mut self.symbols);
                self.unique(&mut symbols, &c, span, kind, "has the C symbol");
                self.symbols = symbols;
            }
            let method = self.method(iface, m, name.value.to_owned(), rust_name, c);
            iface.methods.push(method);
        }
    }

    fn method(
        &mut self,
        iface: &Interface,
        m: &MethodAst,
        name: String,
        rust: String,
        symbol: String,
    ) -> Method {
        let effect = self.effect(m);
        let params = self.params(iface, m);
        let returns = self.return_value(iface, m);
        Method {
            name,
            rust,
            symbol,
            params,
            returns,
            effect,
            fallible: m.fallible.as_ref().is_some_and(|f| f.value),
            doc: m.doc.map(str::to_owned),
        }
    }

    fn effect(&mut self, m: &MethodAst) -> Effect {
        let Some(e) = &m.effect else {
            return Effect::Io;
        };
        match e.value {
            "pure" => Effect::Pure,
            "mut" => Effect::Mut,
            "io" => Effect::Io,
            "control" => Effect::Control,
            other => {
                let span = self.span(e.span);
                let d =
                    Diagnostic::error("bid.effect.invalid", format!("unknown effect `{other}`"))
                        .primary(span, "not an effect")
                        .did_you_mean(other, ["pure", "mut", "io", "control"])
                        .note("effects are `pure`, `mut`, `io` and `control`");
                self.push(d);
                Effect::Io
            }
        }
    }
}

fn placeholder_type() -> TypeDef {
    TypeDef {
        name: String::new(),
        rust: String::new(),
        c: String::new(),
        doc: None,
        kind: TypeDefKind::Record(RecordDef { fields: Vec::new() }),
    }
}

/// `MAJOR.MINOR.PATCH` with optional `-pre` and `+build`.
fn is_semver(s: &str) -> bool {
    let core = s.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    let ok_tail = s[core.len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && ok_tail
        && (core.len() == s.len() || s.len() > core.len() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver() {
        assert!(is_semver("1.0.0"));
        assert!(is_semver("1.2.3-beta.1+b5"));
        assert!(!is_semver("1.0"));
        assert!(!is_semver("1.0.x"));
        assert!(!is_semver("1.0.0-"));
    }
}
