//! `bid layout`: every number the FFI ABI v0 fixes for an interface, per target.

use bid_schema::Model;
use bid_schema::diag::{Code, Diagnostic, Report};
use bid_schema::layout::{self, Layout, Layouts, Target};
use bid_schema::lower;
use bid_schema::model::{Interface, Type};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// `bid layout FILE [--target T]... [--format table|json] [--verify]`
#[derive(clap::Args, Clone, Debug)]
pub struct LayoutArgs {
    /// The BID file.
    pub file: PathBuf,
    /// A target triple (repeatable); all five when omitted.
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also have clang confirm the layouts through bindgen (needs the `verify` feature and
    /// libclang); exit 1 on a mismatch.
    #[arg(long)]
    pub verify: bool,
}

/// How `bid layout` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Aligned text, one block per interface and target.
    #[default]
    Table,
    /// One JSON document.
    Json,
}

/// Runs `bid layout`: 0 ok, 1 diagnostics (an unknown target, an invalid file, a layout
/// clang disagrees with), 2 usage (`--verify` in a build without the `verify` feature).
pub fn run(args: &LayoutArgs) -> ExitCode {
    if args.verify && !cfg!(feature = "verify") {
        eprintln!(
            "error: `bid layout --verify` needs a bid built with the `verify` feature \
             (cargo install bid-cli --features verify; it needs libclang)"
        );
        return ExitCode::from(2);
    }
    let targets = match parse_targets(&args.targets) {
        Ok(t) => t,
        Err(report) => {
            eprint!("{}", report.render());
            return ExitCode::from(1);
        }
    };
    let model = match bid_schema::check_file(&args.file) {
        Ok(m) => m,
        Err(report) => {
            eprint!("{}", report.render());
            return ExitCode::from(1);
        }
    };
    let verified = if args.verify {
        match verify(&model, &targets) {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    let text = match args.format {
        Format::Table => {
            let mut text = table(&model, &targets);
            if let Some(v) = &verified {
                text += &verified_table(v);
            }
            text
        }
        Format::Json => {
            let mut doc = to_json(&model, &targets);
            if let Some(v) = &verified {
                doc["verified"] = verified_json(v);
            }
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
    };
    // A closed pipe (`bid layout F | head`) is not an error worth a panic.
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// The targets asked for (all five when none), or an `ffi.contract.unsupported_abi` report
/// naming every unknown one.
pub fn parse_targets(triples: &[String]) -> Result<Vec<Target>, Report> {
    if triples.is_empty() {
        return Ok(Target::ALL.to_vec());
    }
    let mut targets = Vec::new();
    let mut diagnostics = Vec::new();
    for t in triples {
        match Target::parse(t) {
            Ok(t) if !targets.contains(&t) => targets.push(t),
            Ok(_) => {}
            Err(e) => {
                let known: Vec<&str> = Target::ALL.iter().map(|t| t.triple()).collect();
                diagnostics.push(
                    Diagnostic::error(
                        Code::UnsupportedAbi,
                        format!("unsupported target `{}`", e.given),
                    )
                    .note(format!("supported targets: {}", known.join(", "))),
                );
            }
        }
    }
    if diagnostics.is_empty() {
        Ok(targets)
    } else {
        Err(Report {
            name: "--target".into(),
            text: String::new(),
            diagnostics,
        })
    }
}

fn layout_rows(out: &mut String, name: &str, l: &Layout) {
    let _ = writeln!(
        out,
        "    {name:<28} size {:>3}  align {:>2}",
        l.size, l.align
    );
    for f in &l.fields {
        let _ = writeln!(
            out,
            "      {:<26} offset {:>3}  size {:>3}  align {:>2}",
            f.name, f.offset, f.size, f.align
        );
    }
}

/// The text table: per interface, each method's core signature and C prototype, then per
/// target the ABI labels, every layout, and the passing class of each record value.
pub fn table(model: &Model, targets: &[Target]) -> String {
    let mut out = String::new();
    for iface in model.interfaces() {
        let _ = writeln!(out, "interface {}", iface.qualified());
        for m in iface.methods() {
            let _ = writeln!(out, "  method {}", m.name());
            let _ = writeln!(out, "    core  {}", lower::core_signature(iface, m));
            let _ = writeln!(out, "    c     {}", lower::c_prototype(iface, m));
        }
        for &t in targets {
            let _ = writeln!(
                out,
                "\n  target {}  abi {}  callconv {}  arch {}  platform {}  pointer {}",
                t.triple(),
                t.abi(),
                t.callconv(),
                t.arch(),
                t.platform(),
                t.pointer_size()
            );
            let layouts = Layouts::new(iface, t);
            for (id, l) in layouts.records() {
                layout_rows(&mut out, iface.ty(id).c(), l);
            }
            layout_rows(&mut out, "bid_buf", &layout::bid_buf(t));
            let _ = writeln!(
                out,
                "    -- ABI v0 Box layouts: a box in a VM's 32-bit linear memory (data_ptr is an \
                 offset), the same on every target"
            );
            layout_rows(&mut out, "BoxHeader", &layout::box_header(t));
            layout_rows(&mut out, "StringBoxLayout", &layout::string_box(t));
            for (m, classes) in record_passing(iface, &layouts) {
                let _ = writeln!(out, "    pass {m}: {}", classes.join(", "));
            }
        }
        out.push('\n');
    }
    out
}

/// Per method with a record parameter or result: `name class` entries, `return class` last.
fn record_passing(iface: &Interface, layouts: &Layouts) -> Vec<(String, Vec<String>)> {
    let mut rows = Vec::new();
    for m in iface.methods() {
        let mp = layout::method_passing(iface, layouts, m);
        let mut classes = Vec::new();
        for (p, class) in m.params().iter().zip(&mp.params) {
            if let Type::Record(id) = p.ty() {
                classes.push(format!("{} {} {class}", iface.ty(id).c(), p.name()));
            }
        }
        if let (Some(Type::Record(_)), Some(class)) = (m.returns(), &mp.ret) {
            classes.push(format!("return {class}"));
        }
        if !classes.is_empty() {
            rows.push((m.name().to_owned(), classes));
        }
    }
    rows
}

fn layout_json(name: &str, l: &Layout) -> Value {
    let fields: Vec<Value> = l
        .fields
        .iter()
        .map(|f| json!({"name": f.name, "offset": f.offset, "size": f.size, "align": f.align}))
        .collect();
    json!({"name": name, "size": l.size, "align": l.align, "fields": fields})
}

/// The same content as [`table`], as one JSON document.
pub fn to_json(model: &Model, targets: &[Target]) -> Value {
    let interfaces: Vec<Value> = model
        .interfaces()
        .iter()
        .map(|iface| {
            let methods: Vec<Value> = iface
                .methods()
                .iter()
                .map(|m| {
                    json!({
                        "name": m.name(),
                        "symbol": m.symbol(),
                        "core": lower::core_signature(iface, m).to_string(),
                        "c": lower::c_prototype(iface, m).to_string(),
                    })
                })
                .collect();
            let per_target: Vec<Value> = targets
                .iter()
                .map(|&t| {
                    let layouts = Layouts::new(iface, t);
                    let records: Vec<Value> = layouts
                        .records()
                        .map(|(id, l)| layout_json(iface.ty(id).c(), l))
                        .collect();
                    let passing: Vec<Value> = iface
                        .methods()
                        .iter()
                        .map(|m| {
                            let mp = layout::method_passing(iface, &layouts, m);
                            let params: Vec<Value> = m
                                .params()
                                .iter()
                                .zip(&mp.params)
                                .map(|(p, c)| json!({"name": p.name(), "class": c.label()}))
                                .collect();
                            json!({
                                "method": m.name(),
                                "params": params,
                                "return": mp.ret.map(|c| c.label()),
                            })
                        })
                        .collect();
                    json!({
                        "target": t.triple(),
                        "arch": t.arch(),
                        "platform": t.platform(),
                        "abi": t.abi(),
                        "callconv": t.callconv(),
                        "pointer_size": t.pointer_size(),
                        "records": records,
                        "bid_buf": layout_json("bid_buf", &layout::bid_buf(t)),
                        "box_header": layout_json("BoxHeader", &layout::box_header(t)),
                        "string_box": layout_json("StringBoxLayout", &layout::string_box(t)),
                        "passing": passing,
                    })
                })
                .collect();
            json!({"name": iface.qualified(), "methods": methods, "targets": per_target})
        })
        .collect();
    json!({"file": model.source().name(), "interfaces": interfaces})
}

#[cfg(feature = "verify")]
type Verified = Vec<bid_build::VerifiedTarget>;
#[cfg(not(feature = "verify"))]
type Verified = std::convert::Infallible;

#[cfg(feature = "verify")]
fn verify(model: &Model, targets: &[Target]) -> Result<Verified, String> {
    // The header plugin authors compile, so its per-target static assertions run too.
    let header = bid_schema::emit::c::header(model);
    bid_build::verify_layouts_for(model, &header, targets).map_err(|e| match e {
        bid_build::VerifyError::Mismatch(_) => format!("error[ffi.type_mismatch]: {e}"),
        _ => format!("error: {e}"),
    })
}

#[cfg(not(feature = "verify"))]
fn verify(_model: &Model, _targets: &[Target]) -> Result<Verified, String> {
    Err("error: built without the `verify` feature".into())
}

#[cfg(feature = "verify")]
fn verified_table(v: &Verified) -> String {
    let mut out = String::from("verified by clang (bindgen):\n");
    for t in v {
        let _ = writeln!(out, "  {}", t.target);
        for ty in &t.types {
            let fields: Vec<String> = ty.fields.iter().map(|(n, o)| format!("{n}@{o}")).collect();
            let _ = writeln!(
                out,
                "    {:<28} size {:>3}  align {:>2}  {}  ok",
                ty.c_name,
                ty.size,
                ty.align,
                fields.join(" ")
            );
        }
    }
    out
}

#[cfg(not(feature = "verify"))]
fn verified_table(v: &Verified) -> String {
    match *v {}
}

#[cfg(feature = "verify")]
fn verified_json(v: &Verified) -> Value {
    v.iter()
        .map(|t| {
            let types: Vec<Value> = t
                .types
                .iter()
                .map(|ty| json!({"name": ty.c_name, "size": ty.size, "align": ty.align}))
                .collect();
            json!({"target": t.target.triple(), "types": types, "bid_buf_checked": t.bid_buf_checked})
        })
        .collect()
}

#[cfg(not(feature = "verify"))]
fn verified_json(v: &Verified) -> Value {
    match *v {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/valid")
            .join(name);
        bid_schema::check_file(&path).unwrap_or_else(|r| panic!("{}", r.render()))
    }

    #[test]
    fn unknown_targets_are_unsupported_abi() {
        let err = parse_targets(&["x86_64-unknown-linux-gnux".into(), "sparc".into()]).unwrap_err();
        assert_eq!(err.diagnostics.len(), 2);
        assert!(
            err.diagnostics
                .iter()
                .all(|d| d.code == "ffi.contract.unsupported_abi")
        );
        let text = err.render();
        assert!(!text.contains("did you mean"), "{text}");
        assert!(
            text.contains(
                "supported targets: x86_64-unknown-linux-gnu, x86_64-pc-windows-msvc, \
                 aarch64-apple-darwin, i686-unknown-linux-gnu, wasm32-unknown-unknown"
            ),
            "{text}"
        );
        let ok = parse_targets(&[
            "wasm32-unknown-unknown".into(),
            "wasm32-unknown-unknown".into(),
        ]);
        assert_eq!(ok.unwrap(), vec![Target::Wasm32]);
        assert_eq!(parse_targets(&[]).unwrap(), Target::ALL.to_vec());
    }

    #[test]
    fn table_shows_layouts_signatures_and_passing() {
        let model = fixture("records.bid.yaml");
        let text = table(&model, &[Target::I686Linux, Target::Aarch64Darwin]);
        assert!(text.contains("interface geo.shapes"), "{text}");
        assert!(
            text.contains("target i686-unknown-linux-gnu  abi system_v_i386  callconv cdecl"),
            "{text}"
        );
        // Mixed {bool, i64, i32, f64, f32}: 28 bytes, align 4 on i686.
        let mixed = text
            .lines()
            .find(|l| l.trim_start().starts_with("geo_shapes_Mixed "))
            .unwrap();
        assert!(mixed.contains("size  28  align  4"), "{mixed}");
        assert!(text.contains("StringBoxLayout"), "{text}");
        assert!(text.contains("ABI v0 Box layouts"), "{text}");
        assert!(text.contains("    core  (i32, i32, i32) -> ()"), "{text}");
        assert!(text.contains("pass centroid: return hfa(f64x2)"), "{text}");
        assert!(
            text.contains("pass roundTrip: geo_shapes_Deep d byval, return sret"),
            "{text}"
        );
        assert!(!text.contains("x86_64"), "only the targets asked for");
    }

    #[test]
    fn json_has_the_same_numbers() {
        let model = fixture("records.bid.yaml");
        let doc = to_json(&model, &[Target::X86_64Windows]);
        let t = &doc["interfaces"][0]["targets"][0];
        assert_eq!(t["abi"], "msvc");
        assert_eq!(t["bid_buf"]["size"], 16);
        let point = t["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "geo_shapes_Point")
            .unwrap();
        assert_eq!(point["fields"][1]["offset"], 8);
        let centroid = &t["passing"][0];
        assert_eq!(centroid["return"], "sret");
        assert_eq!(
            doc,
            to_json(&model, &[Target::X86_64Windows]),
            "deterministic"
        );
    }

    #[test]
    fn verify_without_the_feature_is_a_usage_error() {
        if cfg!(feature = "verify") {
            return;
        }
        let args = LayoutArgs {
            file: "does-not-matter.bid.yaml".into(),
            targets: Vec::new(),
            format: Format::Table,
            verify: true,
        };
        assert_eq!(run(&args), ExitCode::from(2));
    }

    #[cfg(feature = "verify")]
    #[test]
    fn verify_confirms_the_fixture() {
        if !bid_build::libclang_available() {
            eprintln!("note: verify_confirms_the_fixture: libclang not found, did not run");
            return;
        }
        let model = fixture("records.bid.yaml");
        let v = verify(&model, &[Target::I686Linux]).unwrap();
        assert!(verified_table(&v).contains("geo_shapes_Mixed"));
    }
}
