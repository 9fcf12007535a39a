//! Mutators over BID text: byte- and line-level edits here, YAML constructs in [`yaml`],
//! hostile unicode, names and values in [`pools`], sizes and nesting in [`structure`].
//!
//! Every mutator takes the text to change and another corpus entry to splice from, and
//! returns new text; none can fail (a mutator with nothing to work on returns its input
//! changed some other way, or unchanged).

pub mod pools;
pub mod structure;
pub mod yaml;

use crate::rng::Rng;
use std::ops::Range;

/// One named mutation.
pub struct Mutator {
    /// Shown in statistics and finding reports.
    pub name: &'static str,
    /// Relative chance of being picked.
    pub weight: u32,
    /// The mutation: `(rng, text, other) -> new text`.
    pub apply: fn(&mut Rng, &str, &str) -> String,
}

const fn m(name: &'static str, weight: u32, apply: fn(&mut Rng, &str, &str) -> String) -> Mutator {
    Mutator {
        name,
        weight,
        apply,
    }
}

/// Every mutator, byte-level first, then line, YAML, unicode, names, values, structure.
pub const MUTATORS: &[Mutator] = &[
    m("flip-bit", 4, flip_bit),
    m("set-byte", 4, set_byte),
    m("insert-bytes", 4, insert_bytes),
    m("delete-range", 4, delete_range),
    m("splice", 4, splice),
    m("duplicate-range", 2, duplicate_range),
    m("truncate", 1, truncate),
    m("crossover", 2, crossover),
    m("dup-line", 4, dup_line),
    m("delete-lines", 4, delete_lines),
    m("swap-lines", 3, swap_lines),
    m("indent", 3, indent),
    m("dedent", 3, dedent),
    m("move-block", 2, move_block),
    m("line-from-other", 3, line_from_other),
    m("break-line", 3, break_line),
    m("fold-value", 3, fold_value),
    m("anchor-alias", 3, yaml::anchor_alias),
    m("merge-key", 1, yaml::merge_key),
    m("flow-to-block", 3, yaml::flow_to_block),
    m("block-to-flow", 3, yaml::block_to_flow),
    m("quote-scalar", 4, yaml::quote_scalar),
    m("block-scalar", 2, yaml::block_scalar),
    m("tag", 2, yaml::tag),
    m("document-marker", 2, yaml::document_marker),
    m("comment", 2, yaml::comment),
    m("explicit-key", 1, yaml::explicit_key),
    m("empty-value", 2, yaml::empty_value),
    m("add-key", 4, yaml::add_key),
    m("unicode", 4, pools::insert_unicode),
    m("unicode-in-name", 3, pools::unicode_in_name),
    m("line-endings", 1, pools::line_endings),
    m("name", 6, pools::replace_name),
    m("long-name", 1, pools::long_name),
    m("same-name", 3, pools::same_name),
    m("case-variant", 2, pools::case_variant),
    m("value", 6, pools::replace_value),
    m("tricky-doc", 3, pools::tricky_doc),
    m("many-items", 1, structure::many_items),
    m("deep-array", 1, structure::deep_array),
    m("deep-yaml", 1, structure::deep_yaml),
    m("record-chain", 1, structure::record_chain),
    m("alias-fanout", 1, structure::alias_fanout),
];

/// Applies one to `max_stack` random mutators in a row; returns the text and their names.
pub fn mutate(
    rng: &mut Rng,
    base: &str,
    other: &str,
    max_stack: usize,
) -> (String, Vec<&'static str>) {
    let total: u32 = MUTATORS.iter().map(|m| m.weight).sum();
    let n = 1 + rng.small(max_stack.max(1) - 1);
    let mut text = base.to_owned();
    let mut names = Vec::with_capacity(n);
    for _ in 0..n {
        let mut at = rng.below(total as usize) as u32;
        let m = MUTATORS
            .iter()
            .find(|m| {
                if at < m.weight {
                    true
                } else {
                    at -= m.weight;
                    false
                }
            })
            .unwrap_or(&MUTATORS[0]);
        text = (m.apply)(rng, &text, other);
        names.push(m.name);
        // Keep stacked mutations from compounding past the file limit bid enforces.
        if text.len() > 9 * 1024 * 1024 {
            break;
        }
    }
    (text, names)
}

/// The largest char boundary at or below `i`.
pub fn floor_char(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A random char boundary of `s` (`0..=len`).
pub fn random_pos(rng: &mut Rng, s: &str) -> usize {
    floor_char(s, rng.below(s.len() + 1))
}

/// A random range of `s` on char boundaries, of up to `max` bytes.
pub fn random_range(rng: &mut Rng, s: &str, max: usize) -> Range<usize> {
    let a = random_pos(rng, s);
    let b = floor_char(s, a + rng.small(max));
    a..b.max(a)
}

/// Byte ranges of the lines of `s`, each including its `\n`.
pub fn line_ranges(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out
}

/// Byte ranges of identifier-like words (`[A-Za-z_][A-Za-z0-9_]*`) in `s`.
pub fn words(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() || b[i] == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of plain scalar values: what follows `: ` up to `,`, `}`, `]`, ` #` or the
/// end of the line, trimmed; not flow collections or block scalar indicators.
pub fn values(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(1) {
        if b[i] != b':' || b[i + 1] != b' ' {
            continue;
        }
        let mut start = i + 2;
        while start < b.len() && b[start] == b' ' {
            start += 1;
        }
        let mut end = start;
        while end < b.len() && !matches!(b[end], b',' | b'}' | b']' | b'\n' | b'\r') {
            if b[end] == b'#' && b[end - 1] == b' ' {
                break;
            }
            end += 1;
        }
        while end > start && b[end - 1] == b' ' {
            end -= 1;
        }
        if end > start && !matches!(b[start], b'{' | b'[' | b'|' | b'>') {
            out.push(start..end);
        }
    }
    out
}

/// `s` with `range` replaced by `with`.
pub fn replace(s: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(s.len() + with.len());
    out.push_str(&s[..range.start]);
    out.push_str(with);
    out.push_str(&s[range.end..]);
    out
}

/// Bytes YAML and BID give meaning to, for byte-level edits.
const INTERESTING: &[u8] = b":-{}[],#&*!|>'\"%@`? \t\n\r\0\xff\\()._";

fn byte_edit(s: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = s.as_bytes().to_vec();
    f(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

fn random_byte(rng: &mut Rng) -> u8 {
    if rng.coin() {
        *rng.pick(INTERESTING)
    } else {
        rng.next_u64() as u8
    }
}

fn flip_bit(rng: &mut Rng, s: &str, _: &str) -> String {
    if s.is_empty() {
        return "v".to_owned();
    }
    let (i, bit) = (rng.below(s.len()), rng.below(8));
    byte_edit(s, |b| b[i] ^= 1 << bit)
}

fn set_byte(rng: &mut Rng, s: &str, _: &str) -> String {
    if s.is_empty() {
        return ":".to_owned();
    }
    let (i, v) = (rng.below(s.len()), random_byte(rng));
    byte_edit(s, |b| b[i] = v)
}

fn insert_bytes(rng: &mut Rng, s: &str, _: &str) -> String {
    let at = rng.below(s.len() + 1);
    let n = 1 + rng.small(8);
    let new: Vec<u8> = (0..n).map(|_| random_byte(rng)).collect();
    byte_edit(s, |b| {
        b.splice(at..at, new);
    })
}

fn delete_range(rng: &mut Rng, s: &str, _: &str) -> String {
    let max = if rng.one_in(4) { 512 } else { 16 };
    let r = random_range(rng, s, max);
    replace(s, r, "")
}

fn splice(rng: &mut Rng, s: &str, other: &str) -> String {
    let r = random_range(rng, s, 64);
    let from = random_range(rng, other, 256);
    replace(s, r, &other[from])
}

fn duplicate_range(rng: &mut Rng, s: &str, _: &str) -> String {
    let r = random_range(rng, s, 128);
    let copy = s[r.clone()].repeat(1 + rng.small(16));
    replace(s, r.end..r.end, &copy)
}

fn truncate(rng: &mut Rng, s: &str, _: &str) -> String {
    s[..random_pos(rng, s)].to_owned()
}

fn crossover(rng: &mut Rng, s: &str, other: &str) -> String {
    let (a, b) = (line_ranges(s), line_ranges(other));
    let cut_a = a.get(rng.below(a.len() + 1)).map_or(s.len(), |r| r.start);
    let cut_b = b
        .get(rng.below(b.len() + 1))
        .map_or(other.len(), |r| r.start);
    format!("{}{}", &s[..cut_a], &other[cut_b..])
}

fn pick_line(rng: &mut Rng, s: &str) -> Option<Range<usize>> {
    let lines = line_ranges(s);
    (!lines.is_empty()).then(|| lines[rng.below(lines.len())].clone())
}

fn with_newline(line: &str) -> String {
    if line.ends_with('\n') {
        line.to_owned()
    } else {
        format!("{line}\n")
    }
}

fn dup_line(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_line(rng, s) else {
        return "version: 0\n".to_owned();
    };
    let times = if rng.one_in(8) {
        1 + rng.small(4096)
    } else {
        1
    };
    let copy = with_newline(&s[r.clone()]).repeat(times);
    replace(s, r.end..r.end, &copy)
}

fn delete_lines(rng: &mut Rng, s: &str, _: &str) -> String {
    let lines = line_ranges(s);
    if lines.is_empty() {
        return String::new();
    }
    let i = rng.below(lines.len());
    let j = (i + 1 + rng.small(4)).min(lines.len());
    replace(s, lines[i].start..lines[j - 1].end, "")
}

fn swap_lines(rng: &mut Rng, s: &str, _: &str) -> String {
    let lines = line_ranges(s);
    if lines.len() < 2 {
        return s.to_owned();
    }
    let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
    let mut parts: Vec<String> = lines.iter().map(|r| with_newline(&s[r.clone()])).collect();
    parts.swap(i, j);
    parts.concat()
}

fn indent(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_line(rng, s) else {
        return s.to_owned();
    };
    let pad = *rng.pick(&[" ", "  ", "    ", "\t", " \t", "   "]);
    replace(s, r.start..r.start, pad)
}

fn dedent(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_line(rng, s) else {
        return s.to_owned();
    };
    let line = &s[r.clone()];
    let spaces = line.len() - line.trim_start_matches([' ', '\t']).len();
    let upper = spaces.max(1);
    let cut = rng.range(1, upper).min(spaces);
    replace(s, r.start..r.start + cut, "")
}

fn move_block(rng: &mut Rng, s: &str, _: &str) -> String {
    let lines = line_ranges(s);
    if lines.len() < 3 {
        return s.to_owned();
    }
    let i = rng.below(lines.len());
    let j = (i + 1 + rng.small(8)).min(lines.len());
    let block = with_newline(&s[lines[i].start..lines[j - 1].end]);
    let rest = replace(s, lines[i].start..lines[j - 1].end, "");
    let rest_lines = line_ranges(&rest);
    let at = rest_lines
        .get(rng.below(rest_lines.len() + 1))
        .map_or(rest.len(), |r| r.start);
    replace(&rest, at..at, &block)
}

fn line_from_other(rng: &mut Rng, s: &str, other: &str) -> String {
    let Some(from) = pick_line(rng, other) else {
        return s.to_owned();
    };
    let lines = line_ranges(s);
    let at = lines
        .get(rng.below(lines.len() + 1))
        .map_or(s.len(), |r| r.start);
    replace(s, at..at, &with_newline(&other[from]))
}

/// A line broken in two at a random point, the rest indented a little: multi-line plain
/// scalars and flow collections, in block and flow context.
fn break_line(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_line(rng, s) else {
        return s.to_owned();
    };
    let line = &s[r.clone()];
    let spaces: Vec<usize> = line.match_indices(' ').map(|(i, _)| r.start + i).collect();
    let at = match spaces.get(rng.below(spaces.len().max(1))) {
        Some(&i) if rng.coin() => i,
        _ => floor_char(s, r.start + rng.below(line.len().max(1))),
    };
    let pad = " ".repeat(rng.small(6));
    replace(s, at..at, &format!("\n{pad}"))
}

/// A value folded over two lines, with a non-ASCII character at one end: the source text of
/// the value then differs from the value itself.
fn fold_value(rng: &mut Rng, s: &str, _: &str) -> String {
    let v = values(s);
    if v.is_empty() {
        return s.to_owned();
    }
    let r = v[rng.below(v.len())].clone();
    let value = &s[r.clone()];
    let wide = *rng.pick(&["é", "名", "😀", "e\u{301}", "ß"]);
    let pad = " ".repeat(1 + rng.small(4));
    let folded = match rng.below(3) {
        0 => format!("{wide}\n{pad}{value}"),
        1 => format!("{value}\n{pad}{wide}"),
        _ => format!("{value}\n{pad}{value}"),
    };
    replace(s, r, &folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - { name: m, effect: io, params: [ { i32: x } ] }\n";

    #[test]
    fn every_mutator_runs_on_every_kind_of_input() {
        let mut rng = Rng::new(1);
        for m in MUTATORS {
            for input in ["", "x", "é", SEED, "\n\n", "{ a: [ b ] }"] {
                for _ in 0..20 {
                    let out = (m.apply)(&mut rng, input, SEED);
                    assert!(out.len() <= 12 * 1024 * 1024, "{}", m.name);
                }
            }
        }
    }

    #[test]
    fn scanners_find_words_and_values() {
        let w: Vec<&str> = words(SEED).into_iter().map(|r| &SEED[r]).collect();
        assert!(w.contains(&"interfaces") && w.contains(&"i32"));
        let v: Vec<&str> = values(SEED).into_iter().map(|r| &SEED[r]).collect();
        assert_eq!(v, ["0", "a.b", "m", "io", "x"]);
    }
}
