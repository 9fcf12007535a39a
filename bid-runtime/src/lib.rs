//! What bid-generated host code calls: plugin loading, argument and result checks,
//! zero-copy plugin-owned values, the ownership ledger and the audit.
//!
//! Generated code holds one library per box and calls it through the hidden `__private`
//! module; users see [`Audit`], the error types and the plugin-owned values.
//!
//! - Loading resolves every method symbol (and `<prefix>_bid_free` when a method returns a
//!   transferred buffer) and reports all missing ones in one [`LoadError::SymbolsMissing`].
//!   If the plugin exports `<prefix>_bid_signature`, its text is compared with the bindings'
//!   per method (`bid_abi::compare_signatures`): a method whose line differs or is missing
//!   is named in [`LoadError::SignatureMismatch`]; extra methods in the plugin and a
//!   different interface version alone are accepted.
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

#[doc(hidden)]
pub mod __private;
mod audit;
mod call;
mod error;
mod handles;
mod ledger;
mod library;
mod meta;
mod serial;
mod trace;
mod values;

pub use audit::{Audit, AuditSnapshot, SignatureCheck};
pub use bid_abi::status_name;
pub use error::{
    CallError, CallErrorKind, CallSite, HandleId, LoadError, SignatureMismatch, TraceError,
};
pub use handles::Borrowed;
pub use library::LoadOptions;
pub use trace::{Host, TRACE_SCHEMA, host};
pub use values::{BidBuf, PluginBytes, PluginSlice, PluginString};

/// What every generated method returns: its value, or why the call failed.
pub type CallResult<T> = Result<T, CallError>;

/// `include!`s `$OUT_DIR/<stem>.rs` written by `bid_build::Builder`.
#[macro_export]
macro_rules! include_bindings {
    ($stem:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $stem, ".rs"));
    };
}
