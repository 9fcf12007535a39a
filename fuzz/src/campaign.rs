//! The fuzz loop of one process: pick a corpus entry (or a fresh valid file), mutate it,
//! run it under the oracles, keep inputs that exercise something new, and save each distinct
//! finding reduced. A watchdog thread ends the process on an input that hangs.

use crate::exec::{self, Outcome, PHASES, Phase, Verdict};
use crate::findings::{self, Finding};
use crate::mutate;
use crate::reduce::{self, Budget};
use crate::rng::Rng;
use crate::valid;
use std::collections::HashSet;
use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one campaign does.
#[derive(Clone, Debug)]
pub struct Config {
    /// Seed of every random choice: the same seed replays the same inputs.
    pub seed: u64,
    /// Stop after this much wall time.
    pub time: Option<Duration>,
    /// Stop after this many executions.
    pub iterations: Option<u64>,
    /// Where reproducers and `index.tsv` go.
    pub findings: PathBuf,
    /// An input slower than this is a finding; `None` records times only.
    pub slow: Option<Duration>,
    /// An input running longer than this ends the process as a hang.
    pub hang: Duration,
    /// Write each input here before running it, so a supervisor can recover the input that
    /// crashed the process.
    pub current: Option<PathBuf>,
    /// Keep this file up to date with the statistics (every few seconds and at the end),
    /// for a supervisor to read even if the process dies.
    pub stats_file: Option<PathBuf>,
    /// Print progress every few seconds.
    pub progress: bool,
}

/// One of the slowest inputs.
#[derive(Clone, Debug)]
pub struct Slow {
    /// bid's time on it (the harness's parsing of the output not counted).
    pub time: Duration,
    /// The phase that took longest.
    pub phase: Phase,
    /// Its size in bytes.
    pub len: usize,
    /// Its start, on one line.
    pub preview: String,
}

/// What a campaign did.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Inputs run.
    pub executions: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Inputs bid checked and emitted.
    pub accepted: u64,
    /// Inputs bid rejected with diagnostics.
    pub rejected: u64,
    /// Inputs that panicked.
    pub panics: u64,
    /// Inputs whose generated Rust did not parse.
    pub unparsable: u64,
    /// Inputs whose generated Rust passes a local for a parameter.
    pub rebound: u64,
    /// Inputs whose output holds unescaped text from the input.
    pub unescaped: u64,
    /// Inputs slower than the limit.
    pub slow: u64,
    /// Generated valid files bid rejected.
    pub rejected_valid: u64,
    /// Corpus size at the end.
    pub corpus: usize,
    /// Time spent in each phase over all executions, indexed like [`PHASES`].
    pub phase_time: [Duration; PHASES.len()],
    /// Time spent on inputs of 64 KiB or more.
    pub big_time: Duration,
    /// The slowest inputs, slowest first.
    pub slowest: Vec<Slow>,
    /// Findings new to the findings directory, with their reproducers.
    pub new_findings: Vec<(Finding, PathBuf)>,
}

impl Stats {
    /// Executions per second.
    pub fn rate(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn record_time(&mut self, outcome: &Outcome, input: &str) {
        let time = outcome.bid_time();
        if self.slowest.len() == 8 && self.slowest[7].time >= time {
            return;
        }
        self.slowest.push(Slow {
            time,
            phase: outcome.slowest_phase(),
            len: input.len(),
            preview: findings::one_line(&exec::truncate(input, 60)),
        });
        self.slowest.sort_by_key(|s| std::cmp::Reverse(s.time));
        self.slowest.truncate(8);
    }
}

/// The watchdog's view of the input running now.
#[derive(Default)]
struct Running {
    since: Option<Instant>,
    input: Arc<str>,
}

/// Ends the process (exit code 3) when one input runs longer than the hang limit, after
/// saving that input as a `hang` finding.
pub struct Watchdog {
    running: Arc<Mutex<Running>>,
}

/// Exit code of a process the watchdog ended.
pub const HANG_EXIT: i32 = 3;

impl Watchdog {
    /// Starts the watchdog thread.
    pub fn start(limit: Duration, dir: PathBuf) -> Watchdog {
        let running = Arc::new(Mutex::new(Running::default()));
        let shared = Arc::clone(&running);
        let tick = (limit / 20).clamp(Duration::from_millis(10), Duration::from_millis(250));
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(tick);
                let hung = {
                    let r = shared.lock().unwrap_or_else(|e| e.into_inner());
                    match r.since {
                        Some(t) if t.elapsed() > limit => Some(Arc::clone(&r.input)),
                        _ => None,
                    }
                };
                if let Some(input) = hung {
                    let phase = exec::running_phase().name();
                    let f = Finding {
                        kind: "hang".into(),
                        key: format!("hang-{phase}"),
                        message: format!(
                            "one input ran past the {limit:?} hang limit, in {phase} ({} bytes)",
                            input.len()
                        ),
                    };
                    let known = findings::known_keys(&dir).contains(&f.key);
                    let saved = if known {
                        Ok(dir.join(f.file_name()))
                    } else {
                        findings::save(&dir, &f, &input, &["?"])
                    };
                    eprintln!("bid-fuzz: HANG: an input ran past {limit:?}; saved to {saved:?}");
                    std::process::exit(HANG_EXIT);
                }
            }
        });
        Watchdog { running }
    }

    fn run(&self, input: &str, source: bool) -> Outcome {
        {
            let mut r = self.running.lock().unwrap_or_else(|e| e.into_inner());
            r.since = Some(Instant::now());
            r.input = Arc::from(input);
        }
        let out = exec::run_with(input, source);
        self.running.lock().unwrap_or_else(|e| e.into_inner()).since = None;
        out
    }
}

/// Every fixture (valid and invalid) of the workspace, as `(file name, text)`.
pub fn fixture_seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut out = Vec::new();
    for sub in ["valid", "invalid", "hostile"] {
        let Ok(dir) = fs::read_dir(root.join(sub)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.to_string_lossy().ends_with(".bid.yaml")
                && let Ok(text) = fs::read_to_string(&p)
            {
                out.push((
                    format!(
                        "{sub}/{}",
                        p.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    text,
                ));
            }
        }
    }
    out
}

const MAX_CORPUS: usize = 4_096;
/// A slow input under this size is slow for a reason worth reducing.
const SMALL: usize = 64 * 1024;
/// Larger inputs are run but not kept: the structure mutators recreate size cheaply, and a
/// corpus of big inputs would make every later execution slow.
const MAX_CORPUS_INPUT: usize = 32 * 1024;

/// Runs one campaign.
pub fn run(config: &Config) -> Stats {
    exec::install_quiet_hook();
    let start = Instant::now();
    let watchdog = Watchdog::start(config.hang, config.findings.clone());
    let mut rng = Rng::new(config.seed);
    let mut corpus: Vec<String> = fixture_seeds().into_iter().map(|(_, t)| t).collect();
    for i in 0..32 {
        corpus.push(valid::file(&mut rng, &format!("s{i}")));
    }
    let mut features = HashSet::new();
    let mut known = findings::known_keys(&config.findings);
    let mut current = config
        .current
        .as_ref()
        .and_then(|p| fs::File::create(p).ok());
    let mut stats = Stats::default();
    let mut last_report = Instant::now();
    let mut last_stats = Instant::now();
    loop {
        if config.iterations.is_some_and(|n| stats.executions >= n)
            || config.time.is_some_and(|t| start.elapsed() >= t)
        {
            break;
        }
        let fresh = rng.one_in(50);
        let (input, mutators) = if fresh {
            (valid::file(&mut rng, "f"), vec!["valid-file"])
        } else {
            let base = &corpus[rng.below(corpus.len())];
            let other = &corpus[rng.below(corpus.len())];
            mutate::mutate(&mut rng, base, other, 4)
        };
        if let Some(f) = &mut current {
            let _ = f.seek(SeekFrom::Start(0));
            let _ = f.write_all(input.as_bytes());
            let _ = f.set_len(input.len() as u64);
        }
        let outcome = watchdog.run(&input, rng.one_in(4));
        stats.executions += 1;
        stats.record_time(&outcome, &input);
        for (sum, t) in stats.phase_time.iter_mut().zip(outcome.times) {
            *sum += t;
        }
        if input.len() >= 64 * 1024 {
            stats.big_time += outcome.total();
        }
        let mut finding = Finding::of(&outcome.verdict);
        match &outcome.verdict {
            Verdict::Accepted => stats.accepted += 1,
            Verdict::Rejected(codes) => {
                stats.rejected += 1;
                if fresh {
                    stats.rejected_valid += 1;
                    finding = Some(Finding {
                        kind: "rejected-valid".into(),
                        key: format!("rejected-valid:{}", codes.join(",")),
                        message: format!(
                            "a generated valid file was rejected: {}",
                            codes.join(", ")
                        ),
                    });
                }
            }
            Verdict::Panic { .. } => stats.panics += 1,
            Verdict::Unparsable { .. } => stats.unparsable += 1,
            Verdict::Rebound { .. } => stats.rebound += 1,
            Verdict::Unescaped { .. } => stats.unescaped += 1,
        }
        if finding.is_none()
            && let Some(limit) = config.slow
            && outcome.bid_time() > limit
        {
            stats.slow += 1;
            let phase = outcome.slowest_phase();
            // Small slow inputs (super-linear work) apart from big ones (maybe just big).
            let size = if input.len() < SMALL { "small" } else { "big" };
            finding = Some(Finding {
                kind: "slow".into(),
                key: format!("slow-{}-{size}", phase.name()),
                message: format!(
                    "{:.2} s in bid, {:.2} s of it in {} ({} bytes)",
                    outcome.bid_time().as_secs_f64(),
                    outcome.times[phase as usize].as_secs_f64(),
                    phase.name(),
                    input.len()
                ),
            });
        }
        if let Some(f) = finding
            && known.insert(f.key.clone())
        {
            // Reduce for up to 20 s (30 s for a small slow input, not at all for a big one),
            // a tenth of a timed run at most (a short run is for finding, not reducing), and
            // never much past the run's end.
            let left = config.time.map_or(Duration::MAX, |t| {
                (t / 10).min(t.saturating_sub(start.elapsed()))
            });
            let reduced = reduce_finding(
                &watchdog,
                &f,
                &input,
                config.slow,
                left.max(Duration::from_secs(2)),
            );
            if let Ok(path) = findings::save(&config.findings, &f, &reduced, &mutators) {
                if config.progress {
                    eprintln!(
                        "bid-fuzz: new {}: {} -> {}",
                        f.kind,
                        f.message,
                        path.display()
                    );
                }
                stats.new_findings.push((f, path));
            }
        }
        if !features.contains(&outcome.feature) && input.len() <= MAX_CORPUS_INPUT {
            features.insert(outcome.feature);
            if corpus.len() < MAX_CORPUS {
                corpus.push(input);
            } else {
                let i = rng.below(corpus.len());
                corpus[i] = input;
            }
        }
        if let Some(path) = &config.stats_file
            && last_stats.elapsed() > Duration::from_secs(2)
        {
            last_stats = Instant::now();
            stats.elapsed = start.elapsed();
            stats.corpus = corpus.len();
            let _ = fs::write(path, crate::supervise::stats_text(&stats));
        }
        if config.progress && last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            eprintln!(
                "bid-fuzz: {} execs, {:.0}/s, corpus {}, panics {}, unparsable {}, rebound {}, unescaped {}, slow {}",
                stats.executions,
                stats.executions as f64 / start.elapsed().as_secs_f64(),
                corpus.len(),
                stats.panics,
                stats.unparsable,
                stats.rebound,
                stats.unescaped,
                stats.slow
            );
        }
    }
    stats.corpus = corpus.len();
    stats.elapsed = start.elapsed();
    if let Some(path) = &config.stats_file {
        let _ = fs::write(path, crate::supervise::stats_text(&stats));
    }
    stats
}

/// The input reduced while it still gives the same finding (bounded).
fn reduce_finding(
    watchdog: &Watchdog,
    f: &Finding,
    input: &str,
    slow: Option<Duration>,
    left: Duration,
) -> String {
    let budget = match f.kind.as_str() {
        "slow" if input.len() >= SMALL => return input.to_owned(),
        "slow" => Budget {
            time: Duration::from_secs(30).min(left),
            attempts: 40,
        },
        _ => Budget {
            time: Duration::from_secs(20).min(left),
            attempts: 20_000,
        },
    };
    reduce::reduce(input, budget, |candidate| {
        let out = watchdog.run(candidate, true);
        match f.kind.as_str() {
            "slow" => {
                let phase = PHASES
                    .iter()
                    .position(|p| f.key.starts_with(&format!("slow-{}-", p.name())));
                slow.zip(phase).is_some_and(|(limit, i)| {
                    out.bid_time() > limit && out.times[i] * 2 > out.bid_time()
                })
            }
            "rejected-valid" => false,
            _ => Finding::of(&out.verdict).is_some_and(|g| g.key == f.key),
        }
    })
}
