//! A host written in C against the generated header only (`hosts/all_types_host.c`) drives
//! the Rust plugin of all_types.bid.yaml through every kind of value and some broken
//! contracts; natively, then under valgrind: no invalid access, no definite leak.
//!
//! valgrind is optional on a developer's machine (the test says it skipped that part) and
//! required where `BID_REQUIRE_VALGRIND=1`, as in CI.

#![cfg(all(unix, not(target_os = "macos")))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Compiles the host against a header generated now, linked to the Rust plugin.
fn build_host() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_host");
    let tests = bid_tests::tests_dir();
    bid_build::Builder::new()
        .file(tests.join("../fixtures/valid/all_types.bid.yaml"))
        .out_dir(&dir)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let plugin = bid_tests::rust_plugin("all_types_rs");
    let lib_dir = plugin.parent().unwrap();
    let exe = dir.join("all_types_host");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let out = Command::new(cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(&dir)
        .arg(tests.join("hosts/all_types_host.c"))
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lall_types_rs")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lm")
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("a C compiler runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    exe
}

fn passed(what: &str, out: &Output) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.starts_with("c host: ") && stdout.contains("checks passed"),
        "{stdout}"
    );
    // The broken contracts were refused by the glue, with their messages.
    assert!(
        stderr.contains("bid plugin: method `scaleF64` panicked: scaleF64 cannot scale by NaN"),
        "{stderr}"
    );
    assert!(stderr.contains("bid plugin: refused to free"), "{stderr}");
}

#[test]
fn a_c_host_drives_the_rust_plugin_cleanly_under_valgrind() {
    let exe = build_host();
    let out = Command::new(&exe)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    passed("the C host", &out);

    let Some(mut valgrind) = bid_tests::valgrind("the C host") else {
        return;
    };
    let out = valgrind.arg(&exe).output().unwrap();
    passed("the C host under valgrind", &out);
    bid_tests::assert_valgrind_clean(&text(&out.stderr));
}
