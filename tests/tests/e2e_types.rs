//! End to end: every BID type in both directions through generated bindings, against a C
//! plugin compiled at test time, and every bad result a plugin can give turned into an error.

use bid_runtime::{CallError, CallErrorKind};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

#[bid_macros::bid_interface("e2e/types.bid.yaml")]
mod types {}

use types::{Mixed, Obj, Pair, Ptr, Types};

fn plugin() -> &'static PathBuf {
    static PLUGIN: OnceLock<PathBuf> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let dir = bid_tests::tests_dir();
        bid_tests::build_plugin(
            env!("CARGO_TARGET_TMPDIR").as_ref(),
            "e2e_types",
            &dir.join("e2e/types.bid.yaml"),
            &[&dir.join("plugins/types.c")],
        )
    })
}

/// Every test loads the same library, whose buffer counter is process-wide: tests that read
/// it run one at a time.
fn load() -> (MutexGuard<'static, ()>, Types) {
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: plugins/types.c is compiled against the header of e2e/types.bid.yaml.
    let t = unsafe { Types::load(plugin()) }.expect("the types plugin loads");
    (guard, t)
}

#[test]
fn scalars_cross_both_ways() {
    let (_serial, t) = load();
    assert!(t.echo_bool(true).unwrap());
    assert!(!t.echo_bool(false).unwrap());
    assert_eq!(t.echo_i32(i32::MIN).unwrap(), i32::MIN);
    assert_eq!(t.echo_i64(i64::MAX).unwrap(), i64::MAX);
    assert_eq!(t.echo_f32(1.5).unwrap(), 1.5);
    assert_eq!(t.echo_f64(-2.25e300).unwrap(), -2.25e300);
    t.nothing().unwrap();
    assert_eq!(t.audit().snapshot().ok, 7);
}

#[test]
fn strings_bytes_and_arrays_cross_both_ways() {
    let (_serial, t) = load();
    let s = t.concat("héllo, ", "wörld").unwrap();
    assert_eq!(&*s, "héllo, wörld");
    let r = t.reverse(&[1, 2, 3, 255]).unwrap();
    assert_eq!(&*r, &[255, 3, 2, 1]);
    assert_eq!(
        t.sum(&[1, 2, 3, i32::MAX]).unwrap(),
        6 + i64::from(i32::MAX)
    );
    let d = t.doubled(&[0.5, -1.0, 3.0]).unwrap();
    assert_eq!(&*d, &[1.0, -2.0, 6.0]);
    let pairs = [Pair { a: 1, b: 2.5 }, Pair { a: -7, b: 0.0 }];
    let back = t.echo_pairs(&pairs).unwrap();
    assert_eq!(&*back, &pairs);
    // Empty inputs cross as (ptr, 0) and come back as empty values.
    assert_eq!(&*t.concat("", "").unwrap(), "");
    assert_eq!(t.sum(&[]).unwrap(), 0);
    assert_eq!(&*t.empty_text().unwrap(), "");
    assert_eq!(t.live_buffers().unwrap(), 4, "four buffers are held");
    drop((s, r, d, back));
    assert_eq!(
        t.live_buffers().unwrap(),
        0,
        "each transferred buffer freed once"
    );
    let snap = t.audit().snapshot();
    assert_eq!(snap.live_buffers, 0);
    assert_eq!(snap.failed, 0);
}

#[test]
fn borrowed_results_are_copied_and_references_live_with_the_library() {
    let (_serial, t) = load();
    let first = t.greeting("ada").unwrap();
    // The plugin overwrites the same static buffer on the next call.
    let second = t.greeting("grace").unwrap();
    assert_eq!(first, "hello, ada");
    assert_eq!(second, "hello, grace");
    let v: &str = t.version_text().unwrap();
    let b: &[u8] = t.version_bytes().unwrap();
    assert_eq!(v, "types plugin 1.0");
    assert_eq!(b, &[1, 0, 0]);
    assert_eq!(
        t.live_buffers().unwrap(),
        0,
        "nothing borrowed was given to bid_free"
    );
    assert!(t.audit().snapshot().borrowed_results >= 2);
}

#[test]
fn records_cross_by_value() {
    let (_serial, t) = load();
    assert_eq!(
        t.swap(Pair { a: 3, b: 9.0 }).unwrap(),
        Pair { a: 9, b: 3.0 }
    );
    let obj = t.new_obj(41).unwrap();
    let m = Mixed {
        flag: true.into(),
        big: 1 << 40,
        small: 1.0,
        pair: Pair { a: 1, b: 2.0 },
        obj: obj.raw(),
    };
    let out = t.mix(m).unwrap();
    assert!(!bool::try_from(out.flag).unwrap());
    assert_eq!(out.big, 1 << 41);
    assert_eq!(out.small, 1.5);
    assert_eq!(out.pair, Pair { a: 2, b: -2.0 });
    assert_eq!(out.obj, obj.raw() + 1);
    t.free_obj(obj).unwrap();
}

#[test]
fn handles_of_every_repr() {
    let (_serial, t) = load();
    let o = t.new_obj(7).unwrap();
    assert_eq!(t.obj_value(&o).unwrap(), 7);
    assert_eq!(t.audit().snapshot().live_handles, 1);
    // A plain value escapes and comes back: still live, now checked by the ledger.
    let plain = o.into_raw();
    assert_eq!(t.audit().snapshot().live_handles, 1);
    // SAFETY: `plain` is the live Obj the plugin returned to this box.
    let o = unsafe { Obj::from_raw(&t, plain) };
    assert_eq!(t.obj_value(&o).unwrap(), 7);
    t.free_obj(o).unwrap();
    assert_eq!(t.audit().snapshot().live_handles, 0);
    let p = t.new_ptr().unwrap().into_raw();
    // SAFETY: as above.
    t.free_ptr(unsafe { Ptr::from_raw(&t, p) }).unwrap();
    // Use after release and double release of plain values never reach the plugin (it
    // would abort).
    // SAFETY: the ledger refuses the released value before the plugin sees it.
    let stale = unsafe { Obj::from_raw(&t, plain) };
    assert!(matches!(
        t.obj_value(&stale).map_err(CallError::into_kind),
        Err(CallErrorKind::UseAfterRelease { .. })
    ));
    assert!(matches!(
        t.free_obj(stale).map_err(CallError::into_kind),
        Err(CallErrorKind::DoubleRelease { .. })
    ));
    assert!(matches!(
        // SAFETY: as above.
        t.free_ptr(unsafe { Ptr::from_raw(&t, p) })
            .map_err(CallError::into_kind),
        Err(CallErrorKind::DoubleRelease { .. })
    ));
    let snap = t.audit().snapshot();
    assert_eq!(snap.double_releases, 2);
    assert_eq!(snap.failed, 3);
}

#[test]
fn fallible_methods_return_status_errors() {
    let (_serial, t) = load();
    assert_eq!(t.checked_div(7, 2).unwrap(), 3);
    match t.checked_div(1, 0).map_err(CallError::into_kind) {
        Err(CallErrorKind::Status { code, name, .. }) => {
            assert_eq!(code, -1);
            assert_eq!(name, "invalid_arg");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert_eq!(&*t.checked_text(false).unwrap(), "ok");
    let err = t.checked_text(true).unwrap_err();
    assert!(err.to_string().contains("checked_text"), "{err}");
    assert_eq!(t.live_buffers().unwrap(), 0);
}

#[test]
fn bad_results_are_errors_not_ub() {
    let (_serial, t) = load();
    let e = t.bad_bool().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::InvalidBool { value: 2, .. }),
        "{e:?}"
    );
    let e = t.bad_null().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::NullWithLength { len: 3, .. }),
        "{e:?}"
    );
    let e = t.bad_len().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::NegativeLength { len: -1, .. }),
        "{e:?}"
    );
    assert_eq!(
        t.live_buffers().unwrap(),
        0,
        "the buffer with a negative length went back to the plugin"
    );
    let e = t.bad_utf8().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::InvalidUtf8 { .. }),
        "{e:?}"
    );
    assert_eq!(
        t.live_buffers().unwrap(),
        0,
        "the invalid UTF-8 buffer was freed"
    );
    // Every message names the method and the symbol.
    assert!(e.to_string().contains("bad_utf8"), "{e}");
    let snap = t.audit().snapshot();
    assert_eq!(snap.failed, 4);
    assert!(t.audit().pass_rate() < 1.0);
}

#[test]
fn the_trace_names_how_records_cross_on_this_target() {
    let trace = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e_types_passing.jsonl");
    let _ = std::fs::remove_file(&trace);
    {
        let (_serial, t) = load();
        t.audit().trace_to(&trace).unwrap();
        t.swap(Pair { a: 1, b: 2.0 }).unwrap();
        t.echo_i32(1).unwrap();
    }
    let text = std::fs::read_to_string(&trace).unwrap();
    let line = |method: &str| {
        let needle = format!("\"method\":\"{method}\"");
        text.lines()
            .find(|l| l.contains(&needle))
            .unwrap_or_else(|| panic!("no {method} line in {text}"))
            .to_owned()
    };
    // Pair is {i32, f64}: one integer and one SSE eightbyte on System V x86_64.
    let expected = if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        "\"passing\":\"p: regs(int,sse); return: regs(int,sse)\""
    } else {
        "\"passing\":\"p: "
    };
    assert!(line("swap").contains(expected), "{}", line("swap"));
    assert!(
        !line("echo_i32").contains("\"passing\""),
        "no record, no class"
    );
}
