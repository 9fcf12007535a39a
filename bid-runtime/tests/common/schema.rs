//! Checking trace files against the schema bid-runtime ships.

use std::path::{Path, PathBuf};

/// Reads a trace file and checks every line against the shipped schema.
pub fn validated_lines(path: &Path) -> Vec<serde_json::Value> {
    let schema: serde_json::Value =
        serde_json::from_str(bid_runtime::TRACE_SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let text = std::fs::read_to_string(path).expect("read trace");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {}: not JSON ({e}): {line}", i + 1));
            if let Err(e) = validator.validate(&v) {
                panic!("line {}: {e}: {line}", i + 1);
            }
            v
        })
        .collect()
}

/// A fresh path for a trace file of one test.
pub fn trace_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bid-runtime-traces");
    std::fs::create_dir_all(&dir).expect("trace dir");
    let p = dir.join(format!("{}-{name}.jsonl", env!("CARGO_CRATE_NAME")));
    let _ = std::fs::remove_file(&p);
    p
}

/// Checks every line of a (large) trace against the schema, whole, keeping only the number
/// of lines per event and the last line. (The JSON crates are optimised in test builds, see
/// the workspace `Cargo.toml`, so 800,000 lines take seconds.)
pub fn validate_all(path: &Path) -> (std::collections::BTreeMap<String, usize>, serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(bid_runtime::TRACE_SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let text = std::fs::read_to_string(path).expect("read trace");
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut last = serde_json::Value::Null;
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {}: not JSON ({e}): {line}", i + 1));
        if let Err(e) = validator.validate(&v) {
            panic!("line {}: {e}: {line}", i + 1);
        }
        let event = v["event"].as_str().unwrap_or("?").to_owned();
        *counts.entry(event).or_default() += 1;
        last = v;
    }
    (counts, last)
}
