//! Escaping of untrusted text for C: comment bodies, string literals and identifiers derived
//! from file names, so no YAML text can end a comment, splice a line or inject a directive.

/// Lines of a comment body: split on every line ending a C compiler knows (`\n`, `\r\n`,
/// `\r`), with `*/` and `/*` broken by a space, trigraphs (`??/` and friends) broken by a space,
/// control and bidirectional-override characters replaced by U+FFFD (gcc's `-Wbidi-chars` and
/// NUL warnings would fail `-Werror`), and trailing blanks trimmed. The result is meant for
/// ` * ` lines of a block comment; a trailing backslash there only splices two comment lines.
pub(super) fn comment_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(end) = rest.find(['\n', '\r']) {
        lines.push(comment_line(&rest[..end]));
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }
    lines.push(comment_line(rest));
    lines
}

fn comment_line(line: &str) -> String {
    // Most docs are plain ASCII prose: nothing to escape, nothing to trim.
    let plain = line
        .bytes()
        .all(|b| matches!(b, b' '..=b'~' | b'\t') && !matches!(b, b'*' | b'/' | b'?'));
    if plain && !line.ends_with([' ', '\t']) {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut prev = ' ';
    for c in line.chars() {
        let c = if is_unsafe_char(c) { '\u{FFFD}' } else { c };
        if matches!((prev, c), ('*', '/') | ('/', '*') | ('?', '?')) {
            out.push(' ');
        }
        out.push(c);
        prev = c;
    }
    out.truncate(out.trim_end().len());
    out
}

/// Characters that are never copied into C source: controls other than tab, and the Unicode
/// bidirectional controls behind "Trojan Source" (CVE-2021-42574).
fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// A C string literal holding `text`: `"`, `\` and control bytes escaped, `??` written `?\?` so
/// no trigraph forms, every non-ASCII byte as a three-digit octal escape (unambiguous whatever
/// follows), and each `\n` ending one literal piece so the result reads one line per line.
/// Pieces are separated by `separator` (e.g. `" \\\n    "` inside a macro).
pub(super) fn c_string_literal(text: &str, separator: &str) -> String {
    let mut pieces = Vec::new();
    let mut cur = String::from("\"");
    let mut prev_question = false;
    for b in text.bytes() {
        match b {
            b'"' => cur.push_str("\\\""),
            b'\\' => cur.push_str("\\\\"),
            b'\n' => cur.push_str("\\n"),
            b'\t' => cur.push_str("\\t"),
            b'?' if prev_question => cur.push_str("\\?"),
            0x20..=0x7e => cur.push(char::from(b)),
            _ => cur.push_str(&format!("\\{b:03o}")),
        }
        prev_question = b == b'?';
        if b == b'\n' {
            cur.push('"');
            pieces.push(std::mem::replace(&mut cur, String::from("\"")));
            prev_question = false;
        }
    }
    if cur.len() > 1 || pieces.is_empty() {
        cur.push('"');
        pieces.push(cur);
    }
    pieces.join(separator)
}

/// `BID_<STEM>_H` from a source file name: the last path component without its `.bid.yaml`,
/// `.bid.yml`, `.yaml` or `.yml` suffix.
pub(super) fn include_guard(source_name: &str) -> String {
    let file = source_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source_name);
    let stem = [".bid.yaml", ".bid.yml", ".yaml", ".yml"]
        .iter()
        .find_map(|s| file.strip_suffix(s))
        .unwrap_or(file);
    let stem = crate::names::upper_ident(stem);
    if stem.is_empty() {
        "BID_H".to_owned()
    } else {
        format!("BID_{stem}_H")
    }
}

/// A lower-case slug of a target triple for identifiers: `x86_64-pc-windows-msvc` ->
/// `x86_64_pc_windows_msvc`.
pub(super) fn slug(text: &str) -> String {
    crate::names::upper_ident(text).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cannot_be_closed_or_reopened() {
        assert_eq!(comment_lines("*/ #error boom /*"), ["* / #error boom / *"]);
        assert_eq!(comment_lines("a/*/b"), ["a/ * /b"]);
        assert_eq!(comment_lines("**//"), ["** //"]);
    }

    #[test]
    fn every_line_ending_splits() {
        assert_eq!(comment_lines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(comment_lines("#define X 1\n"), ["#define X 1", ""]);
    }

    #[test]
    fn trigraphs_are_broken() {
        assert_eq!(comment_lines("what??/"), ["what? ?/"]);
        assert_eq!(comment_lines("???="), ["? ? ?="]);
        assert_eq!(comment_lines("a ? b"), ["a ? b"]);
    }

    #[test]
    fn controls_and_bidi_are_replaced_and_utf8_kept() {
        assert_eq!(comment_lines("a\0b\u{1b}c"), ["a\u{FFFD}b\u{FFFD}c"]);
        assert_eq!(
            comment_lines("x\u{202E}y\u{2066}z"),
            ["x\u{FFFD}y\u{FFFD}z"]
        );
        assert_eq!(comment_lines("ファイル\tok"), ["ファイル\tok"]);
    }

    #[test]
    fn trailing_blanks_trimmed_backslash_kept() {
        assert_eq!(comment_lines("end \\  "), ["end \\"]);
    }

    #[test]
    fn string_literals_escape_everything_risky() {
        assert_eq!(c_string_literal("a\"b\\c", " "), r#""a\"b\\c""#);
        assert_eq!(c_string_literal("??/", " "), r#""?\?/""#);
        assert_eq!(c_string_literal("é", " "), r#""\303\251""#);
        assert_eq!(c_string_literal("\u{7f}1", " "), r#""\1771""#);
        assert_eq!(c_string_literal("x\ny\n", " | "), r#""x\n" | "y\n""#);
        assert_eq!(c_string_literal("", " "), r#""""#);
    }

    #[test]
    fn guards_and_idents() {
        assert_eq!(
            include_guard("fixtures/valid/nyash_file.bid.yaml"),
            "BID_NYASH_FILE_H"
        );
        assert_eq!(include_guard("C:\\x\\my-api.v2.yml"), "BID_MY_API_V2_H");
        assert_eq!(
            include_guard("dir/__weird__name__.yaml"),
            "BID_WEIRD_NAME_H"
        );
        assert_eq!(include_guard("*/.bid.yaml"), "BID_H");
        assert_eq!(include_guard("9lives"), "BID_9LIVES_H");
        assert_eq!(crate::names::upper_ident("nyash_file"), "NYASH_FILE");
        assert_eq!(slug("x86_64-pc-windows-msvc"), "x86_64_pc_windows_msvc");
    }
}
