//! Golden Rust bindings: every `fixtures/valid/X.bid.yaml` through `bid_build::Builder`
//! gives exactly `fixtures/valid/X.expected.rs` (`BID_BLESS=1` rewrites them), and the
//! `extern "C"` pointer types in them agree with the C prototypes of `bid_schema::lower`.

use bid_schema::Model;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid")
}

/// Every valid fixture, sorted, as (stem, path relative to this crate's manifest).
fn valid_fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures())
        .expect("fixtures/valid exists")
        .map(|e| {
            e.expect("readable fixtures dir")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| {
            let stem = name.strip_suffix(".bid.yaml")?.to_owned();
            Some((stem, format!("../fixtures/valid/{name}")))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no valid fixtures found");
    out
}

fn generate(rel: &str) -> (String, Model) {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("golden_rust");
    let generated = bid_build::Builder::new()
        .file(rel)
        .out_dir(&out_dir)
        .generate()
        .unwrap_or_else(|e| panic!("{rel} must check:\n{}", e.render()));
    let output = &generated.outputs[0];
    let text = std::fs::read_to_string(&output.rust).expect("bid-build wrote the .rs file");
    (text, output.model.clone())
}

#[test]
fn every_valid_fixture_matches_its_golden() {
    let bless = std::env::var_os("BID_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (stem, rel) in valid_fixtures() {
        let (text, _) = generate(&rel);
        assert_eq!(
            text,
            bid_build::rust_source(&generate(&rel).1),
            "{stem}: file differs from rust_source"
        );
        let golden = fixtures().join(format!("{stem}.expected.rs"));
        if bless {
            bid_build::write_if_changed(&golden, &text).expect("golden is writable");
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == text => {}
            Ok(expected) => stale.push(format!(
                "{stem}: differs\n{}",
                first_difference(&expected, &text)
            )),
            Err(_) => stale.push(format!("{stem}: {} is missing", golden.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "golden Rust out of date (rerun with BID_BLESS=1 and review the diff):\n{}",
        stale.join("\n")
    );
}

fn first_difference(expected: &str, found: &str) -> String {
    for (i, (e, f)) in expected.lines().zip(found.lines()).enumerate() {
        if e != f {
            return format!("  line {}:\n  - {e}\n  + {f}", i + 1);
        }
    }
    format!(
        "  lengths differ: {} vs {} lines",
        expected.lines().count(),
        found.lines().count()
    )
}

/// The Rust spelling of a C type from `lower::c_prototype`, given the interface's
/// declared C names. A buffer's `const char* NAME_ptr` is read as bytes (`u8`); any other
/// `char*` is a C string (`c_char`).
fn rust_of_c(model_iface: &bid_schema::model::Interface, c: &str, buffer_ptr: bool) -> String {
    let c = c.trim();
    let char_type = if buffer_ptr {
        "u8"
    } else {
        "::core::ffi::c_char"
    };
    if let Some(pointee) = c.strip_prefix("const ").and_then(|t| t.strip_suffix('*')) {
        let pointee = match pointee.trim() {
            "char" => char_type.to_owned(),
            "uint8_t" => "u8".to_owned(),
            other => rust_of_c(model_iface, other, buffer_ptr),
        };
        return format!("*const {pointee}");
    }
    if let Some(pointee) = c.strip_suffix('*') {
        return format!("*mut {}", rust_of_c(model_iface, pointee, buffer_ptr));
    }
    match c {
        "char" => char_type.into(),
        "int8_t" => "i8".into(),
        "int16_t" => "i16".into(),
        "int32_t" => "i32".into(),
        "int64_t" => "i64".into(),
        "uint8_t" => "u8".into(),
        "uint16_t" => "u16".into(),
        "uint32_t" => "u32".into(),
        "uint64_t" => "u64".into(),
        "float" => "f32".into(),
        "double" => "f64".into(),
        "bid_buf" => "::bid_runtime::BidBuf".into(),
        "void" => "()".into(),
        other => model_iface
            .types()
            .iter()
            .find(|t| t.c() == other)
            .map(|t| match t.kind() {
                // A handle crosses as its plain value.
                bid_schema::model::TypeDefKind::Handle(h) => match h.repr() {
                    bid_schema::model::HandleRepr::I32 => "i32".to_owned(),
                    bid_schema::model::HandleRepr::I64 => "i64".to_owned(),
                    bid_schema::model::HandleRepr::Pointer => "*mut ::core::ffi::c_void".to_owned(),
                },
                bid_schema::model::TypeDefKind::Record(_) => t.rust().to_owned(),
            })
            .unwrap_or_else(|| panic!("unknown C type `{other}`")),
    }
}

fn squeeze(tokens: impl quote::ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect()
}

#[test]
fn rust_fn_pointers_match_the_c_prototypes() {
    for (stem, rel) in valid_fixtures() {
        let (text, model) = generate(&rel);
        let file = syn::parse_file(&text).expect("golden text parses");
        for iface in model.interfaces() {
            let fns_name = format!("__Bid{}Fns", iface.box_name().trim_start_matches("r#"));
            let fields = file
                .items
                .iter()
                .find_map(|item| match item {
                    syn::Item::Struct(s) if s.ident == fns_name => Some(&s.fields),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{stem}: no struct {fns_name}"));
            assert_eq!(
                fields.len(),
                iface.methods().len(),
                "{stem}: one pointer per method"
            );
            for (field, method) in fields.iter().zip(iface.methods()) {
                let syn::Type::FnPtr(f) = &field.ty else {
                    panic!("{stem}: {} is not a fn pointer", method.name());
                };
                let proto = bid_schema::lower::c_prototype(iface, method);
                let want: Vec<String> = proto
                    .params
                    .iter()
                    .map(|p| {
                        squeeze(
                            rust_of_c(iface, &p.ty, p.name.ends_with("_ptr"))
                                .parse::<proc_macro2::TokenStream>()
                                .unwrap(),
                        )
                    })
                    .collect();
                let got: Vec<String> = f.inputs.iter().map(|a| squeeze(&a.ty)).collect();
                assert_eq!(got, want, "{stem}: parameters of {}", proto.symbol);
                let want_ret = squeeze(
                    rust_of_c(iface, &proto.ret, false)
                        .parse::<proc_macro2::TokenStream>()
                        .unwrap(),
                );
                let got_ret = match &f.output {
                    syn::ReturnType::Default => "()".to_owned(),
                    syn::ReturnType::Type(_, ty) => squeeze(ty),
                };
                assert_eq!(got_ret, want_ret, "{stem}: return of {}", proto.symbol);
                assert!(
                    f.abi
                        .as_ref()
                        .is_some_and(|abi| abi.name.as_ref().is_some_and(|n| n.value() == "C"))
                );
            }
        }
    }
}
