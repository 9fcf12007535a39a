//! Builds a plugin shared library from C or C++ sources with the `cc` crate's compiler, for
//! tests, examples and users' own test plugins; works inside and outside build scripts.

use crate::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Compiles C (or C++) sources into one shared library (`.so`, `.dylib` or `.dll`).
///
/// ```no_run
/// let lib = bid_build::PluginBuilder::new("filebox")
///     .file("plugin/filebox.c")
///     .include("include")
///     .out_dir(std::env::temp_dir())
///     .build()?;
/// # Ok::<(), bid_build::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PluginBuilder {
    name: String,
    files: Vec<PathBuf>,
    includes: Vec<PathBuf>,
    defines: Vec<(String, Option<String>)>,
    flags: Vec<String>,
    out_dir: Option<PathBuf>,
    target: Option<String>,
    opt_level: u32,
}

impl PluginBuilder {
    /// A library called `name` (`lib<name>.so`, `lib<name>.dylib` or `<name>.dll`).
    pub fn new(name: impl Into<String>) -> Self {
        PluginBuilder {
            name: name.into(),
            files: Vec::new(),
            includes: Vec::new(),
            defines: Vec::new(),
            flags: Vec::new(),
            out_dir: None,
            target: None,
            opt_level: 1,
        }
    }

    /// Adds a source file (`.c`; `.cc`/`.cpp`/`.cxx` switch to the C++ compiler).
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds an include directory.
    pub fn include(mut self, dir: impl AsRef<Path>) -> Self {
        self.includes.push(dir.as_ref().to_path_buf());
        self
    }

    /// Defines a preprocessor macro, `-DNAME` or `-DNAME=VALUE`.
    pub fn define(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.defines.push((name.into(), value.map(str::to_owned)));
        self
    }

    /// Passes one extra flag to the compiler.
    pub fn flag(mut self, flag: impl Into<String>) -> Self {
        self.flags.push(flag.into());
        self
    }

    /// Where the library goes; default `$OUT_DIR`, else the system temporary directory.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The target triple; default `$TARGET` (build scripts), else the triple bid-build
    /// itself was compiled for (the machine running the tests).
    pub fn target(mut self, triple: impl Into<String>) -> Self {
        self.target = Some(triple.into());
        self
    }

    /// Optimisation level passed to `cc` (default 1).
    pub fn opt_level(mut self, level: u32) -> Self {
        self.opt_level = level;
        self
    }

    /// The path [`PluginBuilder::build`] writes, without building.
    pub fn output_path(&self) -> PathBuf {
        let dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir),
        };
        dir.join(library_file_name(&self.name, &self.triple()))
    }

    fn triple(&self) -> String {
        self.target
            .clone()
            .or_else(|| std::env::var("TARGET").ok())
            .unwrap_or_else(|| env!("BID_BUILD_TARGET").to_owned())
    }

    /// Compiles and links the library; returns its path. [`PluginBuilder::build_with_warnings`]
    /// also returns what the compiler warned.
    ///
    /// In a build script (`OUT_DIR` and `TARGET` set) it also tells cargo to rerun the
    /// script when a source file or an include directory changes (`cargo:rerun-if-changed`,
    /// needed because any other `rerun-if-changed`, such as the one [`crate::Builder`]
    /// prints for the BID file, turns off cargo's own "any file in the package changed"),
    /// and forwards the compiler's warnings as `cargo:warning=` lines, which cargo shows.
    pub fn build(&self) -> Result<PathBuf, Error> {
        self.build_with_warnings().map(|built| built.library)
    }

    /// [`PluginBuilder::build`], also returning the compiler's warnings, for callers outside
    /// build scripts (where no `cargo:warning=` line reaches anyone).
    pub fn build_with_warnings(&self) -> Result<BuiltPlugin, Error> {
        let build_script = match (std::env::var_os("OUT_DIR"), std::env::var_os("TARGET")) {
            (Some(out_dir), Some(_)) => Some(PathBuf::from(out_dir)),
            _ => None,
        };
        match build_script {
            Some(out_dir) => {
                let mut stdout = std::io::stdout().lock();
                self.build_in(Some(BuildScript {
                    out_dir,
                    cargo: &mut stdout,
                }))
            }
            None => self.build_in(None),
        }
    }

    fn build_in(&self, mut build_script: Option<BuildScript<'_>>) -> Result<BuiltPlugin, Error> {
        if self.files.is_empty() {
            return Err(Error::NoSources {
                plugin: self.name.clone(),
            });
        }
        if let Some(script) = &mut build_script {
            script.rerun_if_changed(&self.files, &self.includes);
        }
        let triple = self.triple();
        let host = std::env::var("HOST").unwrap_or_else(|_| env!("BID_BUILD_TARGET").to_owned());
        let cpp = self.files.iter().any(|f| {
            matches!(
                f.extension().and_then(|e| e.to_str()),
                Some("cc" | "cpp" | "cxx" | "C")
            )
        });
        let compiler = cc::Build::new()
            .cargo_metadata(false)
            .cpp(cpp)
            .target(&triple)
            .host(&host)
            .opt_level(self.opt_level)
            .debug(false)
            .try_get_compiler()
            .map_err(|e| Error::Compiler(e.to_string()))?;
        let out = self.output_path();
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let msvc = compiler.is_like_msvc();
        let mut cmd: Command = compiler.to_command();
        if msvc {
            cmd.arg("/nologo").arg("/LD");
            for dir in &self.includes {
                cmd.arg(format!("/I{}", dir.display()));
            }
            for (k, v) in &self.defines {
                cmd.arg(define_arg("/D", k, v.as_deref()));
            }
            cmd.args(&self.flags).args(&self.files);
            cmd.arg(format!("/Fe{}", out.display()));
        } else {
            cmd.arg("-shared");
            if !triple.contains("windows") {
                cmd.arg("-fPIC");
            }
            if triple.contains("apple") {
                cmd.arg("-undefined").arg("dynamic_lookup");
            }
            for dir in &self.includes {
                cmd.arg("-I").arg(dir);
            }
            for (k, v) in &self.defines {
                cmd.arg(define_arg("-D", k, v.as_deref()));
            }
            cmd.args(&self.flags).args(&self.files).arg("-o").arg(&out);
        }
        // The program and its arguments only: cc gives the child a full copy of the
        // environment, which `Command`'s `Debug` would print, secrets and all.
        let command = shell_command(&cmd);
        let output = cmd
            .output()
            .map_err(|e| Error::Compiler(format!("cannot run {command}: {e}")))?;
        let mut said = String::from_utf8_lossy(&output.stdout).into_owned();
        said.push_str(&String::from_utf8_lossy(&output.stderr));
        if !output.status.success() {
            if said.trim().is_empty() {
                said = format!("(the compiler printed nothing; {})", output.status);
            }
            return Err(Error::Compile {
                command,
                output: said,
            });
        }
        let warnings = if msvc {
            without_msvc_chatter(&said, &self.files, &out)
        } else {
            said
        };
        if let Some(script) = &mut build_script {
            script.warn(&warnings);
        }
        Ok(BuiltPlugin {
            library: out,
            warnings,
        })
    }
}

/// What [`PluginBuilder::build_with_warnings`] made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuiltPlugin {
    /// The shared library.
    pub library: PathBuf,
    /// What the compiler printed while succeeding (its warnings and their notes), as it
    /// printed them; empty when it had nothing to say.
    pub warnings: String,
}

/// A build script's channel to cargo: its stdout, and its `OUT_DIR`.
struct BuildScript<'w> {
    out_dir: PathBuf,
    cargo: &'w mut dyn Write,
}

impl BuildScript<'_> {
    /// `cargo:rerun-if-changed` for every source and every include directory (cargo then
    /// rescans the whole directory), except directories in `OUT_DIR`: their files are
    /// written by this build script (the headers `Builder` generates, the library itself),
    /// and a file newer than the script's last run makes cargo rerun it on every build.
    fn rerun_if_changed(&mut self, files: &[PathBuf], includes: &[PathBuf]) {
        let out_dir = canonical(&self.out_dir);
        let watched = includes
            .iter()
            .filter(|dir| !canonical(dir).starts_with(&out_dir));
        for path in files.iter().chain(watched) {
            self.line(&format!("cargo:rerun-if-changed={}", path.display()));
        }
    }

    /// One `cargo:warning=` per non-blank line of compiler output: cargo shows each as a
    /// `warning:` line naming the package, so blank lines would show as empty warnings.
    fn warn(&mut self, warnings: &str) {
        for line in warning_lines(warnings) {
            self.line(&format!("cargo:warning={line}"));
        }
    }

    fn line(&mut self, line: &str) {
        // Like `println!`, which build scripts use for this, but not captured by the test
        // harness. A build script whose stdout is gone has lost cargo too: nothing to report
        // to, so a failed write is dropped.
        let _ = writeln!(self.cargo, "{line}");
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The lines of compiler output worth a `cargo:warning=`: colour codes removed (cargo's
/// own colouring would mix with them), trailing space trimmed, blank lines dropped.
fn warning_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(without_ansi_escapes)
        .map(|line| line.trim_end().to_owned())
        .filter(|line| !line.trim().is_empty())
}

/// `line` without ANSI CSI sequences (`ESC [ ... final byte`), which a compiler told
/// `-fdiagnostics-color=always` (say through `CFLAGS`) writes even into a pipe.
fn without_ansi_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.clone().next() == Some('[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// cl.exe echoes each source file's name and link.exe announces the import library of a
/// DLL, on every successful build: not warnings.
fn without_msvc_chatter(text: &str, files: &[PathBuf], out: &Path) -> String {
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned());
    text.lines()
        .filter(|line| {
            let line = line.trim();
            let echo = names.iter().any(|n| n == line);
            let import_library = line.starts_with("Creating library")
                && stem.as_ref().is_some_and(|s| line.contains(s.as_str()));
            !echo && !import_library
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The command's program and arguments as one POSIX shell line that can be pasted to
/// rerun it: words with nothing special to a shell as they are, others in single quotes.
fn shell_command(cmd: &Command) -> String {
    let program = cmd.get_program().to_string_lossy();
    // A first word with `=` would be read as a variable assignment, not as the program.
    let mut line = if program.contains('=') {
        quoted(&program)
    } else {
        shell_word(&program)
    };
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&shell_word(&arg.to_string_lossy()));
    }
    line
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain { word.to_owned() } else { quoted(word) }
}

fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn define_arg(prefix: &str, name: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("{prefix}{name}={v}"),
        None => format!("{prefix}{name}"),
    }
}

/// `lib<name>.so`, `lib<name>.dylib` or `<name>.dll` for a target triple.
pub fn library_file_name(name: &str, triple: &str) -> String {
    if triple.contains("windows") {
        format!("{name}.dll")
    } else if triple.contains("apple") {
        format!("lib{name}.dylib")
    } else {
        format!("lib{name}.so")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_per_platform() {
        assert_eq!(
            library_file_name("x", "x86_64-unknown-linux-gnu"),
            "libx.so"
        );
        assert_eq!(library_file_name("x", "aarch64-apple-darwin"), "libx.dylib");
        assert_eq!(library_file_name("x", "x86_64-pc-windows-msvc"), "x.dll");
    }

    #[test]
    fn builds_a_loadable_library_outside_build_scripts() {
        let dir = std::env::temp_dir().join(format!("bid-plugin-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("add.c");
        std::fs::write(
            &src,
            "#include <stdint.h>\nint32_t t_add(int32_t a, int32_t b) { return a + b + OFFSET; }\n",
        )
        .unwrap();
        let lib = PluginBuilder::new("addtest")
            .file(&src)
            .define("OFFSET", Some("1"))
            .out_dir(&dir)
            .build()
            .unwrap();
        let bytes = std::fs::read(&lib).unwrap();
        assert!(bytes.len() > 64, "an empty library");
        #[cfg(target_os = "linux")]
        assert_eq!(&bytes[..4], b"\x7fELF");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn compile_errors_carry_the_compiler_output_not_the_environment() {
        let dir = std::env::temp_dir().join(format!("bid-plugin-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("bad.c");
        std::fs::write(&src, "int f( { }\n").unwrap();
        let err = PluginBuilder::new("bad")
            .file(&src)
            .out_dir(&dir)
            .build()
            .unwrap_err();
        match &err {
            Error::Compile { output, command } => {
                assert!(output.contains("bad.c"), "{output}");
                assert!(command.contains(&*src.to_string_lossy()), "{command}");
                // cc hands the compiler the whole environment; PATH is always in it.
                assert!(!command.contains("PATH="), "{command}");
            }
            other => panic!("expected a compile error, got {other}"),
        }
        let shown = err.to_string();
        assert!(!shown.contains("PATH="), "{shown}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn commands_are_shown_as_shell_words() {
        let mut cmd = Command::new("cc");
        cmd.args([
            "-DX=1",
            "-I",
            "/tmp/a b/inc",
            "it's",
            "",
            "-o",
            "/t/libx.so",
        ])
        .env("BID_SECRET", "hunter2");
        assert_eq!(
            shell_command(&cmd),
            r"cc -DX=1 -I '/tmp/a b/inc' 'it'\''s' '' -o /t/libx.so"
        );
        assert_eq!(shell_command(&Command::new("A=b")), "'A=b'");
    }

    #[test]
    fn warning_lines_are_plain_and_never_blank() {
        let text = "a.c:1:2: \u{1b}[01;35mwarning: \u{1b}[mcareful [-Wcpp]\n\n    1 | #warning careful  \n\u{1b}[K\n";
        let lines: Vec<String> = warning_lines(text).collect();
        assert_eq!(
            lines,
            [
                "a.c:1:2: warning: careful [-Wcpp]",
                "    1 | #warning careful"
            ]
        );
    }

    #[test]
    fn msvc_chatter_is_not_a_warning() {
        let text = "filebox.c\n   Creating library C:\\o\\filebox.lib and object C:\\o\\filebox.exp\nfilebox.c(3): warning C4101: 'x': unreferenced local variable\n";
        let kept = without_msvc_chatter(
            text,
            &[PathBuf::from("plugin/filebox.c")],
            Path::new("C:/o/filebox.dll"),
        );
        assert_eq!(
            kept,
            "filebox.c(3): warning C4101: 'x': unreferenced local variable\n"
        );
    }

    #[test]
    fn build_scripts_hear_of_sources_include_dirs_and_warnings() {
        let dir = std::env::temp_dir().join(format!("bid-plugin-script-{}", std::process::id()));
        let out_dir = dir.join("out");
        let include = dir.join("include");
        let generated = out_dir.join("gen");
        for d in [&include, &generated] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(include.join("one.h"), "#define ONE 1\n").unwrap();
        let a = dir.join("a.c");
        let b = dir.join("b.c");
        std::fs::write(
            &a,
            "#include \"one.h\"\n#warning \"bid-test-warning\"\nint a(void) { return ONE; }\n",
        )
        .unwrap();
        std::fs::write(&b, "int b(void) { return 2; }\n").unwrap();
        let mut cargo = Vec::new();
        let built = PluginBuilder::new("scripted")
            .file(&a)
            .file(&b)
            .include(&include)
            .include(&generated)
            .out_dir(&out_dir)
            .build_in(Some(BuildScript {
                out_dir: out_dir.clone(),
                cargo: &mut cargo,
            }))
            .unwrap();
        let cargo = String::from_utf8(cargo).unwrap();
        let lines: Vec<&str> = cargo.lines().collect();
        let rerun: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
            .collect();
        let expected = [&a, &b, &include].map(|p| p.display().to_string());
        assert_eq!(rerun, expected, "{cargo}");
        let warnings: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("cargo:warning="))
            .collect();
        assert!(
            warnings.iter().any(|w| w.contains("bid-test-warning")),
            "{cargo}"
        );
        assert!(warnings.iter().all(|w| !w.trim().is_empty()), "{cargo}");
        assert_eq!(
            lines.len(),
            rerun.len() + warnings.len(),
            "nothing but cargo instructions: {cargo}"
        );
        assert!(built.warnings.contains("bid-test-warning"), "{built:?}");
        assert!(built.library.starts_with(&out_dir));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
