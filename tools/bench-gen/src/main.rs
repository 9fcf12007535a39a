//! `bid-bench-gen N`: prints a BID interface with N methods (default 5000) to stdout.

fn main() {
    let n = match std::env::args().nth(1).map(|a| a.parse::<usize>()) {
        None => 5000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: bid-bench-gen [METHODS]  ({e})");
            std::process::exit(2);
        }
    };
    print!("{}", bid_bench_gen::bid_yaml(n));
}
