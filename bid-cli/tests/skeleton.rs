//! `bid skeleton` as a user runs it: stdout or `-o`, never over an existing file without
//! `--force`, diagnostics for a broken BID file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bid"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run bid")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bid-cli-skeleton")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const FILEBOX: &str = "fixtures/valid/filebox.bid.yaml";

fn expected(header: &str) -> String {
    let model = bid_schema::check_file_as(&root().join(FILEBOX), FILEBOX).unwrap();
    bid_schema::emit::skeleton::skeleton(&model, header)
}

#[test]
fn prints_the_skeleton_including_the_header_named_after_the_file() {
    let o = bid(&["skeleton", FILEBOX]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out, expected("filebox.h"));
    assert!(out.contains("#include \"filebox.h\"\n"), "{out}");
    assert!(out.contains("return BID_E_UNSUPPORTED;"), "{out}");
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));

    let o = bid(&["skeleton", FILEBOX, "--header", "include/nyash/file.h"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), expected("include/nyash/file.h"));
}

#[test]
fn output_is_written_once_and_replaced_only_with_force() {
    let dir = scratch("force");
    let path = dir.join("plugin/filebox.c");
    let out = path.to_str().unwrap();
    let o = bid(&["skeleton", FILEBOX, "-o", out]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        expected("filebox.h")
    );

    std::fs::write(&path, "/* the author's work */\n").unwrap();
    let o = bid(&["skeleton", FILEBOX, "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(err.contains("filebox.c"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "/* the author's work */\n",
        "kept"
    );

    let o = bid(&["skeleton", FILEBOX, "-o", out, "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        expected("filebox.h")
    );
}

#[test]
fn a_broken_bid_file_gives_diagnostics_and_writes_nothing() {
    let dir = scratch("broken");
    let path = dir.join("x.c");
    let o = bid(&[
        "skeleton",
        "fixtures/invalid/type_unknown.bid.yaml",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("error[bid.type.unknown]"),
        "{}",
        text(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    assert!(!path.exists());

    let o = bid(&["skeleton", "fixtures/invalid/type_unknown.bid.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
}

#[test]
fn a_header_name_c_cannot_include_is_a_usage_error() {
    let o = bid(&["skeleton", FILEBOX, "--header", "a\"b.h"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("cannot be #included"),
        "{}",
        text(&o.stderr)
    );
    assert!(o.stdout.is_empty());
}
