//! The opt-in JSON-lines trace: host facts, hand-written JSON, writers shared by every box
//! that traces to the same file.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

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

/// RFC 3339 UTC with nanoseconds, from the system clock (no calendar crate needed).
pub(crate) fn timestamp(now: SystemTime) -> String {
    let d = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_nanos()
    )
}

/// One trace file, shared by every box of the process that writes to the same path.
pub(crate) struct Sink {
    path: PathBuf,
    out: Mutex<BufWriter<File>>,
}

static SINKS: Mutex<Vec<Weak<Sink>>> = Mutex::new(Vec::new());

impl Sink {
    /// Opens (append) or joins the writer of `path`.
    pub(crate) fn open(path: &Path) -> Result<Arc<Sink>, TraceError> {
        let err = |source| TraceError {
            path: path.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(err)?;
        let canon = std::fs::canonicalize(path).map_err(err)?;
        let mut sinks = SINKS.lock().unwrap_or_else(|e| e.into_inner());
        sinks.retain(|w| w.strong_count() > 0);
        if let Some(s) = sinks
            .iter()
            .filter_map(Weak::upgrade)
            .find(|s| s.path == canon)
        {
            return Ok(s);
        }
        let sink = Arc::new(Sink {
            path: canon,
            out: Mutex::new(BufWriter::with_capacity(1 << 16, file)),
        });
        sinks.push(Arc::downgrade(&sink));
        Ok(sink)
    }

    fn write_line(&self, line: &str) -> std::io::Result<()> {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(line.as_bytes())
    }

    pub(crate) fn flush(&self) -> std::io::Result<()> {
        self.out.lock().unwrap_or_else(|e| e.into_inner()).flush()
    }
}

/// Per-method JSON fragments, built the first time a line is written.
struct Texts {
    /// `"interface":..,"method":..,"effect":..` per method, then one for box events.
    heads: Vec<String>,
    /// The `bridge` members after `status` per method, then one for box events.
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
                let mut head = format!("\"interface\":{iface},\"method\":");
                json_str(&mut head, m.name);
                head.push_str(",\"effect\":");
                json_str(&mut head, m.effect.as_str());
                heads.push(head);
                let mut b = common(ownership_name(m.param_ownership), Some(m.symbol));
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
                b.push_str(",\"rc_adjustment\":\"none\"}}");
                bridges.push(b);
            }
            heads.push(format!("\"interface\":{iface},\"method\":null,\"effect\":null"));
            let mut b = common("none", None);
            b.push_str(",\"return\":{\"ownership\":\"none\",\"status\":\"value\",\"wrap\":\"none\",\"release_handler\":\"none\",\"rc_adjustment\":\"none\"}}");
            bridges.push(b);
            Texts { heads, bridges }
        })
    }

    /// Formats one whole line (with its newline). `method: None` is a box-level event.
    pub(crate) fn format(
        &self,
        pass_rate: f64,
        event: &str,
        method: Option<usize>,
        status: &str,
        latency_ns: u64,
        extra: &str,
    ) -> String {
        let texts = self.texts();
        let i = method.unwrap_or(self.meta.methods.len());
        let mut line = String::with_capacity(640 + extra.len());
        line.push_str("{\"timestamp\":\"");
        line.push_str(&timestamp(SystemTime::now()));
        let _ = write!(
            line,
            "\",\"category\":\"ffi.bridge\",\"event\":\"{event}\",{},\"latency_ns\":{latency_ns},\"bridge\":{{\"status\":\"{status}\",{},\"audit_pass_rate\":{}",
            texts.heads[i],
            texts.bridges[i],
            json_f64(pass_rate)
        );
        line.push_str(extra);
        line.push_str("}\n");
        line
    }

    /// Writes a line to the trace file, if any; `false` when writing failed.
    pub(crate) fn write(&self, line: &str) -> bool {
        let sink = self.sink.read().unwrap_or_else(|e| e.into_inner());
        sink.as_ref()
            .is_none_or(|sink| sink.write_line(line).is_ok())
    }

    pub(crate) fn has_sink(&self) -> bool {
        self.sink
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    pub(crate) fn replace(&self, new: Option<Arc<Sink>>) -> Option<Arc<Sink>> {
        let mut sink = self.sink.write().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *sink, new)
    }

    /// Flushes the trace file, if any.
    pub(crate) fn flush(&self) -> Result<(), TraceError> {
        let sink = self.sink.read().unwrap_or_else(|e| e.into_inner());
        match sink.as_ref() {
            Some(s) => s.flush().map_err(|source| TraceError {
                path: s.path.clone(),
                source,
            }),
            None => Ok(()),
        }
    }

    /// The trace file being written, if any.
    pub(crate) fn sink_path(&self) -> Option<PathBuf> {
        let sink = self.sink.read().unwrap_or_else(|e| e.into_inner());
        sink.as_ref().map(|s| s.path.clone())
    }
}

/// A JSON number for a finite `f64` in `0..=1` (pass rates).
fn json_f64(v: f64) -> String {
    if v.is_finite() {
        let s = format!("{v}");
        if s.contains(['.', 'e']) {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        "0.0".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000000Z");
        let t = UNIX_EPOCH + Duration::new(951_827_696, 5);
        assert_eq!(timestamp(t), "2000-02-29T12:34:56.000000005Z");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_799);
        assert_eq!(timestamp(t), "2099-12-31T23:59:59.000000000Z");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        json_str(&mut s, "a\"b\\c\nd\u{1}é");
        assert_eq!(s, r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn pass_rates_are_json_numbers() {
        assert_eq!(json_f64(1.0), "1.0");
        assert_eq!(json_f64(0.5), "0.5");
        assert_eq!(json_f64(f64::NAN), "0.0");
    }

    #[test]
    fn host_names_this_build() {
        let h = host();
        assert_eq!(h.arch, std::env::consts::ARCH);
        assert!(h.platform.ends_with(h.arch));
        if cfg!(all(
            target_arch = "x86_64",
            target_os = "linux",
            target_env = "gnu"
        )) {
            assert_eq!(h.target, "x86_64-unknown-linux-gnu");
            assert_eq!(h.abi, "system_v");
        }
    }
}
