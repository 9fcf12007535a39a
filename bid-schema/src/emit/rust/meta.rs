//! The `static InterfaceMeta` each box hands to `bid_runtime::__private::open`.

use crate::model::{Interface, Ownership, Return, Type, TypeDefKind, TypeId};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Position of a handle type among the interface's handle types.
fn handle_index(iface: &Interface, id: TypeId) -> Option<usize> {
    iface.types[..id.0]
        .iter()
        .filter(|t| matches!(t.kind, TypeDefKind::Handle(_)))
        .count()
        .into()
}

fn ownership(own: Option<Ownership>) -> TokenStream {
    match own {
        None => quote!(None),
        Some(Ownership::Borrowed) => quote!(Some(Ownership::Borrowed)),
        Some(Ownership::Transferred) => quote!(Some(Ownership::Transferred)),
        Some(Ownership::Reference) => quote!(Some(Ownership::Reference)),
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
        ValueMeta {
            kind: ValueKind::#kind,
            ownership: #own,
            handle: #handle,
        }
    }
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
    let signature = crate::signature::text(iface);
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
    let methods = iface.methods.iter().map(|m| {
        let (mname, symbol, effect, fallible) = (&m.name, &m.symbol, m.effect.as_str(), m.fallible);
        let params = m.params.iter().map(|p| {
            let pname = &p.name;
            let v = value(iface, Some(&p.ty), p.ownership);
            quote!(ParamMeta { name: #pname, value: #v })
        });
        let Return { ty, ownership } = &m.returns;
        let ret = value(iface, ty.as_ref(), *ownership);
        quote! {
            MethodMeta {
                name: #mname,
                symbol: #symbol,
                effect: #effect,
                fallible: #fallible,
                params: &[#(#params),*],
                ret: #ret,
            }
        }
    });
    // The short names come from a `use` inside the initialiser block: fully qualified
    // (nothing the user's module defines can capture them) yet readable.
    quote! {
        static #name: ::bid_runtime::__private::InterfaceMeta = {
            #[allow(unused_imports, reason = "one import list for every interface")]
            use ::bid_runtime::__private::{
                HandleMeta, InterfaceMeta, MethodMeta, Ownership, ParamMeta, ValueKind, ValueMeta,
            };
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
                methods: &[#(#methods),*],
            }
        };
    }
}
