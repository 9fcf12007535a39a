//! Only `"path"` and `path = "path"` are accepted, and only on an inline module.

#[bid_macros::bid_interface(file = "../fixtures/valid/filebox.bid.yaml")]
pub mod files {}

#[bid_macros::bid_interface("../fixtures/valid/filebox.bid.yaml")]
fn not_a_module() {}

fn main() {}
