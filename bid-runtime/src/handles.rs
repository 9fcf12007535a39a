//! Owned handles: the state a generated handle type carries, the plugin-kept handle wrapper,
//! and the checks a call makes on a handle argument or result.
//!
//! A generated handle type (`Store<'a>`) owns the handle: it borrows its box, is neither
//! `Copy` nor `Clone`, is released by moving it into the type's release method or by its
//! drop. The type proves a typed handle live, so its use costs no ledger lookup: the call
//! only checks that the handle belongs to the box it is passed to. A handle made from a plain
//! value (`from_raw`) proves nothing, and the ledger checks it as it checks every raw value.

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::sync::atomic::Ordering::Relaxed;

use crate::audit::Counter;
use crate::call::Call;
use crate::error::{CallError, CallErrorKind, HandleId};
use crate::ledger::Refusal;
use crate::library::Library;
use crate::meta::HandleMeta;

/// Where an owned handle came from, and whether its drop is releasing it. Generated handle
/// types carry one; only generated code reads it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleState(u8);

impl HandleState {
    /// Returned by the plugin to this box: live by construction.
    pub const TYPED: HandleState = HandleState(0);
    /// Made by `from_raw`: checked by the ledger.
    pub const RAW: HandleState = HandleState(1);
    const DROPPING: u8 = 2;

    /// The same handle, being released by its drop.
    pub const fn dropping(self) -> HandleState {
        HandleState(self.0 | Self::DROPPING)
    }

    fn raw(self) -> bool {
        self.0 & Self::RAW.0 != 0
    }

    fn is_dropping(self) -> bool {
        self.0 & Self::DROPPING != 0
    }
}

/// A handle the plugin keeps (a method returned it `ownership: borrowed`): usable wherever
/// its type is borrowed (`&T` through `Deref`), never released by the host, since it cannot
/// be moved out.
pub struct Borrowed<T>(ManuallyDrop<T>);

impl<T> Borrowed<T> {
    #[doc(hidden)]
    pub fn __new(handle: T) -> Self {
        Borrowed(ManuallyDrop::new(handle))
    }
}

impl<T> Deref for Borrowed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Borrowed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Borrowed").field(&*self.0).finish()
    }
}

impl<'a> Call<'a> {
    /// An owned handle argument of type `handle`: `same_box` says whether it belongs to the
    /// box making the call, `raw` is its value widened to `i64` (a pointer's address), and
    /// `release` whether the parameter is `transferred` (the call consumes it; generated code
    /// checks it with [`Call::handle_take`] first and passes `same_box: true` here, once it
    /// has taken the handle apart). A typed handle of this box passes with no lookup; a raw
    /// one is checked by the ledger; another box's handle is refused.
    #[inline]
    pub fn handle_in(
        &self,
        handle: &'static HandleMeta,
        same_box: bool,
        state: HandleState,
        raw: i64,
        release: bool,
    ) -> Result<(), CallError> {
        if same_box && state == HandleState::TYPED {
            if release {
                self.lib.released(handle);
            }
            return Ok(());
        }
        self.handle_in_checked(handle, same_box, state, raw, release)
    }

    #[cold]
    #[inline(never)]
    fn handle_in_checked(
        &self,
        handle: &'static HandleMeta,
        same_box: bool,
        state: HandleState,
        raw: i64,
        release: bool,
    ) -> Result<(), CallError> {
        if !same_box {
            return Err(self.foreign(handle, raw));
        }
        let id = HandleId {
            type_name: handle.name,
            raw,
        };
        if state.is_dropping() {
            self.lib.audit.bump(Counter::Dropped);
        }
        if !state.raw() {
            self.lib.released(handle);
            return Ok(());
        }
        // A raw handle: the ledger knows what was released (only types with a release
        // method are tracked).
        if handle.release.is_none() {
            return Ok(());
        }
        let refusal = match self.lib.ledger.arg(handle, raw, self.method, release) {
            Ok(known) => {
                // A value the ledger never saw was not counted live by this box.
                if release && known {
                    self.lib.released(handle);
                }
                return Ok(());
            }
            Err(r) => r,
        };
        let name = |i: usize| self.lib.meta.methods[i].name;
        Err(CallError::from(match refusal {
            Refusal::UseAfterRelease { released_by } => CallErrorKind::UseAfterRelease {
                site: self.site(),
                handle: id,
                released_by: name(released_by),
            },
            Refusal::DoubleRelease { released_by } => {
                self.lib.audit.double_releases.fetch_add(1, Relaxed);
                let mut extra = String::from(",\"handle\":{\"type\":");
                crate::trace::json_str(&mut extra, handle.name);
                extra.push_str(&format!(",\"raw\":{raw},\"released_by\":"));
                crate::trace::json_str(&mut extra, name(released_by));
                extra.push('}');
                self.lib.audit.event(
                    "ffi.double_release",
                    Some(self.method),
                    "double_release",
                    0,
                    &extra,
                );
                CallErrorKind::DoubleRelease {
                    site: self.site(),
                    handle: id,
                    released_by: name(released_by),
                }
            }
        }))
    }

    /// A transferred handle argument, before the call takes it apart: refuses another box's
    /// handle while the handle is still owned, so its drop releases it through its own box.
    #[inline]
    pub fn handle_take(
        &self,
        handle: &'static HandleMeta,
        same_box: bool,
        raw: i64,
    ) -> Result<(), CallError> {
        if same_box {
            Ok(())
        } else {
            Err(self.foreign(handle, raw))
        }
    }

    #[cold]
    #[inline(never)]
    fn foreign(&self, handle: &'static HandleMeta, raw: i64) -> CallError {
        CallError::from(CallErrorKind::ForeignHandle {
            site: self.site(),
            handle: HandleId {
                type_name: handle.name,
                raw,
            },
        })
    }

    /// A handle result the host now owns (`transferred`): counted live, if its type has a
    /// release method, until released. Returns the state of the new owned handle.
    #[inline]
    pub fn handle_out(&self, handle: &'static HandleMeta) -> HandleState {
        self.lib.audit.bump(Counter::Transferred);
        if handle.release.is_some() {
            self.lib.audit.live_handles[self.lib.handle_index(handle)].fetch_add(1, Relaxed);
        }
        HandleState::TYPED
    }
}

impl Library {
    /// The position of `handle` among this interface's handle types.
    pub(crate) fn handle_index(&self, handle: &'static HandleMeta) -> usize {
        self.meta
            .handles
            .iter()
            .position(|h| std::ptr::eq(h, handle))
            .expect("generated code passes this interface's handle types")
    }

    /// A handle of type `handle` reached its release method.
    fn released(&self, handle: &'static HandleMeta) {
        if handle.release.is_some() {
            self.audit.live_handles[self.handle_index(handle)].fetch_sub(1, Relaxed);
        }
    }

    /// An owned handle becomes a plain value (`into_raw`): still live in the plugin, and from
    /// now on the ledger's to check when it comes back through `from_raw`. A handle that was
    /// made from a plain value goes back to being one: the ledger knows it already.
    #[doc(hidden)]
    pub fn handle_escape(&self, handle: &'static HandleMeta, raw: i64, state: HandleState) {
        if handle.release.is_some() && !state.raw() {
            self.ledger.escape(handle, raw);
        }
    }
}
