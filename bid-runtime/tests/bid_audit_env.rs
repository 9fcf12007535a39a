//! `BID_AUDIT=path.jsonl` at load: its own test binary, since it sets the environment.

mod common;

use bid_runtime::LoadError;
use common::{Plug, plugin, trace_path, validated_lines};

#[test]
fn bid_audit_traces_from_load_to_unload_and_an_unwritable_path_fails_the_load() {
    let path = trace_path("env");
    // SAFETY: the only test of this binary; no other thread reads the environment.
    unsafe { std::env::set_var("BID_AUDIT", &path) };
    {
        // SAFETY: the test plugin matches the test interface.
        let p = unsafe { Plug::load(plugin()) }.expect("loads with BID_AUDIT");
        assert!(p.audit().trace_path().is_some());
        assert_eq!(p.add(20, 22).unwrap(), 42);
        let _ = p.check(-3);
    }
    let lines = validated_lines(&path);
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["ffi.load", "ffi.call", "ffi.call", "ffi.unload"]);
    assert_eq!(lines[0]["bridge"]["status"], "ok");
    assert_eq!(lines[0]["signature"], "matched");
    assert_eq!(lines[2]["error"]["code"], "ffi.status");
    assert_eq!(lines[3]["summary"]["failed"], 1);
    assert_eq!(lines[3]["audit_pass_rate"], 0.5);

    // A plugin without a signature loads, and its load line says nothing was checked.
    let unsigned = trace_path("env-unsigned");
    // SAFETY: as above.
    unsafe { std::env::set_var("BID_AUDIT", &unsigned) };
    // SAFETY: as above.
    drop(unsafe { Plug::load(common::build("nosig", "", &[])) }.expect("loads unsigned"));
    assert_eq!(validated_lines(&unsigned)[0]["signature"], "absent");

    // SAFETY: as above.
    unsafe { std::env::set_var("BID_AUDIT", "/nonexistent/dir/audit.jsonl") };
    // SAFETY: as above.
    let e = match unsafe { Plug::load(plugin()) } {
        Ok(_) => panic!("an unwritable BID_AUDIT must fail the load"),
        Err(e) => e,
    };
    assert!(matches!(e, LoadError::Trace { .. }), "{e:?}");
    assert!(
        e.to_string().contains("/nonexistent/dir/audit.jsonl"),
        "{e}"
    );
    assert!(std::error::Error::source(&e).is_some());
    // SAFETY: as above.
    unsafe { std::env::remove_var("BID_AUDIT") };
}
