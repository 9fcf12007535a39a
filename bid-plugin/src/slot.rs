//! The state of one handle's value, shared by both handle tables: is it live, which
//! generation holds it, how many borrowed uses are running. A release waits for those uses
//! to end, so one thread releasing a handle never frees what another thread is reading.
//!
//! The whole state is one atomic word, `generation << 32 | LIVE | readers`: a borrowed use
//! is one compare-exchange in and one subtraction out, with no lock.

use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::{Condvar, Mutex, PoisonError};

const LIVE: u64 = 1 << 31;
const READERS: u64 = LIVE - 1;

/// One value of a handle table and the protocol around it.
pub(crate) struct Slot<T> {
    state: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
}

impl<T> Slot<T> {
    /// An empty slot whose next value gets `generation`.
    pub(crate) const fn empty(generation: u32) -> Slot<T> {
        Slot {
            state: AtomicU64::new((generation as u64) << 32),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// A live slot holding `value` (pointer tables, generation 0).
    pub(crate) const fn full(value: T) -> Slot<T> {
        Slot {
            state: AtomicU64::new(LIVE),
            value: UnsafeCell::new(MaybeUninit::new(value)),
        }
    }

    /// The generation an empty slot gives its next value.
    pub(crate) fn generation(&self) -> u32 {
        (self.state.load(Relaxed) >> 32) as u32
    }

    /// Stores `value` and makes the slot live under its current generation.
    ///
    /// # Safety
    ///
    /// The slot is empty and the caller owns it alone (it came off the free list).
    pub(crate) unsafe fn fill(&self, value: T) {
        // SAFETY: an empty slot is read by nobody: borrows and takes need LIVE.
        unsafe { (*self.value.get()).write(value) };
        let generation = self.state.load(Relaxed) & !(LIVE | READERS);
        self.state.store(generation | LIVE, Release);
    }

    /// Starts a borrowed use if the slot is live with `generation`.
    pub(crate) fn try_borrow(&self, generation: u32) -> bool {
        let expected = (u64::from(generation) << 32) | LIVE;
        let mut state = self.state.load(Relaxed);
        loop {
            if state & !READERS != expected {
                return false;
            }
            if state & READERS == READERS {
                // 2^31 borrows at once can only be leaked guards: not a state to go on from.
                crate::guard::die(format_args!("a handle has 2^31 borrowed uses at once"));
            }
            match self
                .state
                .compare_exchange_weak(state, state + 1, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Ends the value's life as a handle if it is live with `generation`: from here every
    /// borrow and take of it fails, and the caller alone may [`Slot::take_closed`].
    pub(crate) fn try_close(&self, generation: u32) -> bool {
        let expected = (u64::from(generation) << 32) | LIVE;
        let mut state = self.state.load(Relaxed);
        loop {
            if state & !READERS != expected {
                return false;
            }
            match self
                .state
                .compare_exchange_weak(state, state & !LIVE, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Waits for the borrowed uses that started before the close, then moves the value out
    /// and leaves the slot empty for `next_generation`.
    ///
    /// # Safety
    ///
    /// The caller's [`Slot::try_close`] returned true, and this is its only call since.
    pub(crate) unsafe fn take_closed(&self, drain: &Drain, next_generation: u32) -> T {
        if self.state.load(Acquire) & READERS != 0 {
            drain.wait_while(|| self.state.load(Acquire) & READERS != 0);
        }
        // SAFETY: the slot was live (so filled) and is closed (so no new reader), the last
        // reader is gone (the Acquire load above saw 0 after its Release), and the caller
        // closed it, so nobody else takes it.
        let value = unsafe { (*self.value.get()).assume_init_read() };
        self.state.store(u64::from(next_generation) << 32, Release);
        value
    }

    /// Drops the value if the slot is live; for a table being dropped.
    pub(crate) fn drop_value(&mut self) {
        if *self.state.get_mut() & LIVE != 0 {
            // SAFETY: live means filled; `&mut self` means nobody borrows it.
            unsafe { self.value.get_mut().assume_init_drop() };
            *self.state.get_mut() &= !LIVE;
        }
    }
}

/// Where a release waits for the borrowed uses of a closed slot; touched only when a
/// release meets a running use, so the fast path never locks it.
pub(crate) struct Drain {
    lock: Mutex<()>,
    done: Condvar,
}

impl Drain {
    pub(crate) const fn new() -> Drain {
        Drain {
            lock: Mutex::new(()),
            done: Condvar::new(),
        }
    }

    fn wait_while(&self, busy: impl Fn() -> bool) {
        // The last reader notifies under the same lock after its decrement, so a check made
        // under the lock cannot miss it.
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        while busy() {
            guard = self
                .done
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn notify(&self) {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.done.notify_all();
    }
}

thread_local! {
    /// Borrowed uses this thread holds, so a take that would wait for its own thread fails
    /// loudly instead of waiting forever.
    static HELD: Cell<usize> = const { Cell::new(0) };
}

/// Panics if this thread holds a borrowed use: a take would wait for it, forever if it is
/// the same handle. Shims take transferred handles before they borrow any.
pub(crate) fn check_no_borrow_held() {
    let held = HELD.with(Cell::get);
    assert!(
        held == 0,
        "bid-plugin: a handle is taken while this thread holds {held} borrowed handle(s); \
         shims must take transferred handles before borrowing any (a glue bug)"
    );
}

/// A borrowed use of a handle's value, for the length of one call: while it lives, a
/// release of the handle waits, and the value stays where it is.
///
/// Not `Send`: it is one call's borrow, and ends on the thread that started it.
pub struct Ref<'a, T> {
    /// A pointer, not a reference: a pointer table frees the slot as soon as the count this
    /// guard gives back reaches 0, which can be before `drop` returns.
    slot: NonNull<Slot<T>>,
    drain: &'a Drain,
    _value: PhantomData<&'a T>,
}

impl<'a, T> Ref<'a, T> {
    /// A guard for a use [`Slot::try_borrow`] started.
    pub(crate) fn new(slot: &'a Slot<T>, drain: &'a Drain) -> Ref<'a, T> {
        HELD.with(|held| held.set(held.get() + 1));
        Ref {
            slot: NonNull::from(slot),
            drain,
            _value: PhantomData,
        }
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard counts as a reader, so the slot is neither freed nor taken and
        // its value, filled while live, is initialised and only read.
        unsafe { (*self.slot.as_ref().value.get()).assume_init_ref() }
    }
}

impl<T> Drop for Ref<'_, T> {
    fn drop(&mut self) {
        HELD.with(|held| held.set(held.get() - 1));
        // SAFETY: the slot is valid until the decrement below gives up this reader, and only
        // its atomic state is referenced; after it this function touches only `drain`, which
        // the table owns (Arc's pattern).
        let state = unsafe { &(*self.slot.as_ptr()).state };
        let previous = state.fetch_sub(1, Release);
        if previous & LIVE == 0 && previous & READERS == 1 {
            self.drain.notify();
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}
