//! YAML text -> [`Node`] tree with a span on every value, under limits that refuse hostile input.

use crate::ast::{Node, Value};
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

pub(crate) fn next_char_end(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    match text.get(start..).and_then(|t| t.chars().next()) {
        Some('\n') | None => start,
        Some(c) => start + c.len_utf8(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_a_position() {
        let d = load("version: 0\nx: [1, 2\n").unwrap_err();
        assert_eq!(d.code, "bid.yaml.syntax");
        assert!(d.span.is_some());
    }

    #[test]
    fn byte_of_counts_chars() {
        assert_eq!(byte_of("ab\né x", 2, 3), 6);
        assert_eq!(byte_of("ab", 9, 1), 2);
    }
}
