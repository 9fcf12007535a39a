//! Limits on records as a whole: none contains itself, none nests deeper or grows larger
//! than a C compiler on every target accepts. Every walk here is linear in the records and
//! their fields, whatever shape a hostile file gives them.

use super::checker::Checker;
use crate::ast::TypeAst;
use crate::diag::{Code, Diagnostic};
use crate::layout::{Layouts, MAX_RECORD_BYTES, Target};
use crate::model::*;

/// The deepest nesting of records inside records bid accepts.
pub(crate) const MAX_RECORD_DEPTH: usize = 32;

impl Checker<'_> {
    /// Reports records that contain themselves, then (only when none does) records nested
    /// too deep or too large. Returns whether the records are sound.
    pub(super) fn records(&mut self, iface: &Interface, types: &[TypeAst]) -> bool {
        let cyclic = self.recursion(iface, types);
        !cyclic && self.depth(iface, types) && self.size(iface, types)
    }

    fn name_span(&self, types: &[TypeAst], id: usize) -> crate::diag::Span {
        let t = &types[id];
        self.span(t.name.as_ref().map_or(t.span, |n| n.span))
    }

    /// A record that contains itself, directly or through other records, has no size: every
    /// record on a cycle of the "holds by value" graph is reported, with a field that holds
    /// it. Tarjan's strongly connected components, with an explicit stack.
    fn recursion(&mut self, iface: &Interface, types: &[TypeAst]) -> bool {
        let n = iface.types.len();
        let edges = |i: usize| -> Vec<usize> {
            match &iface.types[i].kind {
                TypeDefKind::Record(r) => r
                    .fields
                    .iter()
                    .filter_map(|f| match f.ty {
                        Elem::Record(id) => Some(id.0),
                        _ => None,
                    })
                    .collect(),
                TypeDefKind::Handle(_) => Vec::new(),
            }
        };
        const UNSEEN: usize = usize::MAX;
        let (mut index, mut low) = (vec![UNSEEN; n], vec![0; n]);
        let (mut on_stack, mut component) = (vec![false; n], vec![UNSEEN; n]);
        let (mut next_index, mut components) = (0, 0);
        let mut stack = Vec::new();
        for root in 0..n {
            if index[root] != UNSEEN {
                continue;
            }
            let mut work = vec![(root, edges(root), 0usize)];
            index[root] = next_index;
            low[root] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some((v, out, at)) = work.last_mut() {
                let v = *v;
                if let Some(&w) = out.get(*at) {
                    *at += 1;
                    if index[w] == UNSEEN {
                        index[w] = next_index;
                        low[w] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        work.push((w, edges(w), 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some((parent, _, _)) = work.last() {
                    low[*parent] = low[*parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component[w] = components;
                        if w == v {
                            break;
                        }
                    }
                    components += 1;
                }
            }
        }
        let mut size = vec![0usize; components];
        for &c in &component {
            size[c] += 1;
        }
        // For each record, the first field (records in declaration order, then fields in
        // order) of a record in its component that holds it.
        let mut holder: Vec<Option<(usize, &Field)>> = vec![None; n];
        for y in 0..n {
            let TypeDefKind::Record(r) = &iface.types[y].kind else {
                continue;
            };
            for f in &r.fields {
                if let Elem::Record(TypeId(x)) = f.ty
                    && component[x] == component[y]
                    && holder[x].is_none()
                {
                    holder[x] = Some((y, f));
                }
            }
        }
        let mut found = false;
        for (x, held) in holder.into_iter().enumerate() {
            // On a cycle exactly when the component holds more than `x`, or `x` holds itself.
            let Some((y, f)) = held else { continue };
            if size[component[x]] == 1 && y != x {
                continue;
            }
            found = true;
            let span = self.name_span(types, x);
            let name = &iface.types[x].name;
            self.push(
                Diagnostic::error(
                    Code::TypeRecursive,
                    format!("record `{name}` contains itself"),
                )
                .primary(span, "infinitely large record")
                .note(format!(
                    "field `{}` of `{}` holds `{name}` by value",
                    f.name, iface.types[y].name
                )),
            );
        }
        found
    }

    /// Records nested more than [`MAX_RECORD_DEPTH`] deep: only the shallowest record past
    /// the limit is reported, so a long chain gives one error.
    fn depth(&mut self, iface: &Interface, types: &[TypeAst]) -> bool {
        let mut depth = vec![0usize; iface.types.len()];
        let mut ok = true;
        for id in iface.records_in_dependency_order() {
            let inner = iface
                .record(id)
                .fields
                .iter()
                .filter_map(|f| match f.ty {
                    Elem::Record(r) => Some(depth[r.0]),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            depth[id.0] = inner + 1;
            if depth[id.0] == MAX_RECORD_DEPTH + 1 {
                ok = false;
                let span = self.name_span(types, id.0);
                self.push(
                    Diagnostic::error(
                        Code::TypeTooLarge,
                        format!(
                            "record `{}` nests records {} deep; bid allows {MAX_RECORD_DEPTH}",
                            iface.types[id.0].name, depth[id.0]
                        ),
                    )
                    .primary(span, "nested too deep")
                    .help("flatten the record: hold the inner fields directly"),
                );
            }
        }
        ok
    }

    /// Records larger than a C object may be on some target; the smallest such record is
    /// reported, on the first target where it is too large.
    fn size(&mut self, iface: &Interface, types: &[TypeAst]) -> bool {
        let mut ok = true;
        let mut reported = vec![false; iface.types.len()];
        for target in Target::ALL {
            let layouts = Layouts::new(iface, target);
            for id in iface.records_in_dependency_order() {
                let size = layouts.record(id).size;
                let inner_too_large = iface.record(id).fields.iter().any(|f| {
                    matches!(f.ty, Elem::Record(r) if layouts.record(r).size > MAX_RECORD_BYTES)
                });
                if size <= MAX_RECORD_BYTES || inner_too_large || reported[id.0] {
                    continue;
                }
                ok = false;
                reported[id.0] = true;
                let span = self.name_span(types, id.0);
                self.push(
                    Diagnostic::error(
                        Code::TypeTooLarge,
                        format!(
                            "record `{}` is {size} bytes on {}; bid allows {MAX_RECORD_BYTES}",
                            iface.types[id.0].name,
                            target.triple()
                        ),
                    )
                    .primary(span, "too large for a C object")
                    .help("pass large data as `bytes` or `array(T)` instead of by value"),
                );
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    fn check(types: &str) -> Result<crate::Model, crate::Report> {
        crate::check_source(
            "t.bid.yaml",
            &format!(
                "version: 0\ninterfaces:\n  - name: a.b\n    types:\n{types}    methods: []\n"
            ),
        )
    }

    /// `n` records, each holding the one `next` names.
    fn chain(n: usize, next: impl Fn(usize) -> usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "      - {{ name: R{i}, type: record, fields: [ {{ R{}: next }} ] }}\n",
                    next(i)
                )
            })
            .collect()
    }

    // As long as a file may declare (`check::limits`).
    const N: usize = super::super::limits::MAX_TYPES;

    #[test]
    fn a_long_chain_is_one_error_and_no_stack() {
        let mut types = chain(N - 1, |i| i + 1);
        types.push_str(&format!(
            "      - {{ name: R{}, type: record, fields: [ {{ i32: x }} ] }}\n",
            N - 1
        ));
        let r = check(&types).unwrap_err();
        let codes: Vec<&str> = r.diagnostics().iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["bid.type.too_large"], "{}", &r.render()[..500]);
    }

    #[test]
    fn a_cycle_through_a_long_chain_is_found() {
        let r = check(&chain(N, |i| (i + 1) % N)).unwrap_err();
        assert_eq!(r.diagnostics().len(), N);
        assert!(
            r.diagnostics()
                .iter()
                .all(|d| d.code == "bid.type.recursive")
        );
    }

    #[test]
    fn a_record_that_doubles_at_every_level_is_refused_by_size() {
        let mut types =
            String::from("      - { name: R0, type: record, fields: [ { i64: x } ] }\n");
        for i in 1..=31 {
            types.push_str(&format!(
                "      - {{ name: R{i}, type: record, fields: [ {{ R{0}: a }}, {{ R{0}: b }} ] }}\n",
                i - 1
            ));
        }
        let r = check(&types).unwrap_err();
        assert_eq!(r.diagnostics().len(), 1, "{}", r.render());
        let d = &r.diagnostics()[0];
        assert_eq!(d.code, "bid.type.too_large");
        assert!(
            d.message.starts_with("record `R28` is 2147483648 bytes"),
            "{}",
            d.message
        );
    }
}
