//! YAML text -> spanned AST: loads the YAML under resource limits, then reads BID's shape
//! (both the long and the short form), reporting unknown keys, missing keys and wrong shapes.

use crate::ast::*;
use crate::diag::{Diagnostic, Span};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// Files above this size are refused before the YAML parser sees them.
pub(crate) const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting accepted; a BID file needs about 7.
const MAX_DEPTH: usize = 24;

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Value>::deserialize(d)?;
        let loc = s.referenced;
        let sp = loc.span();
        let start = sp.byte_offset().unwrap_or(0) as usize;
        let len = sp.byte_len().unwrap_or(0) as usize;
        Ok(Node {
            value: s.value,
            span: Span {
                line: loc.line() as usize,
                column: loc.column() as usize,
                start,
                end: start + len,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        // Out-of-range integers stay distinguishable from valid ones without panicking.
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = a.next_element::<Node>()? {
            out.push(n);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = a.next_key::<Node>()? {
            let v = a.next_value::<Node>()?;
            out.push((k, v));
        }
        Ok(Value::Map(out))
    }
}

/// Loads YAML into a [`Node`] tree, refusing oversized, too deep and alias-amplified input.
pub(crate) fn load(text: &str) -> Result<Node, Box<Diagnostic>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::error(
            "bid.yaml.limit",
            format!(
                "the file is {} bytes; BID files are limited to {MAX_FILE_BYTES} bytes",
                text.len()
            ),
        )));
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_events: 16_000_000,
            max_nodes: 8_000_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_recorded_anchor_events: 10_000,
            max_documents: 1,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: 16,
        },
        strict_booleans: true,
        with_snippet: false,
    };
    match serde_saphyr::from_str_with_options::<Node>(text, options) {
        Ok(n) => Ok(n),
        Err(e) => Err(Box::new(yaml_error(text, &e))),
    }
}

fn yaml_error(text: &str, outer: &serde_saphyr::Error) -> Diagnostic {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let mut e = outer;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = e {
        e = error;
    }
    let limit = match e {
        E::Budget { breach, .. } => Some(match breach {
            B::Depth { .. } => format!("the YAML nests deeper than {MAX_DEPTH} levels"),
            B::Aliases { .. }
            | B::Anchors { .. }
            | B::RecordedAnchorEvents { .. }
            | B::RecordedAnchorBytes { .. }
            | B::AliasAnchorRatio { .. } => "the YAML expands too many aliases".to_owned(),
            _ => "the YAML has too many nodes".to_owned(),
        }),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => {
            Some("the YAML expands too many aliases".to_owned())
        }
        // The parser's own nesting guard fires before the budget on flow collections.
        other if other.to_string().contains("recursion limit") => {
            Some(format!("the YAML nests deeper than {MAX_DEPTH} levels"))
        }
        _ => None,
    };
    let raw = e.to_string();
    let raw = raw.lines().next().unwrap_or("invalid YAML");
    // The location is already in the snippet; keep only the parser's reason.
    let raw = match raw.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => raw,
    };
    let raw = raw.split(" at line ").next().unwrap_or(raw);
    let mut d = match &limit {
        Some(m) => Diagnostic::error("bid.yaml.limit", m.clone()).note(raw.to_owned()),
        None => Diagnostic::error("bid.yaml.syntax", raw.to_owned()),
    };
    let label = if limit.is_some() {
        "refused here"
    } else {
        "invalid YAML here"
    };
    if let Some(loc) = outer.location().or(e.location()).filter(|l| l.line() > 0) {
        let start = loc
            .span()
            .byte_offset()
            .map(|b| b as usize)
            .unwrap_or_else(|| byte_of(text, loc.line() as usize, loc.column() as usize));
        let end = next_char_end(text, start);
        d = d.primary(
            Span {
                line: loc.line() as usize,
                column: loc.column() as usize,
                start,
                end,
            },
            label,
        );
    }
    if limit.is_some() {
        d = d.note("BID files are limited in size, nesting depth and alias expansion");
    }
    d
}

/// Byte offset of a 1-based line and char column, clamped to the text.
fn byte_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.len(), |c| c.0);
        }
        off += l.len();
    }
    text.len()
}

fn next_char_end(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    match text.get(start..).and_then(|t| t.chars().next()) {
        Some('\n') | None => start,
        Some(c) => start + c.len_utf8(),
    }
}

/// Reads BID's shape out of a node tree, collecting every problem.
pub(crate) struct Parser<'t> {
    text: &'t str,
    pub diags: Vec<Diagnostic>,
}

/// The entries of one mapping, with the keys already checked against the allowed set.
struct Fields<'a> {
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
    /// Keys already suggested for a misspelt key: not reported missing a second time.
    typos: Vec<&'static str>,
    /// Where to point when a required key is absent.
    owner: Span,
}

impl<'a> Fields<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.2)
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
const RETURN_KEYS: &[&str] = &["type", "ownership"];

impl<'t> Parser<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Parser {
            text,
            diags: Vec::new(),
        }
    }

    fn shape(&mut self, node: &Node, what: &str, expected: &str) {
        self.diags.push(
            Diagnostic::error(
                "bid.field.invalid",
                format!("{what} must be {expected}, found {}", describe(&node.value)),
            )
            .primary(
                non_empty(self.text, node.span),
                format!("expected {expected}"),
            ),
        );
    }

    fn missing(&mut self, owner: Span, what: &str, key: &str) {
        self.diags.push(
            Diagnostic::error("bid.field.missing", format!("{what} has no `{key}`")).primary(
                non_empty(self.text, owner),
                format!("`{key}` is required here"),
            ),
        );
    }

    /// Checks `node` is a mapping and its keys are among `allowed` (`extra` keys pass through
    /// unreported, for the short form).
    fn fields<'a>(
        &mut self,
        node: &'a Node,
        what: &str,
        allowed: &[&'static str],
        short_form: bool,
    ) -> Option<(Fields<'a>, Vec<(&'a Node, &'a Node)>)>
    where
        't: 'a,
    {
        let Value::Map(entries) = &node.value else {
            self.shape(node, what, "a mapping");
            return None;
        };
        let mut f = Fields {
            entries: Vec::new(),
            typos: Vec::new(),
            owner: node.span,
        };
        let mut rest = Vec::new();
        for (k, v) in entries {
            let key = match &k.value {
                Value::Str(s) => s.as_str(),
                Value::Bool(_) | Value::Int(_) | Value::Float(_) => src(self.text, k.span),
                _ => {
                    self.shape(k, &format!("a key in {what}"), "a string");
                    continue;
                }
            };
            if allowed.contains(&key) {
                f.entries.push((key, k, v));
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
        let d = Diagnostic::error(
            "bid.field.unknown",
            format!("unknown key `{key}` in {what}"),
        )
        .primary(non_empty(self.text, k.span), "not a BID key")
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

    fn string(&mut self, f: &Fields, key: &str, what: &str) -> Option<Sp<String>> {
        let n = f.get(key)?;
        self.string_node(n, &format!("`{key}` of {what}"))
    }

    fn string_node(&mut self, n: &Node, what: &str) -> Option<Sp<String>> {
        match &n.value {
            Value::Str(s) => Some(Sp {
                value: s.clone(),
                span: n.span,
            }),
            // `name: true` or `version: 1` read as other scalars; their spelling is what was meant.
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => Some(Sp {
                value: src(self.text, n.span).to_owned(),
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
                self.shape(n, &format!("`{key}` of {what}"), "an integer");
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
                self.shape(n, &format!("`{key}` of {what}"), "`true` or `false`");
                None
            }
        }
    }

    fn seq<'a>(&mut self, f: &Fields<'a>, key: &str, what: &str) -> &'a [Node] {
        match f.get(key) {
            None => &[],
            Some(n) => match &n.value {
                Value::Seq(items) => items,
                // `methods:` with nothing after it: an empty list, not a shape error.
                Value::Null => &[],
                _ => {
                    self.shape(n, &format!("`{key}` of {what}"), "a list");
                    &[]
                }
            },
        }
    }

    /// The whole file.
    pub(crate) fn file(&mut self, root: &Node) -> File {
        let mut file = File::default();
        if root.value == Value::Null {
            self.diags.push(Diagnostic::error(
                "bid.field.missing",
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
                if let Some(s) = self.string_node(n, "a future transport") {
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

    fn interface(&mut self, node: &Node) -> Option<InterfaceAst> {
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
        for n in self.seq(&f, "types", what) {
            if let Some(t) = self.type_def(n) {
                i.types.push(t);
            }
        }
        self.require(&f, what, "methods");
        for n in self.seq(&f, "methods", what) {
            if let Some(m) = self.method(n) {
                i.methods.push(m);
            }
        }
        Some(i)
    }

    fn type_def(&mut self, node: &Node) -> Option<TypeAst> {
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

    fn method(&mut self, node: &Node) -> Option<MethodAst> {
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
                Diagnostic::error("bid.effect.invalid", label)
                    .primary(non_empty(self.text, f.owner), "`effect` is required")
                    .help("add `effect: pure`, `mut`, `io` or `control`"),
            );
        }
        for n in self.seq(&f, "params", what) {
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
    fn value(&mut self, node: &Node, what: &str, keys: &[&'static str]) -> Option<ValueAst> {
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
        let rest: Vec<(&Node, &Node)> = if rest.len() > 1 {
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
                v.ty = self.string_node(k, &format!("the type of {what}"));
                v.name = self.string_node(n, &format!("the name of {what}"));
            }
            [] => {
                self.missing(f.owner, what, "name");
                return None;
            }
            [_, (k, _), ..] => {
                self.diags.push(
                    Diagnostic::error(
                        "bid.field.invalid",
                        format!("{what} in short form has more than one `TYPE: NAME` pair"),
                    )
                    .primary(non_empty(self.text, k.span), "second `TYPE: NAME` pair")
                    .help("write one `{ TYPE: NAME }` per entry, or the long form `{ name: N, type: T }`"),
                );
                return None;
            }
        }
        Some(v)
    }

    fn returns(&mut self, node: &Node) -> Option<ReturnAst> {
        match &node.value {
            Value::Null => None,
            Value::Map(_) => {
                let (f, _) = self.fields(node, "`returns`", RETURN_KEYS, false)?;
                let ty = self.string(&f, "type", "`returns`");
                self.require(&f, "`returns`", "type");
                Some(ReturnAst {
                    ty,
                    ownership: self.string(&f, "ownership", "`returns`"),
                })
            }
            _ => {
                let ty = self.string_node(node, "`returns`")?;
                Some(ReturnAst {
                    ty: Some(ty),
                    ownership: None,
                })
            }
        }
    }
}

/// The source text under a span ("" if the span is not valid for `text`).
pub(crate) fn src(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

/// A span that covers at least one character, so a caret always shows.
pub(crate) fn non_empty(text: &str, span: Span) -> Span {
    if span.end > span.start {
        span
    } else {
        Span {
            end: next_char_end(text, span.start),
            ..span
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
