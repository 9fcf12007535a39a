//! The argument decoders refuse every input the ABI forbids, and name the problem.

use bid_plugin::__private::{
    BidBuf, Fault, bool_arg, bytes_arg, cstr_arg, out_arg, slice_arg, str_arg,
};
use bid_plugin::Status;
use std::ffi::c_char;
use std::ptr;

fn refused<T: std::fmt::Debug>(r: Result<T, Fault>, status: Status, text: &str) {
    let fault = r.expect_err("refused");
    assert_eq!(fault.status(), status);
    assert_eq!(Status::from(fault), status);
    assert!(fault.to_string().contains(text), "{fault} lacks {text:?}");
}

#[test]
fn strings_decode_and_refuse() {
    let s = "héllo";
    // SAFETY: the pointer and length of a live `&str`.
    let got = unsafe { str_arg("s", s.as_ptr().cast(), s.len() as i32) };
    assert_eq!(got, Ok("héllo"));
    // SAFETY: null with length 0 is allowed.
    assert_eq!(unsafe { str_arg("s", ptr::null(), 0) }, Ok(""));

    let bad = [b'o', b'k', 0xff, b'!'];
    // SAFETY: `bad` is 4 readable bytes.
    let r = unsafe { str_arg("key", bad.as_ptr().cast(), 4) };
    refused(
        r,
        Status::InvalidArg,
        "argument `key`: invalid UTF-8 after byte 2",
    );
    // A length that cuts a multi-byte character is invalid too.
    // SAFETY: 2 readable bytes of `s`.
    let r = unsafe { str_arg("key", s.as_ptr().cast(), 2) };
    refused(r, Status::InvalidArg, "invalid UTF-8 after byte 1");
    // SAFETY: refused before any read.
    let r = unsafe { str_arg("key", ptr::null(), 3) };
    refused(
        r,
        Status::InvalidArg,
        "argument `key`: null pointer with length 3",
    );
    // SAFETY: refused before any read.
    let r = unsafe { str_arg("key", s.as_ptr().cast(), -1) };
    refused(r, Status::InvalidArg, "negative length -1");
}

#[test]
fn bytes_and_arrays_decode_and_refuse() {
    let data = [1u8, 2, 3];
    // SAFETY: 3 readable bytes.
    assert_eq!(unsafe { bytes_arg("b", data.as_ptr(), 3) }, Ok(&data[..]));
    // SAFETY: refused before any read.
    let r = unsafe { bytes_arg("b", data.as_ptr(), i32::MIN) };
    refused(r, Status::InvalidArg, "negative length");

    let values = [10i64, 20, 30, 40];
    // SAFETY: 4 readable elements.
    assert_eq!(
        unsafe { slice_arg("v", values.as_ptr(), 4) },
        Ok(&values[..])
    );
    // SAFETY: null with length 0 is allowed.
    assert_eq!(
        unsafe { slice_arg::<i64>("v", ptr::null(), 0) },
        Ok(&[][..])
    );
    // SAFETY: refused before any read.
    let r = unsafe { slice_arg::<f64>("v", ptr::null(), 1) };
    refused(r, Status::InvalidArg, "null pointer with length 1");

    // One byte into an i64 array: misaligned for i64.
    let misaligned = values.as_ptr().cast::<u8>().wrapping_add(1).cast::<i64>();
    // SAFETY: refused before any read.
    let r = unsafe { slice_arg("values", misaligned, 2) };
    refused(
        r,
        Status::InvalidArg,
        "argument `values`: pointer not aligned to 8 bytes",
    );
    // With length 0 nothing is read, so the pointer does not matter.
    // SAFETY: no element is read.
    assert_eq!(unsafe { slice_arg("values", misaligned, 0) }, Ok(&[][..]));
}

#[test]
fn c_strings_refuse_null() {
    let s = c"name";
    // SAFETY: a live NUL-terminated string.
    assert_eq!(unsafe { cstr_arg("n", s.as_ptr()) }, Ok(s));
    // SAFETY: refused before any read.
    let r = unsafe { cstr_arg("n", ptr::null::<c_char>()) };
    refused(r, Status::InvalidArg, "argument `n`: null pointer");
}

#[test]
fn bools_are_only_zero_and_one() {
    assert_eq!(bool_arg("b", 0), Ok(false));
    assert_eq!(bool_arg("b", 1), Ok(true));
    for bad in [2, -1, 256, i32::MIN] {
        refused(
            bool_arg("flag", bad),
            Status::InvalidArg,
            "is not a bool (0 or 1)",
        );
    }
    refused(
        bool_arg("flag", 2),
        Status::InvalidArg,
        "argument `flag`: 2 is not a bool",
    );
}

#[test]
fn out_params_refuse_null_and_misaligned() {
    let mut buf = BidBuf::EMPTY;
    // SAFETY: a live, writable out-param.
    let out = unsafe { out_arg("out", &mut buf) }.expect("valid");
    out.write(BidBuf {
        ptr: ptr::null_mut(),
        len: 7,
    });
    assert_eq!(buf.len, 7);
    // SAFETY: refused before any write.
    let r = unsafe { out_arg::<i32>("out", ptr::null_mut()) };
    refused(r, Status::InvalidArg, "argument `out`: null pointer");
    let mut word = [0u64; 2];
    let misaligned = word.as_mut_ptr().cast::<u8>().wrapping_add(2).cast::<u64>();
    // SAFETY: refused before any write.
    let r = unsafe { out_arg("out", misaligned) };
    refused(r, Status::InvalidArg, "not aligned to 8 bytes");
}

#[test]
fn a_plugin_failure_keeps_its_status() {
    let fault = Fault::from(Status::NotFound);
    assert_eq!(fault.status(), Status::NotFound);
    assert_eq!(fault.to_string(), "failed with status -2 (not_found)");
    let other = Status::from_code(-77).expect("a failure");
    assert_eq!(Fault::from(other).status().code(), -77);
}
