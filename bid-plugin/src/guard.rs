//! The panic guard every shim runs its body in. Unwinding out of an `extern "C"` function
//! aborts with a message that names nothing the host knows; the guard instead ends a
//! failed call the way its method's contract allows: a fallible method returns a status, a
//! non-fallible one, which has no way to report anything, aborts naming the method and why.

use crate::Status;
use crate::fault::Fault;
use std::any::Any;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};

/// A panic the guard caught in a fallible method, which returned `BID_E_INTERNAL` for it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PanicReport {
    /// The BID method the panic happened in.
    pub method: &'static str,
    /// The panic message (`"a non-string panic payload"` when it had none).
    pub message: String,
}

static LAST: Mutex<Option<PanicReport>> = Mutex::new(None);

/// The most recent panic caught in a fallible method of this library, on any thread.
///
/// Such a panic also prints one line to stderr (`bid plugin: method `NAME` panicked: ...`),
/// after the usual panic hook output. A plugin can expose this to its host, e.g. from a
/// `last_error` method.
pub fn last_panic() -> Option<PanicReport> {
    LAST.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Runs the body of a fallible method's shim: `0` when it returns `Ok(())` (having written
/// its out-param), the fault's status code when it returns `Err`, and `BID_E_INTERNAL` when
/// it panics. The panic's message is kept for [`last_panic`] and printed once to stderr.
#[inline(always)]
pub fn fallible(method: &'static str, body: impl FnOnce() -> Result<(), Fault>) -> i32 {
    // The body's state is the plugin's; what a panic left half-done there is the plugin's
    // to judge, as for any caught panic. The guard only reports it.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => 0,
        Ok(Err(fault)) => fault.status().code(),
        Err(payload) => {
            let message = message(payload);
            say(format_args!(
                "method `{method}` panicked: {message}; returning BID_E_INTERNAL"
            ));
            *LAST.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(PanicReport { method, message });
            Status::Internal.code()
        }
    }
}

/// Runs the body of a non-fallible method's shim and returns its value. A method that
/// cannot fail cannot report a problem, so a fault (a broken argument contract, a handle
/// that names nothing, a result too long) or a panic prints
/// `bid plugin: method `NAME` ...` to stderr and aborts the process.
#[inline(always)]
pub fn infallible<R>(method: &'static str, body: impl FnOnce() -> Result<R, Fault>) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(fault)) => die(format_args!(
            "method `{method}`: {fault} ({}), and it cannot return a failure",
            fault.status().c_name()
        )),
        Err(payload) => {
            let message = message(payload);
            die(format_args!("method `{method}` panicked: {message}"))
        }
    }
}

/// Prints `bid plugin: WHAT; aborting` to stderr and aborts.
pub(crate) fn die(what: std::fmt::Arguments<'_>) -> ! {
    say(format_args!("{what}; aborting"));
    std::process::abort()
}

fn say(what: std::fmt::Arguments<'_>) {
    // `eprintln!` would panic if stderr is closed; nothing is left to tell then.
    let _ = writeln!(std::io::stderr().lock(), "bid plugin: {what}");
}

/// The payload's message; the payload is dropped here, and a drop that panics too is
/// contained.
fn message(payload: Box<dyn Any + Send>) -> String {
    let message = match payload.downcast_ref::<&'static str>() {
        Some(s) => (*s).to_owned(),
        None => match payload.downcast_ref::<String>() {
            Some(s) => s.clone(),
            None => "a non-string panic payload".to_owned(),
        },
    };
    if let Err(inner) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        // Its drop could panic again: leak it.
        std::mem::forget(inner);
    }
    message
}
