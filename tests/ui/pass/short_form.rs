//! `fixtures/valid/short_form.bid.yaml` compiles through the macro.

#[bid_macros::bid_interface("../fixtures/valid/short_form.bid.yaml")]
pub mod bindings {}

fn main() {}
