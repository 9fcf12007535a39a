//! Fuzzing for bid, on stable Rust: mutators over BID text, an in-process executor with
//! panic, parse and time oracles, a campaign loop with a watchdog, a supervisor that turns
//! crashes into findings, a reducer, and a generator of random valid BID files for the
//! compile property test.

pub mod campaign;
pub mod compile;
pub mod exec;
pub mod findings;
pub mod mutate;
pub mod reduce;
pub mod rng;
pub mod shadow;
pub mod supervise;
pub mod valid;
pub mod words;
