//! The `bid` command line.

#[allow(dead_code, reason = "the lead wires `bid layout` into the command")]
mod layout;

fn main() {}
