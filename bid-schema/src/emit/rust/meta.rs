//! The `static InterfaceMeta` each box hands to `bid_runtime::__private::open`.

use crate::layout::{Target, record_passing_label};
use crate::model::{Interface, Ownership, Return, Type, TypeDefKind, TypeId};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Position of a handle type among the interface's handle types.
fn handle_index(iface: &Interface, id: TypeId) -> usize {
    iface.types[..id.0]
        .iter()
        .filter(|t| matches!(t.kind, TypeDefKind::Handle(_)))
        .count()
}

fn ownership(own: Ownership) -> &'static str {
    match own {
        Ownership::Borrowed => "borrowed",
        Ownership::Transferred => "transferred",
        Ownership::Reference => "reference",
    }
}

/// A value in the method table: its kind, `handle<N>` for handle type `N`, then
/// `/<ownership>` when it has one.
fn value(out: &mut String, iface: &Interface, ty: Option<&Type>, own: Option<Ownership>) {
    out.push_str(match ty {
        None => "void",
        Some(Type::Bool) => "bool",
        Some(Type::I32) => "i32",
        Some(Type::I64) => "i64",
        Some(Type::F32) => "f32",
        Some(Type::F64) => "f64",
        Some(Type::Record(_)) => "record",
        Some(Type::String) => "string",
        Some(Type::Bytes) => "bytes",
        Some(Type::Array(_)) => "array",
        Some(Type::Handle(_)) => "handle",
    });
    if let Some(Type::Handle(id)) = ty {
        out.push_str(&handle_index(iface, *id).to_string());
    }
    if let Some(own) = own {
        out.push('/');
        out.push_str(ownership(own));
    }
}

/// The method table `bid_runtime::__private::MethodTable` decodes: a line per method
/// (format in `bid_runtime::__private::meta`).
pub(crate) fn method_table(iface: &Interface) -> String {
    let mut out = String::from("bid-methods 0\n");
    for m in &iface.methods {
        out.push_str(&m.name);
        out.push(' ');
        out.push_str(&m.symbol);
        out.push(' ');
        out.push_str(m.effect.as_str());
        out.push_str(if m.fallible { " fallible " } else { " - " });
        let Return { ty, ownership } = &m.returns;
        value(&mut out, iface, ty.as_ref(), *ownership);
        for p in &m.params {
            out.push(' ');
            out.push_str(&p.name);
            out.push(':');
            value(&mut out, iface, Some(&p.ty), p.ownership);
        }
        out.push('\n');
    }
    out
}

/// A string literal holding `text`'s line breaks as they are, so the generated file shows
/// one line of the table per line; escaped when the text could end the literal.
fn text_literal(text: &str) -> proc_macro2::Literal {
    let plain = !text.contains(['"', '\\', '\r']);
    plain
        .then(|| format!("\"{text}\"").parse().ok())
        .flatten()
        .unwrap_or_else(|| proc_macro2::Literal::string(text))
}

fn option_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(i) => {
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            quote!(Some(#i))
        }
        None => quote!(None),
    }
}

/// `static <name>: InterfaceMeta = ..;`
pub(crate) fn meta_static(iface: &Interface, name: &Ident) -> TokenStream {
    let qualified = &iface.qualified;
    let box_name = iface.box_name.trim_start_matches("r#");
    let free = iface.free_symbol();
    let needs_free = iface.needs_free();
    let sig_symbol = iface.signature_symbol();
    let signature = text_literal(&crate::signature::text(iface));
    let handles = iface.types.iter().filter_map(|t| match &t.kind {
        TypeDefKind::Handle(h) => {
            let name = &t.name;
            let release = option_usize(h.release.map(|m| m.0));
            Some(quote! {
                HandleMeta { name: #name, release: #release }
            })
        }
        TypeDefKind::Record(_) => None,
    });
    let methods = text_literal(&method_table(iface));
    let passing_name = quote::format_ident!("{}_PASSING", name);
    let passing = passing_consts(iface, &passing_name);
    // The short names come from a `use` inside the initialiser block: fully qualified
    // (nothing the user's module defines can capture them) yet readable.
    quote! {
        static #name: ::bid_runtime::__private::InterfaceMeta = {
            #[allow(unused_imports, reason = "one import list for every interface")]
            use ::bid_runtime::__private::{HandleMeta, InterfaceMeta, MethodTable};
            #[allow(unused_imports, reason = "one import list for every interface")]
            use ::core::option::Option::{None, Some};
            InterfaceMeta {
                name: #qualified,
                box_name: #box_name,
                free_symbol: #free,
                needs_free: #needs_free,
                signature_symbol: #sig_symbol,
                signature: #signature,
                handles: &[#(#handles),*],
                methods: MethodTable::new(#methods),
                passing: #passing_name,
            }
        };
        #passing
    }
}

/// Per target, how each method with a record passes it: one `const` per target under its
/// `cfg`, so the trace of a host names the classes of the target it was built for.
fn passing_consts(iface: &Interface, name: &Ident) -> TokenStream {
    let cfgs: Vec<TokenStream> = Target::ALL
        .iter()
        // A fixed string of the layout module; should it fail to lex, `any()` is false.
        .map(|t| t.rust_cfg().parse().unwrap_or_else(|_| quote!(any())))
        .collect();
    let per_target = Target::ALL.iter().zip(&cfgs).map(|(&target, cfg)| {
        let entries = iface.methods.iter().enumerate().filter_map(|(i, m)| {
            let label = record_passing_label(iface, m, target)?;
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            Some(quote!((#i, #label)))
        });
        quote! {
            #[cfg(#cfg)]
            const #name: &[(usize, &str)] = &[#(#entries),*];
        }
    });
    quote! {
        #(#per_target)*
        #[cfg(not(any(#(#cfgs),*)))]
        const #name: &[(usize, &str)] = &[];
    }
}

#[cfg(test)]
mod tests {
    use super::text_literal;

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
        let parsed: syn::LitStr = {
            let lit = text_literal("x\ny\n");
            syn::parse_quote!(#lit)
        };
        assert_eq!(parsed.value(), "x\ny\n");
    }
}
