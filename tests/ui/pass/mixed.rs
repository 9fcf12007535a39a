//! `fixtures/valid/mixed.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/mixed.bid.yaml")]
pub mod bindings {}

fn main() {}
