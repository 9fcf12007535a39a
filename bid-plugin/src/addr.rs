//! Sets and maps keyed by addresses this library allocated: the keys come from the
//! allocator, not from the host, so a multiply-and-fold hash does and SipHash would only
//! cost time on every pointer handle and every freed buffer.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// Hashes one `usize` address.
#[derive(Clone, Copy, Default)]
pub(crate) struct AddrHash;

pub(crate) struct AddrHasher(u64);

impl BuildHasher for AddrHash {
    type Hasher = AddrHasher;

    fn build_hasher(&self) -> AddrHasher {
        AddrHasher(0)
    }
}

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        // The table picks buckets with the low bits: bring the well-mixed high ones down.
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub(crate) type AddrSet = HashSet<usize, AddrHash>;
pub(crate) type AddrMap<V> = HashMap<usize, V, AddrHash>;
