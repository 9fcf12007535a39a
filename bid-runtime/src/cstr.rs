//! Zero-copy C strings a plugin returns: `cstr` results, NUL-terminated UTF-8 `char*`.

use std::ffi::{CStr, c_char};
use std::fmt;
use std::ops::Deref;
use std::ptr::NonNull;

use crate::values::Owner;

/// A NUL-terminated UTF-8 string the plugin allocated and the host owns (a `cstr` returned
/// `ownership: transferred`): read in place, no copy, and released exactly once when it
/// drops, with the method's `free:` function or `<prefix>_bid_free(ptr, 0)`. It borrows the
/// box, so it cannot outlive it.
///
/// Derefs to [`CStr`]; [`PluginCStr::as_str`] gives the text, checked to be UTF-8 when the
/// call returned.
pub struct PluginCStr<'a> {
    ptr: NonNull<c_char>,
    /// Bytes before the NUL.
    len: usize,
    owner: Option<Owner<'a>>,
}

// SAFETY: shared access only reads the string; releasing it needs ownership.
unsafe impl Sync for PluginCStr<'_> {}

impl<'a> PluginCStr<'a> {
    /// # Safety
    /// `ptr` is a NUL-terminated string of `len` bytes before the NUL, valid until `owner`
    /// releases it, and those bytes are UTF-8.
    pub(crate) unsafe fn from_raw(ptr: NonNull<c_char>, len: usize, owner: Owner<'a>) -> Self {
        PluginCStr {
            ptr,
            len,
            owner: Some(owner),
        }
    }

    /// The C string, with its NUL.
    pub fn as_c_str(&self) -> &CStr {
        // SAFETY: `from_raw`'s contract: `len` bytes then a NUL, valid while `self` lives.
        unsafe {
            CStr::from_bytes_with_nul_unchecked(std::slice::from_raw_parts(
                self.ptr.as_ptr().cast::<u8>(),
                self.len + 1,
            ))
        }
    }

    /// The text, without the NUL.
    pub fn as_str(&self) -> &str {
        // SAFETY: checked to be UTF-8 when the call returned.
        unsafe { std::str::from_utf8_unchecked(self.as_c_str().to_bytes()) }
    }

    /// A copy that outlives the box.
    pub fn into_owned(self) -> String {
        self.as_str().to_owned()
    }
}

impl Drop for PluginCStr<'_> {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.take() {
            // A C string is given back with its pointer alone; `<prefix>_bid_free` gets 0.
            owner.release(self.ptr.as_ptr().cast(), 0);
        }
    }
}

impl Deref for PluginCStr<'_> {
    type Target = CStr;
    fn deref(&self) -> &CStr {
        self.as_c_str()
    }
}

impl AsRef<CStr> for PluginCStr<'_> {
    fn as_ref(&self) -> &CStr {
        self
    }
}

impl AsRef<str> for PluginCStr<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for PluginCStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_c_str(), f)
    }
}

impl fmt::Display for PluginCStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for PluginCStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for PluginCStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<CStr> for PluginCStr<'_> {
    fn eq(&self, other: &CStr) -> bool {
        self.as_c_str() == other
    }
}
