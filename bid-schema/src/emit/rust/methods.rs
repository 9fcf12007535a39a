//! One safe method per BID method, and the typed `extern "C"` pointer it calls.
//!
//! Hygiene by construction: a method's first statement moves every parameter into a local
//! the generator names (`__bid_a0`, `__bid_a1`, ...), and nothing after it names a
//! parameter. A parameter may be called anything a BID name allows, `__bid_call` or
//! `__bid_a1` included: it is read once, before any generated name exists.

use super::types::{handle_raw, widen};
use super::{docs, elem_type, ident, scalar_type};
use crate::model::{
    Buffer, Effect, HandleRepr, Interface, Method, Ownership, Scalar, Type, TypeId,
};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// The type of a value in an `extern "C"` prototype: scalars, records, a handle's plain
/// value, a buffer's `bid_buf`.
fn c_value(iface: &Interface, ty: Type) -> TokenStream {
    match ty {
        Type::Scalar(s) => scalar_type(s),
        Type::Handle(id, _) => handle_raw(iface.handle(id).repr()),
        Type::Record(id) => {
            let name = ident(iface.ty(id).rust());
            quote!(#name)
        }
        Type::Buffer(..) => quote!(::bid_runtime::BidBuf),
        Type::CStr(Ownership::Transferred) => quote!(*mut ::core::ffi::c_char),
        Type::CStr(_) => quote!(*const ::core::ffi::c_char),
    }
}

/// An owned handle type with the elided lifetime: `Store<'_>`.
fn handle_type(iface: &Interface, id: TypeId) -> TokenStream {
    let name = ident(iface.ty(id).rust());
    quote!(#name<'_>)
}

/// The element pointer type of a buffer parameter.
fn buffer_elem(iface: &Interface, buf: Buffer) -> TokenStream {
    match buf {
        Buffer::String | Buffer::Bytes => quote!(u8),
        Buffer::Array(e) => elem_type(iface, e),
    }
}

/// `unsafe extern "C" fn(..) -> ..`: the C prototype of `m` as Rust sees it.
pub(crate) fn fn_type(iface: &Interface, m: &Method) -> TokenStream {
    let mut params: Vec<TokenStream> = Vec::new();
    for p in m.params() {
        match p.ty() {
            Type::Buffer(buf, _) => {
                let elem = buffer_elem(iface, buf);
                params.extend([quote!(*const #elem), quote!(i32)]);
            }
            ty => params.push(c_value(iface, ty)),
        }
    }
    // Buffers come back through a trailing `bid_buf*`; a fallible method returns its status
    // and writes any value through the same single trailing out-param.
    if m.has_out_param()
        && let Some(ty) = m.returns()
    {
        let out = c_value(iface, ty);
        params.push(quote!(*mut #out));
    }
    let ret = match m.returns() {
        _ if m.fallible() => quote!(-> i32),
        Some(ty @ (Type::Scalar(_) | Type::Handle(..) | Type::Record(_) | Type::CStr(_))) => {
            let ty = c_value(iface, ty);
            quote!(-> #ty)
        }
        Some(Type::Buffer(..)) | None => TokenStream::new(),
    };
    quote!(unsafe extern "C" fn(#(#params),*) #ret)
}

/// The Rust type a method parameter has in the safe API: a borrowed handle by reference, a
/// transferred one by value (the call consumes it).
fn api_param(iface: &Interface, ty: Type) -> TokenStream {
    match ty {
        Type::Handle(id, Ownership::Transferred) => handle_type(iface, id),
        Type::Handle(id, _) => {
            let ty = handle_type(iface, id);
            quote!(&#ty)
        }
        Type::Scalar(Scalar::Bool) => quote!(bool),
        Type::Buffer(Buffer::String, _) => quote!(&str),
        Type::Buffer(Buffer::Bytes, _) => quote!(&[u8]),
        Type::Buffer(Buffer::Array(e), _) => {
            let elem = elem_type(iface, e);
            quote!(&[#elem])
        }
        Type::CStr(_) => quote!(&::core::ffi::CStr),
        ty => c_value(iface, ty),
    }
}

/// The `T` of `CallResult<T>` in the safe API: `Option<..>` for a `nullable` result.
fn api_return(iface: &Interface, m: &Method) -> TokenStream {
    let Some(ty) = m.returns() else {
        return quote!(());
    };
    let value = api_value(iface, ty);
    if m.nullable() {
        quote!(::core::option::Option<#value>)
    } else {
        value
    }
}

fn api_value(iface: &Interface, ty: Type) -> TokenStream {
    match ty {
        Type::CStr(Ownership::Transferred) => quote!(::bid_runtime::PluginCStr<'_>),
        Type::CStr(_) => quote!(&::core::ffi::CStr),
        Type::Handle(id, Ownership::Transferred) => handle_type(iface, id),
        Type::Handle(id, _) => {
            let ty = handle_type(iface, id);
            quote!(::bid_runtime::Borrowed<#ty>)
        }
        Type::Scalar(Scalar::Bool) => quote!(bool),
        Type::Buffer(Buffer::String, own) => match own {
            Ownership::Transferred => quote!(::bid_runtime::PluginString<'_>),
            Ownership::Borrowed => quote!(::std::string::String),
            Ownership::Reference => quote!(&str),
        },
        Type::Buffer(Buffer::Bytes, own) => match own {
            Ownership::Transferred => quote!(::bid_runtime::PluginBytes<'_>),
            Ownership::Borrowed => quote!(::std::vec::Vec<u8>),
            Ownership::Reference => quote!(&[u8]),
        },
        Type::Buffer(Buffer::Array(e), own) => {
            let elem = elem_type(iface, e);
            match own {
                Ownership::Transferred => quote!(::bid_runtime::PluginSlice<'_, #elem>),
                Ownership::Borrowed => quote!(::std::vec::Vec<#elem>),
                Ownership::Reference => quote!(&[#elem]),
            }
        }
        ty => c_value(iface, ty),
    }
}

/// How a method's result reaches `finish`.
enum Finish {
    /// A value no check can refuse.
    Ok(TokenStream),
    /// A `Result` from the runtime's checks.
    Checked(TokenStream),
}

/// The safe method calling BID method number `index`.
pub(crate) fn method(iface: &Interface, index: usize, m: &Method) -> TokenStream {
    let name = ident(m.rust());
    let idx = Literal::usize_unsuffixed(index);
    let about = format!(
        " Calls `{}` (effect: `{}`).",
        m.symbol(),
        m.effect().as_str()
    );
    let doc = docs(m.doc());
    let sep = m.doc().is_some().then(|| quote!(#[doc = ""]));
    let must_use = (m.effect() == Effect::Pure)
        .then(|| quote!(#[must_use = "a pure method does nothing but compute its result"]));

    let mut sig = Vec::new();
    let mut moved = Vec::new();
    let mut stmts = Vec::new();
    let mut args = Vec::new();
    let mut handle_checks = Vec::new();
    for (j, p) in m.params().iter().enumerate() {
        let pname = ident(p.rust());
        let pty = api_param(iface, p.ty());
        sig.push(quote!(#pname: #pty));
        moved.push(pname);
        let a = format_ident!("__bid_a{}", j);
        let written = p.name();
        match p.ty() {
            Type::Buffer(buf, _) => {
                let (ptr, len) = (format_ident!("__bid_p{}", j), format_ident!("__bid_l{}", j));
                let check = match buf {
                    Buffer::String => quote!(str_arg),
                    Buffer::Bytes => quote!(bytes_arg),
                    Buffer::Array(_) => quote!(slice_arg),
                };
                let checked = try_(quote!(__bid_call.#check(#written, #a)));
                stmts.push(quote!(let (#ptr, #len) = #checked;));
                args.extend([quote!(#ptr), quote!(#len)]);
            }
            Type::Scalar(Scalar::Bool) => args.push(quote!(i32::from(#a))),
            Type::CStr(_) => args.push(quote!(#a.as_ptr())),
            Type::Handle(id, own) => {
                // After the buffer checks, which may still refuse the call: a transferred
                // handle refused before it is taken apart (another box's) is released by its
                // drop, through its own box. Once taken apart the call owns it: refused now (a
                // plain value released already), it is not released a second time.
                let handle = super::meta::handle_ref(iface, id);
                let repr = iface.handle(id).repr();
                if own == Ownership::Transferred {
                    let (h, st) = (format_ident!("__bid_h{}", j), format_ident!("__bid_s{}", j));
                    let before = widen(repr, &quote!(#a.raw));
                    let raw = widen(repr, &quote!(#h));
                    let take = try_(quote! {
                        __bid_call.handle_take(#handle, ::core::ptr::eq(#a.owner, self), #before)
                    });
                    let taken = try_(quote!(__bid_call.handle_in(#handle, true, #st, #raw, true)));
                    handle_checks.push(quote! {
                        #take;
                        let (#h, _, #st) = #a.into_parts();
                        #taken;
                    });
                    args.push(quote!(#h));
                } else {
                    let raw = widen(repr, &quote!(#a.raw));
                    let checked = try_(quote! {
                        __bid_call.handle_in(#handle, ::core::ptr::eq(#a.owner, self), #a.state, #raw, false)
                    });
                    handle_checks.push(quote!(#checked;));
                    args.push(quote!(#a.raw));
                }
            }
            Type::Scalar(_) | Type::Record(_) => args.push(quote!(#a)),
        }
    }
    let arg_locals = (0..moved.len()).map(|j| format_ident!("__bid_a{}", j));
    let take_params = (!moved.is_empty()).then(|| quote!(let (#(#arg_locals,)*) = (#(#moved,)*);));

    stmts.extend(handle_checks);
    let item = Item {
        name: name.clone(),
        thread_safe: iface.thread_safe(),
        attrs: quote!(#doc #sep #[doc = #about] #must_use),
        sig,
        take_params,
        idx,
    };
    let f = quote!((self.fns.#name));
    let value = format_ident!("__bid_r");
    let status = try_(quote!(__bid_call.status(__bid_status)));
    let ret = m.returns();
    match (ret, m.fallible()) {
        (Some(ty), true) => {
            if let Type::Buffer(..) = ty {
                stmts.push(quote! {
                    let mut __bid_out = ::bid_runtime::BidBuf::EMPTY;
                    // SAFETY: the symbol has this C prototype (checked at load); args are live.
                    let __bid_status = unsafe { #f(#(#args,)* &mut __bid_out) };
                    #status;
                    let #value = __bid_out;
                });
            } else {
                let out = c_value(iface, ty);
                stmts.push(quote! {
                    let mut __bid_out = ::core::mem::MaybeUninit::<#out>::zeroed();
                    // SAFETY: as above.
                    let __bid_status = unsafe { #f(#(#args,)* __bid_out.as_mut_ptr()) };
                    #status;
                    // SAFETY: every BID value type is valid all-zero, and the plugin wrote it.
                    let #value = unsafe { __bid_out.assume_init() };
                });
            }
        }
        (None, true) => {
            stmts.push(quote! {
                // SAFETY: the symbol has this C prototype (checked at load); args are live.
                let __bid_status = unsafe { #f(#(#args),*) };
            });
            // The status is the result.
            let result = Finish::Checked(quote!(__bid_call.status(__bid_status)));
            return item.assemble(quote!(()), stmts, result);
        }
        (Some(Type::Buffer(..)), false) => stmts.push(quote! {
            let mut #value = ::bid_runtime::BidBuf::EMPTY;
            // SAFETY: the symbol has this C prototype (checked at load); args are live.
            unsafe { #f(#(#args,)* &mut #value) };
        }),
        (Some(_), false) => stmts.push(quote! {
            // SAFETY: the symbol has this C prototype (checked at load); args are live.
            let #value = unsafe { #f(#(#args),*) };
        }),
        (None, false) => stmts.push(quote! {
            // SAFETY: the symbol has this C prototype (checked at load); args are live.
            unsafe { #f(#(#args),*) };
        }),
    }

    let result = match ret {
        None => Finish::Ok(quote!(())),
        Some(Type::Scalar(Scalar::Bool)) => Finish::Checked(quote!(__bid_call.bool_ret(#value))),
        Some(Type::Handle(id, own)) => handle_result(iface, m, id, own, &value),
        Some(Type::CStr(own)) => {
            let getter = match (own, m.nullable()) {
                (Ownership::Transferred, false) => quote!(cstr_ret),
                (Ownership::Transferred, true) => quote!(cstr_ret_nullable),
                (_, false) => quote!(cstr_ref),
                (_, true) => quote!(cstr_ref_nullable),
            };
            // SAFETY (in the generated code): the pointer is what the plugin returned.
            Finish::Checked(quote!(unsafe { __bid_call.#getter(#value) }))
        }
        Some(Type::Buffer(buf, own)) => {
            let kind = match buf {
                Buffer::String => "string",
                Buffer::Bytes => "bytes",
                Buffer::Array(_) => "slice",
            };
            let suffix = match own {
                Ownership::Transferred => "",
                Ownership::Borrowed => "_copied",
                Ownership::Reference => "_ref",
            };
            let getter = format_ident!("{}_ret{}", kind, suffix);
            // SAFETY (in the generated code): the buffer is what the plugin wrote.
            Finish::Checked(quote!(unsafe { __bid_call.#getter(#value) }))
        }
        Some(Type::Scalar(_) | Type::Record(_)) => Finish::Ok(quote!(#value)),
    };
    item.assemble(api_return(iface, m), stmts, result)
}

/// The owned or borrowed handle a method returns: `None` for a NULL (or 0) result when the
/// method is `nullable`, an error for a NULL pointer handle when it is not.
fn handle_result(
    iface: &Interface,
    m: &Method,
    id: TypeId,
    own: Ownership,
    value: &Ident,
) -> Finish {
    let name = ident(iface.ty(id).rust());
    let handle = super::meta::handle_ref(iface, id);
    let pointer = iface.handle(id).repr() == HandleRepr::Pointer;
    let make = |raw: TokenStream| {
        if own == Ownership::Transferred {
            quote!(#name { raw: #raw, owner: self, state: __bid_call.handle_out(#handle) })
        } else {
            quote! {
                ::bid_runtime::Borrowed::__new(#name {
                    raw: #raw,
                    owner: self,
                    state: ::bid_runtime::__private::HandleState::TYPED,
                })
            }
        }
    };
    if m.nullable() {
        let is_null = if pointer {
            quote!(#value.is_null())
        } else {
            quote!(#value == 0)
        };
        let some = make(quote!(#value));
        return Finish::Ok(quote! {
            if #is_null {
                __bid_call.null_ret();
                ::core::option::Option::None
            } else {
                ::core::option::Option::Some(#some)
            }
        });
    }
    if pointer {
        let made = make(quote!(__bid_raw));
        return Finish::Checked(
            quote!(__bid_call.nonnull_handle(#handle, #value).map(|__bid_raw| #made)),
        );
    }
    Finish::Ok(make(quote!(#value)))
}

/// `expr?` in a generated method: an `Err` ends the call through `Call::fail` (counted and
/// traced like any result), and the success path builds no `Result` on the way (a closure
/// with `?` did, and copying it out cost a store-forwarding stall per call).
fn try_(expr: TokenStream) -> TokenStream {
    quote! {
        match #expr {
            ::core::result::Result::Ok(__bid_v) => __bid_v,
            ::core::result::Result::Err(__bid_e) => return __bid_call.fail(__bid_e),
        }
    }
}

/// What a method item has before its body: docs, attributes, signature, the statement that
/// takes its parameters, and its index.
struct Item {
    name: Ident,
    thread_safe: bool,
    attrs: TokenStream,
    sig: Vec<TokenStream>,
    take_params: Option<TokenStream>,
    idx: Literal,
}

impl Item {
    fn assemble(self, api: TokenStream, stmts: Vec<TokenStream>, result: Finish) -> TokenStream {
        let Item {
            name,
            thread_safe,
            attrs,
            sig,
            take_params,
            idx,
        } = self;
        // A refused check returns early through `Call::fail` (see `try_`); the value ends
        // the call through `ok` or `finish`.
        let body = match result {
            Finish::Ok(value) => quote!(#(#stmts)* __bid_call.ok(#value)),
            Finish::Checked(result) => quote!(#(#stmts)* __bid_call.finish(#result)),
        };
        // Not thread safe: one call at a time into the library, held to the end of the body.
        let serial = (!thread_safe).then(|| quote!(let __bid_serial = self.lib.serialize();));
        quote! {
            #attrs
            #[inline(always)]
            pub fn #name(&self, #(#sig),*) -> ::bid_runtime::CallResult<#api> {
                #take_params
                #serial
                let __bid_call = self.lib.begin(#idx);
                #body
            }
        }
    }
}
