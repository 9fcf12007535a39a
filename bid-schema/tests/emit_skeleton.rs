//! The plugin skeleton of every valid fixture (and of the richer test models) compiles clean as
//! C99 and as C++ against its header, links into a shared library that exports every symbol
//! the header declares, and reports exactly the signature the host expects.

mod emit_c_support;

use bid_schema::Model;
use bid_schema::emit::{c, skeleton};
use bid_schema::signature;
use emit_c_support::{all_types, compile, have, hostile, scratch};
use std::fmt::Write as _;
use std::path::Path;

const STRICT: &[&str] = &["-Wall", "-Wextra", "-Werror", "-pedantic"];

/// Every valid fixture by its stem, then the test models that hold every ownership, reserved
/// C names as parameters and a hostile file name.
fn models() -> Vec<(String, Model)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".bid.yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "valid fixtures missing: {files:?}");
    let mut models: Vec<(String, Model)> = files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            let model = bid_schema::check_source(&format!("fixtures/valid/{name}"), &text)
                .unwrap_or_else(|r| panic!("{name}:\n{}", r.render()));
            (name.trim_end_matches(".bid.yaml").to_owned(), model)
        })
        .collect();
    models.push(("test_all_types".to_owned(), all_types()));
    models.push(("test_hostile".to_owned(), hostile()));
    models
}

/// `<stem>.h` and `<stem>.c` (the skeleton) in a fresh directory of its own per test, since
/// tests run in parallel.
fn write(test: &str, stem: &str, model: &Model) -> std::path::PathBuf {
    let dir = scratch(&format!("skeleton_{test}_{stem}"));
    std::fs::write(dir.join(format!("{stem}.h")), c::header(model)).unwrap();
    let text = skeleton::skeleton(model, &format!("{stem}.h"));
    std::fs::write(dir.join(format!("{stem}.c")), text).unwrap();
    dir
}

fn modes() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut v = vec![
        ("gcc", vec!["-std=c99"]),
        ("g++", vec!["-x", "c++"]),
        ("g++", vec!["-std=c++11", "-x", "c++"]),
    ];
    if have("clang") {
        v.push(("clang", vec!["-std=c99"]));
        v.push(("clang", vec!["-std=c++11", "-x", "c++"]));
    }
    v
}

#[test]
fn skeletons_compile_as_c99_and_cxx() {
    let mut failures = Vec::new();
    for (stem, model) in models() {
        let dir = write("modes", &stem, &model);
        let file = format!("{stem}.c");
        for (cc, lang) in modes() {
            let args: Vec<&str> = lang
                .iter()
                .chain(STRICT)
                .copied()
                .chain(["-c", "-o", "skeleton.o"])
                .collect();
            if let Err(e) = compile(&dir, cc, &args, &file) {
                failures.push(format!("{stem}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Links each skeleton into a shared library, checks with `nm -D` that it exports every
/// symbol the header declares (`<prefix>_bid_free` too, needed or not), then
/// links it into a program that prints every `<prefix>_bid_signature()`.
#[test]
fn skeletons_export_every_symbol_and_the_signature() {
    for (stem, model) in models() {
        let dir = write("link", &stem, &model);
        let file = format!("{stem}.c");
        let lib = format!("lib{stem}.so");
        let args: Vec<&str> = ["-std=c99", "-shared", "-fPIC", "-fvisibility=hidden"]
            .iter()
            .chain(STRICT)
            .copied()
            .chain(["-o", &lib])
            .collect();
        compile(&dir, "gcc", &args, &file).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let nm = std::process::Command::new("nm")
            .args(["-D", "--defined-only", &lib])
            .current_dir(&dir)
            .output()
            .expect("nm");
        let syms = String::from_utf8_lossy(&nm.stdout);
        let exported = |s: &str| syms.lines().any(|l| l.ends_with(&format!(" {s}")));
        for iface in model.interfaces() {
            for m in iface.methods() {
                assert!(
                    exported(m.symbol()),
                    "{stem}: {} missing:\n{syms}",
                    m.symbol()
                );
            }
            assert!(exported(&iface.signature_symbol()), "{stem}:\n{syms}");
            assert!(exported(&iface.free_symbol()), "{stem}:\n{syms}");
        }

        let mut main = format!("#include \"{stem}.h\"\n#include <stdio.h>\nint main(void) {{\n");
        for iface in model.interfaces() {
            writeln!(main, "    fputs({}(), stdout);", iface.signature_symbol()).unwrap();
        }
        main.push_str("    return 0;\n}\n");
        std::fs::write(dir.join("main.c"), main).unwrap();
        let args: Vec<&str> = ["-std=c99"]
            .iter()
            .chain(STRICT)
            .copied()
            .chain(["-o", "main", &file])
            .collect();
        compile(&dir, "gcc", &args, "main.c").unwrap_or_else(|e| panic!("{stem}: {e}"));
        let out = std::process::Command::new(dir.join("main"))
            .output()
            .expect("run main");
        assert!(out.status.success(), "{stem}");
        let want: String = model.interfaces().iter().map(signature::text).collect();
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{stem}");
    }
}

#[test]
fn every_stub_has_a_todo_naming_its_method() {
    for (stem, model) in models() {
        let text = skeleton::skeleton(&model, "x.h");
        for iface in model.interfaces() {
            for m in iface.methods() {
                let todo = format!("TODO: implement `{}` (effect: ", m.name());
                assert!(text.contains(&todo), "{stem}: no `{todo}`:\n{text}");
            }
        }
        assert_eq!(
            text,
            skeleton::skeleton(&model, "x.h"),
            "{stem}: deterministic"
        );
    }
}
