//! What the audit costs per call: a raw `extern "C"` call next to the generated call with
//! counters only, with the ledger (a handle argument), and with the trace on.

#[path = "../tests/common/mod.rs"]
mod common;

use std::ffi::c_void;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn calls(c: &mut Criterion) {
    let path = common::plugin();
    // SAFETY: the test plugin matches the test interface.
    let plug = unsafe { common::Plug::load(&path) }.expect("the test plugin loads");
    let addr: *const c_void = plug.lib().symbol(0);
    // SAFETY: method 0 is `int32_t plug_add(int32_t, int32_t)`.
    let raw = unsafe {
        std::mem::transmute::<*const c_void, unsafe extern "C" fn(i32, i32) -> i32>(addr)
    };
    let h = plug.open(0).expect("a handle");

    let mut g = c.benchmark_group("call");
    g.bench_function("raw extern \"C\" add", |b| {
        // SAFETY: as above.
        b.iter(|| unsafe { raw(black_box(1), black_box(2)) })
    });
    g.bench_function("generated add (counters)", |b| {
        b.iter(|| plug.add(black_box(1), black_box(2)))
    });
    g.bench_function("generated read(handle) (counters + ledger)", |b| {
        b.iter(|| plug.read(black_box(h)))
    });
    let trace = common::trace_path("bench");
    plug.audit().trace_to(&trace).expect("trace file");
    g.bench_function("generated add (trace on)", |b| {
        b.iter(|| plug.add(black_box(1), black_box(2)))
    });
    plug.audit().trace_off();
    g.finish();
    let _ = std::fs::remove_file(&trace);
}

criterion_group!(benches, calls);
criterion_main!(benches);
