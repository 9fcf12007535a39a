//! An owned handle is not `Copy`: assigning it moves it, and the old name is gone.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn flow(b: &all::AllTypes) -> Result<i32, bid_runtime::CallError> {
    let obj = b.new_obj(1)?;
    let second = obj;
    let value = b.use_obj(&obj)?;
    b.drop(second)?;
    Ok(value)
}

fn main() {}
