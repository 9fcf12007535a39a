//! The all_types fixture as a Rust plugin: the values of `plugins/all_types.c`, written
//! against the trait `#[bid_plugin]` generates instead of the header. Handles are values in
//! the glue's tables, not numbers: an `Obj` holds the number the C plugin would return.
//!
//! Two inputs panic on purpose, for the tests that a panic never crosses the boundary:
//! `scaleF64` with a NaN factor (fallible: the host gets `BID_E_INTERNAL`) and `int32` of
//! `i32::MIN` (not fallible: the process aborts with the message).

use bid_plugin::Status;
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

/// The glue generated from the fixture: the traits, records, tables and `export_*!` macros.
#[bid_macros::bid_plugin("../../../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

use all::{AllTypesHandles, Sample, Tagged};

/// An `Obj`: the number the C plugin would use as the handle itself.
pub struct Object(i32);

/// A `Ptr`: a small heap value, as `malloc(8)` in C.
pub struct Cell8(#[allow(dead_code, reason = "a value to point at")] Box<[u8; 8]>);

/// The `test.types` plugin.
#[derive(Default)]
pub struct AllTypes {
    kept: OnceLock<i32>,
    dropped: AtomicI32,
    /// Results returned `ownership: reference`: they must outlive the call, so they are
    /// kept (reachable, not leaked) for the library's life.
    references: Mutex<Vec<&'static [f32]>>,
}

impl all::AllTypesPlugin for AllTypes {
    type Obj = Object;
    type Wide = i64;
    type Ptr = Cell8;

    fn flag(&self, b: bool) -> bool {
        !b
    }

    fn int32(&self, v: i32) -> i32 {
        assert!(v != i32::MIN, "int32 refuses i32::MIN");
        v.wrapping_mul(2)
    }

    fn int64(&self, v: i64) -> i64 {
        v.wrapping_add(1)
    }

    fn float32(&self, v: f32) -> f32 {
        v * 2.0
    }

    fn float64(&self, v: f64) -> f64 {
        v / 2.0
    }

    fn echo_string(&self, s: &str) -> String {
        format!("echo:{s}")
    }

    fn static_name(&self) -> &'static str {
        "all_types"
    }

    fn last_error(&self) -> String {
        "no error".to_owned()
    }

    fn echo_bytes(&self, data: &[u8]) -> Vec<u8> {
        data.iter().rev().copied().collect()
    }

    fn borrowed_bytes(&self) -> Vec<u8> {
        vec![1, 2, 3]
    }

    fn new_obj(&self, seed: i32) -> Result<Object, Status> {
        if seed < 0 {
            return Err(Status::InvalidArg);
        }
        Ok(Object(seed + 100))
    }

    fn peek_obj(&self, handles: &AllTypesHandles<Self>) -> i32 {
        // The one `Obj` the plugin keeps and lends: inserted once, never taken back.
        *self.kept.get_or_init(|| {
            handles
                .Obj
                .insert(Object(42))
                .expect("a table with room for one handle")
        })
    }

    fn use_obj(&self, o: &Object) -> i32 {
        o.0 * 2
    }

    fn drop(&self, o: Object) {
        self.dropped.fetch_add(o.0, Relaxed);
    }

    fn wide(&self, w: &i64) -> i64 {
        w + 1
    }

    fn new_ptr(&self) -> Cell8 {
        Cell8(Box::new([0; 8]))
    }

    /// The glue took `p` out of its table; it is freed at the end of this call.
    fn free_ptr(&self, _p: Cell8) {}

    fn sample(&self, s: Sample) -> Sample {
        Sample {
            id: s.id + 1,
            value: s.value * 2.0,
            count: s.count + 1,
            ratio: s.ratio / 2.0,
            valid: i32::from(s.valid == 0),
        }
    }

    fn tag(&self, handles: &AllTypesHandles<Self>, t: Tagged) -> Tagged {
        // The record carries the handle's id: look the value up, as the C plugin would
        // read its number.
        let value = handles.Obj.borrow(t.obj).map_or(-1, |o| o.0);
        Tagged {
            obj: t.obj,
            sample: Sample {
                id: t.sample.id + 10,
                count: value,
                ..t.sample
            },
        }
    }

    fn sum_i32(&self, xs: &[i32]) -> Vec<i32> {
        xs.iter()
            .scan(0i32, |acc, x| {
                *acc = acc.wrapping_add(*x);
                Some(*acc)
            })
            .collect()
    }

    fn sum_i64(&self, xs: &[i64]) -> Vec<i64> {
        xs.iter()
            .scan(0i64, |acc, x| {
                *acc = acc.wrapping_add(*x);
                Some(*acc)
            })
            .collect()
    }

    fn scale_f32(&self, xs: &[f32], k: f32) -> &'static [f32] {
        let scaled: &'static [f32] = Box::leak(xs.iter().map(|x| x * k).collect());
        self.references
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(scaled);
        scaled
    }

    fn scale_f64(&self, xs: &[f64], k: f64) -> Result<Vec<f64>, Status> {
        assert!(!k.is_nan(), "scaleF64 cannot scale by NaN");
        if k == 0.0 {
            return Err(Status::InvalidArg);
        }
        Ok(xs.iter().map(|x| x * k).collect())
    }

    fn objs(&self, handles: &AllTypesHandles<Self>, os: &[i32]) -> Vec<i32> {
        // The numbers behind the ids, plus one, as the C plugin computes from its ids.
        os.iter()
            .map(|id| handles.Obj.borrow(*id).map_or(-1, |o| o.0 + 1))
            .collect()
    }

    fn samples(&self, ss: &[Sample]) -> Vec<Sample> {
        ss.to_vec()
    }

    fn nothing(&self) -> Result<(), Status> {
        Ok(())
    }
}

all::export_all_types!(AllTypes);

/// The `test.local` plugin: a counter, not thread safe.
#[derive(Default)]
pub struct Local {
    counter: AtomicI64,
}

impl all::LocalPlugin for Local {
    fn counter(&self) -> i64 {
        self.counter.fetch_add(1, Relaxed) + 1
    }
}

all::export_local!(Local);
