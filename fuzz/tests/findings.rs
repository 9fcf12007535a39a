//! Every reproducer saved under `fuzz/findings/` (the reduced ones, and the campaign's as it
//! saved them in `campaign/`) replayed, so a fixed finding stays fixed:
//! a `panic`, `unparsable`, `rebound`, `unescaped`, `slow` or `hang` input must be accepted or
//! rejected cleanly (time is not asserted in a test: replay those with `cargo run --release
//! -p bid-fuzz -- exec FILE`), a `crash` input must not kill `bid-fuzz exec`, a `refused`
//! input (one bid now refuses with a diagnostic) must be rejected with the code of its key
//! (`refused:CODE`), and a valid file (`compile-*`, `panic-valid`, `rejected-valid`) must check
//! and its header, C skeleton, Rust bindings, plugin glue and Rust skeleton must compile.
//! `rust-warning` reproducers are listed, not run.

use bid_fuzz::compile::{self, Work};
use bid_fuzz::exec::{self, Verdict};
use bid_fuzz::findings;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn every_saved_reproducer_now_passes() {
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("findings");
    let mut index = Vec::new();
    for dir in [top.clone(), top.join("campaign")] {
        for [file, kind, key, message, origin] in findings::index(&dir) {
            let file = dir.join(file).display().to_string();
            index.push([file, kind, key, message, origin]);
        }
    }
    assert!(!index.is_empty(), "no index.tsv in {}", top.display());
    exec::install_quiet_hook();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("findings-replay");
    let mut work = Work::new(&root).expect("work directory");
    // One header per compiler run, so each failure names its reproducer.
    work.batch = 1;
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for (i, [file, kind, key, message, _]) in index.iter().enumerate() {
        let path = PathBuf::from(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        match kind.as_str() {
            "panic" | "unparsable" | "rebound" | "unescaped" | "slow" | "hang" => {
                match exec::run(&text).verdict {
                    Verdict::Accepted | Verdict::Rejected(_) => {}
                    v => failed.push(format!("{file} ({kind}): {v:?}\n    was: {message}")),
                }
            }
            "refused" => {
                let code = key.strip_prefix("refused:").unwrap_or(key);
                match exec::run(&text).verdict {
                    Verdict::Rejected(codes) if codes.contains(&code) => {}
                    v => failed.push(format!(
                        "{file} (refused): {v:?}, not rejected with {code}\n    was: {message}"
                    )),
                }
            }
            "crash" => {
                let status = Command::new(env!("CARGO_BIN_EXE_bid-fuzz"))
                    .args(["exec", "--quiet"])
                    .arg(&path)
                    .status()
                    .expect("run bid-fuzz exec");
                if !status.success() {
                    failed.push(format!("{file} (crash): {status}\n    was: {message}"));
                }
            }
            "compile-c" | "compile-cxx" | "compile-rust" | "panic-valid" | "rejected-valid" => {
                work.add(&format!("f{i}"), &text).expect("write the files");
            }
            _ => skipped.push(format!("{file} ({kind}): {message}")),
        }
    }
    let compiled = work.compile();
    let mut compile_failures = work.failures.clone();
    compile_failures.extend(compiled.failures);
    for f in &compile_failures {
        let files: Vec<String> = f
            .tags
            .iter()
            .filter_map(|t| t.strip_prefix('f')?.parse::<usize>().ok())
            .map(|i| index[i][0].clone())
            .collect();
        failed.push(format!(
            "{} ({}): {}",
            files.join(", "),
            f.step,
            compile::cut(compile::first_error(&f.message), 3)
        ));
    }
    // Back to the default hook, so the assertion below reports.
    drop(std::panic::take_hook());
    println!(
        "not replayed (warnings do not fail):\n  {}",
        skipped.join("\n  ")
    );
    assert!(
        failed.is_empty(),
        "{} failure(s) replaying the {} saved reproducers:\n  {}",
        failed.len(),
        index.len(),
        failed.join("\n  ")
    );
}
