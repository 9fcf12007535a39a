//! An oracle for a silent kind of wrong code: a generated method that passes the plugin a
//! value other than the parameter an argument belongs to. A parameter named like a local of
//! the generated body (`__bid_l0`, `__bid_a1`, ...) once made such code, and it compiled.
//!
//! The check follows values, not names, so it holds whatever the generator calls its locals:
//! on the tokens of each generated method it tracks, `let` by `let` in order and scope by
//! scope, which parameters every local is computed from (a tuple `let (a, b) = (x, y);` maps
//! element by element; any other `let` gives each name everything its expression reads).
//! Each argument of the plugin call `(self.fns.NAME)(args)` must then come from exactly the
//! parameter the model says is at that position (a buffer's pointer and length both from
//! it), and a trailing out-pointer from none.

use bid_schema::Model;
use bid_schema::model::{Method, Type};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;
use syn::{ImplItem, Item};

/// A set of parameter indices (a method has far fewer than 64 in practice; the rest share
/// the last bit, which only makes the check coarser).
type Origins = u64;

fn bit(j: usize) -> Origins {
    1 << j.min(63)
}

/// A token in depth-first order; groups open and close around their tokens.
enum Leaf {
    Ident(String),
    Punct(char),
    Open(Delimiter),
    Close,
    /// A `(self.fns.NAME)(args)` call: the name, and the leaves of each argument.
    Call(String, Vec<Vec<Leaf>>),
}

/// The first generated method that passes the plugin something other than its parameters,
/// described.
pub fn rebound_parameter(model: &Model, file: &syn::File) -> Option<String> {
    // Methods by (box, Rust ident), as the impl blocks name them.
    let mut methods: HashMap<(&str, &str), &Method> = HashMap::new();
    for iface in model.interfaces() {
        for m in iface.methods() {
            methods.insert((iface.box_name(), m.rust()), m);
        }
    }
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let self_ty = imp.self_ty.to_token_stream().to_string();
        for ii in &imp.items {
            let ImplItem::Fn(f) = ii else { continue };
            let name = f.sig.ident.to_string();
            let Some(m) = methods.get(&(self_ty.as_str(), name.as_str())) else {
                continue;
            };
            let params: Vec<String> = f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(pt) => Some(pt.pat.to_token_stream().to_string()),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let mut leaves = Vec::new();
            flatten(f.block.to_token_stream(), &mut leaves);
            if let Some(problem) = check(&leaves, &params, m) {
                return Some(format!("method `{self_ty}::{name}`: {problem}"));
            }
        }
    }
    None
}

/// What each C argument position must come from: `Some(j)` parameter `j`, `None` nothing.
fn expected(m: &Method) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for (j, p) in m.params().iter().enumerate() {
        match p.ty() {
            Type::Buffer(..) => out.extend([Some(j), Some(j)]),
            _ => out.push(Some(j)),
        }
    }
    if m.has_out_param() {
        out.push(None);
    }
    out
}

/// A `let` being read: its pattern, then its expression, each split into top-level tuple
/// slots when it is a parenthesised tuple.
struct Pending {
    depth: usize,
    in_pattern: bool,
    in_type: bool,
    pattern: Vec<Vec<String>>,
    items: Vec<Origins>,
    /// Leaves of the expression read so far at the `let`'s own depth (a group counts one).
    read: usize,
    /// Whether the expression is exactly one parenthesised group: `Some(true)` while it
    /// still may be, `Some(false)` once it is not, `None` before it starts.
    tuple: Option<bool>,
}

impl Pending {
    fn in_expr(&self) -> bool {
        !self.in_pattern && !self.in_type
    }

    /// A leaf of the expression at the `let`'s depth: the expression is a tuple only if its
    /// first such leaf opens a parenthesis and nothing follows the group.
    fn expr_leaf(&mut self, opens_paren: bool) {
        self.tuple = Some(self.read == 0 && opens_paren);
        self.read += 1;
    }

    fn read_origins(&mut self, o: Origins) {
        if self.items.is_empty() {
            self.items.push(0);
        }
        if let Some(item) = self.items.last_mut() {
            *item |= o;
        }
    }
}

fn check(leaves: &[Leaf], params: &[String], m: &Method) -> Option<String> {
    // (depth, name, origins): the latest entry of a name is the one in scope.
    let mut env: Vec<(usize, String, Origins)> = params
        .iter()
        .enumerate()
        .map(|(j, p)| (0, p.clone(), bit(j)))
        .collect();
    let mut pending: Vec<Pending> = Vec::new();
    let mut depth = 0usize;
    // Inside a turbofish `::<...>`: types, not values (a parameter may be called `i32`).
    let mut generics = 0usize;
    let mut called = false;
    for (i, leaf) in leaves.iter().enumerate() {
        if let Leaf::Punct(c) = leaf {
            let turbofish =
                *c == '<' && i >= 1 && matches!(leaves.get(i - 1), Some(Leaf::Punct(':')));
            if turbofish || (*c == '<' && generics > 0) {
                generics += 1;
                continue;
            }
            if *c == '>' && generics > 0 {
                generics -= 1;
                continue;
            }
        }
        if generics > 0 {
            continue;
        }
        match leaf {
            Leaf::Open(delimiter) => {
                if let Some(p) = pending.last_mut().filter(|p| p.depth == depth) {
                    if p.in_pattern {
                        p.pattern.push(Vec::new());
                    } else if p.in_expr() {
                        p.expr_leaf(*delimiter == Delimiter::Parenthesis);
                    }
                }
                depth += 1;
            }
            Leaf::Close => {
                depth = depth.saturating_sub(1);
                env.retain(|(d, _, _)| *d <= depth);
                pending.retain(|p| p.depth <= depth);
            }
            Leaf::Ident(id) if id == "let" => pending.push(Pending {
                depth,
                in_pattern: true,
                in_type: false,
                pattern: Vec::new(),
                items: Vec::new(),
                read: 0,
                tuple: None,
            }),
            Leaf::Ident(id) => {
                let Some(p) = pending.last_mut() else {
                    continue;
                };
                if p.in_pattern {
                    if !matches!(id.as_str(), "mut" | "ref" | "_") {
                        if p.pattern.is_empty() {
                            p.pattern.push(Vec::new());
                        }
                        if let Some(slot) = p.pattern.last_mut() {
                            slot.push(id.clone());
                        }
                    }
                } else if p.in_expr() {
                    if depth == p.depth {
                        p.expr_leaf(false);
                    }
                    if is_value(leaves, i) {
                        p.read_origins(lookup(&env, id));
                    }
                }
            }
            Leaf::Punct(c) => {
                let Some(p) = pending.last_mut() else {
                    continue;
                };
                match c {
                    ',' if p.in_pattern && depth == p.depth + 1 => p.pattern.push(Vec::new()),
                    ',' if p.in_expr() && depth == p.depth + 1 && p.tuple == Some(true) => {
                        p.items.push(0);
                    }
                    ':' if p.in_pattern && depth == p.depth => {
                        p.in_pattern = false;
                        p.in_type = true;
                    }
                    '=' if depth == p.depth && !p.in_expr() => {
                        p.in_pattern = false;
                        p.in_type = false;
                    }
                    ';' if depth == p.depth => {
                        if let Some(p) = pending.pop() {
                            bind(&mut env, p);
                        }
                    }
                    _ if depth == p.depth && p.in_expr() => p.expr_leaf(false),
                    _ => {}
                }
            }
            Leaf::Call(name, args) => {
                if let Some(p) = pending
                    .last_mut()
                    .filter(|p| p.depth == depth && p.in_expr())
                {
                    p.expr_leaf(false);
                }
                if name != m.rust() {
                    continue;
                }
                called = true;
                if let Some(problem) = check_call(&env, args, params, m) {
                    return Some(problem);
                }
            }
        }
    }
    (!called).then(|| "the plugin is never called".to_owned())
}

/// Each argument of the plugin call comes from the parameter at its position, or from none.
fn check_call(
    env: &[(usize, String, Origins)],
    args: &[Vec<Leaf>],
    params: &[String],
    m: &Method,
) -> Option<String> {
    let want = expected(m);
    if args.len() != want.len() {
        return Some(format!(
            "the plugin call has {} arguments, the C prototype {}",
            args.len(),
            want.len()
        ));
    }
    for (k, (arg, want)) in args.iter().zip(want).enumerate() {
        let mut got: Origins = 0;
        for (a, l) in arg.iter().enumerate() {
            if let Leaf::Ident(id) = l
                && is_value(arg, a)
            {
                got |= lookup(env, id);
            }
        }
        let ok = match want {
            Some(j) => got == bit(j),
            None => got == 0,
        };
        if ok {
            continue;
        }
        let from: Vec<&str> = (0..params.len())
            .filter(|&j| got & bit(j) != 0)
            .map(|j| params[j].as_str())
            .collect();
        let want = want.map_or("no parameter".to_owned(), |j| {
            format!("parameter `{}`", params[j])
        });
        let from = if from.is_empty() {
            "no parameter".to_owned()
        } else {
            format!("`{}`", from.join("`, `"))
        };
        return Some(format!(
            "argument {k} of the plugin call should come from {want} but comes from {from}"
        ));
    }
    None
}

/// The names of a finished `let` enter the scope with what their expression read.
fn bind(env: &mut Vec<(usize, String, Origins)>, p: Pending) {
    if p.tuple == Some(true) && p.pattern.len() > 1 {
        for (j, slot) in p.pattern.iter().enumerate() {
            let o = p.items.get(j).copied().unwrap_or(0);
            for n in slot {
                env.push((p.depth, n.clone(), o));
            }
        }
    } else {
        let all = p.items.iter().fold(0, |a, b| a | b);
        for n in p.pattern.iter().flatten() {
            env.push((p.depth, n.clone(), all));
        }
    }
}

fn lookup(env: &[(usize, String, Origins)], name: &str) -> Origins {
    env.iter()
        .rev()
        .find(|(_, n, _)| n == name)
        .map_or(0, |(_, _, o)| *o)
}

/// Whether the ident at `i` reads a variable: not a field or method after `.`, not a path
/// segment after `::` or before `:`/`::` (a path head or a struct literal's field name), not a type after `as`, not a
/// macro.
fn is_value(leaves: &[Leaf], i: usize) -> bool {
    let punct = |k: Option<usize>| match k.and_then(|k| leaves.get(k)) {
        Some(Leaf::Punct(c)) => Some(*c),
        _ => None,
    };
    let before = punct(i.checked_sub(1));
    let after = punct(Some(i + 1));
    let after_as =
        matches!(i.checked_sub(1).and_then(|k| leaves.get(k)), Some(Leaf::Ident(a)) if a == "as");
    let path = before == Some(':') && punct(i.checked_sub(2)) == Some(':');
    !(before == Some('.') || path || after == Some(':') || after == Some('!') || after_as)
}

/// Leaves of `tokens` in order; a plugin call becomes one [`Leaf::Call`].
fn flatten(tokens: TokenStream, out: &mut Vec<Leaf>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Group(g) => {
                let callee: Vec<String> = g.stream().into_iter().map(|t| t.to_string()).collect();
                let is_call = g.delimiter() == Delimiter::Parenthesis
                    && callee.len() == 5
                    && callee[..4] == ["self", ".", "fns", "."];
                match trees.get(i + 1) {
                    Some(TokenTree::Group(args))
                        if is_call && args.delimiter() == Delimiter::Parenthesis =>
                    {
                        out.push(Leaf::Call(callee[4].clone(), split_args(args.stream())));
                        i += 2;
                        continue;
                    }
                    _ => {
                        out.push(Leaf::Open(g.delimiter()));
                        flatten(g.stream(), out);
                        out.push(Leaf::Close);
                    }
                }
            }
            TokenTree::Ident(id) => out.push(Leaf::Ident(id.to_string())),
            TokenTree::Punct(p) => out.push(Leaf::Punct(p.as_char())),
            TokenTree::Literal(_) => {}
        }
        i += 1;
    }
}

/// The arguments of a call, split at its top-level commas (a trailing comma ends the last).
fn split_args(tokens: TokenStream) -> Vec<Vec<Leaf>> {
    let mut args: Vec<TokenStream> = vec![TokenStream::new()];
    for t in tokens {
        match &t {
            TokenTree::Punct(p) if p.as_char() == ',' => args.push(TokenStream::new()),
            _ => {
                if let Some(a) = args.last_mut() {
                    a.extend([t]);
                }
            }
        }
    }
    if args.last().is_some_and(|a| a.is_empty()) {
        args.pop();
    }
    args.into_iter()
        .map(|a| {
            let mut leaves = Vec::new();
            flatten(a, &mut leaves);
            leaves
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(params: &str) -> Model {
        let text = format!(
            "version: 0\ninterfaces:\n  - name: a.b\n    box: B\n    methods:\n      - {{ name: m, effect: io, params: [ {params} ] }}\n"
        );
        bid_schema::check_source("t.bid.yaml", &text).expect("a valid test model")
    }

    fn file(src: &str) -> syn::File {
        syn::parse_str(src).expect("test source parses")
    }

    #[test]
    fn a_local_passed_for_a_parameter_is_reported() {
        let m = model("{ string: s }, { i32: __bid_l0 }");
        let f = file(
            "impl B { fn m(&self, s: &str, __bid_l0: i32) { let (__bid_p0, __bid_l0) = f(s); unsafe { (self.fns.m)(__bid_p0, __bid_l0, __bid_l0) }; } }",
        );
        let problem = rebound_parameter(&m, &f).unwrap();
        assert!(problem.contains("argument 2"), "{problem}");
    }

    #[test]
    fn parameters_moved_first_reach_the_call_whatever_their_names() {
        let m = model("{ string: __bid_a1 }, { i32: __bid_p0 }, { i32: from }");
        let f = file(
            "impl B { fn m(&self, __bid_a1: &str, __bid_p0: i32, from: i32) { let (__bid_a0, __bid_a1, __bid_a2,) = (__bid_a1, __bid_p0, from,); let __bid_call = self.lib.begin(0); let __bid_body = || { let (__bid_p0, __bid_l0) = __bid_call.str_arg(\"s\", __bid_a0)?; unsafe { (self.fns.m)(__bid_p0, __bid_l0, __bid_a1, i32::from(__bid_a2)) }; Ok(()) }; __bid_call.finish(__bid_body()) } }",
        );
        assert_eq!(rebound_parameter(&m, &f), None);
    }

    #[test]
    fn types_in_a_turbofish_are_not_values() {
        let text = "version: 0\ninterfaces:\n  - name: a.b\n    box: B\n    methods:\n      - { name: m, effect: io, params: [ { i32: i32 } ], returns: i32, fallible: true }\n";
        let m = bid_schema::check_source("t.bid.yaml", text).unwrap();
        let f = syn::parse2::<syn::File>(bid_schema::emit::rust::bindings(&m)).unwrap();
        assert_eq!(rebound_parameter(&m, &f), None);
    }

    #[test]
    fn generated_bindings_pass_every_parameter_through() {
        let m = model(
            "{ string: __bid_l0 }, { i32: __bid_p0 }, { bool: __bid_a0 }, { bytes: __bid_call }, { i64: raw }",
        );
        let tokens = bid_schema::emit::rust::bindings(&m);
        let f = syn::parse2::<syn::File>(tokens).unwrap();
        assert_eq!(rebound_parameter(&m, &f), None);
    }
}
