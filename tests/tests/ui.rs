//! Compile tests of `#[bid_interface]` (trybuild): every valid fixture compiles through the
//! macro, BID errors surface as their rendered diagnostic, and plugin-owned values cannot
//! outlive their box. Bless `.stderr` files with `TRYBUILD=overwrite`.
//!
//! trybuild compiles each case in its own project under `<target>/tests/trybuild/bid-tests`,
//! so the macro sees that directory as `CARGO_MANIFEST_DIR`. The cases keep the paths a user
//! of this crate would write (`../fixtures/...`, `ui/...`), and [`mirror_manifest_dir`] makes
//! them resolve the same from trybuild's project.

use std::path::{Path, PathBuf};

/// Links `fixtures` and `ui` where trybuild's project looks for them, as seen from this
/// crate's manifest directory.
fn mirror_manifest_dir() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
        .to_path_buf();
    let trybuild = target.join("tests/trybuild");
    let project = trybuild.join(env!("CARGO_PKG_NAME"));
    std::fs::create_dir_all(&project).expect("trybuild directory is writable");
    link(&root.join("../fixtures"), &trybuild.join("fixtures"));
    link(&root.join("ui"), &project.join("ui"));
}

fn link(from: &Path, to: &PathBuf) {
    let from = from.canonicalize().expect("source directory exists");
    if to.canonicalize().is_ok_and(|existing| existing == from) {
        return;
    }
    let _ = std::fs::remove_file(to);
    #[cfg(unix)]
    std::os::unix::fs::symlink(&from, to).expect("symlink in the target directory");
    #[cfg(windows)]
    std::os::windows::fs::symlink_dir(&from, to).expect("symlink in the target directory");
}

#[test]
fn every_valid_fixture_has_a_pass_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("../fixtures/valid")).expect("fixtures/valid") {
        let name = entry
            .expect("readable")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(stem) = name.strip_suffix(".bid.yaml")
            && !root.join(format!("ui/pass/{stem}.rs")).is_file()
        {
            missing.push(stem.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "add tests/ui/pass/<stem>.rs for: {missing:?}"
    );
}

#[test]
fn ui() {
    mirror_manifest_dir();
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
