//! The JSON-lines trace: every event's shape, leaks at drop, shared writers, write errors.

mod common;

use common::plug::FileHandle;
use common::{Plug, plugin, trace_path, validated_lines};
use serde_json::Value;

fn load() -> Plug {
    // SAFETY: the test plugin matches the test interface.
    unsafe { Plug::load(plugin()) }.expect("the test plugin loads")
}

fn events(lines: &[Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l["event"].as_str().unwrap_or("?"))
        .collect()
}

#[test]
fn calls_leaks_and_double_releases_are_traced_and_valid() {
    let path = trace_path("events");
    let lib_path;
    let leaked;
    {
        let p = load();
        lib_path = common::plug::library(&p).path().to_path_buf();
        p.audit().trace_to(&path).expect("trace file");
        assert_eq!(
            p.audit().trace_path().as_deref(),
            Some(std::fs::canonicalize(&path).unwrap().as_path())
        );
        let g = p.greet("a\"b").unwrap();
        drop(g);
        let _ = p.bad_bool();
        let plain = p.open(1).unwrap().into_raw();
        // SAFETY (each `from_raw`): `plain` is the handle `open` returned to this box; once
        // released, the ledger refuses it before the plugin sees it.
        p.close(unsafe { FileHandle::from_raw(&p, plain) }).unwrap();
        let _ = p.close(unsafe { FileHandle::from_raw(&p, plain) });
        let stale = unsafe { FileHandle::from_raw(&p, plain) };
        let _ = p.read(&stale);
        let _ = stale.into_raw();
        leaked = p.open(2).unwrap().into_raw();
        std::mem::forget(p.echo_bytes(b"kept").unwrap());
        let s = p.audit().snapshot();
        assert_eq!(s.live_handles, 1);
        assert_eq!(s.live_buffers, 1);
    }
    let lines = validated_lines(&path);
    // The clock started before the foreign call and stopped after it.
    assert!(
        lines
            .iter()
            .filter(|l| l["event"] == "ffi.call")
            .all(|l| l["latency_ns"].as_u64().is_some_and(|n| n > 0)),
        "every traced call has a latency"
    );
    assert_eq!(
        events(&lines),
        [
            "ffi.call",
            "ffi.call",
            "ffi.call",
            "ffi.call",
            "ffi.double_release",
            "ffi.call",
            "ffi.call",
            "ffi.call",
            "ffi.call",
            "ffi.leak",
            "ffi.leak",
            "ffi.unload"
        ]
    );
    let greet = &lines[0];
    assert_eq!(greet["category"], "ffi.bridge");
    assert_eq!(greet["interface"], "test.plug");
    assert_eq!(greet["method"], "greet");
    assert_eq!(greet["effect"], "pure");
    let b = &greet["bridge"];
    assert_eq!(b["status"], "ok");
    assert_eq!(b["ownership"], "borrowed");
    assert_eq!(b["extern_symbol"], "plug_greet");
    assert_eq!(b["library"], lib_path.to_str().unwrap());
    assert_eq!(b["callconv"], "C");
    assert_eq!(b["target"], bid_runtime::host().target);
    assert_eq!(b["return"]["ownership"], "transferred");
    assert_eq!(b["return"]["status"], "wrap_and_release");
    assert_eq!(b["return"]["wrap"], "string");
    assert_eq!(b["return"]["release_handler"], "plug_bid_free");
    assert_eq!(greet["audit_pass_rate"], 1.0);

    let bad = &lines[1];
    assert_eq!(bad["bridge"]["status"], "error");
    assert_eq!(bad["error"]["code"], "ffi.result.invalid_bool");
    assert_eq!(bad["audit_pass_rate"], 0.5);

    let open = &lines[2];
    assert_eq!(open["bridge"]["return"]["release_handler"], "close");
    assert_eq!(open["bridge"]["return"]["wrap"], "handle");
    assert_eq!(
        lines[3]["bridge"]["ownership"], "transferred",
        "close consumes its handle"
    );

    let dr = &lines[4];
    assert_eq!(dr["bridge"]["status"], "double_release");
    assert_eq!(dr["method"], "close");
    assert_eq!(dr["handle"]["type"], "FileHandle");
    assert_eq!(dr["handle"]["released_by"], "close");
    assert_eq!(lines[5]["bridge"]["status"], "double_release");
    assert_eq!(
        lines[6]["bridge"]["status"], "ownership_mismatch",
        "use after release"
    );

    let leak_handle = &lines[9];
    assert_eq!(leak_handle["bridge"]["status"], "leak");
    assert_eq!(leak_handle["method"], Value::Null);
    assert_eq!(leak_handle["leak"]["kind"], "handle");
    assert_eq!(leak_handle["leak"]["type"], "FileHandle");
    assert_eq!(leak_handle["leak"]["raw"], leaked, "a plain value is named");
    let leak_buf = &lines[10];
    assert_eq!(leak_buf["method"], "echo_bytes");
    assert_eq!(leak_buf["leak"]["kind"], "buffer");
    assert_eq!(leak_buf["leak"]["count"], 1);

    let unload = &lines[11];
    assert_eq!(unload["method"], Value::Null);
    assert_eq!(unload["bridge"]["status"], "leak");
    let s = &unload["summary"];
    assert_eq!(s["total"], 8);
    assert_eq!(s["failed"], 3);
    assert_eq!(s["leaks"], 2);
    assert_eq!(s["double_releases"], 1);
}

#[test]
fn an_unwritable_trace_is_an_error_and_write_errors_are_counted() {
    let p = load();
    let e = p
        .audit()
        .trace_to("/nonexistent/dir/trace.jsonl")
        .unwrap_err();
    assert!(
        e.to_string().contains("/nonexistent/dir/trace.jsonl"),
        "{e}"
    );
    assert_eq!(p.audit().trace_path(), None);
    if std::path::Path::new("/dev/full").exists() {
        p.audit().trace_to("/dev/full").expect("/dev/full opens");
        for _ in 0..10 {
            p.add(1, 1).unwrap();
        }
        assert!(p.audit().flush_trace().is_err());
        assert!(p.audit().snapshot().trace_errors >= 1);
        p.audit().trace_off();
        assert_eq!(p.audit().trace_path(), None);
    }
    assert_eq!(p.add(2, 2).unwrap(), 4, "calls go on");
}

#[test]
fn boxes_tracing_to_one_file_share_its_writer() {
    let path = trace_path("shared");
    {
        let a = load();
        let b = load();
        a.audit().trace_to(&path).unwrap();
        b.audit().trace_to(&path).unwrap();
        std::thread::scope(|s| {
            for p in [&a, &b] {
                s.spawn(move || {
                    for i in 0..2_000 {
                        p.add(i, 1).unwrap();
                    }
                });
            }
        });
        a.audit().trace_off();
        for i in 0..10 {
            a.add(i, i).unwrap();
        }
    }
    let lines = validated_lines(&path);
    let calls = lines.iter().filter(|l| l["event"] == "ffi.call").count();
    assert_eq!(calls, 4_000, "a's calls after trace_off are not traced");
    assert_eq!(
        lines.iter().filter(|l| l["event"] == "ffi.unload").count(),
        1,
        "only b still traced"
    );
}

#[test]
fn the_schema_rejects_lines_that_break_the_shape() {
    let schema: Value = serde_json::from_str(bid_runtime::TRACE_SCHEMA).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let path = trace_path("reject");
    {
        let p = load();
        p.audit().trace_to(&path).unwrap();
        p.add(1, 2).unwrap();
    }
    let good: Value = validated_lines(&path).remove(0);
    assert!(v.is_valid(&good));
    let mut bad = good.clone();
    bad["bridge"]["status"] = "fine".into();
    assert!(!v.is_valid(&bad), "unknown status");
    let mut bad = good.clone();
    bad["timestamp"] = "2026-11-21 18:00:00".into();
    assert!(!v.is_valid(&bad), "not RFC 3339 UTC");
    let mut bad = good.clone();
    bad["bridge"].as_object_mut().unwrap().remove("library");
    assert!(!v.is_valid(&bad), "missing library");
    let mut bad = good;
    bad["event"] = "ffi.leak".into();
    assert!(
        !v.is_valid(&bad),
        "a leak line needs its leak object and status"
    );
}
