//! Calls through a C plugin: values both ways, every bad result, buffers, handles, leaks.

mod common;

use bid_runtime::CallErrorKind;
use common::plug::FileHandle;
use common::{Plug, plugin};
use std::sync::{Mutex, MutexGuard};

/// Every test loads the same library, whose buffer counter is process-wide: the tests run
/// one at a time so each sees only its own buffers.
fn load() -> (MutexGuard<'static, ()>, Plug) {
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the test plugin matches the test interface.
    let p = unsafe { Plug::load(plugin()) }.expect("the test plugin loads");
    (guard, p)
}

#[test]
fn values_cross_both_ways() {
    let (_serial, p) = load();
    assert_eq!(p.add(2, 40).unwrap(), 42);
    let g = p.greet("wörld").unwrap();
    assert_eq!(g, "hello, wörld");
    assert_eq!(g.len(), "hello, wörld".len());
    assert_eq!(format!("{g} {g:?}"), "hello, wörld \"hello, wörld\"");
    assert_eq!(p.echo_bytes(&[0, 1, 255]).unwrap(), [0u8, 1, 255]);
    assert_eq!(p.echo_bytes(&[]).unwrap().to_vec(), Vec::<u8>::new());
    assert_eq!(p.range(5).unwrap(), [0, 1, 2, 3, 4]);
    assert_eq!(p.empty().unwrap(), "");
    assert!(p.is_even(4).unwrap());
    assert!(!p.is_even(3).unwrap());
    assert_eq!(p.check(0).unwrap(), 42);
    assert_eq!(p.version().unwrap(), "plug 1.0");
    let s = p.audit().snapshot();
    assert_eq!((s.total, s.ok, s.failed), (10, 10, 0));
    assert_eq!(s.null_results, 1, "the empty string");
    assert_eq!(s.borrowed_results, 1, "the reference string");
    assert_eq!(
        s.transferred_results, 4,
        "greet, two echoes (the empty one allocated), range"
    );
    assert_eq!(s.live_buffers, 1, "`g` is still held");
    drop(g);
    assert_eq!(p.audit().snapshot().live_buffers, 0);
    assert_eq!(p.audit().pass_rate(), 1.0);
}

#[test]
fn every_bad_result_is_an_error_naming_the_call() {
    let (_serial, p) = load();
    let lib = common::plug::library(&p).path().display().to_string();

    let e = p.null_len().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::NullWithLength { len: 5, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("`null_len`") && text.contains("plug_null_len") && text.contains("test.plug"),
        "{text}"
    );
    // The path is in the load error and the audit; a call error names the call, and its
    // site still knows the library.
    assert!(!text.contains(&lib), "{text}");
    assert_eq!(e.site().library.display().to_string(), lib);
    // Debug is the message (what `main` returning the error prints); {:#?} is the kind.
    assert_eq!(format!("{e:?}"), text);
    assert!(format!("{e:#?}").starts_with("NullWithLength"), "{e:#?}");
    assert_eq!(e.code(), "ffi.result.null_with_length");

    let e = p.neg_len().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::NegativeLength { len: -1, .. }),
        "{e:?}"
    );
    assert_eq!(
        p.live_buffers().unwrap(),
        0,
        "the refused buffer went back to the plugin, as it was returned"
    );

    let e = p.bad_utf8().unwrap_err();
    match e.kind() {
        CallErrorKind::InvalidUtf8 { error, .. } => assert_eq!(error.valid_up_to(), 1),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.live_buffers().unwrap(), 0, "the invalid string was freed");

    let e = p.bad_bool().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::InvalidBool { value: 2, .. }),
        "{e:?}"
    );

    let e = p.check(-2).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::Status {
                code: -2,
                name: "not_found",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("status -2 (not_found)"), "{e}");
    let e = p.check(-77).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::Status {
                code: -77,
                name: "unknown",
                ..
            }
        ),
        "{e:?}"
    );

    let e = p.misaligned().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::Misaligned { align: 4, .. }),
        "{e:?}"
    );
    let e = p.misaligned_owned().unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::Misaligned { align: 4, .. }),
        "{e:?}"
    );
    assert_eq!(
        p.live_buffers().unwrap(),
        0,
        "the misaligned array was freed"
    );

    let s = p.audit().snapshot();
    assert_eq!(s.failed, 8);
    assert_eq!(s.ok, 3);
    assert_eq!(s.live_buffers, 0);
    assert!((p.audit().pass_rate() - 3.0 / 11.0).abs() < 1e-9);
}

#[test]
fn an_argument_longer_than_i32_max_is_refused() {
    let (_serial, p) = load();
    let huge = vec![(); i32::MAX as usize + 1];
    let call = common::plug::library(&p).begin(1);
    let r = call.slice_arg("name", &huge).map(|_| ());
    let e = call.finish(r).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::ArgumentTooLong { param: "name", .. }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("`name`"), "{e}");
    assert_eq!(p.audit().snapshot().failed, 1);
}

#[test]
fn every_transferred_buffer_is_freed_exactly_once() {
    let (_serial, p) = load();
    let mut held = Vec::new();
    for i in 0..50 {
        held.push((
            p.greet(&i.to_string()).unwrap(),
            p.echo_bytes(b"xy").unwrap(),
            p.range(i).unwrap(),
        ));
    }
    // range(0) is an allocated empty array: still transferred, still freed.
    assert_eq!(p.live_buffers().unwrap(), 150);
    assert_eq!(p.audit().snapshot().live_buffers, 150);
    let owned: Vec<String> = held.iter().map(|(g, _, _)| g.as_str().to_owned()).collect();
    assert_eq!(held[7].2.to_vec(), (0..7).collect::<Vec<_>>());
    drop(held);
    assert_eq!(
        p.live_buffers().unwrap(),
        0,
        "plugin-side counter back to zero"
    );
    assert_eq!(p.audit().snapshot().live_buffers, 0);
    assert_eq!(owned[3], "hello, 3");
    let s = p.greet("x").unwrap().into_owned();
    assert_eq!(s, "hello, x");
    assert_eq!(p.live_buffers().unwrap(), 0);
}

#[test]
fn a_borrowed_return_is_copied_before_the_next_call() {
    let (_serial, p) = load();
    let first = p.borrowed(1).unwrap();
    let second = p.borrowed(22).unwrap();
    assert_eq!(
        first, "value-1",
        "the plugin's static buffer was overwritten, the copy was not"
    );
    assert_eq!(second, "value-22");
    assert_eq!(p.audit().snapshot().borrowed_results, 2);
}

#[test]
fn owned_handles_release_by_move_or_drop() {
    let (_serial, p) = load();
    let trace = common::trace_path("drop-release");
    p.audit().trace_to(&trace).expect("trace file");
    let h = p.open(0).unwrap();
    assert_eq!(p.read(&h).unwrap(), h.raw() * 10);
    assert_eq!(p.audit().snapshot().live_handles, 1);
    assert_eq!(p.live_handles().unwrap(), 1);
    p.close(h).unwrap();
    assert_eq!(p.audit().snapshot().live_handles, 0);
    assert_eq!(p.live_handles().unwrap(), 0);
    {
        let _dropped = p.open(1).unwrap();
        assert_eq!(p.live_handles().unwrap(), 1);
    }
    let s = p.audit().snapshot();
    assert_eq!(
        p.live_handles().unwrap(),
        0,
        "the drop released it in the plugin"
    );
    assert_eq!((s.live_handles, s.released_by_drop, s.failed), (0, 1, 0));
}

#[test]
fn a_released_plain_value_never_reaches_the_plugin() {
    let (_serial, p) = load();
    let plain = p.open(0).unwrap().into_raw();
    // SAFETY (each `from_raw`): `plain` is the handle `open` returned; released, the ledger
    // refuses it before the plugin (which aborts on a closed handle) sees it.
    p.close(unsafe { FileHandle::from_raw(&p, plain) }).unwrap();
    let stale = unsafe { FileHandle::from_raw(&p, plain) };
    let e = p.read(&stale).unwrap_err();
    match e.kind() {
        CallErrorKind::UseAfterRelease {
            handle,
            released_by,
            site,
        } => {
            assert_eq!(
                (handle.type_name, handle.raw),
                ("FileHandle", i64::from(plain))
            );
            assert_eq!(*released_by, "close");
            assert_eq!(site.method, "read");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("FileHandle("), "{e}");
    let e = p.close(stale).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::DoubleRelease {
                released_by: "close",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.code(), "ffi.double_release");
    let s = p.audit().snapshot();
    assert_eq!(s.double_releases, 1);
    assert_eq!(s.failed, 2);
    assert_eq!(s.live_handles, 0);
    assert_eq!(p.live_handles().unwrap(), 0);
}

#[test]
fn another_boxs_handle_is_refused() {
    let (_serial, a) = load();
    // SAFETY: the test plugin matches the test interface.
    let b = unsafe { Plug::load(plugin()) }.expect("a second box");
    let h = a.open(3).unwrap();
    let e = b.read(&h).unwrap_err();
    assert_eq!(e.code(), "ffi.handle.foreign", "{e}");
    assert!(e.to_string().contains("another box"), "{e}");
    assert_eq!(a.live_handles().unwrap(), 1);
    // Refused before the plugin, then released by its drop through the box it belongs to.
    let e = b.close(h).unwrap_err();
    assert_eq!(e.code(), "ffi.handle.foreign", "{e}");
    assert_eq!(a.live_handles().unwrap(), 0);
    let s = a.audit().snapshot();
    assert_eq!((s.live_handles, s.released_by_drop), (0, 1));
    assert_eq!(b.audit().snapshot().failed, 2);
}
