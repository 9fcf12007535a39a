//! `fixtures/valid/nyash_file.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/nyash_file.bid.yaml")]
pub mod bindings {}

fn main() {}
