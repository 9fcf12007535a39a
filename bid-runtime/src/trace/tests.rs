use super::format::*;
use super::*;
use std::time::Duration;
use std::time::UNIX_EPOCH;

#[test]
fn timestamps_are_rfc3339_utc() {
    assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000000Z");
    let t = UNIX_EPOCH + Duration::new(951_827_696, 5);
    assert_eq!(timestamp(t), "2000-02-29T12:34:56.000000005Z");
    let t = UNIX_EPOCH + Duration::from_secs(4_102_444_799);
    assert_eq!(timestamp(t), "2099-12-31T23:59:59.000000000Z");
}

#[test]
fn json_strings_are_escaped() {
    let mut s = String::new();
    json_str(&mut s, "a\"b\\c\nd\u{1}é");
    assert_eq!(s, r#""a\"b\\c\nd\u0001é""#);
}

fn rate(ok: u64, total: u64) -> String {
    let mut out = Vec::new();
    push_rate(&mut out, ok, total);
    String::from_utf8(out).unwrap()
}

#[test]
fn pass_rates_are_json_numbers_never_rounded_up_to_one() {
    assert_eq!(rate(0, 0), "1.0");
    assert_eq!(rate(5, 5), "1.0");
    assert_eq!(rate(1, 2), "0.5");
    assert_eq!(rate(0, 3), "0.0");
    assert_eq!(rate(2, 3), "0.666666666");
    assert_eq!(rate(1, 40), "0.025");
    assert_eq!(rate(999_999_999_999, 1_000_000_000_000), "0.999999999");
    assert_eq!(rate(1, 3_000_000_000), "0.0");
    assert_eq!(rate(u64::MAX - 1, u64::MAX), "0.999999999");
    assert_eq!(rate(10u64.pow(18), 4 * 10u64.pow(18)), "0.25");
}

#[test]
fn integers_are_decimal() {
    for n in [0, 7, 10, 99, 100, 12_345, 1_000_000, u64::MAX] {
        let mut out = Vec::new();
        push_u64(&mut out, n);
        assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
    }
}

#[test]
fn host_names_this_build() {
    let h = host();
    assert_eq!(h.arch, std::env::consts::ARCH);
    assert!(h.platform.ends_with(h.arch));
    if cfg!(all(
        target_arch = "x86_64",
        target_os = "linux",
        target_env = "gnu"
    )) {
        assert_eq!(h.target, "x86_64-unknown-linux-gnu");
        assert_eq!(h.abi, "system_v");
    }
}
