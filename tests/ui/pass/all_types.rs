//! `fixtures/valid/all_types.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod bindings {}

fn main() {}
