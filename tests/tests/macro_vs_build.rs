//! `#[bid_interface]` and `bid_build` emit the same items for every valid fixture.
//!
//! Why this comparison is honest: a proc-macro crate exports nothing callable, so this test
//! compiles the macro's own expansion file (`bid-macros/src/expand.rs`, through `#[path]`)
//! and runs it on `proc_macro2` tokens, exactly as the `#[proc_macro_attribute]` entry
//! does (that entry only converts token types and, with `BID_DEBUG`, writes a copy). On the
//! other side it reads the `.rs` file `bid_build::Builder` actually wrote to disk. The module
//! the macro produces must hold the `include_bytes!` tracker and then:
//! - token for token, the items of `bid_schema::emit::rust::bindings` for the file bid-build
//!   checked (the shared function: same tokens by construction, and this keeps it so);
//! - printed with prettyplease, exactly the text bid-build wrote (after its `@generated`
//!   comment). Printing both through one formatter is what makes the file comparable:
//!   prettyplease re-spells tokens (`r"..."` docs, trailing commas), not their meaning.
//!
//! That the real proc-macro entry compiles each fixture is proven by the trybuild pass
//! cases in `tests/ui/pass`.

#[path = "../../bid-macros/src/expand.rs"]
#[allow(dead_code, reason = "the macro's file, compiled here for its `expand`")]
mod expand;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn valid_fixtures() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("../fixtures/valid"))
        .expect("fixtures/valid exists")
        .map(|e| {
            e.expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".bid.yaml"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no valid fixtures");
    out
}

/// The items inside the module the macro produced, after checking there is no error.
fn macro_items(attr: TokenStream, rel: &str) -> (syn::Item, Vec<syn::Item>) {
    let out = expand::expand(
        root(),
        expand::Side::Host,
        attr,
        quote!(
            pub mod generated {}
        ),
    );
    let file: syn::File = syn::parse2(out).expect("the expansion parses as items");
    assert_eq!(
        file.items.len(),
        1,
        "{rel}: the expansion is one module, no error"
    );
    let syn::Item::Mod(module) = &file.items[0] else {
        panic!("{rel}: the expansion is not a module");
    };
    assert_eq!(module.ident, "generated");
    let mut items = module.content.clone().expect("inline module").1;
    let tracker = items.remove(0);
    (tracker, items)
}

/// The text bid-build wrote (without its preamble comment) and the model it checked.
fn from_build(rel: &str) -> (String, bid_schema::Model) {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("macro_vs_build");
    let generated = bid_build::Builder::new()
        .file(rel)
        .out_dir(out_dir)
        .generate()
        .unwrap_or_else(|e| panic!("{rel}: {}", e.render()));
    let output = &generated.outputs[0];
    let text = std::fs::read_to_string(&output.rust).expect("written");
    let body = text
        .split_once("\n\n")
        .filter(|(first, _)| first.starts_with("// @generated"))
        .map(|(_, body)| body.to_owned())
        .expect("a preamble line, then the code");
    (body, output.model.clone())
}

fn tokens(items: &[syn::Item]) -> String {
    let mut ts = TokenStream::new();
    for item in items {
        item.to_tokens(&mut ts);
    }
    ts.to_string()
}

fn pretty(items: Vec<syn::Item>) -> String {
    prettyplease::unparse(&syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items,
    })
}

#[test]
fn macro_and_build_emit_the_same_items_for_every_fixture() {
    for name in valid_fixtures() {
        let rel = format!("../fixtures/valid/{name}");
        let (tracker, from_macro) = macro_items(quote!(#rel), &rel);
        let (written, model) = from_build(&rel);
        let shared: syn::File = syn::parse2(bid_schema::emit::rust::bindings(&model))
            .expect("the emitter's tokens parse");
        assert!(!shared.items.is_empty(), "{name}: no items");
        assert_eq!(
            tokens(&from_macro),
            tokens(&shared.items),
            "{name}: the macro's items are not the emitter's tokens"
        );
        assert_eq!(
            pretty(from_macro.clone()),
            written,
            "{name}: the macro's items differ from the file bid-build wrote"
        );

        // The tracker makes rustc re-expand when the YAML changes.
        let abs = root().join(&rel).canonicalize().expect("fixture exists");
        let want = format!(
            "const _ : & [u8] = :: core :: include_bytes ! ({:?}) ;",
            abs.to_string_lossy()
        );
        assert_eq!(
            tracker.to_token_stream().to_string(),
            want,
            "{name}: include_bytes tracker"
        );

        // `path = "..."` is the same attribute.
        let (_, keyed) = macro_items(quote!(path = #rel), &rel);
        assert_eq!(
            tokens(&keyed),
            tokens(&from_macro),
            "{name}: `path =` form differs"
        );
    }
}

#[test]
fn bad_yaml_gives_one_compile_error_on_the_path_and_a_stub_module() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("macro_bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.bid.yaml");
    std::fs::write(&bad, "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - { name: f, params: [ { strng: s } ], effect: io }\n").unwrap();
    let path = bad.to_string_lossy().into_owned();
    let out = expand::expand(
        root(),
        expand::Side::Host,
        quote!(#path),
        quote!(
            pub mod stub {
                pub fn kept() {}
            }
        ),
    );
    let text = out.to_string();
    assert!(text.starts_with(":: core :: compile_error !"), "{text}");
    assert!(
        text.contains("bid.type.unknown"),
        "the rendered diagnostic is carried: {text}"
    );
    let file: syn::File = syn::parse2(out).unwrap();
    let stub = file.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "stub" => m.content.as_ref(),
        _ => None,
    });
    let stub = stub.expect("the module is still emitted");
    assert!(
        matches!(&stub.1[0], syn::Item::Fn(f) if f.sig.ident == "kept"),
        "the user's items stay in the stub"
    );
}

#[test]
fn wrong_attribute_and_item_shapes_are_errors_not_panics() {
    let out = expand::expand(
        root(),
        expand::Side::Host,
        quote!(file = "x"),
        quote!(
            mod m {}
        ),
    );
    assert!(out.to_string().contains("compile_error"));
    let out = expand::expand(
        root(),
        expand::Side::Host,
        quote!("x.bid.yaml"),
        quote!(
            fn f() {}
        ),
    );
    assert!(out.to_string().contains("inline module"));
    let out = expand::expand(
        root(),
        expand::Side::Host,
        quote!("missing.bid.yaml"),
        quote!(
            mod m {}
        ),
    );
    let text = out.to_string();
    assert!(
        text.contains("compile_error") && text.contains("missing.bid.yaml"),
        "{text}"
    );
    assert!(
        !text.contains("include_bytes"),
        "no tracker for a missing file: {text}"
    );
}

#[test]
fn bid_debug_writes_the_formatted_expansion() {
    let rel = "../fixtures/valid/filebox.bid.yaml";
    let out = expand::expand(
        root(),
        expand::Side::Host,
        quote!(#rel),
        quote!(
            pub mod file {}
        ),
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bid_debug_filebox.rs");
    expand::write_debug(&out, &path).expect("writable");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("pub mod file {\n"), "{text}");
    assert!(
        text.contains("pub struct FileBox {"),
        "formatted, not one long line"
    );
    assert!(text.contains("include_bytes!("));
}
