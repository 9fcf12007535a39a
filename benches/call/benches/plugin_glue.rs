//! What the generated plugin glue adds to a call: the same Rust plugin's functions called
//! through raw function pointers, hand-written (`hand_add`) next to glue-exported
//! (`bench_calls_add`), and the whole Rust-host-to-Rust-plugin call next to the same host
//! calling the C plugin, all in one run.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

#[bid_macros::bid_interface("bench.bid.yaml")]
mod calls {}

/// The Rust plugin (`benches/rust-plugin`), built by cargo as a dependency of this crate.
fn rust_plugin() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's path");
    exe.parent().expect("its directory").join(format!(
        "{}bench_rs{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))
}

fn c_plugin() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-plugin-glue");
    bid_build::PluginBuilder::new("benchcalls")
        .file(concat!(env!("CARGO_MANIFEST_DIR"), "/bench.c"))
        .out_dir(&dir)
        .build()
        .expect("building the C plugin")
}

#[inline(always)]
fn value<T>(r: Result<T, bid_runtime::CallError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn glue(c: &mut Criterion) {
    let rust = rust_plugin();
    // SAFETY: the bench plugin exports these with these C types.
    let lib = unsafe { libloading::Library::new(&rust) }.expect("loading the Rust plugin");
    // SAFETY: as above.
    let hand_add: unsafe extern "C" fn(i32, i32) -> i32 =
        *unsafe { lib.get(b"hand_add\0") }.expect("hand_add");
    // SAFETY: as above.
    let glue_add: unsafe extern "C" fn(i32, i32) -> i32 =
        *unsafe { lib.get(b"bench_calls_add\0") }.expect("bench_calls_add");
    // SAFETY: as above.
    let hand_len: unsafe extern "C" fn(*const u8, i32) -> i32 =
        *unsafe { lib.get(b"hand_len\0") }.expect("hand_len");
    // SAFETY: as above.
    let glue_len: unsafe extern "C" fn(*const u8, i32) -> i32 =
        *unsafe { lib.get(b"bench_calls_len\0") }.expect("bench_calls_len");
    // SAFETY: both plugins implement bench.bid.yaml.
    let to_rust = unsafe { calls::Calls::load(&rust) }.expect("the Rust plugin loads");
    // SAFETY: as above.
    let to_c = unsafe { calls::Calls::load(c_plugin()) }.expect("the C plugin loads");

    let mut g = c.benchmark_group("plugin_glue_add_i32");
    g.bench_function("raw_fn_ptr_hand_written", |b| {
        // SAFETY: hand_add has this type.
        b.iter(|| unsafe { hand_add(black_box(1), black_box(2)) })
    });
    g.bench_function("raw_fn_ptr_glue", |b| {
        // SAFETY: bench_calls_add has this type.
        b.iter(|| unsafe { glue_add(black_box(1), black_box(2)) })
    });
    g.bench_function("bid_host_to_rust_plugin", |b| {
        b.iter(|| value(to_rust.add(black_box(1), black_box(2))))
    });
    g.bench_function("bid_host_to_c_plugin", |b| {
        b.iter(|| value(to_c.add(black_box(1), black_box(2))))
    });
    g.finish();

    let text = "a borrowed string of some length, passed without a copy";
    let mut g = c.benchmark_group("plugin_glue_borrowed_str");
    g.bench_function("raw_fn_ptr_hand_written", |b| {
        b.iter(|| {
            let s = black_box(text);
            // SAFETY: hand_len has this type; the length fits.
            unsafe { hand_len(s.as_ptr(), s.len() as i32) }
        })
    });
    g.bench_function("raw_fn_ptr_glue", |b| {
        b.iter(|| {
            let s = black_box(text);
            // SAFETY: bench_calls_len has this type; the length fits.
            unsafe { glue_len(s.as_ptr(), s.len() as i32) }
        })
    });
    g.finish();

    let counter = to_rust.new_counter().expect("a counter");
    let mut g = c.benchmark_group("plugin_glue_handle_arg");
    g.bench_function("bid_host_to_rust_plugin", |b| {
        b.iter(|| value(to_rust.bump(black_box(&counter))))
    });
    g.finish();
    to_rust.drop_counter(counter).expect("released");
}

criterion_group!(benches, glue);
criterion_main!(benches);
