//! One call in progress: the checks generated code runs on its arguments and results, and
//! the accounting that ends every call.

use std::cell::Cell;
use std::ffi::{CStr, c_char, c_void};
use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::audit::Counter;
use crate::cstr::PluginCStr;
use crate::error::{CallError, CallErrorKind, CallSite};
use crate::library::Library;
use crate::meta::{HandleMeta, MethodMeta};
use crate::serial::{Serial, SerialGuard};
use crate::values::{BidBuf, Owner, PluginBytes, PluginSlice, PluginString};

impl Library {
    /// Starts a call of method `index`. With tracing on, starts the clock (kept per thread:
    /// nothing but the library and the index is carried across the foreign call, so the
    /// untraced call keeps its registers for the call itself).
    #[inline]
    pub fn begin(&self, index: usize) -> Call<'_> {
        if self.audit.tracing.load(Relaxed) {
            start_clock();
        }
        Call {
            lib: self,
            method: index,
        }
    }

    /// For an interface that is not thread safe: waits until no other thread is calling
    /// into this library, through any box. Generated code takes it before [`Self::begin`]
    /// and holds it to the end of the call, result checks and copies included; thread-safe
    /// interfaces never call it, so their calls carry nothing to drop.
    #[inline]
    pub fn serialize(&self) -> Option<SerialGuard<'_>> {
        self.serial.as_deref().map(Serial::enter)
    }
}

/// One call in progress. Generated code computes a `Result<T, CallError>` for the body,
/// then hands it to `finish`, which counts it (ok or failed) and traces it.
pub struct Call<'a> {
    pub(crate) lib: &'a Library,
    pub(crate) method: usize,
}

thread_local! {
    /// When this thread's traced call began: set by `begin`, taken by `finish`. A thread runs
    /// one foreign call at a time, so one slot is enough.
    static CALL_START: Cell<Option<Instant>> = const { Cell::new(None) };
}

#[cold]
#[inline(never)]
fn start_clock() {
    CALL_START.set(Some(Instant::now()));
}

/// Writes the `ffi.call` line of a finished call.
#[cold]
#[inline(never)]
fn trace_call(lib: &Library, method: usize, err: Option<&CallError>) {
    // One clock read ends the call: its latency, and the line's timestamp.
    let end = Instant::now();
    // No start when tracing was switched on during the call: its latency is unknown, 0.
    let latency = CALL_START.take().map_or(0, |start| {
        u64::try_from(end.saturating_duration_since(start).as_nanos()).unwrap_or(u64::MAX)
    });
    let (status, extra) = match err {
        None => ("ok", String::new()),
        Some(e) => {
            let mut extra = format!(",\"error\":{{\"code\":\"{}\",\"message\":", e.code());
            crate::trace::json_str(&mut extra, &e.to_string());
            extra.push('}');
            (e.audit_status(), extra)
        }
    };
    lib.audit
        .event_at(Some(end), "ffi.call", Some(method), status, latency, &extra);
}

/// The parts of a `bid_buf` result after the common checks.
enum Checked {
    /// `ptr == null && len == 0`.
    Empty,
    /// A non-null pointer and its length (bytes or elements).
    Buf(*mut c_void, usize),
}

impl<'a> Call<'a> {
    /// Counts the call as ok or failed; with tracing on, writes its `ffi.call` line.
    /// With tracing off this is the shard counter update and a relaxed load of the flag.
    #[inline]
    pub fn finish<T>(&self, result: Result<T, CallError>) -> Result<T, CallError> {
        self.lib.audit.bump(if result.is_ok() {
            Counter::Ok
        } else {
            Counter::Failed
        });
        if self.lib.audit.tracing.load(Relaxed) {
            trace_call(self.lib, self.method, result.as_ref().err());
        }
        result
    }

    /// [`Call::finish`] of a call refused by a check: generated code returns this at once.
    #[cold]
    #[inline(never)]
    pub fn fail<T>(&self, error: CallError) -> Result<T, CallError> {
        self.finish(Err(error))
    }

    /// [`Call::finish`] of a call whose value needs no check.
    #[inline]
    pub fn ok<T>(&self, value: T) -> Result<T, CallError> {
        self.finish(Ok(value))
    }

    fn meta(&self) -> &'static MethodMeta {
        &self.lib.meta.methods[self.method]
    }

    /// Where this call happens, for errors.
    #[cold]
    pub(crate) fn site(&self) -> CallSite {
        let m = self.meta();
        CallSite {
            library: self.lib.path.clone(),
            interface: self.lib.meta.name,
            method: m.name,
            symbol: m.symbol,
        }
    }

    #[cold]
    fn too_long(&self, param: &'static str, len: usize) -> CallError {
        CallError::from(CallErrorKind::ArgumentTooLong {
            site: self.site(),
            param,
            len,
        })
    }

    /// A borrowed `&str` argument of parameter `param` (its BID name): refused if longer
    /// than `i32::MAX` bytes.
    #[inline]
    pub fn str_arg(&self, param: &'static str, s: &str) -> Result<(*const u8, i32), CallError> {
        self.bytes_arg(param, s.as_bytes())
    }

    /// A borrowed `&[u8]` argument.
    #[inline]
    pub fn bytes_arg(&self, param: &'static str, b: &[u8]) -> Result<(*const u8, i32), CallError> {
        self.slice_arg(param, b)
    }

    /// A borrowed `&[T]` argument (length in elements).
    #[inline]
    pub fn slice_arg<T>(&self, param: &'static str, s: &[T]) -> Result<(*const T, i32), CallError> {
        match i32::try_from(s.len()) {
            Ok(len) => Ok((s.as_ptr(), len)),
            Err(_) => Err(self.too_long(param, s.len())),
        }
    }

    /// A `bool` result: 0 or 1, anything else is an error.
    #[inline]
    pub fn bool_ret(&self, v: i32) -> Result<bool, CallError> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(CallError::from(CallErrorKind::InvalidBool {
                site: self.site(),
                value,
            })),
        }
    }

    /// The status of a `fallible` method: 0 ok, anything else an error naming the code.
    #[inline]
    pub fn status(&self, code: i32) -> Result<(), CallError> {
        if code == 0 {
            Ok(())
        } else {
            Err(CallError::from(CallErrorKind::Status {
                site: self.site(),
                code,
                name: bid_abi::status_name(code),
            }))
        }
    }

    /// The checks every buffer result gets: no negative length, no null with a length,
    /// a byte size that fits this host.
    fn check(&self, buf: BidBuf, elem_size: usize) -> Result<Checked, CallError> {
        let Ok(len) = usize::try_from(buf.len) else {
            return Err(CallError::from(CallErrorKind::NegativeLength {
                site: self.site(),
                len: buf.len,
            }));
        };
        if buf.ptr.is_null() {
            return if len == 0 {
                self.lib.audit.bump(Counter::Null);
                Ok(Checked::Empty)
            } else {
                Err(CallError::from(CallErrorKind::NullWithLength {
                    site: self.site(),
                    len: buf.len,
                }))
            };
        }
        match len.checked_mul(elem_size) {
            Some(bytes) if bytes <= isize::MAX as usize => Ok(Checked::Buf(buf.ptr, len)),
            _ => Err(CallError::from(CallErrorKind::ResultTooLarge {
                site: self.site(),
                len: buf.len,
            })),
        }
    }

    /// [`Call::check`] of a transferred buffer: one refused with a pointer (a negative length,
    /// a size past this host) is still the host's to give back, exactly as the plugin
    /// returned it, so a refusal leaks nothing.
    fn check_transferred(&self, buf: BidBuf, elem_size: usize) -> Result<Checked, CallError> {
        self.check(buf, elem_size).inspect_err(|_| {
            if !buf.ptr.is_null() {
                self.lib.audit.bump(Counter::Transferred);
                self.lib.free_refused(self.method, buf.ptr, buf.len);
            }
        })
    }

    /// Takes ownership of a transferred buffer: counted live until freed.
    fn owner(&self) -> Owner<'a> {
        let audit = &self.lib.audit;
        audit.bump(Counter::Transferred);
        audit.live_buffers[self.method].fetch_add(1, Relaxed);
        Owner {
            lib: self.lib,
            method: self.method,
        }
    }

    /// A transferred string result (ownership moves to the host; freed on drop). Invalid
    /// UTF-8 is freed first, then reported.
    ///
    /// # Safety
    /// `buf` is what the plugin wrote into the `bid_buf` out-param.
    pub unsafe fn string_ret(&self, buf: BidBuf) -> Result<PluginString<'a>, CallError> {
        // SAFETY: forwarded contract.
        let bytes = unsafe { self.bytes_ret(buf) }?;
        bytes.into_string().map_err(|(bytes, error)| {
            drop(bytes);
            CallError::from(CallErrorKind::InvalidUtf8 {
                site: self.site(),
                error,
            })
        })
    }

    /// A transferred bytes result.
    ///
    /// # Safety
    /// As [`Call::string_ret`].
    pub unsafe fn bytes_ret(&self, buf: BidBuf) -> Result<PluginBytes<'a>, CallError> {
        match self.check_transferred(buf, 1)? {
            // SAFETY: an empty value points nowhere and frees nothing.
            Checked::Empty => Ok(unsafe { PluginBytes::from_raw(std::ptr::null_mut(), 0, None) }),
            // SAFETY: the plugin handed over `len` bytes at `ptr` (the caller's contract).
            Checked::Buf(ptr, len) => {
                Ok(unsafe { PluginBytes::from_raw(ptr.cast(), len, Some(self.owner())) })
            }
        }
    }

    fn aligned<T>(&self, ptr: *mut c_void) -> Result<(), CallError> {
        let align = std::mem::align_of::<T>();
        if (ptr as usize).is_multiple_of(align) {
            Ok(())
        } else {
            Err(CallError::from(CallErrorKind::Misaligned {
                site: self.site(),
                addr: ptr as usize,
                align,
            }))
        }
    }

    /// A transferred array result. A misaligned one is freed (at the address the plugin
    /// returned), then reported.
    ///
    /// # Safety
    /// As [`Call::string_ret`]; `T` is the element type the interface declares.
    pub unsafe fn slice_ret<T: Copy>(&self, buf: BidBuf) -> Result<PluginSlice<'a, T>, CallError> {
        match self.check_transferred(buf, std::mem::size_of::<T>())? {
            // SAFETY: an empty value points nowhere and frees nothing.
            Checked::Empty => Ok(unsafe { PluginSlice::from_raw(std::ptr::null_mut(), 0, None) }),
            Checked::Buf(ptr, len) => {
                let owner = self.owner();
                if let Err(e) = self.aligned::<T>(ptr) {
                    owner.lib.release_buffer(owner.method, ptr, buf.len);
                    return Err(e);
                }
                // SAFETY: aligned, and `len` elements handed over by the plugin.
                Ok(unsafe { PluginSlice::from_raw(ptr.cast(), len, Some(owner)) })
            }
        }
    }

    /// A transferred `cstr` result: NULL is an error, and one that is not UTF-8 is given
    /// back to the plugin, then reported.
    ///
    /// # Safety
    /// `ptr` is what the plugin returned: NULL or a NUL-terminated string the host now owns.
    pub unsafe fn cstr_ret(&self, ptr: *mut c_char) -> Result<PluginCStr<'a>, CallError> {
        match NonNull::new(ptr) {
            // SAFETY: forwarded.
            Some(ptr) => unsafe { self.cstr_owned(ptr) },
            None => Err(self.null_string()),
        }
    }

    /// A transferred `cstr` result of a `nullable` method: NULL is `None`, counted as a null
    /// result.
    ///
    /// # Safety
    /// As [`Call::cstr_ret`].
    pub unsafe fn cstr_ret_nullable(
        &self,
        ptr: *mut c_char,
    ) -> Result<Option<PluginCStr<'a>>, CallError> {
        match NonNull::new(ptr) {
            // SAFETY: forwarded.
            Some(ptr) => unsafe { self.cstr_owned(ptr) }.map(Some),
            None => {
                self.lib.audit.bump(Counter::Null);
                Ok(None)
            }
        }
    }

    /// # Safety
    /// As [`Call::cstr_ret`], not NULL.
    unsafe fn cstr_owned(&self, ptr: NonNull<c_char>) -> Result<PluginCStr<'a>, CallError> {
        // SAFETY: non-null and NUL-terminated (the caller's contract).
        let text = unsafe { CStr::from_ptr(ptr.as_ptr()) };
        let len = text.to_bytes().len();
        if let Err(error) = text.to_str() {
            self.lib.audit.bump(Counter::Transferred);
            self.lib.free_refused(self.method, ptr.as_ptr().cast(), 0);
            return Err(CallError::from(CallErrorKind::InvalidUtf8 {
                site: self.site(),
                error,
            }));
        }
        // SAFETY: `len` bytes then the NUL, UTF-8, owned until the value releases it.
        Ok(unsafe { PluginCStr::from_raw(ptr, len, self.owner()) })
    }

    /// A `cstr` result returned `ownership: reference`: valid while the library is loaded.
    ///
    /// # Safety
    /// `ptr` is NULL or a NUL-terminated string that stays valid and unchanged for `'a`.
    pub unsafe fn cstr_ref(&self, ptr: *const c_char) -> Result<&'a CStr, CallError> {
        if ptr.is_null() {
            return Err(self.null_string());
        }
        // SAFETY: forwarded, not NULL.
        unsafe { self.cstr_borrowed(ptr) }
    }

    /// A `nullable` reference `cstr` result: NULL is `None`, counted as a null result.
    ///
    /// # Safety
    /// As [`Call::cstr_ref`].
    pub unsafe fn cstr_ref_nullable(
        &self,
        ptr: *const c_char,
    ) -> Result<Option<&'a CStr>, CallError> {
        if ptr.is_null() {
            self.lib.audit.bump(Counter::Null);
            return Ok(None);
        }
        // SAFETY: forwarded, not NULL.
        unsafe { self.cstr_borrowed(ptr) }.map(Some)
    }

    /// # Safety
    /// As [`Call::cstr_ref`], not NULL.
    unsafe fn cstr_borrowed(&self, ptr: *const c_char) -> Result<&'a CStr, CallError> {
        // SAFETY: non-null, NUL-terminated, valid for 'a (the caller's contract).
        let text = unsafe { CStr::from_ptr(ptr) };
        match text.to_str() {
            Ok(_) => {
                self.lib.audit.bump(Counter::Borrowed);
                Ok(text)
            }
            Err(error) => Err(CallError::from(CallErrorKind::InvalidUtf8 {
                site: self.site(),
                error,
            })),
        }
    }

    #[cold]
    fn null_string(&self) -> CallError {
        CallError::from(CallErrorKind::NullString { site: self.site() })
    }

    /// A `repr: pointer` handle result of a method that is not `nullable`: NULL names
    /// nothing, so it is an error and never a live handle.
    #[inline]
    pub fn nonnull_handle(
        &self,
        handle: &'static HandleMeta,
        raw: *mut c_void,
    ) -> Result<*mut c_void, CallError> {
        if raw.is_null() {
            Err(self.null_handle(handle))
        } else {
            Ok(raw)
        }
    }

    #[cold]
    fn null_handle(&self, handle: &'static HandleMeta) -> CallError {
        CallError::from(CallErrorKind::NullHandle {
            site: self.site(),
            type_name: handle.name,
        })
    }

    /// A `nullable` handle result that was NULL (or 0): counted as a null result.
    #[inline]
    pub fn null_ret(&self) {
        self.lib.audit.bump(Counter::Null);
    }

    /// Checks a borrowed or reference buffer and views it for `'a`.
    ///
    /// # Safety
    /// `buf` valid for `'a` (reference) or until this function's caller copies it.
    unsafe fn view<T: Copy>(&self, buf: BidBuf) -> Result<&'a [T], CallError> {
        match self.check(buf, std::mem::size_of::<T>())? {
            Checked::Empty => Ok(&[]),
            Checked::Buf(ptr, len) => {
                self.aligned::<T>(ptr)?;
                self.lib.audit.bump(Counter::Borrowed);
                // SAFETY: checked non-null, aligned, size fits; validity is the caller's contract.
                Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<T>(), len) })
            }
        }
    }

    /// A borrowed string result, copied before returning.
    ///
    /// # Safety
    /// As [`Call::string_ret`].
    pub unsafe fn string_ret_copied(&self, buf: BidBuf) -> Result<String, CallError> {
        // SAFETY: forwarded; the view is copied at once.
        let s = unsafe { self.string_ret_ref(buf) }?;
        Ok(s.to_owned())
    }

    /// A borrowed bytes result, copied.
    ///
    /// # Safety
    /// As [`Call::string_ret`].
    pub unsafe fn bytes_ret_copied(&self, buf: BidBuf) -> Result<Vec<u8>, CallError> {
        // SAFETY: forwarded; the view is copied at once.
        Ok(unsafe { self.view::<u8>(buf) }?.to_vec())
    }

    /// A borrowed array result, copied.
    ///
    /// # Safety
    /// As [`Call::slice_ret`].
    pub unsafe fn slice_ret_copied<T: Copy>(&self, buf: BidBuf) -> Result<Vec<T>, CallError> {
        // SAFETY: forwarded; the view is copied at once.
        Ok(unsafe { self.view::<T>(buf) }?.to_vec())
    }

    /// A `reference` string result: static for the library's lifetime.
    ///
    /// # Safety
    /// As [`Call::string_ret`], and the plugin keeps the memory for as long as it is loaded.
    pub unsafe fn string_ret_ref(&self, buf: BidBuf) -> Result<&'a str, CallError> {
        // SAFETY: forwarded.
        let bytes = unsafe { self.view::<u8>(buf) }?;
        std::str::from_utf8(bytes).map_err(|error| {
            CallError::from(CallErrorKind::InvalidUtf8 {
                site: self.site(),
                error,
            })
        })
    }

    /// A `reference` bytes result.
    ///
    /// # Safety
    /// As [`Call::string_ret_ref`].
    pub unsafe fn bytes_ret_ref(&self, buf: BidBuf) -> Result<&'a [u8], CallError> {
        // SAFETY: forwarded.
        unsafe { self.view::<u8>(buf) }
    }

    /// A `reference` array result.
    ///
    /// # Safety
    /// As [`Call::string_ret_ref`].
    pub unsafe fn slice_ret_ref<T: Copy>(&self, buf: BidBuf) -> Result<&'a [T], CallError> {
        // SAFETY: forwarded.
        unsafe { self.view::<T>(buf) }
    }
}
