//! The `static InterfaceMeta` each box hands to `bid_runtime::__private::open`: what the
//! runtime needs to resolve symbols, compare the signature, name methods in errors and
//! write the audit trace, as items the compiler checks (a handle or method referred to by
//! index into a static array fails to compile if the index is wrong).

use super::target_cfg;
use crate::layout::{Layouts, Target, record_passing_label};
use crate::model::{Buffer, Effect, Interface, Ownership, Type, TypeDefKind};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// `FileBox` -> `FILE_BOX`, for the names of the private metadata statics. One-to-one, so
/// two boxes never share a static: a `_` of the name is doubled (`Ab_c` -> `AB__C`, while
/// `AbC` -> `AB_C`), and a lower-case first letter is marked as an upper-case one elsewhere
/// is (`abc` -> `_ABC`, while `Abc` -> `ABC`).
fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.trim_start_matches("r#").chars().enumerate() {
        let marked = if i == 0 {
            !c.is_uppercase()
        } else {
            c == '_' || c.is_uppercase()
        };
        if marked {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// The name of the metadata static of `iface`'s box.
pub(crate) fn meta_name(iface: &Interface) -> Ident {
    format_ident!("__BID_{}_META", screaming(iface.box_name()))
}

/// The name of the static array of `iface`'s handle types, which methods refer into.
pub(crate) fn handles_name(iface: &Interface) -> Ident {
    format_ident!("__BID_{}_HANDLES", screaming(iface.box_name()))
}

fn methods_name(iface: &Interface) -> Ident {
    format_ident!("__BID_{}_METHODS", screaming(iface.box_name()))
}

/// `&<HANDLES>[i]`: the metadata of handle type `id`, as generated code refers to it.
pub(crate) fn handle_ref(iface: &Interface, id: crate::model::TypeId) -> TokenStream {
    let handles = handles_name(iface);
    let i = Literal::usize_unsuffixed(iface.handle_index(id));
    quote!(&#handles[#i])
}

fn ownership(own: Ownership) -> TokenStream {
    match own {
        Ownership::Borrowed => quote!(Borrowed),
        Ownership::Transferred => quote!(Transferred),
        Ownership::Reference => quote!(Reference),
    }
}

/// A `Value` of the runtime's metadata.
fn value(iface: &Interface, ty: Type) -> TokenStream {
    match ty {
        Type::Scalar(_) => quote!(Scalar),
        Type::Record(_) => quote!(Record),
        Type::Handle(id, own) => {
            let handle = handle_ref(iface, id);
            let own = ownership(own);
            quote!(Handle(#handle, #own))
        }
        Type::Buffer(buf, own) => {
            let own = ownership(own);
            match buf {
                Buffer::String => quote!(String(#own)),
                Buffer::Bytes => quote!(Bytes(#own)),
                Buffer::Array(_) => quote!(Array(#own)),
            }
        }
        Type::CStr(own) => {
            let own = ownership(own);
            quote!(CStr(#own))
        }
    }
}

/// `static <name>: InterfaceMeta = ..;`
pub(crate) fn meta_static(iface: &Interface, layouts: &[Layouts]) -> TokenStream {
    let name = meta_name(iface);
    let qualified = iface.qualified();
    let box_name = iface.box_name().trim_start_matches("r#");
    let thread_safe = iface.thread_safe();
    let free = iface.free_symbol();
    let needs_free = iface.needs_free();
    let sig_symbol = iface.signature_symbol();
    let signature = text_literal(&crate::signature::text(iface));
    let handles: Vec<TokenStream> = iface
        .types()
        .iter()
        .filter_map(|t| match t.kind() {
            TypeDefKind::Handle(h) => {
                let name = t.name();
                let release = match h.release() {
                    Some(m) => {
                        let i = Literal::usize_unsuffixed(m.index());
                        let methods = methods_name(iface);
                        quote!(Some(&#methods[#i]))
                    }
                    None => quote!(None),
                };
                Some(quote!(HandleMeta { name: #name, release: #release }))
            }
            TypeDefKind::Record(_) => None,
        })
        .collect();
    let n_handles = Literal::usize_unsuffixed(handles.len());
    let n_methods = Literal::usize_unsuffixed(iface.methods().len());
    let passing = passing_consts(iface, layouts);
    let methods = iface.methods().iter().enumerate().map(|(i, m)| {
        let (mname, symbol, fallible) = (m.name(), m.symbol(), m.fallible());
        let effect = match m.effect() {
            Effect::Pure => quote!(Pure),
            Effect::Mut => quote!(Mut),
            Effect::Io => quote!(Io),
            Effect::Control => quote!(Control),
        };
        let owns = m.params().iter().filter_map(|p| p.ty().ownership());
        let params = [
            Ownership::Transferred,
            Ownership::Borrowed,
            Ownership::Reference,
        ]
        .into_iter()
        .find(|o| owns.clone().any(|p| p == *o))
        .map_or(quote!(None), |o| {
            let o = ownership(o);
            quote!(Some(#o))
        });
        let ret = match m.returns() {
            Some(ty) => {
                let v = value(iface, ty);
                quote!(Some(#v))
            }
            None => quote!(None),
        };
        let label = if passing.is_empty() {
            quote!(None)
        } else {
            let i = Literal::usize_unsuffixed(i);
            quote!(PASSING[#i])
        };
        let free = match m.free() {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        quote!(MethodMeta::new(#mname, #symbol, #effect, #fallible, #params, #ret, #label, #free))
    });
    let handles_name = handles_name(iface);
    // The short names come from `use`s inside each initialiser block: fully qualified
    // (nothing the user's module defines can capture them) yet short. A method is one
    // constructor call with no nested slice: each costs the user's compiler a constant of
    // its own to evaluate.
    let imports = quote! {
        #[allow(unused_imports, reason = "one import list for every interface")]
        use ::bid_runtime::__private::{
            Effect::*, HandleMeta, InterfaceMeta, MethodMeta, Ownership::*, Value::*,
        };
        #[allow(unused_imports, reason = "one import list for every interface")]
        use ::core::option::Option::{None, Some};
    };
    let methods_name = methods_name(iface);
    quote! {
        #[allow(clippy::all, reason = "generated metadata")]
        static #handles_name: [::bid_runtime::__private::HandleMeta; #n_handles] = {
            #imports
            [#(#handles),*]
        };
        #[allow(clippy::all, reason = "generated metadata")]
        static #methods_name: [::bid_runtime::__private::MethodMeta; #n_methods] = {
            #imports
            #passing
            [#(#methods),*]
        };
        #[allow(clippy::all, reason = "generated metadata")]
        static #name: ::bid_runtime::__private::InterfaceMeta = ::bid_runtime::__private::InterfaceMeta {
            name: #qualified,
            box_name: #box_name,
            thread_safe: #thread_safe,
            free_symbol: #free,
            needs_free: #needs_free,
            signature_symbol: #sig_symbol,
            signature: #signature,
            handles: &#handles_name,
            methods: &#methods_name,
        };
    }
}

/// Per target, how each method with a record passes it: one `PASSING` array per target
/// under its `cfg`, so the trace of a host names the classes of the target it was built for.
/// Empty when no method passes a record.
fn passing_consts(iface: &Interface, layouts: &[Layouts]) -> TokenStream {
    let n = Literal::usize_unsuffixed(iface.methods().len());
    let labels: Vec<Vec<Option<String>>> = layouts
        .iter()
        .map(|l| {
            iface
                .methods()
                .iter()
                .map(|m| record_passing_label(iface, l, m))
                .collect()
        })
        .collect();
    if labels.iter().flatten().all(Option::is_none) {
        return TokenStream::new();
    }
    let cfgs: Vec<TokenStream> = Target::ALL.iter().map(|&t| target_cfg(t)).collect();
    let per_target = labels.iter().zip(&cfgs).map(|(labels, cfg)| {
        let entries = labels.iter().map(|l| match l {
            Some(l) => quote!(Some(#l)),
            None => quote!(None),
        });
        quote! {
            #[cfg(#cfg)]
            const PASSING: [::core::option::Option<&str>; #n] = [#(#entries),*];
        }
    });
    quote! {
        #(#per_target)*
        #[cfg(not(any(#(#cfgs),*)))]
        const PASSING: [::core::option::Option<&str>; #n] = [None; #n];
    }
}

/// A string literal holding `text`'s line breaks as they are, so the generated file shows
/// one line of the signature per line; escaped when the text could end the literal.
fn text_literal(text: &str) -> Literal {
    let plain = !text.contains(['"', '\\', '\r']);
    plain
        .then(|| format!("\"{text}\"").parse().ok())
        .flatten()
        .unwrap_or_else(|| Literal::string(text))
}

#[cfg(test)]
mod tests {
    use super::{screaming, text_literal};

    #[test]
    fn screaming_names_are_one_to_one() {
        assert_eq!(screaming("FileBox"), "FILE_BOX");
        assert_eq!(screaming("r#type"), "_TYPE");
        let names = [
            "AbC", "Ab_c", "Ab_C", "A_bC", "Abc", "abc", "ABc", "A_b_c", "A__bc", "_Ab", "_ab",
            "__ab", "a_B", "aB", "a__b",
        ];
        let mut seen = std::collections::BTreeSet::new();
        for n in names {
            assert!(seen.insert(screaming(n)), "{n} -> {}", screaming(n));
        }
    }

    /// The literal always denotes the text: line breaks kept as they are when nothing in
    /// the text can end the literal, escaped otherwise.
    #[test]
    fn text_literals_keep_lines_and_escape_what_could_end_them() {
        let lines = text_literal("a b\nc:d\n").to_string();
        assert_eq!(lines, "\"a b\nc:d\n\"");
        for tricky in ["say \"hi\"\n", "back\\slash\n", "crlf\r\n"] {
            let lit = text_literal(tricky);
            let parsed: syn::LitStr = syn::parse_quote!(#lit);
            assert_eq!(parsed.value(), tricky);
            assert!(!lit.to_string().contains('\n'), "{lit}");
        }
    }
}
