//! A fast path for the plain YAML BID files are mostly written in: block mappings and
//! sequences, one-line flow collections and plain scalars, in ASCII. It builds the same tree
//! the event parser does, several times faster; on anything else (quotes, anchors, tags,
//! multi-line scalars, comments after content, any error) it gives up and the event parser
//! reads the file, so every diagnostic still comes from one place.

use super::yaml::{MAX_DEPTH, MAX_NODES, plain};
use crate::ast::{Node, Value};
use crate::diag::Span;
use std::borrow::Cow;

/// The tree of `text`, or `None` when the event parser must read it.
pub(super) fn load(text: &str) -> Option<Node<'_>> {
    if !plain_enough(text) {
        return None;
    }
    let mut p = Fast {
        text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        nodes: 0,
    };
    p.skip_blank_lines();
    if p.pos >= p.b.len() || p.indent() != 0 {
        return None;
    }
    let root = p.block(0, 0)?;
    (p.pos >= p.b.len()).then_some(root)
}

/// Outside full-line comments: ASCII without tabs, carriage returns, quotes, escapes or the
/// indicators of anchors, aliases, tags, block scalars, complex keys and directives; `#` only
/// where a line starts a comment; no document markers. (`@` and `` ` `` are refused only where
/// a scalar starts, by [`Fast::plain_start`].)
fn plain_enough(text: &str) -> bool {
    let bad = |b: u8| {
        !b.is_ascii()
            || matches!(
                b,
                b'\t'
                    | b'\r'
                    | b'\''
                    | b'"'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'%'
                    | b'?'
                    | b'\\'
                    | b'#'
            )
    };
    text.split('\n').all(|line| {
        let content = line.trim_start_matches(' ');
        if content.starts_with('#') {
            // Skipped whole by the fast path; ASCII keeps line breaks and offsets plain.
            return content.is_ascii() && !content.contains('\r');
        }
        !(content.bytes().any(bad) || line.starts_with("---") || line.starts_with("..."))
    })
}

struct Fast<'s> {
    text: &'s str,
    b: &'s [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    nodes: usize,
}

impl<'s> Fast<'s> {
    fn peek(&self, at: usize) -> u8 {
        self.b.get(at).copied().unwrap_or(b'\n')
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span {
            line: self.line,
            column: start - self.line_start + 1,
            start,
            end,
        }
    }

    fn node(&mut self, value: Value<'s>, span: Span) -> Option<Node<'s>> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(Node { value, span })
    }

    /// From inside a line: past its newline, then past blank and comment lines.
    fn next_content_line(&mut self) {
        while self.pos < self.b.len() && self.b[self.pos] != b'\n' {
            self.pos += 1;
        }
        if self.pos < self.b.len() {
            self.pos += 1;
            self.line += 1;
            self.line_start = self.pos;
        }
        self.skip_blank_lines();
    }

    /// From a line start: past blank and comment lines, to the start of the next line with
    /// content (or the end of the text).
    fn skip_blank_lines(&mut self) {
        while self.pos < self.b.len() {
            let end = self.b[self.pos..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.b.len(), |e| self.pos + e);
            let content = self.text[self.pos..end].trim_start_matches(' ');
            if !(content.is_empty() || content.starts_with('#')) {
                return;
            }
            self.pos = end;
            if self.pos < self.b.len() {
                self.pos += 1;
                self.line += 1;
                self.line_start = self.pos;
            }
        }
    }

    /// Spaces at the start of the current line (`pos` is at a line start).
    fn indent(&self) -> usize {
        self.b[self.pos..]
            .iter()
            .take_while(|&&c| c == b' ')
            .count()
    }

    /// Only spaces up to the end of the line.
    fn rest_is_blank(&self) -> bool {
        self.b[self.pos..]
            .iter()
            .take_while(|&&c| c != b'\n')
            .all(|&c| c == b' ')
    }

    fn skip_spaces(&mut self) {
        while self.peek(self.pos) == b' ' {
            self.pos += 1;
        }
    }

    /// A block collection whose first line starts at `pos` with `indent` spaces.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node<'s>> {
        self.pos += indent;
        if self.peek(self.pos) == b'-' {
            self.seq(indent, depth)
        } else {
            self.map(indent, depth)
        }
    }

    fn seq(&mut self, col: usize, depth: usize) -> Option<Node<'s>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let span = self.span(self.pos, self.pos);
        let mut items = Vec::new();
        loop {
            // At `-`, which must be followed by a space and content on the same line.
            if self.peek(self.pos + 1) != b' ' {
                return None;
            }
            self.pos += 1;
            self.skip_spaces();
            let item = match self.peek(self.pos) {
                b'\n' | b'-' => return None,
                b'{' | b'[' => self.flow_line(depth + 1, col)?,
                _ => {
                    let c = self.pos - self.line_start;
                    if self.scalar_is_key() {
                        self.map(c, depth + 1)?
                    } else {
                        self.scalar_line(col)?
                    }
                }
            };
            items.push(item);
            if self.pos >= self.b.len() {
                break;
            }
            let ind = self.indent();
            if ind > col || (ind == col && self.peek(self.pos + ind) != b'-') {
                return None;
            }
            if ind < col {
                break;
            }
            self.pos += ind;
        }
        self.node(Value::Seq(items), span)
    }

    fn map(&mut self, col: usize, depth: usize) -> Option<Node<'s>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let span = self.span(self.pos, self.pos);
        let mut entries = Vec::new();
        loop {
            let key = self.key()?;
            self.skip_spaces();
            let value = match self.peek(self.pos) {
                b'\n' => {
                    self.next_content_line();
                    if self.pos >= self.b.len() {
                        return None;
                    }
                    let ind = self.indent();
                    if ind <= col {
                        return None;
                    }
                    self.block(ind, depth + 1)?
                }
                b'{' | b'[' => self.flow_line(depth + 1, col)?,
                _ => self.scalar_line(col)?,
            };
            entries.push((key, value));
            if self.pos >= self.b.len() {
                break;
            }
            let ind = self.indent();
            if ind > col {
                return None;
            }
            if ind < col {
                break;
            }
            self.pos += ind;
            if self.peek(self.pos) == b'-' {
                return None;
            }
        }
        self.node(Value::Map(entries), span)
    }

    /// Whether the plain scalar at `pos` is followed by `: ` or `:` at the line end.
    fn scalar_is_key(&self) -> bool {
        let line = &self.b[self.pos..];
        let end = line.iter().position(|&c| c == b'\n').unwrap_or(line.len());
        line[..end]
            .iter()
            .enumerate()
            .any(|(i, &c)| c == b':' && matches!(line.get(i + 1), None | Some(b' ' | b'\n')))
    }

    /// A block mapping key and its `:`.
    fn key(&mut self) -> Option<Node<'s>> {
        let start = self.pos;
        if !self.plain_start(start) {
            return None;
        }
        let mut i = start;
        loop {
            match self.peek(i) {
                b'\n' => return None,
                b':' if matches!(self.peek(i + 1), b' ' | b'\n') => break,
                _ => i += 1,
            }
        }
        let end = start + self.text[start..i].trim_end_matches(' ').len();
        self.pos = i + 1;
        self.scalar(start, end)
    }

    /// A plain scalar filling the rest of the line; then on to the next content line, which
    /// must not be a continuation of the scalar (indented deeper than `owner`).
    fn scalar_line(&mut self, owner: usize) -> Option<Node<'s>> {
        let start = self.pos;
        if !self.plain_start(start) {
            return None;
        }
        let mut i = start;
        while self.peek(i) != b'\n' {
            if self.peek(i) == b':' && matches!(self.peek(i + 1), b' ' | b'\n') {
                return None;
            }
            i += 1;
        }
        let end = start + self.text[start..i].trim_end_matches(' ').len();
        let node = self.scalar(start, end)?;
        self.pos = i;
        self.next_content_line();
        if self.pos < self.b.len() && self.indent() > owner {
            return None;
        }
        Some(node)
    }

    /// Whether a plain scalar may start at `at` (not at an indicator).
    fn plain_start(&self, at: usize) -> bool {
        match self.peek(at) {
            b'-' | b':' => !matches!(self.peek(at + 1), b' ' | b'\n' | b',' | b']' | b'}'),
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b' ' | b'\n' | b'@' | b'`' => false,
            _ => true,
        }
    }

    fn scalar(&mut self, start: usize, end: usize) -> Option<Node<'s>> {
        let value = plain(Cow::Borrowed(&self.text[start..end]));
        let span = self.span(start, end);
        self.node(value, span)
    }

    /// A flow collection that ends its line; then on to the next content line.
    fn flow_line(&mut self, depth: usize, owner: usize) -> Option<Node<'s>> {
        let node = self.flow(depth)?;
        if !self.rest_is_blank() {
            return None;
        }
        self.next_content_line();
        if self.pos < self.b.len() && self.indent() > owner {
            return None;
        }
        Some(node)
    }

    /// `{ k: v, ... }` or `[ v, ... ]` on one line.
    fn flow(&mut self, depth: usize) -> Option<Node<'s>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let open = self.peek(self.pos);
        let close = if open == b'{' { b'}' } else { b']' };
        let span = self.span(self.pos, self.pos);
        self.pos += 1;
        self.skip_spaces();
        let (mut items, mut entries) = (Vec::new(), Vec::new());
        if self.peek(self.pos) != close {
            loop {
                if open == b'{' {
                    let key = self.flow_scalar()?;
                    if self.peek(self.pos) != b':' || self.peek(self.pos + 1) != b' ' {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_spaces();
                    let value = self.flow_node(depth)?;
                    entries.push((key, value));
                } else {
                    let item = self.flow_node(depth)?;
                    items.push(item);
                }
                self.skip_spaces();
                match self.peek(self.pos) {
                    b',' => {
                        self.pos += 1;
                        self.skip_spaces();
                        if matches!(self.peek(self.pos), b'}' | b']') {
                            return None;
                        }
                    }
                    c if c == close => break,
                    _ => return None,
                }
            }
        }
        self.pos += 1;
        let value = if open == b'{' {
            Value::Map(entries)
        } else {
            Value::Seq(items)
        };
        self.node(value, span)
    }

    fn flow_node(&mut self, depth: usize) -> Option<Node<'s>> {
        match self.peek(self.pos) {
            b'{' | b'[' => self.flow(depth + 1),
            _ => {
                let n = self.flow_scalar()?;
                // `[ a: b ]` is a one-pair mapping: left to the event parser.
                (self.peek(self.pos) != b':').then_some(n)
            }
        }
    }

    /// A plain scalar inside a flow collection; stops before `,`, a bracket or `: `.
    fn flow_scalar(&mut self) -> Option<Node<'s>> {
        let start = self.pos;
        if !self.plain_start(start) {
            return None;
        }
        let mut i = start;
        loop {
            match self.peek(i) {
                b'\n' => return None,
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if self.peek(i + 1) == b' ' => break,
                b':' => return None,
                _ => i += 1,
            }
        }
        let end = start + self.text[start..i].trim_end_matches(' ').len();
        self.pos = i;
        self.skip_spaces();
        self.scalar(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path must build exactly the event parser's tree, spans included, or decline.
    fn same(text: &str) -> bool {
        let Some(fast) = load(text) else {
            return false;
        };
        let slow = super::super::yaml::load_events(text).expect("fast path took invalid YAML");
        assert_eq!(fast, slow, "trees differ for:\n{text}");
        true
    }

    #[test]
    fn the_fast_path_matches_the_event_parser_on_every_fixture() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
        let mut taken = 0;
        for dir in ["valid", "invalid"] {
            for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = e.unwrap().path();
                if path.to_string_lossy().ends_with(".yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    taken += usize::from(same(&text));
                }
            }
        }
        assert!(taken > 5, "only {taken} fixtures took the fast path");
    }

    /// Random YAML-like text from BID-shaped pieces: whatever the fast path accepts, the event
    /// parser must read to the same tree.
    #[test]
    fn random_documents_match_the_event_parser() {
        const INDENTS: &[&str] = &["", "", "  ", "  ", "    ", " ", "      "];
        const HEADS: &[&str] = &[
            "- ", "k: ", "name: ", "- a: ", "-   b: ", "k:", "- ", "x y: ",
        ];
        const VALUES: &[&str] = &[
            "1",
            "x y",
            "[a, b]",
            "{ k: v }",
            "",
            "-1",
            "a:b",
            "[ ]",
            "{}",
            "x  ",
            "true",
            "[ { i32: p }, { name: n, type: f64 } ]",
            "{ a: [1, { b: c }] }",
            "0x1f",
            "1.5",
            "array(i32)",
            "[a: b]",
            "{a:b}",
            "- x",
            "[1, ]",
            "~",
            "k: v",
            "a `b` @c",
            "`b`",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut taken, total) = (0, 20_000);
        for _ in 0..total {
            let mut text = String::new();
            for _ in 0..1 + next(6) {
                if next(10) == 0 {
                    text.push_str("# note\n");
                }
                text.push_str(INDENTS[next(INDENTS.len())]);
                text.push_str(HEADS[next(HEADS.len())]);
                text.push_str(VALUES[next(VALUES.len())]);
                text.push('\n');
            }
            if load(&text).is_some() && super::super::yaml::load_events(&text).is_err() {
                panic!("the fast path took invalid YAML:\n{text}");
            }
            taken += usize::from(load(&text).is_some() && same(&text));
        }
        assert!(
            taken > total / 50,
            "only {taken} documents took the fast path"
        );
    }

    #[test]
    fn the_fast_path_reads_the_bench_interface() {
        assert!(same(&bid_bench_gen::bid_yaml(300)));
    }

    #[test]
    fn odd_yaml_goes_to_the_event_parser_or_matches_it() {
        let cases = [
            "a: 1\n",
            "a: 1\nb:\n  - x\n  - y: 2\n    z: [1, 2]\n",
            "a:\n- x\n",
            "a: b: c\n",
            "a: 'q'\n",
            "a: x\n  continued\n",
            "a:\n",
            "a: {}\nb: []\nc: { x: [ ] }\n",
            "a: [1, 2, ]\n",
            "a: { x }\n",
            "a: [ x: 1 ]\n",
            "a: x # c\n",
            "# c\n\na: 1   \n  # c\nb: -1\n",
            "- a\n- b\n",
            "a:  spaced   out  \n",
            "a: [1,2]\n",
            "a: {x: 1}\n",
            "a: {x:1}\n",
            "a: [a:b]\n",
            "a: x:y\n",
            "a: -\n",
            "- - a\n",
            "a: 1\n a: 2\n",
            "a: 1\n  b: 2\n",
            "  a: 1\n",
            "a: 1\n---\nb: 2\n",
            "a: [1, 2] x\n",
            "a: ~\nb: null\nc: true\nd: 0x1f\ne: 1.5\nf: .inf\n",
            "k:\n  - { name: a, type: i32 }\n  - { i32: b }\n",
            "",
            "\n\n",
            "a b: c d\n",
            "a  : 1\n",
            "a: 1\n\n\nb:\n\n  - x\n",
            "a:\n  b:\n    c: 1\n  d: 2\ne: 3",
            "- a: 1\n  b: 2\n- c\n",
            "a: [ { b: [ c, d ] } ]\n",
            "a: 1 2\n",
            "a: { b: c d }\n",
            "a: [b c]\n",
            "a: [-1, -x]\n",
            "a: [ - x ]\n",
            "a:\n  - b\n  -c\n",
            "a:\n    - x\n    - y\n  \n",
            "a: x\n# c\n  b: y\n",
            "a: x\n  # c\nb: y\n",
            "a: 1",
            "a:\n  - x\n b: 1\n",
            "a: { b: 1, b: 2 }\n",
            "a:x\n",
            "a: [1, [2, [3]]]\n",
            "- {a: 1}\n- [b]\n",
            "-   a: 1\n    b: 2\n",
            "a: http://x\n",
            "a[0]: doc with [brackets], {braces}\n",
            "- a\n  b\n",
            "# a `c` & *d* | e > f ? 'g' \"h\" % ! #\nk: v\n",
            "doc: Padding after `flag` and @x, 50% (about) | or > *",
            "a: `x`\n",
            "a: @x\n",
            "# \u{e9}\na: 1\n",
            "a: \u{e9}\n",
        ];
        let deep = format!("a: {}x{}\n", "[".repeat(30), "]".repeat(30));
        assert!(load(&deep).is_none(), "too deep for the fast path");
        let block_deep: String = (0..30)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert!(load(&format!("{block_deep}{}v: 1\n", " ".repeat(30))).is_none());
        for c in cases {
            let _ = same(c);
        }
    }
}
