//! The panic guard and the contract checks end each failed call as its method allows: a
//! status from a fallible method, an abort naming the method from a non-fallible one. The
//! aborts run in a child: this test binary again, with `BID_PLUGIN_TEST_CHILD` naming the
//! test that must die.

use bid_plugin::__private::{Fault, HandleTable, Serialized, fallible, infallible, str_arg};
use bid_plugin::{Status, last_panic};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, MutexGuard, PoisonError};

const CHILD: &str = "BID_PLUGIN_TEST_CHILD";

/// `None` in the child that must run `test`'s dying part; in the parent, that child's output.
fn child(test: &str) -> Option<Output> {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        return None;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .output()
        .expect("the child runs");
    Some(output)
}

/// The child died of `abort()`, after printing `message` once.
fn assert_aborted(output: &Output, message: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the child survived: {stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(output.status.signal(), Some(6), "not SIGABRT: {stderr}");
    }
    assert_eq!(
        stderr.matches(message).count(),
        1,
        "{message:?} once in: {stderr}"
    );
}

/// `last_panic` is the library's, so the tests that read it take turns.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(PoisonError::into_inner)
}

#[test]
fn a_panic_in_a_fallible_method_is_internal_with_its_message_kept() {
    let _turn = one_at_a_time();
    let code = fallible("explode", || panic!("the {} broke", "widget"));
    assert_eq!(code, Status::Internal.code());
    let report = last_panic().expect("kept");
    assert_eq!(report.method, "explode");
    assert_eq!(report.message, "the widget broke");

    let code = fallible("odd", || std::panic::panic_any(42_u8));
    assert_eq!(code, Status::Internal.code());
    assert_eq!(
        last_panic().expect("kept").message,
        "a non-string panic payload"
    );
}

#[test]
fn a_fallible_panic_is_printed_once_and_the_process_goes_on() {
    let Some(output) = child("a_fallible_panic_is_printed_once_and_the_process_goes_on") else {
        assert_eq!(
            fallible("explode", || panic!("boom")),
            Status::Internal.code()
        );
        assert_eq!(fallible("fine", || Ok(())), 0);
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let line = "bid plugin: method `explode` panicked: boom; returning BID_E_INTERNAL";
    assert_eq!(stderr.matches(line).count(), 1, "{stderr}");
}

#[test]
fn faults_in_a_fallible_method_become_statuses_before_the_plugin_runs() {
    let calls = AtomicUsize::new(0);
    let table: HandleTable<u8> = HandleTable::new();
    let bad = [0xc3u8];
    let code = fallible("put", || {
        // SAFETY: one readable byte.
        let _key = unsafe { str_arg("key", bad.as_ptr().cast(), 1) }?;
        calls.fetch_add(1, SeqCst);
        Ok(())
    });
    assert_eq!(code, Status::InvalidArg.code());
    let code = fallible("get", || {
        let _h = table.borrow(12345)?;
        calls.fetch_add(1, SeqCst);
        Ok(())
    });
    assert_eq!(code, Status::BadHandle.code());
    assert_eq!(calls.load(SeqCst), 0);
    let code = fallible("find", || Err(Status::NotFound)?);
    assert_eq!(code, Status::NotFound.code());
}

#[test]
fn a_panic_in_a_non_fallible_method_aborts_naming_it() {
    let Some(output) = child("a_panic_in_a_non_fallible_method_aborts_naming_it") else {
        infallible("describe", || -> Result<(), Fault> {
            panic!("no description")
        });
        unreachable!("aborted");
    };
    assert_aborted(
        &output,
        "bid plugin: method `describe` panicked: no description; aborting",
    );
}

#[test]
fn invalid_utf8_in_a_non_fallible_method_aborts_naming_the_argument() {
    let Some(output) = child("invalid_utf8_in_a_non_fallible_method_aborts_naming_the_argument")
    else {
        let bad = [b'k', 0xff];
        infallible("put", || {
            // SAFETY: two readable bytes.
            unsafe { str_arg("key", bad.as_ptr().cast(), 2) }.map(drop)
        });
        unreachable!("aborted");
    };
    assert_aborted(
        &output,
        "bid plugin: method `put`: argument `key`: invalid UTF-8 after byte 1 \
         (BID_E_INVALID_ARG), and it cannot return a failure; aborting",
    );
}

#[test]
fn a_stale_handle_in_a_non_fallible_method_aborts_naming_it() {
    let Some(output) = child("a_stale_handle_in_a_non_fallible_method_aborts_naming_it") else {
        let table: HandleTable<u8> = HandleTable::new();
        let id = table.insert(1).expect("an id");
        table.take(id).expect("live");
        let _ = table.insert(2).expect("an id");
        infallible("is_empty", || table.borrow(id).map(|v| *v == 0));
        unreachable!("aborted");
    };
    assert_aborted(
        &output,
        "bid plugin: method `is_empty`: handle 1048576 of type `u8` is unknown or already \
         released (BID_E_BAD_HANDLE), and it cannot return a failure; aborting",
    );
}

/// A plugin state whose `Default` panics the first time.
struct Flaky;

static MADE: AtomicUsize = AtomicUsize::new(0);

impl Default for Flaky {
    fn default() -> Self {
        if MADE.fetch_add(1, SeqCst) == 0 {
            panic!("not ready yet");
        }
        Flaky
    }
}

#[test]
fn a_default_that_panics_is_tried_again_at_the_next_call() {
    let _turn = one_at_a_time();
    static INSTANCE: Serialized<Flaky> = Serialized::new();
    let call = || fallible("ping", || INSTANCE.with(|_| Ok(())));
    assert_eq!(call(), Status::Internal.code());
    assert_eq!(last_panic().expect("kept").message, "not ready yet");
    assert_eq!(call(), 0);
    assert_eq!(call(), 0);
    assert_eq!(MADE.load(SeqCst), 2, "made again once, then kept");
}

#[derive(Default)]
struct Counter {
    calls: AtomicUsize,
}

#[test]
fn a_panic_does_not_poison_the_serialized_instance() {
    let _turn = one_at_a_time();
    static INSTANCE: Serialized<Counter> = Serialized::new();
    let code = fallible("bump", || {
        INSTANCE.with(|c| {
            c.calls.fetch_add(1, SeqCst);
            panic!("halfway")
        })
    });
    assert_eq!(code, Status::Internal.code());
    // A non-fallible call after it runs (a poisoned lock would have it abort).
    let calls = infallible("count", || {
        Ok(INSTANCE.with(|c| c.calls.fetch_add(1, SeqCst)))
    });
    assert_eq!(calls, 1);
    // From another thread too.
    let calls = std::thread::spawn(|| INSTANCE.with(|c| c.calls.load(SeqCst)))
        .join()
        .expect("no panic");
    assert_eq!(calls, 2);
}
