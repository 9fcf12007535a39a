//! The opt-in JSON-lines trace: host facts, hand-written JSON, writers shared by every box
//! that traces to the same file.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, OnceLock, RwLock, RwLockReadGuard, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// `"00".."99"`, so a number is written two digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `n` in decimal: what `format!("{n}")` writes, without `core::fmt` (formatting
/// through it was about a third of a traced call's time).
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `n` as exactly `width` digits (zero-padded; `n < 10^width`).
fn push_padded(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = width;
    while n > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

/// `YYYY-MM-DDTHH:MM:SS` of `secs` since the Unix epoch, UTC (no calendar crate needed).
fn date_time(secs: u64) -> [u8; 19] {
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
    let mut out = Vec::with_capacity(19);
    push_padded(&mut out, year.clamp(0, 9_999) as u64, 4);
    out.push(b'-');
    push_padded(&mut out, month as u64, 2);
    out.push(b'-');
    push_padded(&mut out, day as u64, 2);
    out.push(b'T');
    push_padded(&mut out, rem / 3_600, 2);
    out.push(b':');
    push_padded(&mut out, rem / 60 % 60, 2);
    out.push(b':');
    push_padded(&mut out, rem % 60, 2);
    out.try_into().unwrap_or([b'0'; 19])
}

/// How long a thread derives wall-clock time from the monotonic clock before it reads the
/// system clock again (so a change of the system clock shows within this long).
const WALL_RESYNC: Duration = Duration::from_secs(1);

/// What a thread keeps between the lines it formats.
struct Scratch {
    /// The line being formatted: reused, so a line costs no allocation, and formatted before
    /// the sink's lock is taken, so other threads wait only for a copy.
    line: Vec<u8>,
    /// An instant and the system time then (since the Unix epoch): a line's timestamp is
    /// this plus the monotonic time since, so a traced call reads the clock twice (start and
    /// end, which also give its latency), not three times.
    wall: Option<(Instant, Duration)>,
    /// The last second formatted, and its `YYYY-MM-DDTHH:MM:SS`.
    second: (u64, [u8; 19]),
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// A thread's line buffer grown past this (a long error message) is not kept.
const LINE_KEEP: usize = 16 << 10;

impl Scratch {
    const fn new() -> Scratch {
        Scratch {
            line: Vec::new(),
            wall: None,
            second: (u64::MAX, [0; 19]),
        }
    }

    /// The system time at `at`, since the Unix epoch.
    fn since_epoch(&mut self, at: Instant) -> Duration {
        if let Some((mono, wall)) = self.wall
            && let Some(d) = at.checked_duration_since(mono)
            && d < WALL_RESYNC
        {
            return wall + d;
        }
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.wall = Some((at, wall));
        wall
    }

    /// Appends the system time at `at` as RFC 3339 UTC with nanoseconds.
    fn push_timestamp(&mut self, at: Instant) {
        let d = self.since_epoch(at);
        self.push_since_epoch(d);
    }

    fn push_since_epoch(&mut self, d: Duration) {
        let secs = d.as_secs();
        if self.second.0 != secs {
            self.second = (secs, date_time(secs));
        }
        self.line.extend_from_slice(&self.second.1);
        let nanos = d.subsec_nanos();
        let mut frac = [0u8; 11];
        frac[0] = b'.';
        frac[1] = b'0' + (nanos / 100_000_000) as u8;
        let mut rest = nanos % 100_000_000;
        for i in (0..4).rev() {
            let pair = (rest % 100) as usize * 2;
            rest /= 100;
            frac[2 + i * 2..4 + i * 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        frac[10] = b'Z';
        self.line.extend_from_slice(&frac);
    }
}

/// RFC 3339 UTC with nanoseconds, from the system clock.
#[cfg(test)]
fn timestamp(now: SystemTime) -> String {
    let mut scratch = Scratch::new();
    scratch.push_since_epoch(now.duration_since(UNIX_EPOCH).unwrap_or_default());
    String::from_utf8(scratch.line).expect("ASCII")
}

/// Appends `ok / total` as a JSON number in `0..=1`: `1.0` when every call passed, else
/// truncated (never rounded up to 1) to at most 9 decimals, in integer arithmetic.
fn push_rate(out: &mut Vec<u8>, ok: u64, total: u64) {
    if ok >= total {
        out.extend_from_slice(b"1.0");
        return;
    }
    const SCALE: u64 = 1_000_000_000;
    let frac = match ok.checked_mul(SCALE) {
        Some(scaled) => scaled / total,
        // Beyond 18 billion calls: the same quotient in 128 bits (< SCALE, so it fits).
        None => (u128::from(ok) * u128::from(SCALE) / u128::from(total)) as u64,
    };
    if frac == 0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    let (mut frac, mut width) = (frac, 9);
    while frac % 10 == 0 {
        frac /= 10;
        width -= 1;
    }
    out.extend_from_slice(b"0.");
    push_padded(out, frac, width);
}

/// Bytes of lines a batch collects before it is handed to the writer thread. Large enough
/// that a `write` carries hundreds of lines (the kernel's cost per call is then noise),
/// small enough that what a kill can lose stays small.
const BATCH_BYTES: usize = 256 << 10;
/// Full batches that may wait for the writer thread. A caller that finds this many waiting
/// writes the oldest itself before it adds its line (back-pressure): memory stays bounded
/// when the disk is slower than the calls.
const QUEUED_BATCHES: usize = 2;
/// How long a line may wait in a partly filled batch before the writer thread writes it:
/// a quiet box has its last lines in the kernel after this long.
const LINGER: Duration = Duration::from_millis(20);

/// Lines on their way to the file, and which box wrote them (so a failed write is counted
/// against the box whose lines it lost).
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Runs of consecutive lines of one box: its lost-line counter and where the run ends.
    owners: Vec<(Arc<AtomicU64>, usize)>,
}

impl Batch {
    fn push(&mut self, line: &[u8], owner: &Arc<AtomicU64>) {
        self.bytes.extend_from_slice(line);
        let end = self.bytes.len();
        match self.owners.last_mut() {
            Some((o, e)) if Arc::ptr_eq(o, owner) => *e = end,
            _ => self.owners.push((Arc::clone(owner), end)),
        }
    }

    /// Counts every line not wholly written (its newline is at or after `written`) against
    /// the box that wrote it.
    fn count_lost(&self, written: usize) {
        let mut start = 0;
        for (owner, end) in &self.owners {
            let from = start.max(written);
            if from < *end {
                let lines = self.bytes[from..*end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                owner.fetch_add(lines as u64, Relaxed);
            }
            start = *end;
        }
    }
}

/// What callers and the writer thread share under one lock.
#[derive(Default)]
struct Queue {
    /// The batch lines are appended to.
    fill: Batch,
    /// Full batches, oldest first, at most `QUEUED_BATCHES`.
    sealed: VecDeque<Batch>,
    /// Written batches kept for reuse (their allocations).
    spare: Vec<Batch>,
    /// The sink is dropped: the writer thread ends.
    closed: bool,
}

impl Queue {
    fn seal(&mut self) {
        let next = self.spare.pop().unwrap_or_default();
        let full = std::mem::replace(&mut self.fill, next);
        self.sealed.push_back(full);
    }
}

/// The file and the last way writing it failed.
struct Out {
    file: File,
    last_error: Option<(io::ErrorKind, String)>,
}

/// The part of a sink its writer thread holds.
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the writer thread: a batch was sealed, a first line waits, or the sink closes.
    wake: Condvar,
    /// Held while a batch is written. Batches leave `sealed` only under this lock, so they
    /// reach the file in the order they were sealed, whoever writes them.
    out: Mutex<Out>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding a lock leaves plain data (bytes, counters): go on.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Writes the oldest sealed batch, if one is still waiting once the file is free.
    fn write_oldest(&self) {
        let mut out = lock(&self.out);
        let oldest = lock(&self.queue).sealed.pop_front();
        if let Some(batch) = oldest {
            self.write_batch(&mut out, batch);
        }
    }

    /// Seals the partly filled batch and writes every line appended before, in order. One
    /// batch at a time: while it writes, other callers add at most `QUEUED_BATCHES` more,
    /// then wait, so memory stays within its bound during a flush too.
    fn write_all(&self) {
        let mut out = lock(&self.out);
        let mut left = {
            let mut q = lock(&self.queue);
            if !q.fill.bytes.is_empty() {
                q.seal();
            }
            q.sealed.len()
        };
        while left > 0 {
            // Oldest first: batches sealed after this flush began queue behind these.
            let Some(batch) = lock(&self.queue).sealed.pop_front() else {
                break;
            };
            self.write_batch(&mut out, batch);
            left -= 1;
        }
    }

    fn write_batch(&self, out: &mut Out, mut batch: Batch) {
        let mut written = 0;
        while written < batch.bytes.len() {
            match out.file.write(&batch.bytes[written..]) {
                Ok(0) => {
                    out.last_error = Some((io::ErrorKind::WriteZero, "wrote 0 bytes".into()));
                    batch.count_lost(written);
                    break;
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    out.last_error = Some((e.kind(), e.to_string()));
                    batch.count_lost(written);
                    break;
                }
            }
        }
        batch.bytes.clear();
        batch.owners.clear();
        // Keep an allocation for the next batch, unless one oversized line grew it.
        if batch.bytes.capacity() <= 2 * BATCH_BYTES {
            let mut q = lock(&self.queue);
            if q.spare.len() <= QUEUED_BATCHES {
                q.spare.push(batch);
            }
        }
    }

    /// The writer thread: writes sealed batches as they come, and a partly filled one once
    /// its first line has waited `LINGER`.
    fn run(&self) {
        let mut q = lock(&self.queue);
        let mut deadline: Option<Instant> = None;
        loop {
            if !q.sealed.is_empty() {
                drop(q);
                self.write_oldest();
                deadline = None;
                q = lock(&self.queue);
            } else if q.closed {
                return;
            } else if q.fill.bytes.is_empty() {
                deadline = None;
                q = self.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            } else {
                let due = *deadline.get_or_insert_with(|| Instant::now() + LINGER);
                let now = Instant::now();
                if now >= due {
                    q.seal();
                    deadline = None;
                } else {
                    q = self
                        .wake
                        .wait_timeout(q, due - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
    }
}

/// One trace file, shared by every box of the process that writes to the same path.
///
/// A line is appended to an in-memory batch under a short lock; a writer thread writes full
/// batches (and lines that waited `LINGER`), so the calling thread formats and copies a line
/// but never waits for the disk, unless the writer is `QUEUED_BATCHES` behind. `flush`
/// (box drop, `trace_off`, `flush_trace`, process exit) writes everything on the calling
/// thread.
pub(crate) struct Sink {
    path: PathBuf,
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
    /// The process that opened it: a forked child does not write its parent's lines again.
    pid: u32,
}

static SINKS: Mutex<Vec<Weak<Sink>>> = Mutex::new(Vec::new());

/// At process exit, writes what every sink still holds: boxes that are never dropped (in a
/// `static`, leaked, or alive in a thread when `main` returns) lose no line on a normal exit.
/// Runs after `main` returned or `std::process::exit`, while other threads may still run:
/// it only takes the sinks' own locks, no thread-local.
extern "C" fn write_all_at_exit() {
    let sinks: Vec<Arc<Sink>> = lock(&SINKS).iter().filter_map(Weak::upgrade).collect();
    for sink in sinks {
        if sink.pid == std::process::id() {
            sink.shared.write_all();
        }
    }
}

#[cfg(any(unix, windows))]
fn register_exit_hook() {
    unsafe extern "C" {
        /// C's `atexit`: handlers run on `exit`, which is how a Rust program ends when
        /// `main` returns or `std::process::exit` is called.
        fn atexit(f: extern "C" fn()) -> std::ffi::c_int;
    }
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // SAFETY: `atexit` only stores the pointer; `write_all_at_exit` is a plain function
        // that does not unwind (it takes locks and writes, nothing in it panics).
        unsafe { atexit(write_all_at_exit) };
    });
}

#[cfg(not(any(unix, windows)))]
fn register_exit_hook() {}

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
        let mut sinks = lock(&SINKS);
        sinks.retain(|w| w.strong_count() > 0);
        if let Some(s) = sinks
            .iter()
            .filter_map(Weak::upgrade)
            .find(|s| s.path == canon)
        {
            return Ok(s);
        }
        register_exit_hook();
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            out: Mutex::new(Out {
                file,
                last_error: None,
            }),
        });
        let writer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("bid-trace-writer".into())
                .spawn(move || shared.run())
        };
        let sink = Arc::new(Sink {
            path: canon,
            shared,
            // Without a thread, callers write each full batch themselves: slower, no loss.
            writer: writer.ok(),
            pid: std::process::id(),
        });
        sinks.push(Arc::downgrade(&sink));
        Ok(sink)
    }

    /// Appends one whole line (with its newline). Waits only when `QUEUED_BATCHES` full
    /// batches are already waiting: then it writes the oldest itself.
    fn append(&self, line: &[u8], owner: &Arc<AtomicU64>) {
        let mut q = lock(&self.shared.queue);
        let mut wake = false;
        while !q.fill.bytes.is_empty() && q.fill.bytes.len() + line.len() > BATCH_BYTES {
            let waiting = q.sealed.len();
            if waiting < QUEUED_BATCHES && (self.writer.is_some() || waiting == 0) {
                q.seal();
                wake = true;
            } else {
                drop(q);
                self.shared.write_oldest();
                q = lock(&self.shared.queue);
            }
        }
        wake |= q.fill.bytes.is_empty();
        q.fill.push(line, owner);
        drop(q);
        if wake {
            self.shared.wake.notify_one();
        }
    }

    /// Writes every line appended so far, on this thread (lines that cannot be written are
    /// counted against their boxes).
    pub(crate) fn flush(&self) {
        self.shared.write_all();
    }

    /// How the last failed write failed.
    fn last_error(&self) -> io::Error {
        match &lock(&self.shared.out).last_error {
            Some((kind, message)) => io::Error::new(*kind, message.clone()),
            None => io::Error::other("trace lines were not written"),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.shared.write_all();
        lock(&self.shared.queue).closed = true;
        self.shared.wake.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
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

    fn rate(ok: u64, total: u64) -> String {
        let mut out = Vec::new();
        push_rate(&mut out, ok, total);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pass_rates_are_json_numbers_never_rounded_up_to_one() {
        assert_eq!(rate(0, 0), "1.0");
        assert_eq!(rate(5, 5), "1.0");
        assert_eq!(rate(1, 2), "0.5");
        assert_eq!(rate(0, 3), "0.0");
        assert_eq!(rate(2, 3), "0.666666666");
        assert_eq!(rate(1, 40), "0.025");
        assert_eq!(rate(999_999_999_999, 1_000_000_000_000), "0.999999999");
        assert_eq!(rate(1, 3_000_000_000), "0.0");
        assert_eq!(rate(u64::MAX - 1, u64::MAX), "0.999999999");
        assert_eq!(rate(10u64.pow(18), 4 * 10u64.pow(18)), "0.25");
    }

    #[test]
    fn integers_are_decimal() {
        for n in [0, 7, 10, 99, 100, 12_345, 1_000_000, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn a_failed_write_counts_each_unwritten_line_against_its_box() {
        let (a, b) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let mut batch = Batch::default();
        batch.push(b"{1}\n", &a);
        batch.push(b"{2}\n", &a);
        batch.push(b"{3}\n", &b);
        batch.push(b"{4}\n", &a);
        assert_eq!(batch.owners.len(), 3, "runs of one box share an entry");
        // Written up to the middle of line 2: lines 2 and 4 of `a` and 3 of `b` are lost.
        batch.count_lost(6);
        assert_eq!((a.load(Relaxed), b.load(Relaxed)), (2, 1));
        // Nothing written: every line.
        batch.count_lost(0);
        assert_eq!((a.load(Relaxed), b.load(Relaxed)), (5, 2));
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
