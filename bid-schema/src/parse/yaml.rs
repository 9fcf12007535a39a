//! YAML text -> [`Node`] tree with a span on every value, under limits that refuse hostile input.
//!
//! The tree is built straight from the event stream of serde-saphyr's parser (`granit_parser`,
//! which serde-saphyr re-exports): going through serde's data model instead costs three times the
//! parse itself (measured on a 5,000-method file), and every value needs its span anyway. The
//! builder keeps its own stack, so nesting never recurses, and counts what aliases expand.

use crate::ast::{Node, Value};
use crate::diag::{Code, Diagnostic, Span};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};
use std::borrow::Cow;

/// Files above this size are refused before the YAML parser sees them.
pub(crate) const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting accepted; a BID file needs about 7.
const MAX_DEPTH: usize = 24;
/// Most alias uses (`*name`) in one file.
const MAX_ALIASES: usize = 1_000;
/// Most nodes that aliases may copy in, in total (billion laughs stops here).
const MAX_ALIAS_NODES: usize = 10_000;
/// Most nodes in one file, aliases included (an 8 MiB file of `[1,1,...]` has 4 million).
const MAX_NODES: usize = 2_000_000;

/// A collection being built; its children wait on the builder's one shared stack from `base`
/// on, so each collection is allocated once, at its final size.
struct Frame {
    span: Span,
    anchor: usize,
    base: usize,
    map: bool,
}

/// Loads YAML into a [`Node`] tree, refusing oversized, too deep and alias-amplified input.
/// Scalars the parser could take as written stay borrowed from `text`.
pub(crate) fn load(text: &str) -> Result<Node<'_>, Box<Diagnostic>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::error(
            Code::YamlLimit,
            format!(
                "the file is {} bytes; BID files are limited to {MAX_FILE_BYTES} bytes",
                text.len()
            ),
        )));
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    // Children of the open collections, in order (keys and values alternate in a mapping).
    let mut pending: Vec<Node> = Vec::new();
    // Anchored nodes by id, with their size in nodes.
    let mut anchors: Vec<Option<(Node, usize)>> = Vec::new();
    let mut root = None;
    let (mut nodes, mut aliases, mut alias_nodes) = (0usize, 0usize, 0usize);
    let mut documents = 0;
    while let Some(ev) = parser.next_event() {
        let (event, yspan) = ev.map_err(|e| Box::new(scan_error(text, &e)))?;
        let span = convert(text, &yspan);
        let done = match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(Box::new(
                        Diagnostic::error(Code::YamlSyntax, "a BID file holds one YAML document")
                            .primary(span.non_empty(text), "second document starts here"),
                    ));
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let is_str = tag
                    .as_deref()
                    .is_some_and(|t| t.to_string().ends_with("str"));
                let value = if style == ScalarStyle::Plain && !is_str {
                    plain(value)
                } else {
                    Value::Str(value)
                };
                (Node { value, span }, anchor, 1)
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Box::new(limit(
                        text,
                        span,
                        format!("the YAML nests deeper than {MAX_DEPTH} levels"),
                    )));
                }
                stack.push(Frame {
                    span: Span {
                        end: span.start,
                        ..span
                    },
                    anchor,
                    base: pending.len(),
                    map: matches!(event, Event::MappingStart(..)),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(f) = stack.pop() else { continue };
                // The children were counted as they completed.
                let size = 1;
                let mut children = pending.drain(f.base..);
                let value = if f.map {
                    let mut entries = Vec::with_capacity(children.len() / 2);
                    // A key without a value cannot come from the parser; it would be dropped.
                    while let (Some(k), Some(v)) = (children.next(), children.next()) {
                        entries.push((k, v));
                    }
                    Value::Map(entries)
                } else {
                    Value::Seq(children.collect())
                };
                (
                    Node {
                        value,
                        span: f.span,
                    },
                    f.anchor,
                    size,
                )
            }
            Event::Alias(id) => {
                aliases += 1;
                let found = anchors.get(id).and_then(Option::as_ref);
                let Some((node, size)) = found else {
                    return Err(Box::new(
                        Diagnostic::error(Code::YamlSyntax, "alias to an unknown anchor")
                            .primary(span.non_empty(text), "no anchor of this name before here"),
                    ));
                };
                alias_nodes += size;
                if aliases > MAX_ALIASES || alias_nodes > MAX_ALIAS_NODES {
                    return Err(Box::new(limit(
                        text,
                        span,
                        "the YAML expands too many aliases".to_owned(),
                    )));
                }
                let mut copy = node.clone();
                copy.span = span;
                (copy, 0, *size)
            }
            _ => continue,
        };
        let (node, anchor, size) = done;
        nodes += size;
        if nodes > MAX_NODES {
            return Err(Box::new(limit(
                text,
                node.span,
                "the YAML has too many nodes".to_owned(),
            )));
        }
        if anchor != 0 {
            if anchors.len() <= anchor {
                anchors.resize_with(anchor + 1, || None);
            }
            anchors[anchor] = Some((node.clone(), count(&node)));
        }
        if stack.is_empty() {
            root = Some(node);
        } else {
            pending.push(node);
        }
    }
    Ok(root.unwrap_or(Node {
        value: Value::Null,
        span: Span {
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        },
    }))
}

/// Nodes in a tree, for charging alias copies (anchors are rare, so this stays cheap).
fn count(n: &Node) -> usize {
    let mut total = 0;
    let mut todo = vec![n];
    while let Some(n) = todo.pop() {
        total += 1;
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
    total
}

/// YAML 1.2 core schema for plain scalars: null, booleans, integers, floats, else a string.
fn plain(value: Cow<'_, str>) -> Value<'_> {
    let s = &*value;
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(value),
        };
    }
    if let Some(hex) = s.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Int(i);
    }
    if let Some(oct) = s.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Value::Int(i);
    }
    let float_chars = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if float_chars
        && s.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = s.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(value)
}

fn convert(text: &str, s: &YSpan) -> Span {
    let start = s
        .start
        .byte_offset()
        .unwrap_or_else(|| byte_of(text, s.start.line(), s.start.col() + 1));
    let end = s.end.byte_offset().unwrap_or(start).max(start);
    Span {
        line: s.start.line(),
        column: s.start.col() + 1,
        start,
        end,
    }
}

fn limit(text: &str, span: Span, message: String) -> Diagnostic {
    Diagnostic::error(Code::YamlLimit, message)
        .primary(
            Span {
                end: span.start,
                ..span
            }
            .non_empty(text),
            "refused here",
        )
        .note("BID files are limited in size, nesting depth and alias expansion")
}

fn scan_error(text: &str, e: &ScanError) -> Diagnostic {
    let m = e.marker();
    let raw = e.to_string();
    let raw = raw.lines().next().unwrap_or("invalid YAML");
    // The position is in the snippet; keep only the parser's reason.
    let raw = raw.split(" at char ").next().unwrap_or(raw);
    let raw = raw.split(" at line ").next().unwrap_or(raw);
    let start = m
        .byte_offset()
        .unwrap_or_else(|| byte_of(text, m.line(), m.col() + 1));
    let span = Span {
        line: m.line(),
        column: m.col() + 1,
        start,
        end: start,
    };
    // The scanner's own guard against deep flow nesting fires before the builder sees it.
    if raw.contains("recursion limit") {
        return limit(
            text,
            span,
            format!("the YAML nests deeper than {MAX_DEPTH} levels"),
        );
    }
    Diagnostic::error(Code::YamlSyntax, raw.to_owned())
        .primary(span.non_empty(text), "invalid YAML here")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_a_position() {
        let d = load("version: 0\nx: [1, 2\n").unwrap_err();
        assert_eq!(d.code, Code::YamlSyntax);
        assert!(d.span.is_some());
    }

    #[test]
    fn byte_of_counts_chars() {
        assert_eq!(byte_of("ab\né x", 2, 3), 6);
        assert_eq!(byte_of("ab", 9, 1), 2);
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(plain("0".into()), Value::Int(0));
        assert_eq!(plain("-12".into()), Value::Int(-12));
        assert_eq!(plain("0x1f".into()), Value::Int(31));
        assert_eq!(plain("1.5".into()), Value::Float(1.5));
        assert_eq!(plain("1.0.0".into()), Value::Str("1.0.0".into()));
        assert_eq!(plain("yes".into()), Value::Str("yes".into()));
        assert_eq!(plain("true".into()), Value::Bool(true));
        assert_eq!(plain("~".into()), Value::Null);
        assert_eq!(plain("e".into()), Value::Str("e".into()));
        assert_eq!(
            plain("99999999999999999999".into()),
            Value::Str("99999999999999999999".into())
        );
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let n = load("a: &x [1, 2]\nb: *x\n").unwrap();
        let Value::Map(entries) = n.value else {
            panic!("map")
        };
        assert_eq!(entries[1].1.value, entries[0].1.value);
    }

    #[test]
    fn two_documents_are_refused() {
        let d = load("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(d.code, Code::YamlSyntax);
    }
}
