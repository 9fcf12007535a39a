//! A box is `Send + Sync` when its interface says `thread_safe: true`; without it the box is
//! `Send` only. Handles of a `Sync` box (pointer ones too) and records cross threads freely.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}

fn main() {
    send_sync::<all::AllTypes>();
    send_sync::<all::Obj<'static>>();
    send_sync::<all::Wide<'static>>();
    send_sync::<all::Ptr<'static>>();
    send_sync::<all::Tagged>();
    send::<all::Local>();
}
