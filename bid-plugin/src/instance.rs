//! The one plugin instance of a library: made with `Default` at the first call, kept until
//! the process ends, and reached either one call at a time or concurrently, as the BID file's
//! `thread_safe` says.
//!
//! What the holder keeps is the generated state: the plugin value and its handle tables.
//! Serialised, the tables sit inside the lock too, so a plugin whose handle types are only
//! `Send` never has them read from two threads.

use std::sync::{Mutex, OnceLock};

/// The instance of an interface without `thread_safe: true`: every call runs alone, under
/// one lock, so a plugin author never thinks about threads. `S` needs only `Send`.
///
/// A panic in a call does not poison it for the next ones: trait methods take `&self`, so
/// whatever a call changes sits behind the plugin's own cells or locks, which keep their
/// own rules; this lock guards no invariant of its own. A fallible call that panicked has
/// returned `BID_E_INTERNAL`; later calls run as usual.
///
/// Calls never re-enter (ABI v0 has no callbacks), so the lock cannot be taken twice by one
/// thread.
#[derive(Debug)]
pub struct Serialized<S> {
    state: OnceLock<Mutex<S>>,
}

impl<S> Serialized<S> {
    /// A holder with no instance yet; for a `static`.
    pub const fn new() -> Self {
        Serialized {
            state: OnceLock::new(),
        }
    }
}

impl<S: Default> Serialized<S> {
    /// Runs `call` with the instance, alone: calls from other threads wait.
    ///
    /// The first call makes the instance with `S::default()`. If that panics, the panic goes
    /// on to the caller (the shim's guard) and no instance is kept: the next call tries
    /// `Default` again.
    pub fn with<R>(&self, call: impl FnOnce(&S) -> R) -> R {
        let lock = self.state.get_or_init(|| Mutex::new(S::default()));
        let state = lock.lock().unwrap_or_else(|poisoned| {
            lock.clear_poison();
            poisoned.into_inner()
        });
        call(&state)
    }
}

impl<S> Default for Serialized<S> {
    fn default() -> Self {
        Self::new()
    }
}

/// The instance of an interface with `thread_safe: true`: calls run concurrently, so `S`
/// (the plugin, and the handle types in its tables) must be `Sync`.
///
/// There is no lock to poison: a panic in one call leaves the instance to the others, as
/// the plugin's own synchronisation has it.
#[derive(Debug)]
pub struct Shared<S> {
    state: OnceLock<S>,
}

impl<S> Shared<S> {
    /// A holder with no instance yet; for a `static`.
    pub const fn new() -> Self {
        Shared {
            state: OnceLock::new(),
        }
    }
}

impl<S: Default> Shared<S> {
    /// Runs `call` with the instance, concurrently with calls on other threads.
    ///
    /// The first call makes the instance with `S::default()` (other threads wait for it). If
    /// that panics, the panic goes on to the caller and the next call tries again.
    #[inline(always)]
    pub fn with<R>(&self, call: impl FnOnce(&S) -> R) -> R {
        call(self.state.get_or_init(S::default))
    }
}

impl<S> Default for Shared<S> {
    fn default() -> Self {
        Self::new()
    }
}
