//! Shared helpers of the workspace tests: build a C plugin against the header bid generates,
//! run a test under valgrind, and the host bindings of every valid fixture.

use std::path::{Path, PathBuf};

/// The workspace's `tests/` directory.
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Generates `<stem>.h` from `bid` into `out`, then compiles `c_sources` against it into the
/// shared library `lib<name>`; returns the library's path. `out` is per test binary
/// (`CARGO_TARGET_TMPDIR`), so parallel test binaries never race on one file.
pub fn build_plugin(out: &Path, name: &str, bid: &Path, c_sources: &[&Path]) -> PathBuf {
    let out = out.join(name);
    let generated = bid_build::Builder::new()
        .file(bid)
        .out_dir(&out)
        .generate()
        .unwrap_or_else(|e| panic!("generating {}: {e}", bid.display()));
    let include = generated.outputs[0]
        .header
        .parent()
        .expect("the header has a directory")
        .to_path_buf();
    // Warnings are errors: a plugin that does not match its header exactly should not build.
    let mut plugin = bid_build::PluginBuilder::new(name)
        .include(&include)
        .flag("-Werror")
        .out_dir(&out);
    for c in c_sources {
        plugin = plugin.file(c);
    }
    plugin
        .build()
        .unwrap_or_else(|e| panic!("building plugin {name}: {e}"))
}

/// The path of a Rust plugin this crate depends on (`crate-type = ["cdylib", "rlib"]`), by
/// its library name: cargo builds the cdylib next to the test binaries, in
/// `target/<profile>/deps`.
pub fn rust_plugin(lib_name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("the test binary's directory");
    let file = format!(
        "{}{lib_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let path = deps.join(&file);
    assert!(
        path.is_file(),
        "{} is missing: it is built by cargo as a dependency of bid-tests",
        path.display()
    );
    path
}

/// `valgrind` with the options every test runs it with: exit code 99 on an error or a
/// definite leak, and the definite leaks listed. `None` when valgrind does not run here, after
/// saying that `what` ran natively only; with `BID_REQUIRE_VALGRIND` set (as in CI) that
/// fails the test instead.
pub fn valgrind(what: &str) -> Option<std::process::Command> {
    let runs = std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        assert!(
            std::env::var_os("BID_REQUIRE_VALGRIND").is_none(),
            "BID_REQUIRE_VALGRIND is set and valgrind does not run"
        );
        eprintln!("valgrind is not installed: {what} ran natively only");
        return None;
    }
    let mut command = std::process::Command::new("valgrind");
    command
        .args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite",
        ])
        .env("RUST_BACKTRACE", "0");
    Some(command)
}

/// Asserts that valgrind's report (the stderr of a [`valgrind`] run) shows no error and no
/// definite leak.
pub fn assert_valgrind_clean(report: &str) {
    assert!(
        report.contains("ERROR SUMMARY: 0 errors from 0 contexts"),
        "{report}"
    );
    assert!(
        report.contains("definitely lost: 0 bytes") || report.contains("no leaks are possible"),
        "{report}"
    );
}

/// The host bindings of every valid fixture, for the tests that load a plugin of each.
pub mod fixtures {
    /// `fixtures/valid/all_types.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
    pub mod all_types {}
    /// `fixtures/valid/c_library.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/c_library.bid.yaml")]
    pub mod c_library {}
    /// `fixtures/valid/filebox.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/filebox.bid.yaml")]
    pub mod filebox {}
    /// `fixtures/valid/keywords.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/keywords.bid.yaml")]
    pub mod keywords {}
    /// `fixtures/valid/mixed.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/mixed.bid.yaml")]
    pub mod mixed {}
    /// `fixtures/valid/nyash_file.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/nyash_file.bid.yaml")]
    pub mod nyash_file {}
    /// `fixtures/valid/records.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/records.bid.yaml")]
    pub mod records {}
    /// `fixtures/valid/short_form.bid.yaml`.
    #[bid_macros::bid_interface("../fixtures/valid/short_form.bid.yaml")]
    pub mod short_form {}
}

/// Loads box `$box` (a path such as `fixtures::mixed::Canvas`) from the library `$lib`,
/// requiring its signature, and asserts that the signature matched.
#[macro_export]
macro_rules! load_strict {
    ($box:path, $lib:expr) => {{
        let options = ::bid_runtime::LoadOptions::new().require_signature(true);
        // SAFETY: the callers load plugins generated from the same BID file as `$box`; the
        // signature is required and compared.
        let b = unsafe { <$box>::load_with($lib, &options) }
            .unwrap_or_else(|e| panic!("{}: {e}", stringify!($box)));
        assert_eq!(
            b.audit().signature(),
            ::bid_runtime::SignatureCheck::Matched
        );
        b
    }};
}
