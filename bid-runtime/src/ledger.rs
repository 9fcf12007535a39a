//! The ownership ledger of one box: which transferred handles it holds and who released what.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use crate::meta::HandleMeta;

fn key(handle: &'static HandleMeta, raw: i64) -> (usize, i64) {
    (std::ptr::from_ref(handle).addr(), raw)
}

/// Keys are small integers chosen by the plugin, not by an attacker of the host: a
/// multiply-rotate hash is enough and several times cheaper than SipHash on this path.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

/// Keyed by the handle type's address (its `HandleMeta` static) and the raw value.
type Map = HashMap<(usize, i64), Entry, BuildHasherDefault<KeyHasher>>;

/// What the ledger knows about one handle value.
#[derive(Clone, Copy, Debug)]
struct Entry {
    handle: &'static HandleMeta,
    /// The method that returned it (None: the ledger first saw it as an argument).
    produced_by: Option<usize>,
    /// The method that released it; `Some` makes the entry a tombstone.
    released_by: Option<usize>,
}

/// Why a handle argument was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A borrowed use of a released handle.
    UseAfterRelease { released_by: usize },
    /// A release of a released handle.
    DoubleRelease { released_by: usize },
}

/// Transferred handles per `(handle type, raw value)`; only handle arguments and returns
/// take its lock, so scalar calls never touch it.
#[derive(Default)]
pub(crate) struct Ledger {
    map: Mutex<Map>,
}

/// A handle still live when the box is dropped.
pub(crate) struct Live {
    pub(crate) handle: &'static HandleMeta,
    pub(crate) raw: i64,
    pub(crate) produced_by: Option<usize>,
}

impl Ledger {
    /// A handle argument of `method`: refuses released handles, and marks the handle
    /// released when `release` (a `transferred` parameter). Returns whether a live
    /// handle stopped being live.
    pub(crate) fn arg(
        &self,
        handle: &'static HandleMeta,
        raw: i64,
        method: usize,
        release: bool,
    ) -> Result<bool, Refusal> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.get_mut(&key(handle, raw));
        match entry {
            Some(Entry {
                released_by: Some(by),
                ..
            }) => Err(if release {
                Refusal::DoubleRelease { released_by: *by }
            } else {
                Refusal::UseAfterRelease { released_by: *by }
            }),
            Some(e) if release => {
                e.released_by = Some(method);
                Ok(true)
            }
            Some(_) => Ok(false),
            None if release => {
                // Never seen: let it through, but remember the release.
                map.insert(
                    key(handle, raw),
                    Entry {
                        handle,
                        produced_by: None,
                        released_by: Some(method),
                    },
                );
                Ok(false)
            }
            None => Ok(false),
        }
    }

    /// A transferred handle returned by `method`; replaces a tombstone of the same value.
    /// Returns whether it became live (false: it already was).
    pub(crate) fn ret(&self, handle: &'static HandleMeta, raw: i64, method: usize) -> bool {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let new = Entry {
            handle,
            produced_by: Some(method),
            released_by: None,
        };
        match map.insert(key(handle, raw), new) {
            Some(old) => old.released_by.is_some(),
            None => true,
        }
    }

    /// Every live handle, in a stable order.
    pub(crate) fn live(&self) -> Vec<Live> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let mut live: Vec<Live> = map
            .iter()
            .filter(|(_, e)| e.released_by.is_none())
            .map(|(&(_, raw), e)| Live {
                handle: e.handle,
                raw,
                produced_by: e.produced_by,
            })
            .collect();
        live.sort_by_key(|l| (l.handle.name, l.raw));
        live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: HandleMeta = HandleMeta {
        name: "A",
        release: None,
    };
    static B: HandleMeta = HandleMeta {
        name: "B",
        release: None,
    };

    #[test]
    fn release_then_use_then_release_again() {
        let l = Ledger::default();
        assert!(l.ret(&A, 7, 1));
        assert_eq!(l.arg(&A, 7, 2, false), Ok(false));
        assert_eq!(l.arg(&A, 7, 3, true), Ok(true));
        assert_eq!(
            l.arg(&A, 7, 2, false),
            Err(Refusal::UseAfterRelease { released_by: 3 })
        );
        assert_eq!(
            l.arg(&A, 7, 3, true),
            Err(Refusal::DoubleRelease { released_by: 3 })
        );
        assert!(l.live().is_empty());
        // The plugin reuses the value: a fresh live handle replaces the tombstone.
        assert!(l.ret(&A, 7, 1));
        assert_eq!(l.arg(&A, 7, 2, false), Ok(false));
        assert_eq!(l.live().len(), 1);
    }

    #[test]
    fn unknown_handles_pass_and_types_are_separate() {
        let l = Ledger::default();
        assert_eq!(l.arg(&A, 1, 0, false), Ok(false));
        assert_eq!(l.arg(&A, 1, 0, true), Ok(false));
        assert_eq!(
            l.arg(&A, 1, 0, true),
            Err(Refusal::DoubleRelease { released_by: 0 })
        );
        assert!(l.ret(&B, 1, 4));
        let live = l.live();
        assert_eq!(live.len(), 1);
        assert_eq!(
            (live[0].handle.name, live[0].raw, live[0].produced_by),
            ("B", 1, Some(4))
        );
    }
}
