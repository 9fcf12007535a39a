//! Handle newtypes and `#[repr(C)]` records, with their per-target layout assertions.

use super::{Emitter, docs, elem_type, ident, target_cfg};
use crate::layout::Target;
use crate::model::{Elem, HandleDef, HandleRepr, RecordDef, Scalar, TypeDef, TypeDefKind, TypeId};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The Rust type of a handle's raw value.
pub(crate) fn handle_raw(repr: HandleRepr) -> TokenStream {
    match repr {
        HandleRepr::I32 => quote!(i32),
        HandleRepr::I64 => quote!(i64),
        HandleRepr::Pointer => quote!(*mut ::core::ffi::c_void),
    }
}

impl Emitter<'_> {
    /// Declared type `i`: a handle newtype, or a record with its layout checks.
    pub(super) fn declared_type(&self, i: usize) -> TokenStream {
        let def = &self.iface.types()[i];
        match def.kind() {
            TypeDefKind::Handle(h) => self.handle(def, h),
            TypeDefKind::Record(r) => self.record(TypeId(i), def, r),
        }
    }

    fn handle(&self, def: &TypeDef, h: &HandleDef) -> TokenStream {
        let iface = self.iface;
        let name = ident(def.rust());
        let doc = docs(def.doc());
        let sep = def.doc().is_some().then(|| quote!(#[doc = ""]));
        let raw = handle_raw(h.repr());
        let release = match h.release() {
            Some(m) => format!(
                " Released by [`{}::{}`].",
                iface.box_name(),
                iface.method(m).rust().trim_start_matches("r#")
            ),
            None => String::new(),
        };
        let what = format!(
            " A `{}` handle owned by the plugin (`{}` at the boundary).{release}",
            def.name(),
            h.repr().as_str()
        );
        // Raw pointers are neither Send nor Sync; a handle is an opaque token the plugin
        // interprets, so moving it between threads is as sound as moving an integer.
        let send_sync = (h.repr() == HandleRepr::Pointer).then(|| {
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

    fn record(&self, id: TypeId, def: &TypeDef, rec: &RecordDef) -> TokenStream {
        let iface = self.iface;
        let name = ident(def.rust());
        let fallback = format!(" The `{}` record (C layout).", def.name());
        let doc = match def.doc() {
            Some(d) => docs(Some(d)),
            None => quote!(#[doc = #fallback]),
        };
        let fields = rec.fields().iter().map(|f| {
            let fname = ident(f.rust());
            let ty = elem_type(iface, f.ty());
            let fallback = format!(" `{}` of the BID record.", f.name());
            let fdoc = match f.doc() {
                Some(d) => docs(Some(d)),
                None => quote!(#[doc = #fallback]),
            };
            let bool_note = (f.ty() == Elem::Scalar(Scalar::Bool)).then(|| {
                quote! {
                    #[doc = ""]
                    #[doc = " A BID `bool`: `0` or `1` as `int32_t`. Kept as `i32` so a plugin value other than 0/1 stays a value, not undefined behaviour."]
                }
            });
            quote! { #fdoc #bool_note pub #fname: #ty, }
        });
        let default = self.zero_default[id.index()].then(|| quote!(Default,));
        let asserts = Target::ALL
            .iter()
            .zip(&self.layouts)
            .map(|(&target, layouts)| layout_asserts(def, rec, layouts.record(id), target));
        quote! {
            #doc
            #[repr(C)]
            #[derive(Clone, Copy, Debug, PartialEq, #default)]
            pub struct #name { #(#fields)* }

            #(#asserts)*
        }
    }
}

/// `const` checks that rustc lays the record out as the BID layout says, per target: a
/// panic in a `const` is a compile error. (`if`/`panic!` rather than `assert!` so the
/// checked expression stays an expression prettyplease can format.)
fn layout_asserts(
    def: &TypeDef,
    rec: &RecordDef,
    layout: &crate::layout::Layout,
    target: Target,
) -> TokenStream {
    let cfg = target_cfg(target);
    let triple = target.triple();
    let name = ident(def.rust());
    let size = Literal::u64_unsuffixed(layout.size);
    let align = Literal::u64_unsuffixed(layout.align);
    let size_msg = format!(
        "{}: size differs from the BID layout on {triple}",
        def.name()
    );
    let align_msg = format!(
        "{}: alignment differs from the BID layout on {triple}",
        def.name()
    );
    let fields = rec.fields().iter().zip(&layout.fields).map(|(f, l)| {
        let fname = ident(f.rust());
        let offset = Literal::u64_unsuffixed(l.offset);
        let msg = format!(
            "{}.{}: offset differs from the BID layout on {triple}",
            def.name(),
            f.name()
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
