//! Items only generated glue may use. Not part of the semver-stable API: the generator and
//! this crate change them together.
//!
//! A shim is a few lines: the guard of its kind ([`fallible`] or [`infallible`]) around the
//! instance holder ([`Serialized::with`] or [`Shared::with`]), the checked decoders for its
//! arguments (`*_arg`, handle tables' `take` then `borrow`), the trait call, and the result
//! handed out ([`HandleTable::insert`], [`give_vec`], `out.write(...)`). Every decoder and
//! encoder returns a [`Fault`], which `?` carries to the guard; the guard turns it into a
//! status or an abort.
//!
//! Order inside a shim: check the out-param and decode every argument, **take** transferred
//! handles before **borrowing** any (a take waits for borrows of its handle, and panics if
//! its own thread holds one), then call the plugin.

use std::ffi::{CStr, c_char};

pub use crate::args::{Plain, bool_arg, bytes_arg, cstr_arg, out_arg, slice_arg, str_arg};
pub use crate::buffer::{
    BidBuf, free, free_ptr, give_cstring, give_string, give_vec, lend_string, lend_vec, refer,
};
pub use crate::fault::Fault;
pub use crate::guard::{fallible, infallible};
pub use crate::handles::{HandleRepr, HandleTable};
pub use crate::instance::{Serialized, Shared};
pub use crate::pointer::PointerTable;
pub use crate::slot::Ref;

/// `const char* <prefix>_bid_signature(void)`: the embedded signature text as the C string
/// the export returns. Static, so the host never frees it.
pub const fn signature(text: &'static CStr) -> *const c_char {
    text.as_ptr()
}
