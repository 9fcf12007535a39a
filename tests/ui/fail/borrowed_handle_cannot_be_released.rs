//! A handle the plugin keeps (returned `ownership: borrowed`) cannot be released by the host.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn flow(b: &all::AllTypes) -> Result<(), bid_runtime::CallError> {
    let lent = b.peek_obj()?;
    b.drop(lent)
}

fn main() {}
