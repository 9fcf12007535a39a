//! The safe API has the shapes the bindings promise: borrowed slices in; zero-copy plugin
//! values, copies or `'static`-for-the-library references out, per ownership.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

use bid_runtime::{CallError, PluginBytes, PluginSlice, PluginString};

#[allow(dead_code, reason = "only type-checked")]
fn shapes(b: &all::AllTypes) -> Result<(), CallError> {
    let _: bool = b.flag(true)?;
    let _: i64 = b.int64(1)?;
    let _: PluginString<'_> = b.echo_string("x")?;
    let _: &str = b.static_name()?;
    let _: String = b.last_error()?;
    let _: PluginBytes<'_> = b.echo_bytes(b"x")?;
    let _: Vec<u8> = b.borrowed_bytes()?;
    let obj: all::Obj<'_> = b.new_obj(1)?;
    let _: i32 = b.use_obj(&obj)?;
    let lent: bid_runtime::Borrowed<all::Obj<'_>> = b.peek_obj()?;
    let _: i32 = b.use_obj(&lent)?;
    let _: PluginSlice<'_, i32> = b.sum_i32(&[1, 2])?;
    let _: Vec<i64> = b.sum_i64(&[1])?;
    let _: &[f32] = b.scale_f32(&[1.0], 2.0)?;
    let _: all::Sample = b.sample(all::Sample::default())?;
    b.drop(obj)?;
    // Dropped without a release call: released by its drop.
    let _dropped = b.new_obj(2)?;
    // The escape hatch and its way back.
    let plain: i32 = b.new_obj(3)?.into_raw();
    // SAFETY: `plain` is an Obj this box's plugin returned.
    b.drop(unsafe { all::Obj::from_raw(b, plain) })?;
    Ok(())
}

fn main() {}
