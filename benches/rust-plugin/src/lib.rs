//! bench.bid.yaml as a Rust plugin: every method through the glue `#[bid_plugin]`
//! generates, and the same bodies hand-written as `extern "C"` functions (`hand_*`), so the
//! call bench measures what the glue adds to a call.

use std::sync::atomic::{AtomicI32, Ordering::Relaxed};

/// The glue generated from the bench's BID file.
#[bid_macros::bid_plugin("../call/bench.bid.yaml")]
pub mod calls {}

/// The plugin: the same arithmetic as bench.c.
#[derive(Default)]
pub struct Bench;

/// A counter handle's value.
#[derive(Default)]
pub struct Counter(AtomicI32);

impl calls::CallsPlugin for Bench {
    type Counter = Counter;

    fn add(&self, a: i32, b: i32) -> i32 {
        a.wrapping_add(b)
    }

    fn len(&self, s: &str) -> i32 {
        i32::try_from(s.len()).unwrap_or(i32::MAX)
    }

    fn new_counter(&self) -> Counter {
        Counter::default()
    }

    fn bump(&self, c: &Counter) -> i32 {
        c.0.fetch_add(1, Relaxed) + 1
    }

    fn drop_counter(&self, _c: Counter) {}
}

calls::export!(Bench);

/// `add` written by hand: what a plugin author would export without bid.
#[unsafe(no_mangle)]
pub extern "C" fn hand_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// `len` written by hand, trusting the host as hand-written code does: no length or UTF-8
/// check, which the glue makes.
///
/// # Safety
/// `ptr` points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hand_len(ptr: *const u8, len: i32) -> i32 {
    let _ = ptr;
    len
}
