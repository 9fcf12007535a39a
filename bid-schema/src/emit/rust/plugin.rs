//! Rust plugin glue: what a plugin written in Rust implements, and the C symbols it exports.
//!
//! Per interface, in the module the glue is generated into:
//!
//! - the records, the same `#[repr(C)]` structs as on the host side;
//! - `trait <Box>Plugin`: one method per BID method, over plain Rust types (`&str`, `&[T]`,
//!   `String`, `Vec<T>`, `Result<T, Status>`), and one associated type per handle type;
//! - `struct <Box>Handles<P>`: the handle tables, one public field per handle type named as
//!   the type, which a method receives when its values carry handles as plain ids;
//! - one generic shim per method (`__bid_i<I>_m<M>`), the whole ABI side of a call: argument
//!   checks, handle lookups, the trait call, the result handed out, under the guard that keeps
//!   panics from crossing the boundary (`bid_plugin::__private`);
//! - a `macro_rules!` exported as `export!` (and `export_<box>!`) that defines the C symbols
//!   for one implementing type: a `static` instance holder and one `extern "C"` function per
//!   method, each a call of its generic shim, plus `<prefix>_bid_free` and
//!   `<prefix>_bid_signature` (both declared by every header).
//!
//! The macro finds the items by a path, `crate::<module>` unless given
//! `with_types_in path::to::module`: macro_rules cannot name the module it was defined in.
//! Every name the glue makes up starts with `__bid`/`__Bid`; the trait and the tables are
//! checked against the file's type names (`bid.name.duplicate`).

use super::types::handle_raw;
use super::{Emitter, docs, elem_type, ident, scalar_type};
use crate::model::{
    Buffer, Elem, HandleRepr, Interface, Method, Model, Ownership, Scalar, Type, TypeDefKind,
    TypeId,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

mod exports;
mod skeleton;

pub use skeleton::plugin_skeleton;

/// The path of the module the plugin glue is generated into, as the caller of `export!`
/// writes it: `crate::kv`, `crate::plugins::kv`, `self::kv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModulePath(Vec<String>);

impl ModulePath {
    /// `None` unless `path` is `::`-separated Rust identifiers (`crate`, `self` and `super`
    /// included; no raw identifiers, no generics).
    pub fn parse(path: &str) -> Option<ModulePath> {
        let segments: Vec<String> = path.split("::").map(str::to_owned).collect();
        let ok = segments.iter().all(|s| {
            crate::names::is_identifier(s)
                && s != "_"
                && (!crate::names::is_rust_keyword(s)
                    || matches!(s.as_str(), "crate" | "self" | "super"))
        });
        ok.then_some(ModulePath(segments))
    }

    fn idents(&self) -> Vec<Ident> {
        self.0.iter().map(|s| ident(s)).collect()
    }
}

impl std::fmt::Display for ModulePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("::"))
    }
}

/// The plugin glue of every interface of `model`; the export macros find it under `module`
/// unless told `with_types_in`.
pub fn plugin(model: &Model, module: &ModulePath) -> TokenStream {
    each_interface(model, module, |glue, path, single| {
        glue.interface(path, single)
    })
}

/// `emit` for each interface's glue, given the module path's idents and whether the file has
/// a single interface (which then also exports `export!`).
fn each_interface(
    model: &Model,
    module: &ModulePath,
    emit: impl Fn(&Glue, &[Ident], bool) -> TokenStream,
) -> TokenStream {
    let path = module.idents();
    let single = model.interfaces().len() == 1;
    model
        .interfaces()
        .iter()
        .enumerate()
        .map(|(i, iface)| emit(&Glue::new(iface, i), &path, single))
        .collect()
}

/// One interface's glue and the names it uses.
struct Glue<'m> {
    iface: &'m Interface,
    trait_name: Ident,
    handles_name: Ident,
    state: Ident,
    holder: Ident,
    index: usize,
    /// Per declared type: whether the record holds a handle, at any depth. Computed once in
    /// dependency order: asked of each record afresh, a record holding two of another would
    /// double the work per level.
    has_handle: Vec<bool>,
}

impl<'m> Glue<'m> {
    fn new(iface: &'m Interface, index: usize) -> Self {
        let bare = iface.box_name().trim_start_matches("r#");
        let has_handle = iface.records_holding_handles();
        Glue {
            iface,
            trait_name: format_ident!("{bare}Plugin"),
            handles_name: format_ident!("{bare}Handles"),
            state: format_ident!("__BidState{index}"),
            holder: format_ident!("__BidHolder{index}"),
            index,
            has_handle,
        }
    }

    fn handle_types(&self) -> impl Iterator<Item = (TypeId, HandleRepr)> + '_ {
        self.iface
            .types()
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t.kind() {
                TypeDefKind::Handle(h) => Some((TypeId(i), h.repr())),
                TypeDefKind::Record(_) => None,
            })
    }

    fn interface(&self, path: &[Ident], single: bool) -> TokenStream {
        let emitter = Emitter::new(self.iface);
        let records = self.iface.types().iter().enumerate().filter_map(|(i, t)| {
            let TypeDefKind::Record(_) = t.kind() else {
                return None;
            };
            let record = emitter.declared_type(i);
            let name = ident(t.rust());
            Some(quote! {
                #record
                // SAFETY: a BID record holds integers, floats, raw pointers and records of
                // those: every bit pattern is a value.
                unsafe impl ::bid_plugin::__private::Plain for #name {}
            })
        });
        let plugin_trait = self.plugin_trait();
        let state = self.state();
        let shims = self
            .iface
            .methods()
            .iter()
            .enumerate()
            .map(|(m, method)| self.shim(m, method));
        let export = self.export_macro(path, single);
        quote! {
            #(#records)*
            #plugin_trait
            #state
            #(#shims)*
            #export
        }
    }

    fn plugin_trait(&self) -> TokenStream {
        let iface = self.iface;
        let name = &self.trait_name;
        let sync = iface.thread_safe().then(|| quote!(+ ::core::marker::Sync));
        let about = format!(
            " What a Rust plugin of the BID interface `{}` implements; `export!` makes its C symbols.",
            iface.qualified()
        );
        let threads = if iface.thread_safe() {
            " The interface is `thread_safe: true`: the host may call methods from several \
             threads at once, so the plugin and its handle types are `Sync`."
        } else {
            " The host calls one method at a time (the interface does not say `thread_safe: \
             true`), and the glue serializes calls too: the plugin need not be `Sync`."
        };
        let assoc = self.handle_types().map(|(id, repr)| {
            let def = iface.ty(id);
            let n = ident(def.rust());
            let doc = docs(def.doc());
            let what = format!(
                " The value behind a `{}` handle (`{}` at the boundary): the glue keeps it in \
                 a table and gives the host its id.",
                def.name(),
                repr.as_str()
            );
            quote! {
                #doc
                #[doc = #what]
                type #n: ::core::marker::Send #sync + 'static;
            }
        });
        let methods = iface.methods().iter().map(|m| self.trait_method(m));
        quote! {
            #[doc = #about]
            #[doc = ""]
            #[doc = #threads]
            #[doc = ""]
            #[doc = " One instance serves the library, made with `Default` at the first call."]
            pub trait #name: ::core::default::Default + ::core::marker::Send #sync + 'static {
                #(#assoc)*
                #(#methods)*
            }
        }
    }

    fn trait_method(&self, m: &Method) -> TokenStream {
        let iface = self.iface;
        let name = ident(m.rust());
        let doc = docs(m.doc());
        let sep = m.doc().is_some().then(|| quote!(#[doc = ""]));
        let about = format!(" Exported as `{}`.", m.symbol());
        let handles = self.needs_handles(m).then(|| {
            let param = handles_param(m);
            let tables = &self.handles_name;
            quote!(#param: &#tables<Self>,)
        });
        let params = m.params().iter().map(|p| {
            let n = ident(p.rust());
            let ty = api_param(iface, p.ty(), &TokenStream::new());
            quote!(#n: #ty)
        });
        let ret = api_return(iface, m, &TokenStream::new());
        let ret = match (m.fallible(), ret) {
            (true, ret) => {
                let ret = ret.unwrap_or_else(|| quote!(()));
                quote!(-> ::core::result::Result<#ret, ::bid_plugin::Status>)
            }
            (false, Some(ret)) => quote!(-> #ret),
            (false, None) => TokenStream::new(),
        };
        let fallible = m.fallible().then(|| {
            quote! {
                #[doc = ""]
                #[doc = " `Err(status)` is the status the C function returns; a panic returns `BID_E_INTERNAL`."]
            }
        });
        let infallible = (!m.fallible()).then(|| {
            quote! {
                #[doc = ""]
                #[doc = " Not fallible: a panic here, or an argument that breaks the ABI, aborts the process."]
            }
        });
        quote! {
            #doc
            #sep
            #[doc = #about]
            #fallible
            #infallible
            fn #name(&self, #handles #(#params),*) #ret;
        }
    }

    /// Whether a method's values carry handles as plain ids (inside records and arrays, or a
    /// handle the plugin keeps), so its trait method gets the handle tables.
    fn needs_handles(&self, m: &Method) -> bool {
        let carries = |ty: Type| match ty {
            Type::Record(id) => self.has_handle[id.index()],
            Type::Buffer(Buffer::Array(Elem::Record(id)), _) => self.has_handle[id.index()],
            Type::Buffer(Buffer::Array(Elem::Handle(_)), _) => true,
            _ => false,
        };
        matches!(m.returns(), Some(Type::Handle(_, Ownership::Borrowed)))
            || m.returns().is_some_and(carries)
            || m.params().iter().any(|p| carries(p.ty()))
    }

    /// The tables, the instance state and its holder.
    fn state(&self) -> TokenStream {
        let iface = self.iface;
        let (plugin, tables, state, holder) = (
            &self.trait_name,
            &self.handles_name,
            &self.state,
            &self.holder,
        );
        let fields: Vec<(Ident, TokenStream, String)> = self
            .handle_types()
            .map(|(id, repr)| {
                let def = iface.ty(id);
                let n = ident(def.rust());
                let ty = match repr {
                    HandleRepr::Pointer => quote!(::bid_plugin::PointerTable<P::#n>),
                    HandleRepr::I32 | HandleRepr::I64 => {
                        let raw = handle_raw(repr);
                        quote!(::bid_plugin::HandleTable<P::#n, #raw>)
                    }
                };
                let doc = format!(" The live `{}` handles, by id.", def.name());
                (n, ty, doc)
            })
            .collect();
        let decl = fields
            .iter()
            .map(|(n, ty, doc)| quote!(#[doc = #doc] pub #n: #ty,));
        let init = fields
            .iter()
            .map(|(n, ..)| quote!(#n: ::core::default::Default::default(),));
        let kind = if iface.thread_safe() {
            quote!(Shared)
        } else {
            quote!(Serialized)
        };
        let about = format!(
            " The handle tables of a [`{}`]: a method whose values carry handles as plain ids \
             gets them, to insert a value (`insert`), read one (`borrow`) or take one back \
             (`take`).",
            plugin
        );
        quote! {
            #[doc = #about]
            #[allow(non_snake_case, reason = "one field per handle type, named as the type")]
            pub struct #tables<P: #plugin> {
                #(#decl)*
                #[doc(hidden)]
                pub __bid_plugin: ::core::marker::PhantomData<fn() -> P>,
            }

            #[doc(hidden)]
            #[allow(dead_code, reason = "an interface without handles never reads its tables")]
            pub struct #state<P: #plugin> {
                plugin: P,
                handles: #tables<P>,
            }

            #[automatically_derived]
            impl<P: #plugin> ::core::default::Default for #state<P> {
                fn default() -> Self {
                    Self {
                        plugin: <P as ::core::default::Default>::default(),
                        handles: #tables {
                            #(#init)*
                            __bid_plugin: ::core::marker::PhantomData,
                        },
                    }
                }
            }

            #[doc(hidden)]
            pub type #holder<P> = ::bid_plugin::__private::#kind<#state<P>>;
        }
    }
}

/// `handles`, or `handles_` when a parameter is called `handles`.
fn handles_param(m: &Method) -> Ident {
    if m.params().iter().any(|p| p.rust() == "handles") {
        format_ident!("handles_")
    } else {
        format_ident!("handles")
    }
}

/// An array element or record field type, records under `records`.
fn elem(iface: &Interface, e: Elem, records: &TokenStream) -> TokenStream {
    match e {
        Elem::Record(id) => {
            let n = ident(iface.ty(id).rust());
            quote!(#records #n)
        }
        e => elem_type(iface, e),
    }
}

/// A trait method's parameter type, records under `records` (empty inside the glue's module).
fn api_param(iface: &Interface, ty: Type, records: &TokenStream) -> TokenStream {
    match ty {
        Type::Scalar(Scalar::Bool) => quote!(bool),
        Type::Scalar(s) => scalar_type(s),
        Type::Record(id) => {
            let n = ident(iface.ty(id).rust());
            quote!(#records #n)
        }
        Type::Handle(id, own) => {
            let n = ident(iface.ty(id).rust());
            match own {
                Ownership::Transferred => quote!(Self::#n),
                _ => quote!(&Self::#n),
            }
        }
        Type::Buffer(Buffer::String, _) => quote!(&str),
        Type::CStr(_) => quote!(&::core::ffi::CStr),
        Type::Buffer(Buffer::Bytes, _) => quote!(&[u8]),
        Type::Buffer(Buffer::Array(e), _) => {
            let e = elem(iface, e, records);
            quote!(&[#e])
        }
    }
}

/// A trait method's return type, `None` for `void`; `Option<..>` for a `nullable` handle or
/// C string the plugin gives.
fn api_return(iface: &Interface, m: &Method, records: &TokenStream) -> Option<TokenStream> {
    let ty = m.returns()?;
    let value = api_value(iface, ty, records);
    let optional = m.nullable() && !matches!(ty, Type::Handle(_, Ownership::Borrowed));
    Some(if optional {
        quote!(::core::option::Option<#value>)
    } else {
        value
    })
}

fn api_value(iface: &Interface, ty: Type, records: &TokenStream) -> TokenStream {
    let static_ref = |own: Ownership| own == Ownership::Reference;
    match ty {
        Type::CStr(Ownership::Transferred) => quote!(::std::ffi::CString),
        Type::CStr(_) => quote!(&'static ::core::ffi::CStr),
        Type::Handle(id, Ownership::Transferred) => {
            let n = ident(iface.ty(id).rust());
            quote!(Self::#n)
        }
        Type::Handle(id, _) => handle_raw(iface.handle(id).repr()),
        Type::Buffer(Buffer::String, own) if static_ref(own) => quote!(&'static str),
        Type::Buffer(Buffer::String, _) => quote!(::std::string::String),
        Type::Buffer(Buffer::Bytes, own) if static_ref(own) => quote!(&'static [u8]),
        Type::Buffer(Buffer::Bytes, _) => quote!(::std::vec::Vec<u8>),
        Type::Buffer(Buffer::Array(e), own) => {
            let e = elem(iface, e, records);
            if static_ref(own) {
                quote!(&'static [#e])
            } else {
                quote!(::std::vec::Vec<#e>)
            }
        }
        ty => api_param(iface, ty, records),
    }
}

/// The C-level type of a value in a prototype, records under `records` (empty inside the
/// glue's module, the macro's path outside it).
fn c_value(iface: &Interface, ty: Type, records: &TokenStream) -> TokenStream {
    match ty {
        Type::Scalar(s) => scalar_type(s),
        Type::Handle(id, _) => handle_raw(iface.handle(id).repr()),
        Type::Record(id) => {
            let n = ident(iface.ty(id).rust());
            quote!(#records #n)
        }
        Type::Buffer(..) => quote!(::bid_plugin::__private::BidBuf),
        Type::CStr(Ownership::Transferred) => quote!(*mut ::core::ffi::c_char),
        Type::CStr(_) => quote!(*const ::core::ffi::c_char),
    }
}

/// The C parameters of `m` (`a0, a1, ...`, then `out`) and its C return type.
fn c_params(
    iface: &Interface,
    m: &Method,
    records: &TokenStream,
) -> (Vec<(Ident, TokenStream)>, TokenStream) {
    let mut params = Vec::new();
    let mut next = 0usize;
    let mut arg = || {
        next += 1;
        format_ident!("__bid_a{}", next - 1)
    };
    for p in m.params() {
        match p.ty() {
            Type::Buffer(buf, _) => {
                let elem = match buf {
                    Buffer::String | Buffer::Bytes => quote!(u8),
                    Buffer::Array(e) => elem(iface, e, records),
                };
                params.push((arg(), quote!(*const #elem)));
                params.push((arg(), quote!(i32)));
            }
            ty => params.push((arg(), c_value(iface, ty, records))),
        }
    }
    if m.has_out_param()
        && let Some(ty) = m.returns()
    {
        let out = c_value(iface, ty, records);
        params.push((format_ident!("__bid_out"), quote!(*mut #out)));
    }
    let ret = match m.returns() {
        _ if m.fallible() => quote!(-> i32),
        Some(Type::Buffer(..)) | None => TokenStream::new(),
        Some(ty) => {
            let ty = c_value(iface, ty, records);
            quote!(-> #ty)
        }
    };
    (params, ret)
}
