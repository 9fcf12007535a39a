//! Handle newtypes and `#[repr(C)]` records, with their per-target layout assertions.

use super::{Emitter, docs, elem_type, ident, target_cfg};
use crate::layout::Target;
use crate::model::{Elem, HandleDef, HandleRepr, RecordDef, Scalar, TypeDef, TypeDefKind, TypeId};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// `raw` (a handle's plain value) widened to the ledger's `i64`; a pointer by its address.
pub(crate) fn widen(repr: HandleRepr, raw: &TokenStream) -> TokenStream {
    match repr {
        HandleRepr::I32 => quote!(i64::from(#raw)),
        HandleRepr::I64 => quote!(#raw),
        HandleRepr::Pointer => quote!(#raw.addr() as i64),
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

impl Emitter<'_> {
    /// Declared type `i`: a handle newtype, or a record with its layout checks.
    pub(super) fn declared_type(&self, i: usize) -> TokenStream {
        let def = &self.iface.types()[i];
        match def.kind() {
            TypeDefKind::Handle(h) => self.handle(TypeId(i), def, h),
            TypeDefKind::Record(r) => self.record(TypeId(i), def, r),
        }
    }

    /// An owned handle type: borrows its box, neither `Copy` nor `Clone`, released by moving
    /// it into the type's release method or by its drop.
    fn handle(&self, id: TypeId, def: &TypeDef, h: &HandleDef) -> TokenStream {
        let iface = self.iface;
        let name = ident(def.rust());
        let box_name = ident(iface.box_name());
        let doc = docs(def.doc());
        let sep = def.doc().is_some().then(|| quote!(#[doc = ""]));
        let raw = handle_raw(h.repr());
        let meta = super::meta::handle_ref(iface, id);
        let widened = widen(h.repr(), &quote!(raw));
        let release = h.release().map(|m| iface.method(m));
        let shown = def.name();
        let what = format!(
            " A `{}` handle the host owns (`{}` at the boundary).",
            def.name(),
            h.repr().as_str()
        );
        let how = match release {
            Some(m) => format!(
                " Released by moving it into [`{}::{}`], or by dropping it.",
                iface.box_name().trim_start_matches("r#"),
                m.rust().trim_start_matches("r#")
            ),
            None => " The interface declares no release method: dropping it releases nothing."
                .to_owned(),
        };
        let drop = release.map(|m| {
            let release = ident(m.rust());
            quote! {
                #[automatically_derived]
                impl ::core::ops::Drop for #name<'_> {
                    fn drop(&mut self) {
                        let dropping = #name {
                            raw: self.raw,
                            owner: self.owner,
                            state: self.state.dropping(),
                        };
                        // A failed release is recorded in the box's audit; a drop never panics.
                        let _ = self.owner.#release(dropping);
                    }
                }
            }
        });
        // Raw pointers are neither Send nor Sync; a handle is an opaque token the plugin
        // interprets, so moving it between threads is as sound as moving an integer, as long
        // as the box itself may be shared (`thread_safe: true`).
        let send_sync = (h.repr() == HandleRepr::Pointer && iface.thread_safe()).then(|| {
            quote! {
                // SAFETY: the pointer is an opaque token the host never dereferences, and the
                // box it borrows is `Sync`.
                unsafe impl ::core::marker::Send for #name<'_> {}
                // SAFETY: as for Send.
                unsafe impl ::core::marker::Sync for #name<'_> {}
            }
        });
        quote! {
            #doc
            #sep
            #[doc = #what]
            #[doc = #how]
            pub struct #name<'a> {
                raw: #raw,
                owner: &'a #box_name,
                state: ::bid_runtime::__private::HandleState,
            }

            #[allow(dead_code, reason = "hosts use what they need")]
            impl<'a> #name<'a> {
                /// The raw value that crosses the boundary.
                #[inline]
                pub fn raw(&self) -> #raw {
                    self.raw
                }

                /// Gives up ownership: the plain value, which nothing releases any more. The
                /// box's ledger checks it from now on, when it comes back through
                /// [`Self::from_raw`]; one never released is a leak.
                pub fn into_raw(self) -> #raw {
                    let (raw, owner, state) = self.into_parts();
                    owner.lib.handle_escape(#meta, #widened, state);
                    raw
                }

                /// Owns a plain value again. Calls with it are checked by the box's ledger:
                /// a value released already is refused, not passed to the plugin.
                ///
                /// # Safety
                /// `raw` must be a handle of this type that `owner`'s plugin returned, and no
                /// owned handle of the same value may be alive (each would release it).
                pub unsafe fn from_raw(owner: &'a #box_name, raw: #raw) -> Self {
                    Self {
                        raw,
                        owner,
                        state: ::bid_runtime::__private::HandleState::RAW,
                    }
                }

                #[inline]
                fn into_parts(self) -> (#raw, &'a #box_name, ::bid_runtime::__private::HandleState) {
                    let this = ::core::mem::ManuallyDrop::new(self);
                    (this.raw, this.owner, this.state)
                }
            }

            #drop

            #[automatically_derived]
            impl ::core::fmt::Debug for #name<'_> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_tuple(#shown).field(&self.raw).finish()
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
