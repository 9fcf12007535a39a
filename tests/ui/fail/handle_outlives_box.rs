//! An owned handle borrows its box: the box cannot go while the handle is alive.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn keep(path: &str) -> Result<all::Obj<'static>, Box<dyn std::error::Error>> {
    // SAFETY: not run; only type-checked.
    let b = unsafe { all::AllTypes::load(path)? };
    Ok(b.new_obj(1)?)
}

fn main() {}
