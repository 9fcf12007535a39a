//! Rust host glue: a checked [`Model`] in, the `TokenStream` of every box out.
//!
//! One function, [`bindings`], serves bid-build, the `#[bid_interface]` macro and the CLI,
//! so the three cannot drift apart. Layout of a record field `bool`: the struct holds the
//! boundary's `i32` (0 or 1), because a Rust `bool` read from a plugin's `2` would be
//! undefined behaviour; method parameters and results use `bool`, checked by the runtime.
//!
//! Every name the generated code makes up for itself starts with `__bid` (`__BID` for
//! statics, `__Bid` for types), and no BID name can produce one where it would clash: type
//! names are UpperCamelCase (leading underscores dropped), a box named `__bid...` is
//! refused, and a method's own locals come after its parameters have all been moved into
//! them (see `methods`), so a parameter called `__bid_call` is only ever read once, first.

mod meta;
mod methods;
mod plugin;
mod types;

pub use plugin::{ModulePath, plugin, plugin_skeleton};

use crate::layout::{Layouts, Target};
use crate::model::{Elem, Interface, Model, Scalar, TypeDefKind};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// The generated items for every interface of `model`, in file order.
pub fn bindings(model: &Model) -> TokenStream {
    let location = model.transport().location();
    model
        .interfaces()
        .iter()
        .map(|iface| Emitter::new(iface).interface(location))
        .collect()
}

/// One interface and what its items need computed once: the record layouts on every
/// target and which records have an all-zero `Default`.
struct Emitter<'m> {
    iface: &'m Interface,
    layouts: Vec<Layouts>,
    zero_default: Vec<bool>,
}

impl<'m> Emitter<'m> {
    fn new(iface: &'m Interface) -> Self {
        // A record without handles is all numbers: all zeros is a value of it.
        let zero_default = iface
            .records_holding_handles()
            .into_iter()
            .zip(iface.types())
            .map(|(holds, t)| matches!(t.kind(), TypeDefKind::Record(_)) && !holds)
            .collect();
        Emitter {
            iface,
            layouts: Target::ALL.map(|t| Layouts::new(iface, t)).to_vec(),
            zero_default,
        }
    }

    fn interface(&self, location: Option<&str>) -> TokenStream {
        let iface = self.iface;
        let types = (0..iface.types().len()).map(|i| self.declared_type(i));
        let box_struct = self.box_struct();
        let fns = self.fns_struct();
        let meta = meta::meta_static(iface, &self.layouts);
        let debug = self.debug_impl();
        let box_name = ident(iface.box_name());
        let load = self.load();
        let load_default = location.map(load_default);
        let methods = iface
            .methods()
            .iter()
            .enumerate()
            .map(|(i, m)| methods::method(iface, i, m));
        // `#[automatically_derived]` marks trait impls only (rustc warns on inherent ones).
        // Method and parameter names are the BID file's, so style lints are not ours to win;
        // a host that calls only some methods should not be warned about the others.
        quote! {
            #(#types)*
            #box_struct
            #fns
            #meta
            #debug
            #[allow(
                clippy::all,
                clippy::pedantic,
                dead_code,
                reason = "names and shapes come from the BID file; hosts call what they need"
            )]
            impl #box_name {
                #load
                #load_default
                /// The ownership audit of every call made through this box.
                pub fn audit(&self) -> &::bid_runtime::Audit {
                    self.lib.audit()
                }
                #(#methods)*
            }
        }
    }

    fn box_struct(&self) -> TokenStream {
        let iface = self.iface;
        let box_name = ident(iface.box_name());
        let fns_name = fns_name(iface);
        let mut doc = docs(iface.doc());
        if iface.doc().is_some() {
            doc.extend(quote!(#[doc = ""]));
        }
        let about = match iface.version() {
            Some(v) => format!(
                " Host side of the BID interface `{}` version {}.",
                iface.qualified(),
                doc_text(v)
            ),
            None => format!(" Host side of the BID interface `{}`.", iface.qualified()),
        };
        let sync_note = if iface.thread_safe() {
            " `Send + Sync`: the plugin declares its methods safe to call from several threads."
        } else {
            " Not `Sync`, and every call into its library is serialized, across boxes: the \
             interface does not say `thread_safe: true`."
        };
        // An interface without methods never reads its table of addresses.
        let fns_unread = iface
            .methods()
            .is_empty()
            .then(|| quote!(#[allow(dead_code)]));
        let not_sync_field = (!iface.thread_safe())
            .then(|| quote!(_not_sync: ::core::marker::PhantomData<::core::cell::Cell<()>>,));
        let handles_doc = iface
            .types()
            .iter()
            .any(|t| matches!(t.kind(), crate::model::TypeDefKind::Handle(_)))
            .then(
                || quote!(#[doc = " Handles it returns are tracked by the audit until released."]),
            );
        quote! {
            #doc
            #[doc = #about]
            #[doc = ""]
            #[doc = #sync_note]
            #handles_doc
            pub struct #box_name {
                lib: ::bid_runtime::__private::Library,
                #fns_unread
                fns: #fns_name,
                #not_sync_field
            }
        }
    }

    fn fns_struct(&self) -> TokenStream {
        let iface = self.iface;
        let fns_name = fns_name(iface);
        let fields = iface.methods().iter().map(|m| {
            let name = ident(m.rust());
            let ty = methods::fn_type(iface, m);
            quote!(#name: #ty,)
        });
        quote! {
            // Laid out as the library's array of resolved addresses, which `load` copies in.
            #[repr(C)]
            struct #fns_name {
                #(#fields)*
            }
        }
    }

    fn debug_impl(&self) -> TokenStream {
        let box_name = ident(self.iface.box_name());
        let bare = bare_box_name(self.iface);
        quote! {
            #[automatically_derived]
            impl ::core::fmt::Debug for #box_name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(#bare)
                        .field("library", &self.lib.path())
                        .finish_non_exhaustive()
                }
            }
        }
    }

    fn load(&self) -> TokenStream {
        let iface = self.iface;
        let fns_name = fns_name(iface);
        let meta_name = meta::meta_name(iface);
        let not_sync_init =
            (!iface.thread_safe()).then(|| quote!(_not_sync: ::core::marker::PhantomData,));
        quote! {
            /// Loads the plugin at `path`, resolves every symbol (all missing ones are
            /// reported together) and compares the plugin's signature if it exports one
            /// (the audit says when it does not: [`::bid_runtime::Audit::signature`]).
            ///
            /// # Safety
            /// Loading runs the library's initialisers, and every call trusts that the
            /// library exports the functions this interface declares, with these types.
            pub unsafe fn load(
                path: impl ::core::convert::AsRef<::std::ffi::OsStr>,
            ) -> ::core::result::Result<Self, ::bid_runtime::LoadError> {
                // SAFETY: forwarded to the caller.
                unsafe { Self::load_with(path, &::bid_runtime::LoadOptions::new()) }
            }

            /// [`Self::load`] with options, such as requiring the plugin's signature.
            ///
            /// # Safety
            /// As [`Self::load`].
            pub unsafe fn load_with(
                path: impl ::core::convert::AsRef<::std::ffi::OsStr>,
                options: &::bid_runtime::LoadOptions,
            ) -> ::core::result::Result<Self, ::bid_runtime::LoadError> {
                // SAFETY: forwarded to the caller.
                let __bid_lib = unsafe {
                    ::bid_runtime::__private::open(path.as_ref(), &#meta_name, options)
                }?;
                // SAFETY: `#fns_name` has one field per method, in method order, of the
                // prototype the caller of `load` vouched for.
                let __bid_fns = unsafe { __bid_lib.fn_table::<#fns_name>() };
                ::core::result::Result::Ok(Self { lib: __bid_lib, fns: __bid_fns, #not_sync_init })
            }
        }
    }
}

fn load_default(location: &str) -> TokenStream {
    let d = format!(
        " Loads the plugin at `{}` (the file's `transport.location`), relative to the working directory.",
        doc_text(location)
    );
    quote! {
        #[doc = #d]
        ///
        /// # Safety
        /// As [`Self::load`].
        pub unsafe fn load_default() -> ::core::result::Result<Self, ::bid_runtime::LoadError> {
            // SAFETY: forwarded to the caller.
            unsafe { Self::load(#location) }
        }
    }
}

/// An ident from a model spelling; `r#type` becomes a raw ident.
pub(crate) fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

/// Text from the YAML made safe for a doc comment: prettyplease prints `#[doc]` as `///`,
/// and rustc refuses bidirectional-override characters in comments and a bare carriage
/// return in a doc comment, so those and every other control character but tab become
/// U+FFFD. Line breaks are the caller's business.
pub(crate) fn doc_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if bidi || (c.is_control() && c != '\t') {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// `#[doc]` lines for free text from the YAML: one attribute per line (`\n`, `\r\n` or a
/// lone `\r`), each line through [`doc_text`]. A bare code fence opened in the YAML becomes
/// ```` ```text ````: rustdoc would otherwise compile the block as a doctest of the user's
/// crate.
pub(crate) fn docs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else {
        return TokenStream::new();
    };
    let mut in_fence = false;
    doc.lines()
        .flat_map(|l| l.split('\r'))
        .map(|line| {
            let line = doc_text(line);
            let trimmed = line.trim_start();
            let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
            let line = if fence && !in_fence && trimmed.trim_matches(['`', '~']).trim().is_empty() {
                format!("{}text", line.trim_end())
            } else {
                line
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

/// The Rust type of a scalar as it sits in memory at the boundary: a BID `bool` is its
/// `int32_t`.
pub(crate) fn scalar_type(s: Scalar) -> TokenStream {
    match s {
        Scalar::Bool => quote!(i32),
        // The keyword is the Rust type.
        s => {
            let t = format_ident!("{}", s.keyword());
            quote!(#t)
        }
    }
}

/// The Rust type of a record field or array element: a handle there is its plain value
/// (an owned handle borrows its box, which a `#[repr(C)]` value cannot).
pub(crate) fn elem_type(iface: &Interface, elem: Elem) -> TokenStream {
    match elem {
        Elem::Scalar(s) => scalar_type(s),
        Elem::Handle(id) => types::handle_raw(iface.handle(id).repr()),
        Elem::Record(id) => {
            let name = ident(iface.ty(id).rust());
            quote!(#name)
        }
    }
}

/// The `cfg(...)` predicate of a target, as tokens.
pub(crate) fn target_cfg(target: Target) -> TokenStream {
    match target {
        Target::Wasm32 => quote!(target_arch = "wasm32"),
        Target::X86_64Linux => quote!(all(target_arch = "x86_64", target_os = "linux")),
        Target::X86_64Windows => {
            quote!(all(
                target_arch = "x86_64",
                target_os = "windows",
                target_env = "msvc"
            ))
        }
        Target::Aarch64Darwin => quote!(all(target_arch = "aarch64", target_os = "macos")),
        Target::I686Linux => quote!(all(target_arch = "x86", target_os = "linux")),
    }
}

fn bare_box_name(iface: &Interface) -> &str {
    iface.box_name().trim_start_matches("r#")
}

fn fns_name(iface: &Interface) -> Ident {
    format_ident!("__Bid{}Fns", bare_box_name(iface))
}

#[cfg(test)]
mod tests;
