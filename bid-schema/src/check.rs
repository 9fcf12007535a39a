//! AST -> Model. (Owner: front-end helper.)

use crate::{Model, Report};
use std::path::Path;

/// Parse and check BID YAML text. `name` is shown in diagnostics.
#[allow(unused_variables, reason = "skeleton")]
pub fn check_source(name: &str, text: &str) -> Result<Model, Report> {
    todo!()
}

/// Read, parse and check a BID file.
#[allow(unused_variables, reason = "skeleton")]
pub fn check_file(path: &Path) -> Result<Model, Report> {
    todo!()
}
