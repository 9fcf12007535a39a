//! Golden headers: every `fixtures/valid/X.bid.yaml` has its `X.expected.h` (rewrite them with
//! `BID_BLESS=1`), and the goldens compile together under gcc, g++ and clang for every target,
//! so their layout assertions run.

mod emit_c_support;

use bid_schema::emit::c::header;
use bid_schema::layout::Target;
use emit_c_support::{compile, have, scratch};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// `(stem, header)` for every valid fixture, in file-name order.
fn headers() -> Vec<(String, String)> {
    let dir = workspace().join("fixtures/valid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".bid.yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
        .iter()
        .map(|path| {
            let file = path.file_name().expect("file name").to_string_lossy();
            let stem = file.trim_end_matches(".bid.yaml").to_owned();
            let text = std::fs::read_to_string(path).expect("read fixture");
            // The name as a user would pass it from the workspace root: stable across machines.
            let name = format!("fixtures/valid/{file}");
            let model = bid_schema::check_source(&name, &text)
                .unwrap_or_else(|r| panic!("{name} does not check:\n{r:?}"));
            (stem, header(&model))
        })
        .collect()
}

#[test]
fn every_valid_fixture_matches_its_golden_header() {
    let bless = std::env::var_os("BID_BLESS").is_some_and(|v| v == "1");
    let dir = workspace().join("fixtures/valid");
    let mut stale = Vec::new();
    for (stem, h) in headers() {
        let golden = dir.join(format!("{stem}.expected.h"));
        let old = std::fs::read_to_string(&golden).ok();
        if old.as_deref() == Some(h.as_str()) {
            continue;
        }
        if bless {
            std::fs::write(&golden, &h).expect("write golden");
        } else {
            stale.push(golden.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "headers differ from (or lack) their goldens; review and rerun with BID_BLESS=1:\n{}",
        stale.join("\n")
    );
}

#[test]
fn golden_headers_compile_everywhere() {
    let dir = scratch("golden");
    // One translation unit per fixture: two fixtures may declare the same interface
    // differently (nyash_file and filebox both define nyash.file).
    let mut units = Vec::new();
    for (stem, h) in headers() {
        std::fs::write(dir.join(format!("{stem}.h")), h).expect("write header");
        let unit = format!("use_{stem}.c");
        let src = format!("#include \"{stem}.h\"\n#include \"{stem}.h\"\n");
        std::fs::write(dir.join(&unit), src).expect("write unit");
        units.push(unit);
    }
    let strict = ["-Wall", "-Wextra", "-Werror", "-pedantic"];
    let mut runs: Vec<(&str, Vec<String>)> = vec![
        ("gcc", vec!["-std=c99".into()]),
        ("gcc", vec!["-std=c11".into()]),
        ("g++", vec!["-std=c++11".into(), "-x".into(), "c++".into()]),
    ];
    if have("clang") {
        for t in Target::ALL {
            for std in ["-std=c99", "-std=c11"] {
                runs.push((
                    "clang",
                    vec![
                        format!("--target={}", t.triple()),
                        "-ffreestanding".into(),
                        std.into(),
                    ],
                ));
            }
            runs.push((
                "clang",
                ["-x", "c++", "-std=c++11", "-nostdinc++", "-ffreestanding"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .chain([format!("--target={}", t.triple())])
                    .collect(),
            ));
        }
    } else {
        eprintln!("note: clang not found; per-target layout assertions not run");
    }
    let mut failures = Vec::new();
    for (cc, mut args) in runs {
        args.extend(strict.iter().map(|s| (*s).to_owned()));
        args.push("-fsyntax-only".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        for unit in &units {
            if let Err(e) = compile(&dir, cc, &args, unit) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
