//! Handles of `repr: pointer`: the host holds the address of a boxed value. A registry of
//! the live addresses comes first, so a pointer the table did not hand out, or one already
//! released, is refused without ever being dereferenced.

use crate::addr::{AddrHash, AddrSet};
use crate::fault::Fault;
use crate::slot::{Drain, Ref, Slot, check_no_borrow_held};
use std::ffi::c_void;
use std::marker::PhantomData;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{PoisonError, RwLock};

/// The values of one handle type with `repr: pointer`, each in its own box whose address is
/// the handle.
///
/// [`insert`](Self::insert), [`borrow`](Self::borrow) and [`take`](Self::take) mean what
/// they mean for [`HandleTable`](crate::__private::HandleTable), with the same thread rules:
/// a take makes the pointer dead at once and waits for borrows that started before it.
///
/// Unlike an integer id, an address carries no generation: once a released value's box is
/// freed, the allocator may give the same address to a later value of the same table, and
/// a stale copy of the old pointer then names the new value. That is never a use after
/// free (the pointer is dereferenced only while registered); the host's ownership ledger,
/// not this table, catches a use after release. Prefer `repr: i64` where that matters.
///
/// `borrow` and `take` take the registry's read lock, `insert` and the end of `take` its
/// write lock.
pub struct PointerTable<T> {
    live: RwLock<AddrSet>,
    count: AtomicUsize,
    drain: Drain,
    _owns: PhantomData<T>,
}

// SAFETY: the table owns its `T`s: sending it sends them.
unsafe impl<T: Send> Send for PointerTable<T> {}
// SAFETY: as for `HandleTable`: values move in and out on any thread (`T: Send`) and are read
// by borrows on several threads at once (`T: Sync`).
unsafe impl<T: Send + Sync> Sync for PointerTable<T> {}

impl<T> PointerTable<T> {
    /// An empty table; usable in a `static` or a generated state struct.
    pub const fn new() -> Self {
        PointerTable {
            live: RwLock::new(AddrSet::with_hasher(AddrHash)),
            count: AtomicUsize::new(0),
            drain: Drain::new(),
            _owns: PhantomData,
        }
    }

    /// Boxes `value` and returns the box's address, never null.
    pub fn insert(&self, value: T) -> *mut c_void {
        let slot = Box::into_raw(Box::new(Slot::full(value)));
        self.live
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(slot as usize);
        self.count.fetch_add(1, Relaxed);
        slot.cast()
    }

    /// A borrowed use of the value at `ptr`; refused with `BID_E_BAD_HANDLE` if `ptr` is not
    /// a live pointer of this table. A take of `ptr` waits until the guard drops.
    pub fn borrow(&self, ptr: *mut c_void) -> Result<Ref<'_, T>, Fault> {
        let live = self.live.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = self.registered(&live, ptr)
            && slot.try_borrow(0)
        {
            return Ok(Ref::new(slot, &self.drain));
        }
        Err(self.bad(ptr))
    }

    /// Takes the value at `ptr` back and frees its box; `ptr` names nothing from here on.
    /// Refused with `BID_E_BAD_HANDLE` if `ptr` is not a live pointer of this table. Waits
    /// for borrowed uses of `ptr` that started before it.
    ///
    /// # Panics
    ///
    /// If this thread holds a [`Ref`] of any table: it could be `ptr`'s, and wait forever.
    pub fn take(&self, ptr: *mut c_void) -> Result<T, Fault> {
        check_no_borrow_held();
        let slot = {
            let live = self.live.read().unwrap_or_else(PoisonError::into_inner);
            match self.registered(&live, ptr) {
                Some(slot) if slot.try_close(0) => slot as *const Slot<T>,
                _ => return Err(self.bad(ptr)),
            }
        };
        // SAFETY: we closed it, so only we free it, and not before this.
        let value = unsafe { (*slot).take_closed(&self.drain, 0) };
        self.count.fetch_sub(1, Relaxed);
        self.live
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(ptr as usize));
        // SAFETY: out of the registry under the write lock, so every lookup that found it
        // has ended; no reader is left (take_closed waited) and the value is moved out. The
        // box came from `insert`'s `Box::into_raw`. A slot's drop does not drop its value.
        drop(unsafe { Box::from_raw(slot.cast_mut()) });
        Ok(value)
    }

    /// How many values the table holds (inserted and not yet taken).
    pub fn len(&self) -> usize {
        self.count.load(Relaxed)
    }

    /// Whether the table holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slot at `ptr` if the registry (whose lock the caller holds) has it.
    fn registered<'a>(&'a self, live: &AddrSet, ptr: *mut c_void) -> Option<&'a Slot<T>> {
        // SAFETY: a registered address is a box from `insert`, freed only after removal under
        // the write lock, which waits for the caller's read lock; a borrow keeps it past
        // that (take waits for readers before freeing).
        live.contains(&(ptr as usize))
            .then(|| unsafe { &*ptr.cast::<Slot<T>>() })
    }

    fn bad(&self, ptr: *mut c_void) -> Fault {
        Fault::pointer(std::any::type_name::<T>(), ptr as usize)
    }
}

impl<T> Default for PointerTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for PointerTable<T> {
    fn drop(&mut self) {
        let live = self.live.get_mut().unwrap_or_else(PoisonError::into_inner);
        for addr in live.drain() {
            // SAFETY: registered, so a box from `insert` not yet freed; `&mut self` means no
            // borrow or take is running.
            let mut slot = unsafe { Box::from_raw(addr as *mut Slot<T>) };
            slot.drop_value();
        }
    }
}

impl<T> std::fmt::Debug for PointerTable<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PointerTable")
            .field("type", &std::any::type_name::<T>())
            .field("len", &self.len())
            .finish()
    }
}
