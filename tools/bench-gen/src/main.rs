//! `bid-bench-gen [bid|wit|c] [METHODS]`: prints the same N functions (default 5000) as a BID
//! file, a WIT world or a C header, the inputs of the codegen benchmarks.

fn main() {
    let mut args = std::env::args().skip(1);
    let format = args.next().unwrap_or_else(|| "bid".to_string());
    let n = match args.next().map(|a| a.parse::<usize>()) {
        None => 5000,
        Some(Ok(n)) => n,
        Some(Err(e)) => usage(&e.to_string()),
    };
    let text = match format.as_str() {
        "bid" => bid_bench_gen::bid_yaml(n),
        "wit" => bid_bench_gen::wit(n),
        "c" => bid_bench_gen::c_header(n),
        other => usage(&format!("unknown format `{other}`")),
    };
    print!("{text}");
}

fn usage(why: &str) -> ! {
    eprintln!("usage: bid-bench-gen [bid|wit|c] [METHODS]  ({why})");
    std::process::exit(2);
}
