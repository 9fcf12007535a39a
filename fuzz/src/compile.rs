//! Compiling what bid generates: a work directory of BID files, their headers and C plugin
//! skeletons, compiled with gcc `-std=c99 -pedantic` and g++ `-std=c++11` (both `-Wall
//! -Wextra -Werror`), and their Rust (host bindings, plugin glue, and the Rust plugin skeleton
//! that expands the glue's export macro: modules of one crate against `bid-runtime` and
//! `bid-plugin`), built with `cargo build --offline`. Headers go many to a translation unit
//! (files whose C names clash go to separate units and crates); a failing batch is split
//! until each failing header stands alone. Used by the property test, the findings
//! regression test and `bid-fuzz compile`.

use crate::findings;
use std::collections::HashSet;
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

/// A work directory: `yaml/`, `include/` (headers and C skeletons), `crateN/src/` (the
/// Rust of each file: host bindings, plugin glue and the Rust skeleton).
pub struct Work {
    /// The directory.
    pub root: PathBuf,
    /// Tags of the files that checked and emitted.
    pub tags: Vec<String>,
    /// Files that failed before compiling (rejected, or bid panicked emitting them).
    pub failures: Vec<Failure>,
    /// Headers per compiler invocation ([`BATCH`]).
    pub batch: usize,
    /// Files whose C globals (symbols, type names, macros, include guard) are pairwise
    /// distinct: one C translation unit batch and one Rust crate each, so files written
    /// without tags (reproducers, fixtures) are compiled together only when they can be.
    groups: Vec<Group>,
}

/// What compiling a work directory found, and how long each part took.
pub struct Compiled {
    /// Failures of gcc, g++ and cargo (warnings excluded).
    pub failures: Vec<Failure>,
    /// Files with Rust warnings (and no errors).
    pub warnings: Vec<Failure>,
    /// gcc's time, g++'s time (they run side by side), cargo's time.
    pub times: [Duration; 3],
}

#[derive(Default)]
struct Group {
    names: HashSet<String>,
    tags: Vec<String>,
    lib_rs: String,
}

impl Work {
    /// An empty work directory at `root` (its old `yaml`, `include` and `crate*/src`
    /// removed; `target` kept, so builds are incremental).
    pub fn new(root: &Path) -> std::io::Result<Work> {
        for d in ["yaml", "include"] {
            let _ = fs::remove_dir_all(root.join(d));
            fs::create_dir_all(root.join(d))?;
        }
        if let Ok(entries) = fs::read_dir(root) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with("crate") {
                    let _ = fs::remove_dir_all(e.path().join("src"));
                }
            }
        }
        Ok(Work {
            root: root.to_owned(),
            tags: Vec::new(),
            failures: Vec::new(),
            batch: BATCH,
            groups: Vec::new(),
        })
    }

    /// Where the BID file of `tag` is.
    pub fn yaml_path(&self, tag: &str) -> PathBuf {
        self.root.join("yaml").join(format!("{tag}.bid.yaml"))
    }

    /// Checks `yaml` as `<tag>.bid.yaml` and writes what bid generates from it; a rejection
    /// or a panic becomes a failure.
    pub fn add(&mut self, tag: &str, yaml: &str) -> std::io::Result<()> {
        self.add_named(tag, &format!("{tag}.bid.yaml"), yaml)
    }

    /// [`Work::add`], with `name` as the file name bid is told (it reaches the generated
    /// comments and the include guard).
    pub fn add_named(&mut self, tag: &str, name: &str, yaml: &str) -> std::io::Result<()> {
        fs::write(self.yaml_path(tag), yaml)?;
        let model = match bid_schema::check_source(name, yaml) {
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
        let glue =
            bid_schema::emit::rust::ModulePath::parse(&format!("crate::{tag}_plugin::__bid_glue"))
                .expect("a tag is an identifier");
        let emitted = crate::exec::quietly(|| Emitted {
            header: bid_schema::emit::c::header(&model),
            skeleton: bid_schema::emit::skeleton::skeleton(&model, &format!("{tag}.h")),
            host: bid_build::rust_source(&model),
            glue: bid_build::plugin_source(&model, &glue),
            rust_skeleton: bid_build::plugin_skeleton_source(&model, &glue),
        });
        let out = match emitted {
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
        let include = self.root.join("include");
        fs::write(include.join(format!("{tag}.h")), &out.header)?;
        fs::write(include.join(format!("{tag}.c")), &out.skeleton)?;
        let names = c_globals(&model, &out.header);
        let g = match self.groups.iter().position(|g| g.names.is_disjoint(&names)) {
            Some(g) => g,
            None => {
                self.groups.push(Group::default());
                self.groups.len() - 1
            }
        };
        let src = self.root.join(format!("crate{g}/src"));
        fs::create_dir_all(&src)?;
        fs::write(src.join(format!("{tag}.rs")), &out.host)?;
        fs::write(src.join(format!("{tag}.glue.rs")), &out.glue)?;
        fs::write(src.join(format!("{tag}.skel.rs")), &out.rust_skeleton)?;
        let group = &mut self.groups[g];
        group.names.extend(names);
        group.tags.push(tag.to_owned());
        group.lib_rs.push_str(&format!(
            "pub mod {tag} {{\n    include!(\"{tag}.rs\");\n}}\npub mod {tag}_plugin {{\n    pub mod __bid_glue {{\n        include!(\"{tag}.glue.rs\");\n    }}\n    include!(\"{tag}.skel.rs\");\n}}\n"
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
        for (g, group) in self.groups.iter().enumerate() {
            for (b, batch) in group.tags.chunks(self.batch.max(1)).enumerate() {
                self.bisect(batch, lang, &format!("g{g}b{b}"), &mut failures);
            }
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
        // Each header, then each C skeleton (which includes its header again: the guard).
        let mut text: String = tags
            .iter()
            .map(|t| format!("#include \"{t}.h\"\n"))
            .chain(tags.iter().map(|t| format!("#include \"{t}.c\"\n")))
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

    /// Builds every crate; returns the files with errors and those with warnings only.
    fn build_rust(&self) -> (Vec<Failure>, Vec<Failure>) {
        let (mut errors, mut warnings) = (Vec::new(), Vec::new());
        for g in 0..self.groups.len() {
            let (e, w) = self.build_crate(g);
            errors.extend(e);
            warnings.extend(w);
        }
        (errors, warnings)
    }

    fn build_crate(&self, g: usize) -> (Vec<Failure>, Vec<Failure>) {
        let fail = |message: String| {
            let f = Failure {
                step: "cargo build",
                tags: Vec::new(),
                message,
            };
            (vec![f], Vec::new())
        };
        let krate = self.root.join(format!("crate{g}"));
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dep = |name: &str| {
            let p = here.join("..").join(name);
            p.canonicalize().unwrap_or(p).display().to_string()
        };
        let manifest = format!(
            "[package]\nname = \"bid-fuzz-bindings-{g}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nbid-runtime = {{ path = {:?} }}\nbid-plugin = {{ path = {:?} }}\n\n[workspace]\n",
            dep("bid-runtime"),
            dep("bid-plugin")
        );
        let lib_rs = format!(
            "//! What bid generates from BID files: host bindings, plugin glue and a Rust\n//! skeleton, a module each.\n#![allow(missing_docs)]\n{}",
            self.groups[g].lib_rs
        );
        let written = fs::write(krate.join("Cargo.toml"), manifest)
            .and_then(|()| fs::write(krate.join("src/lib.rs"), lib_rs))
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
        // `src/g12.glue.rs:3:5: error[E0428]: ...`: the messages by file, errors and warnings
        // apart.
        let (mut errors, mut warnings): (Vec<Failure>, Vec<Failure>) = (Vec::new(), Vec::new());
        for line in stderr.lines() {
            let Some(tag) = line
                .strip_prefix("src/")
                .and_then(|r| r.split_once(".rs:"))
                .map(|(t, _)| t.split('.').next().unwrap_or(t))
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

/// What bid generates from one file.
struct Emitted {
    header: String,
    skeleton: String,
    host: String,
    glue: String,
    rust_skeleton: String,
}

/// The C names a file defines at file scope: symbols, type names, signature macros, and the
/// header's include guard. Two files sharing one cannot be compiled together.
fn c_globals(model: &bid_schema::Model, header: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for iface in model.interfaces() {
        names.insert(iface.free_symbol());
        names.insert(iface.signature_symbol());
        names.insert(bid_schema::names::signature_macro(iface.symbol_prefix()));
        names.extend(iface.methods().iter().map(|m| m.symbol().to_owned()));
        names.extend(iface.types().iter().map(|t| t.c().to_owned()));
    }
    if let Some(guard) = header.lines().find_map(|l| l.strip_prefix("#ifndef ")) {
        names.insert(guard.to_owned());
    }
    names
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
