//! An owned handle is not `Clone`: a second owner of one plugin object cannot be made.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn flow(b: &all::AllTypes) -> Result<(), bid_runtime::CallError> {
    let obj = b.new_obj(1)?;
    let twin = obj.clone();
    b.drop(obj)?;
    b.drop(twin)
}

fn main() {}
