//! What bid-generated plugin glue calls: a Rust plugin implements the trait the generator
//! writes from a BID file, and `export!` defines the C symbols the host loads, each a small
//! shim over this crate.
//!
//! A plugin author sees [`Status`] (the error of a `fallible` method) and [`last_panic`].
//! Everything a shim uses is in the hidden `__private` module. What the shims guarantee:
//!
//! - **Arguments are checked before the plugin sees them.** A negative length, a null
//!   pointer with a length, invalid UTF-8, a misaligned array, a `bool` other than 0/1, a
//!   handle that is unknown or released: a fallible method returns `BID_E_INVALID_ARG` or
//!   `BID_E_BAD_HANDLE` without calling the plugin; a non-fallible one, which cannot report
//!   anything, prints `bid plugin: method `NAME`: PROBLEM` and aborts.
//! - **Panics never cross the C boundary.** In a fallible method a panic returns
//!   `BID_E_INTERNAL`, and its message is kept for [`last_panic`] and printed once; in a
//!   non-fallible method it prints `bid plugin: method `NAME` panicked: MESSAGE` and
//!   aborts. (This needs `panic = "unwind"`, the default; with `abort`, a panic aborts.)
//! - **One instance**, made with `Default` at the first call and kept for the library's life.
//!   Without `thread_safe: true` every call runs alone under one lock; with it, calls run
//!   concurrently and the plugin must be `Sync`. A panic does not poison the instance.
//! - **Handles** returned `transferred` are ids (`repr: i32`/`i64`) or box addresses
//!   (`repr: pointer`) of values the library keeps until the host passes them to the release
//!   method. A released, zero or forged id is refused, even after its slot is reused. A
//!   release that meets a borrowed use of the same handle on another thread waits for it
//!   to end: a value is never dropped while read.
//! - **Buffers** returned `transferred` (`String`, `Vec<T>`, `CString`) stay allocated until
//!   the host frees each through `<prefix>_bid_free` exactly once. A free of a pointer the
//!   library did not hand out, or a second free, frees nothing and prints a message.
//!
//! # Example
//!
//! What `export!` writes for two methods of an interface `demo`, by hand: `open(label:
//! string) -> Tally` (a transferred handle) and `describe(t: Tally) -> string fallible`.
//!
//! ```
//! use bid_plugin::{Status, __private as rt};
//! use std::ffi::{c_char, c_void};
//!
//! // The plugin author's code.
//! #[derive(Default)]
//! struct Demo;
//! struct Tally(String);
//! impl Demo {
//!     fn open(&self, label: &str) -> Tally {
//!         Tally(label.to_owned())
//!     }
//!     fn describe(&self, t: &Tally) -> Result<String, Status> {
//!         if t.0.is_empty() { Err(Status::NotFound) } else { Ok(format!("tally {}", t.0)) }
//!     }
//! }
//!
//! // The glue: the instance and its handle tables, then one shim per method.
//! #[derive(Default)]
//! struct State {
//!     plugin: Demo,
//!     tallies: rt::HandleTable<Tally>,
//! }
//! static INSTANCE: rt::Serialized<State> = rt::Serialized::new();
//!
//! unsafe extern "C" fn demo_open(label: *const c_char, label_len: i32) -> i32 {
//!     rt::infallible("open", || {
//!         INSTANCE.with(|s| {
//!             // SAFETY: the ABI: `label` points to `label_len` bytes for the call.
//!             let label = unsafe { rt::str_arg("label", label, label_len) }?;
//!             s.tallies.insert(s.plugin.open(label))
//!         })
//!     })
//! }
//!
//! unsafe extern "C" fn demo_describe(t: i32, out: *mut rt::BidBuf) -> i32 {
//!     rt::fallible("describe", || {
//!         INSTANCE.with(|s| {
//!             // SAFETY: the ABI: `out` is the caller's out-param.
//!             let out = unsafe { rt::out_arg("out", out) }?;
//!             let t = s.tallies.borrow(t)?;
//!             out.write(rt::give_string(s.plugin.describe(&t)?)?);
//!             Ok(())
//!         })
//!     })
//! }
//!
//! extern "C" fn demo_bid_free(ptr: *mut c_void, len: i32) {
//!     rt::free(ptr, len)
//! }
//!
//! extern "C" fn demo_bid_signature() -> *const c_char {
//!     rt::signature(c"bid-signature 0\ninterface demo -\n")
//! }
//!
//! // The host's side.
//! let label = "hits";
//! // SAFETY: a valid string argument.
//! let tally = unsafe { demo_open(label.as_ptr().cast(), label.len() as i32) };
//! let mut buf = rt::BidBuf::EMPTY;
//! // SAFETY: a valid out-param.
//! assert_eq!(unsafe { demo_describe(tally, &mut buf) }, 0);
//! // SAFETY: the plugin returned `len` bytes at `ptr`, ours until we free them.
//! let text = unsafe { std::slice::from_raw_parts(buf.ptr as *const u8, buf.len as usize) };
//! assert_eq!(text, b"tally hits");
//! demo_bid_free(buf.ptr, buf.len);
//!
//! // SAFETY: a static NUL-terminated string.
//! let signature = unsafe { std::ffi::CStr::from_ptr(demo_bid_signature()) };
//! assert!(signature.to_bytes().starts_with(b"bid-signature 0\n"));
//!
//! // An id the plugin never issued: refused before the plugin runs.
//! // SAFETY: a valid out-param.
//! assert_eq!(unsafe { demo_describe(tally + 1, &mut buf) }, Status::BadHandle.code());
//! ```

#[doc(hidden)]
pub mod __private;
mod addr;
mod args;
mod buffer;
mod fault;
mod guard;
mod handles;
mod instance;
mod pointer;
mod slot;

pub use bid_abi::{STATUSES, Status, StatusInfo, status_name};
pub use fault::Fault;
pub use guard::{PanicReport, last_panic};
pub use handles::{HandleRepr, HandleTable};
pub use pointer::PointerTable;
pub use slot::Ref;

/// `include!`s `$OUT_DIR/<stem>_plugin.rs`, written by `bid_build::Builder::plugin`: the
/// trait `<Box>Plugin`, the records, the handle tables and `export!` of the BID file `<stem>`.
/// Put it in `mod <stem> { }` at the crate root (or tell the builder another module with
/// `plugin_module`).
#[macro_export]
macro_rules! include_plugin {
    ($stem:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $stem, "_plugin.rs"));
    };
}
