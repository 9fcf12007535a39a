//! `fixtures/valid/filebox.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/filebox.bid.yaml")]
pub mod bindings {}

fn main() {}
