//! The `static InterfaceMeta` each box hands to `bid_runtime::__private::open`.

use crate::layout::{Target, record_passing_label};
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

fn ownership(own: Ownership) -> TokenStream {
    match own {
        Ownership::Borrowed => quote!(Borrowed),
        Ownership::Transferred => quote!(Transferred),
        Ownership::Reference => quote!(Reference),
    }
}

/// A `ValueMeta` through the short constructors of `__private::meta`; the long form only
/// for a combination they do not cover.
fn value(iface: &Interface, ty: Option<&Type>, own: Option<Ownership>) -> TokenStream {
    let handle = match ty {
        Some(Type::Handle(id)) => handle_index(iface, *id),
        _ => None,
    };
    match (ty, own, handle) {
        (None, None, None) => return quote!(VOID),
        (Some(Type::Bool), None, None) => return quote!(BOOL),
        (Some(Type::I32), None, None) => return quote!(I32),
        (Some(Type::I64), None, None) => return quote!(I64),
        (Some(Type::F32), None, None) => return quote!(F32),
        (Some(Type::F64), None, None) => return quote!(F64),
        (Some(Type::Record(_)), None, None) => return quote!(RECORD),
        (Some(ty @ (Type::String | Type::Bytes | Type::Array(_))), Some(own), None) => {
            let own = ownership(own);
            return match ty {
                Type::String => quote!(string(#own)),
                Type::Bytes => quote!(bytes(#own)),
                _ => quote!(array(#own)),
            };
        }
        (Some(Type::Handle(_)), Some(own), Some(i)) => {
            let own = ownership(own);
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            return quote!(handle(#own, #i));
        }
        _ => {}
    }
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
    let own = match own {
        Some(o) => {
            let o = ownership(o);
            quote!(Some(#o))
        }
        None => quote!(None),
    };
    let handle = option_usize(handle);
    quote!(value(ValueKind::#kind, #own, #handle))
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
            quote!(param(#pname, #v))
        });
        let Return { ty, ownership } = &m.returns;
        let ret = value(iface, ty.as_ref(), *ownership);
        quote!(method(#mname, #symbol, #effect, #fallible, #ret, &[#(#params),*]))
    });
    let passing_name = quote::format_ident!("{}_PASSING", name);
    let passing = passing_consts(iface, &passing_name);
    // The short names come from a `use` inside the initialiser block: fully qualified
    // (nothing the user's module defines can capture them) yet readable.
    quote! {
        static #name: ::bid_runtime::__private::InterfaceMeta = {
            #[allow(unused_imports, reason = "one import list for every interface")]
            use ::bid_runtime::__private::{HandleMeta, InterfaceMeta, ValueKind};
            #[allow(unused_imports, reason = "one import list for every interface")]
            use ::bid_runtime::__private::meta::{
                array, bytes, handle, method, param, string, value, Borrowed, Reference, Transferred,
                BOOL, F32, F64, I32, I64, RECORD, VOID,
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
