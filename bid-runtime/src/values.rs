//! Zero-copy plugin-owned results, released with `<prefix>_bid_free` exactly once on drop.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use crate::library::Library;

/// `typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;`: how a buffer comes back
/// from a plugin, through a trailing out-parameter.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BidBuf {
    /// Start of the buffer (may be null only when `len == 0`).
    pub ptr: *mut std::ffi::c_void,
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

/// Who frees a transferred buffer: the library that produced it, and the producing method
/// (for the live-buffer count and leak reports).
pub(crate) struct Owner<'a> {
    pub(crate) lib: &'a Library,
    pub(crate) method: usize,
}

impl Owner<'_> {
    /// Gives the result back to the plugin: `(ptr, len)` as it returned them.
    pub(crate) fn release(self, ptr: *mut std::ffi::c_void, len: i32) {
        self.lib.release_buffer(self.method, ptr, len);
    }
}

/// The raw parts shared by the three value types.
struct Raw<'a, T> {
    ptr: NonNull<T>,
    len: usize,
    /// `None`: nothing to free (empty result).
    owner: Option<Owner<'a>>,
}

impl<T> Raw<'_, T> {
    fn slice(&self) -> &[T] {
        // SAFETY: `from_raw`'s contract: `ptr` is valid and aligned for `len` elements until
        // drop (or dangling with `len == 0`).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> Drop for Raw<'_, T> {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.take() {
            // `len` came from an `i32` the plugin returned, so it fits.
            let len = i32::try_from(self.len).unwrap_or(i32::MAX);
            owner.release(self.ptr.as_ptr().cast(), len);
        }
    }
}

/// A plugin-allocated UTF-8 string, freed with `<prefix>_bid_free(ptr, len)` on drop
/// (`len` in bytes, as the plugin returned it). It borrows the box, so it cannot outlive it.
/// Not `Send`: the plugin's free runs on the thread that owns the value.
pub struct PluginString<'a> {
    raw: Raw<'a, u8>,
}

/// Plugin-allocated bytes, freed with `<prefix>_bid_free(ptr, len)` on drop (`len` in bytes).
///
/// The value borrows the library, so it can be kept as long as the box:
///
/// ```
/// use bid_runtime::{BidBuf, PluginBytes, __private::Library};
/// fn keep(lib: &Library) -> PluginBytes<'_> {
///     let call = lib.begin(0);
///     // SAFETY: an empty buffer owns nothing.
///     unsafe { call.bytes_ret(BidBuf::EMPTY) }.expect("an empty result is fine")
/// }
/// ```
///
/// but not longer:
///
/// ```compile_fail
/// use bid_runtime::{BidBuf, PluginBytes, __private::Library};
/// fn outlive(lib: Library) -> PluginBytes<'static> {
///     let call = lib.begin(0);
///     // SAFETY: an empty buffer owns nothing.
///     unsafe { call.bytes_ret(BidBuf::EMPTY) }.expect("an empty result is fine")
/// }
/// ```
pub struct PluginBytes<'a> {
    raw: Raw<'a, u8>,
}

/// A plugin-allocated array, freed with `<prefix>_bid_free(ptr, len)` on drop (`len` in
/// elements, as the plugin returned it).
pub struct PluginSlice<'a, T> {
    raw: Raw<'a, T>,
    _t: PhantomData<T>,
}

// SAFETY: shared access only reads the buffer; freeing needs ownership, which `Sync` does not give.
unsafe impl Sync for PluginString<'_> {}
// SAFETY: as above.
unsafe impl Sync for PluginBytes<'_> {}
// SAFETY: as above, for element types that may be shared.
unsafe impl<T: Sync> Sync for PluginSlice<'_, T> {}

impl<'a> PluginBytes<'a> {
    /// # Safety
    /// `ptr` is valid for `len` bytes until freed (or `len == 0` and `owner` is `None`).
    pub(crate) unsafe fn from_raw(ptr: *mut u8, len: usize, owner: Option<Owner<'a>>) -> Self {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        PluginBytes {
            raw: Raw { ptr, len, owner },
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.raw.slice()
    }

    /// A copy that outlives the box.
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    /// Reuses the buffer as a string once it is known to be UTF-8.
    pub(crate) fn into_string(self) -> Result<PluginString<'a>, (Self, std::str::Utf8Error)> {
        match std::str::from_utf8(self.as_bytes()) {
            Ok(_) => Ok(PluginString { raw: self.raw }),
            Err(e) => Err((self, e)),
        }
    }
}

impl PluginString<'_> {
    /// The string.
    pub fn as_str(&self) -> &str {
        // SAFETY: checked to be UTF-8 when built (`PluginBytes::into_string`).
        unsafe { std::str::from_utf8_unchecked(self.raw.slice()) }
    }

    /// A copy that outlives the box.
    pub fn into_owned(self) -> String {
        self.as_str().to_owned()
    }
}

impl<'a, T: Copy> PluginSlice<'a, T> {
    /// # Safety
    /// `ptr` is aligned and valid for `len` elements of `T` until freed (or dangling-free
    /// `len == 0` with `owner` `None`).
    pub(crate) unsafe fn from_raw(ptr: *mut T, len: usize, owner: Option<Owner<'a>>) -> Self {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        PluginSlice {
            raw: Raw { ptr, len, owner },
            _t: PhantomData,
        }
    }

    /// The elements.
    pub fn as_slice(&self) -> &[T] {
        self.raw.slice()
    }

    /// A copy that outlives the box.
    pub fn to_vec(&self) -> Vec<T> {
        self.as_slice().to_vec()
    }
}

impl Deref for PluginString<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Deref for PluginBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl<T: Copy> Deref for PluginSlice<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl AsRef<str> for PluginString<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl AsRef<[u8]> for PluginString<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<str> for PluginString<'_> {
    fn borrow(&self) -> &str {
        self
    }
}

impl AsRef<[u8]> for PluginBytes<'_> {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Borrow<[u8]> for PluginBytes<'_> {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl<T: Copy> AsRef<[T]> for PluginSlice<'_, T> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl fmt::Debug for PluginString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for PluginString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for PluginBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_bytes(), f)
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for PluginSlice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl PartialEq for PluginString<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for PluginString<'_> {}
impl Hash for PluginString<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}
impl PartialEq<str> for PluginString<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for PluginString<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for PluginString<'_> {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<PluginString<'_>> for str {
    fn eq(&self, other: &PluginString<'_>) -> bool {
        self == other.as_str()
    }
}
impl PartialEq<PluginString<'_>> for &str {
    fn eq(&self, other: &PluginString<'_>) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq for PluginBytes<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for PluginBytes<'_> {}
impl Hash for PluginBytes<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}
impl PartialEq<[u8]> for PluginBytes<'_> {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}
impl PartialEq<&[u8]> for PluginBytes<'_> {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_bytes() == *other
    }
}
impl<const N: usize> PartialEq<[u8; N]> for PluginBytes<'_> {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_bytes() == other
    }
}
impl PartialEq<Vec<u8>> for PluginBytes<'_> {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_bytes() == other.as_slice()
    }
}

impl<T: Copy + PartialEq> PartialEq for PluginSlice<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}
impl<T: Copy + PartialEq> PartialEq<[T]> for PluginSlice<'_, T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}
impl<T: Copy + PartialEq> PartialEq<&[T]> for PluginSlice<'_, T> {
    fn eq(&self, other: &&[T]) -> bool {
        self.as_slice() == *other
    }
}
impl<T: Copy + PartialEq> PartialEq<Vec<T>> for PluginSlice<'_, T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}
impl<T: Copy + PartialEq, const N: usize> PartialEq<[T; N]> for PluginSlice<'_, T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.as_slice() == other
    }
}
