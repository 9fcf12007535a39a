//! Checked models from YAML for tests, here and in the other crates of the workspace: a
//! [`Model`] only comes out of the checker, so tests describe what they need in BID.

use crate::Model;

/// `nyash.file`: a handle released by `close`, a record nested in another (declared first, so
/// the header must reorder), every buffer kind, a fallible method with a symbol override, and
/// a doc that tries to end its comment.
pub const NYASH_FILE: &str = r#"
interfaces:
  - name: nyash.file
    version: "1.0.0"
    doc: Files on the host.
    types:
      - { name: FileHandle, type: handle, release: close }
      - { name: Rect, type: record, fields: [ { Point: origin }, { i32: w }, { i64: big }, { bool: on } ] }
      - { name: Point, type: record, fields: [ { f64: x }, { f64: y } ] }
    methods:
      - { name: open, params: [ { string: path }, { string: mode } ], returns: FileHandle, effect: io }
      - { name: read, params: [ { FileHandle: h }, { i32: size } ], returns: bytes, effect: io }
      - { name: write, params: [ { FileHandle: h }, { bytes: data } ], returns: i32, effect: io }
      - { name: close, params: [ { FileHandle: h, ownership: transferred } ], effect: io, fallible: true, symbol: nyash_file_close_v2 }
      - name: area
        params: [ { Rect: r } ]
        returns: f64
        effect: pure
        doc: "Area of a rect.\n*/ #error boom /*\nend \\\n??/"
      - { name: points, params: [ { name: pts, type: array(Point) } ], returns: { type: array(i64), ownership: borrowed }, effect: io }
      - { name: ping, effect: io }
"#;

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
