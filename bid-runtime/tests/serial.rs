//! Without `thread_safe: true`, calls into one library never overlap, even from two boxes on
//! two threads; with it, they may.

mod common;

use common::plug::Serial;
use common::{Plug, plugin};

/// Both threads call `meet` at once: each call waits (up to a second) for the other to be
/// inside the plugin too.
fn both_meet(a: impl FnOnce() -> i32 + Send, b: impl FnOnce() -> i32 + Send) -> (i32, i32) {
    // The plugin counts callers inside it in one global: one test at a time.
    static ONE_TEST: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_TEST.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = s.spawn(b);
        (a.join().unwrap(), b.join().unwrap())
    })
}

#[test]
fn two_boxes_of_an_interface_not_thread_safe_take_turns() {
    // SAFETY (both): the test plugin implements the test interfaces.
    let first = unsafe { Serial::load(plugin()) }.expect("loads");
    let second = unsafe { Serial::load(plugin()) }.expect("loads");
    // A box that is not `Sync` is still `Send`: each thread owns one.
    let met = both_meet(
        move || first.meet(1).unwrap(),
        move || second.meet(1).unwrap(),
    );
    assert_eq!(
        met,
        (0, 0),
        "the second call waited for the first to return"
    );
}

#[test]
fn a_thread_safe_interface_is_called_concurrently() {
    // SAFETY: as above.
    let plug = unsafe { Plug::load(plugin()) }.expect("loads");
    let met = both_meet(|| plug.meet(2).unwrap(), || plug.meet(2).unwrap());
    assert_eq!(met, (1, 1), "both calls were inside the plugin at once");
}
