//! The BID language: parse a BID YAML file, check it into a [`Model`], compute FFI ABI v0
//! layouts per target, and emit Rust host glue and C headers.
//!
//! Phases run in this order everywhere (CLI, build.rs, proc-macro):
//! `parse` (YAML -> spanned AST) -> `check` (AST -> immutable [`Model`], every error
//! collected) -> [`layout`] (Model + [`layout::Target`] -> sizes and offsets) ->
//! [`emit`] (`rust` tokens, `c` header text). Emitters cannot fail.
//!
//! ```
//! use bid_schema::layout::{Layouts, Target};
//!
//! let yaml = "
//! version: 0
//! interfaces:
//!   - name: geo.shapes
//!     types:
//!       - { name: Point, type: record, fields: [ { f64: x }, { f64: y } ] }
//!     methods:
//!       - { name: norm, params: [ { Point: p } ], returns: f64, effect: pure }
//! ";
//! let model = bid_schema::check_source("geo.bid.yaml", yaml).expect("a valid file");
//! let shapes = &model.interfaces()[0];
//! assert_eq!(shapes.methods()[0].name(), "norm");
//!
//! // `Point` is 16 bytes, aligned to 8, on every target.
//! let layouts = Layouts::new(shapes, Target::Wasm32);
//! let (_, point) = layouts.records().next().unwrap();
//! assert_eq!((point.size, point.align), (16, 8));
//!
//! // The header a C plugin author implements.
//! let header = bid_schema::emit::c::header(&model);
//! assert!(header.contains("double geo_shapes_norm(geo_shapes_Point p);"));
//!
//! // A mistake is a diagnostic with the line, the column and a hint.
//! let report = bid_schema::check_source("bad.bid.yaml", &yaml.replace("f64: y", "float: y"))
//!     .unwrap_err();
//! assert!(report.render().contains("help: BID spells it `f32`"));
//! ```

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
