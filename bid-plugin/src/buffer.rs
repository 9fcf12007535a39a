//! Buffers a method returns `transferred`: the plugin hands out a Rust allocation and the
//! host gives it back through `<prefix>_bid_free` (or a method's own `free:` symbol). A
//! registry remembers each one, so a free frees exactly what was handed out, once, and a
//! pointer the host got elsewhere, or frees twice, is never passed to the allocator.
//!
//! A free the registry refuses is ignored with a message on stderr, not an abort. An abort
//! is for a call that has no correct way to go on: a non-fallible method with a bad argument
//! has no value it could return. A free of a pointer this library does not own has one: do
//! nothing. The memory stays sound either way; the message names the host's bug.
//!
//! What the registry cannot see: after a buffer is freed, the allocator may give its address
//! to a later buffer, and a second free of the old `(ptr, len)` then frees the new one if its
//! length matches. Only the host's ledger, which knows which value it freed, can catch that.

use crate::addr::{AddrHash, AddrMap};
use crate::fault::Fault;
use std::ffi::{CString, c_char, c_void};
use std::io::Write;
use std::mem::ManuallyDrop;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Mutex, PoisonError};

/// `typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;`, the out-param of a method
/// that returns a buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BidBuf {
    /// Start of the buffer; null only when `len == 0`.
    pub ptr: *mut c_void,
    /// Length in bytes (`string`, `bytes`) or elements (`array(T)`).
    pub len: i32,
}

impl BidBuf {
    /// `{NULL, 0}`: an empty result, which the host does not free.
    pub const EMPTY: BidBuf = BidBuf {
        ptr: std::ptr::null_mut(),
        len: 0,
    };
}

/// How to give back one handed-out allocation.
struct Owned {
    /// The length the host must name when it frees it (0 for a `CString`).
    len: i32,
    capacity: usize,
    release: unsafe fn(*mut c_void, usize, usize),
}

/// Every buffer handed out and not yet freed, by address.
static LIVE: Mutex<AddrMap<Owned>> = Mutex::new(AddrMap::with_hasher(AddrHash));

/// Hands out a `Vec<T>` (`bytes` as `Vec<u8>`, `array(T)`) for a `bid_buf` out-param: its
/// allocation moves to the registry until the host frees it. An empty vector becomes
/// [`BidBuf::EMPTY`] and is dropped now.
///
/// Fails with `BID_E_INTERNAL` (and drops the vector) if its length exceeds `i32::MAX`.
pub fn give_vec<T: Copy>(values: Vec<T>) -> Result<BidBuf, Fault> {
    const {
        assert!(size_of::<T>() != 0, "zero-sized elements share one address");
    }
    if values.is_empty() {
        return Ok(BidBuf::EMPTY);
    }
    let Ok(len) = i32::try_from(values.len()) else {
        return Err(Fault::too_long(values.len()));
    };
    let mut values = ManuallyDrop::new(values);
    let ptr = values.as_mut_ptr().cast::<c_void>();
    register(
        ptr,
        Owned {
            len,
            capacity: values.capacity(),
            release: release_vec::<T>,
        },
    );
    Ok(BidBuf { ptr, len })
}

/// Lends a `Vec<T>` for a `bid_buf` out-param of a method that returns `ownership:
/// borrowed`: the host copies it before its call returns, and this thread keeps it until it
/// lends the next one (or exits). Nothing is registered and nothing is freed by the host.
///
/// Fails with `BID_E_INTERNAL` if its length exceeds `i32::MAX`.
pub fn lend_vec<T: Copy + 'static>(values: Vec<T>) -> Result<BidBuf, Fault> {
    let Ok(len) = i32::try_from(values.len()) else {
        return Err(Fault::too_long(values.len()));
    };
    if len == 0 {
        return Ok(BidBuf::EMPTY);
    }
    let ptr = values.as_ptr().cast_mut().cast::<c_void>();
    // Moving the vector into the box moves no element: `ptr` stays valid.
    LENT.with(|lent| lent.replace(Some(Box::new(values))));
    Ok(BidBuf { ptr, len })
}

/// Lends a `String` as [`lend_vec`] does.
pub fn lend_string(text: String) -> Result<BidBuf, Fault> {
    lend_vec(text.into_bytes())
}

thread_local! {
    /// The last value this thread lent: kept until the next one replaces it.
    static LENT: std::cell::RefCell<Option<Box<dyn std::any::Any>>> =
        const { std::cell::RefCell::new(None) };
}

/// Points a `bid_buf` out-param at data that lives as long as the library, for a method that
/// returns `ownership: reference`. Fails with `BID_E_INTERNAL` if the length exceeds
/// `i32::MAX`.
pub fn refer<T: Copy>(values: &'static [T]) -> Result<BidBuf, Fault> {
    let Ok(len) = i32::try_from(values.len()) else {
        return Err(Fault::too_long(values.len()));
    };
    if len == 0 {
        return Ok(BidBuf::EMPTY);
    }
    Ok(BidBuf {
        ptr: values.as_ptr().cast_mut().cast(),
        len,
    })
}

/// Hands out a `String` for a `bid_buf` out-param (`len` in bytes), as [`give_vec`].
pub fn give_string(text: String) -> Result<BidBuf, Fault> {
    give_vec(text.into_bytes())
}

/// Hands out a `CString` for a `cstr` return: a NUL-terminated `char*` the host frees with
/// `<prefix>_bid_free(ptr, 0)` or the method's `free:` symbol.
pub fn give_cstring(text: CString) -> *mut c_char {
    let ptr = text.into_raw();
    register(
        ptr.cast(),
        Owned {
            len: 0,
            capacity: 0,
            release: release_cstring,
        },
    );
    ptr
}

/// `<prefix>_bid_free(ptr, len)`: frees a buffer handed out by [`give_vec`],
/// [`give_string`] or [`give_cstring`], if `(ptr, len)` is exactly what was handed out
/// (`len` 0 for a `CString`) and not freed yet. Anything else is ignored, with a message on
/// stderr; a null `ptr` (an empty result) is ignored silently.
pub fn free(ptr: *mut c_void, len: i32) {
    take_back(ptr, Some(len));
}

/// A method's own `free:` symbol, `void SYMBOL(void* ptr)`: as [`free`], without a length to
/// check.
pub fn free_ptr(ptr: *mut c_void) {
    take_back(ptr, None);
}

fn register(ptr: *mut c_void, owned: Owned) {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(ptr as usize, owned);
}

fn take_back(ptr: *mut c_void, len: Option<i32>) {
    if ptr.is_null() {
        return;
    }
    let owned = {
        let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
        match (live.get(&(ptr as usize)), len) {
            (None, _) => None,
            (Some(owned), Some(len)) if owned.len != len => {
                let handed_out = owned.len;
                drop(live);
                return refuse(
                    ptr,
                    len,
                    format_args!("it was handed out with length {handed_out}"),
                );
            }
            (Some(_), _) => live.remove(&(ptr as usize)),
        }
    };
    match owned {
        // SAFETY: removed from the registry, so released once; `release` is the function
        // registered with this allocation's own parts.
        Some(owned) => unsafe { (owned.release)(ptr, owned.len as usize, owned.capacity) },
        None => refuse(
            ptr,
            len.unwrap_or(0),
            format_args!("not a buffer this plugin handed out, or already freed"),
        ),
    }
}

/// Refused frees reported so far; after [`REPORTED`], a buggy loop does not flood stderr.
static REFUSED: AtomicU32 = AtomicU32::new(0);
const REPORTED: u32 = 16;

fn refuse(ptr: *mut c_void, len: i32, why: std::fmt::Arguments<'_>) {
    let n = REFUSED.fetch_add(1, Relaxed);
    if n < REPORTED {
        let more = if n + 1 == REPORTED {
            " (further refused frees are not reported)"
        } else {
            ""
        };
        // Nothing to do if stderr is gone.
        let _ = writeln!(
            std::io::stderr().lock(),
            "bid plugin: refused to free {ptr:p} (len {len}): {why}; ignored{more}"
        );
    }
}

/// # Safety
///
/// `(ptr, len, capacity)` are the parts of a `Vec<T>` given up by [`give_vec`].
unsafe fn release_vec<T>(ptr: *mut c_void, len: usize, capacity: usize) {
    // SAFETY: the caller's contract.
    drop(unsafe { Vec::from_raw_parts(ptr.cast::<T>(), len, capacity) });
}

/// # Safety
///
/// `ptr` came from [`CString::into_raw`] in [`give_cstring`].
unsafe fn release_cstring(ptr: *mut c_void, _: usize, _: usize) {
    // SAFETY: the caller's contract.
    drop(unsafe { CString::from_raw(ptr.cast()) });
}
