//! The file as a whole: its version, memory model and transport, then each interface, its
//! types and methods, and the C names they take.

use super::checker::Checker;
use super::scope::Names;
use super::types;
use crate::ast::{File, InterfaceAst, MethodAst, Sp, TypeAst};
use crate::diag::{Code, Diagnostic, Span};
use crate::model::*;
use crate::names;
use std::collections::HashMap;

impl Checker<'_> {
    pub(super) fn file(&mut self, f: &File, name: &str, text: &str) -> Model {
        if let Some(v) = &f.version
            && v.value != 0
        {
            self.push(
                self.error(
                    Code::VersionUnsupported,
                    format!("BID version {} is not supported", v.value),
                    v.span,
                    "unsupported version",
                )
                .help("this bid reads `version: 0` (FFI ABI v0)"),
            );
        }
        let memory = self.memory(f);
        let transport = self.transport(f);
        let interfaces = f.interfaces.iter().map(|i| self.interface(i)).collect();
        let model = Model {
            source: SourceInfo {
                name: name.to_owned(),
                hash: source_hash(text.as_bytes()),
            },
            memory,
            transport,
            interfaces,
        };
        self.shadowed_types(&model, f);
        model
    }

    /// A parameter or field whose C name is a type name of the header would shadow the type
    /// (breaking the next declaration that uses it, and C++ member lookup): an error.
    fn shadowed_types(&mut self, model: &Model, f: &File) {
        let types: HashMap<&str, &str> = model
            .interfaces
            .iter()
            .flat_map(|i| i.types.iter().map(|t| (t.c.as_str(), t.name.as_str())))
            .collect();
        for (iface, ast) in model.interfaces.iter().zip(&f.interfaces) {
            let fields = iface.types.iter().zip(&ast.types).flat_map(|(t, t_ast)| {
                let fields = match &t.kind {
                    TypeDefKind::Record(r) => r.fields.as_slice(),
                    TypeDefKind::Handle(_) => &[],
                };
                fields
                    .iter()
                    .map(move |f| (f.c.as_str(), f.name.as_str(), "field", t_ast))
            });
            let mut hits = Vec::new();
            for (c, name, what, t_ast) in fields {
                if let Some(ty) = types.get(c) {
                    let span = t_ast
                        .fields
                        .iter()
                        .filter_map(|f| f.name.as_ref())
                        .find(|n| n.value == name)
                        .map_or(t_ast.span, |n| n.span);
                    hits.push((span, what, name.to_owned(), c.to_owned(), (*ty).to_owned()));
                }
            }
            for (m, m_ast) in iface.methods.iter().zip(&ast.methods) {
                for p in &m.params {
                    let cs = match p.ty {
                        Type::Buffer(..) => vec![format!("{}_ptr", p.c), format!("{}_len", p.c)],
                        _ => vec![p.c.clone()],
                    };
                    for c in cs {
                        if let Some(ty) = types.get(c.as_str()) {
                            let span = m_ast
                                .params
                                .iter()
                                .filter_map(|v| v.name.as_ref())
                                .find(|n| n.value == p.name)
                                .map_or(m_ast.span, |n| n.span);
                            hits.push((span, "parameter", p.name.clone(), c, (*ty).to_owned()));
                        }
                    }
                }
            }
            for (span, what, name, c, ty) in hits {
                self.push(
                    self.error(
                        Code::NameDuplicate,
                        format!("{what} `{name}` has the C name `{c}` of type `{ty}`"),
                        span,
                        "would shadow the type in the header",
                    )
                    .help(format!("rename the {what}")),
                );
            }
        }
    }

    fn memory(&mut self, f: &File) -> Memory {
        let mut mem = Memory::default();
        let Some(m) = &f.memory else { return mem };
        if let Some(p) = &m.pointer_size {
            if p.value == 32 || p.value == 64 {
                mem.pointer_size = p.value as u32;
            } else {
                self.push(self.error(
                    Code::MemoryUnsupported,
                    format!("pointer size {} is not supported", p.value),
                    p.span,
                    "expected 32 or 64",
                ));
            }
        }
        if let Some(a) = &m.alignment {
            if a.value > 0 && a.value <= 4096 && (a.value & (a.value - 1)) == 0 {
                mem.alignment = a.value as u32;
            } else {
                self.push(
                    self.error(
                        Code::MemoryUnsupported,
                        format!("alignment {} is not a power of two", a.value),
                        a.span,
                        "expected 1, 2, 4, 8, ...",
                    )
                    .note("alignment must be a power of two up to 4096"),
                );
            }
        }
        if let Some(e) = &m.endianness
            && e.value != "little"
        {
            self.push(
                self.error(
                    Code::MemoryUnsupported,
                    format!("endianness `{}` is not supported", e.value),
                    e.span,
                    "only `little` is supported",
                )
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
                Code::TransportUnsupported,
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
        let owner = i.name.as_ref().map_or(i.span, |n| n.span);
        let box_name = match &i.box_name {
            Some(b) => {
                let valid = self.ident(b, "box name");
                if valid && names::rust_reserved(b.value) {
                    self.push(
                        self.error(
                            Code::NameReserved,
                            format!("box name `{}` starts with `__bid`", b.value),
                            b.span,
                            "reserved for generated items",
                        )
                        .help("choose a name that does not start with `__bid`"),
                    );
                } else if valid && names::is_rust_primitive(b.value) {
                    self.push(
                        self.error(
                            Code::NameReserved,
                            format!("box name `{}` is a Rust primitive type", b.value),
                            b.span,
                            "would hide the primitive from the generated code",
                        )
                        .help(format!(
                            "choose another name, e.g. `{}Box`",
                            names::upper_camel_case(b.value)
                        )),
                    );
                }
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
            self.push(
                self.error(
                    Code::FieldInvalid,
                    format!("interface version `{}` is not a semver version", v.value),
                    v.span,
                    "expected MAJOR.MINOR.PATCH",
                )
                .help("write it quoted, e.g. `version: \"1.0.0\"`"),
            );
        }
        let mut seen = std::mem::take(&mut self.interfaces);
        let mut rust_types = std::mem::take(&mut self.rust_types);
        let fresh =
            i.name.is_some() && self.unique(&mut seen, &qualified, owner, "interface", "is named");
        if fresh {
            let box_span = i.box_name.as_ref().map_or(owner, |b| b.span);
            let kind = if i.box_name.is_some() {
                "the box"
            } else {
                "the box of interface"
            };
            // The box's plugin trait and handle tables share the module with the types.
            let bare = box_name.trim_start_matches("r#");
            let _ = self.unique(
                &mut rust_types,
                &box_name,
                box_span,
                kind,
                "has the Rust type",
            ) && self.unique(
                &mut rust_types,
                &format!("{bare}Plugin"),
                box_span,
                "the plugin trait of",
                "has the Rust type",
            ) && self.unique(
                &mut rust_types,
                &format!("{bare}Handles"),
                box_span,
                "the plugin handle tables of",
                "has the Rust type",
            ) && !self.export_macro_taken(&mut rust_types, bare, box_span);
        }
        (self.interfaces, self.rust_types) = (seen, rust_types);
        // A missing or repeated interface is reported already; its C names would repeat that.
        self.prefix_ok = fresh && self.prefix_names(i, &symbol_prefix, owner);
        let mut iface = Interface {
            namespace,
            name,
            qualified,
            box_name,
            version: i.version.as_ref().map(|v| v.value.to_owned()),
            symbol_prefix,
            doc: i.doc.map(str::to_owned),
            thread_safe: i.thread_safe.as_ref().is_some_and(|t| t.value),
            types: Vec::new(),
            methods: Vec::new(),
        };
        self.types(&mut iface, &i.types);
        self.methods(&mut iface, &i.methods);
        self.releases(&mut iface, &i.types, &i.methods);
        iface
    }

    /// Registers the plugin export macro of box `bare`, `export_<bare in snake_case>!`;
    /// reports a clash with another box's (`AbC` and `Ab_c` both make `export_ab_c!`).
    fn export_macro_taken(&mut self, rust_types: &mut Names, bare: &str, span: Span) -> bool {
        let name = format!("export_{}!", names::snake_case(bare));
        let what = "the plugin export macro of";
        if self.unique(rust_types, &name, span, what, "has the Rust macro") {
            return false;
        }
        if let Some(d) = self.diags.last_mut() {
            d.help.push(
                "give one of the boxes another name (`box:`): a Rust plugin exports each box \
                 through `export_<box in snake_case>!`"
                    .to_owned(),
            );
        }
        true
    }

    /// The C names an interface's prefix makes on its own: its two fixed symbols and its
    /// signature macro. Taken first, so a method that would clash with them is the one named.
    /// Returns whether the prefix makes valid C names.
    fn prefix_names(&mut self, i: &InterfaceAst, prefix: &str, owner: Span) -> bool {
        if !names::is_identifier(prefix) || prefix.len() > names::MAX_NAME_BYTES {
            // Already reported as a name; its C names would only repeat that.
            return false;
        }
        let span = i.symbol_prefix.as_ref().map_or(owner, |p| p.span);
        let what = if i.symbol_prefix.is_some() {
            "symbol prefix"
        } else {
            "interface"
        };
        let macro_name = names::signature_macro(prefix);
        for (c, kind) in [
            (
                format!("{prefix}_bid_free"),
                "the buffer release function of interface",
            ),
            (
                format!("{prefix}_bid_signature"),
                "the signature function of interface",
            ),
            (macro_name, "the signature macro of interface"),
        ] {
            if kind != "the signature macro of interface" && !self.c_global(&c, what, span) {
                return false;
            }
            let mut symbols = std::mem::take(&mut self.symbols);
            let fresh = self.unique(&mut symbols, &c, span, kind, "has the C name");
            self.symbols = symbols;
            if !fresh {
                if let Some(d) = self.diags.last_mut() {
                    d.help.push(
                        "give this interface another `symbol_prefix:` (its prefix makes \
                         `<prefix>_bid_free`, `<prefix>_bid_signature` and \
                         `<PREFIX>_BID_SIGNATURE`), or rename what else has that C name"
                            .to_owned(),
                    );
                }
                return true;
            }
        }
        true
    }

    /// `namespace` + `name`, or the short form's dotted `name`.
    fn interface_names(&mut self, i: &InterfaceAst) -> (String, String) {
        let Some(name) = &i.name else {
            return (String::new(), String::new());
        };
        match &i.namespace {
            Some(ns) => {
                let ok = ns.value.len() <= names::MAX_NAME_BYTES
                    && ns.value.split('.').all(names::is_identifier);
                if !ok {
                    self.ident(ns, "namespace");
                }
                self.ident(name, "interface name");
                (ns.value.to_owned(), name.value.to_owned())
            }
            None => match name.value.rsplit_once('.') {
                Some((ns, n)) => {
                    let ok = name.value.len() <= names::MAX_NAME_BYTES
                        && ns.split('.').chain([n]).all(names::is_identifier);
                    if !ok {
                        self.ident(name, "interface name");
                    }
                    (ns.to_owned(), n.to_owned())
                }
                None => {
                    self.push(
                        self.error(
                            Code::FieldMissing,
                            format!("interface `{}` has no namespace", name.value),
                            name.span,
                            "no namespace",
                        )
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
        self.type_ids.clear();
        for (idx, t) in types.iter().enumerate() {
            let kind = if t.kind.as_ref().is_some_and(|k| k.value == "handle") {
                TypeDefKind::Handle(HandleDef {
                    repr: HandleRepr::I32,
                    release: None,
                })
            } else {
                TypeDefKind::Record(RecordDef { fields: Vec::new() })
            };
            let Some(name) = &t.name else {
                iface.types.push(TypeDef {
                    name: String::new(),
                    rust: String::new(),
                    c: String::new(),
                    doc: None,
                    kind,
                });
                continue;
            };
            self.ident(name, "type name");
            let what = "type";
            if types::is_builtin(name.value) {
                self.push(
                    self.error(
                        Code::NameDuplicate,
                        format!("type `{}` has the name of a built-in type", name.value),
                        name.span,
                        "built-in type name",
                    )
                    .help("choose another name, e.g. in UpperCamelCase"),
                );
            }
            let rust_name = names::rust_type_ident(name.value);
            let c = names::c_type(&iface.symbol_prefix, name.value);
            let mut symbols = std::mem::take(&mut self.symbols);
            let _ = self.unique(&mut written, name.value, name.span, what, "is named")
                && self.unique(&mut rust, &rust_name, name.span, what, "has the Rust name")
                && (!self.prefix_ok || self.c_global(&c, what, name.span))
                && self.unique(&mut symbols, &c, name.span, what, "has the C name");
            self.symbols = symbols;
            self.type_ids.entry(name.value.to_owned()).or_insert(idx);
            iface.types.push(TypeDef {
                name: name.value.to_owned(),
                rust: rust_name,
                c,
                doc: t.doc.map(str::to_owned),
                kind,
            });
        }
        self.rust_types = rust;
        for (idx, t) in types.iter().enumerate() {
            if !iface.types[idx].name.is_empty() {
                let kind = self.type_kind(iface, t);
                iface.types[idx].kind = kind;
            }
        }
        self.records(iface, types);
    }

    fn methods(&mut self, iface: &mut Interface, methods: &[MethodAst]) {
        let mut written = Names::default();
        let mut rust = Names::default();
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
            let symbol = m
                .symbol
                .as_ref()
                .map(|s| (self.ident(s, "symbol"), s.value));
            let c = names::c_symbol(&iface.symbol_prefix, name.value, symbol.map(|s| s.1));
            let (span, kind, c_what) = match &m.symbol {
                Some(s) => (s.span, "the symbol override", "symbol"),
                None => (name.span, what, what),
            };
            // An invalid symbol or prefix is reported already; its C name would repeat that.
            let c_checked = match symbol {
                Some((valid, _)) => valid,
                None => self.prefix_ok,
            };
            if fresh && (!c_checked || self.c_global(&c, c_what, span)) {
                let mut symbols = std::mem::take(&mut self.symbols);
                self.unique(&mut symbols, &c, span, kind, "has the C symbol");
                self.symbols = symbols;
            }
            let returns = self.return_value(iface, m);
            let (nullable, free) = self.return_extras(iface, m, returns);
            let method = Method {
                name: name.value.to_owned(),
                rust: rust_name,
                symbol: c,
                effect: self.effect(m),
                params: self.params(iface, m),
                returns,
                nullable,
                free,
                fallible: m.fallible.as_ref().is_some_and(|f| f.value),
                doc: m.doc.map(str::to_owned),
            };
            iface.methods.push(method);
        }
    }

    fn effect(&mut self, m: &MethodAst) -> Effect {
        let Some(e) = &m.effect else {
            return Effect::Io;
        };
        Effect::parse(e.value).unwrap_or_else(|| {
            let span = self.span(e.span);
            let d = Diagnostic::error(Code::EffectInvalid, format!("unknown effect `{}`", e.value))
                .primary(span, "not an effect")
                .did_you_mean(e.value, Effect::ALL.map(Effect::as_str))
                .note("effects are `pure`, `mut`, `io` and `control`");
            self.push(d);
            Effect::Io
        })
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
