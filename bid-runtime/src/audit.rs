//! The audit of one box: counters every call updates (per-thread shards, so a call counts
//! without a locked instruction) and the API to trace calls to a file.

use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use crate::error::TraceError;
use crate::trace::{Sink, TraceState};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Shards owned by one thread slot each; the last one is shared by threads beyond them.
const OWNED_SHARDS: usize = 64;
/// A thread that has not asked for a slot yet.
const UNASSIGNED: u32 = u32::MAX;
/// A thread whose slot was returned while it still runs (during TLS destruction).
const SHARED: u32 = OWNED_SHARDS as u32;

/// Counters of one shard; padded so two threads never share a cache line.
#[repr(align(128))]
#[derive(Default)]
pub(crate) struct Shard {
    ok: AtomicU64,
    failed: AtomicU64,
    borrowed: AtomicU64,
    transferred: AtomicU64,
    null: AtomicU64,
    dropped: AtomicU64,
}

/// Which counter of a shard.
#[derive(Clone, Copy)]
pub(crate) enum Counter {
    Ok,
    Failed,
    Borrowed,
    Transferred,
    Null,
    /// An owned handle released by its drop.
    Dropped,
}

impl Shard {
    fn get(&self, c: Counter) -> &AtomicU64 {
        match c {
            Counter::Ok => &self.ok,
            Counter::Failed => &self.failed,
            Counter::Borrowed => &self.borrowed,
            Counter::Transferred => &self.transferred,
            Counter::Null => &self.null,
            Counter::Dropped => &self.dropped,
        }
    }
}

/// Free thread slots; a slot has one owner thread at a time.
static FREE_SLOTS: Mutex<SlotPool> = Mutex::new(SlotPool {
    next: 0,
    free: Vec::new(),
});

struct SlotPool {
    next: u32,
    free: Vec<u32>,
}

thread_local! {
    /// This thread's slot: `UNASSIGNED`, an owned shard index, or `SHARED`.
    static SLOT: Cell<u32> = const { Cell::new(UNASSIGNED) };
    /// Returns the slot to the pool when the thread exits.
    static SLOT_GUARD: SlotGuard = const { SlotGuard };
}

struct SlotGuard;

impl Drop for SlotGuard {
    fn drop(&mut self) {
        if let Ok(slot) = SLOT.try_with(|s| s.replace(SHARED)) {
            give_back(slot);
        }
    }
}

/// Returns an owned slot to the pool. The pool's mutex orders this thread's last shard
/// stores before the next owner's first load, so counts stay exact.
fn give_back(slot: u32) {
    if slot < SHARED {
        let mut pool = FREE_SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        pool.free.push(slot);
    }
}

#[cold]
fn assign_slot() -> u32 {
    let slot = {
        let mut pool = FREE_SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        match pool.free.pop() {
            Some(s) => s,
            None if (pool.next as usize) < OWNED_SHARDS => {
                pool.next += 1;
                pool.next - 1
            }
            None => SHARED,
        }
    };
    // Registering the guard can fail during thread teardown; then the slot must not be owned.
    let registered = SLOT_GUARD.try_with(|_| ()).is_ok();
    let slot = if registered {
        slot
    } else {
        give_back(slot);
        SHARED
    };
    let _ = SLOT.try_with(|s| s.set(slot));
    slot
}

/// This thread's slot as stored: an owned shard index, `UNASSIGNED` or `SHARED`.
#[inline(always)]
fn raw_slot() -> u32 {
    SLOT.try_with(Cell::get).unwrap_or(SHARED)
}

/// What the load found of the plugin's `<prefix>_bid_signature`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureCheck {
    /// Exported and equal, method by method, to the one the bindings were built from.
    Matched,
    /// Not exported: nothing said whether the plugin was built from the same BID file.
    Absent,
}

impl SignatureCheck {
    /// `matched` or `absent`, as the `ffi.load` trace line says it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureCheck::Matched => "matched",
            SignatureCheck::Absent => "absent",
        }
    }
}

/// Counters of one loaded box, and the optional trace.
pub struct Audit {
    /// A fixed size, so indexing by an owned slot (< 64) needs no bounds check.
    shards: Box<[Shard; OWNED_SHARDS + 1]>,
    pub(crate) leaks: AtomicU64,
    pub(crate) double_releases: AtomicU64,
    /// Per handle type with a release method: handles the host owns and has not released.
    pub(crate) live_handles: Box<[AtomicU64]>,
    pub(crate) trace_errors: AtomicU64,
    /// Per method: transferred buffers handed out and not yet freed.
    pub(crate) live_buffers: Box<[AtomicU64]>,
    /// Whether calls take the slow path (a trace file or a `tracing` subscriber).
    pub(crate) tracing: AtomicBool,
    pub(crate) trace: TraceState,
    signature: SignatureCheck,
}

/// A copy of the audit counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditSnapshot {
    /// Calls made.
    pub total: u64,
    /// Calls that returned `Ok`.
    pub ok: u64,
    /// Calls that returned `Err` (refused before the plugin, or a bad result).
    pub failed: u64,
    /// Borrowed (copied) and reference buffer results.
    pub borrowed_results: u64,
    /// Transferred buffer and handle results.
    pub transferred_results: u64,
    /// Null/empty buffer results.
    pub null_results: u64,
    /// Handles and buffers still live when the box was dropped.
    pub leaks: u64,
    /// Releases of an already released handle (refused).
    pub double_releases: u64,
    /// Handles the host owns and has not released (of types with a release method).
    pub live_handles: u64,
    /// Releases made by dropping an owned handle (counted among the calls too).
    pub released_by_drop: u64,
    /// Transferred buffers currently held.
    pub live_buffers: u64,
    /// Trace lines that could not be written.
    pub trace_errors: u64,
}

impl AuditSnapshot {
    /// `ok / total`, 1.0 with no calls.
    pub fn pass_rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.ok as f64 / self.total as f64
        }
    }
}

/// The summary a host prints: one line of calls, one of ownership.
impl std::fmt::Display for AuditSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "audit: {}, {} ok, {} failed, pass rate {:.3}",
            Count(self.total, "call", "calls"),
            self.ok,
            self.failed,
            self.pass_rate()
        )?;
        write!(
            f,
            "ownership: {} transferred, {} borrowed, {}; {} and {} live; {}, {}",
            self.transferred_results,
            self.borrowed_results,
            Count(self.null_results, "null result", "null results"),
            Count(self.live_handles, "handle", "handles"),
            Count(self.live_buffers, "buffer", "buffers"),
            Count(self.leaks, "leak", "leaks"),
            Count(self.double_releases, "double release", "double releases")
        )?;
        if self.trace_errors > 0 {
            write!(
                f,
                "; {} lost",
                Count(self.trace_errors, "trace line", "trace lines")
            )?;
        }
        Ok(())
    }
}

/// `1 leak`, `2 leaks`.
struct Count(u64, &'static str, &'static str);

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Count(n, one, many) = *self;
        write!(f, "{n} {}", if n == 1 { one } else { many })
    }
}

/// The summary of [`Audit::snapshot`], and a third line when the plugin's signature could
/// not be checked.
impl std::fmt::Display for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.snapshot(), f)?;
        if self.signature == SignatureCheck::Absent {
            f.write_str(
                "\nsignature: not checked (the plugin exports none; it may have been built from another BID file)",
            )?;
        }
        Ok(())
    }
}

impl Audit {
    pub(crate) fn new(
        methods: usize,
        handles: usize,
        signature: SignatureCheck,
        trace: TraceState,
    ) -> Audit {
        Audit {
            shards: Box::new(std::array::from_fn(|_| Shard::default())),
            leaks: AtomicU64::new(0),
            double_releases: AtomicU64::new(0),
            live_handles: (0..handles).map(|_| AtomicU64::new(0)).collect(),
            trace_errors: AtomicU64::new(0),
            live_buffers: (0..methods).map(|_| AtomicU64::new(0)).collect(),
            tracing: AtomicBool::new(false),
            trace,
            signature,
        }
    }

    /// Adds one to a counter of this thread's shard.
    #[inline(always)]
    pub(crate) fn bump(&self, c: Counter) {
        let slot = raw_slot();
        // One comparison on the fast path: `UNASSIGNED` and `SHARED` are both >= 64.
        if slot < SHARED {
            // Only the slot's owner thread writes this shard: a plain load and store
            // is exact and avoids a lock-prefixed instruction.
            let n = self.shards[slot as usize].get(c);
            n.store(n.load(Relaxed).wrapping_add(1), Relaxed);
        } else {
            self.bump_slow(slot, c);
        }
    }

    #[cold]
    #[inline(never)]
    fn bump_slow(&self, slot: u32, c: Counter) {
        let slot = if slot == UNASSIGNED {
            assign_slot()
        } else {
            slot
        };
        if slot < SHARED {
            let n = self.shards[slot as usize].get(c);
            n.store(n.load(Relaxed).wrapping_add(1), Relaxed);
        } else {
            self.shards[OWNED_SHARDS].get(c).fetch_add(1, Relaxed);
        }
    }

    /// What the load found of the plugin's signature: `Absent` means nothing checked that
    /// the plugin was built from the same BID file as the bindings.
    pub fn signature(&self) -> SignatureCheck {
        self.signature
    }

    /// Counters now (exact once the calling threads are joined).
    pub fn snapshot(&self) -> AuditSnapshot {
        let mut s = AuditSnapshot::default();
        for shard in self.shards.iter() {
            s.ok += shard.ok.load(Relaxed);
            s.failed += shard.failed.load(Relaxed);
            s.borrowed_results += shard.borrowed.load(Relaxed);
            s.transferred_results += shard.transferred.load(Relaxed);
            s.null_results += shard.null.load(Relaxed);
            s.released_by_drop += shard.dropped.load(Relaxed);
        }
        s.total = s.ok + s.failed;
        s.leaks = self.leaks.load(Relaxed);
        s.double_releases = self.double_releases.load(Relaxed);
        s.live_handles = self.live_handles.iter().map(|h| h.load(Relaxed)).sum();
        s.live_buffers = self.live_buffers.iter().map(|b| b.load(Relaxed)).sum();
        s.trace_errors = self.trace_errors.load(Relaxed);
        s
    }

    /// `ok / total`, 1.0 with no calls.
    pub fn pass_rate(&self) -> f64 {
        let (ok, total) = self.pass_counts();
        AuditSnapshot {
            total,
            ok,
            ..AuditSnapshot::default()
        }
        .pass_rate()
    }

    /// `(ok, total)` now: the two counters a trace line's pass rate needs, and nothing else
    /// of the snapshot.
    fn pass_counts(&self) -> (u64, u64) {
        let (mut ok, mut failed) = (0u64, 0u64);
        for shard in self.shards.iter() {
            ok += shard.ok.load(Relaxed);
            failed += shard.failed.load(Relaxed);
        }
        (ok, ok + failed)
    }
}

impl Audit {
    /// Starts writing every call's trace line to `path` (appending; boxes writing the same
    /// path share one writer). Replaces an earlier trace of this box, flushing it.
    pub fn trace_to(&self, path: impl AsRef<Path>) -> Result<(), TraceError> {
        let sink = Sink::open(path.as_ref())?;
        if let Some(old) = self.trace.replace(Some(sink)) {
            self.retire(&old);
        }
        self.tracing.store(true, Relaxed);
        Ok(())
    }

    /// Stops the trace file (flushing it); counters go on.
    pub fn trace_off(&self) {
        self.tracing.store(self.trace.subscriber, Relaxed);
        if let Some(old) = self.trace.replace(None) {
            self.retire(&old);
        }
    }

    /// Writes what a trace file this box no longer uses still holds, and counts its lost
    /// lines.
    fn retire(&self, old: &Sink) {
        let _ = self.trace.flush_sink(old);
        self.count_lost_lines();
    }

    /// Moves the lines the trace's writers could not write into `trace_errors`.
    fn count_lost_lines(&self) {
        let lost = self.trace.newly_lost();
        if lost > 0 {
            self.trace_errors.fetch_add(lost, Relaxed);
        }
    }

    /// Writes every trace line of this box (and of other boxes sharing its file) to the
    /// file now, on this thread; an error if lines of this box could not be written since
    /// the last flush. Lines reach the file without it (a writer thread writes each within
    /// about 20 ms; dropping the box and a normal process exit flush), so call it only to
    /// read the file at a given point while the box is in use.
    pub fn flush_trace(&self) -> Result<(), TraceError> {
        let flushed = self.trace.flush();
        self.count_lost_lines();
        flushed
    }

    /// The trace file being written, if any.
    pub fn trace_path(&self) -> Option<PathBuf> {
        self.trace.sink_path()
    }
}

impl Audit {
    /// Records one event: a line in the trace file (if any) and, with the `tracing`
    /// feature, a `tracing` event with target `bid::audit`. `extra` is a JSON fragment
    /// starting with `,` (members after `audit_pass_rate`), or empty.
    pub(crate) fn event(
        &self,
        event: &str,
        method: Option<usize>,
        status: &str,
        latency_ns: u64,
        extra: &str,
    ) {
        self.event_at(None, event, method, status, latency_ns, extra);
    }

    /// [`Audit::event`] of an event that happened at `at` (a call's end, already read for
    /// its latency: the line's timestamp needs no clock read of its own); `None` is now.
    pub(crate) fn event_at(
        &self,
        at: Option<Instant>,
        event: &str,
        method: Option<usize>,
        status: &str,
        latency_ns: u64,
        extra: &str,
    ) {
        if let Some(sink) = self.trace.sink().as_deref() {
            self.trace.write_line(
                sink,
                at.unwrap_or_else(Instant::now),
                self.pass_counts(),
                event,
                method,
                status,
                latency_ns,
                extra,
            );
            self.count_lost_lines();
        }
        #[cfg(feature = "tracing")]
        self.tracing_event(event, method, status, latency_ns, extra);
    }

    #[cfg(feature = "tracing")]
    fn tracing_event(
        &self,
        event: &str,
        method: Option<usize>,
        status: &str,
        latency_ns: u64,
        extra: &str,
    ) {
        let meta = self.trace.meta;
        let m = method.map(|i| &meta.methods[i]);
        let method = m.map_or("", |m| m.name);
        let symbol = m.map_or("", |m| m.symbol);
        let library = self.trace.library.to_string_lossy();
        let details = extra.strip_prefix(',').unwrap_or(extra);
        macro_rules! emit {
            ($level:expr) => {
                tracing::event!(
                    target: "bid::audit",
                    $level,
                    event,
                    interface = meta.name,
                    method,
                    extern_symbol = symbol,
                    status,
                    latency_ns,
                    library = %library,
                    details,
                    "{event}"
                )
            };
        }
        match status {
            "ok" if event == "ffi.call" => emit!(tracing::Level::TRACE),
            "ok" => emit!(tracing::Level::DEBUG),
            _ => emit!(tracing::Level::WARN),
        }
    }
}

#[cfg(test)]
mod display_tests {
    use super::AuditSnapshot;

    #[test]
    fn summary_names_every_counter() {
        let s = AuditSnapshot {
            total: 4,
            ok: 3,
            failed: 1,
            transferred_results: 2,
            live_handles: 1,
            leaks: 1,
            double_releases: 1,
            ..AuditSnapshot::default()
        };
        assert_eq!(
            s.to_string(),
            "audit: 4 calls, 3 ok, 1 failed, pass rate 0.750\n\
             ownership: 2 transferred, 0 borrowed, 0 null results; 1 handle and 0 buffers live; \
             1 leak, 1 double release"
        );
    }
}
