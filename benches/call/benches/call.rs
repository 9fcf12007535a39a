//! The cost of a generated call next to a raw `extern "C"` function-pointer call and
//! dlopen2's `WrapperApi`, all against the same plugin in one run.

use criterion::{Criterion, criterion_group, criterion_main};
use dlopen2::wrapper::{Container, WrapperApi};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

#[bid_macros::bid_interface("bench.bid.yaml")]
mod calls {}

#[derive(WrapperApi)]
struct Peer {
    bench_calls_add: unsafe extern "C" fn(a: i32, b: i32) -> i32,
    bench_calls_len: unsafe extern "C" fn(ptr: *const u8, len: i32) -> i32,
}

/// A caller looks at every result: the generated rows return the value, as `?` or `match`
/// would, so each side of the comparison hands back a plain `i32`.
#[inline(always)]
fn value<T>(r: Result<T, bid_runtime::CallError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn plugin() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-plugin");
    bid_build::PluginBuilder::new("benchcalls")
        .file(concat!(env!("CARGO_MANIFEST_DIR"), "/bench.c"))
        .out_dir(&dir)
        .build()
        .expect("building the benchmark plugin")
}

fn calls(c: &mut Criterion) {
    let path = plugin();
    // SAFETY: bench.c implements bench.bid.yaml.
    let generated = unsafe { calls::Calls::load(&path) }.expect("loading through the bindings");
    // SAFETY: same library; the types match bench.c.
    let raw_lib = unsafe { libloading::Library::new(&path) }.expect("loading the raw library");
    // SAFETY: as above.
    let raw_add: unsafe extern "C" fn(i32, i32) -> i32 =
        *unsafe { raw_lib.get(b"bench_calls_add\0") }.expect("raw add");
    // SAFETY: as above.
    let raw_len: unsafe extern "C" fn(*const u8, i32) -> i32 =
        *unsafe { raw_lib.get(b"bench_calls_len\0") }.expect("raw len");
    // SAFETY: as above.
    let peer: Container<Peer> = unsafe { Container::load(&path) }.expect("loading through dlopen2");

    let text = "a borrowed string of some length, passed without a copy";

    let mut g = c.benchmark_group("add_i32");
    g.bench_function("raw_fn_ptr", |b| {
        // SAFETY: raw_add is bench_calls_add.
        b.iter(|| unsafe { raw_add(black_box(1), black_box(2)) })
    });
    g.bench_function("bid_counters", |b| {
        b.iter(|| value(generated.add(black_box(1), black_box(2))))
    });
    g.bench_function("dlopen2_wrapper", |b| {
        // SAFETY: declared with bench_calls_add's C type.
        b.iter(|| unsafe { peer.bench_calls_add(black_box(1), black_box(2)) })
    });
    g.finish();

    let mut g = c.benchmark_group("borrowed_str");
    g.bench_function("raw_fn_ptr", |b| {
        b.iter(|| {
            let s = black_box(text);
            // SAFETY: raw_len is bench_calls_len; the length fits i32.
            unsafe { raw_len(s.as_ptr(), s.len() as i32) }
        })
    });
    g.bench_function("bid_counters", |b| {
        b.iter(|| value(generated.len(black_box(text))))
    });
    g.bench_function("dlopen2_wrapper", |b| {
        b.iter(|| {
            let s = black_box(text);
            // SAFETY: declared with bench_calls_len's C type.
            unsafe { peer.bench_calls_len(s.as_ptr(), s.len() as i32) }
        })
    });
    g.finish();

    // SAFETY: as above.
    let raw_bump: unsafe extern "C" fn(i32) -> i32 =
        *unsafe { raw_lib.get(b"bench_calls_bump\0") }.expect("raw bump");
    let counter = generated.new_counter().expect("a counter");
    // The same kind of handle, made from its plain value: the ledger checks every use.
    let escaped = generated.new_counter().expect("a counter").into_raw();
    // SAFETY: `escaped` is a live counter of this box.
    let raw_counter = unsafe { calls::Counter::from_raw(&generated, escaped) };
    let mut g = c.benchmark_group("audit_levels");
    g.bench_function("raw_fn_ptr", |b| {
        // SAFETY: raw_add is bench_calls_add.
        b.iter(|| unsafe { raw_add(black_box(1), black_box(2)) })
    });
    g.bench_function("bid_counters", |b| {
        b.iter(|| value(generated.add(black_box(1), black_box(2))))
    });
    g.bench_function("raw_fn_ptr_handle_arg", |b| {
        let plain = counter.raw();
        // SAFETY: raw_bump is bench_calls_bump, `plain` a live counter.
        b.iter(|| unsafe { raw_bump(black_box(plain)) })
    });
    g.bench_function("bid_typed_handle_arg", |b| {
        b.iter(|| value(generated.bump(black_box(&counter))))
    });
    g.bench_function("bid_raw_handle_arg_ledger", |b| {
        b.iter(|| value(generated.bump(black_box(&raw_counter))))
    });
    // A traced call to a file. The file is emptied before each sample: at these rates a
    // trace grows by gigabytes a second, so without it the run would measure the disk's
    // writeback (the kernel throttles writers once gigabytes are dirty), not the call.
    let trace = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-trace.jsonl");
    let _ = std::fs::remove_file(&trace);
    generated
        .audit()
        .trace_to(&trace)
        .expect("opening the trace");
    let truncate = std::fs::OpenOptions::new()
        .write(true)
        .open(&trace)
        .expect("the trace file");
    g.bench_function("bid_trace_on", |b| {
        b.iter_custom(|iters| {
            truncate.set_len(0).expect("emptying the trace");
            let start = Instant::now();
            for _ in 0..iters {
                black_box(value(generated.add(black_box(1), black_box(2))));
            }
            // The clock stops once the sample's lines are all in the kernel.
            generated.audit().flush_trace().expect("writing the trace");
            start.elapsed()
        })
    });
    generated.audit().trace_off();
    let _ = std::fs::remove_file(&trace);
    // The same call traced to /dev/null, where storing a line costs nothing: what the calling
    // thread pays, with the writer thread's `write`s almost free. (A /dev/null that is a
    // plain file would be filled: skipped.)
    if std::fs::metadata("/dev/null").is_ok_and(|m| !m.is_file()) {
        generated
            .audit()
            .trace_to("/dev/null")
            .expect("opening /dev/null");
        g.bench_function("bid_trace_dev_null", |b| {
            b.iter(|| value(generated.add(black_box(1), black_box(2))))
        });
        // The same again, timed by the calling thread's CPU clock: on a shared machine the
        // wall clock also counts the time other processes had the core.
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        g.bench_function("bid_trace_dev_null_thread_cpu", |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_time();
                for _ in 0..iters {
                    black_box(value(generated.add(black_box(1), black_box(2))));
                }
                thread_cpu_time() - start
            })
        });
        generated.audit().trace_off();
    }
    g.finish();
    generated
        .drop_counter(counter)
        .expect("releasing the counter");
    drop(raw_counter);
    let audit = generated.audit().snapshot();
    assert_eq!((audit.live_handles, audit.leaks), (0, 0), "{audit}");
}

/// What an owned handle could hold to keep its box alive: a borrow of the box (what the
/// generated handles hold) or a counted reference to it. Making and dropping one of each.
fn handle_owner(c: &mut Criterion) {
    let boxed = std::sync::Arc::new(0u64);
    let mut g = c.benchmark_group("handle_owner");
    g.bench_function("borrow", |b| {
        b.iter(|| {
            let owner: &u64 = black_box(&boxed);
            black_box((7i32, owner));
        })
    });
    g.bench_function("counted", |b| {
        b.iter(|| {
            let owner = std::sync::Arc::clone(black_box(&boxed));
            black_box((7i32, owner));
        })
    });
    g.finish();
}

criterion_group!(benches, calls, handle_owner);
criterion_main!(benches);

/// The CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu_time() -> std::time::Duration {
    /// `struct timespec` of 64-bit Linux targets.
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable `struct timespec`; the clock id exists on Linux.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    std::time::Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}
