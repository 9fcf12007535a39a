//! Compiles every golden `fixtures/valid/*.expected.rs` in its own module, so the
//! generated code type-checks against bid-runtime and its `const` layout assertions run.

include!(concat!(env!("OUT_DIR"), "/goldens.rs"));
