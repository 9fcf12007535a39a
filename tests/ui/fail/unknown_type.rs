//! A BID error becomes one `compile_error!` on the path literal carrying the rendered
//! diagnostic; the stub module keeps the rest of the crate quiet.

#[bid_macros::bid_interface("ui/fail/unknown_type.bid.yaml")]
pub mod files {}

fn main() {}
