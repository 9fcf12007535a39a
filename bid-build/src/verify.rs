//! Layouts confirmed by clang itself: bindgen reads the C header once per target and its
//! layout tests are compared with bid-schema's numbers.
//!
//! bindgen writes what clang computed as layout assertions in the Rust it generates
//! (`["Size of X"][size_of::<X>() - 16usize];` in a `const _` block, or `assert_eq!` in a
//! `#[test]` fn for old Rust targets); both forms are read back with syn, so nothing here
//! depends on bindgen's formatting.

use bid_schema::Model;
use bid_schema::layout::{self, Layout, Target};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};
use syn::punctuated::Punctuated;
use syn::{Expr, Item, Lit, Stmt};

/// One C struct whose layout clang confirmed on one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedType {
    /// The C type name (`nyash_file_Point`, `bid_buf`).
    pub c_name: String,
    /// `sizeof`.
    pub size: u64,
    /// `_Alignof`.
    pub align: u64,
    /// (C field name, offset) in declaration order.
    pub fields: Vec<(String, u64)>,
}

/// Everything compared on one target, all of it equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTarget {
    /// The target clang was run for.
    pub target: Target,
    /// Every record of every interface, then `bid_buf` when the header declares it.
    pub types: Vec<VerifiedType>,
    /// Whether the header declared `bid_buf` (it was compared when it did).
    pub bid_buf_checked: bool,
}

/// One number bid-schema and clang disagree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The target.
    pub target: Target,
    /// The C type name.
    pub ty: String,
    /// The field, for an offset.
    pub field: Option<String>,
    /// `size`, `alignment`, `offset`, or `field count`.
    pub what: &'static str,
    /// bid-schema's number.
    pub expected: u64,
    /// clang's number.
    pub actual: u64,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`", self.target, self.ty)?;
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        write!(
            f,
            " {}: bid-schema computes {}, clang reports {}",
            self.what, self.expected, self.actual
        )
    }
}

/// Why verification did not confirm the layouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// libclang could not be loaded (install `libclang-dev`, or set `LIBCLANG_PATH`).
    LibclangMissing(String),
    /// bindgen (clang) failed on the header for this target, e.g. a failed `_Static_assert`.
    Bindgen {
        /// The target.
        target: Target,
        /// clang's diagnostics or bindgen's error.
        message: String,
    },
    /// bindgen's output could not be read back.
    Parse {
        /// The target.
        target: Target,
        /// What went wrong.
        message: String,
    },
    /// The header does not declare a record of the model.
    MissingType {
        /// The target.
        target: Target,
        /// The C type name.
        ty: String,
    },
    /// clang disagrees with bid-schema; every difference on every target.
    Mismatch(Vec<Mismatch>),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::LibclangMissing(why) => {
                write!(
                    f,
                    "layout verification needs libclang, which could not be loaded: {why}"
                )
            }
            VerifyError::Bindgen { target, message } => {
                write!(f, "clang failed on the header for {target}: {message}")
            }
            VerifyError::Parse { target, message } => {
                write!(
                    f,
                    "could not read bindgen's layout tests for {target}: {message}"
                )
            }
            VerifyError::MissingType { target, ty } => {
                write!(f, "the header does not declare `{ty}` (target {target})")
            }
            VerifyError::Mismatch(all) => {
                write!(f, "layout mismatch between bid-schema and clang:")?;
                for m in all {
                    write!(f, "\n  {m}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Whether libclang can be loaded, so callers (and tests) can say verification did not run.
pub fn libclang_available() -> bool {
    libclang_status().is_ok()
}

fn libclang_status() -> Result<(), String> {
    static STATUS: OnceLock<Result<(), String>> = OnceLock::new();
    // The library is opened and closed again: bindgen loads its own copy per thread.
    STATUS
        .get_or_init(|| clang_sys::load_manually().map(drop))
        .clone()
}

/// Verifies every record and `bid_buf` on all five targets.
pub fn verify_layouts(model: &Model, header: &str) -> Result<Vec<VerifiedTarget>, VerifyError> {
    verify_layouts_for(model, header, &Target::ALL)
}

/// Verifies every record and `bid_buf` on the given targets, in order. Every mismatch on
/// every target is reported together.
pub fn verify_layouts_for(
    model: &Model,
    header: &str,
    targets: &[Target],
) -> Result<Vec<VerifiedTarget>, VerifyError> {
    libclang_status().map_err(VerifyError::LibclangMissing)?;
    let mut verified = Vec::new();
    let mut mismatches = Vec::new();
    for &target in targets {
        let observed = run_bindgen(header, target)?;
        let mut types = Vec::new();
        for iface in model.interfaces() {
            let layouts = layout::Layouts::new(iface, target);
            for (id, want) in layouts.records() {
                let c = iface.ty(id).c();
                let c_fields: Vec<&str> = iface.record(id).fields().iter().map(|f| f.c()).collect();
                let Some(got) = observed.get(c) else {
                    return Err(VerifyError::MissingType {
                        target,
                        ty: c.to_owned(),
                    });
                };
                let before = mismatches.len();
                compare(target, c, &c_fields, want, got, &mut mismatches);
                if mismatches.len() == before {
                    types.push(verified_type(c, &c_fields, want));
                }
            }
        }
        let bid_buf_checked = match observed.get("bid_buf") {
            Some(got) => {
                let want = layout::bid_buf(target);
                let names = ["ptr", "len"];
                let before = mismatches.len();
                compare(target, "bid_buf", &names, &want, got, &mut mismatches);
                if mismatches.len() == before {
                    types.push(verified_type("bid_buf", &names, &want));
                }
                true
            }
            None => false,
        };
        verified.push(VerifiedTarget {
            target,
            types,
            bid_buf_checked,
        });
    }
    if mismatches.is_empty() {
        Ok(verified)
    } else {
        Err(VerifyError::Mismatch(mismatches))
    }
}

fn verified_type(c_name: &str, fields: &[&str], l: &Layout) -> VerifiedType {
    VerifiedType {
        c_name: c_name.to_owned(),
        size: l.size,
        align: l.align,
        fields: fields
            .iter()
            .zip(&l.fields)
            .map(|(n, f)| ((*n).to_owned(), f.offset))
            .collect(),
    }
}

/// Layout numbers bindgen asserted for one struct.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Observed {
    size: Option<u64>,
    align: Option<u64>,
    /// (bindgen's Rust field name, offset), in declaration order.
    offsets: Vec<(String, u64)>,
}

fn compare(
    target: Target,
    ty: &str,
    c_fields: &[&str],
    want: &Layout,
    got: &Observed,
    out: &mut Vec<Mismatch>,
) {
    let mut push = |field: Option<&str>, what, expected, actual| {
        out.push(Mismatch {
            target,
            ty: ty.to_owned(),
            field: field.map(str::to_owned),
            what,
            expected,
            actual,
        });
    };
    // A missing number is a mismatch against 0: bindgen always asserts size and alignment.
    let (size, align) = (got.size.unwrap_or(0), got.align.unwrap_or(0));
    if size != want.size {
        push(None, "size", want.size, size);
    }
    if align != want.align {
        push(None, "alignment", want.align, align);
    }
    if got.offsets.len() != want.fields.len() {
        push(
            None,
            "field count",
            want.fields.len() as u64,
            got.offsets.len() as u64,
        );
        return;
    }
    for ((c_name, f), (bg_name, offset)) in c_fields.iter().zip(&want.fields).zip(&got.offsets) {
        if !same_field(c_name, bg_name) {
            // Fields are matched by position; a different name means a different struct.
            push(
                Some(c_name),
                "field order (position of the field)",
                f.offset,
                *offset,
            );
        } else if *offset != f.offset {
            push(Some(c_name), "offset", f.offset, *offset);
        }
    }
}

/// bindgen escapes Rust keywords in field names (`type` -> `type_`, or a raw `r#type`).
fn same_field(c_name: &str, bindgen_name: &str) -> bool {
    let b = bindgen_name.strip_prefix("r#").unwrap_or(bindgen_name);
    b == c_name || b.strip_suffix('_') == Some(c_name)
}

fn run_bindgen(header: &str, target: Target) -> Result<BTreeMap<String, Observed>, VerifyError> {
    // libclang is shared process state; one bindgen run at a time keeps concurrent callers
    // (tests, a build with several interfaces) from interleaving inside it.
    static LOCK: Mutex<()> = Mutex::new(());
    let text = {
        let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        bindgen::Builder::default()
            .header_contents("bid_verify.h", header)
            .clang_args([
                format!("--target={}", target.triple()),
                "-ffreestanding".to_owned(),
                "-xc".to_owned(),
            ])
            .with_codegen_config(bindgen::CodegenConfig::TYPES)
            .layout_tests(true)
            .generate_comments(false)
            .formatter(bindgen::Formatter::None)
            .generate()
            .map_err(|e| VerifyError::Bindgen {
                target,
                message: e.to_string(),
            })?
            .to_string()
    };
    parse_layout_tests(&text).map_err(|message| VerifyError::Parse { target, message })
}

/// Reads every layout assertion in bindgen's output.
fn parse_layout_tests(rust: &str) -> Result<BTreeMap<String, Observed>, String> {
    let file = syn::parse_file(rust).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for item in &file.items {
        let stmts = match item {
            Item::Const(c) => match &*c.expr {
                Expr::Block(b) => &b.block.stmts,
                _ => continue,
            },
            Item::Fn(f) => &f.block.stmts,
            _ => continue,
        };
        for stmt in stmts {
            if let Some((message, n)) = assertion(stmt) {
                record(&mut out, &message, n);
            }
        }
    }
    Ok(out)
}

/// (message, number) of `["message"][expr - N];` or `assert_eq!(expr, N, "message");`.
fn assertion(stmt: &Stmt) -> Option<(String, u64)> {
    let mac = match stmt {
        Stmt::Expr(Expr::Index(ix), _) => {
            let Expr::Array(arr) = &*ix.expr else {
                return None;
            };
            let message = lit_str(arr.elems.first()?)?;
            let Expr::Binary(bin) = &*ix.index else {
                return None;
            };
            return Some((message, lit_int(&bin.right)?));
        }
        Stmt::Macro(m) => &m.mac,
        Stmt::Expr(Expr::Macro(m), _) => &m.mac,
        _ => return None,
    };
    if mac
        .path
        .segments
        .last()
        .is_none_or(|s| s.ident != "assert_eq")
    {
        return None;
    }
    let args = mac
        .parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    let args: Vec<&Expr> = args.iter().collect();
    Some((lit_str(args.get(2)?)?, lit_int(args.get(1)?)?))
}

fn lit_str(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        _ => None,
    }
}

fn lit_int(e: &Expr) -> Option<u64> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse().ok(),
            _ => None,
        },
        Expr::Paren(p) => lit_int(&p.expr),
        _ => None,
    }
}

fn record(out: &mut BTreeMap<String, Observed>, message: &str, n: u64) {
    if let Some(ty) = message.strip_prefix("Size of ") {
        out.entry(ty.to_owned()).or_default().size = Some(n);
    } else if let Some(ty) = message.strip_prefix("Alignment of ") {
        out.entry(ty.to_owned()).or_default().align = Some(n);
    } else if let Some((ty, field)) = message
        .strip_prefix("Offset of field: ")
        .and_then(|rest| rest.split_once("::"))
    {
        let entry = out.entry(ty.to_owned()).or_default();
        entry.offsets.push((field.to_owned(), n));
    }
}

#[cfg(test)]
mod tests;
