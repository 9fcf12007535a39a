//! Handle tables refuse every id or pointer that does not name a live value, and never
//! resurrect a released one.

use bid_plugin::__private::{HandleTable, PointerTable};
use bid_plugin::Status;
use std::collections::HashSet;
use std::ffi::c_void;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Counts its drops, so a test sees exactly when the table lets a value go.
#[derive(Debug)]
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn zero_negative_and_forged_ids_are_refused() {
    let table: HandleTable<&str> = HandleTable::new();
    let id = table.insert("a").expect("an id");
    assert!(id > 0);
    for bad in [0, -1, i32::MIN, i32::MAX, id + 1, id ^ (1 << 20), 1] {
        let fault = table.borrow(bad).expect_err("not issued");
        assert_eq!(fault.status(), Status::BadHandle, "{bad}");
        assert!(fault.to_string().contains("is unknown or already released"));
        assert_eq!(
            table.take(bad).expect_err("not issued").status(),
            Status::BadHandle
        );
    }
    assert_eq!(*table.borrow(id).expect("live"), "a");
}

#[test]
fn a_released_id_stays_dead_when_its_slot_is_reused() {
    let table: HandleTable<String> = HandleTable::new();
    let old = table.insert("old".into()).expect("an id");
    assert_eq!(table.take(old).as_deref(), Ok("old"));
    let new = table.insert("new".into()).expect("an id");
    assert_ne!(old, new, "the slot is reused under a new generation");
    assert_eq!(old & 0xf_ffff, new & 0xf_ffff, "same slot");
    assert_eq!(
        table.borrow(old).expect_err("stale").status(),
        Status::BadHandle
    );
    assert_eq!(
        table.take(old).expect_err("stale").status(),
        Status::BadHandle
    );
    assert_eq!(*table.borrow(new).expect("live"), "new");
    assert_eq!(table.len(), 1);
}

#[test]
fn ids_are_never_issued_twice_even_when_generations_run_out() {
    // One slot reused until its 2047 generations are spent, then the next: every id new.
    let table: HandleTable<u32> = HandleTable::new();
    let mut seen = HashSet::new();
    for n in 0..5000 {
        let id = table.insert(n).expect("an id");
        assert!(seen.insert(id), "id {id} issued twice");
        assert_eq!(table.take(id), Ok(n));
    }
    for id in seen.iter().copied().take(100) {
        assert_eq!(
            table.borrow(id).expect_err("stale").status(),
            Status::BadHandle
        );
    }
}

#[test]
fn i64_ids_work_the_same() {
    let table: HandleTable<u8, i64> = HandleTable::new();
    let a = table.insert(1).expect("an id");
    assert!(
        a > u32::MAX as i64,
        "the generation sits above 32 index bits"
    );
    assert_eq!(table.take(a), Ok(1));
    let b = table.insert(2).expect("an id");
    assert_ne!(a, b);
    for bad in [a, 0, -a, i64::MAX, b + 1, b & 0xffff_ffff] {
        assert_eq!(
            table.borrow(bad).expect_err("refused").status(),
            Status::BadHandle
        );
    }
}

#[test]
fn an_i32_table_runs_out_of_ids_with_no_memory() {
    let table: HandleTable<()> = HandleTable::new();
    for _ in 0..1 << 20 {
        table.insert(()).expect("room");
    }
    let fault = table.insert(()).expect_err("every slot is live");
    assert_eq!(fault.status(), Status::NoMemory);
    assert!(
        fault
            .to_string()
            .contains("no handle id left for type `()`")
    );
}

#[test]
fn values_are_dropped_once_by_take_or_by_the_table() {
    let drops = Arc::new(AtomicUsize::new(0));
    let table: HandleTable<Counted> = HandleTable::new();
    let ids: Vec<i32> = (0..100)
        .map(|_| table.insert(Counted(drops.clone())).expect("an id"))
        .collect();
    for &id in &ids[..40] {
        drop(table.take(id).expect("live"));
        assert!(table.take(id).is_err());
    }
    assert_eq!(drops.load(SeqCst), 40);
    assert_eq!(table.len(), 60);
    drop(table);
    assert_eq!(drops.load(SeqCst), 100);
}

#[test]
#[should_panic(expected = "shims must take transferred handles before borrowing any")]
fn taking_while_this_thread_borrows_panics_instead_of_waiting_for_itself() {
    let table: HandleTable<u8> = HandleTable::new();
    let id = table.insert(1).expect("an id");
    let _borrowed = table.borrow(id).expect("live");
    let _ = table.take(id);
}

#[test]
fn pointer_handles_are_refused_after_release_and_when_unknown() {
    let drops = Arc::new(AtomicUsize::new(0));
    let table: PointerTable<Counted> = PointerTable::new();
    let a = table.insert(Counted(drops.clone()));
    let b = table.insert(Counted(drops.clone()));
    assert!(!a.is_null() && a != b);
    assert_eq!(table.len(), 2);
    assert!(table.borrow(a).is_ok());

    drop(table.take(a).expect("live"));
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(
        table.borrow(a).expect_err("released").status(),
        Status::BadHandle
    );
    assert_eq!(
        table.take(a).expect_err("released").status(),
        Status::BadHandle
    );

    // Never dereferenced: a pointer to unrelated memory, null, and garbage.
    let mut unrelated = 0u64;
    let foreign = (&raw mut unrelated).cast::<c_void>();
    for bad in [
        foreign,
        std::ptr::null_mut(),
        0x10 as *mut c_void,
        b.wrapping_byte_add(8),
    ] {
        let fault = table.borrow(bad).expect_err("not handed out");
        assert_eq!(fault.status(), Status::BadHandle);
        assert!(fault.to_string().contains("is unknown or already released"));
        assert!(table.take(bad).is_err());
    }
    assert_eq!(unrelated, 0);
    assert!(table.borrow(b).is_ok());
    drop(table);
    assert_eq!(drops.load(SeqCst), 2);
}

#[test]
fn ids_do_not_name_their_table_but_pointers_do() {
    let ours: HandleTable<u8> = HandleTable::new();
    let theirs: HandleTable<u8> = HandleTable::new();
    let id = theirs.insert(1).expect("an id");
    let _ = ours.insert(2).expect("an id");
    let _ = theirs.take(id);
    assert!(
        ours.borrow(id).is_ok(),
        "same slot and generation in another table: a limit of ids"
    );
    let p: PointerTable<u8> = PointerTable::new();
    let q: PointerTable<u8> = PointerTable::new();
    let handle = q.insert(3);
    assert!(
        p.borrow(handle).is_err(),
        "pointer tables know their own boxes"
    );
}
