//! The Rust plugin skeleton: a starting `impl` of every interface's plugin trait.

use super::{Glue, ModulePath, api_param, api_return, each_interface, handles_param};
use crate::emit::rust::ident;
use crate::model::Model;
use crate::names::snake_case;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// A starting point for a Rust plugin: `impl <module>::<Box>Plugin for <Box>` for every
/// interface, each method a `todo!()` (fallible ones `Err(Status::Unsupported)`), each handle
/// type `()`, and the `export!` lines. `module` is the path of the glue, as for [`plugin`].
pub fn plugin_skeleton(model: &Model, module: &ModulePath) -> TokenStream {
    each_interface(model, module, interface)
}

/// The skeleton of one interface's plugin.
fn interface(glue: &Glue, path: &[Ident], single: bool) -> TokenStream {
    let iface = glue.iface;
    let records = quote!(#(#path::)*);
    let box_name = ident(iface.box_name());
    let trait_name = &glue.trait_name;
    let assoc = glue.handle_types().map(|(id, _)| {
        let n = ident(iface.ty(id).rust());
        quote!(type #n = ();)
    });
    let methods = iface.methods().iter().map(|m| {
        let name = ident(m.rust());
        let handles = glue.needs_handles(m).then(|| {
            let param = format_ident!("_{}", handles_param(m));
            let tables = &glue.handles_name;
            quote!(#param: &#(#path::)* #tables<Self>,)
        });
        let params = m.params().iter().map(|p| {
            let n = format_ident!("_{}", p.rust().trim_start_matches("r#"));
            let ty = api_param(iface, p.ty(), &records);
            quote!(#n: #ty)
        });
        let ret = api_return(iface, m, &records);
        let todo = format!("{}: not written yet", m.name());
        let (ret, body) = match (m.fallible(), ret) {
            (true, ret) => {
                let ret = ret.unwrap_or_else(|| quote!(()));
                (
                    quote!(-> ::core::result::Result<#ret, ::bid_plugin::Status>),
                    quote!(::core::result::Result::Err(
                        ::bid_plugin::Status::Unsupported
                    )),
                )
            }
            (false, Some(ret)) => (quote!(-> #ret), quote!(::core::todo!(#todo))),
            (false, None) => (TokenStream::new(), quote!(::core::todo!(#todo))),
        };
        quote! {
            fn #name(&self, #handles #(#params),*) #ret {
                #body
            }
        }
    });
    let export = if single {
        quote!(#(#path::)* export!(#box_name);)
    } else {
        let public = format_ident!(
            "export_{}",
            snake_case(iface.box_name().trim_start_matches("r#"))
        );
        quote!(#(#path::)* #public!(#box_name);)
    };
    quote! {
        // Braced, not a unit struct: a parameter of another interface named like
        // this box must bind a value, not match the struct.
        #[derive(Default)]
        pub struct #box_name {}

        impl #(#path::)* #trait_name for #box_name {
            #(#assoc)*
            #(#methods)*
        }

        #export
    }
}
