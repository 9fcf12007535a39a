//! build.rs helper: runs bid-schema over BID files and writes the bindings to `$OUT_DIR`.
//!
//! ```no_run
//! // build.rs
//! bid_build::Builder::new()
//!     .file("bid/file.bid.yaml")
//!     .header_dir("include")
//!     .generate()
//!     .unwrap_or_else(|e| e.exit());
//! ```
//!
//! and in `src/lib.rs`: `bid_runtime::include_bindings!("file");`.

mod error;
pub mod plugin;
#[cfg(feature = "verify")]
pub mod verify;
#[cfg(feature = "verify")]
pub use verify::{
    Mismatch, VerifiedTarget, VerifiedType, VerifyError, libclang_available, verify_layouts,
    verify_layouts_for,
};

pub use error::Error;
pub use plugin::{BuiltPlugin, PluginBuilder};

use bid_schema::Model;
use bid_schema::emit::rust::ModulePath;
use std::path::{Path, PathBuf};

/// Generates Rust bindings and C headers from BID files.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Builder {
    files: Vec<PathBuf>,
    header_dir: Option<PathBuf>,
    skeleton_dir: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    verify_layouts: bool,
    plugin: Option<Option<String>>,
}

/// What [`Builder::generate`] wrote, one entry per BID file, in the order given.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Generated {
    /// One entry per [`Builder::file`].
    pub outputs: Vec<Output>,
}

/// The files generated from one BID file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Output {
    /// The BID file, resolved.
    pub source: PathBuf,
    /// `file` for `file.bid.yaml`: the name `include_bindings!` takes.
    pub stem: String,
    /// `$OUT_DIR/<stem>.rs`.
    pub rust: PathBuf,
    /// `$OUT_DIR/<stem>.h`.
    pub header: PathBuf,
    /// The copy in [`Builder::header_dir`], when one was asked for.
    pub header_copy: Option<PathBuf>,
    /// `$OUT_DIR/<stem>_plugin.rs`, when [`Builder::plugin`] was asked for.
    pub plugin: Option<PathBuf>,
    /// `<stem>.skeleton.c` in [`Builder::skeleton_dir`], when one was asked for: written by
    /// this run or left as an earlier run (or its author) made it.
    pub skeleton: Option<PathBuf>,
    /// The checked model.
    pub model: Model,
}

impl Builder {
    /// A builder with no files, writing to `$OUT_DIR`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a BID file (repeatable). A relative path is taken from `CARGO_MANIFEST_DIR`
    /// when that is set, as it is in build scripts.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Also copies each generated header into `dir` (created if missing), for plugin authors.
    /// A relative `dir` is taken from `CARGO_MANIFEST_DIR` when that is set.
    pub fn header_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.header_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Also writes a C plugin skeleton, `<stem>.skeleton.c`, into `dir` (created if missing),
    /// but only when that file does not exist yet: a skeleton is a starting point to edit, so
    /// it is never overwritten, even when the BID file changes (delete it to get a new one).
    /// It includes `<stem>.h` by that name: compile it with the header's directory
    /// ([`Output::header`] or [`Builder::header_dir`]) on the include path. A relative `dir` is
    /// taken from `CARGO_MANIFEST_DIR` when that is set.
    pub fn skeleton_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.skeleton_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Where `<stem>.rs` and `<stem>.h` go; default `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Also writes the plugin side, `<stem>_plugin.rs`, for a plugin written in Rust:
    /// `bid_plugin::include_plugin!("<stem>")` inside `mod <stem> { }` brings in the trait
    /// `<Box>Plugin`, the records, the handle tables and `export!`. `export!` finds them at
    /// `crate::<stem>`; see [`Builder::plugin_module`] for another place.
    pub fn plugin(mut self, plugin: bool) -> Self {
        self.plugin = plugin.then(|| self.plugin.take().flatten());
        self
    }

    /// [`Builder::plugin`], with the module the glue is included in (`crate::plugins::kv`),
    /// where `export!` finds it.
    pub fn plugin_module(mut self, module: impl Into<String>) -> Self {
        self.plugin = Some(Some(module.into()));
        self
    }

    /// Whether to check the computed layouts against clang (feature `verify`).
    pub fn verify_layouts(mut self, verify: bool) -> Self {
        self.verify_layouts = verify;
        self
    }

    /// Whether [`Builder::verify_layouts`] was asked for.
    pub fn verifies_layouts(&self) -> bool {
        self.verify_layouts
    }

    /// Checks every file, then writes `<stem>.rs` and `<stem>.h` (only when their content
    /// changed, so cargo does not rebuild for nothing) and prints `cargo:rerun-if-changed`
    /// when running in a build script. Every file is checked before anything is written. The
    /// header copies and skeletons asked for are written too; a skeleton only when absent.
    pub fn generate(&self) -> Result<Generated, Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let in_build_script =
            std::env::var_os("OUT_DIR").is_some() && std::env::var_os("TARGET").is_some();
        let mut checked = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let source = resolve(file);
            if in_build_script {
                println!("cargo:rerun-if-changed={}", source.display());
            }
            let model = check(file, &source)?;
            checked.push((source, model));
        }
        let mut outputs = Vec::with_capacity(checked.len());
        for (source, model) in checked {
            let stem = stem(&source);
            let rust = out_dir.join(format!("{stem}.rs"));
            let header = out_dir.join(format!("{stem}.h"));
            let header_text = bid_schema::emit::c::header(&model);
            if self.verify_layouts {
                verify(&source, &model, &header_text)?;
            }
            let plugin = match &self.plugin {
                Some(module) => {
                    let module = module.clone().unwrap_or_else(|| format!("crate::{stem}"));
                    let Some(path) = ModulePath::parse(&module) else {
                        return Err(Error::PluginModule { module });
                    };
                    let file = out_dir.join(format!("{stem}_plugin.rs"));
                    write_if_changed(&file, &plugin_source(&model, &path))?;
                    Some(file)
                }
                None => None,
            };
            write_if_changed(&rust, &rust_source(&model))?;
            write_if_changed(&header, &header_text)?;
            let header_copy = match &self.header_dir {
                Some(dir) => {
                    let copy = resolve(dir).join(format!("{stem}.h"));
                    write_if_changed(&copy, &header_text)?;
                    Some(copy)
                }
                None => None,
            };
            let skeleton = match &self.skeleton_dir {
                Some(dir) => {
                    let path = resolve(dir).join(format!("{stem}.skeleton.c"));
                    let text = bid_schema::emit::skeleton::skeleton(&model, &format!("{stem}.h"));
                    write_if_absent(&path, &text)?;
                    Some(path)
                }
                None => None,
            };
            outputs.push(Output {
                source,
                stem,
                rust,
                header,
                header_copy,
                plugin,
                skeleton,
                model,
            });
        }
        Ok(Generated { outputs })
    }
}

/// The generated Rust of `model` as readable text: a `@generated` preamble naming the
/// source and its hash (no date: reproducible), then the tokens of
/// [`bid_schema::emit::rust::bindings`] formatted by prettyplease. The CLI's `bid rust`
/// prints exactly this.
pub fn rust_source(model: &Model) -> String {
    generated(model, bid_schema::emit::rust::bindings(model))
}

/// The plugin side of `model` as readable text, as [`rust_source`] is for the host side:
/// [`bid_schema::emit::rust::plugin`], its export macros finding the glue at `module`.
pub fn plugin_source(model: &Model, module: &ModulePath) -> String {
    generated(model, bid_schema::emit::rust::plugin(model, module))
}

/// A Rust plugin to start from: [`bid_schema::emit::rust::plugin_skeleton`] formatted, under
/// a comment that says what to fill in. Not `@generated`: it is the author's file from then on.
pub fn plugin_skeleton_source(model: &Model, module: &ModulePath) -> String {
    let tokens = bid_schema::emit::rust::plugin_skeleton(model, module);
    let body = match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    };
    format!(
        "// A Rust plugin of {}.\n\
         // To fill in: each `todo!()` with the method's work (fallible methods return\n\
         // `Err(Status::Unsupported)` until then), each handle type `()` with the value a\n\
         // handle stands for. The glue it implements (`bid rust --plugin`, or\n\
         // `bid_build::Builder::plugin` with `bid_plugin::include_plugin!`) is at `{module}`.\n\n{body}",
        comment_safe(model.source().name()),
    )
}

/// A `@generated` preamble, then `tokens` formatted.
fn generated(model: &Model, tokens: proc_macro2::TokenStream) -> String {
    // The emitter makes a whole file by construction; should it ever not, the raw tokens
    // still fail to compile where the user can see why.
    let body = match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    };
    format!(
        "// @generated by bid from {} (fnv1a-64 {}). Do not edit.\n\n{body}",
        comment_safe(model.source().name()),
        model.source().hash()
    )
}

/// A file name as it may appear in a `//` comment: quoted like a Rust string, so a line
/// break, a bidirectional control or a quote in it stays inside the comment.
fn comment_safe(name: &str) -> String {
    let mut out = String::from("`");
    for c in name.chars() {
        let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c == '`' {
            out.push_str("\\u{60}");
        } else if c.is_control() || bidi || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// `file` for `dir/file.bid.yaml` (also `.bid.yml`, `.yaml`, `.yml`).
pub fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for suffix in [".bid.yaml", ".bid.yml", ".yaml", ".yml"] {
        if let Some(stem) = name.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_owned();
        }
    }
    name
}

/// Confirms the computed layouts with clang (feature `verify`).
#[cfg(feature = "verify")]
fn verify(source: &Path, model: &Model, header: &str) -> Result<(), Error> {
    verify::verify_layouts(model, header)
        .map(drop)
        .map_err(|e| Error::Verify {
            file: source.to_path_buf(),
            message: e.to_string(),
        })
}

/// Without the `verify` feature, asking for verification is an error, not a silent pass.
#[cfg(not(feature = "verify"))]
fn verify(source: &Path, _model: &Model, _header: &str) -> Result<(), Error> {
    Err(Error::Verify {
        file: source.to_path_buf(),
        message: "layout verification needs bid-build's `verify` feature (bindgen, libclang)"
            .to_owned(),
    })
}

/// Checks the BID file at `resolved`, naming it as the user wrote it (`given`) in
/// diagnostics and in the generated preamble, so output does not depend on where the
/// project sits on disk.
fn check(given: &Path, resolved: &Path) -> Result<Model, Error> {
    let name = given.to_string_lossy().replace('\\', "/");
    bid_schema::check_file_as(resolved, &name).map_err(|report| Error::Diagnostics {
        file: resolved.to_path_buf(),
        report,
    })
}

fn resolve(path: &Path) -> PathBuf {
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(root) if path.is_relative() => Path::new(&root).join(path),
        _ => path.to_path_buf(),
    }
}

/// Writes `text` unless the file already holds exactly it; creates parent directories.
///
/// The new content goes to a temporary file beside `path` that is then renamed over it, so
/// a reader (a compiler, a concurrent generation of the same file) sees the old file or the
/// new one, never a half-written one.
pub fn write_if_changed(path: &Path, text: &str) -> Result<bool, Error> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    // Unique per process and per call: two threads writing one path never share a temp file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.{n}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(true)
}

/// Writes `text` to a new file at `path` unless a file is there already; creates parent
/// directories. Returns whether it wrote. For files people edit after generation, such as
/// plugin skeletons: an existing file is never touched, whatever it holds.
pub fn write_if_absent(path: &Path, text: &str) -> Result<bool, Error> {
    use std::io::Write as _;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    // `create_new` makes "absent" and "created" one step: no other writer slips in between.
    let mut file = match std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(io(e)),
    };
    if let Err(e) = file.write_all(text.as_bytes()) {
        drop(file);
        // A half-written skeleton would be kept forever: remove it so the next run retries.
        let _ = std::fs::remove_file(path);
        return Err(io(e));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_only_on_change() {
        let dir = std::env::temp_dir().join(format!("bid-write-{}", std::process::id()));
        let path = dir.join("sub/out.rs");
        assert!(write_if_changed(&path, "one").unwrap());
        assert!(
            !write_if_changed(&path, "one").unwrap(),
            "unchanged: not written"
        );
        assert!(write_if_changed(&path, "two").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let left: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn stems() {
        assert_eq!(stem(Path::new("bid/file.bid.yaml")), "file");
        assert_eq!(stem(Path::new("a.b.bid.yml")), "a.b");
        assert_eq!(stem(Path::new("plain.yaml")), "plain");
        assert_eq!(stem(Path::new("noext")), "noext");
    }

    #[test]
    fn writes_only_when_changed() {
        let dir = std::env::temp_dir().join(format!("bid-build-wic-{}", std::process::id()));
        let path = dir.join("sub/x.rs");
        assert!(write_if_changed(&path, "a").unwrap());
        assert!(!write_if_changed(&path, "a").unwrap());
        assert!(write_if_changed(&path, "b").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_name_cannot_end_the_preamble_comment() {
        let hostile = "dir\n pub fn injected_live() -> u32 { 42 }\n/\u{202e}`x\\y.bid.yaml";
        let model = bid_schema::testing::model_named(
            hostile,
            "interfaces: [ { name: t.x, methods: [ { name: f, effect: io } ] } ]",
        );
        let text = rust_source(&model);
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("// @generated by bid from `dir\\n pub fn injected_live()"),
            "{first}"
        );
        assert!(
            first.contains("\\u{202e}\\u{60}x\\\\y.bid.yaml`"),
            "{first}"
        );
        assert!(
            !text.lines().skip(1).any(|l| l.contains("injected_live")),
            "{text}"
        );
        syn::parse_file(&text).expect("the whole file parses");
    }
}
