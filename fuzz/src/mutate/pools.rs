//! Mutators that splice hostile spellings ([`crate::words`]) into BID text: unicode,
//! keyword and generated-looking names, long names, values at the edges, tricky docs.

use super::yaml::insert_entry;
use super::{line_ranges, random_pos, replace, values, words};
use crate::rng::Rng;
use crate::words::{BID_WORDS, C_NAMES, GENERATED_NAMES, RUST_NAMES, TRICKY_DOCS, UNICODE, VALUES};

/// One random hostile character sequence.
pub fn unicode_char(rng: &mut Rng) -> &'static str {
    UNICODE[rng.below(UNICODE.len())]
}

/// One name from every pool.
pub fn name(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => (*rng.pick(RUST_NAMES)).to_owned(),
        1 => (*rng.pick(C_NAMES)).to_owned(),
        2 => (*rng.pick(GENERATED_NAMES)).to_owned(),
        3 => (*rng.pick(BID_WORDS)).to_owned(),
        _ => format!(
            "{}{}",
            rng.pick(RUST_NAMES),
            rng.pick(&["_", "__", "1", "_ptr", "_len"])
        ),
    }
}

/// One value from the pools (names included).
pub fn value(rng: &mut Rng) -> String {
    if rng.coin() {
        (*rng.pick(VALUES)).to_owned()
    } else {
        name(rng)
    }
}

/// `s` as a YAML double-quoted scalar.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A hostile character inserted anywhere.
pub fn insert_unicode(rng: &mut Rng, s: &str, _: &str) -> String {
    let at = random_pos(rng, s);
    let n = 1 + rng.small(3);
    let mut ins = String::new();
    for _ in 0..n {
        ins.push_str(unicode_char(rng));
    }
    replace(s, at..at, &ins)
}

/// A hostile character at the start, middle or end of a name.
pub fn unicode_in_name(rng: &mut Rng, s: &str, _: &str) -> String {
    let w = words(s);
    if w.is_empty() {
        return insert_unicode(rng, s, "");
    }
    let r = w[rng.below(w.len())].clone();
    let at = match rng.below(3) {
        0 => r.start,
        1 => r.end,
        _ => r.start + rng.below(r.len()),
    };
    replace(s, at..at, unicode_char(rng))
}

/// Every newline turned into CRLF or a lone CR, or one newline turned into a lone CR.
pub fn line_endings(rng: &mut Rng, s: &str, _: &str) -> String {
    match rng.below(3) {
        0 => s.replace('\n', "\r\n"),
        1 => s.replace('\n', "\r"),
        _ => {
            let lines = line_ranges(s);
            match lines.get(rng.below(lines.len().max(1))) {
                Some(r) if s[r.clone()].ends_with('\n') => replace(s, r.end - 1..r.end, "\r"),
                _ => s.to_owned(),
            }
        }
    }
}

fn pick_word(rng: &mut Rng, s: &str) -> Option<std::ops::Range<usize>> {
    let w = words(s);
    (!w.is_empty()).then(|| w[rng.below(w.len())].clone())
}

/// A name (or any word) replaced by a keyword, a generated name or a BID word.
pub fn replace_name(rng: &mut Rng, s: &str, _: &str) -> String {
    let vals = values(s);
    let target = if !vals.is_empty() && rng.coin() {
        Some(vals[rng.below(vals.len())].clone())
    } else {
        pick_word(rng, s)
    };
    match target {
        Some(r) => replace(s, r, &name(rng)),
        None => s.to_owned(),
    }
}

/// A name 10,000 to 100,000 characters long, in shapes that stress case conversion.
pub fn long_name(rng: &mut Rng, s: &str, _: &str) -> String {
    let n = rng.range(10_000, 100_000);
    let unit = *rng.pick(&["a", "aB", "A", "_", "a1", "x_", "HTTPServer", "é", "_a"]);
    let mut long = String::from(if unit.starts_with(|c: char| c.is_ascii_digit()) {
        "n"
    } else {
        ""
    });
    while long.len() < n {
        long.push_str(unit);
    }
    let vals = values(s);
    let target = if !vals.is_empty() && rng.coin() {
        Some(vals[rng.below(vals.len())].clone())
    } else {
        pick_word(rng, s)
    };
    match target {
        Some(r) => replace(s, r, &long),
        None => format!("{s}{long}"),
    }
}

/// One name copied over another: duplicates in every scope.
pub fn same_name(rng: &mut Rng, s: &str, _: &str) -> String {
    let v = values(s);
    if v.len() < 2 {
        return s.to_owned();
    }
    let (a, b) = (v[rng.below(v.len())].clone(), v[rng.below(v.len())].clone());
    let name = s[a].to_owned();
    replace(s, b, &name)
}

/// A name respelt in another case: `fillRect` -> `fill_rect`, `FILLRECT`, `Fill_Rect`, ...
pub fn case_variant(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_word(rng, s) else {
        return s.to_owned();
    };
    let w = &s[r.clone()];
    let new = match rng.below(5) {
        0 => bid_schema::names::snake_case(w),
        1 => bid_schema::names::upper_camel_case(w),
        2 => w.to_ascii_uppercase(),
        3 => format!("{w}_"),
        _ => format!("_{w}"),
    };
    replace(s, r, &new)
}

/// A value replaced by one at the edges.
pub fn replace_value(rng: &mut Rng, s: &str, _: &str) -> String {
    let v = values(s);
    if v.is_empty() {
        return s.to_owned();
    }
    let r = v[rng.below(v.len())].clone();
    replace(s, r, &value(rng))
}

/// A `doc:` of tricky text on an interface, type, field, method or parameter.
pub fn tricky_doc(rng: &mut Rng, s: &str, _: &str) -> String {
    let mut doc = String::new();
    for _ in 0..1 + rng.small(3) {
        doc.push_str(TRICKY_DOCS[rng.below(TRICKY_DOCS.len())]);
        doc.push(' ');
    }
    if rng.one_in(16) {
        doc = doc.repeat(rng.range(100, 20_000));
    }
    let quoted = yaml_quote(&doc);
    // Replace an existing `doc:` value, or add one.
    let existing: Vec<_> = values(s)
        .into_iter()
        .filter(|r| s[..r.start].trim_end().ends_with("doc:"))
        .collect();
    match existing.get(rng.below(existing.len().max(1))) {
        Some(r) if rng.coin() => replace(s, r.clone(), &quoted),
        _ => insert_entry(rng, s, &format!("doc: {quoted}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_quote_escapes_what_yaml_needs() {
        assert_eq!(yaml_quote("a\"b\\c\nd\0"), "\"a\\\"b\\\\c\\nd\\x00\"");
        assert_eq!(yaml_quote("\u{2028}"), "\"\\u2028\"");
    }
}
