//! The ABI side of the plugin glue: one generic shim per method (decode, call the trait,
//! encode, under the panic guard) and the `export!` macro that defines the C symbols.

use super::{Glue, c_params};
use crate::emit::rust::ident;
use crate::model::{Buffer, HandleRepr, Interface, Method, Ownership, Scalar, Type};
use crate::names::snake_case;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use std::ffi::CString;

impl Glue<'_> {
    /// The generic shim of method `index`: decode, call, encode, under the guard.
    pub(super) fn shim(&self, index: usize, m: &Method) -> TokenStream {
        let iface = self.iface;
        let (plugin, holder) = (&self.trait_name, &self.holder);
        let name = shim_name(self.index, index);
        let (params, ret) = c_params(iface, m, &TokenStream::new());
        let decl = params.iter().map(|(n, ty)| quote!(#n: #ty));
        let method = m.name();
        let rt = quote!(::bid_plugin::__private);
        let mut stmts = Vec::new();
        if m.has_out_param() {
            stmts.push(quote! {
                // SAFETY: the ABI: `out` is the caller's out-param for this call.
                let __bid_out = unsafe { #rt::out_arg("out", __bid_out) }?;
            });
        }
        // Decoders, then the takes of transferred handles, then the borrows: a take waits for
        // borrows of its handle, so none may be held by this thread when it runs.
        let (mut takes, mut borrows, mut args) = (Vec::new(), Vec::new(), Vec::new());
        let mut c = params.iter().map(|(n, _)| n);
        for (j, p) in m.params().iter().enumerate() {
            let v = format_ident!("__bid_v{}", j);
            let written = p.name();
            let a = c
                .next()
                .expect("one C parameter at least per BID parameter");
            match p.ty() {
                Type::Buffer(buf, _) => {
                    let len = c.next().expect("a length after a buffer pointer");
                    let decode = match buf {
                        Buffer::String => quote!(#rt::str_arg(#written, #a.cast(), #len)),
                        Buffer::Bytes => quote!(#rt::bytes_arg(#written, #a, #len)),
                        Buffer::Array(_) => quote!(#rt::slice_arg(#written, #a, #len)),
                    };
                    stmts.push(quote! {
                        // SAFETY: the ABI: the buffer is readable for the call.
                        let #v = unsafe { #decode }?;
                    });
                    args.push(quote!(#v));
                }
                Type::Scalar(Scalar::Bool) => {
                    stmts.push(quote!(let #v = #rt::bool_arg(#written, #a)?;));
                    args.push(quote!(#v));
                }
                Type::CStr(_) => {
                    stmts.push(quote! {
                        // SAFETY: the ABI: a NUL-terminated string readable for the call.
                        let #v = unsafe { #rt::cstr_arg(#written, #a) }?;
                    });
                    args.push(quote!(#v));
                }
                Type::Handle(id, own) => {
                    let table = ident(iface.ty(id).rust());
                    let table = quote!(__bid_s.handles.#table);
                    if own == Ownership::Transferred {
                        takes.push(quote!(let #v = #table.take(#a)?;));
                        args.push(quote!(#v));
                    } else {
                        borrows.push(quote!(let #v = #table.borrow(#a)?;));
                        args.push(quote!(&*#v));
                    }
                }
                Type::Scalar(_) | Type::Record(_) => args.push(quote!(#a)),
            }
        }
        stmts.extend(takes);
        stmts.extend(borrows);
        let handles = self.needs_handles(m).then(|| quote!(&__bid_s.handles,));
        let mname = ident(m.rust());
        let question = m.fallible().then(|| quote!(?));
        stmts.push(quote! {
            let __bid_r = <P as #plugin>::#mname(&__bid_s.plugin, #handles #(#args),*) #question;
        });
        let value = encode(iface, m);
        let body = if m.has_out_param() {
            quote! {
                __bid_out.write(#value);
                ::core::result::Result::Ok(())
            }
        } else {
            quote!(::core::result::Result::Ok(#value))
        };
        let guard = if m.fallible() {
            quote!(fallible)
        } else {
            quote!(infallible)
        };
        let doc = format!(" The ABI side of `{}`.", m.symbol());
        quote! {
            #[doc = #doc]
            ///
            /// # Safety
            /// The caller passes what the C prototype says: buffers readable and an out-param
            /// writable for the call.
            #[doc(hidden)]
            #[inline(always)]
            #[allow(clippy::all, clippy::pedantic, reason = "generated glue")]
            pub unsafe fn #name<P: #plugin>(__bid_holder: &#holder<P>, #(#decl),*) #ret {
                #rt::#guard(#method, || {
                    __bid_holder.with(|__bid_s| {
                        #(#stmts)*
                        #body
                    })
                })
            }
        }
    }

    /// `macro_rules!` defining the C symbols for one implementing type, exported as
    /// `export_<box>!` and, when the file has one interface, `export!`.
    pub(super) fn export_macro(&self, path: &[Ident], single: bool) -> TokenStream {
        let iface = self.iface;
        let macro_name = format_ident!("__bid_export_{}", self.index);
        let public = format_ident!(
            "export_{}",
            snake_case(iface.box_name().trim_start_matches("r#"))
        );
        let holder = &self.holder;
        let p = quote!($($p)::+::);
        let fns = iface.methods().iter().enumerate().map(|(i, m)| {
            let (params, ret) = c_params(iface, m, &p);
            let decl = params.iter().map(|(n, ty)| quote!(#n: #ty));
            let names = params.iter().map(|(n, _)| n);
            let symbol = m.symbol();
            let shim = shim_name(self.index, i);
            let local = format_ident!("__bid_m{}", i);
            quote! {
                #[unsafe(export_name = #symbol)]
                unsafe extern "C" fn #local(#(#decl),*) #ret {
                    // SAFETY: the host calls with the header's prototype.
                    unsafe { #p #shim::<$t>(&__BID_STATE, #(#names),*) }
                }
            }
        });
        // Declared by every header, so exported by every plugin, buffers or not.
        let free = {
            let symbol = iface.free_symbol();
            quote! {
                #[unsafe(export_name = #symbol)]
                extern "C" fn __bid_free(__bid_ptr: *mut ::core::ffi::c_void, __bid_len: i32) {
                    ::bid_plugin::__private::free(__bid_ptr, __bid_len)
                }
            }
        };
        let custom_frees = iface
            .custom_frees()
            .into_iter()
            .enumerate()
            .map(|(i, symbol)| {
                let local = format_ident!("__bid_free_{}", i);
                quote! {
                    #[unsafe(export_name = #symbol)]
                    extern "C" fn #local(__bid_ptr: *mut ::core::ffi::c_void) {
                        ::bid_plugin::__private::free_ptr(__bid_ptr)
                    }
                }
            });
        let sig_symbol = iface.signature_symbol();
        let signature = signature_literal(&crate::signature::text(iface));
        let default_path = quote!(#(#path)::*);
        let about = format!(
            " Exports the C symbols of `{}` for a type implementing [`{}`]: \
             `export_{}!(MyPlugin)`, or `(MyPlugin, with_types_in path::to::module)` when \
             these bindings are not at `{}`.",
            iface.qualified(),
            self.trait_name,
            snake_case(iface.box_name().trim_start_matches("r#")),
            default_path.to_string().replace(' ', "")
        );
        let alias = single.then(|| {
            quote! {
                #[doc = #about]
                #[allow(unused_imports, reason = "a plugin may export through either name")]
                pub(crate) use #macro_name as export;
            }
        });
        quote! {
            #[doc(hidden)]
            macro_rules! #macro_name {
                ($t:ty) => {
                    #default_path::#macro_name!($t, with_types_in #default_path);
                };
                ($t:ty, with_types_in $($p:ident)::+) => {
                    const _: () = {
                        static __BID_STATE: #p #holder<$t> = #p #holder::<$t>::new();
                        #(#fns)*
                        #free
                        #(#custom_frees)*
                        #[unsafe(export_name = #sig_symbol)]
                        extern "C" fn __bid_signature() -> *const ::core::ffi::c_char {
                            ::bid_plugin::__private::signature(#signature)
                        }
                    };
                };
            }
            #[doc = #about]
            #[allow(unused_imports, reason = "a plugin may export through either name")]
            pub(crate) use #macro_name as #public;
            #[doc(hidden)]
            #[allow(unused_imports, reason = "the default arm names the macro by this path")]
            pub(crate) use #macro_name;
            #alias
        }
    }
}

fn shim_name(interface: usize, method: usize) -> Ident {
    format_ident!("__bid_i{}_m{}", interface, method)
}

/// The C value of a trait method's result `__bid_r`, as an expression that may use `?`.
fn encode(iface: &Interface, m: &Method) -> TokenStream {
    let Some(ty) = m.returns() else {
        return quote!(__bid_r);
    };
    // A `nullable` handle or C string the plugin gives is an `Option`: `None` is NULL or 0.
    let optional = m.nullable() && !matches!(ty, Type::Handle(_, Ownership::Borrowed));
    if !optional {
        return encode_value(iface, ty, &quote!(__bid_r));
    }
    let some = encode_value(iface, ty, &quote!(__bid_v));
    let none = match ty {
        Type::CStr(_) => quote!(::core::ptr::null_mut()),
        Type::Handle(id, _) if iface.handle(id).repr() == HandleRepr::Pointer => {
            quote!(::core::ptr::null_mut())
        }
        _ => quote!(0),
    };
    quote! {
        match __bid_r {
            ::core::option::Option::Some(__bid_v) => #some,
            ::core::option::Option::None => #none,
        }
    }
}

fn encode_value(iface: &Interface, ty: Type, r: &TokenStream) -> TokenStream {
    let rt = quote!(::bid_plugin::__private);
    match ty {
        Type::Scalar(Scalar::Bool) => quote!(i32::from(#r)),
        Type::Scalar(_) | Type::Record(_) => quote!(#r),
        Type::Handle(id, Ownership::Transferred) => {
            let table = ident(iface.ty(id).rust());
            match iface.handle(id).repr() {
                HandleRepr::Pointer => quote!(__bid_s.handles.#table.insert(#r)),
                HandleRepr::I32 | HandleRepr::I64 => {
                    quote!(__bid_s.handles.#table.insert(#r)?)
                }
            }
        }
        Type::Handle(..) => quote!(#r),
        // A reference C string is the library's for good: the host only reads it.
        Type::CStr(Ownership::Transferred) => quote!(#rt::give_cstring(#r)),
        Type::CStr(_) => quote!(#r.as_ptr()),
        Type::Buffer(buf, own) => {
            let string = buf == Buffer::String;
            match (own, string) {
                (Ownership::Transferred, true) => quote!(#rt::give_string(#r)?),
                (Ownership::Transferred, false) => quote!(#rt::give_vec(#r)?),
                (Ownership::Borrowed, true) => quote!(#rt::lend_string(#r)?),
                (Ownership::Borrowed, false) => quote!(#rt::lend_vec(#r)?),
                (Ownership::Reference, true) => quote!(#rt::refer(#r.as_bytes())?),
                (Ownership::Reference, false) => quote!(#rt::refer(#r)?),
            }
        }
    }
}

/// `c"..."`: the signature as the C string the export returns. Signature text is made of
/// BID names and keywords, never a NUL.
fn signature_literal(text: &str) -> Literal {
    let c = CString::new(text).expect("a signature holds no NUL");
    Literal::c_string(&c)
}
