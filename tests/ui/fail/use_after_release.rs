//! An owned handle moved into its release method cannot be used again.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn flow(b: &all::AllTypes) -> Result<i32, bid_runtime::CallError> {
    let obj = b.new_obj(1)?;
    b.drop(obj)?;
    b.use_obj(&obj)
}

fn main() {}
