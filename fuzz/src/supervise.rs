//! The supervising process: runs the campaign in a worker process, so a crash that no
//! `catch_unwind` can catch (a stack overflow, an abort, running out of memory) or a hang
//! becomes a finding too. The worker writes each input to a file before running it; when the
//! worker dies, the supervisor saves that input, reduces it with child processes, and starts
//! a new worker with the next seed until the time or the executions are used up.

use crate::campaign::{HANG_EXIT, Slow, Stats};
use crate::exec::{PHASES, Phase};
use crate::findings::{self, Finding};
use crate::reduce::{self, Budget};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The options a worker is started with.
#[derive(Clone, Debug)]
pub struct Plan {
    /// First seed; each restarted worker takes the next.
    pub seed: u64,
    /// Wall time for the whole run.
    pub time: Option<Duration>,
    /// Executions for the whole run.
    pub iterations: Option<u64>,
    /// Findings directory.
    pub findings: PathBuf,
    /// Slow limit in milliseconds (0: off).
    pub slow_ms: u64,
    /// Hang limit.
    pub hang: Duration,
    /// Progress lines on stderr.
    pub progress: bool,
}

/// Totals over every worker.
#[derive(Debug, Default)]
pub struct Totals {
    /// Summed worker statistics (slowest merged, findings from the index).
    pub stats: Stats,
    /// Workers ended by the watchdog.
    pub hangs: u64,
    /// Workers that died.
    pub crashes: u64,
    /// Workers started.
    pub workers: u64,
}

/// `stats` as `key value` lines, for a worker to hand to its supervisor.
pub fn stats_text(stats: &Stats) -> String {
    let mut s = format!(
        "executions {}\nelapsed {}\naccepted {}\nrejected {}\npanics {}\nunparsable {}\nrebound {}\nunescaped {}\nslow {}\nrejected_valid {}\ncorpus {}\n",
        stats.executions,
        stats.elapsed.as_secs_f64(),
        stats.accepted,
        stats.rejected,
        stats.panics,
        stats.unparsable,
        stats.rebound,
        stats.unescaped,
        stats.slow,
        stats.rejected_valid,
        stats.corpus
    );
    for (p, t) in PHASES.iter().zip(stats.phase_time) {
        s.push_str(&format!("phase {}\t{}\n", p.name(), t.as_secs_f64()));
    }
    s.push_str(&format!("big_time {}\n", stats.big_time.as_secs_f64()));
    for sl in &stats.slowest {
        s.push_str(&format!(
            "slowest {}\t{}\t{}\t{}\n",
            sl.time.as_secs_f64(),
            sl.phase.name(),
            sl.len,
            sl.preview
        ));
    }
    s
}

fn add_stats_text(into: &mut Stats, text: &str) {
    for line in text.lines() {
        let Some((k, v)) = line.split_once(' ') else {
            continue;
        };
        let n = || v.parse::<u64>().unwrap_or(0);
        match k {
            "executions" => into.executions += n(),
            "accepted" => into.accepted += n(),
            "rejected" => into.rejected += n(),
            "panics" => into.panics += n(),
            "unparsable" => into.unparsable += n(),
            "rebound" => into.rebound += n(),
            "unescaped" => into.unescaped += n(),
            "slow" => into.slow += n(),
            "rejected_valid" => into.rejected_valid += n(),
            "corpus" => into.corpus = into.corpus.max(n() as usize),
            "big_time" => into.big_time += Duration::from_secs_f64(v.parse().unwrap_or(0.0)),
            "phase" => {
                if let Some((name, t)) = v.split_once('\t')
                    && let Some(i) = PHASES.iter().position(|p| p.name() == name)
                {
                    into.phase_time[i] += Duration::from_secs_f64(t.parse().unwrap_or(0.0));
                }
            }
            "slowest" => {
                let p: Vec<&str> = v.splitn(4, '\t').collect();
                if let [t, phase, len, preview] = p[..] {
                    into.slowest.push(Slow {
                        time: Duration::from_secs_f64(t.parse().unwrap_or(0.0)),
                        phase: PHASES
                            .into_iter()
                            .find(|p| p.name() == phase)
                            .unwrap_or(Phase::Check),
                        len: len.parse().unwrap_or(0),
                        preview: preview.to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
    into.slowest.sort_by_key(|s| std::cmp::Reverse(s.time));
    into.slowest.truncate(8);
}

/// Runs workers until the plan is used up.
pub fn run(plan: &Plan) -> Totals {
    let scratch = std::env::temp_dir().join(format!("bid-fuzz-{}", std::process::id()));
    let _ = fs::create_dir_all(&scratch);
    // Workers run from a copy: a rebuild replacing the binary must not stop a long run.
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("bid-fuzz"));
    let copy = scratch.join("bid-fuzz-worker");
    let exe = if fs::copy(&exe, &copy).is_ok() {
        copy
    } else {
        exe
    };
    let (current, stats_file) = (scratch.join("current.bid.yaml"), scratch.join("stats.txt"));
    let before = findings::index(&plan.findings).len();
    let start = Instant::now();
    let mut totals = Totals::default();
    let mut seed = plan.seed;
    loop {
        let time_left = plan.time.map(|t| t.saturating_sub(start.elapsed()));
        let execs_left = plan
            .iterations
            .map(|n| n.saturating_sub(totals.stats.executions));
        if time_left.is_some_and(|t| t.is_zero()) || execs_left == Some(0) {
            break;
        }
        let _ = fs::remove_file(&stats_file);
        let _ = fs::remove_file(&current);
        let mut cmd = Command::new(&exe);
        cmd.arg("--worker")
            .args(["--seed", &seed.to_string()])
            .arg("--findings")
            .arg(&plan.findings)
            .args(["--slow-ms", &plan.slow_ms.to_string()])
            .args(["--hang-secs", &plan.hang.as_secs_f64().to_string()])
            .arg("--current")
            .arg(&current)
            .arg("--stats")
            .arg(&stats_file);
        if let Some(t) = time_left {
            cmd.args(["--seconds", &t.as_secs_f64().to_string()]);
        }
        if let Some(n) = execs_left {
            cmd.args(["--iterations", &n.to_string()]);
        }
        if plan.progress {
            cmd.arg("--progress");
        }
        totals.workers += 1;
        let (status, stderr) = match spawn_collecting(&mut cmd) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("bid-fuzz: cannot start a worker: {e}");
                break;
            }
        };
        if let Ok(text) = fs::read_to_string(&stats_file) {
            add_stats_text(&mut totals.stats, &text);
        }
        if status.success() {
            break;
        }
        if status.code() == Some(HANG_EXIT) {
            totals.hangs += 1;
        } else {
            totals.crashes += 1;
            crashed(&exe, plan, &current, &status, &stderr, &scratch);
        }
        seed = seed.wrapping_add(1);
    }
    totals.stats.elapsed = start.elapsed();
    for [file, kind, key, message, _] in findings::index(&plan.findings).into_iter().skip(before) {
        totals
            .stats
            .new_findings
            .push((Finding { kind, key, message }, plan.findings.join(file)));
    }
    let _ = fs::remove_dir_all(&scratch);
    totals
}

/// Runs `cmd` with stderr piped through to ours and collected.
fn spawn_collecting(cmd: &mut Command) -> std::io::Result<(ExitStatus, String)> {
    let mut child = cmd.stderr(Stdio::piped()).spawn()?;
    let mut collected = String::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            eprintln!("{line}");
            collected.push_str(&line);
            collected.push('\n');
        }
    }
    Ok((child.wait()?, collected))
}

/// How the worker died, for the dedup key: the runtime's last words, or the signal.
fn death(status: &ExitStatus, stderr: &str) -> String {
    let words = stderr
        .lines()
        .rev()
        .find(|l| {
            l.contains("overflow")
                || l.contains("fatal")
                || l.contains("memory allocation")
                || l.contains("abort")
        })
        .map(findings::shape);
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(status);
    #[cfg(not(unix))]
    let signal: Option<i32> = None;
    match (words, signal) {
        (Some(w), _) => w,
        (None, Some(s)) => format!("signal {s}"),
        (None, None) => format!("exit {}", status.code().unwrap_or(-1)),
    }
}

/// Whether running `input` alone kills a fresh process.
fn kills(exe: &Path, input: &str, scratch: &Path) -> bool {
    let file = scratch.join("candidate.bid.yaml");
    if fs::write(&file, input).is_err() {
        return false;
    }
    Command::new(exe)
        .arg("exec")
        .arg("--quiet")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| !s.success())
}

fn crashed(
    exe: &Path,
    plan: &Plan,
    current: &Path,
    status: &ExitStatus,
    stderr: &str,
    scratch: &Path,
) {
    let input = fs::read_to_string(current).unwrap_or_default();
    let how = death(status, stderr);
    let f = Finding {
        kind: "crash".into(),
        key: format!("crash:{how}"),
        message: format!("the process died: {how}"),
    };
    eprintln!("bid-fuzz: CRASH: {how} ({} byte input)", input.len());
    if findings::known_keys(&plan.findings).contains(&f.key) {
        return;
    }
    let budget = Budget {
        time: Duration::from_secs(60),
        attempts: 400,
    };
    let reduced = if kills(exe, &input, scratch) {
        reduce::reduce(&input, budget, |c| kills(exe, c, scratch))
    } else {
        input
    };
    let _ = findings::save(&plan.findings, &f, &reduced, &["?"]);
}
