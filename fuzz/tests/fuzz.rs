//! The bounded fuzz run CI does: the `bid-fuzz` binary for `BID_FUZZ_SECONDS` (default 60)
//! of wall time, then every finding it saved listed in the failure. Time is never asserted:
//! slow inputs are not findings here (`--slow-ms 0`), and the hang limit is generous for a
//! debug build.

use std::path::PathBuf;
use std::process::Command;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[test]
fn a_bounded_fuzz_run_finds_no_panic_crash_hang_or_unparsable_rust() {
    let seconds = env_or("BID_FUZZ_SECONDS", "60");
    let seed = env_or("BID_FUZZ_SEED", "1");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_bid-fuzz"))
        .args(["--seconds", &seconds, "--seed", &seed])
        .args(["--slow-ms", "0", "--hang-secs", "120"])
        .arg("--findings")
        .arg(&dir)
        .output()
        .expect("run bid-fuzz");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    let executions: u64 = stdout
        .split(" executions in ")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        executions > 0,
        "bid-fuzz ran nothing:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = bid_fuzz::findings::index(&dir);
    let list: Vec<String> = findings
        .iter()
        .map(|[file, kind, _, message, mutators]| {
            format!(
                "  {kind}: {message}\n    reproducer: {}\n    (from mutators: {mutators}; replay: cargo run -p bid-fuzz -- exec <reproducer>)",
                dir.join(file).display()
            )
        })
        .collect();
    assert!(
        findings.is_empty() && out.status.success(),
        "bid-fuzz (seed {seed}, {seconds} s, {executions} executions) found {} distinct problem(s):\n{}\n\n{stdout}",
        findings.len(),
        list.join("\n")
    );
}
