//! With the `tracing` feature, the audit events also reach a `tracing` subscriber.
#![cfg(feature = "tracing")]

mod common;

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Collects `(level, event field)` of every `bid::audit` event.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<(tracing::Level, String, String)>>>);

struct Fields {
    event: String,
    status: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "event" => self.event = value.to_owned(),
            "status" => self.status = value.to_owned(),
            _ => {}
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for Collect {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "bid::audit"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut f = Fields {
            event: String::new(),
            status: String::new(),
        };
        event.record(&mut f);
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), f.event, f.status));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn audit_events_reach_a_tracing_subscriber() {
    let collect = Collect::default();
    tracing::subscriber::with_default(collect.clone(), || {
        // SAFETY: the test plugin matches the test interface.
        let p = unsafe { common::Plug::load(common::plugin()) }.expect("loads");
        p.add(1, 2).unwrap();
        let _ = p.bad_bool();
        let plain = p.open(0).unwrap().into_raw();
        // SAFETY: `plain` is the live handle `open` returned; released, the ledger refuses it.
        p.close(unsafe { common::plug::FileHandle::from_raw(&p, plain) })
            .unwrap();
        // SAFETY: as above.
        let _ = p.close(unsafe { common::plug::FileHandle::from_raw(&p, plain) });
    });
    let seen = collect.0.lock().unwrap().clone();
    let events: Vec<(&str, &str)> = seen
        .iter()
        .map(|(_, e, s)| (e.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("ffi.load", "ok"),
            ("ffi.call", "ok"),
            ("ffi.call", "error"),
            ("ffi.call", "ok"),
            ("ffi.call", "ok"),
            ("ffi.double_release", "double_release"),
            ("ffi.call", "double_release"),
            ("ffi.unload", "double_release"),
        ]
    );
    assert_eq!(seen[2].0, tracing::Level::WARN);
    assert_eq!(seen[1].0, tracing::Level::TRACE);
}
