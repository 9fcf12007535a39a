//! The opt-in JSON-lines trace: host facts, hand-written JSON, writers shared by every box
//! that traces to the same file.

mod format;
mod sink;

use format::{LINE_KEEP, SCRATCH, Scratch, push_rate, push_u64};
pub(crate) use sink::Sink;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard};
use std::time::Instant;

use crate::error::TraceError;
use crate::meta::{InterfaceMeta, Ownership, Value};

/// The JSON Schema (draft 2020-12) every trace line satisfies.
pub const TRACE_SCHEMA: &str = include_str!("../schema/trace-line.schema.json");

/// Facts about the host build, as the trace's `bridge` object names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Host {
    /// The target triple (`x86_64-unknown-linux-gnu`, ...).
    pub target: &'static str,
    /// The architecture (`x86_64`, `aarch64`, ...).
    pub arch: &'static str,
    /// `<os>-<arch>`.
    pub platform: &'static str,
    /// The C ABI (`system_v`, `msvc`, `darwin_aapcs64`, `aapcs64`, `wasm`, ...).
    pub abi: &'static str,
    /// The calling convention of every plugin symbol.
    pub callconv: &'static str,
}

/// The host this runtime was built for.
pub fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| {
        let arch = std::env::consts::ARCH;
        let os = std::env::consts::OS;
        let env = if cfg!(target_env = "msvc") {
            "msvc"
        } else if cfg!(target_env = "musl") {
            "musl"
        } else if cfg!(target_env = "gnu") {
            "gnu"
        } else {
            ""
        };
        let target: &'static str = match (arch, os, env) {
            ("x86_64", "linux", "gnu") => "x86_64-unknown-linux-gnu",
            ("x86_64", "linux", "musl") => "x86_64-unknown-linux-musl",
            ("aarch64", "linux", "gnu") => "aarch64-unknown-linux-gnu",
            ("x86", "linux", "gnu") => "i686-unknown-linux-gnu",
            ("x86_64", "windows", "msvc") => "x86_64-pc-windows-msvc",
            ("x86_64", "windows", "gnu") => "x86_64-pc-windows-gnu",
            ("aarch64", "windows", "msvc") => "aarch64-pc-windows-msvc",
            ("aarch64", "macos", _) => "aarch64-apple-darwin",
            ("x86_64", "macos", _) => "x86_64-apple-darwin",
            ("wasm32", _, _) => "wasm32-unknown-unknown",
            _ if env.is_empty() => Box::leak(format!("{arch}-unknown-{os}").into_boxed_str()),
            _ => Box::leak(format!("{arch}-unknown-{os}-{env}").into_boxed_str()),
        };
        let abi = match (arch, os) {
            (_, "windows") if env == "msvc" => "msvc",
            ("x86_64", "windows") => "win64",
            ("aarch64", "macos") => "darwin_aapcs64",
            ("aarch64", _) => "aapcs64",
            ("wasm32", _) => "wasm",
            ("x86_64" | "x86", _) => "system_v",
            _ => "unknown",
        };
        Host {
            target,
            arch,
            platform: Box::leak(format!("{os}-{arch}").into_boxed_str()),
            abi,
            callconv: "C",
        }
    })
}

/// Appends `s` to `out` as a JSON string literal.
pub(crate) fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Per-method JSON fragments, built the first time a line is written, so that a line is the
/// event, the status and three numbers between copies of two ready-made texts.
struct Texts {
    /// Per method, then one for box events: what follows the event name up to the latency,
    /// `","interface":..,"method":..,"effect":..,"latency_ns":`.
    heads: Vec<String>,
    /// Per method, then one for box events: what follows the status up to the pass rate,
    /// `",` the other `bridge` members `},"audit_pass_rate":`.
    bridges: Vec<String>,
}

/// The trace side of an [`Audit`].
pub(crate) struct TraceState {
    pub(crate) meta: &'static InterfaceMeta,
    pub(crate) library: Arc<Path>,
    sink: RwLock<Option<Arc<Sink>>>,
    /// Whether a `tracing` subscriber wanted `bid::audit` events at load.
    pub(crate) subscriber: bool,
    texts: OnceLock<Texts>,
    /// Lines of this box that could not be written, counted by whoever wrote their batch
    /// (the writer thread, a caller, a flush).
    lost: Arc<AtomicU64>,
    /// How many of `lost` are already in `Audit::trace_errors`.
    counted: AtomicU64,
    /// `lost` as of the last flush: a flush fails when lines were lost since.
    flushed: AtomicU64,
}

fn ownership_name(o: Option<Ownership>) -> &'static str {
    match o {
        Some(Ownership::Borrowed) => "borrowed",
        Some(Ownership::Transferred) => "transferred",
        Some(Ownership::Reference) => "reference",
        None => "none",
    }
}

impl TraceState {
    pub(crate) fn new(meta: &'static InterfaceMeta, library: Arc<Path>) -> TraceState {
        #[cfg(feature = "tracing")]
        let subscriber = tracing::enabled!(target: "bid::audit", tracing::Level::TRACE);
        #[cfg(not(feature = "tracing"))]
        let subscriber = false;
        TraceState {
            meta,
            library,
            sink: RwLock::new(None),
            subscriber,
            texts: OnceLock::new(),
            lost: Arc::new(AtomicU64::new(0)),
            counted: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
        }
    }

    fn texts(&self) -> &Texts {
        self.texts.get_or_init(|| {
            let host = host();
            let methods = self.meta.methods;
            let mut heads = Vec::with_capacity(methods.len() + 1);
            let mut bridges = Vec::with_capacity(methods.len() + 1);
            let mut lib = String::new();
            json_str(&mut lib, &self.library.to_string_lossy());
            let mut iface = String::new();
            json_str(&mut iface, self.meta.name);
            let common = |ownership: &str, symbol: Option<&str>| {
                let mut s = String::new();
                let _ = write!(
                    s,
                    "\"target\":\"{}\",\"arch\":\"{}\",\"platform\":\"{}\",\"abi\":\"{}\",\"callconv\":\"{}\",\"ownership\":\"{ownership}\",\"extern_symbol\":",
                    host.target, host.arch, host.platform, host.abi, host.callconv
                );
                match symbol {
                    Some(sym) => json_str(&mut s, sym),
                    None => s.push_str("null"),
                }
                let _ = write!(s, ",\"library\":{lib}");
                s
            };
            for m in methods {
                let mut head = format!("\",\"interface\":{iface},\"method\":");
                json_str(&mut head, m.name);
                head.push_str(",\"effect\":");
                json_str(&mut head, m.effect.as_str());
                head.push_str(",\"latency_ns\":");
                heads.push(head);
                let mut b = String::from("\",");
                b.push_str(&common(ownership_name(m.param_ownership), Some(m.symbol)));
                if let Some(label) = m.passing {
                    b.push_str(",\"passing\":");
                    json_str(&mut b, label);
                }
                let (own, wrap, status, handler) = match m.ret {
                    None | Some(Value::Scalar | Value::Record) => (None, "none", "value", "none"),
                    Some(Value::Handle(h, o @ Ownership::Transferred)) => (
                        Some(o),
                        "handle",
                        "wrap_and_release",
                        h.release.map_or("none", |r| r.name),
                    ),
                    Some(Value::Handle(_, o)) => (Some(o), "handle", "wrap", "none"),
                    Some(
                        v @ (Value::String(o) | Value::Bytes(o) | Value::Array(o) | Value::CStr(o)),
                    ) => {
                        let wrap = match v {
                            Value::String(_) => "string",
                            Value::Bytes(_) => "bytes",
                            Value::CStr(_) => "cstr",
                            _ => "array",
                        };
                        match o {
                            Ownership::Transferred => (
                                Some(o),
                                wrap,
                                "wrap_and_release",
                                m.free.unwrap_or(self.meta.free_symbol),
                            ),
                            Ownership::Borrowed => (Some(o), wrap, "copy", "none"),
                            Ownership::Reference => (Some(o), wrap, "wrap", "none"),
                        }
                    }
                };
                let _ = write!(
                    b,
                    ",\"return\":{{\"ownership\":\"{}\",\"status\":\"{status}\",\"wrap\":\"{wrap}\",\"release_handler\":",
                    ownership_name(own)
                );
                json_str(&mut b, handler);
                b.push_str(",\"rc_adjustment\":\"none\"}},\"audit_pass_rate\":");
                bridges.push(b);
            }
            heads.push(format!(
                "\",\"interface\":{iface},\"method\":null,\"effect\":null,\"latency_ns\":"
            ));
            let mut b = String::from("\",");
            b.push_str(&common("none", None));
            b.push_str(",\"return\":{\"ownership\":\"none\",\"status\":\"value\",\"wrap\":\"none\",\"release_handler\":\"none\",\"rc_adjustment\":\"none\"}},\"audit_pass_rate\":");
            bridges.push(b);
            Texts { heads, bridges }
        })
    }

    /// Puts one whole line (with its newline) in `scratch.line`. `at` is when the event
    /// happened; `method: None` is a box-level event; `ok / total` the box's pass rate.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per member of the line"
    )]
    fn format_into(
        &self,
        scratch: &mut Scratch,
        at: Instant,
        (ok, total): (u64, u64),
        event: &str,
        method: Option<usize>,
        status: &str,
        latency_ns: u64,
        extra: &str,
    ) {
        let texts = self.texts();
        let i = method.unwrap_or(self.meta.methods.len());
        let (head, bridge) = (texts.heads[i].as_bytes(), texts.bridges[i].as_bytes());
        scratch.line.clear();
        scratch
            .line
            .reserve(head.len() + bridge.len() + extra.len() + 160);
        scratch.line.extend_from_slice(b"{\"timestamp\":\"");
        scratch.push_timestamp(at);
        let out = &mut scratch.line;
        out.extend_from_slice(b"\",\"category\":\"ffi.bridge\",\"event\":\"");
        out.extend_from_slice(event.as_bytes());
        out.extend_from_slice(head);
        push_u64(out, latency_ns);
        out.extend_from_slice(b",\"bridge\":{\"status\":\"");
        out.extend_from_slice(status.as_bytes());
        out.extend_from_slice(bridge);
        push_rate(out, ok, total);
        out.extend_from_slice(extra.as_bytes());
        out.extend_from_slice(b"}\n");
    }

    /// Formats one line in this thread's buffer and appends it to `sink`. `at` is when the
    /// event happened; `ok / total` the box's pass rate; `extra` a JSON fragment starting
    /// with `,`, or empty.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per member of the line"
    )]
    pub(crate) fn write_line(
        &self,
        sink: &Sink,
        at: Instant,
        pass: (u64, u64),
        event: &str,
        method: Option<usize>,
        status: &str,
        latency_ns: u64,
        extra: &str,
    ) {
        let line_of = |scratch: &mut Scratch| {
            self.format_into(scratch, at, pass, event, method, status, latency_ns, extra);
            sink.append(&scratch.line, &self.lost);
        };
        let done = SCRATCH
            .try_with(|cell| {
                let Ok(mut scratch) = cell.try_borrow_mut() else {
                    return false;
                };
                line_of(&mut scratch);
                if scratch.line.capacity() > LINE_KEEP {
                    scratch.line = Vec::new();
                }
                true
            })
            .unwrap_or(false);
        if !done {
            // During thread teardown (the buffer is gone): a buffer of its own.
            line_of(&mut Scratch::new());
        }
    }

    /// The trace file, read-locked while a line is written (`trace_to`/`trace_off` wait).
    pub(crate) fn sink(&self) -> RwLockReadGuard<'_, Option<Arc<Sink>>> {
        self.sink.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn has_sink(&self) -> bool {
        self.sink().is_some()
    }

    pub(crate) fn replace(&self, new: Option<Arc<Sink>>) -> Option<Arc<Sink>> {
        let mut sink = self.sink.write().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *sink, new)
    }

    /// Lines of this box lost since the last call, to add to `trace_errors` (a relaxed load
    /// when there are none).
    pub(crate) fn newly_lost(&self) -> u64 {
        let lost = self.lost.load(Relaxed);
        if lost == self.counted.load(Relaxed) {
            return 0;
        }
        // `fetch_max`: of two threads that race here, each line is counted once.
        lost.saturating_sub(self.counted.fetch_max(lost, Relaxed))
    }

    /// Writes everything `sink` holds (on this thread); an error if lines of this box were
    /// lost since the last flush.
    pub(crate) fn flush_sink(&self, sink: &Sink) -> Result<(), TraceError> {
        sink.flush();
        let lost = self.lost.load(Relaxed);
        if self.flushed.fetch_max(lost, Relaxed) < lost {
            Err(TraceError {
                path: sink.path.clone(),
                source: sink.last_error(),
            })
        } else {
            Ok(())
        }
    }

    /// Flushes the trace file, if any.
    pub(crate) fn flush(&self) -> Result<(), TraceError> {
        match self.sink().as_ref() {
            Some(s) => self.flush_sink(s),
            None => Ok(()),
        }
    }

    /// The trace file being written, if any.
    pub(crate) fn sink_path(&self) -> Option<PathBuf> {
        self.sink().as_ref().map(|s| s.path.clone())
    }
}

#[cfg(test)]
mod tests;
