//! `bid validate` and `bid schema` as a user runs them: exit codes and output.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bid"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("run bid")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn validate_accepts_valid_fixtures() {
    let o = bid(&[
        "validate",
        "--ffi-abi-v0",
        "fixtures/valid/filebox.bid.yaml",
        "fixtures/valid/nyash_file.bid.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("ok: fixtures/valid/filebox.bid.yaml (1 interfaces, 4 methods)"),
        "{out}"
    );
    assert!(
        out.contains("ok: fixtures/valid/nyash_file.bid.yaml (1 interfaces, 4 methods)"),
        "{out}"
    );
    assert!(o.stderr.is_empty());
}

#[test]
fn validate_rejects_invalid_fixture_with_golden_text() {
    let o = bid(&["validate", "fixtures/invalid/type_unknown.bid.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let golden = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/invalid/type_unknown.stderr"),
    )
    .unwrap();
    // stderr is not a terminal here, so the output is the plain golden text.
    assert_eq!(text(&o.stderr), golden);
}

#[test]
fn validate_mixed_files_reports_and_fails() {
    let o = bid(&[
        "validate",
        "fixtures/valid/records.bid.yaml",
        "fixtures/invalid/effect_invalid.bid.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("ok: fixtures/valid/records.bid.yaml"));
    assert!(text(&o.stderr).contains("error[bid.effect.invalid]"));
}

#[test]
fn validate_json_lists_diagnostics() {
    let o = bid(&[
        "validate",
        "--format",
        "json",
        "fixtures/invalid/multiple_errors.bid.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json on stdout");
    let items = v.as_array().unwrap();
    assert!(items.len() >= 7);
    assert_eq!(items[0]["code"], "bid.version.unsupported");
    assert_eq!(
        items[0]["file"],
        "fixtures/invalid/multiple_errors.bid.yaml"
    );
    assert_eq!(items[0]["line"], 2);
    assert_eq!(items[0]["column"], 10);
}

#[test]
fn missing_file_is_a_diagnostic_not_a_crash() {
    let o = bid(&["validate", "fixtures/valid/no_such_file.bid.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("error[bid.io.read]"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(bid(&["validate"]).status.code(), Some(2));
    assert_eq!(bid(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        bid(&["validate", "--format", "xml", "x"]).status.code(),
        Some(2)
    );
}

#[test]
fn schema_prints_json_schema() {
    let o = bid(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(v, bid_schema::schema::json_schema());
}
