//! The errors a load or a call can end with, each naming the library, symbol and method.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use bid_abi::SignatureMismatch;

/// An error and its sources, `: `-separated (libloading keeps the OS message in a source).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

/// Where a call happened: enough to find the offending plugin function.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CallSite {
    /// The absolute path of the loaded library.
    pub library: Arc<Path>,
    /// The interface's `namespace.name`.
    pub interface: &'static str,
    /// The method as written in the BID file.
    pub method: &'static str,
    /// The exported C symbol of that method.
    pub symbol: &'static str,
}

/// The method, its symbol and its interface; the library's path is in the load error, the
/// audit trace and [`CallSite::library`], not in every call's message.
impl fmt::Display for CallSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "method `{}` of `{}` (symbol `{}`)",
            self.method, self.interface, self.symbol
        )
    }
}

/// A handle as the ledger knows it: its BID type and raw value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleId {
    /// The handle type's name as written in the BID file.
    pub type_name: &'static str,
    /// The raw value (pointer handles as their address).
    pub raw: i64,
}

impl fmt::Display for HandleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.type_name, self.raw)
    }
}

/// Loading a plugin failed.
///
/// `Debug` prints the same text as `Display`, so `fn main() -> Result<(), LoadError>` reports
/// the reason readably; match on the variants for the details.
#[non_exhaustive]
pub enum LoadError {
    /// The library does not exist or the OS loader refused it.
    Open {
        /// The path given to `load`.
        library: PathBuf,
        /// The OS loader's message.
        message: String,
    },
    /// Method symbols (or `<prefix>_bid_free`) the bindings need are not exported.
    SymbolsMissing {
        /// The library.
        library: PathBuf,
        /// The interface's `namespace.name`.
        interface: &'static str,
        /// Every missing symbol, in declaration order.
        symbols: Vec<&'static str>,
    },
    /// The plugin's `<prefix>_bid_signature` differs from the bindings' signature.
    SignatureMismatch {
        /// The library.
        library: PathBuf,
        /// The interface's `namespace.name`.
        interface: &'static str,
        /// Each changed or missing method.
        mismatches: Vec<SignatureMismatch>,
    },
    /// The load required a signature and the plugin exports no `<prefix>_bid_signature`.
    SignatureMissing {
        /// The library.
        library: PathBuf,
        /// The interface's `namespace.name`.
        interface: &'static str,
        /// The signature symbol it does not export.
        symbol: &'static str,
    },
    /// `<prefix>_bid_signature` returned something that is not a signature.
    BadSignature {
        /// The library.
        library: PathBuf,
        /// The signature symbol.
        symbol: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The `BID_AUDIT` trace file could not be opened.
    Trace {
        /// The library.
        library: PathBuf,
        /// The trace error.
        error: TraceError,
    },
}

impl LoadError {
    /// The stable diagnostic code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Open { .. } => "ffi.load.open",
            LoadError::SymbolsMissing { .. } => "ffi.contract.symbol_missing",
            LoadError::SignatureMissing { .. } => "ffi.contract.signature_missing",
            LoadError::SignatureMismatch { .. } | LoadError::BadSignature { .. } => {
                "ffi.type_mismatch"
            }
            LoadError::Trace { .. } => "bid.audit.trace",
        }
    }
}

impl fmt::Debug for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        match self {
            LoadError::Open { library, message } => write!(
                f,
                "error[{code}]: cannot load plugin `{}`: {message}",
                library.display()
            ),
            LoadError::SymbolsMissing {
                library,
                interface,
                symbols,
            } => {
                write!(
                    f,
                    "error[{code}]: plugin `{}` does not export {} symbol{} of interface `{interface}`: ",
                    library.display(),
                    symbols.len(),
                    if symbols.len() == 1 { "" } else { "s" }
                )?;
                for (i, s) in symbols.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{s}`")?;
                }
                Ok(())
            }
            LoadError::SignatureMismatch {
                library,
                interface,
                mismatches,
            } => {
                write!(
                    f,
                    "error[{code}]: plugin `{}` was built against a different `{interface}`:",
                    library.display()
                )?;
                for m in mismatches {
                    write!(f, "\n  {m}")?;
                }
                f.write_str(
                    "\n  = help: rebuild the plugin against the current BID file or regenerate the bindings",
                )
            }
            LoadError::SignatureMissing {
                library,
                interface,
                symbol,
            } => write!(
                f,
                "error[{code}]: plugin `{}` does not export `{symbol}`, and the load requires the signature of `{interface}`\n  = help: build the plugin from the BID file's header (it defines the signature), or load without requiring it",
                library.display()
            ),
            LoadError::BadSignature {
                library,
                symbol,
                reason,
            } => write!(
                f,
                "error[{code}]: `{symbol}` of plugin `{}` is not a BID signature: {reason}",
                library.display()
            ),
            LoadError::Trace { library, error } => write!(
                f,
                "error[{code}]: loading `{}`: BID_AUDIT: {error}",
                library.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Trace { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What went wrong in a call: the cause inside a [`CallError`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CallErrorKind {
    /// A string, bytes or array argument is longer than `i32::MAX` (bytes or elements).
    ArgumentTooLong {
        /// Where.
        site: CallSite,
        /// The parameter name.
        param: &'static str,
        /// Its length.
        len: usize,
    },
    /// The plugin returned a null pointer with a non-zero length.
    NullWithLength {
        /// Where.
        site: CallSite,
        /// The length it returned.
        len: i32,
    },
    /// The plugin returned NULL for a `cstr` result that is not `nullable`.
    NullString {
        /// Where.
        site: CallSite,
    },
    /// The plugin returned NULL for a `repr: pointer` handle that is not `nullable`: a handle
    /// that names nothing, never tracked as live.
    NullHandle {
        /// Where.
        site: CallSite,
        /// The handle type's name as written in the BID file.
        type_name: &'static str,
    },
    /// The plugin returned a negative length.
    NegativeLength {
        /// Where.
        site: CallSite,
        /// The length it returned.
        len: i32,
    },
    /// A returned buffer is too large for this host's address space.
    ResultTooLarge {
        /// Where.
        site: CallSite,
        /// The element count it returned.
        len: i32,
    },
    /// The plugin returned a string that is not UTF-8 (a transferred one was freed).
    InvalidUtf8 {
        /// Where.
        site: CallSite,
        /// Where the bytes stop being UTF-8.
        error: std::str::Utf8Error,
    },
    /// The plugin returned a `bool` other than 0 or 1.
    InvalidBool {
        /// Where.
        site: CallSite,
        /// The value.
        value: i32,
    },
    /// The plugin returned an array pointer not aligned for its element type.
    Misaligned {
        /// Where.
        site: CallSite,
        /// The address.
        addr: usize,
        /// The alignment the element type needs.
        align: usize,
    },
    /// A `fallible` method returned a non-zero status.
    Status {
        /// Where.
        site: CallSite,
        /// The status code.
        code: i32,
        /// Its name (`invalid_arg`, `not_found`, ..., or `unknown`).
        name: &'static str,
    },
    /// A released handle was passed again; refused before reaching the plugin.
    UseAfterRelease {
        /// Where (the method refused).
        site: CallSite,
        /// The handle.
        handle: HandleId,
        /// The method that released it earlier.
        released_by: &'static str,
    },
    /// An owned handle of another box of the same interface was passed; refused before
    /// reaching the plugin (each box's plugin knows only its own handles).
    ForeignHandle {
        /// Where.
        site: CallSite,
        /// The handle.
        handle: HandleId,
    },
    /// A released handle was released again; refused before reaching the plugin.
    DoubleRelease {
        /// Where (the releasing method refused).
        site: CallSite,
        /// The handle.
        handle: HandleId,
        /// The method that released it earlier.
        released_by: &'static str,
    },
}

impl CallErrorKind {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CallErrorKind::ArgumentTooLong { .. } => "ffi.arg.too_long",
            CallErrorKind::NullWithLength { .. } => "ffi.result.null_with_length",
            CallErrorKind::NullString { .. } => "ffi.result.null_string",
            CallErrorKind::NullHandle { .. } => "ffi.result.null_handle",
            CallErrorKind::NegativeLength { .. } => "ffi.result.negative_length",
            CallErrorKind::ResultTooLarge { .. } => "ffi.result.too_large",
            CallErrorKind::InvalidUtf8 { .. } => "ffi.result.invalid_utf8",
            CallErrorKind::InvalidBool { .. } => "ffi.result.invalid_bool",
            CallErrorKind::Misaligned { .. } => "ffi.result.misaligned",
            CallErrorKind::Status { .. } => "ffi.status",
            CallErrorKind::UseAfterRelease { .. } => "ffi.use_after_release",
            CallErrorKind::DoubleRelease { .. } => "ffi.double_release",
            CallErrorKind::ForeignHandle { .. } => "ffi.handle.foreign",
        }
    }

    /// The call this error belongs to.
    pub fn site(&self) -> &CallSite {
        match self {
            CallErrorKind::ArgumentTooLong { site, .. }
            | CallErrorKind::NullWithLength { site, .. }
            | CallErrorKind::NullString { site }
            | CallErrorKind::NullHandle { site, .. }
            | CallErrorKind::NegativeLength { site, .. }
            | CallErrorKind::ResultTooLarge { site, .. }
            | CallErrorKind::InvalidUtf8 { site, .. }
            | CallErrorKind::InvalidBool { site, .. }
            | CallErrorKind::Misaligned { site, .. }
            | CallErrorKind::Status { site, .. }
            | CallErrorKind::UseAfterRelease { site, .. }
            | CallErrorKind::DoubleRelease { site, .. }
            | CallErrorKind::ForeignHandle { site, .. } => site,
        }
    }

    /// The audit status of a call that ended with this error.
    pub(crate) fn audit_status(&self) -> &'static str {
        match self {
            CallErrorKind::DoubleRelease { .. } => "double_release",
            CallErrorKind::UseAfterRelease { .. } | CallErrorKind::ForeignHandle { .. } => {
                "ownership_mismatch"
            }
            _ => "error",
        }
    }
}

impl fmt::Display for CallErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}: ", self.code(), self.site())?;
        match self {
            CallErrorKind::ArgumentTooLong { param, len, .. } => {
                write!(f, "argument `{param}` is {len} long, more than i32::MAX")?
            }
            CallErrorKind::NullWithLength { len, .. } => {
                write!(f, "the plugin returned a null pointer with length {len}")?
            }
            CallErrorKind::NullString { .. } => write!(
                f,
                "the plugin returned NULL for a C string (the BID file does not say `nullable: true`)"
            )?,
            CallErrorKind::NullHandle { type_name, .. } => write!(
                f,
                "the plugin returned a NULL `{type_name}` handle (the BID file does not say \
                 `nullable: true`)"
            )?,
            CallErrorKind::NegativeLength { len, .. } => {
                write!(f, "the plugin returned a negative length {len}")?
            }
            CallErrorKind::ResultTooLarge { len, .. } => write!(
                f,
                "the plugin returned {len} elements, too large for this host"
            )?,
            CallErrorKind::InvalidUtf8 { error, .. } => {
                write!(f, "the plugin returned a string that is not UTF-8: {error}")?
            }
            CallErrorKind::InvalidBool { value, .. } => write!(
                f,
                "the plugin returned {value} for a bool (only 0 or 1 are allowed)"
            )?,
            CallErrorKind::Misaligned { addr, align, .. } => write!(
                f,
                "the plugin returned an array at {addr:#x}, not aligned to {align} bytes"
            )?,
            CallErrorKind::Status { code, name, .. } => {
                write!(f, "the plugin returned status {code} ({name})")?
            }
            CallErrorKind::UseAfterRelease {
                handle,
                released_by,
                ..
            } => write!(
                f,
                "handle {handle} was already released by `{released_by}`; refused before reaching the plugin"
            )?,
            CallErrorKind::ForeignHandle { handle, .. } => write!(
                f,
                "handle {handle} belongs to another box of this interface; refused before reaching the plugin"
            )?,
            CallErrorKind::DoubleRelease {
                handle,
                released_by,
                ..
            } => write!(
                f,
                "handle {handle} was already released by `{released_by}`; a second release was refused before reaching the plugin"
            )?,
        }
        Ok(())
    }
}

impl std::error::Error for CallErrorKind {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallErrorKind::InvalidUtf8 { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A call was refused or its result was bad.
///
/// One pointer wide, so `Result<T, CallError>` of a scalar `T` comes back in registers and
/// the success path of a generated call costs nothing for the error it could have been.
/// Match on [`CallError::kind`].
#[derive(Clone)]
pub struct CallError(Box<CallErrorKind>);

impl CallError {
    /// What went wrong.
    pub fn kind(&self) -> &CallErrorKind {
        &self.0
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> CallErrorKind {
        *self.0
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// The call this error belongs to.
    pub fn site(&self) -> &CallSite {
        self.0.site()
    }

    pub(crate) fn audit_status(&self) -> &'static str {
        self.0.audit_status()
    }
}

impl From<CallErrorKind> for CallError {
    #[cold]
    fn from(kind: CallErrorKind) -> Self {
        CallError(Box::new(kind))
    }
}

/// The `Display` text, so `main` returning a `CallError` prints it readably; `{:#?}` shows
/// the [`CallErrorKind`].
impl fmt::Debug for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            fmt::Debug::fmt(&self.0, f)
        } else {
            fmt::Display::fmt(&self.0, f)
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

/// A trace file could not be opened or written. `Debug` prints the `Display` text.
#[non_exhaustive]
pub struct TraceError {
    /// The trace file.
    pub path: PathBuf,
    /// What the OS said.
    pub source: std::io::Error,
}

impl fmt::Debug for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write the audit trace `{}`: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for TraceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
