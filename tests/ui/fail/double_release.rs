//! An owned handle cannot be released twice.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn flow(b: &all::AllTypes) -> Result<(), bid_runtime::CallError> {
    let obj = b.new_obj(1)?;
    b.drop(obj)?;
    b.drop(obj)
}

fn main() {}
