//! One safe method per BID method, and the typed `extern "C"` pointer it calls (SPEC §4).

use super::{docs, ident, rust_type};
use crate::model::{HandleRepr, Interface, Method, Ownership, Type, TypeDefKind};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// `unsafe extern "C" fn(..) -> ..`: the C prototype of `m` as Rust sees it.
pub(crate) fn fn_type(iface: &Interface, m: &Method) -> TokenStream {
    let mut params: Vec<TokenStream> = Vec::new();
    for p in &m.params {
        match &p.ty {
            Type::String | Type::Bytes => params.extend([quote!(*const u8), quote!(i32)]),
            Type::Array(elem) => {
                let elem = rust_type(iface, elem);
                params.extend([quote!(*const #elem), quote!(i32)]);
            }
            ty => params.push(rust_type(iface, ty)),
        }
    }
    // Buffers come back through a trailing `bid_buf*`; a fallible method returns its status
    // and writes any value through the same single trailing out-param.
    let out = m.returns.ty.as_ref().map(|ty| out_type(iface, ty));
    let ret = match (&m.returns.ty, m.fallible) {
        (_, true) => quote!(-> i32),
        (Some(ty), false) if !ty.is_buffer() => {
            let ty = rust_type(iface, ty);
            quote!(-> #ty)
        }
        _ => TokenStream::new(),
    };
    if m.fallible || m.returns.ty.as_ref().is_some_and(Type::is_buffer) {
        params.extend(out.map(|o| quote!(*mut #o)));
    }
    quote!(unsafe extern "C" fn(#(#params),*) #ret)
}

/// What a trailing out-param points at.
fn out_type(iface: &Interface, ty: &Type) -> TokenStream {
    if ty.is_buffer() {
        quote!(::bid_runtime::BidBuf)
    } else {
        rust_type(iface, ty)
    }
}

/// The Rust type a method parameter has in the safe API.
fn api_param(iface: &Interface, ty: &Type) -> TokenStream {
    match ty {
        Type::Bool => quote!(bool),
        Type::String => quote!(&str),
        Type::Bytes => quote!(&[u8]),
        Type::Array(elem) => {
            let elem = rust_type(iface, elem);
            quote!(&[#elem])
        }
        ty => rust_type(iface, ty),
    }
}

/// The `T` of `Result<T, CallError>` in the safe API.
fn api_return(iface: &Interface, m: &Method) -> TokenStream {
    let Some(ty) = &m.returns.ty else {
        return quote!(());
    };
    let own = m.returns.ownership.unwrap_or(Ownership::Transferred);
    match (ty, own) {
        (Type::Bool, _) => quote!(bool),
        (Type::String, Ownership::Transferred) => quote!(::bid_runtime::PluginString<'_>),
        (Type::String, Ownership::Borrowed) => quote!(::std::string::String),
        (Type::String, Ownership::Reference) => quote!(&str),
        (Type::Bytes, Ownership::Transferred) => quote!(::bid_runtime::PluginBytes<'_>),
        (Type::Bytes, Ownership::Borrowed) => quote!(::std::vec::Vec<u8>),
        (Type::Bytes, Ownership::Reference) => quote!(&[u8]),
        (Type::Array(elem), own) => {
            let elem = rust_type(iface, elem);
            match own {
                Ownership::Transferred => quote!(::bid_runtime::PluginSlice<'_, #elem>),
                Ownership::Borrowed => quote!(::std::vec::Vec<#elem>),
                Ownership::Reference => quote!(&[#elem]),
            }
        }
        (ty, _) => rust_type(iface, ty),
    }
}

/// `handle.raw()` widened to the ledger's `i64`.
fn widen(iface: &Interface, id: crate::model::TypeId, value: TokenStream) -> TokenStream {
    match &iface.ty(id).kind {
        TypeDefKind::Handle(h) => match h.repr {
            HandleRepr::I32 => quote!(i64::from(#value.raw())),
            HandleRepr::I64 => quote!(#value.raw()),
            HandleRepr::Pointer => quote!(#value.raw().addr() as i64),
        },
        TypeDefKind::Record(_) => quote!(0i64),
    }
}

/// A check whose refusal ends the call: `?` inside the body closure `finish` receives.
fn try_value(expr: TokenStream) -> TokenStream {
    quote!(#expr?)
}

/// A check with no value whose refusal ends the call.
fn try_unit(expr: TokenStream) -> TokenStream {
    quote!(#expr?;)
}

/// The safe method calling BID method number `index`.
pub(crate) fn method(iface: &Interface, index: usize, m: &Method) -> TokenStream {
    let name = ident(&m.rust);
    let idx = Literal::usize_unsuffixed(index);
    let effect = m.effect.as_str();
    let about = format!(" Calls `{}` (effect: `{effect}`).", m.symbol);
    let doc = docs(m.doc.as_deref());
    let sep = m.doc.is_some().then(|| quote!(#[doc = ""]));
    let must_use = (m.effect == crate::model::Effect::Pure)
        .then(|| quote!(#[must_use = "a pure method does nothing but compute its result"]));

    let mut sig = Vec::new();
    let mut stmts = Vec::new();
    let mut args = Vec::new();
    // Whether some statement ends the call early with `?`.
    let mut early = false;
    for (j, p) in m.params.iter().enumerate() {
        let pname = ident(&p.rust);
        let pty = api_param(iface, &p.ty);
        sig.push(quote!(#pname: #pty));
        let jl = Literal::usize_unsuffixed(j);
        let (ptr, len) = (format_ident!("__bid_p{}", j), format_ident!("__bid_l{}", j));
        let check = match &p.ty {
            Type::String => Some(quote!(__bid_call.str_arg(#jl, #pname))),
            Type::Bytes => Some(quote!(__bid_call.bytes_arg(#jl, #pname))),
            Type::Array(_) => Some(quote!(__bid_call.slice_arg(#jl, #pname))),
            _ => None,
        };
        match (&p.ty, check) {
            (_, Some(check)) => {
                early = true;
                let value = try_value(check);
                stmts.push(quote!(let (#ptr, #len) = #value;));
                args.extend([quote!(#ptr), quote!(#len)]);
            }
            (Type::Bool, _) => args.push(quote!(i32::from(#pname))),
            (Type::Handle(id), _) => {
                let raw = widen(iface, *id, quote!(#pname));
                early = true;
                stmts.push(try_unit(quote!(__bid_call.handle_arg(#jl, #raw))));
                args.push(quote!(#pname));
            }
            _ => args.push(quote!(#pname)),
        }
    }

    let f = quote!((self.fns.#name));
    let ret_ty = m.returns.ty.as_ref();
    let value = Ident::new("__bid_r", Span::call_site());
    if let Some(ty) = ret_ty.filter(|_| m.fallible) {
        let out = out_type(iface, ty);
        if ty.is_buffer() {
            stmts.push(quote! {
                let mut __bid_out = ::bid_runtime::BidBuf::EMPTY;
                // SAFETY: the symbol has this C prototype (checked at load); args are live.
                let __bid_status = unsafe { #f(#(#args,)* &mut __bid_out) };
            });
        } else {
            stmts.push(quote! {
                let mut __bid_out = ::core::mem::MaybeUninit::<#out>::zeroed();
                // SAFETY: as above.
                let __bid_status = unsafe { #f(#(#args,)* __bid_out.as_mut_ptr()) };
            });
        }
        early = true;
        stmts.push(try_unit(quote!(__bid_call.status(__bid_status))));
        if ty.is_buffer() {
            stmts.push(quote!(let #value = __bid_out;));
        } else {
            // SAFETY of assume_init: every BID value type is valid all-zero.
            stmts.push(quote!(let #value = unsafe { __bid_out.assume_init() };));
        }
    } else if m.fallible {
        stmts.push(quote! {
            let __bid_status = unsafe { #f(#(#args),*) };
        });
        let result = Finish::Checked(quote!(__bid_call.status(__bid_status)));
        // The status is the result: no `?` needed unless an argument check came first.
        return assemble(
            &name,
            doc,
            sep,
            &about,
            must_use,
            &sig,
            &idx,
            quote!(()),
            stmts,
            early,
            result,
        );
    } else if ret_ty.is_some_and(Type::is_buffer) {
        stmts.push(quote! {
            let mut #value = ::bid_runtime::BidBuf::EMPTY;
            unsafe { #f(#(#args,)* &mut #value) };
        });
    } else if ret_ty.is_some() {
        stmts.push(quote!(let #value = unsafe { #f(#(#args),*) };));
    } else {
        stmts.push(quote!(unsafe { #f(#(#args),*) };));
    }

    let own = m.returns.ownership.unwrap_or(Ownership::Transferred);
    let result = match ret_ty {
        None => Finish::Ok(quote!(())),
        Some(Type::Bool) => Finish::Checked(quote!(__bid_call.bool_ret(#value))),
        Some(Type::Handle(id)) => {
            let raw = widen(iface, *id, quote!(#value));
            stmts.push(quote!(__bid_call.handle_ret(#raw);));
            Finish::Ok(quote!(#value))
        }
        Some(ty @ (Type::String | Type::Bytes | Type::Array(_))) => {
            let kind = match ty {
                Type::String => "string",
                Type::Bytes => "bytes",
                _ => "slice",
            };
            let suffix = match own {
                Ownership::Transferred => "",
                Ownership::Borrowed => "_copied",
                Ownership::Reference => "_ref",
            };
            let getter = format_ident!("{}_ret{}", kind, suffix);
            Finish::Checked(quote!(unsafe { __bid_call.#getter(#value) }))
        }
        Some(_) => Finish::Ok(quote!(#value)),
    };
    let api = api_return(iface, m);
    assemble(
        &name, doc, sep, &about, must_use, &sig, &idx, api, stmts, early, result,
    )
}

/// How a method's result reaches `finish`.
enum Finish {
    /// A value no check can refuse.
    Ok(TokenStream),
    /// A `Result` from the runtime's checks.
    Checked(TokenStream),
}

#[allow(
    clippy::too_many_arguments,
    reason = "the pieces of one method item, named at the call"
)]
fn assemble(
    name: &Ident,
    doc: TokenStream,
    sep: Option<TokenStream>,
    about: &str,
    must_use: Option<TokenStream>,
    sig: &[TokenStream],
    idx: &Literal,
    api: TokenStream,
    stmts: Vec<TokenStream>,
    early: bool,
    result: Finish,
) -> TokenStream {
    // A body with a `?` is a closure, so a refused check still reaches `finish`; the others
    // finish their result directly.
    let body = if early {
        let result = match result {
            Finish::Ok(value) => quote!(::core::result::Result::Ok(#value)),
            Finish::Checked(result) => result,
        };
        quote! {
            let __bid_body = || { #(#stmts)* #result };
            __bid_call.finish(__bid_body())
        }
    } else {
        match result {
            Finish::Ok(value) => quote!(#(#stmts)* __bid_call.ok(#value)),
            Finish::Checked(result) => quote!(#(#stmts)* __bid_call.finish(#result)),
        }
    };
    quote! {
        #doc
        #sep
        #[doc = #about]
        #must_use
        #[inline]
        pub fn #name(&self, #(#sig),*) -> ::bid_runtime::CallResult<#api> {
            let __bid_call = self.lib.begin(#idx);
            #body
        }
    }
}
