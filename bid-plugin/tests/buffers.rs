//! Returned buffers are freed exactly once, and only when the host names one the plugin
//! handed out. An allocator that watches one address per thread tells whether a free
//! really reached it.

use bid_plugin::__private::{BidBuf, free, free_ptr, give_cstring, give_string, give_vec};
use bid_plugin::Status;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::{CStr, CString, c_void};

struct Watching;

thread_local! {
    static WATCHED: Cell<usize> = const { Cell::new(0) };
    static FREED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System`; the bookkeeping touches only const thread-locals without
// destructors, which never allocate.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded (and zeroed pages stay unmapped until used).
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = WATCHED.try_with(|w| {
            if w.get() == ptr as usize {
                FREED.with(|f| f.set(f.get() + 1));
            }
        });
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Watching = Watching;

/// How many times `run` deallocates `ptr` on this thread.
fn frees_of(ptr: *mut c_void, run: impl FnOnce()) -> usize {
    WATCHED.with(|w| w.set(ptr as usize));
    FREED.with(|f| f.set(0));
    run();
    WATCHED.with(|w| w.set(0));
    FREED.with(Cell::get)
}

#[test]
fn a_buffer_is_freed_exactly_once() {
    let buf = give_vec(vec![1u8, 2, 3]).expect("short");
    assert_eq!(buf.len, 3);
    // SAFETY: handed out and not freed.
    assert_eq!(
        unsafe { std::slice::from_raw_parts(buf.ptr as *const u8, 3) },
        [1, 2, 3]
    );
    assert_eq!(frees_of(buf.ptr, || free(buf.ptr, buf.len)), 1);
    assert_eq!(
        frees_of(buf.ptr, || free(buf.ptr, buf.len)),
        0,
        "a double free"
    );
    assert_eq!(frees_of(buf.ptr, || free_ptr(buf.ptr)), 0, "a double free");
}

#[test]
fn a_pointer_never_handed_out_is_not_freed() {
    let mine = Box::into_raw(Box::new(7u64)).cast::<c_void>();
    assert_eq!(frees_of(mine, || free(mine, 8)), 0);
    assert_eq!(frees_of(mine, || free_ptr(mine)), 0);
    // The watch works: the real owner's free is seen.
    // SAFETY: from `Box::into_raw` above, not freed.
    assert_eq!(
        frees_of(mine, || drop(unsafe { Box::from_raw(mine.cast::<u64>()) })),
        1
    );
    // Into a buffer: not its start.
    let buf = give_vec(vec![0u32; 4]).expect("short");
    let inside = buf.ptr.wrapping_byte_add(4);
    assert_eq!(frees_of(inside, || free(inside, 3)), 0);
    assert_eq!(frees_of(buf.ptr, || free(buf.ptr, 4)), 1);
}

#[test]
fn the_length_must_be_the_one_handed_out() {
    let buf = give_string("hello".to_owned()).expect("short");
    assert_eq!(buf.len, 5);
    assert_eq!(
        frees_of(buf.ptr, || free(buf.ptr, 4)),
        0,
        "wrong length: refused"
    );
    assert_eq!(
        frees_of(buf.ptr, || free(buf.ptr, 0)),
        0,
        "wrong length: refused"
    );
    assert_eq!(
        frees_of(buf.ptr, || free(buf.ptr, 5)),
        1,
        "still registered"
    );
}

#[test]
fn a_custom_free_symbol_needs_no_length() {
    let values: Vec<f64> = vec![1.5, 2.5];
    let buf = give_vec(values).expect("short");
    assert_eq!(buf.len, 2, "elements, not bytes");
    assert_eq!(frees_of(buf.ptr, || free_ptr(buf.ptr)), 1);
    assert_eq!(frees_of(buf.ptr, || free(buf.ptr, 2)), 0);
}

#[test]
fn a_c_string_is_freed_with_length_zero_or_its_own_symbol() {
    let text = give_cstring(CString::new("id-42").expect("no NUL"));
    // SAFETY: handed out, NUL-terminated, not freed.
    assert_eq!(unsafe { CStr::from_ptr(text) }, c"id-42");
    assert_eq!(frees_of(text.cast(), || free(text.cast(), 6)), 0);
    assert_eq!(frees_of(text.cast(), || free(text.cast(), 0)), 1);

    let text = give_cstring(CString::new("again").expect("no NUL"));
    assert_eq!(frees_of(text.cast(), || free_ptr(text.cast())), 1);
    assert_eq!(frees_of(text.cast(), || free_ptr(text.cast())), 0);
}

#[test]
fn an_empty_result_is_null_and_its_free_is_a_no_op() {
    assert_eq!(give_vec(Vec::<u8>::with_capacity(64)), Ok(BidBuf::EMPTY));
    assert_eq!(give_string(String::new()), Ok(BidBuf::EMPTY));
    free(std::ptr::null_mut(), 0);
    free(std::ptr::null_mut(), 9);
    free_ptr(std::ptr::null_mut());
}

#[test]
fn a_length_over_i32_max_cannot_be_returned() {
    // Zeroed pages are mapped lazily: this costs address space, not memory.
    let huge = vec![0u8; i32::MAX as usize + 1];
    let fault = give_vec(huge).expect_err("too long");
    assert_eq!(fault.status(), Status::Internal);
    assert_eq!(
        fault.to_string(),
        "the result has 2147483648 elements, more than an int32_t length can carry"
    );
    let at_limit = vec![0u8; i32::MAX as usize];
    let buf = give_vec(at_limit).expect("fits");
    assert_eq!(buf.len, i32::MAX);
    assert_eq!(frees_of(buf.ptr, || free(buf.ptr, buf.len)), 1);
}

#[test]
fn racing_frees_on_other_threads_free_each_buffer_once() {
    // Lengths 8 to 10, which no other test of this binary hands out: a racing free cannot
    // meet another test's buffer at a reused address.
    let addrs: Vec<(usize, i32)> = (0..1000)
        .map(|n| give_string(format!("buffer {n}")).expect("short"))
        .map(|b| (b.ptr as usize, b.len))
        .collect();
    let freed: usize = std::thread::scope(|s| {
        // Two threads free every buffer of a chunk at the same time.
        let racers: Vec<_> = addrs
            .chunks(250)
            .flat_map(|chunk| [chunk, chunk])
            .map(|chunk| {
                s.spawn(move || {
                    let mut freed = 0;
                    for &(ptr, len) in chunk {
                        let ptr = ptr as *mut c_void;
                        freed += frees_of(ptr, || free(ptr, len));
                    }
                    freed
                })
            })
            .collect();
        racers
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .sum()
    });
    assert_eq!(freed, 1000);
}
