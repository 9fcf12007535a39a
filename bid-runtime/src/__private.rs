//! What only generated code may use: the metadata it writes, the library it opens and the
//! call it makes. Not part of the semver-stable API.

pub use crate::call::Call;
pub use crate::handles::HandleState;
pub use crate::library::{Library, open};
pub use crate::meta::{Effect, HandleMeta, InterfaceMeta, MethodMeta, Ownership, Value};
pub use crate::serial::SerialGuard;
