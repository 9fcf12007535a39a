//! One call at a time into a library whose interface is not thread safe, across every box
//! that loaded it: boxes of one library share its globals, so two boxes on two threads must
//! not call it at once either.
//!
//! The lock is per library file (by canonical path) and reentrant on its thread: a call that
//! frees a refused buffer, or drops a refused handle (whose release is a call), re-enters it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// The lock of one library file.
pub(crate) struct Serial {
    lock: Mutex<()>,
    /// The thread holding `lock` (see [`thread_token`]), 0 when none.
    owner: AtomicU64,
}

/// Held while a thread calls into a serialized library; `None` inside when the thread held
/// the lock already.
pub struct SerialGuard<'a> {
    held: Option<(&'a Serial, MutexGuard<'a, ()>)>,
}

impl Drop for SerialGuard<'_> {
    fn drop(&mut self) {
        if let Some((serial, _guard)) = self.held.take() {
            serial.owner.store(0, Relaxed);
        }
    }
}

/// A number that is this thread's alone while it runs (never 0).
fn thread_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static TOKEN: u64 = NEXT.fetch_add(1, Relaxed);
    }
    TOKEN.with(|t| *t)
}

impl Serial {
    /// The lock of the library at `path`, shared with every box that loaded the same file.
    pub(crate) fn of(path: &Path) -> Arc<Serial> {
        static LIBRARIES: Mutex<Option<HashMap<std::path::PathBuf, Weak<Serial>>>> =
            Mutex::new(None);
        let mut libraries = LIBRARIES.lock().unwrap_or_else(PoisonError::into_inner);
        let libraries = libraries.get_or_insert_with(HashMap::new);
        libraries.retain(|_, s| s.strong_count() > 0);
        if let Some(serial) = libraries.get(path).and_then(Weak::upgrade) {
            return serial;
        }
        let serial = Arc::new(Serial {
            lock: Mutex::new(()),
            owner: AtomicU64::new(0),
        });
        libraries.insert(path.to_path_buf(), Arc::downgrade(&serial));
        serial
    }

    /// Waits for the library, unless this thread is in it already.
    pub(crate) fn enter(&self) -> SerialGuard<'_> {
        let me = thread_token();
        // Only this thread ever stores its own token: seeing it means it holds the lock.
        if self.owner.load(Relaxed) == me {
            return SerialGuard { held: None };
        }
        // A panic while holding the lock poisons nothing the lock protects: it guards calls,
        // not data.
        let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.owner.store(me, Relaxed);
        SerialGuard {
            held: Some((self, guard)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn one_file_one_lock_reentrant_on_its_thread() {
        let a = Serial::of(Path::new("/x/liba.so"));
        let again = Serial::of(Path::new("/x/liba.so"));
        let b = Serial::of(Path::new("/x/libb.so"));
        assert!(Arc::ptr_eq(&a, &again));
        assert!(!Arc::ptr_eq(&a, &b));
        let outer = a.enter();
        let inner = again.enter();
        assert!(inner.held.is_none(), "the thread holds it already");
        drop(inner);
        drop(outer);
        assert_eq!(a.owner.load(Relaxed), 0);
    }

    #[test]
    fn two_threads_never_overlap() {
        let serial = Serial::of(Path::new("/x/libc.so"));
        let inside = AtomicUsize::new(0);
        let overlaps = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..2_000 {
                        let _g = serial.enter();
                        if inside.fetch_add(1, Relaxed) != 0 {
                            overlaps.fetch_add(1, Relaxed);
                        }
                        std::hint::spin_loop();
                        inside.fetch_sub(1, Relaxed);
                    }
                });
            }
        });
        assert_eq!(overlaps.load(Relaxed), 0);
    }
}
