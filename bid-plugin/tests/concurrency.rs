//! Handles used and released from many threads at once: no value is read after it is
//! dropped, no stale id comes back, every value is dropped exactly once. And the serialized
//! instance really runs one call at a time.

use bid_plugin::__private::{HandleTable, PointerTable, Serialized, Shared};
use bid_plugin::Status;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// A value that knows its serial and tells, through a flag it shares, when it is dropped.
#[derive(Debug)]
struct Tracked {
    serial: usize,
    alive: Arc<AtomicBool>,
    drops: Arc<AtomicUsize>,
}

impl Tracked {
    fn new(serial: usize, drops: &Arc<AtomicUsize>) -> (Tracked, Arc<AtomicBool>) {
        let alive = Arc::new(AtomicBool::new(true));
        let value = Tracked {
            serial,
            alive: alive.clone(),
            drops: drops.clone(),
        };
        (value, alive)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        assert!(self.alive.swap(false, SeqCst), "dropped twice");
        self.drops.fetch_add(1, SeqCst);
    }
}

/// A small deterministic generator, so a failure can be replayed.
fn next(seed: &mut u64) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 16) as usize
}

const THREADS: usize = 4;
const ROUNDS: usize = 20_000;

#[test]
fn threads_using_and_releasing_integer_handles() {
    let drops = Arc::new(AtomicUsize::new(0));
    let table: HandleTable<Tracked> = HandleTable::new();
    // Every id ever issued, with the serial it must name while live.
    let issued: Mutex<Vec<(i32, usize)>> = Mutex::new(Vec::new());
    let serials = AtomicUsize::new(0);
    let taken = AtomicUsize::new(0);
    let insert = || {
        let serial = serials.fetch_add(1, SeqCst);
        let (value, _) = Tracked::new(serial, &drops);
        let id = table.insert(value).expect("room");
        issued.lock().expect("no panic").push((id, serial));
    };
    for _ in 0..64 {
        insert();
    }
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (insert, table, issued, taken) = (&insert, &table, &issued, &taken);
            s.spawn(move || {
                let mut seed = 0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1);
                for _ in 0..ROUNDS {
                    let pick = {
                        let issued = issued.lock().expect("no panic");
                        issued[next(&mut seed) % issued.len()]
                    };
                    let (id, serial) = pick;
                    match next(&mut seed) % 8 {
                        0 => {
                            // Release: only one thread can win an id, and it gets its value.
                            if let Ok(value) = table.take(id) {
                                assert_eq!(value.serial, serial, "id {id} named another value");
                                taken.fetch_add(1, SeqCst);
                                insert();
                            }
                        }
                        _ => match table.borrow(id) {
                            Ok(value) => {
                                assert_eq!(value.serial, serial, "stale id {id} came back");
                                std::thread::yield_now();
                                assert!(value.alive.load(SeqCst), "dropped while borrowed");
                            }
                            Err(fault) => assert_eq!(fault.status(), Status::BadHandle),
                        },
                    }
                }
            });
        }
    });
    let issued = issued.into_inner().expect("no panic");
    assert!(
        taken.load(SeqCst) > 1000,
        "the test released too little to mean anything"
    );
    assert_eq!(issued.len(), 64 + taken.load(SeqCst));
    assert_eq!(drops.load(SeqCst), taken.load(SeqCst));
    assert_eq!(table.len(), 64);
    drop(table);
    assert_eq!(drops.load(SeqCst), issued.len());
}

#[test]
fn threads_using_and_releasing_pointer_handles() {
    let drops = Arc::new(AtomicUsize::new(0));
    let table: PointerTable<Tracked> = PointerTable::new();
    let handles: Vec<(usize, usize)> = (0..2000)
        .map(|serial| {
            (
                table.insert(Tracked::new(serial, &drops).0) as usize,
                serial,
            )
        })
        .collect();
    let taken = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (table, handles, taken) = (&table, &handles, &taken);
            s.spawn(move || {
                let mut seed = 0x2545_f491_4f6c_dd1d ^ (t as u64 + 1);
                for _ in 0..ROUNDS {
                    let (ptr, serial) = handles[next(&mut seed) % handles.len()];
                    let ptr = ptr as *mut c_void;
                    if next(&mut seed).is_multiple_of(4) {
                        if let Ok(value) = table.take(ptr) {
                            assert_eq!(value.serial, serial);
                            taken.fetch_add(1, SeqCst);
                        }
                    } else if let Ok(value) = table.borrow(ptr) {
                        // No insert runs, so an address is never reused here.
                        assert_eq!(value.serial, serial);
                        std::thread::yield_now();
                        assert!(value.alive.load(SeqCst), "dropped while borrowed");
                    }
                }
            });
        }
    });
    let taken = taken.load(SeqCst);
    assert!(taken > 500, "the test released too little to mean anything");
    assert_eq!(drops.load(SeqCst), taken);
    assert_eq!(table.len(), 2000 - taken);
    drop(table);
    assert_eq!(drops.load(SeqCst), 2000);
}

#[test]
fn a_release_waits_for_a_running_borrow_and_refuses_new_ones_at_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let table: HandleTable<Tracked> = HandleTable::new();
    let (value, alive) = Tracked::new(7, &drops);
    let id = table.insert(value).expect("room");
    let borrowed = Barrier::new(2);
    let reader_done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let value = table.borrow(id).expect("live");
            borrowed.wait();
            // The release has started; new borrows fail while this one still reads.
            let deadline = Instant::now() + Duration::from_secs(10);
            while table.borrow(id).is_ok() {
                assert!(Instant::now() < deadline, "the release never closed the id");
                std::thread::yield_now();
            }
            std::thread::sleep(Duration::from_millis(50));
            assert!(value.alive.load(SeqCst), "dropped while borrowed");
            assert_eq!(value.serial, 7);
            reader_done.store(true, SeqCst);
        });
        borrowed.wait();
        let value = table.take(id).expect("live");
        assert!(
            reader_done.load(SeqCst),
            "the release did not wait for the borrow"
        );
        drop(value);
    });
    assert!(!alive.load(SeqCst));
    assert_eq!(
        table.borrow(id).expect_err("released").status(),
        Status::BadHandle
    );
}

/// Counts calls inside the instance at once, and the most it saw.
#[derive(Default)]
struct Overlap {
    inside: AtomicUsize,
    most: AtomicUsize,
}

impl Overlap {
    fn call(&self) {
        let now = self.inside.fetch_add(1, SeqCst) + 1;
        self.most.fetch_max(now, SeqCst);
        std::thread::sleep(Duration::from_micros(100));
        self.inside.fetch_sub(1, SeqCst);
    }
}

#[test]
fn the_serialized_instance_runs_one_call_at_a_time() {
    static INSTANCE: Serialized<Overlap> = Serialized::new();
    let start = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                start.wait();
                for _ in 0..100 {
                    INSTANCE.with(Overlap::call);
                }
            });
        }
    });
    assert_eq!(INSTANCE.with(|o| o.most.load(SeqCst)), 1);
}

#[test]
fn the_shared_instance_runs_calls_concurrently() {
    // The detector above would see overlap without the lock: here every thread is inside
    // the instance at once, or the barrier would never open.
    static INSTANCE: Shared<Overlap> = Shared::new();
    let inside = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                INSTANCE.with(|o| {
                    let now = o.inside.fetch_add(1, SeqCst) + 1;
                    o.most.fetch_max(now, SeqCst);
                    inside.wait();
                    o.inside.fetch_sub(1, SeqCst);
                })
            });
        }
    });
    assert_eq!(INSTANCE.with(|o| o.most.load(SeqCst)), THREADS);
}
