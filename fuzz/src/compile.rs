//! Compiling what bid generates: a work directory of BID files, their headers and their Rust
//! (one module each of one crate against `bid-runtime`), compiled with gcc `-std=c99
//! -pedantic`, g++ `-std=c++11` (both `-Wall -Wextra -Werror`) and `cargo build --offline`.
//! Headers go many to a translation unit; a failing batch is split until each failing
//! header stands alone. Used by the property test, the findings regression test and
//! `bid-fuzz compile`.

use crate::findings;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Headers per compiler invocation.
pub const BATCH: usize = 250;

/// One failure: which step, which files (by tag), what the tool said.
#[derive(Clone, Debug)]
pub struct Failure {
    /// `check`, `emit (panicked)`, `gcc -std=c99`, `g++ -std=c++11` or `cargo build`.
    pub step: &'static str,
    /// The files involved (one, or a batch whose headers fail only together).
    pub tags: Vec<String>,
    /// The tool's output.
    pub message: String,
}

/// The language a header is compiled as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// `gcc -std=c99 -Wall -Wextra -Werror -pedantic`.
    C,
    /// `g++ -std=c++11 -Wall -Wextra -Werror`.
    Cxx,
}

impl Lang {
    /// The step name in failures.
    pub fn step(self) -> &'static str {
        match self {
            Lang::C => "gcc -std=c99",
            Lang::Cxx => "g++ -std=c++11",
        }
    }
}

/// A work directory: `yaml/`, `include/`, `crate/src/`.
pub struct Work {
    /// The directory.
    pub root: PathBuf,
    /// Tags of the files that checked and emitted.
    pub tags: Vec<String>,
    /// Files that failed before compiling (rejected, or bid panicked emitting them).
    pub failures: Vec<Failure>,
    /// Headers per compiler invocation: [`BATCH`], or 1 for files whose C names may clash
    /// with each other.
    pub batch: usize,
    lib_rs: String,
}

/// What compiling a work directory found, and how long each part took.
pub struct Compiled {
    /// Failures of gcc, g++ and cargo (warnings excluded).
    pub failures: Vec<Failure>,
    /// Modules with Rust warnings (and no errors).
    pub warnings: Vec<Failure>,
    /// gcc's time, g++'s time (they run side by side), cargo's time.
    pub times: [Duration; 3],
}

impl Work {
    /// An empty work directory at `root` (its old `yaml`, `include` and `crate/src` removed;
    /// `crate/target` kept, so builds are incremental).
    pub fn new(root: &Path) -> std::io::Result<Work> {
        for d in ["yaml", "include", "crate/src"] {
            let _ = fs::remove_dir_all(root.join(d));
            fs::create_dir_all(root.join(d))?;
        }
        Ok(Work {
            root: root.to_owned(),
            tags: Vec::new(),
            failures: Vec::new(),
            batch: BATCH,
            lib_rs: String::from(
                "//! Bindings of BID files, a module each.\n#![allow(missing_docs)]\n",
            ),
        })
    }

    /// Where the BID file of `tag` is.
    pub fn yaml_path(&self, tag: &str) -> PathBuf {
        self.root.join("yaml").join(format!("{tag}.bid.yaml"))
    }

    /// Checks `yaml` as `<tag>.bid.yaml` and writes its header and Rust; a rejection or a
    /// panic becomes a failure.
    pub fn add(&mut self, tag: &str, yaml: &str) -> std::io::Result<()> {
        fs::write(self.yaml_path(tag), yaml)?;
        let model = match bid_schema::check_source(&format!("{tag}.bid.yaml"), yaml) {
            Ok(m) => m,
            Err(report) => {
                self.failures.push(Failure {
                    step: "check",
                    tags: vec![tag.to_owned()],
                    message: report.render(),
                });
                return Ok(());
            }
        };
        let emitted = crate::exec::quietly(|| {
            (
                bid_schema::emit::c::header(&model),
                bid_build::rust_source(&model),
            )
        });
        let (header, rust) = match emitted {
            Ok(out) => out,
            Err((message, location)) => {
                self.failures.push(Failure {
                    step: "emit (panicked)",
                    tags: vec![tag.to_owned()],
                    message: format!("panicked at {location}: {message}"),
                });
                return Ok(());
            }
        };
        fs::write(self.root.join("include").join(format!("{tag}.h")), header)?;
        fs::write(self.root.join("crate/src").join(format!("{tag}.rs")), rust)?;
        self.lib_rs.push_str(&format!(
            "pub mod {tag} {{\n    include!(\"{tag}.rs\");\n}}\n"
        ));
        self.tags.push(tag.to_owned());
        Ok(())
    }

    /// Compiles every added file: gcc and g++ side by side, then cargo.
    pub fn compile(&self) -> Compiled {
        let timed = |f: &dyn Fn() -> Vec<Failure>| {
            let t = Instant::now();
            (f(), t.elapsed())
        };
        let ((c, c_time), (cxx, cxx_time)) = std::thread::scope(|s| {
            let c = s.spawn(|| timed(&|| self.compile_c(Lang::C)));
            let cxx = s.spawn(|| timed(&|| self.compile_c(Lang::Cxx)));
            let failed = |step: &'static str| {
                let message = "the compiler thread panicked".to_owned();
                (
                    vec![Failure {
                        step,
                        tags: Vec::new(),
                        message,
                    }],
                    Duration::ZERO,
                )
            };
            (
                c.join().unwrap_or_else(|_| failed("gcc")),
                cxx.join().unwrap_or_else(|_| failed("g++")),
            )
        });
        let t = Instant::now();
        let (rust, warnings) = self.build_rust();
        let mut failures = c;
        failures.extend(cxx);
        failures.extend(rust);
        Compiled {
            failures,
            warnings,
            times: [c_time, cxx_time, t.elapsed()],
        }
    }

    fn compile_c(&self, lang: Lang) -> Vec<Failure> {
        let mut failures = Vec::new();
        for (b, batch) in self.tags.chunks(self.batch.max(1)).enumerate() {
            self.bisect(batch, lang, &format!("b{b}"), &mut failures);
        }
        failures
    }

    fn bisect(&self, tags: &[String], lang: Lang, name: &str, out: &mut Vec<Failure>) {
        let Err(message) = self.compile_headers(tags, lang, name) else {
            return;
        };
        let step = lang.step();
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
        self.bisect(a, lang, &format!("{name}a"), out);
        self.bisect(b, lang, &format!("{name}b"), out);
        if out.len() == before {
            // Each half compiles alone: the headers clash with each other.
            out.push(Failure {
                step,
                tags: tags.to_vec(),
                message: format!("only together:\n{message}"),
            });
        }
    }

    fn compile_headers(&self, tags: &[String], lang: Lang, name: &str) -> Result<(), String> {
        let ext = if lang == Lang::C { "c" } else { "cpp" };
        let tu = self.root.join(format!("{name}.{ext}"));
        let mut text: String = tags
            .iter()
            .map(|t| format!("#include \"{t}.h\"\n"))
            .collect();
        text.push_str("int bid_fuzz_unit;\n");
        fs::write(&tu, text).map_err(|e| e.to_string())?;
        let mut cmd = match lang {
            Lang::C => {
                let mut c = Command::new("gcc");
                c.args(["-std=c99", "-pedantic"]);
                c
            }
            Lang::Cxx => {
                let mut c = Command::new("g++");
                c.arg("-std=c++11");
                c
            }
        };
        let out = cmd
            .args(["-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I"])
            .arg(self.root.join("include"))
            .arg(&tu)
            .output()
            .map_err(|e| format!("cannot run the compiler: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Builds the crate; returns the modules with errors and those with warnings only.
    fn build_rust(&self) -> (Vec<Failure>, Vec<Failure>) {
        let fail = |message: String| {
            let f = Failure {
                step: "cargo build",
                tags: Vec::new(),
                message,
            };
            (vec![f], Vec::new())
        };
        let krate = self.root.join("crate");
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let runtime = here.join("../bid-runtime");
        let runtime = runtime.canonicalize().unwrap_or(runtime);
        let manifest = format!(
            "[package]\nname = \"bid-fuzz-bindings\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nbid-runtime = {{ path = {:?} }}\n\n[workspace]\n",
            runtime.display().to_string()
        );
        let written = fs::write(krate.join("Cargo.toml"), manifest)
            .and_then(|()| fs::write(krate.join("src/lib.rs"), &self.lib_rs))
            .and_then(|()| fs::copy(here.join("../Cargo.lock"), krate.join("Cargo.lock")));
        if let Err(e) = written {
            return fail(format!("cannot write the crate: {e}"));
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let out = Command::new(cargo)
            .args(["build", "--offline", "--quiet", "--message-format", "short"])
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", self.root.join("target"))
            .output();
        let out = match out {
            Ok(o) => o,
            Err(e) => return fail(format!("cannot run cargo: {e}")),
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `src/g12.rs:3:5: error[E0428]: ...`: the messages by module, errors and warnings
        // apart.
        let (mut errors, mut warnings): (Vec<Failure>, Vec<Failure>) = (Vec::new(), Vec::new());
        for line in stderr.lines() {
            let Some(tag) = line
                .strip_prefix("src/")
                .and_then(|r| r.split_once(".rs:"))
                .map(|(t, _)| t)
                .filter(|t| *t != "lib")
            else {
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
                    tags: vec![tag.to_owned()],
                    message: format!("{line}\n"),
                }),
            }
        }
        warnings.retain(|w| !errors.iter().any(|e| e.tags == w.tags));
        if !out.status.success() && errors.is_empty() {
            return fail(stderr.into_owned());
        }
        (errors, warnings)
    }
}

/// Failures grouped by step and first error with names blanked.
pub fn group(failures: &[Failure]) -> Vec<(String, Vec<&Failure>)> {
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

/// The line of a tool's output that says what is wrong.
pub fn first_error(message: &str) -> &str {
    message
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| message.lines().find(|l| l.contains("warning")))
        .unwrap_or_else(|| message.lines().next().unwrap_or(""))
}

/// The first `lines` lines of `s`.
pub fn cut(s: &str, lines: usize) -> String {
    let mut out: Vec<&str> = s.lines().take(lines).collect();
    if s.lines().count() > lines {
        out.push("...");
    }
    out.join("\n")
}

/// A report of `failures` for humans: one paragraph per kind, with up to five files.
pub fn report(work: &Work, failures: &[Failure]) -> String {
    group(failures)
        .iter()
        .map(|(key, fs)| {
            let files: Vec<String> = fs
                .iter()
                .take(5)
                .flat_map(|f| &f.tags)
                .map(|t| work.yaml_path(t).display().to_string())
                .collect();
            format!(
                "=== {} file(s): {key}\n  e.g. {}\n{}",
                fs.len(),
                files.join("\n       "),
                cut(&fs[0].message, 25)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
