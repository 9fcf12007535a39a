//! `bid audit TRACE.jsonl`: summarise a runtime audit trace per symbol and gate CI on its pass rate.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

/// Arguments of `bid audit`.
#[derive(clap::Args, Debug, Clone)]
pub struct AuditArgs {
    /// The trace to summarise: JSON lines written with `BID_AUDIT=path.jsonl` or `Audit::trace_to`.
    pub file: PathBuf,
    /// Exit 1 when the overall pass rate (ok calls / calls) is below this (0.0 to 1.0).
    #[arg(long, value_name = "RATE")]
    pub require_pass_rate: Option<f64>,
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

/// A whole trace, summarised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Per extern symbol, sorted by name.
    pub symbols: BTreeMap<String, SymbolStats>,
    /// `ffi.call` events.
    pub calls: u64,
    /// Calls with status `ok`.
    pub ok: u64,
    /// Leaked handles and buffers.
    pub leaks: u64,
    /// Refused second releases.
    pub double_releases: u64,
    /// `ffi.load` events.
    pub loads: u64,
    /// `ffi.unload` events.
    pub unloads: u64,
}

impl Summary {
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

    /// Whether the trace meets `required` (always, when nothing is required).
    pub fn passes(&self, required: Option<f64>) -> bool {
        required.is_none_or(|r| self.pass_rate() >= r)
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
                if symbol.is_some() {
                    stats(&mut s)?;
                }
            }
            "ffi.double_release" => {
                stats(&mut s)?;
                s.double_releases += 1;
            }
            "ffi.load" => s.loads += 1,
            "ffi.unload" => s.unloads += 1,
            other => return Err(err(format!("unknown event `{other}`"))),
        }
    }
    Ok(s)
}

/// The text table.
pub fn render_text(s: &Summary) -> String {
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
    let _ = writeln!(
        out,
        "total: {} calls, {} failed, {} leaked, {} double releases; pass rate {:.4}",
        s.calls,
        s.failed(),
        s.leaks,
        s.double_releases,
        s.pass_rate()
    );
    out
}

/// The JSON object.
pub fn render_json(s: &Summary, required: Option<f64>) -> Value {
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
    json!({
        "calls": s.calls,
        "ok": s.ok,
        "failed": s.failed(),
        "leaks": s.leaks,
        "double_releases": s.double_releases,
        "loads": s.loads,
        "unloads": s.unloads,
        "pass_rate": s.pass_rate(),
        "required_pass_rate": required,
        "passed": s.passes(required),
        "symbols": symbols,
    })
}

/// Runs `bid audit`: 0 when the pass rate is met, 1 below it, 2 for an unreadable trace.
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
    match args.format {
        Format::Text => print!("{}", render_text(&summary)),
        Format::Json => println!("{}", render_json(&summary, args.require_pass_rate)),
    }
    if summary.passes(args.require_pass_rate) {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: pass rate {:.4} is below the required {:.4}",
            summary.pass_rate(),
            args.require_pass_rate.unwrap_or(0.0)
        );
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(event: &str, method: Option<&str>, status: &str, extra: &str) -> String {
        let (m, sym) = match method {
            Some(m) => (format!("\"{m}\""), format!("\"nyash_file_{m}\"")),
            None => ("null".to_owned(), "null".to_owned()),
        };
        format!(
            "{{\"timestamp\":\"2026-01-01T00:00:00Z\",\"category\":\"ffi.bridge\",\"event\":\"{event}\",\"interface\":\"nyash.file\",\"method\":{m},\"effect\":\"io\",\"latency_ns\":5,\"bridge\":{{\"status\":\"{status}\",\"extern_symbol\":{sym}}},\"audit_pass_rate\":1.0{extra}}}"
        )
    }

    fn sample() -> String {
        [
            line("ffi.load", None, "ok", ""),
            line("ffi.call", Some("open"), "ok", ""),
            line("ffi.call", Some("open"), "ok", ""),
            line("ffi.call", Some("close"), "ok", ""),
            String::new(),
            line("ffi.double_release", Some("close"), "double_release", ""),
            line("ffi.call", Some("close"), "double_release", ""),
            line("ffi.call", Some("read"), "error", ""),
            line(
                "ffi.leak",
                Some("open"),
                "leak",
                ",\"leak\":{\"kind\":\"handle\",\"count\":1}",
            ),
            line(
                "ffi.leak",
                Some("read"),
                "leak",
                ",\"leak\":{\"kind\":\"buffer\",\"count\":3}",
            ),
            line("ffi.unload", None, "leak", ""),
        ]
        .join("\n")
    }

    #[test]
    fn summarises_per_symbol() {
        let s = summarise(&sample()).expect("valid trace");
        assert_eq!((s.calls, s.ok, s.failed()), (5, 3, 2));
        assert_eq!(
            (s.leaks, s.double_releases, s.loads, s.unloads),
            (4, 1, 1, 1)
        );
        assert!((s.pass_rate() - 0.6).abs() < 1e-12);
        let names: Vec<&str> = s.symbols.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["nyash_file_close", "nyash_file_open", "nyash_file_read"]
        );
        let close = &s.symbols["nyash_file_close"];
        assert_eq!(
            (close.calls, close.failed, close.double_releases),
            (2, 1, 1)
        );
        assert_eq!(s.symbols["nyash_file_open"].leaks, 1);
        assert_eq!(s.symbols["nyash_file_read"].leaks, 3);
        assert_eq!(s.symbols["nyash_file_read"].method, "read");
        assert!(!s.passes(Some(1.0)));
        assert!(s.passes(Some(0.6)));
        assert!(s.passes(None));

        let text = render_text(&s);
        assert!(text.contains("nyash_file_close"), "{text}");
        assert!(
            text.ends_with(
                "total: 5 calls, 2 failed, 4 leaked, 1 double releases; pass rate 0.6000\n"
            ),
            "{text}"
        );
        let j = render_json(&s, Some(1.0));
        assert_eq!(j["passed"], false);
        assert_eq!(j["symbols"][0]["symbol"], "nyash_file_close");
    }

    #[test]
    fn an_empty_trace_passes() {
        let s = summarise("").expect("empty");
        assert_eq!(s.pass_rate(), 1.0);
        assert!(s.passes(Some(1.0)));
    }

    #[test]
    fn a_malformed_line_is_named_by_number() {
        let text = format!("{}\n{{\"event\":", line("ffi.call", Some("open"), "ok", ""));
        let e = summarise(&text).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("line 2: not JSON"), "{e}");
        let e = summarise("{\"event\":\"ffi.call\"}").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("bridge.status"), "{e}");
        let e = summarise(&line("ffi.bogus", Some("x"), "ok", "")).unwrap_err();
        assert!(e.message.contains("unknown event"), "{e}");
    }

    #[test]
    fn run_exits_by_the_required_rate() {
        let dir = std::env::temp_dir().join(format!("bid-audit-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("trace.jsonl");
        std::fs::write(&file, sample()).unwrap();
        let args = |r: Option<f64>| AuditArgs {
            file: file.clone(),
            require_pass_rate: r,
            format: Format::Json,
        };
        assert_eq!(run(&args(Some(0.5))), ExitCode::SUCCESS);
        assert_eq!(run(&args(Some(1.0))), ExitCode::from(1));
        assert_eq!(run(&args(Some(1.5))), ExitCode::from(2));
        let missing = AuditArgs {
            file: dir.join("missing.jsonl"),
            require_pass_rate: None,
            format: Format::Text,
        };
        assert_eq!(run(&missing), ExitCode::from(2));
        std::fs::write(&file, "not json\n").unwrap();
        assert_eq!(run(&args(None)), ExitCode::from(2));
        std::fs::remove_dir_all(&dir).ok();
    }
}
