//! Without `thread_safe: true` the box is not `Sync`: sharing it between threads does not
//! compile.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn sync<T: Sync>() {}

fn main() {
    sync::<all::Local>();
}
