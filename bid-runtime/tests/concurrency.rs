//! Counters stay exact and trace lines whole under concurrent calls on one box.

mod common;

use common::{Plug, plugin, trace_path, validate_all};

const THREADS: i32 = 8;
const CALLS: i32 = 100_000;

fn load() -> Plug {
    // SAFETY: the test plugin matches the test interface.
    unsafe { Plug::load(plugin()) }.expect("the test plugin loads")
}

#[test]
fn eight_threads_of_100k_calls_count_exactly_and_trace_valid_lines() {
    let path = trace_path("concurrent");
    {
        let p = load();
        p.audit().trace_to(&path).unwrap();
        let t0 = std::time::Instant::now();
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let p = &p;
                s.spawn(move || {
                    for i in 0..CALLS {
                        if i % 1000 == 999 {
                            // A failure now and then, so `failed` is exercised too.
                            assert!(p.bad_bool().is_err());
                        } else {
                            assert_eq!(p.add(t, i).unwrap(), t + i);
                        }
                    }
                });
            }
        });
        eprintln!("{} calls in {:?}", THREADS * CALLS, t0.elapsed());
        let s = p.audit().snapshot();
        let total = u64::try_from(THREADS * CALLS).unwrap();
        let failed = u64::try_from(THREADS * (CALLS / 1000)).unwrap();
        assert_eq!(s.total, total);
        assert_eq!(s.failed, failed);
        assert_eq!(s.ok, total - failed);
        assert_eq!(s.trace_errors, 0);
    }
    let t0 = std::time::Instant::now();
    let (events, unload) = validate_all(&path);
    eprintln!("validated every line in {:?}", t0.elapsed());
    let calls = events.get("ffi.call").copied().unwrap_or(0);
    assert_eq!(
        calls,
        usize::try_from(THREADS * CALLS).unwrap(),
        "no line lost"
    );
    assert_eq!(unload["event"], "ffi.unload");
    assert_eq!(unload["summary"]["total"], THREADS * CALLS);
    std::fs::remove_file(&path).ok();
}

#[test]
fn counters_stay_exact_across_more_threads_than_shards() {
    let p = load();
    // 100 short-lived threads, 8 at a time: slots are recycled and some threads
    // land on the shared shard.
    for _ in 0..(100 / 8 + 1) {
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for i in 0..1_000 {
                        p.add(i, 1).unwrap();
                    }
                });
            }
        });
    }
    // And 80 threads alive at once: more than the 64 owned shards.
    let barrier = std::sync::Barrier::new(80);
    std::thread::scope(|s| {
        for _ in 0..80 {
            s.spawn(|| {
                barrier.wait();
                for i in 0..1_000 {
                    p.add(i, 1).unwrap();
                }
                barrier.wait();
            });
        }
    });
    let s = p.audit().snapshot();
    assert_eq!(s.total, 13 * 8 * 1_000 + 80 * 1_000);
    assert_eq!(s.ok, s.total);
}
