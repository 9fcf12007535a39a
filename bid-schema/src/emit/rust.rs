//! Rust host glue: a checked [`Model`] in, the `TokenStream` of every box out (SPEC §7).
//!
//! One function, [`bindings`], serves bid-build, the `#[bid_interface]` macro and the CLI,
//! so the three cannot drift apart. Layout of a record field `bool`: the struct holds the
//! boundary's `i32` (0 or 1), because a Rust `bool` read from a plugin's `2` would be
//! undefined behaviour; method parameters and results use `bool`, checked by the runtime.

mod meta;
mod methods;
mod types;

use crate::model::{Interface, Model, Type, TypeDefKind, TypeId};
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

/// The generated items for every interface of `model`, in file order: [`pieces`], each
/// `impl` closed around its members.
pub fn bindings(model: &Model) -> TokenStream {
    let mut out = TokenStream::new();
    let mut open: Option<(TokenStream, TokenStream)> = None;
    for piece in pieces(model) {
        match piece.emit() {
            Emitted::Items(items) => out.extend(items),
            Emitted::ImplStart(header) => open = Some((header, TokenStream::new())),
            Emitted::Member(member) => {
                if let Some((_, body)) = &mut open {
                    body.extend(member);
                }
            }
            Emitted::ImplEnd => {
                if let Some((header, body)) = open.take() {
                    out.extend(header);
                    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, body))]);
                }
            }
        }
    }
    out
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

/// One part of the bindings as [`Piece::emit`] gives it.
#[derive(Debug)]
pub enum Emitted {
    /// Whole items.
    Items(TokenStream),
    /// `#[..] impl Type`, without its body: the members up to the next
    /// [`Emitted::ImplEnd`] are the body.
    ImplStart(TokenStream),
    /// One item of the open `impl`.
    Member(TokenStream),
    /// The end of the open `impl`.
    ImplEnd,
}

/// One part of the bindings, emitted on demand: [`bindings`] is the concatenation of
/// [`pieces`], and a caller that formats the text (bid-build) emits and formats the pieces
/// on several threads, since token streams cannot cross threads but a `Piece` can.
#[derive(Clone, Copy, Debug)]
pub struct Piece<'m> {
    iface: &'m Interface,
    part: Part<'m>,
}

#[derive(Clone, Copy, Debug)]
enum Part<'m> {
    /// Declared type `i`: a handle newtype or a record with its layout checks.
    Type(usize),
    /// The box struct.
    Box,
    /// The struct of typed function pointers.
    Fns,
    /// The metadata static and its per-target passing classes.
    Meta,
    /// `impl Debug for Box`.
    Debug,
    ImplStart,
    Load,
    /// `load_default`, loading `transport.location`.
    LoadDefault(&'m str),
    Audit,
    /// The safe method of BID method `i`.
    Method(usize),
    ImplEnd,
}

/// The pieces of the bindings of every interface of `model`, in file order; most are one
/// method each.
pub fn pieces(model: &Model) -> Vec<Piece<'_>> {
    let location = model.transport.location.as_deref();
    let mut out = Vec::new();
    for iface in &model.interfaces {
        let mut part = |part| out.push(Piece { iface, part });
        (0..iface.types.len()).for_each(|i| part(Part::Type(i)));
        [
            Part::Box,
            Part::Fns,
            Part::Meta,
            Part::Debug,
            Part::ImplStart,
            Part::Load,
        ]
        .into_iter()
        .for_each(&mut part);
        if let Some(loc) = location {
            part(Part::LoadDefault(loc));
        }
        part(Part::Audit);
        (0..iface.methods.len()).for_each(|i| part(Part::Method(i)));
        part(Part::ImplEnd);
    }
    out
}

impl Piece<'_> {
    /// The tokens of this piece.
    pub fn emit(&self) -> Emitted {
        let iface = self.iface;
        match self.part {
            Part::Type(i) => Emitted::Items(types::declared_type(iface, TypeId(i))),
            Part::Box => Emitted::Items(box_struct(iface)),
            Part::Fns => Emitted::Items(fns_struct(iface)),
            Part::Meta => Emitted::Items(meta::meta_static(iface, &meta_name(iface))),
            Part::Debug => Emitted::Items(debug_impl(iface)),
            Part::ImplStart => {
                let box_name = ident(&iface.box_name);
                // `#[automatically_derived]` marks trait impls only (rustc warns on inherent
                // ones). Method and parameter names are the BID file's, so style lints are
                // not ours to win.
                Emitted::ImplStart(quote! {
                    #[allow(clippy::all, clippy::pedantic, reason = "names and shapes come from the BID file")]
                    impl #box_name
                })
            }
            Part::Load => Emitted::Member(load(iface)),
            Part::LoadDefault(loc) => Emitted::Member(load_default(loc)),
            Part::Audit => Emitted::Member(quote! {
                /// The ownership audit of every call made through this box.
                pub fn audit(&self) -> &::bid_runtime::Audit {
                    self.lib.audit()
                }
            }),
            Part::Method(i) => Emitted::Member(methods::method(iface, i, &iface.methods[i])),
            Part::ImplEnd => Emitted::ImplEnd,
        }
    }
}

fn bare_box_name(iface: &Interface) -> &str {
    iface.box_name.trim_start_matches("r#")
}

fn fns_name(iface: &Interface) -> Ident {
    format_ident!("__Bid{}Fns", bare_box_name(iface))
}

fn meta_name(iface: &Interface) -> Ident {
    format_ident!("__BID_{}_META", screaming(bare_box_name(iface)))
}

fn box_struct(iface: &Interface) -> TokenStream {
    let box_name = ident(&iface.box_name);
    let fns_name = fns_name(iface);
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
    let handles_doc = iface
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeDefKind::Handle(_)))
        .then(|| quote!(#[doc = " Handles it returns are tracked by the audit until released."]));
    quote! {
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
    }
}

fn fns_struct(iface: &Interface) -> TokenStream {
    let fns_name = fns_name(iface);
    let fields = iface.methods.iter().map(|m| {
        let name = ident(&m.rust);
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

fn debug_impl(iface: &Interface) -> TokenStream {
    let box_name = ident(&iface.box_name);
    let bare = bare_box_name(iface);
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

fn load(iface: &Interface) -> TokenStream {
    let fns_name = fns_name(iface);
    let meta_name = meta_name(iface);
    let not_sync_init =
        (!iface.thread_safe).then(|| quote!(_not_sync: ::core::marker::PhantomData,));
    quote! {
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
            // SAFETY: `#fns_name` has one field per method, in method order, of the
            // prototype the caller of `load` vouched for.
            let fns = unsafe { __bid_lib.fn_table::<#fns_name>() };
            ::core::result::Result::Ok(Self { lib: __bid_lib, fns, #not_sync_init })
        }
    }
}

fn load_default(loc: &str) -> TokenStream {
    let d = format!(
        " Loads the plugin at `{loc}` (the file's `transport.location`), relative to the working directory."
    );
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
}

#[cfg(test)]
mod tests;
