//! `#[bid_interface("path")]`: a thin shell over `bid_schema`, emitting the same items as
//! `bid_build` because both call `bid_schema::emit::rust::bindings`.
//!
//! ```
//! // The path is relative to the crate's Cargo.toml; the module gets the box, its methods
//! // and the C symbols' metadata.
//! #[bid_macros::bid_interface("../examples/kv/kv.bid.yaml")]
//! mod kv {}
//!
//! // A library that is not there is a load error naming its path and the OS's reason.
//! // SAFETY: nothing is loaded.
//! let e = unsafe { kv::Kv::load("/nonexistent/libkv.so") }.err().unwrap();
//! assert_eq!(e.code(), "ffi.load.open");
//! assert!(e.to_string().contains("/nonexistent/libkv.so"));
//! ```
//!
//! A mistake in the BID file is a compile error carrying the diagnostics, rendered as
//! rustc renders its own:
//!
//! ```compile_fail
//! #[bid_macros::bid_interface("../fixtures/invalid/type_unknown.bid.yaml")]
//! mod broken {}
//! ```

mod expand;

use proc_macro::TokenStream;
use std::path::PathBuf;

/// Generates the host bindings of a BID file inside the module it is put on.
///
/// ```ignore
/// #[bid_macros::bid_interface("bid/file.bid.yaml")]   // or (path = "bid/file.bid.yaml")
/// pub mod file {}
/// ```
///
/// The path is relative to `CARGO_MANIFEST_DIR`. Errors in the file become one
/// `compile_error!` on the path literal carrying the rendered diagnostics; the module is
/// still emitted (empty) so the rest of the crate reports nothing more. The expansion
/// `include_bytes!`s the file so editing it re-expands. With `BID_DEBUG=<file>` in the
/// compiler's environment the expansion is also written, formatted, to `<file>`.
#[proc_macro_attribute]
pub fn bid_interface(attr: TokenStream, item: TokenStream) -> TokenStream {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let out = expand::expand(&root, expand::Side::Host, attr.into(), item.into());
    debug(&out);
    out.into()
}

/// Generates the plugin side of a BID file inside the module it is put on: per interface
/// the trait `<Box>Plugin` a Rust plugin implements, its records and handle tables, and
/// `export!` (also `export_<box>!`) that defines every C symbol of the header.
///
/// ```ignore
/// #[bid_macros::bid_plugin("kv.bid.yaml")]
/// pub mod kv {}
///
/// #[derive(Default)]
/// struct Kv { /* ... */ }
/// impl kv::KvPlugin for Kv { /* one method per BID method */ }
/// kv::export!(Kv);
/// ```
///
/// `export!` finds the glue at `crate::<module name>`; for a module elsewhere say where:
/// `#[bid_plugin("kv.bid.yaml", module = "crate::plugins::kv")]`, or pass
/// `with_types_in path` to the macro. The crate needs `bid-plugin` as a dependency and
/// `crate-type = ["cdylib"]` to be a plugin. Errors are reported as for [`bid_interface`].
#[proc_macro_attribute]
pub fn bid_plugin(attr: TokenStream, item: TokenStream) -> TokenStream {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let out = expand::expand(&root, expand::Side::Plugin, attr.into(), item.into());
    debug(&out);
    out.into()
}

/// With `BID_DEBUG=<file>` in the compiler's environment, writes the expansion there: a
/// debugging aid, whose failure must not fail the build.
fn debug(out: &proc_macro2::TokenStream) {
    if let Some(debug) = std::env::var_os("BID_DEBUG") {
        let _ = expand::write_debug(out, std::path::Path::new(&debug));
    }
}
