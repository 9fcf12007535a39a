//! Checked models from YAML for tests, here and in the other crates of the workspace: a
//! [`Model`] only comes out of the checker, so tests describe what they need in BID.

use crate::Model;

/// Checks `yaml` (with `version: 0` put first when it has no `version:` line) as a file named
/// `test.bid.yaml`; panics with the rendered diagnostics when it does not check.
pub fn model(yaml: &str) -> Model {
    model_named("test.bid.yaml", yaml)
}

/// [`model`] of a file called `name` (generated preambles and include guards show it).
pub fn model_named(name: &str, yaml: &str) -> Model {
    let text = if yaml.lines().any(|l| l.starts_with("version:")) {
        yaml.to_owned()
    } else {
        format!("version: 0\n{yaml}")
    };
    match crate::check_source(name, &text) {
        Ok(model) => model,
        Err(report) => panic!("test BID file does not check:\n{}\n{text}", report.render()),
    }
}

/// One interface `t.test` (symbol prefix `t`) with these `types:` and `methods:` entries,
/// each a one-line flow mapping such as `{ name: P, type: record, fields: [ { f64: x } ] }`.
pub fn interface(types: &[&str], methods: &[&str]) -> Model {
    let mut yaml = String::from("interfaces:\n  - name: t.test\n    symbol_prefix: t\n");
    if !types.is_empty() {
        yaml.push_str("    types:\n");
        for t in types {
            yaml.push_str(&format!("      - {t}\n"));
        }
    }
    yaml.push_str("    methods:\n");
    for m in methods {
        yaml.push_str(&format!("      - {m}\n"));
    }
    model(&yaml)
}
