//! Summaries and gates of hand-made traces.

use super::*;

fn line(event: &str, method: Option<&str>, status: &str, extra: &str) -> String {
    let (m, sym) = match method {
        Some(m) => (format!("\"{m}\""), format!("\"nyash_file_{m}\"")),
        None => ("null".to_owned(), "null".to_owned()),
    };
    format!(
        "{{\"timestamp\":\"2026-01-01T00:00:00Z\",\"category\":\"ffi.bridge\",\"event\":\"{event}\",\"interface\":\"nyash.file\",\"method\":{m},\"effect\":\"io\",\"latency_ns\":5,\"bridge\":{{\"status\":\"{status}\",\"extern_symbol\":{sym}}},\"audit_pass_rate\":1.0{extra}}}"
    )
}

fn sample() -> String {
    [
        line("ffi.load", None, "ok", ""),
        line("ffi.call", Some("open"), "ok", ""),
        line("ffi.call", Some("open"), "ok", ""),
        line("ffi.call", Some("close"), "ok", ""),
        String::new(),
        line("ffi.double_release", Some("close"), "double_release", ""),
        line("ffi.call", Some("close"), "double_release", ""),
        line("ffi.call", Some("read"), "error", ""),
        line(
            "ffi.leak",
            Some("open"),
            "leak",
            ",\"leak\":{\"kind\":\"handle\",\"count\":1}",
        ),
        line(
            "ffi.leak",
            Some("read"),
            "leak",
            ",\"leak\":{\"kind\":\"buffer\",\"count\":3}",
        ),
        line("ffi.unload", None, "leak", ""),
    ]
    .join("\n")
}

#[test]
fn summarises_per_symbol() {
    let s = summarise(&sample()).expect("valid trace");
    assert_eq!((s.calls, s.ok, s.failed()), (5, 3, 2));
    assert_eq!(
        (s.leaks, s.double_releases, s.loads, s.unloads),
        (4, 1, 1, 1)
    );
    assert!((s.pass_rate() - 0.6).abs() < 1e-12);
    let names: Vec<&str> = s.symbols.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["nyash_file_close", "nyash_file_open", "nyash_file_read"]
    );
    let close = &s.symbols["nyash_file_close"];
    assert_eq!(
        (close.calls, close.failed, close.double_releases),
        (2, 1, 1)
    );
    assert_eq!(s.symbols["nyash_file_open"].leaks, 1);
    assert_eq!(s.symbols["nyash_file_read"].leaks, 3);
    assert_eq!(s.symbols["nyash_file_read"].method, "read");
    let rate = |r: f64| Gate {
        require_pass_rate: Some(r),
        allow_leaks: true,
        ..Gate::default()
    };
    assert_eq!(s.failures(&rate(1.0)).len(), 1);
    assert!(s.failures(&rate(0.6)).is_empty());
    assert!(s.failures(&Gate::default()).is_empty());

    let text = render_text(&s, &Gate::default());
    assert!(text.contains("nyash_file_close"), "{text}");
    assert!(
        text.contains("leaked: 3 buffers from nyash.file.read\n"),
        "{text}"
    );
    assert!(
        text.ends_with("total: 5 calls, 2 failed, 4 leaked, 1 double release; pass rate 0.6000\n"),
        "{text}"
    );
    let j = render_json(&s, &rate(1.0));
    assert_eq!(j["passed"], false);
    assert_eq!(j["symbols"][0]["symbol"], "nyash_file_close");
    assert_eq!(j["leaked"][1]["method"], "read");
    assert_eq!(j["leaked"][1]["count"], 3);
}

#[test]
fn every_gate_fails_on_leaks_and_double_releases_unless_allowed() {
    let s = summarise(&sample()).expect("valid trace");
    let gate = Gate {
        require_pass_rate: Some(0.5),
        ..Gate::default()
    };
    let failures = s.failures(&gate);
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(
        failures[0].starts_with("4 leaks (--allow-leaks to accept):\n"),
        "{failures:#?}"
    );
    assert!(
        failures[0].contains("\n  3 buffers from nyash.file.read"),
        "{failures:#?}"
    );
    assert!(failures[1].starts_with("1 double release"), "{failures:#?}");
    let deny = Gate {
        deny_leaks: true,
        ..Gate::default()
    };
    let denied = s.failures(&deny);
    assert_eq!(denied.len(), 2, "the pass rate is not checked: {denied:#?}");
    assert_eq!(
        denied[0],
        failures[0].replace(" (--allow-leaks to accept)", ""),
        "no hint at a flag --deny-leaks does not take"
    );
    let allow = Gate {
        allow_leaks: true,
        ..gate
    };
    assert!(s.failures(&allow).is_empty());
    assert!(render_text(&s, &gate).ends_with("gate: failed\n"));
    assert!(render_text(&s, &allow).ends_with("gate: passed\n"));
}

#[test]
fn unload_summaries_count_what_the_lines_missed() {
    let unload = line(
        "ffi.unload",
        None,
        "leak",
        ",\"summary\":{\"leaks\":2,\"double_releases\":1}",
    );
    let s = summarise(&unload).expect("valid trace");
    assert_eq!((s.leaks, s.unload_leaks, s.leak_count()), (0, 2, 2));
    assert_eq!(s.double_release_count(), 1);
    let gate = Gate {
        deny_leaks: true,
        ..Gate::default()
    };
    let failures = s.failures(&gate);
    assert!(
        failures[0].contains("2 counted by the ffi.unload summaries"),
        "{failures:#?}"
    );
}

#[test]
fn an_empty_trace_passes() {
    let s = summarise("").expect("empty");
    assert_eq!(s.pass_rate(), 1.0);
    let gate = Gate {
        require_pass_rate: Some(1.0),
        ..Gate::default()
    };
    assert!(s.failures(&gate).is_empty());
}

#[test]
fn a_malformed_line_is_named_by_number() {
    let text = format!("{}\n{{\"event\":", line("ffi.call", Some("open"), "ok", ""));
    let e = summarise(&text).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.to_string().starts_with("line 2: not JSON"), "{e}");
    let e = summarise("{\"event\":\"ffi.call\"}").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("bridge.status"), "{e}");
    let e = summarise(&line("ffi.bogus", Some("x"), "ok", "")).unwrap_err();
    assert!(e.message.contains("unknown event"), "{e}");
}

#[test]
fn run_exits_by_the_required_rate() {
    let dir = std::env::temp_dir().join(format!("bid-audit-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.jsonl");
    std::fs::write(&file, sample()).unwrap();
    let args = |r: Option<f64>| AuditArgs {
        file: file.clone(),
        require_pass_rate: r,
        deny_leaks: false,
        allow_leaks: true,
        format: Format::Json,
    };
    assert_eq!(run(&args(Some(0.5))), ExitCode::SUCCESS);
    assert_eq!(run(&args(Some(1.0))), ExitCode::from(1));
    assert_eq!(run(&args(Some(1.5))), ExitCode::from(2));
    let missing = AuditArgs {
        file: dir.join("missing.jsonl"),
        require_pass_rate: None,
        deny_leaks: false,
        allow_leaks: false,
        format: Format::Text,
    };
    assert_eq!(run(&missing), ExitCode::from(2));
    std::fs::write(&file, "not json\n").unwrap();
    assert_eq!(run(&args(None)), ExitCode::from(2));
    std::fs::remove_dir_all(&dir).ok();
}
