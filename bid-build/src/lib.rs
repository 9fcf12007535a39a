//! build.rs helper: runs bid-schema over BID files and writes the bindings to `$OUT_DIR`.

#[cfg(feature = "verify")]
pub mod verify;
#[cfg(feature = "verify")]
pub use verify::{
    Mismatch, VerifiedTarget, VerifiedType, VerifyError, libclang_available, records_header,
    verify_layouts, verify_layouts_for,
};
