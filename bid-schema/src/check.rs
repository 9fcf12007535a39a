//! AST -> [`Model`]: judges what the file means (names, types, ownership, the memory model),
//! collecting every error of the file before giving up, as cxx's `Errors` does.

mod checker;
mod interface;
mod limits;
mod ownership;
mod records;
mod scope;
mod types;

use checker::Checker;
use scope::Names;

use crate::diag::{Code, Diagnostic, Report};
use crate::model::Model;
use crate::parse::{self, Parser};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Parse and check BID YAML text. `name` is shown in diagnostics and generated preambles.
pub fn check_source(name: &str, text: &str) -> Result<Model, Report> {
    let report = |diagnostics| Report {
        name: name.to_owned(),
        // A refused oversized file has no snippet to show; do not copy it.
        text: if text.len() > parse::MAX_FILE_BYTES {
            String::new()
        } else {
            text.to_owned()
        },
        diagnostics,
    };
    let root = parse::load(text).map_err(|d| report(vec![*d]))?;
    let mut parser = Parser::new(text);
    let file = parser.file(&root);
    // Counted before any check: past a limit, checking the rest would be the cost it bounds.
    limits::check(&file).map_err(|d| report(vec![*d]))?;
    let mut cx = Checker {
        text,
        diags: parser.diags,
        symbols: Names::default(),
        interfaces: Names::default(),
        rust_types: Names::default(),
        type_ids: HashMap::new(),
        prefix_ok: true,
    };
    let model = cx.file(&file, name, text);
    if cx.diags.is_empty() {
        Ok(model)
    } else {
        // Report in source order, as a reader scans the file; ties keep the order found.
        cx.diags.sort_by_key(|d| d.span.map(|s| s.start));
        Err(report(cx.diags))
    }
}

/// Read, parse and check a BID file, naming it by its path.
pub fn check_file(path: &Path) -> Result<Model, Report> {
    check_file_as(path, &path.to_string_lossy().replace('\\', "/"))
}

/// Read, parse and check a BID file, naming it `name` in diagnostics and generated
/// preambles (bid-build passes the path as the user wrote it, not as resolved on disk).
///
/// At most [`parse::MAX_FILE_BYTES`] are read, whatever the file is: a device that never
/// ends or a huge file is refused without reading it all, and a FIFO with no writer is
/// refused without blocking.
pub fn check_file_as(path: &Path, name: &str) -> Result<Model, Report> {
    let fail = |d: Diagnostic| Report {
        name: name.to_owned(),
        text: String::new(),
        diagnostics: vec![d],
    };
    let read_error = |e: std::io::Error| {
        fail(Diagnostic::error(
            Code::IoRead,
            format!("cannot read `{name}`: {e}"),
        ))
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() {
        return Err(fail(Diagnostic::error(
            Code::IoRead,
            format!("cannot read `{name}`: not a regular file"),
        )));
    }
    let limit = parse::MAX_FILE_BYTES as u64;
    let too_big = |len: u64| {
        fail(Diagnostic::error(
            Code::YamlLimit,
            format!("the file is {len} bytes; BID files are limited to {limit} bytes"),
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    // The file may grow between the check and the read: read one byte past the limit.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(Diagnostic::error(
            Code::YamlSyntax,
            format!(
                "the file is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    check_source(name, &text)
}
