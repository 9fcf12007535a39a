//! Name scopes: where a second use of a name is a `bid.name.duplicate`.

use crate::diag::Span;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

/// A namespace of names where a second use of a name is an error; remembers the first use.
///
/// Checking 5,000 methods registers some 40,000 names, so a scope allocates per scope, not per
/// name: the keys sit back to back in one buffer. Most scopes (the params of one method, the
/// fields of one record) hold a handful of names and stay a list scanned in order; a hash
/// index is built only once one grows past a few. A scope can be cleared and reused.
#[derive(Default)]
pub(crate) struct Names {
    /// Every key, back to back.
    text: String,
    entries: Vec<Entry>,
    /// Hash of a key -> its latest entry; entries of equal hashes are chained by `Entry::next`.
    index: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    /// Keyed per scope, so crafted names cannot pile into one chain.
    hasher: RandomState,
}

/// One registered name: where it was first used and what kind of item used it. The item's own
/// name is read back from the source at that span, so nothing is formatted unless names clash.
struct Entry {
    start: usize,
    end: usize,
    next: usize,
    span: Span,
    kind: &'static str,
}

const NONE: usize = usize::MAX;

impl Names {
    const LINEAR: usize = 8;

    /// A scope ready for about `names` names of `bytes` bytes in all.
    pub(super) fn with_capacity(names: usize, bytes: usize) -> Self {
        let mut n = Names::default();
        n.reserve(names, bytes);
        n
    }

    /// Makes room for about `names` more names of `bytes` bytes in all.
    pub(super) fn reserve(&mut self, names: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.entries.reserve(names);
        if self.entries.len() + names > Self::LINEAR {
            self.index.reserve(names);
        }
    }

    /// Forgets every name, keeping the memory for the next scope.
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
        self.index.clear();
    }

    fn key(&self, e: &Entry) -> &str {
        &self.text[e.start..e.end]
    }

    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }

    /// Registers `key`; on a clash returns the first use's span and kind.
    pub(super) fn insert(
        &mut self,
        key: &str,
        span: Span,
        kind: &'static str,
    ) -> Option<(Span, &'static str)> {
        let small = self.entries.len() <= Self::LINEAR;
        let hash = if small { 0 } else { self.hash(key) };
        let found = if small {
            self.entries.iter().find(|e| self.key(e) == key)
        } else {
            let mut at = self.index.get(&hash).copied().unwrap_or(NONE);
            loop {
                match self.entries.get(at) {
                    Some(e) if self.key(e) == key => break Some(e),
                    Some(e) => at = e.next,
                    None => break None,
                }
            }
        };
        if let Some(e) = found {
            return Some((e.span, e.kind));
        }
        if self.entries.len() == Self::LINEAR {
            for i in 0..self.entries.len() {
                let h = self.hash(self.key(&self.entries[i]));
                self.link(h, i);
            }
        }
        let (start, i) = (self.text.len(), self.entries.len());
        self.text.push_str(key);
        self.entries.push(Entry {
            start,
            end: self.text.len(),
            next: NONE,
            span,
            kind,
        });
        if self.entries.len() > Self::LINEAR {
            let h = if small { self.hash(key) } else { hash };
            self.link(h, i);
        }
        None
    }

    fn link(&mut self, hash: u64, i: usize) {
        if let Some(prev) = self.index.insert(hash, i)
            && let Some(e) = self.entries.get_mut(i)
        {
            e.next = prev;
        }
    }
}

/// The index's keys are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(i: usize) -> Span {
        Span {
            line: i,
            column: 1,
            start: i,
            end: i + 1,
        }
    }

    #[test]
    fn names_find_clashes_small_and_large() {
        let mut n = Names::default();
        for i in 0..100 {
            assert_eq!(n.insert(&format!("n{i}"), sp(i), "method"), None);
        }
        assert_eq!(n.insert("n3", sp(200), "type"), Some((sp(3), "method")));
        assert_eq!(n.insert("n99", sp(201), "type"), Some((sp(99), "method")));
        assert_eq!(n.insert("n100", sp(202), "type"), None);
        assert_eq!(n.insert("n100", sp(203), "type"), Some((sp(202), "type")));
    }

    #[test]
    fn every_size_around_the_switch_to_an_index_finds_every_name() {
        for size in 0..20 {
            let mut n = Names::with_capacity(size, 0);
            for i in 0..size {
                assert_eq!(n.insert(&format!("k{i}"), sp(i), "field"), None);
            }
            for i in 0..size {
                assert_eq!(
                    n.insert(&format!("k{i}"), sp(99), "x"),
                    Some((sp(i), "field"))
                );
            }
            assert_eq!(n.insert("", sp(50), "field"), None, "size {size}");
            assert_eq!(n.insert("", sp(51), "field"), Some((sp(50), "field")));
        }
    }

    #[test]
    fn equal_hashes_chain() {
        let mut n = Names::default();
        for i in 0..20 {
            n.insert(&format!("k{i}"), sp(i), "field");
        }
        // Link two more names under one hash, as a collision would.
        let len = n.entries.len();
        n.insert("a", sp(30), "field");
        n.insert("b", sp(31), "field");
        let (a, b) = (n.hash("a"), n.hash("b"));
        n.index.remove(&b);
        n.entries[len + 1].next = len;
        n.index.insert(a, len + 1);
        let head = n.index[&a];
        assert_eq!(n.key(&n.entries[head]), "b");
        assert_eq!(n.insert("a", sp(40), "x"), Some((sp(30), "field")));
    }

    #[test]
    fn clear_forgets_names() {
        let mut n = Names::default();
        for i in 0..12 {
            n.insert(&format!("k{i}"), sp(i), "field");
        }
        n.clear();
        assert_eq!(n.insert("k3", sp(3), "field"), None);
        assert_eq!(n.insert("k3", sp(4), "field"), Some((sp(3), "field")));
    }
}
