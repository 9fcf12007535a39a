//! The BID language: parse a BID YAML file, check it into a [`Model`], compute FFI ABI v0
//! layouts per target, and emit Rust host glue and C headers.
//!
//! Phases run in this order everywhere (CLI, build.rs, proc-macro):
//! `parse` (YAML -> spanned AST) -> `check` (AST -> immutable [`Model`], every error
//! collected) -> [`layout`] (Model + [`layout::Target`] -> sizes and offsets) ->
//! [`emit`] (`rust` tokens, `c` header text). Emitters cannot fail.

pub mod diag;
pub mod emit;
pub mod layout;
pub mod lower;
pub mod model;
pub mod names;
pub mod schema;
pub mod signature;
#[doc(hidden)]
pub mod testing;

mod ast;
mod check;
mod parse;

pub use check::{check_file, check_file_as, check_source};
pub use diag::{Code, Diagnostic, Report, Severity};
pub use model::Model;
