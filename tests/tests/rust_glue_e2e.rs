//! The generated Rust glue against a real plugin: `fixtures/valid/all_types.bid.yaml` through
//! `#[bid_interface]` on the host side, and on the plugin side C written against the header
//! `bid_build::Builder` generates, compiled by `bid_build::PluginBuilder` at test time. Every
//! type goes both ways; values must survive the trip bit for bit.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
mod all {}

use all::{AllTypes, Local, Sample, Tagged};
use bid_runtime::{CallError, CallErrorKind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Builds the plugin once per test binary.
fn plugin() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = bid_tests::tests_dir();
        bid_tests::build_plugin(
            env!("CARGO_TARGET_TMPDIR").as_ref(),
            "all_types_e2e",
            &dir.join("../fixtures/valid/all_types.bid.yaml"),
            &[&dir.join("plugins/all_types.c")],
        )
    })
}

/// Every test loads the same library, so they share the plugin's globals (its bad-result
/// switch among them): the tests take turns.
fn load() -> (AllTypes, MutexGuard<'static, ()>) {
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: the plugin is compiled from the header of this very BID file.
    let b = unsafe { AllTypes::load(plugin()) }.unwrap_or_else(|e| panic!("{e}"));
    (b, guard)
}

#[test]
fn scalars_and_bools_round_trip() {
    let (b, _serial) = load();
    assert!(!b.flag(true).unwrap());
    assert!(b.flag(false).unwrap());
    assert_eq!(b.int32(21).unwrap(), 42);
    assert_eq!(b.int64(i64::MAX - 1).unwrap(), i64::MAX);
    assert_eq!(b.float32(1.25).unwrap().to_bits(), 2.5f32.to_bits());
    assert_eq!(b.float64(5.0).unwrap().to_bits(), 2.5f64.to_bits());
    assert_eq!(b.audit().snapshot().ok, 6);
}

#[test]
fn strings_and_bytes_by_ownership() {
    let (b, _serial) = load();
    let s = b.echo_string("héllo").unwrap();
    assert_eq!(&*s, "echo:héllo");
    assert_eq!(b.static_name().unwrap(), "all_types");
    assert_eq!(b.last_error().unwrap(), "no error");
    let bytes = b.echo_bytes(&[1, 2, 3, 255]).unwrap();
    assert_eq!(&*bytes, &[255, 3, 2, 1]);
    assert_eq!(b.borrowed_bytes().unwrap(), vec![1, 2, 3]);
    assert_eq!(
        b.audit().snapshot().live_buffers,
        2,
        "two transferred buffers held"
    );
    drop((s, bytes));
    assert_eq!(b.audit().snapshot().live_buffers, 0, "released on drop");
}

#[test]
fn handles_are_owned_and_a_released_raw_value_is_refused() {
    let (b, _serial) = load();
    let obj = b.new_obj(1).unwrap();
    assert_eq!(obj.raw(), 101);
    assert_eq!(b.use_obj(&obj).unwrap(), 202);
    // The plugin keeps the one it lends: usable by reference, never released by the host.
    let lent = b.peek_obj().unwrap();
    assert_eq!(lent.raw(), 42);
    assert_eq!(b.use_obj(&lent).unwrap(), 84);
    // A plain value (from `into_raw`) of a released handle is refused before the plugin
    // sees it.
    let plain = obj.into_raw();
    // SAFETY: `plain` is the live Obj `new_obj` returned to this box.
    b.drop(unsafe { all::Obj::from_raw(&b, plain) }).unwrap();
    // SAFETY: the ledger refuses the released value before the plugin sees it.
    let stale = unsafe { all::Obj::from_raw(&b, plain) };
    assert!(matches!(
        b.use_obj(&stale).map_err(CallError::into_kind),
        Err(CallErrorKind::UseAfterRelease { .. })
    ));
    assert!(matches!(
        b.drop(stale).map_err(CallError::into_kind),
        Err(CallErrorKind::DoubleRelease { .. })
    ));
    assert!(matches!(
        b.new_obj(-1).map_err(CallError::into_kind),
        Err(CallErrorKind::Status { code: -1, .. })
    ));
    // SAFETY: `wide` only does arithmetic on the value; no plugin object stands behind it.
    let wide = unsafe { all::Wide::from_raw(&b, 1 << 40) };
    assert_eq!(b.wide(&wide).unwrap().raw(), (1 << 40) + 1);
    let p = b.new_ptr().unwrap();
    assert!(!p.raw().is_null());
    b.free_ptr(p).unwrap();
    let audit = b.audit().snapshot();
    assert_eq!((audit.live_handles, audit.leaks), (0, 0), "{audit}");
}

#[test]
fn records_cross_by_value() {
    let (b, _serial) = load();
    let s = Sample {
        id: 7,
        value: 1.5,
        count: 3,
        ratio: 0.5,
        valid: 1,
    };
    let r = b.sample(s).unwrap();
    assert_eq!(
        r,
        Sample {
            id: 8,
            value: 3.0,
            count: 4,
            ratio: 0.25,
            valid: 0
        }
    );
    let obj = b.new_obj(5).unwrap();
    // A record holds a handle's plain value.
    let t = b
        .tag(Tagged {
            obj: obj.raw(),
            sample: s,
        })
        .unwrap();
    assert_eq!(t.obj, 106);
    assert_eq!(t.sample.id, 17);
}

#[test]
fn arrays_by_ownership() {
    let (b, _serial) = load();
    assert_eq!(&*b.sum_i32(&[1, 2, 3]).unwrap(), &[1, 3, 6]);
    assert_eq!(
        b.sum_i64(&[i64::MAX - 1, 1]).unwrap(),
        vec![i64::MAX - 1, i64::MAX]
    );
    assert_eq!(b.scale_f32(&[1.0, 2.0], 3.0).unwrap(), &[3.0, 6.0]);
    assert_eq!(&*b.scale_f64(&[1.0, 2.0], 0.5).unwrap(), &[0.5, 1.0]);
    assert!(matches!(
        b.scale_f64(&[1.0], 0.0).map_err(CallError::into_kind),
        Err(CallErrorKind::Status { .. })
    ));
    let o1 = b.new_obj(1).unwrap();
    let o2 = b.new_obj(2).unwrap();
    let objs = b.objs(&[o1.raw(), o2.raw()]).unwrap();
    assert_eq!(&*objs, [102, 103]);
    let s = Sample {
        id: 1,
        value: 2.0,
        count: 3,
        ratio: 4.0,
        valid: 1,
    };
    assert_eq!(&*b.samples(&[s, s]).unwrap(), &[s, s]);
    b.nothing().unwrap();
}

#[test]
fn bad_results_from_the_plugin_are_errors() {
    let (b, _serial) = load();
    b.int32(-1).unwrap();
    assert!(matches!(
        b.flag(true).map_err(CallError::into_kind),
        Err(CallErrorKind::InvalidBool { value: 2, .. })
    ));
    assert!(matches!(
        b.echo_string("x").map_err(CallError::into_kind),
        Err(CallErrorKind::InvalidUtf8 { .. })
    ));
    b.int32(0).unwrap();
    let snap = b.audit().snapshot();
    assert_eq!(snap.failed, 2);
    assert_eq!(snap.live_buffers, 0, "the rejected string was still freed");
}

#[test]
fn the_thread_unsafe_interface_loads_from_the_same_library() {
    // SAFETY: as in `load`.
    let local = unsafe { Local::load(plugin()) }.unwrap();
    let first = local.counter().unwrap();
    assert_eq!(local.counter().unwrap(), first + 1);
}
