//! A loaded plugin: open the library, resolve every symbol, compare the exported signature,
//! start the trace; report what is still live when it goes.

use std::ffi::{CStr, OsStr, c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::audit::{Audit, SignatureCheck};
use crate::error::{LoadError, error_chain};
use crate::ledger::Ledger;
use crate::meta::InterfaceMeta;
use crate::serial::Serial;
use crate::trace::{self, Sink, TraceState};

/// `void <prefix>_bid_free(void* ptr, int32_t len)`.
type FreeFn = unsafe extern "C" fn(*mut c_void, i32);
/// A method's own `free:` function, `void SYMBOL(void*)`.
type CustomFreeFn = unsafe extern "C" fn(*mut c_void);

/// How a method's transferred result goes back to the plugin.
#[derive(Clone, Copy)]
enum Release {
    /// `<prefix>_bid_free(ptr, len)`, when the plugin exports it.
    BidFree(Option<FreeFn>),
    /// The method's `free:` symbol, called with the pointer alone.
    Custom(CustomFreeFn),
}

/// How a box loads its plugin: `Default` is what `load` does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadOptions {
    require_signature: bool,
}

impl LoadOptions {
    /// The options `load` uses: a plugin without `<prefix>_bid_signature` loads, and its
    /// audit says the signature was not checked.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a plugin must export `<prefix>_bid_signature` to load: without it the load
    /// fails with `ffi.contract.signature_missing`.
    pub fn require_signature(mut self, require: bool) -> Self {
        self.require_signature = require;
        self
    }
}

/// A loaded plugin: the shared library, its resolved symbols, its audit and ledger. Each
/// generated box holds one.
///
/// Dropping it reports every handle and buffer still live as a leak, writes the
/// `ffi.unload` summary, flushes the trace, then unloads the library.
pub struct Library {
    pub(crate) meta: &'static InterfaceMeta,
    signature: SignatureCheck,
    pub(crate) path: Arc<Path>,
    /// The library's call lock, for an interface that is not thread safe.
    pub(crate) serial: Option<Arc<Serial>>,
    /// Method addresses, by method index, until the box copies them into its own table.
    symbols: Box<[*const c_void]>,
    /// By method index: how its transferred result is released.
    releases: Box<[Release]>,
    pub(crate) audit: Audit,
    pub(crate) ledger: Ledger,
    /// Declared last: unloaded after everything that may point into it.
    _lib: libloading::Library,
}

// SAFETY: the raw pointers are addresses of functions of the loaded library, immutable after
// `open`; every mutable state is atomic or behind a mutex. Whether the plugin's functions
// may be called from several threads is the generated box's decision (`thread_safe`).
unsafe impl Send for Library {}
// SAFETY: as above.
unsafe impl Sync for Library {}

/// Opens a plugin, resolves every method symbol (reporting all missing ones together) and
/// `free_symbol` when `needs_free`, compares `signature_symbol` if exported (or refuses a
/// plugin without one, when `options` require it), opens the `BID_AUDIT` trace if set and
/// records `ffi.load`.
///
/// # Safety
/// Loading runs the library's initialisers; the caller trusts the declared signatures.
pub unsafe fn open(
    path: &OsStr,
    meta: &'static InterfaceMeta,
    options: &LoadOptions,
) -> Result<Library, LoadError> {
    let start = Instant::now();
    let given = PathBuf::from(path);
    // SAFETY: the caller accepts running the library's initialisers.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open {
        library: given.clone(),
        message: error_chain(&e),
    })?;
    let abs: Arc<Path> = std::fs::canonicalize(&given)
        .or_else(|_| std::path::absolute(&given))
        .unwrap_or(given)
        .into();

    let mut missing = Vec::new();
    let mut symbols = Vec::with_capacity(meta.methods.len());
    for m in meta.methods {
        // SAFETY: only the address is taken; generated code gives it its declared type.
        let addr = unsafe { lib.get::<*const c_void>(m.symbol) }.map_or(std::ptr::null(), |s| *s);
        if addr.is_null() {
            missing.push(m.symbol);
        }
        symbols.push(addr);
    }
    // SAFETY: the free function's declared type.
    let free = match unsafe { lib.get::<FreeFn>(meta.free_symbol) } {
        Ok(f) => Some(*f),
        Err(_) => {
            if meta.needs_free {
                missing.push(meta.free_symbol);
            }
            None
        }
    };
    let mut releases = Vec::with_capacity(meta.methods.len());
    for m in meta.methods {
        let release = match m.free {
            None => Release::BidFree(free),
            // SAFETY: a `free:` symbol's declared type, `void SYMBOL(void*)`.
            Some(symbol) => match unsafe { lib.get::<CustomFreeFn>(symbol) } {
                Ok(f) => Release::Custom(*f),
                Err(_) => {
                    if !missing.contains(&symbol) {
                        missing.push(symbol);
                    }
                    Release::BidFree(None)
                }
            },
        };
        releases.push(release);
    }
    if !missing.is_empty() {
        return Err(LoadError::SymbolsMissing {
            library: abs.to_path_buf(),
            interface: meta.name,
            symbols: missing,
        });
    }
    // SAFETY: the signature symbol's declared type.
    let signature = unsafe { check_signature(&lib, &abs, meta) }?;
    if signature == SignatureCheck::Absent && options.require_signature {
        return Err(LoadError::SignatureMissing {
            library: abs.to_path_buf(),
            interface: meta.name,
            symbol: meta.signature_symbol,
        });
    }

    let audit = Audit::new(
        meta.methods.len(),
        meta.handles.len(),
        signature,
        TraceState::new(meta, abs.clone()),
    );
    if let Some(trace_path) = std::env::var_os("BID_AUDIT").filter(|p| !p.is_empty()) {
        let sink = Sink::open(Path::new(&trace_path)).map_err(|error| LoadError::Trace {
            library: abs.to_path_buf(),
            error,
        })?;
        audit.trace.replace(Some(sink));
    }
    audit
        .tracing
        .store(audit.trace.subscriber || audit.trace.has_sink(), Relaxed);
    let serial = (!meta.thread_safe).then(|| Serial::of(&abs));
    let library = Library {
        meta,
        signature,
        serial,
        path: abs,
        symbols: symbols.into_boxed_slice(),
        releases: releases.into_boxed_slice(),
        audit,
        ledger: Ledger::default(),
        _lib: lib,
    };
    let latency = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let extra = format!(",\"signature\":\"{}\"", signature.as_str());
    library.audit.event("ffi.load", None, "ok", latency, &extra);
    Ok(library)
}

/// Reads `<prefix>_bid_signature` if exported and compares it.
///
/// # Safety
/// The symbol, if present, is `const char* f(void)` returning a NUL-terminated string.
unsafe fn check_signature(
    lib: &libloading::Library,
    path: &Path,
    meta: &'static InterfaceMeta,
) -> Result<SignatureCheck, LoadError> {
    type SigFn = unsafe extern "C" fn() -> *const c_char;
    // SAFETY: the declared type of the signature symbol.
    let Ok(f) = (unsafe { lib.get::<SigFn>(meta.signature_symbol) }) else {
        return Ok(SignatureCheck::Absent);
    };
    let bad = |reason: String| LoadError::BadSignature {
        library: path.to_path_buf(),
        symbol: meta.signature_symbol,
        reason,
    };
    // SAFETY: see the function's contract.
    let ptr = unsafe { f() };
    if ptr.is_null() {
        return Err(bad("it returned a null pointer".to_owned()));
    }
    // SAFETY: non-null and NUL-terminated per the contract; the library stays loaded.
    let text = unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|e| bad(format!("it is not UTF-8 ({e})")))?;
    let mismatches = bid_abi::compare_signatures(meta.signature, text).map_err(bad)?;
    if mismatches.is_empty() {
        Ok(SignatureCheck::Matched)
    } else {
        Err(LoadError::SignatureMismatch {
            library: path.to_path_buf(),
            interface: meta.name,
            mismatches,
        })
    }
}

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

    /// What the load found of the plugin's signature.
    pub fn signature(&self) -> SignatureCheck {
        self.signature
    }

    /// Every method's resolved address at once, as the generated `#[repr(C)]` struct whose
    /// fields are, in method order, the methods' `unsafe extern "C" fn` types: one copy at
    /// load instead of one statement per method. Such a struct is laid out exactly as the
    /// array of addresses (pointer-sized fields, pointer alignment, no padding), and after a
    /// successful `open` no address is null.
    ///
    /// # Safety
    /// `T` must be that struct for the interface this library was opened with. A `T` of
    /// another size panics instead of reading out of bounds.
    pub unsafe fn fn_table<T>(&self) -> T {
        const { assert!(align_of::<T>() <= align_of::<*const c_void>()) };
        assert_eq!(
            size_of::<T>(),
            size_of_val::<[*const c_void]>(&self.symbols),
            "generated function table does not match the interface's methods"
        );
        // SAFETY: same size (checked), alignment within the buffer's (checked at compile
        // time); the caller vouches that each field has the type of the symbol at its index.
        unsafe { std::ptr::read(self.symbols.as_ptr().cast::<T>()) }
    }

    /// Frees a transferred result of method `method` (a buffer, or a C string with `len`
    /// 0) with the method's release function, and counts it no longer live.
    pub(crate) fn release_buffer(&self, method: usize, ptr: *mut c_void, len: i32) {
        self.give_back(method, ptr, len);
        self.audit.live_buffers[method].fetch_sub(1, Relaxed);
    }

    /// Calls method `method`'s release function on what it returned.
    fn give_back(&self, method: usize, ptr: *mut c_void, len: i32) {
        let _serial = self.serial.as_deref().map(Serial::enter);
        match self.releases[method] {
            // SAFETY: `ptr`/`len` are what the plugin returned for a transferred result,
            // given back once (the owning value is consumed by its drop, or refused before
            // anything owned it).
            Release::BidFree(Some(free)) => unsafe { free(ptr, len) },
            // SAFETY: as above; a `free:` function takes the pointer alone.
            Release::Custom(free) => unsafe { free(ptr) },
            // A library without `<prefix>_bid_free` was loaded for an interface that never
            // transfers a buffer; nothing to call.
            Release::BidFree(None) => {}
        }
    }

    /// Every handle and buffer still live becomes a leak: per handle type, the raw values
    /// the ledger knows (from `into_raw`) one event each, then the rest (forgotten owned
    /// handles) in one event; per method, its buffers.
    /// Gives back a transferred result of method `method` the call refused (a bad length,
    /// invalid UTF-8 in a C string) before anything owned it: the plugin gets exactly the
    /// pointer and length it returned.
    pub(crate) fn free_refused(&self, method: usize, ptr: *mut c_void, len: i32) {
        self.give_back(method, ptr, len);
    }

    fn report_leaks(&self) {
        let raw_live = self.ledger.live();
        for (index, live) in self.audit.live_handles.iter().enumerate() {
            let handle = &self.meta.handles[index];
            let mut left = live.load(Relaxed);
            if left == 0 {
                continue;
            }
            self.audit.leaks.fetch_add(left, Relaxed);
            for known in raw_live.iter().filter(|l| std::ptr::eq(l.handle, handle)) {
                let count = u64::from(known.count).min(left);
                if count == 0 {
                    break;
                }
                left -= count;
                self.leak_event(handle.name, Some(known.raw), count);
            }
            if left > 0 {
                self.leak_event(handle.name, None, left);
            }
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

    fn leak_event(&self, type_name: &str, raw: Option<i64>, count: u64) {
        let mut extra = String::from(",\"leak\":{\"kind\":\"handle\",\"type\":");
        trace::json_str(&mut extra, type_name);
        if let Some(raw) = raw {
            extra.push_str(&format!(",\"raw\":{raw}"));
        }
        extra.push_str(&format!(",\"count\":{count}}}"));
        self.audit.event("ffi.leak", None, "leak", 0, &extra);
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
            ",\"summary\":{{\"total\":{},\"ok\":{},\"failed\":{},\"borrowed_results\":{},\"transferred_results\":{},\"null_results\":{},\"leaks\":{},\"double_releases\":{},\"live_handles\":{},\"live_buffers\":{},\"trace_errors\":{},\"released_by_drop\":{}}}",
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
            s.trace_errors,
            s.released_by_drop
        );
        self.audit.event("ffi.unload", None, status, 0, &summary);
        let _ = self.audit.flush_trace();
    }
}
