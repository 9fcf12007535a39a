//! YAML text -> spanned AST: loads the YAML under resource limits, then reads BID's shape
//! (both the long and the short form), reporting unknown keys, missing keys and wrong shapes.

mod yaml;

use crate::ast::*;
use crate::diag::{Code, Diagnostic, Span};
use std::fmt::{Arguments, Display};
pub(crate) use yaml::{MAX_FILE_BYTES, load};

/// Reads BID's shape out of a node tree, collecting every problem.
pub(crate) struct Parser<'t> {
    text: &'t str,
    pub diags: Vec<Diagnostic>,
}

/// Most keys one BID mapping allows (an interface's).
const MAX_KEYS: usize = 9;

/// The entries of one mapping, with the keys already checked against the allowed set.
struct Fields<'a, 's> {
    allowed: &'static [&'static str],
    /// The key and value of each allowed key, at the key's index in `allowed`: a mapping is
    /// read without allocating.
    slots: [Option<(&'a Node<'s>, &'a Node<'s>)>; MAX_KEYS],
    /// Keys already suggested for a misspelt key: not reported missing a second time.
    typos: Vec<&'static str>,
    /// Where to point when a required key is absent.
    owner: Span,
}

impl<'a, 's> Fields<'a, 's> {
    fn get(&self, key: &str) -> Option<&'a Node<'s>> {
        let i = self.allowed.iter().position(|k| *k == key)?;
        self.slots[i].map(|e| e.1)
    }
}

const TOP_KEYS: &[&str] = &["version", "memory", "transport", "interfaces"];
const MEMORY_KEYS: &[&str] = &["pointer_size", "alignment", "endianness"];
const TRANSPORT_KEYS: &[&str] = &["type", "location", "future_transports"];
const INTERFACE_KEYS: &[&str] = &[
    "namespace",
    "name",
    "box",
    "version",
    "symbol_prefix",
    "doc",
    "thread_safe",
    "types",
    "methods",
];
const TYPE_KEYS: &[&str] = &["name", "type", "repr", "release", "fields", "doc"];
const METHOD_KEYS: &[&str] = &[
    "name", "params", "returns", "effect", "symbol", "fallible", "doc",
];
const PARAM_KEYS: &[&str] = &["name", "type", "ownership", "doc"];
const FIELD_KEYS: &[&str] = &["name", "type", "doc"];
const RETURN_KEYS: &[&str] = &["type", "ownership", "nullable", "free"];

impl<'t> Parser<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Parser {
            text,
            diags: Vec::new(),
        }
    }

    fn shape(&mut self, node: &Node, what: impl Display, expected: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::FieldInvalid,
                format!("{what} must be {expected}, found {}", describe(&node.value)),
            )
            .primary(
                node.span.non_empty(self.text),
                format!("expected {expected}"),
            ),
        );
    }

    fn missing(&mut self, owner: Span, what: &str, key: &str) {
        self.diags.push(
            Diagnostic::error(Code::FieldMissing, format!("{what} has no `{key}`")).primary(
                owner.non_empty(self.text),
                format!("`{key}` is required here"),
            ),
        );
    }

    /// Checks `node` is a mapping and its keys are among `allowed` (`extra` keys pass through
    /// unreported, for the short form).
    #[allow(
        clippy::type_complexity,
        reason = "the pairs left over are plain key-value pairs"
    )]
    fn fields<'a>(
        &mut self,
        node: &'a Node<'t>,
        what: &str,
        allowed: &'static [&'static str],
        short_form: bool,
    ) -> Option<(Fields<'a, 't>, Vec<(&'a Node<'t>, &'a Node<'t>)>)> {
        debug_assert!(allowed.len() <= MAX_KEYS);
        let Value::Map(entries) = &node.value else {
            self.shape(node, what, "a mapping");
            return None;
        };
        let mut f = Fields {
            allowed,
            slots: [None; MAX_KEYS],
            typos: Vec::new(),
            owner: node.span,
        };
        let mut rest = Vec::new();
        for (k, v) in entries {
            let key: &str = match &k.value {
                Value::Str(s) => s,
                Value::Bool(_) | Value::Int(_) | Value::Float(_) => k.span.source(self.text),
                _ => {
                    self.shape(k, format!("a key in {what}"), "a string");
                    continue;
                }
            };
            let slot = allowed.iter().position(|a| *a == key);
            if let Some(first) = slot.and_then(|i| f.slots[i]) {
                let (second, first) = (
                    k.span.non_empty(self.text),
                    first.0.span.non_empty(self.text),
                );
                self.diags.push(
                    Diagnostic::error(Code::YamlSyntax, format!("key `{key}` appears twice"))
                        .primary(second, "second time")
                        .secondary(first, "first time"),
                );
            } else if let Some(i) = slot {
                f.slots[i] = Some((k, v));
            } else if short_form {
                rest.push((k, v));
            } else if let Some(typo) = self.unknown_key(k, key, what, allowed) {
                f.typos.push(typo);
            }
        }
        if f.owner.start == f.owner.end
            && let Some((k, _)) = entries.first()
        {
            f.owner = k.span;
        }
        if let Some(n) = f.get("name") {
            f.owner = n.span;
        }
        Some((f, rest))
    }

    fn unknown_key(
        &mut self,
        k: &Node,
        key: &str,
        what: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let d = Diagnostic::error(Code::FieldUnknown, format!("unknown key `{key}` in {what}"))
            .primary(k.span.non_empty(self.text), "not a BID key")
            .did_you_mean(key, allowed.iter().copied())
            .note(format!("keys allowed here: {}", allowed.join(", ")));
        self.diags.push(d);
        crate::diag::suggest(key, allowed.iter().copied())
    }

    /// Reports a required key as missing, unless a misspelling of it was already reported.
    fn require(&mut self, f: &Fields, what: &str, key: &str) {
        if f.get(key).is_none() && !f.typos.contains(&key) {
            self.missing(f.owner, what, key);
        }
    }

    fn string<'a>(&mut self, f: &Fields<'a, 't>, key: &str, what: &str) -> Option<Sp<&'a str>> {
        let n = f.get(key)?;
        self.string_node(n, format_args!("`{key}` of {what}"))
    }

    /// `what` is formatted only if the node is not a string.
    fn string_node<'a>(&mut self, n: &'a Node<'t>, what: Arguments) -> Option<Sp<&'a str>> {
        match &n.value {
            Value::Str(s) => Some(Sp {
                value: s,
                span: n.span,
            }),
            // `name: true` or `version: 1` read as other scalars; their spelling is what was meant.
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => Some(Sp {
                value: n.span.source(self.text),
                span: n.span,
            }),
            _ => {
                self.shape(n, what, "a string");
                None
            }
        }
    }

    fn int(&mut self, f: &Fields, key: &str, what: &str) -> Option<Sp<i64>> {
        let n = f.get(key)?;
        match n.value {
            Value::Int(i) => Some(Sp {
                value: i,
                span: n.span,
            }),
            _ => {
                self.shape(n, format_args!("`{key}` of {what}"), "an integer");
                None
            }
        }
    }

    fn boolean(&mut self, f: &Fields, key: &str, what: &str) -> Option<Sp<bool>> {
        let n = f.get(key)?;
        match n.value {
            Value::Bool(b) => Some(Sp {
                value: b,
                span: n.span,
            }),
            _ => {
                self.shape(n, format_args!("`{key}` of {what}"), "`true` or `false`");
                None
            }
        }
    }

    fn seq<'a>(&mut self, f: &Fields<'a, 't>, key: &str, what: &str) -> &'a [Node<'t>] {
        match f.get(key) {
            None => &[],
            Some(n) => match &n.value {
                Value::Seq(items) => items,
                // `methods:` with nothing after it: an empty list, not a shape error.
                Value::Null => &[],
                _ => {
                    self.shape(n, format_args!("`{key}` of {what}"), "a list");
                    &[]
                }
            },
        }
    }

    /// The whole file.
    pub(crate) fn file<'a>(&mut self, root: &'a Node<'t>) -> File<'a> {
        let mut file = File::default();
        if root.value == Value::Null {
            self.diags.push(Diagnostic::error(
                Code::FieldMissing,
                "the file is empty: `version` and `interfaces` are required",
            ));
            return file;
        }
        let Some((f, _)) = self.fields(root, "the file", TOP_KEYS, false) else {
            return file;
        };
        file.version = self.int(&f, "version", "the file");
        self.require(&f, "the file", "version");
        if let Some(m) = f.get("memory")
            && let Some((mf, _)) = self.fields(m, "`memory`", MEMORY_KEYS, false)
        {
            file.memory = Some(MemoryAst {
                pointer_size: self.int(&mf, "pointer_size", "`memory`"),
                alignment: self.int(&mf, "alignment", "`memory`"),
                endianness: self.string(&mf, "endianness", "`memory`"),
            });
        }
        if let Some(t) = f.get("transport")
            && let Some((tf, _)) = self.fields(t, "`transport`", TRANSPORT_KEYS, false)
        {
            let mut tr = TransportAst {
                ty: self.string(&tf, "type", "`transport`"),
                location: self.string(&tf, "location", "`transport`"),
                future_transports: Vec::new(),
            };
            for n in self.seq(&tf, "future_transports", "`transport`") {
                if let Some(s) = self.string_node(n, format_args!("a future transport")) {
                    tr.future_transports.push(s);
                }
            }
            file.transport = Some(tr);
        }
        self.require(&f, "the file", "interfaces");
        for n in self.seq(&f, "interfaces", "the file") {
            if let Some(i) = self.interface(n) {
                file.interfaces.push(i);
            }
        }
        file
    }

    fn interface<'a>(&mut self, node: &'a Node<'t>) -> Option<InterfaceAst<'a>> {
        let what = "an interface";
        let (f, _) = self.fields(node, what, INTERFACE_KEYS, false)?;
        let mut i = InterfaceAst {
            span: f.owner,
            namespace: self.string(&f, "namespace", what),
            name: self.string(&f, "name", what),
            box_name: self.string(&f, "box", what),
            version: self.string(&f, "version", what),
            symbol_prefix: self.string(&f, "symbol_prefix", what),
            doc: self.string(&f, "doc", what).map(|s| s.value),
            thread_safe: self.boolean(&f, "thread_safe", what),
            ..InterfaceAst::default()
        };
        self.require(&f, what, "name");
        let types = self.seq(&f, "types", what);
        i.types.reserve_exact(types.len());
        for n in types {
            if let Some(t) = self.type_def(n) {
                i.types.push(t);
            }
        }
        self.require(&f, what, "methods");
        let methods = self.seq(&f, "methods", what);
        i.methods.reserve_exact(methods.len());
        for n in methods {
            if let Some(m) = self.method(n) {
                i.methods.push(m);
            }
        }
        Some(i)
    }

    fn type_def<'a>(&mut self, node: &'a Node<'t>) -> Option<TypeAst<'a>> {
        let what = "a type";
        let (f, _) = self.fields(node, what, TYPE_KEYS, false)?;
        let mut t = TypeAst {
            span: f.owner,
            name: self.string(&f, "name", what),
            kind: self.string(&f, "type", what),
            repr: self.string(&f, "repr", what),
            release: self.string(&f, "release", what),
            doc: self.string(&f, "doc", what).map(|s| s.value),
            ..TypeAst::default()
        };
        self.require(&f, what, "name");
        self.require(&f, what, "type");
        for n in self.seq(&f, "fields", what) {
            if let Some(v) = self.value(n, "a record field", FIELD_KEYS) {
                t.fields.push(v);
            }
        }
        Some(t)
    }

    fn method<'a>(&mut self, node: &'a Node<'t>) -> Option<MethodAst<'a>> {
        let what = "a method";
        let (f, _) = self.fields(node, what, METHOD_KEYS, false)?;
        let mut m = MethodAst {
            span: f.owner,
            name: self.string(&f, "name", what),
            effect: self.string(&f, "effect", what),
            symbol: self.string(&f, "symbol", what),
            fallible: self.boolean(&f, "fallible", what),
            doc: self.string(&f, "doc", what).map(|s| s.value),
            ..MethodAst::default()
        };
        self.require(&f, what, "name");
        if f.get("effect").is_none() && !f.typos.contains(&"effect") {
            let label = match &m.name {
                Some(n) => format!("method `{}` has no `effect`", n.value),
                None => "this method has no `effect`".to_owned(),
            };
            self.diags.push(
                Diagnostic::error(Code::EffectInvalid, label)
                    .primary(f.owner.non_empty(self.text), "`effect` is required")
                    .help("add `effect: pure`, `mut`, `io` or `control`"),
            );
        }
        let params = self.seq(&f, "params", what);
        m.params.reserve_exact(params.len());
        for n in params {
            if let Some(v) = self.value(n, "a parameter", PARAM_KEYS) {
                m.params.push(v);
            }
        }
        if let Some(r) = f.get("returns") {
            m.returns = self.returns(r);
        }
        Some(m)
    }

    /// A param or field, long form `{ name: N, type: T }` or short form `{ T: N }`.
    fn value<'a>(
        &mut self,
        node: &'a Node<'t>,
        what: &str,
        keys: &'static [&'static str],
    ) -> Option<ValueAst<'a>> {
        let Value::Map(entries) = &node.value else {
            self.shape(node, what, "a mapping");
            return None;
        };
        let long = entries
            .iter()
            .any(|(k, _)| matches!(&k.value, Value::Str(s) if s == "name" || s == "type"));
        let (f, rest) = self.fields(node, what, keys, !long)?;
        let mut v = ValueAst {
            span: f.owner,
            name: self.string(&f, "name", what),
            ty: self.string(&f, "type", what),
            ownership: self.string(&f, "ownership", what),
            doc: self.string(&f, "doc", what).map(|s| s.value),
        };
        if long {
            self.require(&f, what, "name");
            self.require(&f, what, "type");
            return Some(v);
        }
        // With several candidate pairs, the ones that look like misspelt keys are typos.
        let rest: Vec<(&Node<'t>, &Node<'t>)> = if rest.len() > 1 {
            rest.into_iter()
                .filter(|(k, _)| {
                    let Value::Str(key) = &k.value else {
                        return true;
                    };
                    if crate::diag::suggest(key, keys.iter().copied()).is_none() {
                        return true;
                    }
                    let _ = self.unknown_key(k, key, what, keys);
                    false
                })
                .collect()
        } else {
            rest
        };
        match rest.as_slice() {
            [(k, n)] => {
                v.span = k.span;
                v.ty = self.string_node(k, format_args!("the type of {what}"));
                v.name = self.string_node(n, format_args!("the name of {what}"));
            }
            [] => {
                self.missing(f.owner, what, "name");
                return None;
            }
            [_, (k, _), ..] => {
                self.diags.push(
                    Diagnostic::error(
                        Code::FieldInvalid,
                        format!("{what} in short form has more than one `TYPE: NAME` pair"),
                    )
                    .primary(k.span.non_empty(self.text), "second `TYPE: NAME` pair")
                    .help("write one `{ TYPE: NAME }` per entry, or the long form `{ name: N, type: T }`"),
                );
                return None;
            }
        }
        Some(v)
    }

    fn returns<'a>(&mut self, node: &'a Node<'t>) -> Option<ReturnAst<'a>> {
        match &node.value {
            Value::Null => None,
            Value::Map(_) => {
                let (f, _) = self.fields(node, "`returns`", RETURN_KEYS, false)?;
                let ty = self.string(&f, "type", "`returns`");
                self.require(&f, "`returns`", "type");
                Some(ReturnAst {
                    ty,
                    ownership: self.string(&f, "ownership", "`returns`"),
                    nullable: self.boolean(&f, "nullable", "`returns`"),
                    free: self.string(&f, "free", "`returns`"),
                })
            }
            _ => {
                let ty = self.string_node(node, format_args!("`returns`"))?;
                Some(ReturnAst {
                    ty: Some(ty),
                    ..ReturnAst::default()
                })
            }
        }
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (File<'_>, Vec<Diagnostic>) {
        // The AST borrows the tree; a test may keep both for its whole run.
        let root = Box::leak(Box::new(load(text).expect("yaml")));
        let mut p = Parser::new(text);
        let f = p.file(root);
        (f, p.diags)
    }

    #[test]
    fn spans_point_at_values() {
        let text = "version: 0\ninterfaces:\n  - name: a.b\n    methods: []\n";
        let (f, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let v = f.version.unwrap();
        assert_eq!((v.span.line, v.span.column), (1, 10));
        assert_eq!(&text[v.span.start..v.span.end], "0");
        let name = f.interfaces[0].name.as_ref().unwrap();
        assert_eq!(&text[name.span.start..name.span.end], "a.b");
        assert_eq!((name.span.line, name.span.column), (3, 11));
    }

    #[test]
    fn short_and_long_params() {
        let text = "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - name: m\n        effect: io\n        params: [ { string: msg, ownership: borrowed }, { name: n, type: i32 } ]\n        returns: i64\n";
        let (f, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let m = &f.interfaces[0].methods[0];
        let p0 = &m.params[0];
        assert_eq!(p0.ty.as_ref().unwrap().value, "string");
        assert_eq!(p0.name.as_ref().unwrap().value, "msg");
        assert_eq!(p0.ownership.as_ref().unwrap().value, "borrowed");
        assert_eq!(&text[p0.ty.as_ref().unwrap().span.start..][..6], "string");
        assert_eq!(m.params[1].name.as_ref().unwrap().value, "n");
        assert_eq!(
            m.returns.as_ref().unwrap().ty.as_ref().unwrap().value,
            "i64"
        );
    }

    #[test]
    fn yaml_11_booleans_stay_strings() {
        let text = "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - { name: y, effect: io, params: [ { i32: n } ] }\n";
        let (f, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let m = &f.interfaces[0].methods[0];
        assert_eq!(m.name.as_ref().unwrap().value, "y");
        assert_eq!(m.params[0].name.as_ref().unwrap().value, "n");
    }

    #[test]
    fn a_misspelt_required_key_is_reported_once() {
        let text = "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - { name: m, efect: io }\n";
        let (_, diags) = parse(text);
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["bid.field.unknown"]);
        assert_eq!(diags[0].help, ["did you mean `effect`?"]);
    }
}
