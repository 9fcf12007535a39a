//! A small writer for C source: indented blocks, preprocessor lines at column 0, doc comments
//! escaped on the way in, and at most one blank line in a row.

use super::escape;

/// Accumulates a header; the text only grows, so output is a pure function of the calls.
pub(super) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    pub(super) fn new() -> Self {
        Writer {
            out: String::new(),
            depth: 0,
        }
    }

    /// One line of code at the current indentation.
    pub(super) fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A preprocessor line: always at column 0, whatever the indentation.
    pub(super) fn directive(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A blank line, unless the previous line is already blank or nothing was written yet.
    pub(super) fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// `open`, the body one level deeper, then `close`.
    pub(super) fn block(&mut self, open: &str, close: &str, body: impl FnOnce(&mut Self)) {
        self.line(open);
        self.depth += 1;
        body(self);
        self.depth -= 1;
        self.line(close);
    }

    /// A `/** ... */` block from paragraphs of untrusted text (YAML docs, file names); an empty
    /// string stands for an empty comment line. Nothing is written when every paragraph is empty.
    pub(super) fn doc(&mut self, paragraphs: &[String]) {
        self.comment("/**", paragraphs);
    }

    /// Like [`Writer::doc`] with another opener (`/*` for comments that are not docs).
    pub(super) fn comment(&mut self, opener: &str, paragraphs: &[String]) {
        if paragraphs.iter().all(String::is_empty) {
            return;
        }
        self.line(opener);
        for p in paragraphs {
            for text in escape::comment_lines(p).iter().flat_map(|l| wrap(l, WIDTH)) {
                if text.is_empty() {
                    self.line(" *");
                } else {
                    self.line(&format!(" * {text}"));
                }
            }
        }
        self.line(" */");
    }

    pub(super) fn finish(self) -> String {
        self.out
    }
}

/// Comment text wider than this many characters is wrapped at spaces.
const WIDTH: usize = 96;

/// Splits an over-long comment line at spaces; continuation lines of an indented line hang two
/// spaces deeper, those of a flush line stay flush. A word longer than the width stays whole. Only spaces are touched, so an
/// escaped line stays escaped.
fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.chars().count() <= width {
        return vec![line.to_owned()];
    }
    let body = line.trim_start_matches(' ');
    let indent = &line[..line.len() - body.len()];
    // Indented lines (lists) hang their continuation two spaces deeper; prose stays flush.
    let more = if indent.is_empty() {
        String::new()
    } else {
        format!("{indent}  ")
    };
    let mut out = Vec::new();
    let mut cur = indent.to_owned();
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let start = if out.is_empty() {
            indent
        } else {
            more.as_str()
        };
        if cur.len() > start.len() && cur.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::replace(&mut cur, more.clone()));
        }
        if cur.len()
            > (if out.is_empty() {
                indent.len()
            } else {
                more.len()
            })
        {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_indent_and_directives_do_not() {
        let mut w = Writer::new();
        w.block("typedef struct P {", "} P;", |w| {
            w.line("int32_t x;");
            w.directive("#if 1");
            w.blank();
            w.blank();
        });
        assert_eq!(
            w.finish(),
            "typedef struct P {\n    int32_t x;\n#if 1\n\n} P;\n"
        );
    }

    #[test]
    fn doc_comments_are_escaped_and_empty_docs_vanish() {
        let mut w = Writer::new();
        w.doc(&[String::new()]);
        assert_eq!(w.out, "");
        w.doc(&["a */ b".to_owned(), String::new(), "c".to_owned()]);
        assert_eq!(w.finish(), "/**\n * a * / b\n *\n * c\n */\n");
    }

    #[test]
    fn long_lines_wrap_at_spaces_with_indent() {
        assert_eq!(wrap("  aaa bbb ccc", 9), ["  aaa bbb", "    ccc"]);
        assert_eq!(wrap("short", 9), ["short"]);
        assert_eq!(wrap("abcdefghijkl x", 5), ["abcdefghijkl", "x"]);
        assert_eq!(wrap("a  b c", 3), ["a b", "c"]);
        assert_eq!(wrap(" a b c", 4), [" a b", "   c"]);
    }
}
