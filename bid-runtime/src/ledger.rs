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
    /// How many live owners the value has: the plugin may return one value twice while it is
    /// live, and each return needs its own release.
    live: u32,
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

/// Raw handle values per `(handle type, raw value)`: values that left the typed world with
/// `into_raw` and what was released through `from_raw`. Typed handles never touch it.
#[derive(Default)]
pub(crate) struct Ledger {
    map: Mutex<Map>,
}

/// A handle still live when the box is dropped.
pub(crate) struct Live {
    pub(crate) handle: &'static HandleMeta,
    pub(crate) raw: i64,
    pub(crate) count: u32,
}

impl Ledger {
    /// A live handle value leaves the typed world (`into_raw`): one more live owner of it.
    pub(crate) fn escape(&self, handle: &'static HandleMeta, raw: i64) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(key(handle, raw)).or_insert(Entry {
            handle,
            live: 0,
            released_by: None,
        });
        e.live += 1;
        e.released_by = None;
    }

    /// A raw handle argument of `method`: refuses a value whose every owner released it, and
    /// counts one release when `release` (a `transferred` parameter). A value the ledger never
    /// saw passes (the host cannot know it); its release is remembered. Returns whether the
    /// ledger knew the value as live.
    pub(crate) fn arg(
        &self,
        handle: &'static HandleMeta,
        raw: i64,
        method: usize,
        release: bool,
    ) -> Result<bool, Refusal> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&key(handle, raw)) {
            Some(e) if e.live == 0 => {
                let released_by = e.released_by.unwrap_or(method);
                Err(if release {
                    Refusal::DoubleRelease { released_by }
                } else {
                    Refusal::UseAfterRelease { released_by }
                })
            }
            Some(e) => {
                if release {
                    e.live -= 1;
                    if e.live == 0 {
                        e.released_by = Some(method);
                    }
                }
                Ok(true)
            }
            None => {
                if release {
                    map.insert(
                        key(handle, raw),
                        Entry {
                            handle,
                            live: 0,
                            released_by: Some(method),
                        },
                    );
                }
                Ok(false)
            }
        }
    }

    /// Every raw handle value still live, with how many owners, in a stable order.
    pub(crate) fn live(&self) -> Vec<Live> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let mut live: Vec<Live> = map
            .iter()
            .filter(|(_, e)| e.live > 0)
            .map(|(&(_, raw), e)| Live {
                handle: e.handle,
                raw,
                count: e.live,
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
        l.escape(&A, 7);
        assert_eq!(l.arg(&A, 7, 2, false), Ok(true));
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
        // The value escapes again (the plugin reused it): live once more.
        l.escape(&A, 7);
        assert_eq!(l.arg(&A, 7, 2, false), Ok(true));
        assert_eq!(l.live().len(), 1);
    }

    #[test]
    fn a_value_returned_twice_needs_two_releases_and_a_third_is_double() {
        let l = Ledger::default();
        l.escape(&A, 9);
        l.escape(&A, 9);
        assert_eq!(l.live()[0].count, 2);
        assert_eq!(l.arg(&A, 9, 1, true), Ok(true));
        assert_eq!(l.arg(&A, 9, 1, false), Ok(true), "one owner is left");
        assert_eq!(l.arg(&A, 9, 1, true), Ok(true));
        assert_eq!(
            l.arg(&A, 9, 1, true),
            Err(Refusal::DoubleRelease { released_by: 1 })
        );
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
        l.escape(&B, 1);
        let live = l.live();
        assert_eq!(live.len(), 1);
        assert_eq!(
            (live[0].handle.name, live[0].raw, live[0].count),
            ("B", 1, 1)
        );
    }
}
