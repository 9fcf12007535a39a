//! A small writer for C source: indented blocks, preprocessor lines at column 0, doc comments
//! escaped on the way in, and at most one blank line in a row.

use super::escape;

/// Accumulates C source (a header, a skeleton); the text only grows, so output is a pure
/// function of the calls.
pub(in crate::emit) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    pub(in crate::emit) fn new() -> Self {
        Writer {
            out: String::new(),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    /// One line of code at the current indentation.
    pub(in crate::emit) fn line(&mut self, text: &str) {
        self.indent();
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A preprocessor line: always at column 0, whatever the indentation.
    pub(in crate::emit) fn directive(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A blank line, unless the previous line is already blank or nothing was written yet.
    pub(in crate::emit) fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// `open`, the body one level deeper, then `close`.
    pub(in crate::emit) fn block(&mut self, open: &str, close: &str, body: impl FnOnce(&mut Self)) {
        self.line(open);
        self.depth += 1;
        body(self);
        self.depth -= 1;
        self.line(close);
    }

    /// A `/** ... */` block from paragraphs of untrusted text (YAML docs, file names); an empty
    /// string stands for an empty comment line. Nothing is written when every paragraph is empty.
    pub(in crate::emit) fn doc(&mut self, paragraphs: &[String]) {
        self.comment("/**", paragraphs);
    }

    /// Like [`Writer::doc`] with another opener (`/*` for comments that are not docs).
    pub(in crate::emit) fn comment(&mut self, opener: &str, paragraphs: &[String]) {
        if paragraphs.iter().all(String::is_empty) {
            return;
        }
        self.line(opener);
        for p in paragraphs {
            for line in escape::comment_lines(p) {
                wrap(&line, WIDTH, |text| {
                    self.indent();
                    self.out
                        .push_str(if text.is_empty() { " *" } else { " * " });
                    self.out.push_str(text);
                    self.out.push('\n');
                });
            }
        }
        self.line(" */");
    }

    pub(in crate::emit) fn finish(self) -> String {
        self.out
    }
}

/// Comment text wider than this many characters is wrapped at spaces.
const WIDTH: usize = 96;

/// Splits an over-long comment line at spaces and hands each piece to `emit`; continuation
/// lines of an indented line hang two spaces deeper, those of a flush line stay flush. A word
/// longer than the width stays whole. Only spaces are touched, so an escaped line stays escaped.
fn wrap(line: &str, width: usize, mut emit: impl FnMut(&str)) {
    if line.len() <= width || line.chars().count() <= width {
        emit(line);
        return;
    }
    let body = line.trim_start_matches(' ');
    let indent = &line[..line.len() - body.len()];
    let hang = if indent.is_empty() {
        0
    } else {
        indent.len() + 2
    };
    let mut cur = String::from(indent);
    // Width of `cur` in chars, and whether it holds a word yet.
    let mut cur_width = indent.len();
    let mut has_word = false;
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let w = word.chars().count();
        if has_word && cur_width + 1 + w > width {
            emit(&cur);
            cur.clear();
            cur.extend(std::iter::repeat_n(' ', hang));
            cur_width = hang;
            has_word = false;
        }
        if has_word {
            cur.push(' ');
            cur_width += 1;
        }
        cur.push_str(word);
        cur_width += w;
        has_word = true;
    }
    emit(&cur);
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

    fn wrap(line: &str, width: usize) -> Vec<String> {
        let mut out = Vec::new();
        super::wrap(line, width, |s| out.push(s.to_owned()));
        out
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
