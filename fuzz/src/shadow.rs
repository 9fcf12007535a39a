//! An oracle for a silent kind of wrong code: a generated method that rebinds one of its
//! parameters with a `let` of its own before passing it to the plugin. With a parameter named
//! like a local of the generated body (`__bid_l0`, ...) the code may still compile, and the
//! plugin then receives the local instead of the caller's value.
//!
//! The check works on tokens: every `let` that has ended (its `;` in the same group) before
//! the plugin call `(self.fns.NAME)(args)`, in the call's group or one around it, and that
//! binds a name of the method's parameters which is also in the call's arguments, is
//! reported. A binding is visible to the end of the group (block, closure body) it is in.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{FnArg, ImplItem, Item, Pat};

/// A token in depth-first order; groups open and close around their tokens.
enum Leaf {
    Ident(String),
    Punct(char),
    Open,
    Close,
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
    // Names bound by `let`s that have ended, with the depth of their group.
    let mut bound: Vec<(usize, String)> = Vec::new();
    // `let`s not ended yet: their depth, the names of their pattern, whether still in it.
    let mut pending: Vec<(usize, Vec<String>, bool)> = Vec::new();
    let mut depth = 0usize;
    for leaf in leaves {
        match leaf {
            Leaf::Open => depth += 1,
            Leaf::Close => {
                depth = depth.saturating_sub(1);
                bound.retain(|(d, _)| *d <= depth);
                pending.retain(|p| p.0 <= depth);
            }
            Leaf::Ident(i) if i == "let" => pending.push((depth, Vec::new(), true)),
            Leaf::Ident(i) => {
                // A pattern's names may sit in a nested group: `let (a, b) = ...`.
                if let Some(p) = pending.last_mut().filter(|p| p.2 && p.0 <= depth) {
                    p.1.push(i.clone());
                }
            }
            Leaf::Punct('=' | ':') => {
                if let Some(p) = pending.last_mut().filter(|p| p.0 == depth) {
                    p.2 = false;
                }
            }
            Leaf::Punct(';') => {
                if pending.last().is_some_and(|p| p.0 == depth)
                    && let Some((d, names, _)) = pending.pop()
                {
                    bound.extend(names.into_iter().map(|n| (d, n)));
                }
            }
            Leaf::Call(args) => {
                if let Some(p) = args
                    .iter()
                    .find(|a| params.contains(a) && bound.iter().any(|(_, b)| b == *a))
                {
                    return Some(p.clone());
                }
            }
            Leaf::Punct(_) => {}
        }
    }
    None
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
                        out.push(Leaf::Call(idents(args.stream())));
                        i += 2;
                        continue;
                    }
                    _ => {
                        out.push(Leaf::Open);
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
    fn a_closure_bound_to_a_parameter_name_still_sees_the_parameter() {
        let f = file(
            "impl B { fn m(&self, __bid_body: i32) { let c = 1; let __bid_body = || { c.arg(1)?; unsafe { (self.fns.m)(__bid_body) }; Ok(()) }; c.finish(__bid_body()) } }",
        );
        assert_eq!(rebound_parameter(&f), None);
    }

    #[test]
    fn a_local_bound_from_the_call_itself_is_not() {
        let f = file(
            "impl B { fn m(&self, __bid_r: i32) -> i32 { let c = self.lib.begin(0); let __bid_r = unsafe { (self.fns.m)(__bid_r) }; c.ok(__bid_r) } }",
        );
        assert_eq!(rebound_parameter(&f), None);
    }
}
