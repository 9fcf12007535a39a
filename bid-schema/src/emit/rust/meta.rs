//! The `static InterfaceMeta` each box hands to `bid_runtime::__private::open`.

use crate::model::{Interface, Ownership, Return, Type, TypeDefKind, TypeId};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The canonical signature text the bindings are generated from.
///
/// Placeholder until `crate::signature::text` lands: the lead swaps this one call.
fn signature_text(iface: &Interface) -> String {
    let mut s = format!("bid-signature-placeholder {}\n", iface.qualified);
    for m in &iface.methods {
        s.push_str(&m.name);
        s.push('\n');
    }
    s
}

/// Position of a handle type among the interface's handle types.
fn handle_index(iface: &Interface, id: TypeId) -> Option<usize> {
    iface.types[..id.0]
        .iter()
        .filter(|t| matches!(t.kind, TypeDefKind::Handle(_)))
        .count()
        .into()
}

fn ownership(own: Option<Ownership>) -> TokenStream {
    let p = quote!(::bid_runtime::__private::Ownership);
    match own {
        None => quote!(::core::option::Option::None),
        Some(Ownership::Borrowed) => quote!(::core::option::Option::Some(#p::Borrowed)),
        Some(Ownership::Transferred) => quote!(::core::option::Option::Some(#p::Transferred)),
        Some(Ownership::Reference) => quote!(::core::option::Option::Some(#p::Reference)),
    }
}

fn value(iface: &Interface, ty: Option<&Type>, own: Option<Ownership>) -> TokenStream {
    let kind = match ty {
        None => quote!(Void),
        Some(Type::Bool) => quote!(Bool),
        Some(Type::I32) => quote!(I32),
        Some(Type::I64) => quote!(I64),
        Some(Type::F32) => quote!(F32),
        Some(Type::F64) => quote!(F64),
        Some(Type::String) => quote!(String),
        Some(Type::Bytes) => quote!(Bytes),
        Some(Type::Array(_)) => quote!(Array),
        Some(Type::Handle(_)) => quote!(Handle),
        Some(Type::Record(_)) => quote!(Record),
    };
    let handle = match ty {
        Some(Type::Handle(id)) => option_usize(handle_index(iface, *id)),
        _ => option_usize(None),
    };
    let own = ownership(own);
    quote! {
        ::bid_runtime::__private::ValueMeta {
            kind: ::bid_runtime::__private::ValueKind::#kind,
            ownership: #own,
            handle: #handle,
        }
    }
}

fn option_usize(v: Option<usize>) -> TokenStream {
    match v {
        Some(i) => {
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            quote!(::core::option::Option::Some(#i))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// `static <name>: InterfaceMeta = ..;`
pub(crate) fn meta_static(iface: &Interface, name: &Ident) -> TokenStream {
    let qualified = &iface.qualified;
    let box_name = iface.box_name.trim_start_matches("r#");
    let free = iface.free_symbol();
    let needs_free = iface.needs_free();
    let sig_symbol = iface.signature_symbol();
    let signature = signature_text(iface);
    let handles = iface.types.iter().filter_map(|t| match &t.kind {
        TypeDefKind::Handle(h) => {
            let name = &t.name;
            let release = option_usize(h.release.map(|m| m.0));
            Some(quote! {
                ::bid_runtime::__private::HandleMeta { name: #name, release: #release }
            })
        }
        TypeDefKind::Record(_) => None,
    });
    let methods = iface.methods.iter().map(|m| {
        let (mname, symbol, effect, fallible) = (&m.name, &m.symbol, m.effect.as_str(), m.fallible);
        let params = m.params.iter().map(|p| {
            let pname = &p.name;
            let v = value(iface, Some(&p.ty), p.ownership);
            quote!(::bid_runtime::__private::ParamMeta { name: #pname, value: #v })
        });
        let Return { ty, ownership } = &m.returns;
        let ret = value(iface, ty.as_ref(), *ownership);
        quote! {
            ::bid_runtime::__private::MethodMeta {
                name: #mname,
                symbol: #symbol,
                effect: #effect,
                fallible: #fallible,
                params: &[#(#params),*],
                ret: #ret,
            }
        }
    });
    quote! {
        static #name: ::bid_runtime::__private::InterfaceMeta = ::bid_runtime::__private::InterfaceMeta {
            name: #qualified,
            box_name: #box_name,
            free_symbol: #free,
            needs_free: #needs_free,
            signature_symbol: #sig_symbol,
            signature: #signature,
            handles: &[#(#handles),*],
            methods: &[#(#methods),*],
        };
    }
}
