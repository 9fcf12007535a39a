//! `module =` must be a path `export!` can use.

#[bid_macros::bid_plugin("../fixtures/valid/filebox.bid.yaml", module = "crate::file-box")]
pub mod filebox {}

#[bid_macros::bid_interface("../fixtures/valid/filebox.bid.yaml", module = "crate::x")]
pub mod host {}

fn main() {}
