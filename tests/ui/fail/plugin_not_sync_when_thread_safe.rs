//! `thread_safe: true` means the host calls from several threads at once: a plugin that is
//! not `Sync` does not compile. (Without it, the same plugin is fine: see
//! `ui/pass/plugin_in_a_nested_module.rs`.)

#[bid_macros::bid_plugin("ui/fail/plugin_thread_safe.bid.yaml")]
pub mod shared {}

#[derive(Default)]
struct Counting {
    calls: std::cell::Cell<i64>,
}

impl shared::SharedPlugin for Counting {
    fn hits(&self) -> i64 {
        self.calls.set(self.calls.get() + 1);
        self.calls.get()
    }
}

shared::export!(Counting);

fn main() {}
