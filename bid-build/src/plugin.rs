//! Builds a plugin shared library from C or C++ sources with the `cc` crate's compiler, for
//! tests, examples and users' own test plugins; works inside and outside build scripts.

use crate::Error;
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

    /// Compiles and links the library; returns its path.
    pub fn build(&self) -> Result<PathBuf, Error> {
        if self.files.is_empty() {
            return Err(Error::Compiler(format!(
                "plugin `{}` has no source files",
                self.name
            )));
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
        let mut cmd: Command = compiler.to_command();
        if compiler.is_like_msvc() {
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
        if !output.status.success() {
            let mut said = String::from_utf8_lossy(&output.stdout).into_owned();
            said.push_str(&String::from_utf8_lossy(&output.stderr));
            if said.trim().is_empty() {
                said = format!("(the compiler printed nothing; {})", output.status);
            }
            return Err(Error::Compile {
                command,
                output: said,
            });
        }
        Ok(out)
    }
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
}
