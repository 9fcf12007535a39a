//! The generated Rust glue against real plugins of `fixtures/valid/all_types.bid.yaml`, loaded
//! through `#[bid_interface]` on the host side: one written in C against the header
//! `bid_build::Builder` generates (compiled by `bid_build::PluginBuilder` at test time), one
//! written in Rust against the trait `#[bid_plugin]` generates (`plugins/all-types-rs`, built
//! by cargo as a dependency of this crate). Every type goes both ways; values must survive the
//! trip bit for bit, through either plugin.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
mod all {}

use all::{AllTypes, Local, Sample, Tagged};
use bid_runtime::{CallError, CallErrorKind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Which plugin a box was loaded from: the two agree on values, not on what a handle's raw
/// value is (a number in C, a table id in Rust), and only C can return broken results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plugin {
    C,
    Rust,
}

/// The C plugin, built once per test binary.
fn c_plugin() -> &'static Path {
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

fn path(plugin: Plugin) -> PathBuf {
    match plugin {
        Plugin::C => c_plugin().to_path_buf(),
        Plugin::Rust => bid_tests::rust_plugin("all_types_rs"),
    }
}

/// Every test loads the same libraries, so they share the plugins' globals (the C plugin's
/// bad-result switch among them): the tests take turns.
fn load(plugin: Plugin) -> (AllTypes, MutexGuard<'static, ()>) {
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: both plugins are built from this very BID file (the signature is compared).
    let b = unsafe { AllTypes::load(path(plugin)) }.unwrap_or_else(|e| panic!("{plugin:?}: {e}"));
    assert_eq!(
        b.audit().signature(),
        bid_runtime::SignatureCheck::Matched,
        "{plugin:?}"
    );
    (b, guard)
}

const BOTH: [Plugin; 2] = [Plugin::C, Plugin::Rust];

#[test]
fn scalars_and_bools_round_trip() {
    for plugin in BOTH {
        scalars_and_bools(plugin);
    }
}

fn scalars_and_bools(plugin: Plugin) {
    let (b, _serial) = load(plugin);
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
    for plugin in BOTH {
        strings_and_bytes(plugin);
    }
}

fn strings_and_bytes(plugin: Plugin) {
    let (b, _serial) = load(plugin);
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
    for plugin in BOTH {
        handles(plugin);
    }
}

fn handles(plugin: Plugin) {
    let (b, _serial) = load(plugin);
    let obj = b.new_obj(1).unwrap();
    if plugin == Plugin::C {
        assert_eq!(obj.raw(), 101);
    }
    assert_eq!(b.use_obj(&obj).unwrap(), 202);
    // The plugin keeps the one it lends: usable by reference, never released by the host.
    let lent = b.peek_obj().unwrap();
    if plugin == Plugin::C {
        assert_eq!(lent.raw(), 42);
    }
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
    if plugin == Plugin::C {
        // SAFETY: the C `wide` only does arithmetic on the value; no object stands behind
        // it. (The Rust plugin keeps a table: it has no `Wide` until one is returned.)
        let wide = unsafe { all::Wide::from_raw(&b, 1 << 40) };
        assert_eq!(b.wide(&wide).unwrap().raw(), (1 << 40) + 1);
    }
    let p = b.new_ptr().unwrap();
    assert!(!p.raw().is_null());
    b.free_ptr(p).unwrap();
    let audit = b.audit().snapshot();
    assert_eq!((audit.live_handles, audit.leaks), (0, 0), "{audit}");
}

#[test]
fn records_cross_by_value() {
    for plugin in BOTH {
        records(plugin);
    }
}

fn records(plugin: Plugin) {
    let (b, _serial) = load(plugin);
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
    assert_eq!(t.sample.id, 17);
    match plugin {
        // C does arithmetic on the number.
        Plugin::C => assert_eq!(t.obj, 106),
        // Rust finds the value behind the id and reports it in `count`.
        Plugin::Rust => assert_eq!((t.obj, t.sample.count), (obj.raw(), 105)),
    }
}

#[test]
fn arrays_by_ownership() {
    for plugin in BOTH {
        arrays(plugin);
    }
}

fn arrays(plugin: Plugin) {
    let (b, _serial) = load(plugin);
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
    // Only C can return them: the Rust glue's types cannot express a bool of 2 or a string
    // that is not UTF-8.
    let (b, _serial) = load(Plugin::C);
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
    for plugin in BOTH {
        // SAFETY: as in `load`.
        let local = unsafe { Local::load(path(plugin)) }.unwrap();
        let first = local.counter().unwrap();
        assert_eq!(local.counter().unwrap(), first + 1, "{plugin:?}");
    }
}

#[test]
fn a_panic_in_a_fallible_rust_method_is_a_status() {
    let (b, _serial) = load(Plugin::Rust);
    let e = b.scale_f64(&[1.0], f64::NAN).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::Status {
                name: "internal",
                ..
            }
        ),
        "{e}"
    );
    // The plugin goes on serving calls.
    assert_eq!(&*b.scale_f64(&[1.0, 2.0], 2.0).unwrap(), &[2.0, 4.0]);
}

/// Set in the child process that runs `child_panics_in_a_method_that_cannot_fail`.
const CHILD: &str = "BID_E2E_PANIC_CHILD";

#[test]
fn a_panic_in_a_rust_method_that_cannot_fail_aborts_with_its_message() {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "child_panics_in_a_method_that_cannot_fail",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child should abort: {stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "SIGABRT: {stderr}");
    }
    assert!(
        stderr.contains("bid plugin: method `int32` panicked: int32 refuses i32::MIN"),
        "{stderr}"
    );
    // The host's code after the call never ran: the panic did not unwind into it.
    assert!(!stderr.contains("returned to the host"), "{stderr}");
}

#[test]
#[ignore = "run in a child process by a_panic_in_a_rust_method_that_cannot_fail_aborts_with_its_message"]
fn child_panics_in_a_method_that_cannot_fail() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let (b, _serial) = load(Plugin::Rust);
    let r = b.int32(i32::MIN);
    eprintln!("returned to the host: {r:?}");
}
