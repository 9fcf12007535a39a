//! YAML-construct mutators: anchors and aliases, flow versus block style, quoting and
//! escapes, block scalars, tags, document markers, comments, explicit keys, and extra keys.
//! They rewrite the text as a person (or an attacker) would, so the result is often still
//! YAML and reaches bid's checker rather than dying in the parser.

use super::pools;
use super::{line_ranges, random_pos, replace, values};
use crate::rng::Rng;
use crate::words::ANCHORS;

fn pick_value(rng: &mut Rng, s: &str) -> Option<std::ops::Range<usize>> {
    let v = values(s);
    (!v.is_empty()).then(|| v[rng.below(v.len())].clone())
}

fn anchor_name(rng: &mut Rng) -> String {
    if rng.one_in(16) {
        "a".repeat(rng.range(1_000, 20_000))
    } else {
        (*rng.pick(ANCHORS)).to_owned()
    }
}

/// `&name` on one value or collection, `*name` in place of another value.
pub fn anchor_alias(rng: &mut Rng, s: &str, _: &str) -> String {
    let name = anchor_name(rng);
    let vals = values(s);
    if vals.is_empty() {
        return format!("{s}\nx: &{name} 1\ny: *{name}\n");
    }
    let target = vals[rng.below(vals.len())].clone();
    // Anchor a collection (`{`/`[`) now and then: aliases of whole params and methods.
    let opener = s
        .char_indices()
        .filter(|(_, c)| matches!(c, '{' | '['))
        .map(|(i, _)| i)
        .nth(rng.below(8));
    let anchored = match opener {
        Some(at) if rng.coin() => at,
        _ => vals[rng.below(vals.len())].start,
    };
    if rng.one_in(6) {
        // Alias before (or without) its anchor.
        return replace(s, target, &format!("*{name}"));
    }
    let (first, second) = if anchored < target.start {
        (anchored, target)
    } else if anchored >= target.end {
        // Alias first, anchor after: undefined at the point of use.
        let t = replace(s, anchored..anchored, &format!("&{name} "));
        return replace(&t, target, &format!("*{name}"));
    } else {
        return replace(s, target.start..target.start, &format!("&{name} "));
    };
    let t = replace(s, second, &format!("*{name}"));
    replace(&t, first..first, &format!("&{name} "))
}

/// `<<: *a` merge keys, which YAML 1.2 does not define and BID must not trip over.
pub fn merge_key(rng: &mut Rng, s: &str, _: &str) -> String {
    let braces: Vec<usize> = s.match_indices('{').map(|(i, _)| i).collect();
    if braces.len() < 2 {
        return format!("{s}\nbase: &b {{ name: x }}\nuse: {{ <<: *b }}\n");
    }
    let (a, b) = (rng.below(braces.len()), rng.below(braces.len()));
    let (first, second) = (braces[a.min(b)], braces[a.max(b)]);
    let name = anchor_name(rng);
    let t = replace(s, second + 1..second + 1, &format!(" <<: *{name},"));
    replace(&t, first..first, &format!("&{name} "))
}

/// Splits `inner` at top-level commas (not inside `{}`, `[]` or quotes).
fn split_top(inner: &str) -> Vec<&str> {
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    let mut out = Vec::new();
    for (i, c) in inner.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('{' | '[', None) => depth += 1,
            ('}' | ']', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(inner[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

/// `- { a: 1, b: 2 }` -> `- a: 1` / `  b: 2`, and `k: [ x, y ]` -> `k:` / `  - x` / `  - y`.
pub fn flow_to_block(rng: &mut Rng, s: &str, _: &str) -> String {
    let lines = line_ranges(s);
    let candidates: Vec<_> = lines
        .iter()
        .filter(|r| {
            let l = s[(*r).clone()].trim_end();
            l.ends_with('}') || l.ends_with(']')
        })
        .collect();
    if candidates.is_empty() {
        return s.to_owned();
    }
    let r = candidates[rng.below(candidates.len())].clone();
    let line = s[r.clone()].trim_end();
    let Some(open) = line.find(['{', '[']) else {
        return s.to_owned();
    };
    let indent = line.len() - line.trim_start().len();
    let head = &line[..open];
    let inner = &line[open + 1..line.len() - 1];
    let parts = split_top(inner);
    let is_map = line.as_bytes()[open] == b'{';
    let mut out = String::new();
    let trimmed_head = head.trim_end();
    if is_map && trimmed_head.ends_with('-') {
        // `- { a, b }` -> `- a` then `  b` under it.
        let col = trimmed_head.len() + 1;
        for (i, p) in parts.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("{trimmed_head} {p}\n"));
            } else {
                out.push_str(&format!("{}{p}\n", " ".repeat(col)));
            }
        }
    } else {
        out.push_str(&format!("{trimmed_head}\n"));
        let pad = " ".repeat(indent + 2);
        for p in parts {
            if is_map {
                out.push_str(&format!("{pad}{p}\n"));
            } else {
                out.push_str(&format!("{pad}- {p}\n"));
            }
        }
    }
    replace(s, r, &out)
}

/// A block mapping item (`- a: 1` / `  b: 2`) folded into `- { a: 1, b: 2 }`.
pub fn block_to_flow(rng: &mut Rng, s: &str, _: &str) -> String {
    let lines = line_ranges(s);
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = &s[lines[i].clone()];
            l.trim_start().starts_with("- ") && l.contains(": ")
        })
        .collect();
    if starts.is_empty() {
        return s.to_owned();
    }
    let i = starts[rng.below(starts.len())];
    let first = s[lines[i].clone()].trim_end();
    let dash = first.find("- ").unwrap_or(0);
    let col = dash + 2;
    let mut parts = vec![first[col..].to_owned()];
    let mut j = i + 1;
    while j < lines.len() {
        let l = s[lines[j].clone()].trim_end();
        let ind = l.len() - l.trim_start().len();
        if ind != col || l.trim_start().starts_with('-') || l.ends_with(':') {
            break;
        }
        parts.push(l.trim_start().to_owned());
        j += 1;
    }
    let flow = format!("{}- {{ {} }}\n", &first[..dash], parts.join(", "));
    replace(s, lines[i].start..lines[j - 1].end, &flow)
}

/// YAML escapes for double-quoted scalars, valid and not.
const ESCAPES: &[&str] = &[
    "\\t",
    "\\n",
    "\\0",
    "\\N",
    "\\_",
    "\\L",
    "\\P",
    "\\e",
    "\\a",
    "\\v",
    "\\/",
    "\\ ",
    "\\\"",
    "\\\\",
    "\\x41",
    "\\u00e9",
    "\\u202E",
    "\\u2066",
    "\\U0001F600",
    "\\uD800",
    "\\U00110000",
    "\\x",
    "\\q",
    "\\r",
    "\\u0000",
    "\\x00",
    "\\uFEFF",
];

/// A plain scalar rewritten as a quoted one: single, double, with escapes, folded.
pub fn quote_scalar(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_value(rng, s) else {
        return s.to_owned();
    };
    let v = &s[r.clone()];
    let quoted = match rng.below(8) {
        0 => format!("'{v}'"),
        1 => format!("'{}'", v.replace('\'', "''")),
        2 => {
            let escaped: String = v.chars().map(|c| format!("\\u{:04X}", c as u32)).collect();
            format!("\"{escaped}\"")
        }
        3 => {
            let e = rng.pick(ESCAPES);
            let at = v.char_indices().map(|(i, _)| i).nth(rng.below(v.len() + 1));
            let at = at.unwrap_or(v.len());
            format!("\"{}{e}{}\"", &v[..at], &v[at..])
        }
        4 => format!("\"{v}\n  {v}\""),
        5 => format!("\"{v}\\\n  \""),
        6 => format!("\"{v}"),
        _ => format!("\"{v}\""),
    };
    replace(s, r, &quoted)
}

/// A value turned into a literal or folded block scalar, well or badly indented.
pub fn block_scalar(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_value(rng, s) else {
        return s.to_owned();
    };
    let v = s[r.clone()].to_owned();
    let line_start = s[..r.start].rfind('\n').map_or(0, |i| i + 1);
    let line = &s[line_start..r.start];
    let indent = line.len() - line.trim_start().len();
    let style = rng.pick(&["|", ">", "|-", "|+", ">-", ">+", "|2", ">1", "|9", "|-1"]);
    let pad = match rng.below(4) {
        0 => indent,
        1 => indent + 1,
        _ => indent + 2 + rng.small(4),
    };
    let mut body = format!("{style}\n{}{v}", " ".repeat(pad));
    if rng.coin() {
        body.push_str(&format!("\n{}{v}\n", " ".repeat(pad + rng.small(2))));
    }
    if rng.one_in(3) {
        body.push_str("\n\n");
    }
    replace(s, r, &body)
}

const TAGS: &[&str] = &[
    "!!str",
    "!!int",
    "!!bool",
    "!!null",
    "!!float",
    "!!binary",
    "!!map",
    "!!seq",
    "!!timestamp",
    "!!set",
    "!!omap",
    "!local",
    "!",
    "!<tag:yaml.org,2002:str>",
    "!<!>",
    "!e!tag",
    "!<>",
    "!!\u{e9}",
];

/// A tag before a value or a collection.
pub fn tag(rng: &mut Rng, s: &str, _: &str) -> String {
    let t = *rng.pick(TAGS);
    let at = match pick_value(rng, s) {
        Some(r) if rng.coin() => r.start,
        _ => match s.find(['{', '[']) {
            Some(i) => i,
            None => random_pos(rng, s),
        },
    };
    replace(s, at..at, &format!("{t} "))
}

/// `---`, `...`, `%YAML` and `%TAG` directives, a second document, a byte order mark.
pub fn document_marker(rng: &mut Rng, s: &str, other: &str) -> String {
    match rng.below(11) {
        0 => format!("---\n{s}"),
        1 => format!("--- {s}"),
        2 => format!("%YAML 1.2\n---\n{s}"),
        3 => format!("%YAML 1.1\n---\n{s}"),
        4 => format!("%YAML 2.0\n---\n{s}"),
        5 => format!("%TAG !e! tag:example.com,2000:\n---\n{s}"),
        6 => format!("{s}\n...\n"),
        7 => format!("{s}\n---\n{other}"),
        8 => format!("\u{feff}{s}"),
        9 => format!("%FOO bar\n---\n{s}"),
        _ => {
            let lines = line_ranges(s);
            let at = lines
                .get(rng.below(lines.len() + 1))
                .map_or(s.len(), |r| r.start);
            let marker = rng.pick(&["---\n", "...\n", "--- |\n", "---\t\n"]);
            replace(s, at..at, marker)
        }
    }
}

/// A comment at the end of a line, on its own line, inside a flow collection or glued.
pub fn comment(rng: &mut Rng, s: &str, _: &str) -> String {
    let text = match rng.below(5) {
        0 => "# plain comment".to_owned(),
        1 => format!("# {}", pools::unicode_char(rng)),
        2 => "# a: b, { [ *x &y".to_owned(),
        3 => "#glued".to_owned(),
        _ => format!("# {}", "c".repeat(rng.small(4096))),
    };
    let lines = line_ranges(s);
    let Some(r) = lines.get(rng.below(lines.len().max(1))).cloned() else {
        return format!("{text}\n{s}");
    };
    let line = s[r.clone()].trim_end_matches(['\n', '\r']);
    match rng.below(4) {
        0 => replace(
            s,
            r.start..r.start,
            &format!("{}{text}\n", " ".repeat(rng.small(8))),
        ),
        1 => match line.find(", ") {
            Some(i) => replace(s, r.start + i + 1..r.start + i + 1, &format!("{text}\n")),
            None => replace(
                s,
                r.start + line.len()..r.start + line.len(),
                &format!(" {text}"),
            ),
        },
        2 => replace(
            s,
            r.start + line.len()..r.start + line.len(),
            text.trim_start_matches('#'),
        ),
        _ => replace(
            s,
            r.start + line.len()..r.start + line.len(),
            &format!(" {text}"),
        ),
    }
}

/// `key: value` -> `? key` / `: value`.
pub fn explicit_key(rng: &mut Rng, s: &str, _: &str) -> String {
    let lines = line_ranges(s);
    let cands: Vec<_> = lines
        .iter()
        .filter(|r| {
            let l = &s[(*r).clone()];
            l.contains(": ") && !l.contains('{') && !l.trim_start().starts_with('-')
        })
        .collect();
    if cands.is_empty() {
        return s.to_owned();
    }
    let r = cands[rng.below(cands.len())].clone();
    let line = &s[r.clone()];
    let indent = line.len() - line.trim_start().len();
    let Some(colon) = line.find(": ") else {
        return s.to_owned();
    };
    let pad = " ".repeat(indent);
    let new = format!(
        "{pad}? {}\n{pad}: {}",
        line[indent..colon].trim(),
        &line[colon + 2..]
    );
    replace(s, r, &with_nl(new))
}

fn with_nl(s: String) -> String {
    if s.ends_with('\n') { s } else { s + "\n" }
}

/// A value replaced by nothing, `~`, `null`, an empty collection or an empty string.
pub fn empty_value(rng: &mut Rng, s: &str, _: &str) -> String {
    let Some(r) = pick_value(rng, s) else {
        return s.to_owned();
    };
    let e = rng.pick(&[
        "", "~", "null", "{}", "[]", "\"\"", "''", "!!null", "[ ~ ]", "{ }",
    ]);
    replace(s, r, e)
}

/// Every key BID knows, a few it does not, and YAML's merge key.
const KEYS: &[&str] = &[
    "version",
    "memory",
    "transport",
    "interfaces",
    "namespace",
    "name",
    "box",
    "symbol_prefix",
    "doc",
    "thread_safe",
    "types",
    "methods",
    "type",
    "repr",
    "release",
    "fields",
    "params",
    "returns",
    "effect",
    "symbol",
    "fallible",
    "ownership",
    "pointer_size",
    "alignment",
    "endianness",
    "location",
    "future_transports",
    "nme",
    "Name",
    "<<",
    "",
    "i32",
    "array(i32)",
];

/// An extra `key: value` in a block or flow mapping.
pub fn add_key(rng: &mut Rng, s: &str, _: &str) -> String {
    let key = *rng.pick(KEYS);
    let value = pools::value(rng);
    insert_entry(rng, s, &format!("{key}: {value}"))
}

/// `entry` (`key: value`) added to a random flow mapping or block sequence item.
pub fn insert_entry(rng: &mut Rng, s: &str, entry: &str) -> String {
    let flows: Vec<usize> = s.match_indices("{ ").map(|(i, _)| i + 2).collect();
    if !flows.is_empty() && rng.coin() {
        let at = flows[rng.below(flows.len())];
        return replace(s, at..at, &format!("{entry}, "));
    }
    let lines = line_ranges(s);
    let items: Vec<_> = lines
        .iter()
        .filter(|r| {
            let l = &s[(*r).clone()];
            l.trim_start().starts_with("- ") && !l.contains('{')
        })
        .collect();
    let Some(r) = items.get(rng.below(items.len().max(1))).cloned() else {
        return format!("{s}\n{entry}\n");
    };
    let line = &s[r.clone()];
    let col = line.find("- ").map_or(0, |i| i + 2);
    let at = if line.ends_with('\n') { r.end } else { s.len() };
    let nl = if line.ends_with('\n') { "" } else { "\n" };
    replace(s, at..at, &format!("{nl}{}{entry}\n", " ".repeat(col)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_and_block_round_trip_a_simple_item() {
        let s = "m:\n  - { name: x, effect: io }\n";
        let mut rng = Rng::new(0);
        let b = flow_to_block(&mut rng, s, "");
        assert_eq!(b, "m:\n  - name: x\n    effect: io\n");
        let f = block_to_flow(&mut rng, &b, "");
        assert_eq!(f, "m:\n  - { name: x, effect: io }\n");
    }

    #[test]
    fn split_respects_nesting_and_quotes() {
        assert_eq!(
            split_top(" a: 1, b: [1, 2], c: 'x, y' "),
            ["a: 1", "b: [1, 2]", "c: 'x, y'"]
        );
    }
}
