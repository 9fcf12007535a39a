//! The `bid` command line: a thin shell over `bid-schema`.
//!
//! Exit codes: 0 ok, 1 diagnostics, 2 usage (clap exits 2 on its own usage errors).

mod audit;
mod layout;

use bid_schema::emit::rust::ModulePath;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

// `bid rust` on a large interface makes and drops millions of small token and syntax-tree
// allocations; mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "bid",
    version,
    about = "BID interfaces: validate, layouts, headers, plugin skeletons, bindings, audits"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check BID files and report every error.
    Validate(ValidateArgs),
    /// Show sizes, alignments, offsets, C prototypes and passing classes per target.
    Layout(layout::LayoutArgs),
    /// Write the C header plugin authors implement.
    Header(EmitArgs),
    /// Write the Rust host bindings (what bid-build puts in `$OUT_DIR`), or with `--plugin`
    /// the plugin side: the trait a Rust plugin implements and `export!`.
    Rust(RustArgs),
    /// Write a plugin skeleton to fill in: in C every function of the header, stubbed; with
    /// `--rust` an implementation of the generated trait.
    Skeleton(SkeletonArgs),
    /// Summarise an audit trace (`BID_AUDIT=trace.jsonl`): calls, failures, leaks, pass rate.
    Audit(audit::AuditArgs),
    /// Print the JSON Schema of BID YAML (for editors).
    Schema,
}

#[derive(clap::Args)]
struct EmitArgs {
    /// The BID file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write (default: stdout).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RustArgs {
    #[command(flatten)]
    emit: EmitArgs,
    /// The plugin side instead of the host bindings.
    #[arg(long)]
    plugin: bool,
    /// With `--plugin`: the module the glue goes in, where `export!` finds it (default
    /// `crate::<stem>`).
    #[arg(long, value_name = "PATH", requires = "plugin")]
    module: Option<String>,
}

#[derive(clap::Args)]
struct SkeletonArgs {
    /// The BID file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write (default: stdout). An existing file is kept unless `--force`.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// The header to `#include` (default: `<stem>.h`, as `bid header` and bid-build name it).
    #[arg(long, value_name = "NAME.h")]
    header: Option<String>,
    /// Replace an existing OUT file.
    #[arg(long)]
    force: bool,
    /// A Rust plugin: an implementation of the trait `bid rust --plugin` generates.
    #[arg(long, conflicts_with = "header")]
    rust: bool,
    /// With `--rust`: the module of the plugin glue (default `crate::<stem>`).
    #[arg(long, value_name = "PATH", requires = "rust")]
    module: Option<String>,
}

/// The module path of the plugin glue: `--module`, or `crate::<stem>`.
fn module_path(file: &std::path::Path, module: Option<&str>) -> Result<ModulePath, String> {
    let written = module.map_or_else(
        || format!("crate::{}", bid_build::stem(file)),
        str::to_owned,
    );
    ModulePath::parse(&written).ok_or_else(|| {
        format!("`{written}` is not a module path such as `crate::kv`; pass --module")
    })
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// BID files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Check against FFI ABI v0 (the only ABI; accepted for explicitness).
    #[arg(long = "ffi-abi-v0")]
    ffi_abi_v0: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Rendered like rustc (coloured on a terminal).
    Text,
    /// A JSON array of diagnostics on stdout.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => validate(&args),
        Command::Layout(args) => layout::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Header(args) => emit(&args, bid_schema::emit::c::header),
        Command::Rust(args) if args.plugin => {
            match module_path(&args.emit.file, args.module.as_deref()) {
                Ok(module) => emit(&args.emit, |model| bid_build::plugin_source(model, &module)),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Rust(args) => emit(&args.emit, bid_build::rust_source),
        Command::Skeleton(args) => skeleton(&args),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&bid_schema::schema::json_schema())
                .unwrap_or_default();
            println!("{text}");
            ExitCode::SUCCESS
        }
    }
}

/// The model of `file`, or its diagnostics printed to stderr.
fn check(file: &std::path::Path) -> Option<bid_schema::Model> {
    match bid_schema::check_file(file) {
        Ok(model) => Some(model),
        Err(report) => {
            if std::io::stderr().is_terminal() {
                eprint!("{}", report.render_styled());
            } else {
                eprint!("{}", report.render());
            }
            None
        }
    }
}

/// `bid header` / `bid rust`: check, then write what `generate` makes of the model.
fn emit(args: &EmitArgs, generate: impl Fn(&bid_schema::Model) -> String) -> ExitCode {
    let Some(model) = check(&args.file) else {
        return ExitCode::from(1);
    };
    let text = generate(&model);
    finish(match &args.output {
        Some(path) => bid_build::write_if_changed(path, &text)
            .map(drop)
            .map_err(|e| e.to_string()),
        None => to_stdout(&text),
    })
}

/// Generated text on standard output.
fn to_stdout(text: &str) -> Result<(), String> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())
}

/// The exit code of a command whose output was written, or not: 2 with the error.
fn finish(written: Result<(), String>) -> ExitCode {
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `bid skeleton`: check, then write the skeleton; a file at `-o` is the author's work, so it
/// is replaced only with `--force`.
fn skeleton(args: &SkeletonArgs) -> ExitCode {
    let module = match args
        .rust
        .then(|| module_path(&args.file, args.module.as_deref()))
    {
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Some(Ok(module)) => Some(module),
        None => None,
    };
    let header = match &args.header {
        Some(name) => name.clone(),
        None => format!("{}.h", bid_build::stem(&args.file)),
    };
    if let Some(why) = bid_schema::emit::skeleton::include_name_problem(&header) {
        eprintln!("error: the header name {header:?} cannot be #included: {why}; pass --header");
        return ExitCode::from(2);
    }
    let Some(model) = check(&args.file) else {
        return ExitCode::from(1);
    };
    let text = match &module {
        Some(module) => bid_build::plugin_skeleton_source(&model, module),
        None => bid_schema::emit::skeleton::skeleton(&model, &header),
    };
    let written = match &args.output {
        Some(path) if args.force => bid_build::write_if_changed(path, &text)
            .map(drop)
            .map_err(|e| e.to_string()),
        Some(path) => match bid_build::write_if_absent(path, &text) {
            Ok(true) => Ok(()),
            Ok(false) => {
                eprintln!(
                    "error: {} already exists; a skeleton is meant to be edited, so bid does not \
                     overwrite it (pass --force to replace it, or choose another -o)",
                    path.display()
                );
                return ExitCode::from(2);
            }
            Err(e) => Err(e.to_string()),
        },
        None => to_stdout(&text),
    };
    finish(written)
}

fn validate(args: &ValidateArgs) -> ExitCode {
    // FFI ABI v0 is the only ABI; the flag documents intent and changes nothing yet.
    let _ = args.ffi_abi_v0;
    let styled = std::io::stderr().is_terminal();
    let mut failed = false;
    let mut json = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in &args.files {
        match bid_schema::check_file(file) {
            Ok(model) => {
                if args.format == Format::Text {
                    let methods: usize = model.interfaces().iter().map(|i| i.methods().len()).sum();
                    let _ = writeln!(
                        out,
                        "ok: {} ({}, {})",
                        file.display(),
                        audit::plural(model.interfaces().len() as u64, "interface", "interfaces"),
                        audit::plural(methods as u64, "method", "methods")
                    );
                }
            }
            Err(report) => {
                failed = true;
                match args.format {
                    Format::Text if styled => eprint!("{}", report.render_styled()),
                    Format::Text => eprint!("{}", report.render()),
                    Format::Json => {
                        if let serde_json::Value::Array(items) = report.to_json() {
                            json.extend(items);
                        }
                    }
                }
            }
        }
    }
    if args.format == Format::Json {
        let text = serde_json::to_string_pretty(&json).unwrap_or_default();
        let _ = writeln!(out, "{text}");
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
