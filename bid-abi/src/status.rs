//! The status codes a `fallible` method returns: 0 is success, the named negative codes come
//! from the BID plan, and any other value is a failure too.

use core::fmt;
use core::num::NonZeroI32;

/// One row of the status table: what the C header `#define`s and the runtimes print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusInfo {
    /// The value returned across the boundary.
    pub code: i32,
    /// The C macro the header defines (`BID_E_NOT_FOUND`).
    pub c_name: &'static str,
    /// The short name errors and traces print (`not_found`).
    pub name: &'static str,
    /// One line of meaning, for the header's comments and the docs.
    pub meaning: &'static str,
}

/// Every named status, success first, then by descending code.
pub const STATUSES: [StatusInfo; 10] = [
    row(0, "BID_OK", "ok", "success"),
    row(
        -1,
        "BID_E_INVALID_ARG",
        "invalid_arg",
        "an argument is out of range or malformed",
    ),
    row(
        -2,
        "BID_E_NOT_FOUND",
        "not_found",
        "the named thing does not exist",
    ),
    row(-3, "BID_E_IO", "io", "an I/O operation failed"),
    row(-4, "BID_E_NO_MEMORY", "no_memory", "an allocation failed"),
    row(
        -5,
        "BID_E_BAD_HANDLE",
        "bad_handle",
        "a handle is unknown or already released",
    ),
    row(
        -6,
        "BID_E_UNSUPPORTED",
        "unsupported",
        "the operation is not supported",
    ),
    row(
        -7,
        "BID_E_BUFFER_TOO_SMALL",
        "buffer_too_small",
        "a caller-provided buffer is too small",
    ),
    row(
        -8,
        "BID_E_STATE",
        "state",
        "the object is in the wrong state for this call",
    ),
    row(
        -9,
        "BID_E_INTERNAL",
        "internal",
        "a bug or broken invariant in the plugin",
    ),
];

const fn row(
    code: i32,
    c_name: &'static str,
    name: &'static str,
    meaning: &'static str,
) -> StatusInfo {
    StatusInfo {
        code,
        c_name,
        name,
        meaning,
    }
}

/// The short name of a status code (`not_found`), `unknown` for a code without a name.
pub fn status_name(code: i32) -> &'static str {
    match STATUSES.iter().find(|s| s.code == code) {
        Some(s) => s.name,
        None => "unknown",
    }
}

/// A failed status: one of the named codes, or any other non-zero value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// `BID_E_INVALID_ARG` (-1).
    InvalidArg,
    /// `BID_E_NOT_FOUND` (-2).
    NotFound,
    /// `BID_E_IO` (-3).
    Io,
    /// `BID_E_NO_MEMORY` (-4).
    NoMemory,
    /// `BID_E_BAD_HANDLE` (-5).
    BadHandle,
    /// `BID_E_UNSUPPORTED` (-6).
    Unsupported,
    /// `BID_E_BUFFER_TOO_SMALL` (-7).
    BufferTooSmall,
    /// `BID_E_STATE` (-8).
    State,
    /// `BID_E_INTERNAL` (-9).
    Internal,
    /// A failure code without a name. Never 0, which is success.
    Other(NonZeroI32),
}

impl Status {
    /// The status a code means; `None` for 0 (success).
    pub const fn from_code(code: i32) -> Option<Status> {
        Some(match code {
            -1 => Status::InvalidArg,
            -2 => Status::NotFound,
            -3 => Status::Io,
            -4 => Status::NoMemory,
            -5 => Status::BadHandle,
            -6 => Status::Unsupported,
            -7 => Status::BufferTooSmall,
            -8 => Status::State,
            -9 => Status::Internal,
            other => match NonZeroI32::new(other) {
                Some(n) => Status::Other(n),
                None => return None,
            },
        })
    }

    /// The code returned across the boundary (never 0).
    pub const fn code(self) -> i32 {
        match self {
            Status::InvalidArg => -1,
            Status::NotFound => -2,
            Status::Io => -3,
            Status::NoMemory => -4,
            Status::BadHandle => -5,
            Status::Unsupported => -6,
            Status::BufferTooSmall => -7,
            Status::State => -8,
            Status::Internal => -9,
            Status::Other(n) => n.get(),
        }
    }

    /// The short name (`not_found`), `unknown` for [`Status::Other`].
    pub fn name(self) -> &'static str {
        status_name(self.code())
    }

    /// The C macro of a named status (`BID_E_NOT_FOUND`), `unknown` for [`Status::Other`].
    pub fn c_name(self) -> &'static str {
        match STATUSES.iter().find(|s| s.code == self.code()) {
            Some(s) => s.c_name,
            None => "unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {} ({})", self.code(), self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_code_round_trips() {
        assert_eq!(Status::from_code(0), None);
        for s in &STATUSES[1..] {
            let status = Status::from_code(s.code).expect("a failure code");
            assert_eq!(status.code(), s.code);
            assert_eq!(status.name(), s.name);
            assert_eq!(status.c_name(), s.c_name);
            assert!(!matches!(status, Status::Other(_)), "{} has a name", s.code);
        }
    }

    #[test]
    fn other_codes_are_failures_without_a_name() {
        for code in [-10, 1, i32::MIN, i32::MAX] {
            let s = Status::from_code(code).expect("non-zero is a failure");
            assert!(matches!(s, Status::Other(_)));
            assert_eq!(s.code(), code);
            assert_eq!(s.name(), "unknown");
        }
    }

    #[test]
    fn the_table_is_sorted_and_unique() {
        for pair in STATUSES.windows(2) {
            assert!(pair[0].code > pair[1].code);
        }
        assert!(STATUSES.iter().all(|s| s.c_name.starts_with("BID_")));
    }
}
