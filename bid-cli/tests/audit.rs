//! `bid audit` as a CI gate, run as a user runs it: on traces whose lines have the shape
//! bid-runtime writes (`bid-runtime/schema/trace-line.schema.json`), with leaks, a double
//! release, or neither.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bid"))
        .args(args)
        .output()
        .expect("run bid")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// How a FileBox method crosses the boundary, as the filebox demo's trace records it.
fn bridge(method: Option<&str>, status: &str) -> Value {
    let none = json!({"ownership": "none", "status": "value", "wrap": "none",
        "release_handler": "none", "rc_adjustment": "none"});
    let (ownership, ret) = match method {
        None => ("none", none),
        Some("open") => (
            "borrowed",
            json!({"ownership": "transferred", "status": "wrap_and_release", "wrap": "handle",
                "release_handler": "close", "rc_adjustment": "none"}),
        ),
        Some("read") => (
            "borrowed",
            json!({"ownership": "transferred", "status": "wrap_and_release", "wrap": "bytes",
                "release_handler": "nyash_file_bid_free", "rc_adjustment": "none"}),
        ),
        Some("close") => ("transferred", none),
        Some(other) => panic!("no method {other} in this test"),
    };
    json!({
        "status": status,
        "target": "x86_64-unknown-linux-gnu",
        "arch": "x86_64",
        "platform": "linux-x86_64",
        "abi": "system_v",
        "callconv": "C",
        "ownership": ownership,
        "extern_symbol": method.map(|m| format!("nyash_file_{m}")),
        "library": "/plugins/libfilebox.so",
        "return": ret,
    })
}

/// One trace line; `extra` holds the event's own fields (`leak`, `handle`, `summary`, `error`).
fn line(event: &str, method: Option<&str>, status: &str, extra: Value) -> String {
    let mut v = json!({
        "timestamp": "2026-11-21T19:17:00.579780558Z",
        "category": "ffi.bridge",
        "event": event,
        "interface": "nyash.file",
        "method": method,
        "effect": if method.is_some() { json!("io") } else { Value::Null },
        "latency_ns": if event == "ffi.call" { 3000 } else { 0 },
        "bridge": bridge(method, status),
        "audit_pass_rate": 1.0,
    });
    if let (Value::Object(line), Value::Object(extra)) = (&mut v, extra) {
        line.extend(extra);
    }
    v.to_string()
}

fn call(method: &str) -> String {
    line("ffi.call", Some(method), "ok", json!({}))
}

fn unload(status: &str, leaks: u64, double_releases: u64, total: u64, failed: u64) -> String {
    line(
        "ffi.unload",
        None,
        status,
        json!({"summary": {
            "total": total, "ok": total - failed, "failed": failed, "borrowed_results": 0,
            "transferred_results": 3, "null_results": 0, "leaks": leaks,
            "double_releases": double_releases, "live_handles": 0, "live_buffers": 0,
            "trace_errors": 0,
        }}),
    )
}

fn load() -> String {
    line("ffi.load", None, "ok", json!({}))
}

/// Every call ok; one FileHandle from `open` and two buffers from `read` still live at unload.
fn leaky() -> Vec<String> {
    vec![
        load(),
        call("open"),
        call("read"),
        call("read"),
        call("open"),
        call("close"),
        line(
            "ffi.leak",
            Some("open"),
            "leak",
            json!({"leak": {"kind": "handle", "type": "FileHandle", "raw": 7, "count": 1}}),
        ),
        line(
            "ffi.leak",
            Some("read"),
            "leak",
            json!({"leak": {"kind": "buffer", "count": 2}}),
        ),
        unload("leak", 3, 0, 5, 0),
    ]
}

/// A handle closed twice: the second close is refused, and that call fails.
fn double_release() -> Vec<String> {
    vec![
        load(),
        call("open"),
        call("close"),
        line(
            "ffi.double_release",
            Some("close"),
            "double_release",
            json!({"handle": {"type": "FileHandle", "raw": 3, "released_by": "close"}}),
        ),
        line(
            "ffi.call",
            Some("close"),
            "double_release",
            json!({"error": {"code": "ffi.double_release", "message":
                "handle FileHandle(3) was already released by `close`; a second release was refused before reaching the plugin"}}),
        ),
        unload("double_release", 0, 1, 3, 1),
    ]
}

fn clean() -> Vec<String> {
    vec![
        load(),
        call("open"),
        call("read"),
        call("close"),
        unload("ok", 0, 0, 3, 0),
    ]
}

/// Writes the trace where the test can find it afterwards.
fn trace(name: &str, lines: &[String]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit-traces");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn audit(trace: &Path, args: &[&str]) -> Output {
    let mut all = vec!["audit", trace.to_str().unwrap()];
    all.extend(args);
    bid(&all)
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stdout)))
}

#[test]
fn a_leak_fails_the_pass_rate_gate_and_names_what_leaked() {
    let t = trace("leak", &leaky());
    let o = audit(&t, &["--require-pass-rate", "1.0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: 3 leaks (--allow-leaks to accept):\n"),
        "{err}"
    );
    assert!(
        err.contains("\n  1 FileHandle handle from nyash.file.open\n"),
        "{err}"
    );
    assert!(
        err.contains("\n  2 buffers from nyash.file.read\n"),
        "{err}"
    );
    assert!(!err.contains("pass rate"), "every call passed: {err}");
    let out = text(&o.stdout);
    assert!(out.ends_with("gate: failed\n"), "{out}");
    assert!(
        out.contains("leaked: 1 FileHandle handle from nyash.file.open\n"),
        "{out}"
    );

    let o = audit(&t, &["--require-pass-rate", "1.0", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let j = json_of(&o);
    assert_eq!(j["passed"], false);
    assert_eq!(j["leaks"], 3);
    assert_eq!(j["pass_rate"], 1.0);
    assert_eq!(j["leaked"][0]["type"], "FileHandle");
    assert_eq!(j["leaked"][0]["method"], "open");
    assert_eq!(j["failures"].as_array().unwrap().len(), 1);
}

#[test]
fn allow_leaks_gates_on_the_pass_rate_alone() {
    let t = trace("leak-allowed", &leaky());
    let o = audit(
        &t,
        &[
            "--require-pass-rate",
            "1.0",
            "--allow-leaks",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
    let j = json_of(&o);
    assert_eq!(j["passed"], true);
    assert_eq!(j["leaks"], 3, "still reported");
    assert_eq!(j["gate"]["leaks_allowed"], true);

    let t = trace("double-release-allowed", &double_release());
    let o = audit(&t, &["--require-pass-rate", "0.5", "--allow-leaks"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = audit(&t, &["--require-pass-rate", "1.0", "--allow-leaks"]);
    assert_eq!(o.status.code(), Some(1), "the failed close still counts");
    assert!(
        text(&o.stderr).starts_with("error: pass rate 0.6667 is below the required 1.0000"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_double_release_fails_the_gate() {
    let t = trace("double-release", &double_release());
    let o = audit(&t, &["--require-pass-rate", "0.5"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: 1 double release (--allow-leaks to accept):\n"),
        "{err}"
    );
    assert!(
        err.contains(
            "\n  1 FileHandle handle released again by nyash.file.close, already released by close\n"
        ),
        "{err}"
    );
    let j = json_of(&audit(
        &t,
        &["--require-pass-rate", "0.5", "--format", "json"],
    ));
    assert_eq!(j["passed"], false);
    assert_eq!(j["double_releases"], 1);
    assert_eq!(j["double_released"][0]["released_by"], "close");
}

#[test]
fn deny_leaks_is_a_gate_without_a_pass_rate() {
    let o = audit(&trace("deny-leak", &leaky()), &["--deny-leaks"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    // No --allow-leaks hint: it does not go with --deny-leaks.
    assert!(err.starts_with("error: 3 leaks:\n"), "{err}");
    assert!(
        err.contains("1 FileHandle handle from nyash.file.open"),
        "{err}"
    );
    // The failed close does not matter here, the double release does.
    let o = audit(&trace("deny-double", &double_release()), &["--deny-leaks"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "error: 1 double release:\n  1 FileHandle handle released again by nyash.file.close, \
         already released by close\n"
    );
}

#[test]
fn the_unload_summary_counts_even_without_leak_lines() {
    // A trace whose ffi.leak lines were lost (a write error, say): the summary still tells.
    let lines: Vec<String> = leaky()
        .into_iter()
        .filter(|l| !l.contains("\"ffi.leak\""))
        .collect();
    let o = audit(
        &trace("summary-only", &lines),
        &["--require-pass-rate", "1.0"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("3 counted by the ffi.unload summaries without ffi.leak lines"),
        "{err}"
    );
}

#[test]
fn a_clean_trace_passes_every_gate() {
    let t = trace("clean", &clean());
    for args in [
        &["--require-pass-rate", "1.0"][..],
        &["--deny-leaks"],
        &["--require-pass-rate", "1.0", "--allow-leaks"],
    ] {
        let o = audit(&t, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        assert!(o.stderr.is_empty(), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stdout).ends_with("gate: passed\n"));
    }
    let j = json_of(&audit(
        &t,
        &["--require-pass-rate", "1.0", "--format", "json"],
    ));
    assert_eq!(j["passed"], true);
    assert_eq!(j["failures"], json!([]));
}

#[test]
fn without_a_gate_a_leaky_trace_is_only_summarised() {
    let o = audit(&trace("no-gate", &leaky()), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let j = json_of(&o);
    assert_eq!(j["passed"], true, "nothing was checked");
    assert_eq!(j["gate"], Value::Null);
    assert_eq!(j["leaks"], 3);
}

#[test]
fn allow_leaks_needs_a_pass_rate_and_contradicts_deny_leaks() {
    let t = trace("usage", &clean());
    let o = audit(&t, &["--allow-leaks"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("--require-pass-rate"));
    let o = audit(
        &t,
        &[
            "--require-pass-rate",
            "1.0",
            "--allow-leaks",
            "--deny-leaks",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}
