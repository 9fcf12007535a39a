//! Emitters: a checked [`crate::Model`] in, generated code out. They cannot fail.

pub mod c;
pub mod rust;
pub mod skeleton;
