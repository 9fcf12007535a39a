//! The `bid` command line.

fn main() {}
