//! Golden tests: every valid and hostile fixture checks, every invalid one renders exactly its
//! `.stderr`. (The hostile ones, inputs found by fuzzing that bid must accept, are compiled by
//! `fuzz/tests/compile.rs`.)
//!
//! `BID_BLESS=1 cargo test -p bid-schema --test front_fixtures` rewrites the `.stderr` files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bid.yaml"))
        .collect();
    files.sort();
    files
}

/// The name diagnostics show: stable across machines.
fn display_name(kind: &str, path: &Path) -> String {
    format!(
        "fixtures/{kind}/{}",
        path.file_name().unwrap().to_string_lossy()
    )
}

#[test]
fn valid_fixtures_check() {
    let files = fixtures("valid");
    assert!(files.len() >= 7, "valid fixtures missing: {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(r) = bid_schema::check_source(&display_name("valid", &path), &text) {
            panic!("{} should check:\n{}", path.display(), r.render());
        }
    }
}

#[test]
fn hostile_fixtures_check() {
    for path in fixtures("hostile") {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(r) = bid_schema::check_source(&display_name("hostile", &path), &text) {
            panic!("{} should check:\n{}", path.display(), r.render());
        }
    }
}

/// The codes a fixture promises in its first line: `# codes: a b c`.
fn promised_codes(text: &str) -> BTreeSet<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("# codes:")
        .unwrap_or_else(|| panic!("first line must be `# codes: ...`, found {first:?}"));
    list.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn invalid_fixtures_match_goldens() {
    let bless = std::env::var_os("BID_BLESS").is_some_and(|v| v == "1");
    let files = fixtures("invalid");
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let report = match bid_schema::check_source(&display_name("invalid", path), &text) {
            Ok(_) => {
                failures.push(format!("{} checked OK but must fail", path.display()));
                continue;
            }
            Err(r) => r,
        };
        let codes: BTreeSet<String> = report
            .diagnostics()
            .iter()
            .map(|d| d.code.as_str().to_owned())
            .collect();
        let promised = promised_codes(&text);
        if codes != promised {
            failures.push(format!(
                "{}: codes {codes:?}, promised {promised:?}",
                path.display()
            ));
        }
        covered.extend(codes);
        let rendered = report.render();
        let golden = path.with_extension("").with_extension("stderr");
        if bless {
            std::fs::write(&golden, &rendered).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == rendered => {}
            Ok(expected) => failures.push(format!(
                "{} differs from {}:\n--- expected\n{expected}\n--- actual\n{rendered}",
                path.display(),
                golden.display()
            )),
            Err(_) => failures.push(format!(
                "{} has no golden; run with BID_BLESS=1",
                path.display()
            )),
        }
    }
    // Every code `check` can produce has a fixture (I/O errors and the run-time codes excepted).
    let not_from_a_file = ["bid.io.read", "ffi.contract.unsupported_abi"];
    for code in bid_schema::Code::ALL.map(bid_schema::Code::as_str) {
        if !not_from_a_file.contains(&code) && !covered.contains(code) {
            failures.push(format!("no invalid fixture produces `{code}`"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn multiple_errors_are_all_reported() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/invalid/multiple_errors.bid.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let report = bid_schema::check_source("m.bid.yaml", &text).unwrap_err();
    assert!(report.diagnostics().len() >= 7, "{}", report.render());
}

#[test]
fn unreadable_file_is_a_diagnostic() {
    let r = bid_schema::check_file(Path::new("/nonexistent/dir/x.bid.yaml")).unwrap_err();
    assert_eq!(r.diagnostics()[0].code, "bid.io.read");
    assert!(r.render().contains("error[bid.io.read]"), "{}", r.render());
}
