//! Why a shim could not finish a call, kept precise enough for two different endings: a
//! fallible method returns the status, a non-fallible one aborts with the sentence.

use crate::Status;
use std::fmt;

/// What went wrong in a shim: a broken argument contract, a handle that names nothing, a
/// result the ABI cannot carry, or the plugin's own failure.
///
/// [`Fault::status`] is what a fallible method returns for it; its `Display` is the problem
/// a non-fallible method names before it aborts. `?` turns a plugin's `Err(Status)` into a
/// `Fault`, and [`Status::from`] turns a `Fault` back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The plugin method returned `Err(status)`.
    Failed(Status),
    /// An argument broke the ABI's contract.
    Arg { arg: &'static str, problem: Problem },
    /// An integer handle that is zero, forged, or already released.
    Handle { type_name: &'static str, id: i64 },
    /// A pointer handle that is not registered or already released.
    Pointer {
        type_name: &'static str,
        addr: usize,
    },
    /// A result longer than an `int32_t` length.
    TooLong { len: usize },
    /// A handle table has issued every id its repr can hold.
    Exhausted { type_name: &'static str },
}

/// What is wrong with an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    NegativeLength(i32),
    NullWithLength(i32),
    InvalidUtf8 { valid_up_to: usize },
    Misaligned { align: usize },
    Null,
    NotABool(i32),
    TooLarge(i32),
}

impl Fault {
    pub(crate) const fn arg(arg: &'static str, problem: Problem) -> Fault {
        Fault {
            kind: Kind::Arg { arg, problem },
        }
    }

    pub(crate) const fn handle(type_name: &'static str, id: i64) -> Fault {
        Fault {
            kind: Kind::Handle { type_name, id },
        }
    }

    pub(crate) fn pointer(type_name: &'static str, addr: usize) -> Fault {
        Fault {
            kind: Kind::Pointer { type_name, addr },
        }
    }

    pub(crate) const fn too_long(len: usize) -> Fault {
        Fault {
            kind: Kind::TooLong { len },
        }
    }

    pub(crate) const fn exhausted(type_name: &'static str) -> Fault {
        Fault {
            kind: Kind::Exhausted { type_name },
        }
    }

    /// The status a fallible method returns for this fault: `BID_E_INVALID_ARG` for a broken
    /// argument, `BID_E_BAD_HANDLE` for a handle that names nothing, `BID_E_INTERNAL` for a
    /// result too long to return, `BID_E_NO_MEMORY` when no handle id is left, and the
    /// plugin's own status for its failures.
    pub const fn status(&self) -> Status {
        match self.kind {
            Kind::Failed(status) => status,
            Kind::Arg { .. } => Status::InvalidArg,
            Kind::Handle { .. } | Kind::Pointer { .. } => Status::BadHandle,
            Kind::TooLong { .. } => Status::Internal,
            Kind::Exhausted { .. } => Status::NoMemory,
        }
    }
}

impl From<Status> for Fault {
    fn from(status: Status) -> Fault {
        Fault {
            kind: Kind::Failed(status),
        }
    }
}

impl From<Fault> for Status {
    fn from(fault: Fault) -> Status {
        fault.status()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Failed(status) => write!(f, "failed with {status}"),
            Kind::Arg { arg, problem } => write!(f, "argument `{arg}`: {problem}"),
            Kind::Handle { type_name, id } => write!(
                f,
                "handle {id} of type `{type_name}` is unknown or already released"
            ),
            Kind::Pointer { type_name, addr } => write!(
                f,
                "handle {addr:#x} of type `{type_name}` is unknown or already released"
            ),
            Kind::TooLong { len } => write!(
                f,
                "the result has {len} elements, more than an int32_t length can carry"
            ),
            Kind::Exhausted { type_name } => write!(
                f,
                "no handle id left for type `{type_name}`: the table has issued every id its repr can hold"
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Problem::NegativeLength(len) => write!(f, "negative length {len}"),
            Problem::NullWithLength(len) => write!(f, "null pointer with length {len}"),
            Problem::InvalidUtf8 { valid_up_to } => {
                write!(f, "invalid UTF-8 after byte {valid_up_to}")
            }
            Problem::Misaligned { align } => {
                write!(f, "pointer not aligned to {align} bytes")
            }
            Problem::Null => f.write_str("null pointer"),
            Problem::NotABool(value) => write!(f, "{value} is not a bool (0 or 1)"),
            Problem::TooLarge(len) => {
                write!(f, "{len} elements do not fit this process's address space")
            }
        }
    }
}

impl std::error::Error for Fault {}
