//! Handles of `repr: i32` and `repr: i64`: plugin values the host holds by an integer id.
//! An id packs a slot index with the slot's generation, so an id the table never issued,
//! or one already released, names nothing, even after its slot holds a newer value.

use crate::fault::Fault;
use crate::slot::{Drain, Ref, Slot, check_no_borrow_held};
use std::marker::PhantomData;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicPtr, AtomicUsize};
use std::sync::{Mutex, PoisonError};

/// The integer type a handle crosses as: `i32` or `i64`. Sealed.
///
/// An id is `generation << INDEX_BITS | index` with a generation from 1, so it is never 0
/// and never negative. `i32`: 20 index bits (about a million live handles per type), 11
/// generation bits. `i64`: 32 and 31.
pub trait HandleRepr: Copy + Send + Sync + 'static + sealed::Sealed {
    /// Bits of the slot index, below the generation.
    #[doc(hidden)]
    const INDEX_BITS: u32;
    /// The last generation a slot gets before it is retired.
    #[doc(hidden)]
    const MAX_GENERATION: u32;
    /// The id of slot `index` at `generation` (1 or more).
    #[doc(hidden)]
    fn pack(index: u32, generation: u32) -> Self;
    /// `(index, generation)`, or `None` for a value no table issues.
    #[doc(hidden)]
    fn unpack(self) -> Option<(u32, u32)>;
    /// The id, widened for messages.
    #[doc(hidden)]
    fn to_i64(self) -> i64;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for i32 {}
    impl Sealed for i64 {}
}

impl HandleRepr for i32 {
    const INDEX_BITS: u32 = 20;
    const MAX_GENERATION: u32 = (1 << 11) - 1;

    fn pack(index: u32, generation: u32) -> i32 {
        ((generation << Self::INDEX_BITS) | index) as i32
    }

    fn unpack(self) -> Option<(u32, u32)> {
        let bits = u32::try_from(self).ok()?;
        let generation = bits >> Self::INDEX_BITS;
        (generation != 0).then_some((bits & ((1 << Self::INDEX_BITS) - 1), generation))
    }

    fn to_i64(self) -> i64 {
        self.into()
    }
}

impl HandleRepr for i64 {
    const INDEX_BITS: u32 = 32;
    const MAX_GENERATION: u32 = i32::MAX as u32;

    fn pack(index: u32, generation: u32) -> i64 {
        (i64::from(generation) << Self::INDEX_BITS) | i64::from(index)
    }

    fn unpack(self) -> Option<(u32, u32)> {
        let bits = u64::try_from(self).ok()?;
        let generation = (bits >> Self::INDEX_BITS) as u32;
        (generation != 0).then_some((bits as u32, generation))
    }

    fn to_i64(self) -> i64 {
        self
    }
}

/// Bucket `b` holds `FIRST << b` slots; 28 buckets hold more than 2^32.
const FIRST: u64 = 32;
const BUCKETS: usize = 28;

/// The bucket and the offset in it of slot `index`.
fn locate(index: u32) -> (usize, usize) {
    let k = u64::from(index) / FIRST + 1;
    let bucket = 63 - k.leading_zeros();
    let start = FIRST * ((1 << bucket) - 1);
    (bucket as usize, (u64::from(index) - start) as usize)
}

fn bucket_len(bucket: usize) -> usize {
    (FIRST << bucket) as usize
}

/// The values of one handle type with an integer repr, owned by the plugin and named by ids
/// the host holds.
///
/// - [`insert`](Self::insert) a value returned `transferred`: its new id.
/// - [`borrow`](Self::borrow) an id for a borrowed parameter: a guard that reads the value.
/// - [`take`](Self::take) an id for a transferred parameter (the release method): the
///   value, and the id is dead from then on.
///
/// A zero, negative, forged or released id is refused with `BID_E_BAD_HANDLE`, whatever
/// newer value its slot holds. A slot whose generations run out is retired, not reused, so
/// no id is ever issued twice; when every slot has been used up, `insert` fails with
/// `BID_E_NO_MEMORY` (for `i32`: after about 2^31 handles of the type in the library's life).
/// An id does not say which table issued it: a live id of another table can name a value
/// here. The host's typed bindings keep handle types apart.
///
/// Threads: `borrow` takes no lock (a compare-exchange on the value's slot, a subtraction
/// when the guard drops). A `take` first makes the id dead, so a `borrow` that starts after
/// it fails, then waits for the borrows that started before it to end, then moves the
/// value out; a value is never dropped or moved while a borrow reads it. A thread that holds
/// a borrow must not take: shims take their transferred handles before borrowing any, and a
/// take while the thread holds a borrow panics instead of waiting for itself.
/// `insert` takes a short lock on the free list.
pub struct HandleTable<T, I: HandleRepr = i32> {
    /// Slots never move once allocated, so a borrow needs no lock on the table.
    buckets: [AtomicPtr<Slot<T>>; BUCKETS],
    free: Mutex<Free>,
    live: AtomicUsize,
    drain: Drain,
    _owns: PhantomData<(T, fn() -> I)>,
}

/// Slots that may be filled: released ones, then never used ones from `next`.
struct Free {
    released: Vec<u32>,
    next: u64,
}

// SAFETY: the table owns its `T`s: sending it sends them.
unsafe impl<T: Send, I: HandleRepr> Send for HandleTable<T, I> {}
// SAFETY: through `&HandleTable`, values are moved in and out on any thread (`T: Send`) and
// read by borrows on several threads at once (`T: Sync`); the slot protocol orders the rest.
unsafe impl<T: Send + Sync, I: HandleRepr> Sync for HandleTable<T, I> {}

impl<T, I: HandleRepr> HandleTable<T, I> {
    /// An empty table; usable in a `static` or a generated state struct.
    pub const fn new() -> Self {
        HandleTable {
            buckets: [const { AtomicPtr::new(std::ptr::null_mut()) }; BUCKETS],
            free: Mutex::new(Free {
                released: Vec::new(),
                next: 0,
            }),
            live: AtomicUsize::new(0),
            drain: Drain::new(),
            _owns: PhantomData,
        }
    }

    /// Stores `value` and returns its new id, which is not 0 and was never issued before.
    ///
    /// Fails with `BID_E_NO_MEMORY` when the id space is used up; `value` is dropped.
    pub fn insert(&self, value: T) -> Result<I, Fault> {
        let index = {
            let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
            match free.released.pop() {
                Some(index) => index,
                None => {
                    if free.next >= 1 << I::INDEX_BITS {
                        return Err(Fault::exhausted(std::any::type_name::<T>()));
                    }
                    let index = free.next as u32;
                    self.grow_for(index);
                    free.next += 1;
                    index
                }
            }
        };
        let slot = self.slot(index).expect("an allocated slot");
        let generation = slot.generation();
        // SAFETY: `index` came off the free list (or was never used) under its lock: the
        // slot is empty and ours alone.
        unsafe { slot.fill(value) };
        self.live.fetch_add(1, Relaxed);
        Ok(I::pack(index, generation))
    }

    /// A borrowed use of the value `id` names, for a borrowed handle parameter; refused with
    /// `BID_E_BAD_HANDLE` if `id` is unknown or released. A take of `id` waits until the
    /// guard drops.
    pub fn borrow(&self, id: I) -> Result<Ref<'_, T>, Fault> {
        match id.unpack() {
            Some((index, generation)) => match self.slot(index) {
                Some(slot) if slot.try_borrow(generation) => Ok(Ref::new(slot, &self.drain)),
                _ => Err(self.bad(id)),
            },
            None => Err(self.bad(id)),
        }
    }

    /// Takes the value `id` names back, for a transferred handle parameter; `id` names
    /// nothing from here on. Refused with `BID_E_BAD_HANDLE` if `id` is unknown or released.
    /// Waits for borrowed uses of `id` that started before it.
    ///
    /// # Panics
    ///
    /// If this thread holds a [`Ref`] of any table: it could be `id`'s, and wait forever.
    pub fn take(&self, id: I) -> Result<T, Fault> {
        check_no_borrow_held();
        let Some((index, generation)) = id.unpack() else {
            return Err(self.bad(id));
        };
        let Some(slot) = self.slot(index).filter(|s| s.try_close(generation)) else {
            return Err(self.bad(id));
        };
        // Generation 0 matches no id: a slot at the last generation is retired.
        let next = if generation == I::MAX_GENERATION {
            0
        } else {
            generation + 1
        };
        // SAFETY: `try_close` succeeded just above.
        let value = unsafe { slot.take_closed(&self.drain, next) };
        self.live.fetch_sub(1, Relaxed);
        if next != 0 {
            let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
            free.released.push(index);
        }
        Ok(value)
    }

    /// How many values the table holds (inserted and not yet taken).
    pub fn len(&self) -> usize {
        self.live.load(Relaxed)
    }

    /// Whether the table holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn bad(&self, id: I) -> Fault {
        Fault::handle(std::any::type_name::<T>(), id.to_i64())
    }

    fn slot(&self, index: u32) -> Option<&Slot<T>> {
        let (bucket, offset) = locate(index);
        let first = self.buckets[bucket].load(Acquire);
        // SAFETY: a non-null bucket pointer is a live allocation of `bucket_len(bucket)`
        // initialised slots, freed only by `drop`; `offset` is below that length.
        (!first.is_null()).then(|| unsafe { &*first.add(offset) })
    }

    /// Allocates the bucket of `index` if it has none. Called under the free-list lock, the
    /// only place buckets are stored.
    fn grow_for(&self, index: u32) {
        let (bucket, _) = locate(index);
        if self.buckets[bucket].load(Relaxed).is_null() {
            let slots: Box<[Slot<T>]> = (0..bucket_len(bucket)).map(|_| Slot::empty(1)).collect();
            let first = Box::into_raw(slots).cast::<Slot<T>>();
            self.buckets[bucket].store(first, Release);
        }
    }
}

impl<T, I: HandleRepr> Default for HandleTable<T, I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, I: HandleRepr> Drop for HandleTable<T, I> {
    fn drop(&mut self) {
        for (bucket, first) in self.buckets.iter_mut().enumerate() {
            let first = *first.get_mut();
            if first.is_null() {
                continue;
            }
            let raw = std::ptr::slice_from_raw_parts_mut(first, bucket_len(bucket));
            // SAFETY: made by `Box::into_raw` of a boxed slice of this length in `grow_for`,
            // and freed only here.
            let mut slots = unsafe { Box::from_raw(raw) };
            slots.iter_mut().for_each(Slot::drop_value);
        }
    }
}

impl<T, I: HandleRepr> std::fmt::Debug for HandleTable<T, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandleTable")
            .field("type", &std::any::type_name::<T>())
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_index_space() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(31), (0, 31));
        assert_eq!(locate(32), (1, 0));
        assert_eq!(locate(95), (1, 63));
        assert_eq!(locate(96), (2, 0));
        let (bucket, offset) = locate(u32::MAX);
        assert!(bucket < BUCKETS && offset < bucket_len(bucket));
        for index in [1000, 1 << 20, (1 << 20) - 1, 123_456_789] {
            let (bucket, offset) = locate(index);
            assert!(offset < bucket_len(bucket));
            let (next_bucket, next_offset) = locate(index + 1);
            assert!(
                (next_bucket, next_offset) == (bucket, offset + 1)
                    || (next_bucket, next_offset) == (bucket + 1, 0)
            );
        }
    }

    #[test]
    fn ids_pack_and_unpack() {
        for (index, generation) in [(0, 1), (5, 2047), ((1 << 20) - 1, 2047), (7, 1)] {
            let id = i32::pack(index, generation);
            assert!(id > 0);
            assert_eq!(id.unpack(), Some((index, generation)));
        }
        for (index, generation) in [(0, 1), (u32::MAX, i32::MAX as u32)] {
            let id = i64::pack(index, generation);
            assert!(id > 0);
            assert_eq!(id.unpack(), Some((index, generation)));
        }
        for id in [0, -1, i32::MIN, (1 << 20) - 1] {
            assert_eq!(id.unpack(), None, "{id}");
        }
        for id in [0, -1, i64::MIN, u32::MAX as i64] {
            assert_eq!(id.unpack(), None, "{id}");
        }
    }
}
