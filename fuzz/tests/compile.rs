//! Property: every random valid BID file checks, and what bid generates from it compiles:
//! the C header under `gcc -std=c99 -pedantic` and `g++ -std=c++11` with every warning an
//! error, the Rust bindings in a crate against `bid-runtime`.
//!
//! `BID_PROPTEST_FILES` files (default 1000) from seed `BID_PROPTEST_SEED` (default 1). Headers
//! are compiled many to a translation unit (every file's C names carry its own tag); a
//! failing batch is split until the failing headers are alone. The Rust of every file is one
//! module of one crate, built once with `cargo build --offline` in a target directory under
//! `CARGO_TARGET_TMPDIR`, so later runs are incremental. With `BID_PROPTEST_FINDINGS=DIR`,
//! each distinct failure's BID file is saved there as a finding.

use bid_fuzz::findings::{self, Finding};
use bid_fuzz::rng::Rng;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One generated file.
struct Case {
    tag: String,
    yaml: String,
}

/// A failure: which files, which step, what the tool said.
struct Failure {
    step: &'static str,
    tags: Vec<String>,
    message: String,
}

/// Headers per compiler invocation.
const BATCH: usize = 250;

#[test]
fn generated_headers_and_rust_compile() {
    let n: usize = env_or("BID_PROPTEST_FILES", 1000);
    let seed: u64 = env_or("BID_PROPTEST_SEED", 1);
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("proptest");
    let (yaml_dir, h_dir, src_dir) = (
        work.join("yaml"),
        work.join("include"),
        work.join("crate/src"),
    );
    for d in [&yaml_dir, &h_dir, &src_dir] {
        let _ = fs::remove_dir_all(d);
        fs::create_dir_all(d).expect("work dir");
    }
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    let mut lib_rs = String::from(
        "//! Bindings of the generated BID files, a module each.\n#![allow(missing_docs)]\n",
    );
    for i in 0..n {
        let tag = format!("g{i}");
        let yaml = bid_fuzz::valid::file(&mut rng, &tag);
        fs::write(yaml_dir.join(format!("{tag}.bid.yaml")), &yaml).expect("write yaml");
        match bid_schema::check_source(&format!("{tag}.bid.yaml"), &yaml) {
            Ok(model) => {
                let emitted = bid_fuzz::exec::quietly(|| {
                    (
                        bid_schema::emit::c::header(&model),
                        bid_build::rust_source(&model),
                    )
                });
                let (header, rust) = match emitted {
                    Ok(out) => out,
                    Err((message, location)) => {
                        let message = format!("panicked at {location}: {message}");
                        failures.push(Failure {
                            step: "emit (panicked)",
                            tags: vec![tag],
                            message,
                        });
                        continue;
                    }
                };
                fs::write(h_dir.join(format!("{tag}.h")), header).expect("write header");
                fs::write(src_dir.join(format!("{tag}.rs")), rust).expect("write rust");
                lib_rs.push_str(&format!(
                    "pub mod {tag} {{\n    include!(\"{tag}.rs\");\n}}\n"
                ));
                cases.push(Case { tag, yaml });
            }
            Err(report) => failures.push(Failure {
                step: "check",
                tags: vec![tag],
                message: report.render(),
            }),
        }
    }
    let generated = started.elapsed();
    fs::write(src_dir.join("lib.rs"), lib_rs).expect("write lib.rs");
    let tags: Vec<String> = cases.iter().map(|c| c.tag.clone()).collect();

    // gcc and g++ side by side, cargo after (it uses every core itself).
    let (c, cxx) = std::thread::scope(|s| {
        let c = s.spawn(|| timed(|| compile_c(&work, &h_dir, &tags, Lang::C)));
        let cxx = s.spawn(|| timed(|| compile_c(&work, &h_dir, &tags, Lang::Cxx)));
        (
            c.join().expect("gcc thread"),
            cxx.join().expect("g++ thread"),
        )
    });
    let ((rust, warnings), rust_time) = timed(|| build_rust(&work));
    println!(
        "proptest: seed {seed}, {n} files: generate+emit {:.1} s, gcc+g++ {:.1} s and {:.1} s (in parallel), cargo build {:.1} s, total {:.1} s",
        generated.as_secs_f64(),
        c.1.as_secs_f64(),
        cxx.1.as_secs_f64(),
        rust_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    failures.extend(c.0);
    failures.extend(cxx.0);
    failures.extend(rust);

    if let Ok(dir) = std::env::var("BID_PROPTEST_FINDINGS") {
        save_findings(Path::new(&dir), &failures, &cases, &yaml_dir);
        save_findings(Path::new(&dir), &warnings, &cases, &yaml_dir);
    }
    // Warnings do not fail the build, so not the test either; each kind is shown.
    for (key, fs) in group(&warnings) {
        println!(
            "proptest: rust warning in {} file(s): {key}\n  e.g. {}",
            fs.len(),
            fs[0].message.lines().next().unwrap_or("")
        );
    }
    // One paragraph per kind of failure: the step and its first error with names blanked.
    let groups = group(&failures);
    let report: Vec<String> = groups
        .iter()
        .map(|(key, fs)| {
            let files: Vec<String> = fs
                .iter()
                .take(5)
                .flat_map(|f| &f.tags)
                .map(|t| yaml_dir.join(format!("{t}.bid.yaml")).display().to_string())
                .collect();
            format!(
                "=== {} file(s): {key}\n  e.g. {}\n{}",
                fs.len(),
                files.join("\n       "),
                cut(&fs[0].message, 25)
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "seed {seed} (BID_PROPTEST_SEED), {n} files: {} failure(s) of {} kind(s)\n{}",
        failures.len(),
        groups.len(),
        report.join("\n")
    );
}

/// Failures grouped by step and first error with names blanked.
fn group(failures: &[Failure]) -> Vec<(String, Vec<&Failure>)> {
    let mut groups: Vec<(String, Vec<&Failure>)> = Vec::new();
    for f in failures {
        let key = format!("{}: {}", f.step, findings::shape(first_error(&f.message)));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(f),
            None => groups.push((key, vec![f])),
        }
    }
    groups
}

/// The line of a compiler's output that says what is wrong.
fn first_error(message: &str) -> &str {
    message
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| message.lines().find(|l| l.contains("warning")))
        .unwrap_or_else(|| message.lines().next().unwrap_or(""))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

/// The first `lines` lines of `s`.
fn cut(s: &str, lines: usize) -> String {
    let mut out: Vec<&str> = s.lines().take(lines).collect();
    if s.lines().count() > lines {
        out.push("...");
    }
    out.join("\n")
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    C,
    Cxx,
}

/// Compiles `tags`' headers in batches; returns a failure per failing header (or per batch
/// whose headers fail only together).
fn compile_c(work: &Path, h_dir: &Path, tags: &[String], lang: Lang) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (b, batch) in tags.chunks(BATCH).enumerate() {
        bisect(work, h_dir, batch, lang, &format!("b{b}"), &mut failures);
    }
    failures
}

fn bisect(
    work: &Path,
    h_dir: &Path,
    tags: &[String],
    lang: Lang,
    name: &str,
    out: &mut Vec<Failure>,
) {
    let Err(message) = compile_headers(work, h_dir, tags, lang, name) else {
        return;
    };
    let step = if lang == Lang::C {
        "gcc -std=c99"
    } else {
        "g++ -std=c++11"
    };
    if tags.len() == 1 {
        out.push(Failure {
            step,
            tags: tags.to_vec(),
            message,
        });
        return;
    }
    let before = out.len();
    let (a, b) = tags.split_at(tags.len() / 2);
    bisect(work, h_dir, a, lang, &format!("{name}a"), out);
    bisect(work, h_dir, b, lang, &format!("{name}b"), out);
    if out.len() == before {
        // Each half compiles alone: the headers clash with each other.
        out.push(Failure {
            step,
            tags: tags.to_vec(),
            message: format!("only together:\n{message}"),
        });
    }
}

fn compile_headers(
    work: &Path,
    h_dir: &Path,
    tags: &[String],
    lang: Lang,
    name: &str,
) -> Result<(), String> {
    let ext = if lang == Lang::C { "c" } else { "cpp" };
    let tu = work.join(format!("{name}.{ext}"));
    let mut text: String = tags
        .iter()
        .map(|t| format!("#include \"{t}.h\"\n"))
        .collect();
    text.push_str("int bid_proptest_unit;\n");
    fs::write(&tu, text).map_err(|e| e.to_string())?;
    let mut cmd = if lang == Lang::C {
        let mut c = Command::new("gcc");
        c.args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fsyntax-only",
        ]);
        c
    } else {
        let mut c = Command::new("g++");
        c.args(["-std=c++11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only"]);
        c
    };
    let out = cmd
        .arg("-I")
        .arg(h_dir)
        .arg(&tu)
        .output()
        .map_err(|e| format!("cannot run the compiler: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Builds the crate of every module; returns the modules with errors and those with
/// warnings.
fn build_rust(work: &Path) -> (Vec<Failure>, Vec<Failure>) {
    let krate = work.join("crate");
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bid-runtime");
    let runtime = runtime.canonicalize().unwrap_or(runtime);
    let manifest = format!(
        "[package]\nname = \"bid-proptest-bindings\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nbid-runtime = {{ path = {:?} }}\n\n[workspace]\n",
        runtime.display().to_string()
    );
    fs::write(krate.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    fs::copy(lock, krate.join("Cargo.lock")).expect("copy Cargo.lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["build", "--offline", "--quiet", "--message-format", "short"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            let message = format!("cannot run cargo: {e}");
            return (
                vec![Failure {
                    step: "cargo build",
                    tags: Vec::new(),
                    message,
                }],
                Vec::new(),
            );
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `src/g12.rs:3:5: error[E0428]: ...`: group the messages by module, errors and warnings
    // apart.
    let (mut errors, mut warnings): (Vec<Failure>, Vec<Failure>) = (Vec::new(), Vec::new());
    let mut other = String::new();
    for line in stderr.lines() {
        let tag = line
            .strip_prefix("src/")
            .and_then(|r| r.split_once(".rs:"))
            .map(|(t, _)| t.to_owned())
            .filter(|t| t != "lib");
        let Some(tag) = tag else {
            other.push_str(line);
            other.push('\n');
            continue;
        };
        let list = if line.contains(": error") {
            &mut errors
        } else {
            &mut warnings
        };
        match list.iter_mut().find(|f| f.tags[0] == tag) {
            Some(f) => {
                f.message.push_str(line);
                f.message.push('\n');
            }
            None => list.push(Failure {
                step: "cargo build",
                tags: vec![tag],
                message: format!("{line}\n"),
            }),
        }
    }
    if !out.status.success() && errors.is_empty() {
        errors.push(Failure {
            step: "cargo build",
            tags: Vec::new(),
            message: stderr.into_owned(),
        });
    }
    (errors, warnings)
}

/// Saves one BID file per distinct failure (step and error shape) as a finding.
fn save_findings(dir: &Path, failures: &[Failure], cases: &[Case], yaml_dir: &Path) {
    let mut known = findings::known_keys(dir);
    for f in failures {
        let Some(tag) = f.tags.first() else { continue };
        let first_error = first_error(&f.message);
        let error = first_error.split("error").nth(1).unwrap_or(first_error);
        let kind = match f.step {
            "cargo build" if !f.message.contains(": error") => "rust-warning",
            "check" => "rejected-valid",
            "emit (panicked)" => "panic-valid",
            "cargo build" => "compile-rust",
            s if s.starts_with("gcc") => "compile-c",
            _ => "compile-cxx",
        };
        let finding = Finding {
            kind: kind.to_owned(),
            key: format!("{kind}:{}", findings::shape(error)),
            message: format!("{}: {}", f.step, findings::one_line(first_error)),
        };
        if !known.insert(finding.key.clone()) {
            continue;
        }
        let yaml = cases
            .iter()
            .find(|c| c.tag == *tag)
            .map(|c| c.yaml.clone())
            .or_else(|| fs::read_to_string(yaml_dir.join(format!("{tag}.bid.yaml"))).ok())
            .unwrap_or_default();
        let _ = findings::save(dir, &finding, &yaml, &["valid-file"]);
    }
}
