//! `bid-fuzz`: fuzz bid from the command line, replay a reproducer, or write valid files.
//!
//! ```text
//! bid-fuzz [--seconds N] [--iterations N] [--seed S] [--findings DIR] [--slow-ms MS]
//!          [--hang-secs S] [--in-process] [--progress]
//! bid-fuzz exec [--quiet] [--check-only] FILE...  run files through the pipeline (or only
//!                                      check_source), print what happened and the times
//! bid-fuzz compile [--out DIR] FILE... compile each file's header (gcc, g++) and Rust (cargo)
//! bid-fuzz gen [--count N] [--seed S] [--out DIR]   write random valid BID files
//! ```

use bid_fuzz::campaign::{self, Config, Stats};
use bid_fuzz::compile::{self, Work};
use bid_fuzz::supervise::{self, Plan, Totals};
use bid_fuzz::{exec, rng::Rng, valid};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: bid-fuzz [--seconds N] [--iterations N] [--seed S] [--findings DIR] \
[--slow-ms MS] [--hang-secs S] [--in-process] [--progress]
       bid-fuzz exec [--quiet] [--check-only] FILE...
       bid-fuzz compile [--out DIR] FILE...
       bid-fuzz gen [--count N] [--seed S] [--out DIR]";

fn fail(why: &str) -> ! {
    eprintln!("bid-fuzz: {why}\n{USAGE}");
    std::process::exit(2);
}

/// Every `--flag value` and bare argument, parsed.
#[derive(Default)]
struct Args {
    seconds: Option<f64>,
    iterations: Option<u64>,
    seed: Option<u64>,
    findings: Option<PathBuf>,
    slow_ms: Option<u64>,
    hang_secs: Option<f64>,
    current: Option<PathBuf>,
    stats: Option<PathBuf>,
    count: Option<usize>,
    out: Option<PathBuf>,
    worker: bool,
    in_process: bool,
    progress: bool,
    quiet: bool,
    check_only: bool,
    rest: Vec<String>,
}

fn parse_args() -> Args {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    fn num<T: std::str::FromStr>(flag: &str, v: Option<String>) -> T {
        v.and_then(|v| v.parse().ok())
            .unwrap_or_else(|| fail(&format!("{flag} needs a number")))
    }
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => a.seconds = Some(num(&arg, it.next())),
            "--iterations" => a.iterations = Some(num(&arg, it.next())),
            "--seed" => a.seed = Some(num(&arg, it.next())),
            "--slow-ms" => a.slow_ms = Some(num(&arg, it.next())),
            "--hang-secs" => a.hang_secs = Some(num(&arg, it.next())),
            "--count" => a.count = Some(num(&arg, it.next())),
            "--findings" => a.findings = it.next().map(PathBuf::from),
            "--current" => a.current = it.next().map(PathBuf::from),
            "--stats" => a.stats = it.next().map(PathBuf::from),
            "--out" => a.out = it.next().map(PathBuf::from),
            "--worker" => a.worker = true,
            "--in-process" => a.in_process = true,
            "--progress" => a.progress = true,
            "--quiet" => a.quiet = true,
            "--check-only" => a.check_only = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ if arg.starts_with("--") => fail(&format!("unknown option `{arg}`")),
            _ => a.rest.push(arg),
        }
    }
    a
}

fn main() -> ExitCode {
    let args = parse_args();
    match args.rest.first().map(String::as_str) {
        Some("exec") => exec_files(&args),
        Some("gen") => generate(&args),
        Some("compile") => compile_files(&args),
        Some(other) => fail(&format!("unknown command `{other}`")),
        None => fuzz(&args),
    }
}

fn fuzz(args: &Args) -> ExitCode {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let time = match (args.seconds, args.iterations) {
        (None, None) => Some(Duration::from_secs(60)),
        (s, _) => s.map(Duration::from_secs_f64),
    };
    let findings = args
        .findings
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("findings/campaign"));
    let slow_ms = args.slow_ms.unwrap_or(1_000);
    let hang = Duration::from_secs_f64(args.hang_secs.unwrap_or(10.0));
    if args.worker || args.in_process {
        let config = Config {
            seed,
            time,
            iterations: args.iterations,
            findings,
            slow: (slow_ms > 0).then(|| Duration::from_millis(slow_ms)),
            hang,
            current: args.current.clone(),
            stats_file: args.stats.clone(),
            progress: args.progress,
        };
        let stats = campaign::run(&config);
        if args.worker {
            return ExitCode::SUCCESS;
        }
        let totals = Totals {
            stats,
            workers: 1,
            ..Totals::default()
        };
        return summary(seed, &totals);
    }
    let plan = Plan {
        seed,
        time,
        iterations: args.iterations,
        findings,
        slow_ms,
        hang,
        progress: args.progress,
    };
    eprintln!(
        "bid-fuzz: seed {seed}, findings in {}",
        plan.findings.display()
    );
    let totals = supervise::run(&plan);
    summary(seed, &totals)
}

fn summary(seed: u64, t: &Totals) -> ExitCode {
    let s: &Stats = &t.stats;
    println!(
        "bid-fuzz: seed {seed}: {} executions in {:.1} s = {:.0} exec/s ({} worker(s))",
        s.executions,
        s.elapsed.as_secs_f64(),
        s.rate(),
        t.workers
    );
    println!(
        "  accepted {}, rejected {}, corpus {}",
        s.accepted, s.rejected, s.corpus
    );
    println!(
        "  panics {}, unparsable {}, rebound {}, unescaped {}, slow {}, rejected-valid {}, hangs {}, crashes {}",
        s.panics,
        s.unparsable,
        s.rebound,
        s.unescaped,
        s.slow,
        s.rejected_valid,
        t.hangs,
        t.crashes
    );
    let phases: Vec<String> = exec::PHASES
        .iter()
        .zip(s.phase_time)
        .map(|(p, t)| format!("{} {:.1}", p.name(), t.as_secs_f64()))
        .collect();
    println!(
        "  seconds per phase: {}; on inputs of 64 KiB or more: {:.1}",
        phases.join(", "),
        s.big_time.as_secs_f64()
    );
    println!("  slowest inputs (bid's time):");
    for sl in &s.slowest {
        println!(
            "    {:>8.3} ms  {:<11} {:>9} bytes  {}",
            sl.time.as_secs_f64() * 1e3,
            sl.phase.name(),
            sl.len,
            sl.preview
        );
    }
    if s.new_findings.is_empty() {
        println!("  no new findings");
    } else {
        println!("  new findings:");
        for (f, path) in &s.new_findings {
            println!("    {}: {}\n      {}", f.kind, f.message, path.display());
        }
    }
    let bad = s.panics
        + s.unparsable
        + s.rebound
        + s.unescaped
        + s.slow
        + s.rejected_valid
        + t.hangs
        + t.crashes;
    if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn exec_files(args: &Args) -> ExitCode {
    exec::install_quiet_hook();
    let files = &args.rest[1..];
    if files.is_empty() {
        fail("exec needs at least one file");
    }
    for file in files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| fail(&format!("{file}: {e}")));
        let text = String::from_utf8_lossy(&bytes);
        if args.check_only {
            let t = std::time::Instant::now();
            let ok = bid_schema::check_source(exec::file_name(&text), &text).is_ok();
            println!(
                "{file}: check {} in {:.3} ms",
                if ok { "accepts" } else { "rejects" },
                t.elapsed().as_secs_f64() * 1e3
            );
            continue;
        }
        let out = exec::run(&text);
        if !args.quiet {
            println!("{file}: {:?}", out.verdict);
            for (p, t) in exec::PHASES.iter().zip(out.times) {
                if !t.is_zero() {
                    println!("  {:<11} {:>10.3} ms", p.name(), t.as_secs_f64() * 1e3);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn compile_files(args: &Args) -> ExitCode {
    let files = &args.rest[1..];
    if files.is_empty() {
        fail("compile needs at least one file");
    }
    let root = args
        .out
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("bid-fuzz-compile"));
    let mut work = Work::new(&root).unwrap_or_else(|e| fail(&format!("{}: {e}", root.display())));
    // Files from anywhere may declare the same C names: one header per compiler run.
    work.batch = 1;
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| fail(&format!("{file}: {e}")));
        println!("f{i}: {file}");
        if let Err(e) = work.add(&format!("f{i}"), &text) {
            fail(&format!("{}: {e}", root.display()));
        }
    }
    let compiled = work.compile();
    let mut failures = work.failures.clone();
    failures.extend(compiled.failures);
    for w in &compiled.warnings {
        println!(
            "warning in {}:\n{}",
            w.tags.join(", "),
            compile::cut(&w.message, 10)
        );
    }
    if failures.is_empty() {
        println!(
            "all {} file(s) compile (work in {})",
            files.len(),
            root.display()
        );
        return ExitCode::SUCCESS;
    }
    println!("{}", compile::report(&work, &failures));
    ExitCode::FAILURE
}

fn generate(args: &Args) -> ExitCode {
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let seed = args.seed.unwrap_or(1);
    let mut rng = Rng::new(seed);
    if let Err(e) = std::fs::create_dir_all(&out) {
        fail(&format!("{}: {e}", out.display()));
    }
    let mut rejected = 0;
    for i in 0..args.count.unwrap_or(10) {
        let tag = format!("g{i}");
        let text = valid::file(&mut rng, &tag);
        let name = format!("{tag}.bid.yaml");
        if let Err(r) = bid_schema::check_source(&name, &text) {
            rejected += 1;
            eprintln!("{}", r.render());
        }
        if let Err(e) = std::fs::write(out.join(&name), text) {
            fail(&format!("{name}: {e}"));
        }
    }
    if rejected > 0 {
        eprintln!("bid-fuzz: bid rejected {rejected} generated file(s)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
