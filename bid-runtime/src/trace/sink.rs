//! Where trace lines go: one writer per trace file, shared by every box that traces to it,
//! collecting lines in bounded batches that a writer thread writes, flushed on drop and at
//! process exit.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::TraceError;

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
    pub(crate) path: PathBuf,
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
    pub(crate) fn append(&self, line: &[u8], owner: &Arc<AtomicU64>) {
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
    pub(crate) fn last_error(&self) -> io::Error {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
