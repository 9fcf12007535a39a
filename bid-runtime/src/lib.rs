//! What bid-generated host code calls: plugin loading, argument and result checks,
//! zero-copy plugin-owned values, the ownership ledger and the audit.
//!
//! CONTRACT SKELETON: signatures here are fixed; bodies are the runtime helper's work.

#![allow(unused_variables, reason = "skeleton")]

use std::ffi::{OsStr, c_void};
use std::marker::PhantomData;
use std::path::Path;

#[doc(hidden)]
pub mod __private;

/// `typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;`
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BidBuf {
    /// Start of the buffer (may be null only when `len == 0`).
    pub ptr: *mut c_void,
    /// Length in bytes (strings, bytes) or elements (arrays).
    pub len: i32,
}

impl BidBuf {
    /// An empty buffer, for out-params.
    pub const EMPTY: BidBuf = BidBuf {
        ptr: std::ptr::null_mut(),
        len: 0,
    };
}

/// A loaded plugin: the shared library, its resolved symbols, its audit and ledger.
pub struct Library {
    _todo: (),
}

impl Library {
    /// The path the library was loaded from.
    pub fn path(&self) -> &Path {
        todo!()
    }
    /// The audit of every call made through this library.
    pub fn audit(&self) -> &Audit {
        todo!()
    }
}

/// Counters of one loaded box, and the optional trace.
pub struct Audit {
    _todo: (),
}

/// A copy of the audit counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditSnapshot {
    /// Calls made.
    pub total: u64,
    /// Calls that returned `Ok`.
    pub ok: u64,
    /// Calls that returned `Err` (refused before the plugin, or a bad result).
    pub failed: u64,
    /// Borrowed buffer results (copied).
    pub borrowed_results: u64,
    /// Transferred buffer and handle results.
    pub transferred_results: u64,
    /// Null/empty buffer results.
    pub null_results: u64,
    /// Handles and buffers still live when the box was dropped.
    pub leaks: u64,
    /// Releases of an already released handle (refused).
    pub double_releases: u64,
    /// Handles currently held.
    pub live_handles: u64,
    /// Transferred buffers currently held.
    pub live_buffers: u64,
}

impl Audit {
    /// Counters now.
    pub fn snapshot(&self) -> AuditSnapshot {
        todo!()
    }
    /// `ok / total`, 1.0 with no calls.
    pub fn pass_rate(&self) -> f64 {
        todo!()
    }
}

/// A plugin-allocated UTF-8 string, freed with `<prefix>_bid_free` on drop.
pub struct PluginString<'a> {
    _lib: PhantomData<&'a Library>,
}

/// Plugin-allocated bytes, freed with `<prefix>_bid_free` on drop.
pub struct PluginBytes<'a> {
    _lib: PhantomData<&'a Library>,
}

/// A plugin-allocated array, freed with `<prefix>_bid_free` on drop.
pub struct PluginSlice<'a, T> {
    _lib: PhantomData<&'a [T]>,
}

/// Loading a plugin failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// placeholder
    Todo,
}

/// A call was refused or its result was bad.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallError {
    /// placeholder
    Todo,
}

/// `include!`s `$OUT_DIR/<stem>.rs` written by `bid_build::Builder`.
#[macro_export]
macro_rules! include_bindings {
    ($stem:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $stem, ".rs"));
    };
}

#[allow(dead_code, reason = "skeleton")]
fn _unused(_: &OsStr) {}
