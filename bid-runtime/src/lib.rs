//! What bid-generated host code calls: plugin loading, argument and result checks,
//! zero-copy plugin-owned values, the ownership ledger and the audit.
//!
//! Generated code holds one [`Library`] per box and calls it through the hidden
//! `__private` module; users see [`Audit`], the error types and the plugin-owned values.
//!
//! - Loading resolves every method symbol (and `<prefix>_bid_free` when a method returns a
//!   transferred buffer) and reports all missing ones in one [`LoadError::SymbolsMissing`].
//!   If the plugin exports `<prefix>_bid_signature`, its text is compared with the bindings'
//!   per method. The format (version 0) is line oriented: `bid-signature 0`, then
//!   `interface <namespace.name> <version|->`, then one `fn <method> ...` line per method;
//!   a method whose line differs or is missing is named in [`LoadError::SignatureMismatch`].
//!   Extra methods in the plugin and a different version alone are accepted.
//! - Results are checked (negative length, null with a length, invalid UTF-8, a bool other
//!   than 0/1, a misaligned array, a non-zero status) and become [`CallError`]s, never UB
//!   or a panic. Transferred buffers become [`PluginString`] / [`PluginBytes`] /
//!   [`PluginSlice`], freed exactly once on drop.
//! - The ledger tracks transferred handles of types with a `release` method: a released
//!   handle passed again or released twice is refused before the plugin is called.
//! - [`Audit`] counts every call on per-thread shards (no locked instruction on the call
//!   path). `BID_AUDIT=path.jsonl` or [`Audit::trace_to`] adds a JSON-lines trace whose
//!   lines satisfy [`TRACE_SCHEMA`]; the `tracing` feature also sends the events to
//!   `tracing` (target `bid::audit`).

use std::ffi::c_void;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

#[doc(hidden)]
pub mod __private;
mod audit;
mod error;
mod ledger;
mod load;
mod trace;
mod values;

pub use audit::{Audit, AuditSnapshot};
pub use error::{
    CallError, CallErrorKind, CallSite, HandleId, LoadError, SignatureMismatch, TraceError,
    status_name,
};
pub use trace::{Host, TRACE_SCHEMA, host};
pub use values::{PluginBytes, PluginSlice, PluginString};

/// What every generated method returns: its value, or why the call failed.
pub type CallResult<T> = Result<T, CallError>;

use __private::{InterfaceMeta, MethodMeta};
use ledger::Ledger;

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

/// `void <prefix>_bid_free(void* ptr, int32_t len)`.
type FreeFn = unsafe extern "C" fn(*mut c_void, i32);

/// A loaded plugin: the shared library, its resolved symbols, its audit and ledger.
///
/// Dropping it reports every handle and buffer still live as a leak, writes the
/// `ffi.unload` summary, flushes the trace, then unloads the library.
pub struct Library {
    meta: &'static InterfaceMeta,
    /// `meta`'s methods, decoded.
    methods: &'static [MethodMeta],
    path: Arc<Path>,
    /// Method addresses, by method index.
    symbols: Box<[*const c_void]>,
    free: Option<FreeFn>,
    audit: Audit,
    ledger: Ledger,
    /// Declared last: unloaded after everything that may point into it.
    _lib: libloading::Library,
}

// SAFETY: the raw pointers are addresses of functions of the loaded library, immutable after
// `open`; every mutable state is atomic or behind a mutex. Whether the plugin's functions
// may be called from several threads is the generated box's decision (`thread_safe`).
unsafe impl Send for Library {}
// SAFETY: as above.
unsafe impl Sync for Library {}

impl Library {
    /// The path the library was loaded from (absolute when it could be resolved).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The audit of every call made through this library.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The interface's `namespace.name`.
    pub fn interface(&self) -> &'static str {
        self.meta.name
    }

    /// Frees a transferred buffer of `method` with the plugin's free function.
    pub(crate) fn release_buffer(&self, method: usize, ptr: *mut c_void, len: i32) {
        if let Some(free) = self.free {
            // SAFETY: `ptr`/`len` are what the plugin returned for a transferred buffer,
            // freed once (the owning value is consumed by its drop).
            unsafe { free(ptr, len) };
            if let Some(live) = self.audit.live_buffers.get(method) {
                live.fetch_sub(1, Relaxed);
            }
        }
    }

    fn report_leaks(&self) {
        let meta = self.meta;
        for live in self.ledger.live() {
            self.audit.leaks.fetch_add(1, Relaxed);
            let mut extra = String::from(",\"leak\":{\"kind\":\"handle\",\"type\":");
            let name = meta.handles.get(live.handle_type).map_or("?", |h| h.name);
            trace::json_str(&mut extra, name);
            extra.push_str(&format!(",\"raw\":{},\"count\":1}}", live.raw));
            self.audit
                .event("ffi.leak", live.produced_by, "leak", 0, &extra);
        }
        for (method, live) in self.audit.live_buffers.iter().enumerate() {
            let n = live.load(Relaxed);
            if n > 0 {
                self.audit.leaks.fetch_add(n, Relaxed);
                let extra = format!(",\"leak\":{{\"kind\":\"buffer\",\"count\":{n}}}");
                self.audit
                    .event("ffi.leak", Some(method), "leak", 0, &extra);
            }
        }
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        self.report_leaks();
        let s = self.audit.snapshot();
        let status = if s.leaks > 0 {
            "leak"
        } else if s.double_releases > 0 {
            "double_release"
        } else {
            "ok"
        };
        let summary = format!(
            ",\"summary\":{{\"total\":{},\"ok\":{},\"failed\":{},\"borrowed_results\":{},\"transferred_results\":{},\"null_results\":{},\"leaks\":{},\"double_releases\":{},\"live_handles\":{},\"live_buffers\":{},\"trace_errors\":{}}}",
            s.total,
            s.ok,
            s.failed,
            s.borrowed_results,
            s.transferred_results,
            s.null_results,
            s.leaks,
            s.double_releases,
            s.live_handles,
            s.live_buffers,
            s.trace_errors
        );
        self.audit.event("ffi.unload", None, status, 0, &summary);
        let _ = self.audit.flush_trace();
    }
}

/// `include!`s `$OUT_DIR/<stem>.rs` written by `bid_build::Builder`.
#[macro_export]
macro_rules! include_bindings {
    ($stem:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $stem, ".rs"));
    };
}
