//! An oracle for a silent kind of wrong code: a generated method that rebinds one of its
//! parameters with a `let` of its own before passing it to the plugin. With a parameter named
//! like a local of the generated body (`__bid_l0`, ...) the code may still compile, and the
//! plugin then receives the local instead of the caller's value.
//!
//! The check works on tokens: every `let` that ends before the plugin call
//! `(self.fns.NAME)(args)` and binds a name of the method's parameters, where that name is
//! also in the call's arguments, is reported. Block scoping is ignored (the generated bodies
//! are straight-line code), so it can only err towards reporting.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{FnArg, ImplItem, Item, Pat};

/// A token in depth-first order, with the depth of its group.
enum Leaf {
    Ident(String),
    Punct(char),
    /// A `(self.fns.NAME)(args)` call: the idents of its arguments.
    Call(Vec<String>),
}

/// The first parameter a generated method rebinds before its plugin call, described.
pub fn rebound_parameter(file: &syn::File) -> Option<String> {
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        for ii in &imp.items {
            let ImplItem::Fn(f) = ii else { continue };
            let params: Vec<String> = f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    FnArg::Typed(pt) => match &*pt.pat {
                        Pat::Ident(pi) => Some(pi.ident.to_string()),
                        _ => None,
                    },
                    FnArg::Receiver(_) => None,
                })
                .collect();
            if params.is_empty() {
                continue;
            }
            let mut leaves = Vec::new();
            flatten(f.block.to_token_stream(), &mut leaves);
            if let Some(p) = check(&leaves, &params) {
                return Some(format!(
                    "method `{}`: parameter `{p}` is rebound by a generated `let` before the plugin call, which then gets the local",
                    f.sig.ident
                ));
            }
        }
    }
    None
}

fn check(leaves: &[Leaf], params: &[String]) -> Option<String> {
    // Names bound by `let`s that have ended (their `;` seen), in order.
    let mut bound: Vec<String> = Vec::new();
    let mut pending: Option<Vec<String>> = None;
    let mut in_pattern = false;
    for leaf in leaves {
        match leaf {
            Leaf::Ident(i) if i == "let" => {
                pending = Some(Vec::new());
                in_pattern = true;
            }
            Leaf::Ident(i) if in_pattern => {
                if let Some(p) = &mut pending {
                    p.push(i.clone());
                }
            }
            Leaf::Punct('=') | Leaf::Punct(':') if in_pattern => in_pattern = false,
            Leaf::Punct(';') => {
                if let Some(p) = pending.take() {
                    bound.extend(p);
                }
                in_pattern = false;
            }
            Leaf::Call(args) => {
                if let Some(p) = args
                    .iter()
                    .find(|a| params.contains(a) && bound.contains(a))
                {
                    return Some(p.clone());
                }
            }
            _ => {}
        }
    }
    None
}

/// Leaves of `tokens` in order; a plugin call becomes one [`Leaf::Call`]. A `;` inside a
/// nested group still ends a `let` of that group (scoping is ignored on purpose).
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
                        out.push(Leaf::Call(idents(args.stream())));
                        i += 2;
                        continue;
                    }
                    _ => flatten(g.stream(), out),
                }
            }
            TokenTree::Ident(id) => out.push(Leaf::Ident(id.to_string())),
            TokenTree::Punct(p) => out.push(Leaf::Punct(p.as_char())),
            TokenTree::Literal(_) => {}
        }
        i += 1;
    }
}

fn idents(tokens: TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            TokenTree::Ident(id) => out.push(id.to_string()),
            TokenTree::Group(g) => out.extend(idents(g.stream())),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(src: &str) -> syn::File {
        syn::parse_str(src).expect("test source parses")
    }

    #[test]
    fn a_rebound_parameter_passed_to_the_plugin_is_reported() {
        let f = file(
            "impl B { fn m(&self, s: &str, __bid_l0: i32) { let (__bid_p0, __bid_l0) = f(s); unsafe { (self.fns.m)(__bid_p0, __bid_l0, __bid_l0) }; } }",
        );
        assert!(rebound_parameter(&f).unwrap().contains("`__bid_l0`"));
    }

    #[test]
    fn a_local_bound_from_the_call_itself_is_not() {
        let f = file(
            "impl B { fn m(&self, __bid_r: i32) -> i32 { let c = self.lib.begin(0); let __bid_r = unsafe { (self.fns.m)(__bid_r) }; c.ok(__bid_r) } }",
        );
        assert_eq!(rebound_parameter(&f), None);
    }
}
