//! Property: every random valid BID file checks, and what bid generates from it compiles:
//! the C header and the C plugin skeleton under `gcc -std=c99 -pedantic` and `g++ -std=c++11`
//! with every warning an error; the Rust host bindings, the Rust plugin glue and the Rust
//! plugin skeleton (which expands the glue's export macro) in a crate against `bid-runtime`
//! and `bid-plugin`.
//!
//! `BID_PROPTEST_FILES` files (default 200) from seed `BID_PROPTEST_SEED` (default 1), plus
//! every file of `fixtures/hostile/` (hostile inputs bid must accept and compile). Hostile
//! generated files are also given hostile file names, which reach the generated comments and
//! the include guard. Headers are compiled many to a translation unit (every generated file's
//! C names carry its own tag); a failing batch is split until the failing headers are alone.
//! The Rust of every file is a module of one crate, built with `cargo build --offline` in a
//! target directory under `CARGO_TARGET_TMPDIR`, so later runs are incremental. With
//! `BID_PROPTEST_FINDINGS=DIR`, each distinct failure's BID file is saved there as a finding.
//! Rust warnings are listed, not failed.

use bid_fuzz::compile::{self, Failure, Work};
use bid_fuzz::findings::{self, Finding};
use bid_fuzz::rng::Rng;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn generated_headers_and_rust_compile() {
    let n: usize = env_or("BID_PROPTEST_FILES", 200);
    let seed: u64 = env_or("BID_PROPTEST_SEED", 1);
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("proptest");
    let started = Instant::now();
    let mut work = Work::new(&root).expect("work directory");
    let mut rng = Rng::new(seed);
    for i in 0..n {
        let tag = format!("g{i}");
        let yaml = bid_fuzz::valid::file(&mut rng, &tag);
        if yaml.starts_with("# bid-fuzz hostile") {
            let name = bid_fuzz::words::tagged_file_name(i, &tag);
            work.add_named(&tag, &name, &yaml)
        } else {
            work.add(&tag, &yaml)
        }
        .expect("write the files");
    }
    let hostile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hostile");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&hostile)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    fixtures.retain(|p| p.to_string_lossy().ends_with(".bid.yaml"));
    fixtures.sort();
    for (i, path) in fixtures.iter().enumerate() {
        let yaml = std::fs::read_to_string(path).expect("read a hostile fixture");
        work.add(&format!("h{i}"), &yaml).expect("write the files");
    }
    let generated = started.elapsed();
    let compiled = work.compile();
    let [c, cxx, cargo] = compiled.times.map(|t| t.as_secs_f64());
    println!(
        "proptest: seed {seed}, {n} files and {} hostile fixtures: generate+emit {:.1} s, gcc {c:.1} s and g++ {cxx:.1} s (side by side), cargo build {cargo:.1} s, total {:.1} s",
        fixtures.len(),
        generated.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let mut failures = work.failures.clone();
    failures.extend(compiled.failures);
    if let Ok(dir) = std::env::var("BID_PROPTEST_FINDINGS") {
        save_findings(Path::new(&dir), &failures, &work);
        save_findings(Path::new(&dir), &compiled.warnings, &work);
    }
    for (key, fs) in compile::group(&compiled.warnings) {
        println!("proptest: rust warning in {} file(s): {key}", fs.len());
    }
    assert!(
        failures.is_empty(),
        "seed {seed} (BID_PROPTEST_SEED), {n} files: {} failure(s) of {} kind(s)\n{}",
        failures.len(),
        compile::group(&failures).len(),
        compile::report(&work, &failures)
    );
}

/// Saves one BID file per distinct failure (step and error shape) as a finding.
fn save_findings(dir: &Path, failures: &[Failure], work: &Work) {
    let mut known = findings::known_keys(dir);
    for f in failures {
        let Some(tag) = f.tags.first() else { continue };
        let first = compile::first_error(&f.message);
        let error = first.split("error").nth(1).unwrap_or(first);
        let kind = match f.step {
            "cargo build" if !f.message.contains(": error") => "rust-warning",
            "cargo build" => "compile-rust",
            "check" => "rejected-valid",
            "emit (panicked)" => "panic-valid",
            s if s.starts_with("gcc") => "compile-c",
            _ => "compile-cxx",
        };
        let finding = Finding {
            kind: kind.to_owned(),
            key: format!("{kind}:{}", findings::shape(error)),
            message: format!("{}: {}", f.step, findings::one_line(first)),
        };
        if known.insert(finding.key.clone()) {
            let yaml = std::fs::read_to_string(work.yaml_path(tag)).unwrap_or_default();
            let _ = findings::save(dir, &finding, &yaml, &["valid-file"]);
        }
    }
}
