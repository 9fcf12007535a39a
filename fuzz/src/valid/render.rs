//! A YAML tree written out with random but valid styling: block or flow per collection,
//! plain, single- or double-quoted scalars, literal block scalars for multi-line docs.

use crate::mutate::pools::yaml_quote;
use crate::rng::Rng;

/// A YAML node.
#[derive(Clone, Debug)]
pub enum Node {
    /// A string, quoted as needed (and sometimes when not needed).
    Str(String),
    /// Text written as is (numbers, booleans).
    Raw(String),
    /// A mapping, in order.
    Map(Vec<(String, Node)>),
    /// A sequence.
    Seq(Vec<Node>),
}

/// Shorthand for a `Node::Str`.
pub fn s(v: impl Into<String>) -> Node {
    Node::Str(v.into())
}

/// How the tree is styled.
pub struct Style<'r> {
    /// Decides every styling choice.
    pub rng: &'r mut Rng,
    /// Chance in 16 that a nested collection is written in flow style.
    pub flow: usize,
}

fn null_like(v: &str) -> bool {
    matches!(v, "null" | "Null" | "NULL" | "~" | "")
}

fn plain_ok(v: &str) -> bool {
    !null_like(v)
        && v.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '(' | ')' | '/' | '+'))
}

impl Style<'_> {
    fn scalar(&mut self, v: &str) -> String {
        let simple = !v.is_empty()
            && v.chars().all(|c| {
                (c.is_ascii_graphic() && c != '\'')
                    || c == ' '
                    || (!c.is_control()
                        && c as u32 > 0x7f
                        && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
            })
            && !v.starts_with(' ')
            && !v.ends_with(' ');
        match self.rng.below(8) {
            _ if plain_ok(v) && !self.rng.one_in(5) => v.to_owned(),
            0..=2 if simple => format!("'{v}'"),
            _ => yaml_quote(v),
        }
    }

    fn flow(&mut self, node: &Node, out: &mut String) {
        match node {
            Node::Str(v) => {
                let q = self.scalar(v);
                out.push_str(&q);
            }
            Node::Raw(v) => out.push_str(v),
            Node::Map(entries) => {
                out.push_str("{ ");
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let k = self.scalar(k);
                    out.push_str(&k);
                    out.push_str(": ");
                    self.flow(v, out);
                }
                out.push_str(" }");
            }
            Node::Seq(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { " " });
                    self.flow(v, out);
                }
                out.push_str(" ]");
            }
        }
    }

    /// A value after `key:` or `- ` in block context, at `indent` for its children.
    fn value(&mut self, node: &Node, indent: usize, out: &mut String) {
        // The file and each interface stay in block style mostly: flow swallows everything inside.
        let flow = if indent <= 4 {
            self.flow / 4
        } else {
            self.flow
        };
        match node {
            Node::Str(v) if v.contains('\n') && literal_ok(v) && self.rng.coin() => {
                out.push_str(" |-\n");
                for line in v.split('\n') {
                    out.push_str(&" ".repeat(indent));
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Node::Str(_) | Node::Raw(_) => {
                out.push(' ');
                self.flow(node, out);
                out.push('\n');
            }
            Node::Map(_) | Node::Seq(_) if is_empty(node) || self.rng.below(16) < flow => {
                out.push(' ');
                self.flow(node, out);
                out.push('\n');
            }
            _ => {
                out.push('\n');
                self.block(node, indent, out);
            }
        }
    }

    /// `node` in block style at `indent`.
    pub fn block(&mut self, node: &Node, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match node {
            Node::Map(entries) => {
                for (k, v) in entries {
                    out.push_str(&pad);
                    let k = self.scalar(k);
                    out.push_str(&k);
                    out.push(':');
                    self.value(v, indent + 2, out);
                }
            }
            Node::Seq(items) => {
                for item in items {
                    out.push_str(&pad);
                    out.push('-');
                    match item {
                        Node::Map(entries)
                            if !entries.is_empty() && self.rng.below(16) >= self.flow =>
                        {
                            // `- key: value` then the other keys under the first.
                            out.push(' ');
                            let mut first = String::new();
                            self.block(&Node::Map(entries.clone()), indent + 2, &mut first);
                            out.push_str(first.trim_start_matches(' '));
                        }
                        _ => self.value(item, indent + 2, out),
                    }
                }
            }
            _ => self.value(node, indent, out),
        }
    }
}

fn is_empty(node: &Node) -> bool {
    match node {
        Node::Map(e) => e.is_empty(),
        Node::Seq(s) => s.is_empty(),
        _ => false,
    }
}

/// Whether `v` survives a `|-` literal block scalar unchanged.
fn literal_ok(v: &str) -> bool {
    v.split('\n').all(|l| {
        !l.is_empty()
            && !l.starts_with([' ', '\t'])
            && !l.ends_with([' ', '\t'])
            && l.chars().all(|c| {
                !c.is_control() && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
            })
    })
}

/// The whole document.
pub fn document(root: &Node, rng: &mut Rng) -> String {
    let flow = rng.below(12);
    let mut style = Style { rng, flow };
    let mut out = String::new();
    style.block(root, 0, &mut out);
    out
}
