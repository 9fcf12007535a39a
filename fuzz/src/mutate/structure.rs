//! Size and nesting: thousands of params, methods, types, fields and interfaces; nested
//! `array(...)`; nested YAML; record chains (long, and doubling so that spelling a record out
//! in full grows exponentially); aliases fanned out up to bid's limits.

use super::{line_ranges, replace, values};
use crate::rng::Rng;
use std::fmt::Write;

/// Whether to go big this time: rare, because a big input costs a thousand small ones (and
/// the known super-linear cases would otherwise hang a worker every few thousand inputs).
fn huge(rng: &mut Rng) -> bool {
    rng.one_in(200)
}

/// A count that is mostly in the tens or hundreds, now and then in the tens of thousands.
fn count(rng: &mut Rng) -> usize {
    if huge(rng) {
        *rng.pick(&[1_000, 3_000, 5_000, 20_000])
    } else {
        *rng.pick(&[2, 10, 30, 100, 300])
    }
}

/// A minimal file around `types` and `methods` (flow items, one per line, already `- `-less).
pub fn wrap(types: &[String], methods: &[String]) -> String {
    let mut s = String::from("version: 0\ninterfaces:\n  - name: stress.big\n");
    if !types.is_empty() {
        s.push_str("    types:\n");
        for t in types {
            let _ = writeln!(s, "      - {t}");
        }
    }
    s.push_str("    methods:\n");
    for m in methods {
        let _ = writeln!(s, "      - {m}");
    }
    s
}

/// `item` added to the list under the first `key:` of `s` (block or flow), if there is one.
fn insert_under(s: &str, key: &str, item: &str) -> Option<String> {
    let lines = line_ranges(s);
    for (i, r) in lines.iter().enumerate() {
        let line = &s[r.clone()];
        let t = line.trim();
        if t == format!("{key}:") {
            let next = lines.get(i + 1).map(|n| &s[n.clone()])?;
            let indent = next.len() - next.trim_start().len();
            let at = r.end;
            let nl = if line.ends_with('\n') { "" } else { "\n" };
            return Some(replace(
                s,
                at..at,
                &format!("{nl}{}- {item}\n", " ".repeat(indent)),
            ));
        }
        if let Some(rest) = t.strip_prefix(&format!("{key}:"))
            && rest.trim_start().starts_with('[')
        {
            let open = r.start + line.find('[')?;
            let sep = if rest.trim_start().starts_with("[]") {
                ""
            } else {
                ","
            };
            return Some(replace(s, open + 1..open + 1, &format!(" {item}{sep}")));
        }
    }
    None
}

fn params(n: usize, ty: &str) -> String {
    let mut p = String::new();
    for i in 0..n {
        let _ = write!(p, "{{ {ty}: p{i} }}, ");
    }
    p
}

/// Many params, methods, records, handles, fields or interfaces, inside `s` or a new file.
pub fn many_items(rng: &mut Rng, s: &str, _: &str) -> String {
    let n = count(rng);
    let ty = *rng.pick(&["i32", "string", "array(f64)", "bool", "bytes"]);
    match rng.below(5) {
        0 => {
            let m = format!(
                "{{ name: manyParams, effect: io, params: [ {}] }}",
                params(n, ty)
            );
            insert_under(s, "methods", &m).unwrap_or_else(|| wrap(&[], &[m]))
        }
        1 => {
            let ms: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "{{ name: m{i}, effect: pure, params: [ {{ {ty}: a }} ], returns: i64 }}"
                    )
                })
                .collect();
            wrap(&[], &ms)
        }
        2 => {
            let kind = rng.pick(&[
                "record, fields: [ { i32: x } ]",
                "handle",
                "handle, repr: pointer",
            ]);
            let ts: Vec<String> = (0..n)
                .map(|i| format!("{{ name: T{i}, type: {kind} }}"))
                .collect();
            let ms = vec![format!(
                "{{ name: use, effect: io, params: [ {{ T{}: t }} ] }}",
                n - 1
            )];
            wrap(&ts, &ms)
        }
        3 => {
            let mut fields = String::new();
            for i in 0..n {
                let _ = write!(fields, "{{ f64: f{i} }}, ");
            }
            let t = format!("{{ name: Wide, type: record, fields: [ {fields}] }}");
            wrap(
                &[t],
                &[
                    "{ name: take, effect: pure, params: [ { Wide: w } ], returns: Wide }"
                        .to_owned(),
                ],
            )
        }
        _ => {
            let mut f = String::from("version: 0\ninterfaces:\n");
            for i in 0..n {
                let _ = writeln!(
                    f,
                    "  - {{ name: many.i{i}, methods: [ {{ name: m, effect: io }} ] }}"
                );
            }
            f
        }
    }
}

/// `array(array(...(i32)...))`, balanced or not, in a param, return or field.
pub fn deep_array(rng: &mut Rng, s: &str, _: &str) -> String {
    let depth = if huge(rng) {
        *rng.pick(&[1_000, 100_000])
    } else {
        *rng.pick(&[2, 3, 10, 100])
    };
    let elem = *rng.pick(&["i32", "T", "", "void", "array"]);
    let open = *rng.pick(&["array(", "array( ", "array (", "list(", "("]);
    let close = if rng.one_in(4) { 0 } else { depth };
    let ty = format!("{}{elem}{}", open.repeat(depth), ")".repeat(close));
    let quoted = format!("\"{ty}\"");
    let vals = values(s);
    if !vals.is_empty() && rng.coin() {
        return replace(s, vals[rng.below(vals.len())].clone(), &quoted);
    }
    let m = format!(
        "{{ name: deep, effect: io, params: [ {{ name: p, type: {quoted} }} ], returns: {quoted} }}"
    );
    insert_under(s, "methods", &m).unwrap_or_else(|| wrap(&[], &[m]))
}

/// Nested YAML collections around the limit of 24 levels and far past it.
pub fn deep_yaml(rng: &mut Rng, s: &str, _: &str) -> String {
    let depth = if huge(rng) {
        *rng.pick(&[10_000, 200_000])
    } else {
        *rng.pick(&[22, 23, 24, 25, 100])
    };
    let nested = match rng.below(4) {
        0 => format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
        1 => format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth)),
        2 => format!("{}x", "- ".repeat(depth.min(5_000))),
        _ => {
            let mut b = String::new();
            for i in 0..depth.min(2_000) {
                let _ = writeln!(b, "{}k{i}:", " ".repeat(i));
            }
            return format!("{s}\n{b}");
        }
    };
    let vals = values(s);
    if vals.is_empty() || rng.one_in(3) {
        return format!("version: 0\ninterfaces: {nested}\n");
    }
    replace(s, vals[rng.below(vals.len())].clone(), &nested)
}

/// Records that each hold the previous one: a long chain, or a doubling chain (two fields of
/// the previous record each), whose fully spelt-out size doubles at every link.
pub fn record_chain(rng: &mut Rng, _: &str, _: &str) -> String {
    let doubling = rng.coin();
    let n = match (doubling, huge(rng)) {
        (true, false) => *rng.pick(&[4, 8, 12]),
        (true, true) => *rng.pick(&[14, 16, 18, 20, 24]),
        (false, false) => *rng.pick(&[10, 30, 100]),
        (false, true) => *rng.pick(&[1_000, 3_000, 10_000, 20_000]),
    };
    let mut types = vec!["{ name: R0, type: record, fields: [ { i32: x } ] }".to_owned()];
    for i in 1..n {
        let p = i - 1;
        types.push(if doubling {
            format!("{{ name: R{i}, type: record, fields: [ {{ R{p}: a }}, {{ R{p}: b }} ] }}")
        } else {
            format!("{{ name: R{i}, type: record, fields: [ {{ R{p}: a }}, {{ bool: f }} ] }}")
        });
    }
    if rng.coin() {
        types.reverse();
    }
    let last = n - 1;
    let ret = if rng.coin() {
        format!("R{last}")
    } else {
        "void".to_owned()
    };
    let m = format!(
        "{{ name: top, effect: pure, params: [ {{ R{last}: r }}, {{ array(R{last}): rs }} ], returns: {ret} }}"
    );
    wrap(&types, &[m])
}

/// One anchored params list reused by many methods through aliases, near bid's alias limits
/// (1,000 aliases, 10,000 nodes copied in).
pub fn alias_fanout(rng: &mut Rng, _: &str, _: &str) -> String {
    let params = *rng.pick(&[1, 2, 9, 10, 11, 100]);
    let uses = *rng.pick(&[10, 100, 999, 1_000, 1_001, 2_000]);
    let mut ms = vec![format!(
        "{{ name: m0, effect: io, params: &p [ {}] }}",
        (0..params)
            .map(|i| format!("{{ i32: a{i} }}, "))
            .collect::<String>()
    )];
    for i in 1..=uses {
        ms.push(format!("{{ name: m{i}, effect: io, params: *p }}"));
    }
    wrap(&[], &ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_under_block_and_flow_lists() {
        let block = "a:\n  methods:\n    - { name: x }\n";
        assert_eq!(
            insert_under(block, "methods", "{ name: y }").unwrap(),
            "a:\n  methods:\n    - { name: y }\n    - { name: x }\n"
        );
        let flow = "methods: [ { name: x } ]\n";
        assert_eq!(
            insert_under(flow, "methods", "{ name: y }").unwrap(),
            "methods: [ { name: y }, { name: x } ]\n"
        );
        assert_eq!(
            insert_under("methods: []\n", "methods", "m").unwrap(),
            "methods: [ m]\n"
        );
        assert!(insert_under("x: 1\n", "methods", "m").is_none());
    }

    #[test]
    fn chains_and_fanouts_are_checked_by_bid() {
        let mut rng = Rng::new(5);
        let s = alias_fanout(&mut rng, "", "");
        let _ = bid_schema::check_source("t", &s);
        let chain = wrap(
            &["{ name: R0, type: record, fields: [ { i32: x } ] }".to_owned()],
            &["{ name: m, effect: io, params: [ { R0: r } ] }".to_owned()],
        );
        assert!(bid_schema::check_source("t", &chain).is_ok());
    }
}
