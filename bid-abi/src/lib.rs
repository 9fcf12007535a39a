//! The parts of FFI ABI v0 that both sides of a bid boundary must agree on, kept once.
//!
//! The generator (`bid-schema`) writes them into headers and bindings, the host runtime
//! (`bid-runtime`) and the plugin runtime (`bid-plugin`) read and produce them. Nothing here
//! depends on anything but `std`, so every side can use it.
//!
//! ```
//! use bid_abi::Status;
//! assert_eq!(Status::from_code(-2), Some(Status::NotFound));
//! assert_eq!(Status::NotFound.c_name(), "BID_E_NOT_FOUND");
//! assert_eq!(bid_abi::status_name(-42), "unknown");
//! ```

mod signature;
mod status;

pub use signature::{SIGNATURE_FORMAT_LINE, SignatureMismatch, compare_signatures};
pub use status::{STATUSES, Status, StatusInfo, status_name};

/// Who owns a value that crosses the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ownership {
    /// Valid for the call (parameters) or until the next call into the library (returns).
    Borrowed,
    /// Ownership moves: the receiver releases it exactly once.
    Transferred,
    /// Static for the library's lifetime: nobody releases it.
    Reference,
}

impl Ownership {
    /// The spelling used in BID files, signatures and audit traces.
    pub const fn as_str(self) -> &'static str {
        match self {
            Ownership::Borrowed => "borrowed",
            Ownership::Transferred => "transferred",
            Ownership::Reference => "reference",
        }
    }

    /// Every ownership, in the order messages list them.
    pub const ALL: [Ownership; 3] = [
        Ownership::Borrowed,
        Ownership::Transferred,
        Ownership::Reference,
    ];
}

/// A method's declared effect, from the BID effect system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// No side effects: may be reordered or memoised.
    Pure,
    /// Mutates state of the box.
    Mut,
    /// Performs I/O: program order is kept.
    Io,
    /// Affects control flow.
    Control,
}

impl Effect {
    /// The spelling used in BID files and audit traces.
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::Pure => "pure",
            Effect::Mut => "mut",
            Effect::Io => "io",
            Effect::Control => "control",
        }
    }

    /// Every effect, in the order messages list them.
    pub const ALL: [Effect; 4] = [Effect::Pure, Effect::Mut, Effect::Io, Effect::Control];

    /// The effect spelled `s`.
    pub fn parse(s: &str) -> Option<Effect> {
        Effect::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

impl Ownership {
    /// The ownership spelled `s`.
    pub fn parse(s: &str) -> Option<Ownership> {
        Ownership::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for o in Ownership::ALL {
            assert_eq!(Ownership::parse(o.as_str()), Some(o));
        }
        for e in Effect::ALL {
            assert_eq!(Effect::parse(e.as_str()), Some(e));
        }
        assert_eq!(Ownership::parse("lent"), None);
        assert_eq!(Effect::parse("IO"), None);
    }
}
