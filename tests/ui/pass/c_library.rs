//! An existing C library's shapes through the macro: C strings, `free:`, `nullable`,
//! unsigned and narrow integers.

#[bid_macros::bid_interface("../fixtures/valid/c_library.bid.yaml")]
pub mod math {}

fn shapes(lib: &math::MathLib) -> bid_runtime::CallResult<()> {
    let date: Option<math::Date<'_>> = lib.parse(c"2024-05-17")?;
    if let Some(date) = date {
        let text: bid_runtime::PluginCStr<'_> = lib.to_string(&date)?;
        let _: &str = text.as_str();
        let _: &std::ffi::CStr = &text;
        let _: u32 = lib.month(&date)?;
        lib.free_date(date)?;
    }
    let _: &std::ffi::CStr = lib.version()?;
    let _: Option<&std::ffi::CStr> = lib.last_error()?;
    let _: u8 = lib.clamp_u8(300)?;
    let _: i64 = lib.widen(1u8, 2u16, -3i8, -4i16, 5u32)?;
    let _: u64 = lib.bits(u64::MAX)?;
    let _: bid_runtime::PluginSlice<'_, u8> = lib.digits(42)?;
    Ok(())
}

fn main() {
    let _ = shapes;
}
