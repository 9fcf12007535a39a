//! `fixtures/valid/keywords.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/keywords.bid.yaml")]
pub mod bindings {}

fn main() {}
