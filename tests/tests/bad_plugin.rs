//! The bad-plugin suite: a C plugin (`plugins/bad.c`) hands the host every bad value it can,
//! one method each. Each becomes its error, the audit counts the call failed, every buffer
//! goes back to the plugin exactly once and exactly as it was returned (the plugin counts what
//! it holds and every free of anything else), and the process goes on. The whole suite runs
//! again under valgrind: no invalid access, no definite leak.

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use bid_runtime::{CallErrorKind, CallResult, LoadError, LoadOptions, SignatureCheck};

#[bid_macros::bid_interface("e2e/bad.bid.yaml")]
mod bad {}

use bad::{Bad, Res};

/// Set in the child processes this binary starts: their plugins are built already.
const PLUGIN_ENV: &str = "BID_BAD_PLUGIN";
const UNSIGNED_ENV: &str = "BID_BAD_PLUGIN_UNSIGNED";

/// Builds the plugin `name` from `plugins/<source>`, or takes the path the parent process
/// built (in `env`).
fn built(cell: &'static OnceLock<PathBuf>, env: &str, name: &str, source: &str) -> &'static Path {
    cell.get_or_init(|| {
        if let Some(path) = std::env::var_os(env) {
            return PathBuf::from(path);
        }
        let dir = bid_tests::tests_dir();
        bid_tests::build_plugin(
            env!("CARGO_TARGET_TMPDIR").as_ref(),
            name,
            &dir.join("e2e/bad.bid.yaml"),
            &[&dir.join("plugins").join(source)],
        )
    })
}

fn plugin() -> &'static Path {
    static PLUGIN: OnceLock<PathBuf> = OnceLock::new();
    built(&PLUGIN, PLUGIN_ENV, "e2e_bad", "bad.c")
}

/// The same plugin without `e2e_bad_bid_signature`.
fn unsigned_plugin() -> &'static Path {
    static PLUGIN: OnceLock<PathBuf> = OnceLock::new();
    built(&PLUGIN, UNSIGNED_ENV, "e2e_bad_unsigned", "bad_nosig.c")
}

/// The plugin's counters are process-wide: tests that read them run one at a time.
fn load() -> (MutexGuard<'static, ()>, Bad) {
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: plugins/bad.c is compiled against the header of e2e/bad.bid.yaml.
    let b = unsafe { Bad::load(plugin()) }.expect("the bad plugin loads");
    assert_eq!(b.audit().signature(), SignatureCheck::Matched);
    (guard, b)
}

/// The plugin holds nothing the host took, and was never asked to free anything it did not
/// hand out: every buffer came back once, with the pointer and length it was returned with.
fn plugin_clean(b: &Bad) {
    assert_eq!(
        b.live_allocations().unwrap(),
        0,
        "a buffer was not given back"
    );
    assert_eq!(
        b.bad_frees().unwrap(),
        0,
        "the plugin was asked to free a pointer or length it never returned"
    );
}

/// Calls `f`, which must fail with `code` at `method`; checks that the audit counted exactly
/// that call, failed, that the host holds no buffer and that the plugin is clean. Returns
/// the error.
fn refused<'b, T: Debug>(
    b: &'b Bad,
    method: &str,
    code: &str,
    f: impl FnOnce(&'b Bad) -> CallResult<T>,
) -> CallErrorKind {
    let before = b.audit().snapshot();
    let e = f(b).expect_err("a bad value must be an error");
    let after = b.audit().snapshot();
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(e.site().method, method, "{e}");
    assert!(e.to_string().contains(&format!("e2e_bad_{method}")), "{e}");
    assert_eq!(after.total, before.total + 1, "one call");
    assert_eq!(after.failed, before.failed + 1, "counted failed");
    assert_eq!(after.live_buffers, 0, "the host holds no buffer");
    plugin_clean(b);
    e.into_kind()
}

#[test]
fn a_null_c_string_is_refused_and_is_no_null_result() {
    let (_serial, b) = load();
    let null = "ffi.result.null_string";
    let k = refused(&b, "null_cstr", null, |b| b.null_cstr().map(drop));
    assert!(matches!(k, CallErrorKind::NullString { .. }), "{k}");
    let k = refused(&b, "null_cstr_reference", null, Bad::null_cstr_reference);
    assert!(matches!(k, CallErrorKind::NullString { .. }), "{k}");
    assert_eq!(
        b.audit().snapshot().null_results,
        0,
        "a refused NULL is not a `nullable` method's None"
    );
}

#[test]
fn null_with_a_length_is_refused_and_nothing_is_freed() {
    let (_serial, b) = load();
    let null = "ffi.result.null_with_length";
    let k = refused(&b, "null_string", null, Bad::null_string);
    assert!(
        matches!(k, CallErrorKind::NullWithLength { len: 5, .. }),
        "{k}"
    );
    let k = refused(&b, "null_bytes", null, Bad::null_bytes);
    assert!(
        matches!(k, CallErrorKind::NullWithLength { len: 1, .. }),
        "{k}"
    );
    let k = refused(&b, "null_array", null, Bad::null_array);
    assert!(
        matches!(k, CallErrorKind::NullWithLength { len: i32::MAX, .. }),
        "{k}"
    );
    let k = refused(&b, "null_string_borrowed", null, Bad::null_string_borrowed);
    assert!(
        matches!(k, CallErrorKind::NullWithLength { len: 2, .. }),
        "{k}"
    );
    let k = refused(&b, "null_bytes_reference", null, Bad::null_bytes_reference);
    assert!(
        matches!(k, CallErrorKind::NullWithLength { len: 3, .. }),
        "{k}"
    );
    assert_eq!(
        b.audit().snapshot().null_results,
        0,
        "none is an empty result"
    );
}

#[test]
fn a_transferred_buffer_with_a_negative_length_goes_back_as_returned() {
    let (_serial, b) = load();
    let neg = "ffi.result.negative_length";
    // Each is a real allocation; the plugin's free matches pointer and length exactly.
    let k = refused(&b, "neg_string", neg, Bad::neg_string);
    assert!(
        matches!(k, CallErrorKind::NegativeLength { len: -1, .. }),
        "{k}"
    );
    let k = refused(&b, "neg_bytes", neg, Bad::neg_bytes);
    assert!(
        matches!(k, CallErrorKind::NegativeLength { len: -4, .. }),
        "{k}"
    );
    let k = refused(&b, "neg_array", neg, Bad::neg_array);
    assert!(
        matches!(k, CallErrorKind::NegativeLength { len: -2, .. }),
        "{k}"
    );
    let k = refused(&b, "neg_min_bytes", neg, Bad::neg_min_bytes);
    assert!(
        matches!(k, CallErrorKind::NegativeLength { len: i32::MIN, .. }),
        "{k}"
    );
    // A null pointer with a negative length: the length is what is wrong, nothing to free.
    let k = refused(&b, "neg_null_bytes", neg, Bad::neg_null_bytes);
    assert!(
        matches!(k, CallErrorKind::NegativeLength { len: -1, .. }),
        "{k}"
    );
    assert!(
        k.to_string()
            .contains("the plugin returned a negative length -1"),
        "{k}"
    );
}

#[test]
fn a_borrowed_or_reference_buffer_with_a_negative_length_is_refused_and_never_freed() {
    let (_serial, b) = load();
    let neg = "ffi.result.negative_length";
    let len = |k: CallErrorKind| match k {
        CallErrorKind::NegativeLength { len, .. } => len,
        other => panic!("{other}"),
    };
    assert_eq!(
        len(refused(
            &b,
            "neg_string_borrowed",
            neg,
            Bad::neg_string_borrowed
        )),
        -1
    );
    assert_eq!(
        len(refused(
            &b,
            "neg_bytes_borrowed",
            neg,
            Bad::neg_bytes_borrowed
        )),
        -2
    );
    assert_eq!(
        len(refused(
            &b,
            "neg_array_borrowed",
            neg,
            Bad::neg_array_borrowed
        )),
        -3
    );
    assert_eq!(
        len(refused(
            &b,
            "neg_string_reference",
            neg,
            Bad::neg_string_reference
        )),
        -4
    );
    assert_eq!(
        len(refused(
            &b,
            "neg_bytes_reference",
            neg,
            Bad::neg_bytes_reference
        )),
        -5
    );
    assert_eq!(
        len(refused(
            &b,
            "neg_array_reference",
            neg,
            Bad::neg_array_reference
        )),
        -6
    );
    assert_eq!(b.audit().snapshot().borrowed_results, 0);
}

#[test]
fn a_length_past_the_address_space() {
    let (_serial, b) = load();
    // The check refuses a byte size past isize::MAX. An i32 count of the largest element BID
    // allows (a record of at most 2^31 - 1 bytes) is under 2^62: on a 64-bit host no length
    // a plugin can return is too large, and the claim below (2 GiB in an 8-byte block) is a
    // lie within the plugin's memory, which no check can see.
    #[cfg(target_pointer_width = "64")]
    {
        const {
            assert!((i32::MAX as u128) * (i32::MAX as u128) <= isize::MAX as u128);
        }
        let lie = b.huge_array().expect("2 GiB fits a 64-bit address space");
        // Never read; dropped, it is freed once with the pointer and length returned.
        assert_eq!(b.live_allocations().unwrap(), 1);
        drop(lie);
        plugin_clean(&b);
        assert_eq!(b.audit().snapshot().failed, 0);
    }
    #[cfg(target_pointer_width = "32")]
    {
        let k = refused(&b, "huge_array", "ffi.result.too_large", Bad::huge_array);
        assert!(
            matches!(
                k,
                CallErrorKind::ResultTooLarge {
                    len: 0x1000_0000,
                    ..
                }
            ),
            "{k}"
        );
    }
}

#[test]
fn invalid_utf8_is_refused_and_a_transferred_string_freed() {
    let (_serial, b) = load();
    let utf8 = "ffi.result.invalid_utf8";
    let check = |k: CallErrorKind| match k {
        CallErrorKind::InvalidUtf8 { error, .. } => {
            assert_eq!(error.valid_up_to(), 1, "'o' then 0xff");
        }
        other => panic!("{other}"),
    };
    check(refused(&b, "utf8_transferred", utf8, Bad::utf8_transferred));
    check(refused(&b, "utf8_borrowed", utf8, Bad::utf8_borrowed));
    check(refused(&b, "utf8_reference", utf8, Bad::utf8_reference));
}

#[test]
fn a_bool_other_than_0_or_1_is_refused() {
    let (_serial, b) = load();
    let bool_ = "ffi.result.invalid_bool";
    let k = refused(&b, "bool_two", bool_, Bad::bool_two);
    assert!(
        matches!(k, CallErrorKind::InvalidBool { value: 2, .. }),
        "{k}"
    );
    let k = refused(&b, "bool_minus_one", bool_, Bad::bool_minus_one);
    assert!(
        matches!(k, CallErrorKind::InvalidBool { value: -1, .. }),
        "{k}"
    );
    assert!(
        k.to_string()
            .contains("the plugin returned -1 for a bool (only 0 or 1 are allowed)"),
        "{k}"
    );
}

#[test]
fn a_misaligned_array_is_refused_and_freed_at_the_address_returned() {
    let (_serial, b) = load();
    let mis = "ffi.result.misaligned";
    // The plugin frees only the pointer it returned (one byte past its block): a free of
    // the block's start or of an aligned address would be counted in bad_frees.
    let k = refused(
        &b,
        "misaligned_transferred",
        mis,
        Bad::misaligned_transferred,
    );
    match k {
        CallErrorKind::Misaligned { addr, align, .. } => {
            assert_eq!(align, 8);
            assert_eq!(addr % 8, 1, "{addr:#x}");
        }
        other => panic!("{other}"),
    }
    let k = refused(&b, "misaligned_borrowed", mis, Bad::misaligned_borrowed);
    assert!(
        matches!(k, CallErrorKind::Misaligned { align: 8, addr, .. } if addr % 8 == 1),
        "{k}"
    );
    let k = refused(&b, "misaligned_reference", mis, Bad::misaligned_reference);
    assert!(
        matches!(k, CallErrorKind::Misaligned { align: 8, addr, .. } if addr % 8 == 4),
        "{k}"
    );
}

#[test]
fn a_status_no_header_names_is_a_failure_named_unknown() {
    let (_serial, b) = load();
    let status = "ffi.status";
    // The transferred value is never read: had the host freed the untouched out-parameter,
    // the plugin would count a bad free.
    for (method, code, k) in [
        (
            "status_positive",
            7,
            refused(&b, "status_positive", status, Bad::status_positive),
        ),
        (
            "status_min",
            i32::MIN,
            refused(&b, "status_min", status, Bad::status_min),
        ),
        (
            "status_unknown",
            -42,
            refused(&b, "status_unknown", status, Bad::status_unknown),
        ),
    ] {
        match &k {
            CallErrorKind::Status {
                code: got, name, ..
            } => {
                assert_eq!((*got, *name), (code, "unknown"), "{method}");
                assert_eq!(bid_runtime::status_name(code), "unknown");
            }
            other => panic!("{method}: {other}"),
        }
        assert!(
            k.to_string()
                .contains(&format!("the plugin returned status {code} (unknown)")),
            "{k}"
        );
    }
}

#[test]
fn the_same_handle_value_returned_twice_while_live_needs_two_releases() {
    let (_serial, b) = load();
    let first = b.same().unwrap();
    let second = b.same().unwrap();
    assert_eq!(first.raw(), second.raw());
    assert_eq!(b.audit().snapshot().live_handles, 2, "two owners");
    assert_eq!(b.live_handles().unwrap(), 2);
    b.release(first).unwrap();
    drop(second);
    assert_eq!(b.live_handles().unwrap(), 0, "each owner released once");
    let s = b.audit().snapshot();
    assert_eq!((s.live_handles, s.released_by_drop, s.failed), (0, 1, 0));

    // As plain values, the ledger counts both owners: two releases pass, a third is refused
    // before the plugin (which would answer bad_handle, not a double release).
    let x = b.same().unwrap().into_raw();
    let y = b.same().unwrap().into_raw();
    assert_eq!(x, y);
    // SAFETY: values the plugin returned to this box, still live.
    b.release(unsafe { Res::from_raw(&b, x) }).unwrap();
    // SAFETY: as above.
    b.release(unsafe { Res::from_raw(&b, y) }).unwrap();
    assert_eq!(b.live_handles().unwrap(), 0);
    let k = refused(&b, "release", "ffi.double_release", |b| {
        // SAFETY: released twice already: the ledger refuses it.
        b.release(unsafe { Res::from_raw(b, x) })
    });
    assert!(
        matches!(
            k,
            CallErrorKind::DoubleRelease {
                released_by: "release",
                ..
            }
        ),
        "{k}"
    );
    assert_eq!(
        b.live_handles().unwrap(),
        0,
        "the plugin saw no third release"
    );
    let s = b.audit().snapshot();
    assert_eq!((s.live_handles, s.double_releases), (0, 1));
}

#[test]
fn a_release_of_a_handle_the_host_never_got_reaches_the_plugin_once() {
    let (_serial, b) = load();
    let open = b.open().unwrap();
    // The host cannot know a value it never saw: the release goes through and the plugin
    // answers bad_handle. The audit's live count does not go below what the host holds.
    let k = refused(&b, "release", "ffi.status", |b| {
        // SAFETY: deliberately a value the plugin never returned (the plugin checks it).
        b.release(unsafe { Res::from_raw(b, 999) })
    });
    assert!(
        matches!(
            k,
            CallErrorKind::Status {
                code: -5,
                name: "bad_handle",
                ..
            }
        ),
        "{k}"
    );
    assert_eq!(b.audit().snapshot().live_handles, 1, "`open` is still held");
    // The ledger remembers the release it let through: a second one is refused before the
    // plugin.
    let k = refused(&b, "release", "ffi.double_release", |b| {
        // SAFETY: as above.
        b.release(unsafe { Res::from_raw(b, 999) })
    });
    assert!(matches!(k, CallErrorKind::DoubleRelease { .. }), "{k}");
    b.release(open).unwrap();
    assert_eq!(b.live_handles().unwrap(), 0);
    let s = b.audit().snapshot();
    assert_eq!((s.live_handles, s.double_releases, s.failed), (0, 1, 2));
}

#[test]
fn a_plugin_without_a_signature_loads_unchecked_or_is_refused() {
    // SAFETY: plugins/bad_nosig.c is bad.c without its signature.
    let b = unsafe { Bad::load(unsigned_plugin()) }.expect("loads without a signature");
    assert_eq!(b.audit().signature(), SignatureCheck::Absent);
    assert!(
        b.audit().to_string().contains("signature: not checked"),
        "{}",
        b.audit()
    );
    assert_eq!(b.live_allocations().unwrap(), 0);
    drop(b);

    let require = LoadOptions::new().require_signature(true);
    // SAFETY: as above.
    let e = match unsafe { Bad::load_with(unsigned_plugin(), &require) } {
        Ok(_) => panic!("a plugin without a signature loaded although one was required"),
        Err(e) => e,
    };
    assert_eq!(e.code(), "ffi.contract.signature_missing");
    assert!(
        matches!(
            e,
            LoadError::SignatureMissing {
                symbol: "e2e_bad_bid_signature",
                ..
            }
        ),
        "{e}"
    );
    // The signed build loads with the signature required.
    // SAFETY: plugins/bad.c is compiled against the header of e2e/bad.bid.yaml.
    let b = unsafe { Bad::load_with(plugin(), &require) }.expect("a matching signature");
    assert_eq!(b.audit().signature(), SignatureCheck::Matched);
}

/// Set in the child that loads the unsigned plugin with `BID_AUDIT` set.
const LOAD_CHILD_ENV: &str = "BID_BAD_LOAD_CHILD";

#[test]
fn the_load_event_of_a_plugin_without_a_signature_says_absent() {
    let trace = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_plugin_unsigned_load.jsonl");
    let _ = std::fs::remove_file(&trace);
    // BID_AUDIT is read at load, from the environment: a child process sets it.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["child_loads_the_unsigned_plugin", "--exact", "--ignored"])
        .env(LOAD_CHILD_ENV, "1")
        .env(UNSIGNED_ENV, unsigned_plugin())
        .env("BID_AUDIT", &trace)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    let load = text
        .lines()
        .find(|l| l.contains("\"event\":\"ffi.load\""))
        .unwrap_or_else(|| panic!("no ffi.load line in {text}"));
    assert!(load.contains("\"signature\":\"absent\""), "{load}");
}

#[test]
#[ignore = "run in a child process by the_load_event_of_a_plugin_without_a_signature_says_absent"]
fn child_loads_the_unsigned_plugin() {
    if std::env::var_os(LOAD_CHILD_ENV).is_none() {
        return;
    }
    // SAFETY: plugins/bad_nosig.c is bad.c without its signature.
    let b = unsafe { Bad::load(unsigned_plugin()) }.expect("loads without a signature");
    assert_eq!(b.audit().signature(), SignatureCheck::Absent);
}

/// Set in the child that runs this suite under valgrind.
const VALGRIND_CHILD_ENV: &str = "BID_BAD_VALGRIND_CHILD";

#[test]
fn the_suite_runs_clean_under_valgrind() {
    if std::env::var_os(VALGRIND_CHILD_ENV).is_some() {
        return;
    }
    let Some(mut valgrind) = bid_tests::valgrind("the bad-plugin suite") else {
        return;
    };
    // The child loads what this process built (a build under valgrind would be slow, and
    // rewriting a library this process has loaded unsafe).
    let (signed, unsigned) = (plugin(), unsigned_plugin());
    let start = Instant::now();
    let out = valgrind
        // The load-event test's child too.
        .arg("--trace-children=yes")
        .arg(std::env::current_exe().unwrap())
        // One thread: the harness's threads are slow under valgrind. Every test but this one.
        .args(["--test-threads=1", "--skip", "under_valgrind"])
        .env(VALGRIND_CHILD_ENV, "1")
        .env(PLUGIN_ENV, signed)
        .env(UNSIGNED_ENV, unsigned)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let (stdout, report) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "the suite under valgrind failed ({}):\n{stdout}\n{report}",
        out.status
    );
    assert!(
        stdout.contains("test result: ok.") && !stdout.contains(" 0 passed"),
        "{stdout}"
    );
    bid_tests::assert_valgrind_clean(&report);
    eprintln!("the bad-plugin suite ran clean under valgrind in {elapsed:.1?}");
}
