//! Items only generated code may use. Not part of the semver-stable API.
//!
//! CONTRACT between `bid_schema::emit::rust` (which writes calls to these) and the runtime.

use crate::{BidBuf, CallError, Library, LoadError, PluginBytes, PluginSlice, PluginString};
use std::ffi::{OsStr, c_void};

/// Static description of one interface, emitted once per box as a `static`.
#[derive(Debug)]
pub struct InterfaceMeta {
    /// `namespace.name`.
    pub name: &'static str,
    /// The Rust box type name, for messages.
    pub box_name: &'static str,
    /// `<prefix>_bid_free`.
    pub free_symbol: &'static str,
    /// Whether `free_symbol` must be exported (some method returns a transferred buffer).
    pub needs_free: bool,
    /// `<prefix>_bid_signature`.
    pub signature_symbol: &'static str,
    /// The canonical signature text the bindings were generated from.
    pub signature: &'static str,
    /// Handle types; `HandleMeta` index = position here.
    pub handles: &'static [HandleMeta],
    /// Methods in declaration order; the method index used by `Library::begin`.
    pub methods: &'static [MethodMeta],
}

/// A handle type.
#[derive(Debug)]
pub struct HandleMeta {
    /// Type name as written in the YAML.
    pub name: &'static str,
    /// Index of the releasing method.
    pub release: Option<usize>,
}

/// One method.
#[derive(Debug)]
pub struct MethodMeta {
    /// Name as written in the YAML.
    pub name: &'static str,
    /// The exported C symbol.
    pub symbol: &'static str,
    /// `pure | mut | io | control`.
    pub effect: &'static str,
    /// Whether the C function returns an `int32_t` status.
    pub fallible: bool,
    /// Parameters.
    pub params: &'static [ParamMeta],
    /// Return value.
    pub ret: ValueMeta,
}

/// One parameter.
#[derive(Debug)]
pub struct ParamMeta {
    /// Name as written in the YAML.
    pub name: &'static str,
    /// Type and ownership.
    pub value: ValueMeta,
}

/// A value's kind and ownership.
#[derive(Debug, Clone, Copy)]
pub struct ValueMeta {
    /// What crosses.
    pub kind: ValueKind,
    /// `Some` for buffers and handles.
    pub ownership: Option<Ownership>,
    /// For handles: index into `InterfaceMeta::handles`.
    pub handle: Option<usize>,
}

/// What crosses the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Nothing (void return).
    Void,
    /// `int32_t` 0/1.
    Bool,
    /// `int32_t`.
    I32,
    /// `int64_t`.
    I64,
    /// `float`.
    F32,
    /// `double`.
    F64,
    /// UTF-8 `(ptr, len)`.
    String,
    /// `(ptr, len)`.
    Bytes,
    /// `(ptr, len)` in elements.
    Array,
    /// A handle.
    Handle,
    /// A record by value.
    Record,
}

/// Who owns a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// See SPEC §6.
    Borrowed,
    /// See SPEC §6.
    Transferred,
    /// See SPEC §6.
    Reference,
}

/// Opens a plugin, resolves every method symbol (reporting all missing ones together),
/// `free_symbol` when `needs_free`, compares `signature_symbol` if exported, opens the
/// `BID_AUDIT` trace if set, records `ffi.load`.
///
/// # Safety
/// Loading runs the library's initialisers; the caller trusts the declared signatures.
pub unsafe fn open(path: &OsStr, meta: &'static InterfaceMeta) -> Result<Library, LoadError> {
    let _ = (path, meta);
    todo!()
}

impl Library {
    /// The resolved address of method `index` (never null after a successful `open`).
    /// Generated code transmutes it once, at load, to the method's `extern "C" fn` type.
    pub fn symbol(&self, index: usize) -> *const c_void {
        let _ = index;
        todo!()
    }

    /// Starts a call of method `index`: starts the clock when tracing is on.
    #[inline]
    pub fn begin(&self, index: usize) -> Call<'_> {
        let _ = index;
        todo!()
    }
}

/// One call in progress. Generated code computes a `Result<T, CallError>` for the body,
/// then hands it to `finish`, which counts it (ok or failed) and traces it.
pub struct Call<'a> {
    /// The library.
    pub lib: &'a Library,
    /// The method index.
    pub method: usize,
}

#[allow(unused_variables, reason = "skeleton")]
impl<'a> Call<'a> {
    /// Counts the call as ok or failed, writes the trace line when tracing is on.
    #[inline]
    pub fn finish<T>(&self, result: Result<T, CallError>) -> Result<T, CallError> {
        todo!()
    }

    /// A borrowed `&str` argument: refused if longer than `i32::MAX` bytes.
    #[inline]
    pub fn str_arg(&self, param: usize, s: &str) -> Result<(*const u8, i32), CallError> {
        todo!()
    }

    /// A borrowed `&[u8]` argument.
    #[inline]
    pub fn bytes_arg(&self, param: usize, b: &[u8]) -> Result<(*const u8, i32), CallError> {
        todo!()
    }

    /// A borrowed `&[T]` argument (length in elements).
    #[inline]
    pub fn slice_arg<T>(&self, param: usize, s: &[T]) -> Result<(*const T, i32), CallError> {
        todo!()
    }

    /// A handle argument (raw value widened to i64; pointer handles as address). Refuses a
    /// released handle; when the parameter is `transferred`, marks it released (a second
    /// release is refused and counted as `double_release`).
    pub fn handle_arg(&self, param: usize, raw: i64) -> Result<(), CallError> {
        todo!()
    }

    /// A handle result: a `transferred` one enters the ledger as live.
    pub fn handle_ret(&self, raw: i64) {
        todo!()
    }

    /// A `bool` result: 0 or 1, anything else is an error.
    #[inline]
    pub fn bool_ret(&self, v: i32) -> Result<bool, CallError> {
        todo!()
    }

    /// The status of a `fallible` method: 0 ok, anything else an error naming the code.
    #[inline]
    pub fn status(&self, code: i32) -> Result<(), CallError> {
        todo!()
    }

    /// A transferred string result (ownership moves to the host; freed on drop).
    ///
    /// # Safety
    /// `buf` is what the plugin wrote into the `bid_buf` out-param.
    pub unsafe fn string_ret(&self, buf: BidBuf) -> Result<PluginString<'a>, CallError> {
        todo!()
    }

    /// A transferred bytes result.
    ///
    /// # Safety
    /// As [`Call::string_ret`].
    pub unsafe fn bytes_ret(&self, buf: BidBuf) -> Result<PluginBytes<'a>, CallError> {
        todo!()
    }

    /// A transferred array result.
    ///
    /// # Safety
    /// As [`Call::string_ret`]; `T` is the element type the interface declares.
    pub unsafe fn slice_ret<T: Copy>(&self, buf: BidBuf) -> Result<PluginSlice<'a, T>, CallError> {
        todo!()
    }

    /// A borrowed string result, copied before returning.
    ///
    /// # Safety
    /// As [`Call::string_ret`].
    pub unsafe fn string_ret_copied(&self, buf: BidBuf) -> Result<String, CallError> {
        todo!()
    }

    /// A borrowed bytes result, copied.
    ///
    /// # Safety
    /// As [`Call::string_ret`].
    pub unsafe fn bytes_ret_copied(&self, buf: BidBuf) -> Result<Vec<u8>, CallError> {
        todo!()
    }

    /// A borrowed array result, copied.
    ///
    /// # Safety
    /// As [`Call::slice_ret`].
    pub unsafe fn slice_ret_copied<T: Copy>(&self, buf: BidBuf) -> Result<Vec<T>, CallError> {
        todo!()
    }

    /// A `reference` string result: static for the library's lifetime.
    ///
    /// # Safety
    /// As [`Call::string_ret`], and the plugin keeps the memory for as long as it is loaded.
    pub unsafe fn string_ret_ref(&self, buf: BidBuf) -> Result<&'a str, CallError> {
        todo!()
    }

    /// A `reference` bytes result.
    ///
    /// # Safety
    /// As [`Call::string_ret_ref`].
    pub unsafe fn bytes_ret_ref(&self, buf: BidBuf) -> Result<&'a [u8], CallError> {
        todo!()
    }

    /// A `reference` array result.
    ///
    /// # Safety
    /// As [`Call::string_ret_ref`].
    pub unsafe fn slice_ret_ref<T: Copy>(&self, buf: BidBuf) -> Result<&'a [T], CallError> {
        todo!()
    }
}
