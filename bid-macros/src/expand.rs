//! The expansion of `#[bid_interface]`, on `proc_macro2` tokens only, so tests can compile
//! this very file (`#[path]`) and run the macro's real code outside a compiler.

use bid_schema::emit::rust::ModulePath;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser as _};
use syn::{ItemMod, LitStr, Token};

/// `"path"` or `path = "path"`, then for `#[bid_plugin]` an optional
/// `module = "crate::path::to::module"`.
pub struct Args {
    /// The path literal, for its value and its span.
    pub path: LitStr,
    /// Where `export!` finds the plugin glue, when given.
    pub module: Option<LitStr>,
}

impl Args {
    fn parse_for(side: Side, input: ParseStream<'_>) -> syn::Result<Self> {
        let mut path = None;
        let mut module = None;
        while !input.is_empty() {
            if path.is_none() && input.peek(LitStr) {
                path = Some(input.parse()?);
            } else {
                let key: syn::Ident = input.parse()?;
                let _: Token![=] = input.parse()?;
                let value: LitStr = input.parse()?;
                match key.to_string().as_str() {
                    "path" if path.is_none() => path = Some(value),
                    "module" if module.is_none() && side == Side::Plugin => {
                        module = Some(value);
                    }
                    _ => {
                        let expected = match side {
                            Side::Host => {
                                "expected `\"file.bid.yaml\"` or `path = \"file.bid.yaml\"`"
                            }
                            Side::Plugin => {
                                "expected `\"file.bid.yaml\"`, `path = \"file.bid.yaml\"` or `module = \"crate::path\"`"
                            }
                        };
                        return Err(syn::Error::new(key.span(), expected));
                    }
                }
            }
            let _: Option<Token![,]> = input.parse()?;
        }
        let path = path.ok_or_else(|| {
            input.error("expected the BID file: `\"file.bid.yaml\"` or `path = \"file.bid.yaml\"`")
        })?;
        Ok(Args { path, module })
    }
}

/// Which side of the interface to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `#[bid_interface]`: the host's box.
    Host,
    /// `#[bid_plugin]`: the plugin's trait and `export!`.
    Plugin,
}

impl Side {
    fn attribute(self) -> &'static str {
        match self {
            Side::Host => "#[bid_interface]",
            Side::Plugin => "#[bid_plugin]",
        }
    }
}

/// Expands the attribute with paths taken relative to `root` (`CARGO_MANIFEST_DIR`).
/// Every failure becomes `compile_error!` tokens next to a stub of the module, so the
/// user sees one error instead of one per use of the missing items.
pub fn expand(root: &Path, side: Side, attr: TokenStream, item: TokenStream) -> TokenStream {
    let module = match syn::parse2::<ItemMod>(item.clone()) {
        Ok(m) if m.content.is_some() => m,
        _ => {
            let err = syn::Error::new_spanned(
                &item,
                format!(
                    "{} goes on an inline module: `pub mod name {{}}`",
                    side.attribute()
                ),
            )
            .to_compile_error();
            return quote!(#err #item);
        }
    };
    let parser = |input: ParseStream<'_>| Args::parse_for(side, input);
    let args = match parser.parse2(attr) {
        Ok(a) => a,
        Err(e) => return with_stub(e.to_compile_error(), &module, TokenStream::new()),
    };
    let written = match &args.module {
        Some(m) => m.value(),
        None => format!("crate::{}", module.ident.unraw()),
    };
    let Some(glue_path) = ModulePath::parse(&written) else {
        let span = args
            .module
            .as_ref()
            .map_or(module.ident.span(), LitStr::span);
        let err = syn::Error::new(
            span,
            format!("`{written}` is not a module path such as `crate::plugins::kv`"),
        );
        return with_stub(err.to_compile_error(), &module, TokenStream::new());
    };
    let path = resolve(root, &args.path.value());
    let tracker = include_tracker(&path);
    match bid_schema::check_file(&path) {
        Ok(model) => {
            let items = match side {
                Side::Host => bid_schema::emit::rust::bindings(&model),
                Side::Plugin => bid_schema::emit::rust::plugin(&model, &glue_path),
            };
            with_stub(TokenStream::new(), &module, quote!(#tracker #items))
        }
        Err(mut report) => {
            // Name the file as the attribute does, not by its absolute path.
            report.name = args.path.value();
            let err = syn::Error::new(args.path.span(), render(&report)).to_compile_error();
            with_stub(err, &module, tracker)
        }
    }
}

/// The path the attribute names, resolved against the manifest directory.
pub fn resolve(root: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    }
}

/// `const _: &[u8] = include_bytes!("<abs path>");`: rustc then re-expands the macro when
/// the YAML changes. Left out when the file is missing, whose diagnostic already says so.
fn include_tracker(path: &Path) -> TokenStream {
    if !path.is_file() {
        return TokenStream::new();
    }
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let lit = LitStr::new(&abs.to_string_lossy(), Span::call_site());
    quote!(
        const _: &[u8] = ::core::include_bytes!(#lit);
    )
}

/// `error`, then the user's module with `items` appended to whatever it already held.
fn with_stub(error: TokenStream, module: &ItemMod, items: TokenStream) -> TokenStream {
    let ItemMod {
        attrs,
        vis,
        unsafety,
        mod_token,
        ident,
        content,
        ..
    } = module;
    let existing = content
        .as_ref()
        .map(|(_, items)| items.as_slice())
        .unwrap_or_default();
    quote! {
        #error
        #(#attrs)*
        #vis #unsafety #mod_token #ident {
            #(#existing)*
            #items
        }
    }
}

/// The diagnostics as plain text for `compile_error!`: the rendered snippets, since a
/// span cannot point into the YAML file on stable Rust.
fn render(report: &bid_schema::Report) -> String {
    report.render()
}

/// Writes the expansion, formatted like bid-build's output, for `BID_DEBUG=<file>`.
pub fn write_debug(out: &TokenStream, path: &Path) -> std::io::Result<()> {
    let text = match syn::parse2::<syn::File>(out.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => out.to_string(),
    };
    std::fs::write(path, text)
}
