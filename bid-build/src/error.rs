//! What can go wrong generating bindings or building a plugin, and how it is shown.

use bid_schema::Report;
use std::fmt;
use std::io::IsTerminal as _;
use std::path::PathBuf;

/// A failure of [`crate::Builder::generate`] or [`crate::PluginBuilder::build`].
///
/// `Debug` prints the `Display` text, so `.unwrap()` in a build script shows the compiler's
/// diagnostics as the compiler printed them.
#[non_exhaustive]
pub enum Error {
    /// The BID file has errors; `report` renders them like rustc.
    Diagnostics {
        /// The BID file.
        file: PathBuf,
        /// Every diagnostic of the file.
        report: Report,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No `out_dir` was given and `OUT_DIR` is not set (not in a build script).
    NoOutDir,
    /// `verify_layouts(true)`: clang disagrees with the computed layouts, or cannot run.
    Verify {
        /// The BID file.
        file: PathBuf,
        /// What clang found, per target and type.
        message: String,
    },
    /// No C compiler could be found or configured.
    Compiler(String),
    /// [`crate::Builder::plugin`]: the module the plugin glue goes in is not a Rust path
    /// (a file's stem that is not an identifier, or [`crate::Builder::plugin_module`]).
    PluginModule {
        /// The module path that was asked for.
        module: String,
    },
    /// [`crate::PluginBuilder::build`] was given no source file.
    NoSources {
        /// The plugin's name.
        plugin: String,
    },
    /// The C compiler ran and failed.
    Compile {
        /// The program and its arguments, quoted for a POSIX shell, to rerun by hand. Not
        /// the environment the compiler ran with: that holds every variable of the process.
        command: String,
        /// What the compiler printed: its diagnostics.
        output: String,
    },
}

impl Error {
    /// The diagnostics or error text, as printed by [`Error::exit`] (plain, no colours).
    pub fn render(&self) -> String {
        match self {
            Error::Diagnostics { report, .. } => render_report(report, false),
            other => format!("error: {other}\n"),
        }
    }

    /// Prints the error to stderr (coloured diagnostics when stderr is a terminal) and
    /// exits with status 1: the end of a build script that cannot go on.
    pub fn exit(self) -> ! {
        let text = match &self {
            Error::Diagnostics { report, .. } => {
                render_report(report, std::io::stderr().is_terminal())
            }
            _ => self.render(),
        };
        eprint!("{text}");
        std::process::exit(1)
    }
}

fn render_report(report: &Report, styled: bool) -> String {
    if styled {
        report.render_styled()
    } else {
        report.render()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Diagnostics { file, report } => write!(
                f,
                "{} has {} error(s):\n{}",
                file.display(),
                report.diagnostics.len(),
                render_report(report, false)
            ),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::NoOutDir => f.write_str(
                "OUT_DIR is not set: call bid_build from build.rs or give Builder::out_dir",
            ),
            Error::Verify { file, message } => {
                write!(
                    f,
                    "{}: layout verification failed: {message}",
                    file.display()
                )
            }
            Error::Compiler(msg) => write!(f, "no usable C compiler: {msg}"),
            Error::PluginModule { module } => write!(
                f,
                "`{module}` is not a module path for the plugin glue: give one with \
                 Builder::plugin_module(\"crate::my_module\")"
            ),
            Error::NoSources { plugin } => write!(
                f,
                "plugin `{plugin}` has no source files: give them with PluginBuilder::file"
            ),
            // The diagnostics first, where the reader looks; the command line after them.
            Error::Compile { command, output } => write!(
                f,
                "C compiler failed:\n{}\ncommand: {command}",
                output.trim_end()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
