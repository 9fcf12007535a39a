//! Handle newtypes and `#[repr(C)]` records, with their per-target layout assertions.

use super::{docs, ident, rust_type};
use crate::layout::{self, Target};
use crate::model::{
    HandleDef, HandleRepr, Interface, RecordDef, Type, TypeDef, TypeDefKind, TypeId,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Declared type `id`: a handle newtype, or a record with its layout checks.
pub(crate) fn declared_type(iface: &Interface, id: TypeId) -> TokenStream {
    let def = iface.ty(id);
    match &def.kind {
        TypeDefKind::Handle(h) => handle(iface, def, h),
        TypeDefKind::Record(r) => record(iface, id, def, r),
    }
}

/// The Rust type of a handle's raw value.
pub(crate) fn handle_raw(repr: HandleRepr) -> TokenStream {
    match repr {
        HandleRepr::I32 => quote!(i32),
        HandleRepr::I64 => quote!(i64),
        HandleRepr::Pointer => quote!(*mut ::core::ffi::c_void),
    }
}

fn handle(iface: &Interface, def: &TypeDef, h: &HandleDef) -> TokenStream {
    let name = ident(&def.rust);
    let doc = docs(def.doc.as_deref());
    let sep = def.doc.is_some().then(|| quote!(#[doc = ""]));
    let raw = handle_raw(h.repr);
    let release = match h.release {
        Some(m) => format!(
            " Released by [`{}::{}`].",
            iface.box_name,
            iface.method(m).rust.trim_start_matches("r#")
        ),
        None => String::new(),
    };
    let what = format!(
        " A `{}` handle owned by the plugin (`{}` at the boundary).{release}",
        def.name,
        h.repr.as_str()
    );
    // Raw pointers are neither Send nor Sync; a handle is an opaque token the plugin
    // interprets, so moving it between threads is as sound as moving an integer.
    let send_sync = (h.repr == HandleRepr::Pointer).then(|| {
        quote! {
            // SAFETY: the pointer is an opaque token; the host never dereferences it.
            #[automatically_derived]
            unsafe impl ::core::marker::Send for #name {}
            // SAFETY: as for Send.
            #[automatically_derived]
            unsafe impl ::core::marker::Sync for #name {}
        }
    });
    quote! {
        #doc
        #sep
        #[doc = #what]
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct #name(#raw);

        impl #name {
            /// The raw value that crosses the boundary.
            #[inline]
            pub const fn raw(self) -> #raw {
                self.0
            }

            /// Wraps a raw value.
            ///
            /// # Safety
            /// `raw` must be a live handle the plugin of the same interface returned.
            #[inline]
            pub const unsafe fn from_raw(raw: #raw) -> Self {
                Self(raw)
            }
        }

        #send_sync
    }
}

/// Whether every field (transitively) has a meaningful all-zero default: handles do not.
fn zero_default(iface: &Interface, rec: &RecordDef) -> bool {
    rec.fields.iter().all(|f| match &f.ty {
        Type::Handle(_) => false,
        Type::Record(id) => match &iface.ty(*id).kind {
            TypeDefKind::Record(inner) => zero_default(iface, inner),
            TypeDefKind::Handle(_) => false,
        },
        _ => true,
    })
}

fn record(iface: &Interface, id: TypeId, def: &TypeDef, rec: &RecordDef) -> TokenStream {
    let name = ident(&def.rust);
    let fallback = format!(" The `{}` record (C layout).", def.name);
    let doc = match def.doc.as_deref() {
        Some(d) => docs(Some(d)),
        None => quote!(#[doc = #fallback]),
    };
    let fields = rec.fields.iter().map(|f| {
        let fname = ident(&f.rust);
        let ty = rust_type(iface, &f.ty);
        let fallback = format!(" `{}` of the BID record.", f.name);
        let fdoc = match f.doc.as_deref() {
            Some(d) => docs(Some(d)),
            None => quote!(#[doc = #fallback]),
        };
        let bool_note = (f.ty == Type::Bool).then(|| {
            quote! {
                #[doc = ""]
                #[doc = " A BID `bool`: `0` or `1` as `int32_t`. Kept as `i32` so a plugin value other than 0/1 stays a value, not undefined behaviour."]
            }
        });
        quote! { #fdoc #bool_note pub #fname: #ty, }
    });
    let default = zero_default(iface, rec).then(|| quote!(Default,));
    let asserts = Target::ALL
        .iter()
        .map(|&t| layout_asserts(iface, id, def, t));
    quote! {
        #doc
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq, #default)]
        pub struct #name { #(#fields)* }

        #(#asserts)*
    }
}

/// `const` checks that rustc lays the record out as the BID layout says, per target: a
/// panic in a `const` is a compile error. (`if`/`panic!` rather than `assert!` so the
/// checked expression stays an expression prettyplease can format.)
fn layout_asserts(iface: &Interface, id: TypeId, def: &TypeDef, target: Target) -> TokenStream {
    let layout = layout::record(iface, id, target);
    // The predicate is a fixed string of the layout module (one source of truth with the
    // C side); should it ever fail to lex, `any()` is false and the checks are skipped
    // rather than the emitter failing.
    let cfg: TokenStream = target.rust_cfg().parse().unwrap_or_else(|_| quote!(any()));
    let triple = target.triple();
    let name = ident(&def.rust);
    let size = Literal::u64_unsuffixed(layout.size);
    let align = Literal::u64_unsuffixed(layout.align);
    let size_msg = format!("{}: size differs from the BID layout on {triple}", def.name);
    let align_msg = format!(
        "{}: alignment differs from the BID layout on {triple}",
        def.name
    );
    let TypeDefKind::Record(rec) = &def.kind else {
        return TokenStream::new();
    };
    let fields = rec.fields.iter().zip(&layout.fields).map(|(f, l)| {
        let fname = ident(&f.rust);
        let offset = Literal::u64_unsuffixed(l.offset);
        let msg = format!(
            "{}.{}: offset differs from the BID layout on {triple}",
            def.name, f.name
        );
        quote! {
            if ::core::mem::offset_of!(#name, #fname) != #offset {
                ::core::panic!(#msg);
            }
        }
    });
    quote! {
        #[cfg(#cfg)]
        #[allow(clippy::manual_assert, reason = "`if` keeps the check printable by prettyplease")]
        const _: () = {
            if ::core::mem::size_of::<#name>() != #size {
                ::core::panic!(#size_msg);
            }
            if ::core::mem::align_of::<#name>() != #align {
                ::core::panic!(#align_msg);
            }
            #(#fields)*
        };
    }
}
