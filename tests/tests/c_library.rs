//! An existing C library (`plugins/c_library.c`, written without bid) bound exactly as it is
//! by `fixtures/valid/c_library.bid.yaml`: C strings in and out with the library's own free
//! functions, unsigned and narrow integers, NULL handle results, the same pointer returned
//! twice, no signature export. Values right, every release exactly once, and the whole test
//! binary clean under valgrind (`BID_REQUIRE_VALGRIND=1` makes valgrind mandatory, as CI does).

use bid_runtime::{CallErrorKind, LoadOptions, SignatureCheck};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

#[bid_macros::bid_interface("../fixtures/valid/c_library.bid.yaml")]
mod math {}

use math::MathLib;

fn bid_file() -> PathBuf {
    bid_tests::tests_dir().join("../fixtures/valid/c_library.bid.yaml")
}

/// The library as it is: compiled without the generated header.
fn library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_library");
        bid_build::PluginBuilder::new("nyash_math")
            .file(bid_tests::tests_dir().join("plugins/c_library.c"))
            .flag("-Werror")
            .out_dir(&dir)
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The library's live allocations (its own count, outside the BID interface).
fn live(lib: &Path) -> i32 {
    // SAFETY: the test library; `nyash_test_live` is `int32_t (void)`.
    unsafe {
        let l = libloading::Library::new(lib).unwrap();
        let f: libloading::Symbol<'_, unsafe extern "C" fn() -> i32> =
            l.get(b"nyash_test_live\0").unwrap();
        f()
    }
}

/// The tests share the library's globals: they take turns.
fn load() -> (MathLib, MutexGuard<'static, ()>) {
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // SAFETY: the BID file describes this library's functions exactly.
    let m = unsafe { MathLib::load(library()) }.unwrap_or_else(|e| panic!("{e}"));
    (m, guard)
}

#[test]
fn the_generated_header_declares_the_library_s_own_prototypes() {
    // Compiling the library with the header force-included fails on any prototype that
    // differs from the library's own (`char*` against `const char*`, `uint32_t` against
    // `int32_t`, ...).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_library_header");
    let generated = bid_build::Builder::new()
        .file(bid_file())
        .out_dir(&dir)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let header = &generated.outputs[0].header;
    for (std, cpp) in [("-std=c99", false), ("-std=c++11", true)] {
        let mut b = bid_build::PluginBuilder::new(format!("nyash_math_checked{}", u8::from(cpp)))
            .file(bid_tests::tests_dir().join("plugins/c_library.c"))
            .flag(std)
            .flag("-Wall")
            .flag("-Wextra")
            .flag("-Werror")
            .flag("-include")
            .flag(header.to_str().unwrap())
            .out_dir(&dir);
        if cpp {
            b = b.flag("-xc++");
        }
        b.build().unwrap_or_else(|e| panic!("{std}: {e}"));
    }
}

#[test]
fn values_cross_as_the_library_declares_them() {
    let (m, _serial) = load();
    // No signature export: loaded, and said so.
    assert_eq!(m.audit().signature(), SignatureCheck::Absent);

    assert!((m.sqrt(2.0).unwrap() - std::f64::consts::SQRT_2).abs() < 1e-12);
    assert_eq!(m.clamp_u8(300).unwrap(), 255);
    assert_eq!(m.clamp_u8(-5).unwrap(), 0);
    assert_eq!(
        m.widen(255, 65535, -128, -32768, u32::MAX).unwrap(),
        255 + 65535 - 128 - 32768 + i64::from(u32::MAX)
    );
    assert_eq!(m.bits(0).unwrap(), u64::MAX);
    assert_eq!(m.bits(u64::MAX).unwrap(), 0);
    assert_eq!(
        &*m.digits(1_234_567_890_123).unwrap(),
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3]
    );
    assert_eq!(&*m.digits(0).unwrap(), &[0]);

    // C strings: a borrowed argument, a result released by the library's own free, a
    // reference result, a nullable reference that is NULL.
    let date = m.parse(c"2024-05-17").unwrap().expect("a date");
    let text = m.to_string(&date).unwrap();
    assert_eq!(text.as_str(), "2024-05-17");
    assert_eq!(&*text, c"2024-05-17");
    assert_eq!(m.month(&date).unwrap(), 5u32);
    drop(text);
    m.free_date(date).unwrap();
    assert!(m.parse(c"not a date").unwrap().is_none(), "NULL is None");
    assert!(m.parse(c"").unwrap().is_none());
    assert_eq!(m.version().unwrap(), c"nyash-math 1.2.0");
    assert_eq!(m.last_error().unwrap(), None);
    let hello = m.greet(c"héllo").unwrap();
    assert_eq!(hello, "hello, héllo");
    drop(hello);

    // The same pointer twice while live: two owned handles, two releases, no double release.
    let a = m.create().unwrap();
    let b = m.create().unwrap();
    assert_eq!(
        a.raw(),
        b.raw(),
        "the library returns one pointer for every calculator"
    );
    drop(a);
    m.destroy(b).unwrap();

    let audit = m.audit().snapshot();
    assert_eq!(
        (
            audit.leaks,
            audit.double_releases,
            audit.live_handles,
            audit.live_buffers
        ),
        (0, 0, 0, 0),
        "{audit}"
    );
    assert_eq!(audit.pass_rate(), 1.0, "{audit}");
    assert_eq!(audit.null_results, 3, "two parses and lastError: {audit}");
    drop(m);
    assert_eq!(
        live(library()),
        0,
        "every allocation went back to the library once"
    );
}

#[test]
fn null_where_none_is_allowed_and_a_third_release_are_refused() {
    let (m, _serial) = load();
    // A NULL pointer handle from a method that is not `nullable` names nothing: an error,
    // never a live handle.
    m.fail_next(true).unwrap();
    let e = m.create().unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::NullHandle {
                type_name: "Math",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.code(), "ffi.result.null_handle");
    assert_eq!(m.audit().snapshot().live_handles, 0);

    // Raw values: the ledger counts live occurrences. The same value returned twice needs two
    // releases; a third is a double release, refused before the library sees it.
    let raw1 = m.create().unwrap().into_raw();
    let raw2 = m.create().unwrap().into_raw();
    assert_eq!(raw1, raw2);
    // SAFETY: both are live calculators of this box.
    m.destroy(unsafe { math::Math::from_raw(&m, raw1) })
        .unwrap();
    // SAFETY: as above: the second occurrence is still live.
    m.destroy(unsafe { math::Math::from_raw(&m, raw2) })
        .unwrap();
    // SAFETY: refused by the ledger before the plugin is called.
    let third = unsafe { math::Math::from_raw(&m, raw1) };
    let e = m.destroy(third).unwrap_err();
    assert!(
        matches!(e.kind(), CallErrorKind::DoubleRelease { .. }),
        "{e}"
    );

    // A fallible C string method's status.
    let e = m.greet(c"").unwrap_err();
    assert!(
        matches!(
            e.kind(),
            CallErrorKind::Status {
                name: "invalid_arg",
                ..
            }
        ),
        "{e}"
    );
    let audit = m.audit().snapshot();
    assert_eq!((audit.leaks, audit.double_releases), (0, 1), "{audit}");
    drop(m);
    assert_eq!(live(library()), 0);
}

#[test]
fn a_host_can_require_the_signature_this_library_lacks() {
    // SAFETY: as in `load`.
    let e = unsafe { MathLib::load_with(library(), &LoadOptions::new().require_signature(true)) }
        .unwrap_err();
    assert_eq!(e.code(), "ffi.contract.signature_missing");
    assert!(e.to_string().contains("nyash_math_bid_signature"), "{e}");
}

/// Set in the child that runs this binary's tests under valgrind.
const UNDER_VALGRIND: &str = "BID_C_LIBRARY_UNDER_VALGRIND";

#[test]
fn the_tests_run_clean_under_valgrind() {
    if std::env::var_os(UNDER_VALGRIND).is_some() {
        return;
    }
    let Some(mut valgrind) = bid_tests::valgrind("the C library tests") else {
        return;
    };
    // Built by the parent, so the child only loads it.
    let _ = library();
    let out = valgrind
        .arg(std::env::current_exe().unwrap())
        .args([
            "--test-threads=1",
            "--skip",
            "the_tests_run_clean_under_valgrind",
        ])
        .env(UNDER_VALGRIND, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("test result: ok"), "{stdout}");
    bid_tests::assert_valgrind_clean(&stderr);
}
