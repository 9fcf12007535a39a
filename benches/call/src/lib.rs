//! Benchmarks only: see `benches/call.rs`.
