//! The quick start's key-value plugin in Rust: the same `demo.kv` interface as
//! `examples/kv/plugin/kv.c`, implemented as the trait bid generates from kv.bid.yaml.

use bid_plugin::Status;
use std::collections::HashMap;
use std::sync::Mutex;

/// The glue generated from kv.bid.yaml: `KvPlugin`, and `export!`.
mod kv {
    bid_plugin::include_plugin!("kv");
}

/// The store. Calls come one at a time (kv.bid.yaml does not say `thread_safe: true`), but
/// trait methods take `&self`, so the map sits behind a lock of its own.
#[derive(Default)]
pub struct Kv {
    table: Mutex<HashMap<String, i64>>,
}

impl kv::KvPlugin for Kv {
    fn put(&self, key: &str, value: i64) {
        self.table.lock().unwrap().insert(key.to_owned(), value);
    }

    fn get(&self, key: &str) -> Result<i64, Status> {
        self.table
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .ok_or(Status::NotFound)
    }
}

// Every C symbol of the header: demo_kv_put, demo_kv_get and demo_kv_bid_signature.
kv::export!(Kv);
