//! Rust host glue: a checked [`Model`] in, the `TokenStream` of every box out (SPEC §7).
//!
//! One function, [`bindings`], serves bid-build, the `#[bid_interface]` macro and the CLI,
//! so the three cannot drift apart. Layout of a record field `bool`: the struct holds the
//! boundary's `i32` (0 or 1), because a Rust `bool` read from a plugin's `2` would be
//! undefined behaviour; method parameters and results use `bool`, checked by the runtime.

mod meta;
mod methods;
mod types;

use crate::model::{Interface, Model, Type, TypeDefKind};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// The generated items for every interface of `model`, in file order.
pub fn bindings(model: &Model) -> TokenStream {
    let location = model.transport.location.as_deref();
    model
        .interfaces
        .iter()
        .map(|iface| interface(iface, location))
        .collect()
}

/// An ident from a model spelling; `r#type` becomes a raw ident.
pub(crate) fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

/// `#[doc]` lines for free text from the YAML. A string literal cannot be broken out of,
/// so the text needs no escaping here; one attribute per line keeps rustdoc's layout. A
/// bare code fence opened in the YAML becomes ```` ```text ````: rustdoc would otherwise
/// compile the block as a doctest of the user's crate.
pub(crate) fn docs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else {
        return TokenStream::new();
    };
    let mut in_fence = false;
    doc.lines()
        .flat_map(|l| l.split('\r'))
        .map(|line| {
            let trimmed = line.trim_start();
            let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
            let line = if fence && !in_fence && trimmed.trim_matches(['`', '~']).trim().is_empty() {
                format!("{}text", line.trim_end())
            } else {
                line.to_owned()
            };
            if fence {
                in_fence = !in_fence;
            }
            let line = if line.is_empty() {
                line
            } else {
                format!(" {line}")
            };
            quote!(#[doc = #line])
        })
        .collect()
}

/// The Rust type of a value as it sits in memory at the boundary (records, array
/// elements, `extern "C"` prototypes): a BID `bool` is its `int32_t`.
pub(crate) fn rust_type(iface: &Interface, ty: &Type) -> TokenStream {
    match ty {
        Type::Bool | Type::I32 => quote!(i32),
        Type::I64 => quote!(i64),
        Type::F32 => quote!(f32),
        Type::F64 => quote!(f64),
        Type::Handle(id) | Type::Record(id) => {
            let name = ident(&iface.ty(*id).rust);
            quote!(#name)
        }
        // Buffers never reach here from a checked model (not record fields, not array
        // elements, lowered to pointer and length elsewhere); the bare pointer is the
        // least wrong answer for an emitter that cannot fail.
        Type::String | Type::Bytes | Type::Array(_) => quote!(*const u8),
    }
}

/// `FileBox` -> `FILE_BOX`, for the name of the private metadata static.
fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.trim_start_matches("r#").chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

fn interface(iface: &Interface, location: Option<&str>) -> TokenStream {
    let box_name = ident(&iface.box_name);
    let bare = iface.box_name.trim_start_matches("r#");
    let fns_name = format_ident!("__Bid{}Fns", bare);
    let meta_name = format_ident!("__BID_{}_META", screaming(bare));
    let types = types::declared_types(iface);
    let meta = meta::meta_static(iface, &meta_name);

    let mut doc = docs(iface.doc.as_deref());
    if iface.doc.is_some() {
        doc.extend(quote!(#[doc = ""]));
    }
    let about = match &iface.version {
        Some(v) => format!(
            " Host side of the BID interface `{}` version {v}.",
            iface.qualified
        ),
        None => format!(" Host side of the BID interface `{}`.", iface.qualified),
    };
    let sync_note = if iface.thread_safe {
        " `Send + Sync`: the plugin declares its methods safe to call from several threads."
    } else {
        " Not `Sync`: the interface says `thread_safe: false`."
    };
    let not_sync_field = (!iface.thread_safe)
        .then(|| quote!(_not_sync: ::core::marker::PhantomData<::core::cell::Cell<()>>,));
    let not_sync_init =
        (!iface.thread_safe).then(|| quote!(_not_sync: ::core::marker::PhantomData,));

    let fn_fields = iface.methods.iter().map(|m| {
        let name = ident(&m.rust);
        let ty = methods::fn_type(iface, m);
        quote!(#name: #ty,)
    });
    // SAFETY (of each `fn_ptr`): `open` resolved symbol `i` to a non-null address of the
    // field's prototype, which the caller of `load` vouched for; the field type drives
    // `fn_ptr`'s inference, so the prototype is written once, in the struct.
    let fn_inits = iface.methods.iter().enumerate().map(|(i, m)| {
        let name = ident(&m.rust);
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote! {
            #name: unsafe { ::bid_runtime::__private::fn_ptr(__bid_lib.symbol(#i)) },
        }
    });
    let methods = iface
        .methods
        .iter()
        .enumerate()
        .map(|(i, m)| methods::method(iface, i, m));
    let load_default = location.map(|loc| {
        let d = format!(" Loads the plugin at `{loc}` (the file's `transport.location`), relative to the working directory.");
        quote! {
            #[doc = #d]
            ///
            /// # Safety
            /// As [`Self::load`].
            pub unsafe fn load_default() -> ::core::result::Result<Self, ::bid_runtime::LoadError> {
                // SAFETY: forwarded to the caller.
                unsafe { Self::load(#loc) }
            }
        }
    });
    let handles_doc = iface
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeDefKind::Handle(_)))
        .then(|| quote!(#[doc = " Handles it returns are tracked by the audit until released."]));

    quote! {
        #types

        #doc
        #[doc = #about]
        #[doc = ""]
        #[doc = #sync_note]
        #handles_doc
        pub struct #box_name {
            lib: ::bid_runtime::Library,
            fns: #fns_name,
            #not_sync_field
        }

        struct #fns_name {
            #(#fn_fields)*
        }

        #meta

        #[automatically_derived]
        impl ::core::fmt::Debug for #box_name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#bare)
                    .field("library", &self.lib.path())
                    .finish_non_exhaustive()
            }
        }

        // `#[automatically_derived]` marks trait impls only (rustc warns on inherent ones).
        // Method and parameter names are the BID file's, so style lints are not ours to win.
        #[allow(clippy::all, clippy::pedantic, reason = "names and shapes come from the BID file")]
        impl #box_name {
            /// Loads the plugin at `path`, resolves every symbol (all missing ones are
            /// reported together) and compares the plugin's signature if it exports one.
            ///
            /// # Safety
            /// Loading runs the library's initialisers, and every call trusts that the
            /// library exports the functions this interface declares, with these types.
            pub unsafe fn load(
                path: impl ::core::convert::AsRef<::std::ffi::OsStr>,
            ) -> ::core::result::Result<Self, ::bid_runtime::LoadError> {
                // SAFETY: forwarded to the caller.
                let __bid_lib = unsafe { ::bid_runtime::__private::open(path.as_ref(), &#meta_name) }?;
                let fns = #fns_name { #(#fn_inits)* };
                ::core::result::Result::Ok(Self { lib: __bid_lib, fns, #not_sync_init })
            }

            #load_default

            /// The ownership audit of every call made through this box.
            pub fn audit(&self) -> &::bid_runtime::Audit {
                self.lib.audit()
            }

            #(#methods)*
        }
    }
}

#[cfg(test)]
mod tests;
