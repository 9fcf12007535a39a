//! What the plugin side adds to a call: a handle lookup, a buffer handed out and freed, an
//! argument check, the guard and the instance holder, and a whole shim of the kind `export!`
//! writes, next to the trait call alone.

use bid_plugin::__private::{
    BidBuf, HandleTable, PointerTable, Serialized, Shared, fallible, free, give_vec, out_arg,
    str_arg,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(Default)]
struct State {
    counts: HandleTable<u64>,
}

static SERIALIZED: Serialized<State> = Serialized::new();
static SHARED: Shared<State> = Shared::new();

fn handles(c: &mut Criterion) {
    let ints: HandleTable<u64> = HandleTable::new();
    let id = ints.insert(7).expect("room");
    let pointers: PointerTable<u64> = PointerTable::new();
    let ptr = pointers.insert(7);
    let mut g = c.benchmark_group("handle");
    g.bench_function("borrow_i32", |b| {
        b.iter(|| *ints.borrow(black_box(id)).expect("live"))
    });
    g.bench_function("borrow_pointer", |b| {
        b.iter(|| *pointers.borrow(black_box(ptr)).expect("live"))
    });
    g.bench_function("insert_take_i32", |b| {
        b.iter(|| ints.take(ints.insert(black_box(1)).expect("room")))
    });
    g.bench_function("insert_take_pointer", |b| {
        b.iter(|| pointers.take(pointers.insert(black_box(1))))
    });
    // Two threads borrowing the same handle: the slot's state word is shared, so this is
    // the contended cost.
    g.bench_function("borrow_i32_two_threads_same_handle", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        for _ in 0..iters {
                            black_box(*ints.borrow(black_box(id)).expect("live"));
                        }
                    });
                }
            });
            // Per borrow, with both threads running.
            start.elapsed() / 2
        })
    });
    g.finish();
}

fn buffers_and_args(c: &mut Criterion) {
    let mut g = c.benchmark_group("buffer");
    g.bench_function("give_free_16_bytes", |b| {
        b.iter(|| {
            let buf = give_vec(black_box(vec![0u8; 16])).expect("short");
            free(buf.ptr, buf.len);
        })
    });
    g.bench_function("vec_16_bytes_alone", |b| {
        b.iter(|| drop(black_box(vec![0u8; 16])))
    });
    g.finish();

    let text = "a key of 16 byte";
    let mut g = c.benchmark_group("arg");
    g.bench_function("str_16_bytes", |b| {
        b.iter(|| {
            let s = black_box(text);
            // SAFETY: a live string.
            unsafe { str_arg("key", s.as_ptr().cast(), s.len() as i32) }.expect("valid")
        })
    });
    g.finish();
}

fn shims(c: &mut Criterion) {
    let mut g = c.benchmark_group("shim");
    g.bench_function("fallible_guard_empty", |b| {
        b.iter(|| fallible("m", || black_box(Ok(()))))
    });
    g.bench_function("serialized_with_empty", |b| {
        b.iter(|| SERIALIZED.with(|s| black_box(s.counts.len())))
    });
    g.bench_function("shared_with_empty", |b| {
        b.iter(|| SHARED.with(|s| black_box(s.counts.len())))
    });
    // `describe(c: Count, key: string) -> bytes fallible`, serialized, as export! writes it.
    let id = SERIALIZED.with(|s| s.counts.insert(3)).expect("room");
    let key = "a key of 16 byte";
    g.bench_function("whole_fallible_shim_with_buffer", |b| {
        b.iter(|| {
            let mut buf = BidBuf::EMPTY;
            let (ptr, len) = (black_box(key).as_ptr(), key.len() as i32);
            let code = fallible("describe", || {
                SERIALIZED.with(|s| {
                    // SAFETY: `buf` is a live out-param.
                    let out = unsafe { out_arg("out", &mut buf) }?;
                    // SAFETY: a live string.
                    let key = unsafe { str_arg("key", ptr.cast(), len) }?;
                    let count = s.counts.borrow(id)?;
                    out.write(give_vec(vec![key.len() as u8; *count as usize])?);
                    Ok(())
                })
            });
            free(buf.ptr, buf.len);
            code
        })
    });
    g.bench_function("trait_call_alone_with_buffer", |b| {
        b.iter(|| {
            let key = black_box(key);
            black_box(vec![key.len() as u8; 3])
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = handles, buffers_and_args, shims
}
criterion_main!(benches);
