//! `bid-fuzz`: fuzz bid from the command line.

fn main() {}
