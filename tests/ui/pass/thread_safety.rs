//! A box is `Send + Sync` unless its interface says `thread_safe: false`, which leaves it
//! `Send` only; handles (pointer ones too) and records cross threads freely.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}

fn main() {
    send_sync::<all::AllTypes>();
    send_sync::<all::Obj>();
    send_sync::<all::Wide>();
    send_sync::<all::Ptr>();
    send_sync::<all::Tagged>();
    send::<all::Local>();
}
