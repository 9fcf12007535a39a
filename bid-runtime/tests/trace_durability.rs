//! What reaches the trace file without an explicit flush: when the process exits with a box
//! that is never dropped, when a panic unwinds, when the process is killed after its lines
//! waited the linger; and what the writer does when it fails or falls behind.
//!
//! The exit tests run this binary again as a child (`child_process` does the work there and
//! nothing in a normal run), since what is checked happens after the child's `main` returns.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Plug, plugin, trace_path, validated_lines};

/// Which scenario the child runs.
const CHILD: &str = "BID_TRACE_TEST_CHILD";
/// The trace file of the child.
const CHILD_TRACE: &str = "BID_TRACE_TEST_PATH";
/// The plugin, built once by the parent (a child building it again could overwrite the
/// library while the parent's other tests have it loaded).
const CHILD_PLUGIN: &str = "BID_TRACE_TEST_PLUGIN";
/// Calls each scenario makes: more than one batch of lines, and a partly filled last one.
const CALLS: i32 = 5_000;

fn load_from(path: &Path) -> Plug {
    // SAFETY: the test plugin matches the test interface.
    unsafe { Plug::load(path) }.expect("the test plugin loads")
}

fn load() -> Plug {
    load_from(&plugin())
}

fn calls(p: &Plug) {
    for i in 0..CALLS {
        assert_eq!(p.add(i, 1).unwrap(), i + 1);
    }
}

fn count(lines: &[serde_json::Value], event: &str) -> usize {
    lines.iter().filter(|l| l["event"] == event).count()
}

/// This test binary, running only `child_process` in `mode`, tracing to `trace`.
fn child(mode: &str, trace: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("the test binary"));
    cmd.args([
        "child_process",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, mode)
    .env(CHILD_TRACE, trace)
    .env(CHILD_PLUGIN, plugin())
    .env_remove("BID_AUDIT");
    cmd
}

/// Runs the child to its end and returns the trace's lines, each checked against the schema.
fn run_child(mode: &str) -> Vec<serde_json::Value> {
    let trace = trace_path(mode);
    let out = child(mode, &trace).output().expect("running the child");
    assert!(
        out.status.success(),
        "child {mode} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    validated_lines(&trace)
}

/// The child's side: load, trace, call, and leave the box undropped in some way.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let trace = PathBuf::from(std::env::var_os(CHILD_TRACE).expect("trace path"));
    let lib = PathBuf::from(std::env::var_os(CHILD_PLUGIN).expect("plugin path"));
    let traced = |p: &Plug, trace: &Path| {
        p.audit().trace_to(trace).expect("trace file");
        calls(p);
    };
    match mode.as_str() {
        // `main` returns with the box in a static (statics are never dropped).
        "static" => {
            static BOX: std::sync::OnceLock<Plug> = std::sync::OnceLock::new();
            traced(BOX.get_or_init(|| load_from(&lib)), &trace);
        }
        // `main` returns after the box was forgotten.
        "forgotten" => {
            let p = load_from(&lib);
            traced(&p, &trace);
            std::mem::forget(p);
        }
        // `main` returns while another thread still holds the box.
        "thread" => {
            let (done, wait) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let p = load_from(&lib);
                traced(&p, &trace);
                done.send(()).unwrap();
                loop {
                    std::thread::park();
                }
            });
            wait.recv().unwrap();
        }
        // `std::process::exit` from the middle of a function: nothing is dropped.
        "exit" => {
            let p = load_from(&lib);
            traced(&p, &trace);
            std::process::exit(0);
        }
        // Waits to be killed, once its lines are traced.
        "kill" => {
            let p = load_from(&lib);
            traced(&p, &trace);
            println!("traced");
            std::thread::sleep(Duration::from_secs(60));
            drop(p);
        }
        other => panic!("unknown child mode {other}"),
    }
}

#[test]
fn lines_of_a_box_in_a_static_reach_the_file_when_main_returns() {
    let lines = run_child("static");
    assert_eq!(count(&lines, "ffi.call"), CALLS as usize, "no line lost");
    assert_eq!(count(&lines, "ffi.unload"), 0, "the box was never dropped");
}

#[test]
fn lines_of_a_forgotten_box_reach_the_file_at_exit() {
    let lines = run_child("forgotten");
    assert_eq!(count(&lines, "ffi.call"), CALLS as usize, "no line lost");
}

#[test]
fn lines_of_a_box_held_by_a_running_thread_reach_the_file_at_exit() {
    let lines = run_child("thread");
    assert_eq!(count(&lines, "ffi.call"), CALLS as usize, "no line lost");
}

#[test]
fn lines_reach_the_file_on_process_exit_without_unwinding() {
    let lines = run_child("exit");
    assert_eq!(count(&lines, "ffi.call"), CALLS as usize, "no line lost");
}

/// Lines in the kernel survive a kill: once a quiet box's lines waited the linger, a SIGKILL
/// loses none of them.
#[test]
fn a_killed_process_loses_no_line_that_waited_the_linger() {
    use std::io::BufRead;
    let trace = trace_path("kill");
    let mut proc = child("kill", &trace)
        .stdout(Stdio::piped())
        .spawn()
        .expect("running the child");
    let mut out = std::io::BufReader::new(proc.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("traced") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child ended early"
        );
    }
    // Nothing flushes: the writer thread writes what waited the linger (20 ms) by itself.
    let lines = wait_for_calls(&trace, CALLS as usize);
    proc.kill().expect("killing the child");
    proc.wait().unwrap();
    assert_eq!(count(&lines, "ffi.call"), CALLS as usize);
    let after = validated_lines(&trace);
    assert_eq!(after.len(), lines.len(), "the kill took nothing back");
}

/// Polls `trace` until it holds `n` call lines (each a whole, valid line); panics after 20 s.
fn wait_for_calls(trace: &Path, n: usize) -> Vec<serde_json::Value> {
    let start = Instant::now();
    loop {
        if trace.exists() {
            let text = std::fs::read_to_string(trace).unwrap();
            // Only whole lines: a write may be under way.
            if text.ends_with('\n') && text.matches("\"event\":\"ffi.call\"").count() >= n {
                return validated_lines(trace);
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{n} lines did not reach {} without a flush",
            trace.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn lines_reach_the_file_within_the_linger_without_a_flush() {
    let path = trace_path("linger");
    let p = load();
    p.audit().trace_to(&path).unwrap();
    for i in 0..10 {
        p.add(i, i).unwrap();
    }
    let lines = wait_for_calls(&path, 10);
    assert_eq!(count(&lines, "ffi.call"), 10);
    drop(p);
    assert_eq!(count(&validated_lines(&path), "ffi.unload"), 1);
}

#[test]
fn an_unwinding_panic_drops_the_box_and_writes_its_lines() {
    let path = trace_path("panic");
    let unwound = std::panic::catch_unwind(|| {
        let p = load();
        p.audit().trace_to(&path).unwrap();
        calls(&p);
        panic!("a panic with the box alive");
    });
    assert!(unwound.is_err());
    // Read at once: the box's drop wrote every line on the panicking thread.
    let lines = validated_lines(&path);
    assert_eq!(count(&lines, "ffi.call"), CALLS as usize, "no line lost");
    assert_eq!(
        lines.last().map(|l| l["event"].clone()),
        Some("ffi.unload".into()),
        "the unload summary is the last line"
    );
}

#[test]
fn a_failing_writer_counts_every_lost_line_and_never_panics() {
    if !Path::new("/dev/full").exists() {
        eprintln!("no /dev/full: skipped");
        return;
    }
    let p = load();
    p.audit().trace_to("/dev/full").expect("/dev/full opens");
    // Several batches: some fail on the writer thread, the rest in the flush.
    calls(&p);
    let e = p
        .audit()
        .flush_trace()
        .expect_err("nothing could be written");
    assert!(e.to_string().contains("/dev/full"), "{e}");
    assert_eq!(
        p.audit().snapshot().trace_errors,
        CALLS as u64,
        "each lost line is counted once"
    );
    assert!(p.audit().flush_trace().is_ok(), "no line lost since");
    p.audit().trace_off();
    assert_eq!(p.add(2, 2).unwrap(), 4, "calls go on");
    assert_eq!(p.audit().snapshot().trace_errors, CALLS as u64);
}

/// A writer that cannot keep up holds the callers back instead of buffering without bound:
/// the trace goes to a pipe that nobody reads until the caller has stalled.
#[cfg(target_os = "linux")]
#[test]
fn a_writer_that_falls_behind_holds_the_callers_back() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

    let fifo = trace_path("slow.fifo");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("no mkfifo: skipped");
            return;
        }
    }
    // Opened read-write so that opening does not wait for a writer; it reads nothing yet.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    let p = load();
    p.audit().trace_to(&fifo).unwrap();
    let made = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let caller = s.spawn(|| {
            while !stop.load(SeqCst) {
                p.add(1, 2).unwrap();
                made.fetch_add(1, SeqCst);
            }
        });
        // The caller fills the pipe, the writer's batch, the queue and its own batch, then
        // waits: the count stops moving.
        let mut held = usize::MAX;
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(300));
            let now = made.load(SeqCst);
            if now == held {
                break;
            }
            held = now;
        }
        stop.store(true, SeqCst);
        // Reads everything, up to an end mark written after the last line.
        let drain = s.spawn(|| {
            let mut buf = vec![0u8; 1 << 16];
            let mut text = Vec::new();
            while !text.ends_with(b"END\n") {
                let n = reader.read(&mut buf).unwrap();
                text.extend_from_slice(&buf[..n]);
            }
            text.truncate(text.len() - 4);
            text
        });
        caller.join().unwrap();
        p.audit().flush_trace().unwrap();
        let mut end = std::fs::OpenOptions::new()
            .append(true)
            .open(&fifo)
            .unwrap();
        end.write_all(b"END\n").unwrap();
        let text = drain.join().unwrap();
        // Checked once everything is read: a failed check above would leave the caller
        // waiting on the pipe for ever.
        // 4 batches of 256 KiB and the pipe's 64 KiB: about 2,000 lines of ~550 bytes.
        assert!(held > 0 && held < 4_000, "{held} lines held in memory");
        let text = String::from_utf8(text).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), made.load(SeqCst), "every line, once");
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).expect("a whole JSON line");
            assert_eq!(v["event"], "ffi.call");
        }
    });
    p.audit().trace_off();
    assert_eq!(p.audit().snapshot().trace_errors, 0);
    std::fs::remove_file(&fifo).ok();
}
