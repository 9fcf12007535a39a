//! The checks a shim runs on what the host passed before any of it reaches the plugin as a
//! Rust reference: a foreign caller can send any bits, and a `&str` or `&[T]` made from bad
//! ones is undefined behaviour, not an error.

use crate::fault::{Fault, Problem};
use std::ffi::{CStr, c_char};
use std::mem::MaybeUninit;

/// Element types an `array(T)` argument may be read as: every bit pattern is a valid value,
/// so whatever bytes the host sends, reading them is defined.
///
/// # Safety
///
/// Implement it only for `Copy` types without invalid bit patterns: integers, floats, and
/// `#[repr(C)]` records made only of such fields (what the generator emits for BID records).
/// Not `bool`, `char`, references, enums or `NonZero*`.
pub unsafe trait Plain: Copy + 'static {}

macro_rules! plain {
    ($($t:ty)*) => {$(
        // SAFETY: every bit pattern of a primitive integer or float is a value.
        unsafe impl Plain for $t {}
    )*};
}
plain!(u8 i8 u16 i16 u32 i32 u64 i64 f32 f64);

// SAFETY: a raw pointer has no invalid bit pattern; a `repr: pointer` handle inside an array
// or a record is an opaque value the glue never dereferences.
unsafe impl Plain for *mut std::ffi::c_void {}

/// The `string` argument `(ptr, len)`: `len` bytes of UTF-8, no NUL needed.
///
/// Refused with `BID_E_INVALID_ARG`: a negative `len`, a null `ptr` with `len > 0`, bytes
/// that are not UTF-8. With `len == 0` the result is `""` whatever `ptr` is (null too).
///
/// # Safety
///
/// The ABI's promise: unless `ptr` is null, it points to `len` readable bytes that nobody
/// writes for `'a`, the duration of the call.
pub unsafe fn str_arg<'a>(
    arg: &'static str,
    ptr: *const c_char,
    len: i32,
) -> Result<&'a str, Fault> {
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { slice_arg::<u8>(arg, ptr.cast(), len) }?;
    std::str::from_utf8(bytes).map_err(|e| {
        Fault::arg(
            arg,
            Problem::InvalidUtf8 {
                valid_up_to: e.valid_up_to(),
            },
        )
    })
}

/// The `bytes` argument `(ptr, len)`: the checks of [`slice_arg`] with `u8` elements.
///
/// # Safety
///
/// As for [`slice_arg`].
pub unsafe fn bytes_arg<'a>(
    arg: &'static str,
    ptr: *const u8,
    len: i32,
) -> Result<&'a [u8], Fault> {
    // SAFETY: forwarded from the caller.
    unsafe { slice_arg(arg, ptr, len) }
}

/// The `array(T)` argument `(ptr, len)`, `len` counting elements.
///
/// Refused with `BID_E_INVALID_ARG`: a negative `len`, a null `ptr` with `len > 0`, a `ptr`
/// not aligned for `T` with `len > 0`, a byte size over `isize::MAX`. With `len == 0` the
/// result is `[]` whatever `ptr` is, since nothing is read.
///
/// # Safety
///
/// The ABI's promise: unless `ptr` is null, it points to `len` readable elements that nobody
/// writes for `'a`, the duration of the call.
pub unsafe fn slice_arg<'a, T: Plain>(
    arg: &'static str,
    ptr: *const T,
    len: i32,
) -> Result<&'a [T], Fault> {
    let Ok(n) = usize::try_from(len) else {
        return Err(Fault::arg(arg, Problem::NegativeLength(len)));
    };
    if n == 0 {
        // Nothing is read: any pointer will do, as `len` is authoritative.
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Fault::arg(arg, Problem::NullWithLength(len)));
    }
    if !ptr.is_aligned() {
        let align = align_of::<T>();
        return Err(Fault::arg(arg, Problem::Misaligned { align }));
    }
    // Only a 32-bit target with large records can get here.
    match n.checked_mul(size_of::<T>()) {
        Some(bytes) if bytes <= isize::MAX as usize => {}
        _ => return Err(Fault::arg(arg, Problem::TooLarge(len))),
    }
    // SAFETY: non-null, aligned, a size `from_raw_parts` accepts; the caller promises `n`
    // readable elements for 'a, and `T: Plain` makes any bits a value.
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// A `const char*` argument: NUL-terminated. A null `ptr` is refused with
/// `BID_E_INVALID_ARG`; the bytes are not checked for UTF-8.
///
/// # Safety
///
/// The ABI's promise: unless `ptr` is null, it points to a NUL-terminated string that nobody
/// writes for `'a`, the duration of the call.
pub unsafe fn cstr_arg<'a>(arg: &'static str, ptr: *const c_char) -> Result<&'a CStr, Fault> {
    if ptr.is_null() {
        return Err(Fault::arg(arg, Problem::Null));
    }
    // SAFETY: non-null; the caller promises the rest.
    Ok(unsafe { CStr::from_ptr(ptr) })
}

/// A `bool` argument, which crosses as `int32_t`: 0 or 1, anything else refused with
/// `BID_E_INVALID_ARG`.
pub const fn bool_arg(arg: &'static str, value: i32) -> Result<bool, Fault> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Fault::arg(arg, Problem::NotABool(value))),
    }
}

/// A trailing out-param: refused with `BID_E_INVALID_ARG` if null or misaligned, so a shim
/// checks it with the other arguments, before the plugin runs or a buffer is handed out.
/// Write it last, with [`MaybeUninit::write`]; a failed call leaves it untouched.
///
/// # Safety
///
/// The ABI's promise: unless `ptr` is null, it points to a writable `T` that nobody else
/// touches for `'a`, the duration of the call.
pub unsafe fn out_arg<'a, T>(
    arg: &'static str,
    ptr: *mut T,
) -> Result<&'a mut MaybeUninit<T>, Fault> {
    if ptr.is_null() {
        return Err(Fault::arg(arg, Problem::Null));
    }
    if !ptr.is_aligned() {
        let align = align_of::<T>();
        return Err(Fault::arg(arg, Problem::Misaligned { align }));
    }
    // SAFETY: non-null and aligned; the caller promises a writable `T` for 'a. As
    // `MaybeUninit`, the old contents need not be a valid `T`.
    Ok(unsafe { &mut *ptr.cast::<MaybeUninit<T>>() })
}
