//! `fixtures/valid/records.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/records.bid.yaml")]
pub mod bindings {}

fn main() {}
