//! `bid audit TRACE.jsonl`: summarise a runtime audit trace per symbol, and gate CI on it:
//! on its pass rate, and on leaks and double releases.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

/// Arguments of `bid audit`.
#[derive(clap::Args, Debug, Clone)]
#[command(after_help = "\
Gates: without --require-pass-rate or --deny-leaks, bid audit only summarises and exits 0.
With either, it exits 1 when the trace records a leak or a double release (ffi.leak and
ffi.double_release lines, or the counts of the ffi.unload summaries), naming the handle type
or buffer and the method, unless --allow-leaks; --require-pass-rate also fails below the rate.
An unreadable trace exits 2.")]
pub struct AuditArgs {
    /// The trace to summarise: JSON lines written with `BID_AUDIT=path.jsonl` or `Audit::trace_to`.
    pub file: PathBuf,
    /// Exit 1 when the overall pass rate (ok calls / calls) is below this (0.0 to 1.0), or
    /// when anything leaked or was released twice (see --allow-leaks).
    #[arg(long, value_name = "RATE")]
    pub require_pass_rate: Option<f64>,
    /// Exit 1 when anything leaked or was released twice, whatever the pass rate: the gate
    /// for traces of tests that fail calls on purpose.
    #[arg(long, conflicts_with = "allow_leaks")]
    pub deny_leaks: bool,
    /// With --require-pass-rate: let leaks and double releases pass, gating on the rate alone.
    #[arg(long, requires = "require_pass_rate")]
    pub allow_leaks: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `bid audit` prints its summary.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A table per symbol and a total line.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// Counts of one extern symbol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SymbolStats {
    /// The interface (`namespace.name`) it belongs to.
    pub interface: String,
    /// The BID method.
    pub method: String,
    /// `ffi.call` events.
    pub calls: u64,
    /// Calls whose status was not `ok`.
    pub failed: u64,
    /// Handles and buffers it produced that were still live at unload.
    pub leaks: u64,
    /// Refused second releases.
    pub double_releases: u64,
}

/// What one `ffi.leak` line reports as still live at unload.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Leak {
    /// The interface (`namespace.name`).
    pub interface: String,
    /// The method that produced it; `None` when the line names none.
    pub method: Option<String>,
    /// `handle` or `buffer`.
    pub kind: String,
    /// The handle type, for handles.
    pub handle_type: Option<String>,
}

/// What one `ffi.double_release` line reports as refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct DoubleRelease {
    /// The interface (`namespace.name`).
    pub interface: String,
    /// The method called with the released handle.
    pub method: String,
    /// The handle type.
    pub handle_type: String,
    /// The method that released it first.
    pub released_by: String,
}

/// A whole trace, summarised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Per extern symbol, sorted by name.
    pub symbols: BTreeMap<String, SymbolStats>,
    /// `ffi.call` events.
    pub calls: u64,
    /// Calls with status `ok`.
    pub ok: u64,
    /// Leaked handles and buffers, by `ffi.leak` lines.
    pub leaks: u64,
    /// Refused second releases, by `ffi.double_release` lines.
    pub double_releases: u64,
    /// The `ffi.leak` counts by what leaked where.
    pub leaked: BTreeMap<Leak, u64>,
    /// The `ffi.double_release` lines by handle type and methods.
    pub double_released: BTreeMap<DoubleRelease, u64>,
    /// The `leaks` of every `ffi.unload` summary, added up.
    pub unload_leaks: u64,
    /// The `double_releases` of every `ffi.unload` summary, added up.
    pub unload_double_releases: u64,
    /// `ffi.load` events.
    pub loads: u64,
    /// `ffi.unload` events.
    pub unloads: u64,
}

impl Summary {
    /// Leaks, by the lines or by the unload summaries, whichever counts more: a summary also
    /// counts what was not traced line by line (a trace started late, lines lost to write
    /// errors), and lines count what a trace cut off before its `ffi.unload` still shows.
    pub fn leak_count(&self) -> u64 {
        self.leaks.max(self.unload_leaks)
    }

    /// Double releases, counted like [`Summary::leak_count`].
    pub fn double_release_count(&self) -> u64 {
        self.double_releases.max(self.unload_double_releases)
    }

    /// Calls that did not end `ok`.
    pub fn failed(&self) -> u64 {
        self.calls - self.ok
    }

    /// `ok / calls`, 1.0 with no calls.
    pub fn pass_rate(&self) -> f64 {
        if self.calls == 0 {
            1.0
        } else {
            self.ok as f64 / self.calls as f64
        }
    }

    /// Why the trace fails `gate`, one message each; empty when it passes (always, when
    /// there is no gate).
    pub fn failures(&self, gate: &Gate) -> Vec<String> {
        let mut failures = Vec::new();
        if let Some(required) = gate.require_pass_rate
            && self.pass_rate() < required
        {
            failures.push(format!(
                "pass rate {:.4} is below the required {required:.4} ({} of {} calls failed)",
                self.pass_rate(),
                self.failed(),
                self.calls
            ));
        }
        if gate.denies_leaks() {
            // The way out, where there is one: --allow-leaks goes with --require-pass-rate only.
            let hint = if gate.require_pass_rate.is_some() {
                " (--allow-leaks to accept)"
            } else {
                ""
            };
            let counts = [
                (
                    plural(self.leak_count(), "leak", "leaks"),
                    self.leak_lines(),
                ),
                (
                    plural(
                        self.double_release_count(),
                        "double release",
                        "double releases",
                    ),
                    self.double_release_lines(),
                ),
            ];
            for (count, lines) in counts {
                if lines.is_empty() {
                    continue;
                }
                let mut m = format!("{count}{hint}:");
                for line in lines {
                    let _ = write!(m, "\n  {line}");
                }
                failures.push(m);
            }
        }
        failures
    }

    /// One line per kind of leak and producing method: `1 FileHandle handle from
    /// nyash.file.open`; then what the unload summaries count beyond the lines.
    pub fn leak_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .leaked
            .iter()
            .map(|(leak, &n)| {
                let what = match (leak.kind.as_str(), &leak.handle_type) {
                    ("handle", Some(t)) => format!("{t} {}", plural_word(n, "handle", "handles")),
                    ("handle", None) => plural_word(n, "handle", "handles").to_owned(),
                    ("buffer", _) => plural_word(n, "buffer", "buffers").to_owned(),
                    (kind, _) => format!("`{kind}`"),
                };
                let from = match &leak.method {
                    Some(m) => format!("from {}.{m}", leak.interface),
                    None => format!("from {} (no method named)", leak.interface),
                };
                format!("{n} {what} {from}")
            })
            .collect();
        if self.unload_leaks > self.leaks {
            lines.push(format!(
                "{} counted by the ffi.unload summaries without ffi.leak lines",
                self.unload_leaks - self.leaks
            ));
        }
        lines
    }

    /// One line per handle type and pair of methods: `1 FileHandle handle released again
    /// by nyash.file.close, already released by close`; then what the unload summaries count
    /// beyond the lines.
    pub fn double_release_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .double_released
            .iter()
            .map(|(d, &n)| {
                format!(
                    "{n} {} {} released again by {}.{}, already released by {}",
                    d.handle_type,
                    plural_word(n, "handle", "handles"),
                    d.interface,
                    d.method,
                    d.released_by
                )
            })
            .collect();
        if self.unload_double_releases > self.double_releases {
            lines.push(format!(
                "{} counted by the ffi.unload summaries without ffi.double_release lines",
                self.unload_double_releases - self.double_releases
            ));
        }
        lines
    }
}

/// `1 leak`, `2 leaks`.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", plural_word(n, one, many))
}

fn plural_word<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// What `bid audit` checks before it exits 0.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gate {
    /// `--require-pass-rate`: the lowest pass rate that passes.
    pub require_pass_rate: Option<f64>,
    /// `--deny-leaks`: a gate on leaks and double releases alone.
    pub deny_leaks: bool,
    /// `--allow-leaks`: leaks and double releases do not fail the gate.
    pub allow_leaks: bool,
}

impl Gate {
    /// The gate `args` ask for.
    pub fn of(args: &AuditArgs) -> Self {
        Gate {
            require_pass_rate: args.require_pass_rate,
            deny_leaks: args.deny_leaks,
            allow_leaks: args.allow_leaks,
        }
    }

    /// Whether anything is checked at all: without a gate, `bid audit` only summarises.
    pub fn is_on(&self) -> bool {
        self.require_pass_rate.is_some() || self.deny_leaks
    }

    /// Whether a leak or a double release fails the gate: it does in every gate, unless
    /// allowed. A pass-rate gate that let a leaked handle through would pass a trace whose
    /// every call succeeded and whose plugin still lost memory.
    pub fn denies_leaks(&self) -> bool {
        self.is_on() && !self.allow_leaks
    }
}

/// A line of the trace that is not an audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// Reads a trace (JSON lines; blank lines are skipped) into per-symbol counts.
pub fn summarise(text: &str) -> Result<Summary, LineError> {
    let mut s = Summary::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| LineError {
            line: i + 1,
            message,
        };
        let v: Value = serde_json::from_str(line).map_err(|e| err(format!("not JSON: {e}")))?;
        let event = str_at(&v, &["event"])
            .ok_or_else(|| err("no \"event\" string: not a bid audit line".to_owned()))?;
        let status = str_at(&v, &["bridge", "status"])
            .ok_or_else(|| err("no \"bridge.status\" string: not a bid audit line".to_owned()))?;
        let symbol = v
            .get("bridge")
            .and_then(|b| b.get("extern_symbol"))
            .and_then(Value::as_str);
        let stats = |s: &mut Summary| -> Result<(), LineError> {
            let symbol =
                symbol.ok_or_else(|| err(format!("{event} without \"bridge.extern_symbol\"")))?;
            let entry = s.symbols.entry(symbol.to_owned()).or_default();
            if entry.method.is_empty() {
                entry.interface = str_at(&v, &["interface"]).unwrap_or_default().to_owned();
                entry.method = str_at(&v, &["method"]).unwrap_or_default().to_owned();
            }
            match event {
                "ffi.call" => {
                    entry.calls += 1;
                    if status != "ok" {
                        entry.failed += 1;
                    }
                }
                "ffi.leak" => {
                    entry.leaks += v
                        .get("leak")
                        .and_then(|l| l.get("count"))
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                }
                _ => entry.double_releases += 1,
            }
            Ok(())
        };
        match event {
            "ffi.call" => {
                stats(&mut s)?;
                s.calls += 1;
                if status == "ok" {
                    s.ok += 1;
                }
            }
            "ffi.leak" => {
                let n = v
                    .get("leak")
                    .and_then(|l| l.get("count"))
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                s.leaks += n;
                let leak = Leak {
                    interface: str_at(&v, &["interface"]).unwrap_or("?").to_owned(),
                    method: str_at(&v, &["method"]).map(str::to_owned),
                    kind: str_at(&v, &["leak", "kind"]).unwrap_or("?").to_owned(),
                    handle_type: str_at(&v, &["leak", "type"]).map(str::to_owned),
                };
                *s.leaked.entry(leak).or_default() += n;
                if symbol.is_some() {
                    stats(&mut s)?;
                }
            }
            "ffi.double_release" => {
                stats(&mut s)?;
                s.double_releases += 1;
                let text = |path: &[&str]| str_at(&v, path).unwrap_or("?").to_owned();
                let d = DoubleRelease {
                    interface: text(&["interface"]),
                    method: text(&["method"]),
                    handle_type: text(&["handle", "type"]),
                    released_by: text(&["handle", "released_by"]),
                };
                *s.double_released.entry(d).or_default() += 1;
            }
            "ffi.load" => s.loads += 1,
            "ffi.unload" => {
                s.unloads += 1;
                let count = |key: &str| {
                    v.get("summary")
                        .and_then(|summary| summary.get(key))
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                };
                s.unload_leaks += count("leaks");
                s.unload_double_releases += count("double_releases");
            }
            other => return Err(err(format!("unknown event `{other}`"))),
        }
    }
    Ok(s)
}

/// The text table, what leaked or was released twice, the totals, and the gate's verdict
/// when there is a gate.
pub fn render_text(s: &Summary, gate: &Gate) -> String {
    let width = s
        .symbols
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("symbol".len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>8}  {:>8}  {:>6}  {:>15}",
        "symbol", "calls", "failed", "leaks", "double_releases"
    );
    for (name, st) in &s.symbols {
        let _ = writeln!(
            out,
            "{name:<width$}  {:>8}  {:>8}  {:>6}  {:>15}",
            st.calls, st.failed, st.leaks, st.double_releases
        );
    }
    for line in s.leak_lines() {
        let _ = writeln!(out, "leaked: {line}");
    }
    for line in s.double_release_lines() {
        let _ = writeln!(out, "double release: {line}");
    }
    let _ = writeln!(
        out,
        "total: {}, {} failed, {} leaked, {}; pass rate {:.4}",
        plural(s.calls, "call", "calls"),
        s.failed(),
        s.leak_count(),
        plural(
            s.double_release_count(),
            "double release",
            "double releases"
        ),
        s.pass_rate()
    );
    if gate.is_on() {
        let verdict = if s.failures(gate).is_empty() {
            "passed"
        } else {
            "failed"
        };
        let _ = writeln!(out, "gate: {verdict}");
    }
    out
}

/// The JSON object. `passed` is the gate's verdict (true without a gate: nothing failed),
/// `failures` its reasons.
pub fn render_json(s: &Summary, gate: &Gate) -> Value {
    let symbols: Vec<Value> = s
        .symbols
        .iter()
        .map(|(name, st)| {
            json!({
                "symbol": name,
                "interface": st.interface,
                "method": st.method,
                "calls": st.calls,
                "failed": st.failed,
                "leaks": st.leaks,
                "double_releases": st.double_releases,
            })
        })
        .collect();
    let leaked: Vec<Value> = s
        .leaked
        .iter()
        .map(|(l, n)| {
            json!({
                "interface": l.interface,
                "method": l.method,
                "kind": l.kind,
                "type": l.handle_type,
                "count": n,
            })
        })
        .collect();
    let double_released: Vec<Value> = s
        .double_released
        .iter()
        .map(|(d, n)| {
            json!({
                "interface": d.interface,
                "method": d.method,
                "type": d.handle_type,
                "released_by": d.released_by,
                "count": n,
            })
        })
        .collect();
    let failures = s.failures(gate);
    json!({
        "calls": s.calls,
        "ok": s.ok,
        "failed": s.failed(),
        "leaks": s.leak_count(),
        "double_releases": s.double_release_count(),
        "leaked": leaked,
        "double_released": double_released,
        "loads": s.loads,
        "unloads": s.unloads,
        "pass_rate": s.pass_rate(),
        "gate": gate.is_on().then(|| json!({
            "required_pass_rate": gate.require_pass_rate,
            "leaks_allowed": !gate.denies_leaks(),
        })),
        "required_pass_rate": gate.require_pass_rate,
        "passed": failures.is_empty(),
        "failures": failures,
        "symbols": symbols,
    })
}

/// Runs `bid audit`: 0 when the trace passes the gate (always, without one), 1 when it
/// fails it, 2 for an unreadable trace.
pub fn run(args: &AuditArgs) -> ExitCode {
    if let Some(r) = args.require_pass_rate
        && !(0.0..=1.0).contains(&r)
    {
        eprintln!("error: --require-pass-rate must be between 0.0 and 1.0, not {r}");
        return ExitCode::from(2);
    }
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let summary = match summarise(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: `{}` {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let gate = Gate::of(args);
    match args.format {
        Format::Text => print!("{}", render_text(&summary, &gate)),
        Format::Json => println!("{}", render_json(&summary, &gate)),
    }
    let failures = summary.failures(&gate);
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests;
