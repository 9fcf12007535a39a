//! Every valid fixture as a Rust plugin: the glue `bid_build::plugin_source` writes and the
//! skeleton `plugin_skeleton` writes (every method a `todo!()`, fallible ones
//! `Err(Unsupported)`) compile into one cdylib per fixture, built by one cargo run, and each
//! loads into the host bindings of the same file with every symbol resolved and the
//! signature required and equal.

use bid_runtime::CallErrorKind;
use bid_schema::emit::rust::{ModulePath, plugin_skeleton};
use std::path::{Path, PathBuf};
use std::process::Command;

use bid_tests::fixtures::*;
use bid_tests::load_strict as load;

fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = bid_tests::tests_dir().join("../fixtures/valid");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p
                .file_name()?
                .to_str()?
                .strip_suffix(".bid.yaml")?
                .to_owned();
            Some((name, p))
        })
        .collect();
    out.sort();
    out
}

/// Writes one crate per fixture (`glue` module + skeleton) into a workspace under `root`.
fn write_crates(root: &Path) -> Vec<String> {
    let workspace = bid_tests::tests_dir().join("..").canonicalize().unwrap();
    let module = ModulePath::parse("crate::glue").unwrap();
    let mut members = Vec::new();
    for (name, path) in fixtures() {
        let model = bid_schema::check_file(&path).unwrap_or_else(|r| panic!("{r}"));
        let glue = bid_build::plugin_source(&model, &module);
        let skeleton = prettyplease::unparse(
            &syn::parse2(plugin_skeleton(&model, &module)).expect("the skeleton parses"),
        );
        let dir = root.join(&name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
                 [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\n\
                 bid-plugin = {{ path = {:?} }}\n",
                workspace.join("bid-plugin")
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            format!("pub mod glue {{\n{glue}\n}}\n\n{skeleton}"),
        )
        .unwrap();
        members.push(name);
    }
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
            list.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    members
}

#[test]
fn every_fixture_compiles_as_a_rust_plugin_and_loads_with_its_signature() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-matrix");
    let _ = std::fs::remove_dir_all(root.join("crates"));
    let crates = root.join("crates");
    let members = write_crates(&crates);
    let target = root.join("target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["build", "--offline", "--workspace"])
        .current_dir(&crates)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The glue is warning-free in a crate that uses every export.
    assert!(!stderr.contains("warning:"), "{stderr}");

    let lib = |name: &str| {
        target.join("debug").join(format!(
            "{}{name}{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        ))
    };
    assert_eq!(
        members,
        [
            "all_types",
            "c_library",
            "filebox",
            "keywords",
            "mixed",
            "nyash_file",
            "records",
            "short_form"
        ],
        "a new fixture needs its host bindings and loads below"
    );
    let at = load!(all_types::AllTypes, lib("all_types"));
    let e = at.nothing().unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::Status {
                name: "unsupported",
                ..
            }
        ),
        "the skeleton's fallible methods say unsupported: {e}"
    );
    load!(all_types::Local, lib("all_types"));
    let c = load!(c_library::MathLib, lib("c_library"));
    assert_eq!(
        c.greet(c"x").unwrap_err().code(),
        "ffi.status",
        "the skeleton's fallible methods say unsupported"
    );
    load!(filebox::FileBox, lib("filebox"));
    load!(keywords::Type, lib("keywords"));
    load!(mixed::Canvas, lib("mixed"));
    load!(mixed::Log, lib("mixed"));
    load!(nyash_file::File, lib("nyash_file"));
    load!(records::Shapes, lib("records"));
    load!(short_form::Console, lib("short_form"));
    load!(short_form::Vec, lib("short_form"));
}
