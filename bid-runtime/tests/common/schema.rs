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

/// A line cut around the members that change from call to call (timestamp, latency,
/// pass rate): the rest is the line's shape.
fn cut(line: &str) -> Option<(String, &str, &str, &str)> {
    let rest = line.strip_prefix("{\"timestamp\":\"")?;
    let ts_end = rest.find('"')?;
    let (ts, rest) = rest.split_at(ts_end);
    let lat_key = "\"latency_ns\":";
    let lat_at = rest.find(lat_key)? + lat_key.len();
    let lat_len = rest[lat_at..].find(|c: char| !c.is_ascii_digit() && c != '-')?;
    let (before_lat, after) = rest.split_at(lat_at);
    let (lat, rest2) = after.split_at(lat_len);
    let rate_key = "\"audit_pass_rate\":";
    let rate_at = rest2.find(rate_key)? + rate_key.len();
    let rate_len = rest2[rate_at..].find([',', '}'])?;
    let (before_rate, after) = rest2.split_at(rate_at);
    let (rate, tail) = after.split_at(rate_len);
    Some((format!("{before_lat}#{before_rate}#{tail}"), ts, lat, rate))
}

/// Checks every line of a (large) trace against the schema, keeping only the number of
/// lines per event and the last line. Each line is cut into its shape and the three
/// members that vary per call: the first line of every shape is parsed and validated
/// whole, and every line's varying members are validated against the schema's own
/// definitions of them; so every line is valid without parsing 800,000 lines in a
/// debug build.
pub fn validate_all(path: &Path) -> (std::collections::BTreeMap<String, usize>, serde_json::Value) {
    use serde_json::Value;
    let schema: Value =
        serde_json::from_str(bid_runtime::TRACE_SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let props = &schema["properties"];
    let varying = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["timestamp", "latency_ns", "audit_pass_rate"],
        "properties": {
            "timestamp": props["timestamp"],
            "latency_ns": props["latency_ns"],
            "audit_pass_rate": props["audit_pass_rate"],
        }
    });
    let varying = jsonschema::validator_for(&varying).expect("sub-schema");
    let text = std::fs::read_to_string(path).expect("read trace");
    let mut shapes = std::collections::HashMap::<String, String>::new();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut last_line = "";
    for (i, line) in text.lines().enumerate() {
        last_line = line;
        let n = i + 1;
        let (shape, ts, lat, rate) =
            cut(line).unwrap_or_else(|| panic!("line {n}: not a trace line: {line}"));
        let members = serde_json::json!({
            "timestamp": ts,
            "latency_ns": serde_json::from_str::<Value>(lat).unwrap_or_else(|e| panic!("line {n}: latency {e}")),
            "audit_pass_rate": serde_json::from_str::<Value>(rate).unwrap_or_else(|e| panic!("line {n}: rate {e}")),
        });
        if let Err(e) = varying.validate(&members) {
            panic!("line {n}: {e}: {line}");
        }
        let event = match shapes.get(&shape) {
            Some(event) => event.clone(),
            None => {
                let v: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("line {n}: not JSON ({e}): {line}"));
                if let Err(e) = validator.validate(&v) {
                    panic!("line {n}: {e}: {line}");
                }
                let event = v["event"].as_str().unwrap_or("?").to_owned();
                shapes.insert(shape, event.clone());
                event
            }
        };
        *counts.entry(event).or_default() += 1;
    }
    let last = serde_json::from_str(last_line).unwrap_or(Value::Null);
    (counts, last)
}
