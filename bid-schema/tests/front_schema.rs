//! The JSON Schema accepts every valid fixture and rejects malformed BID files.

use serde_json::Value;
use std::path::Path;

fn yaml_to_json(text: &str) -> Value {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(text, options).expect("fixture is YAML")
}

fn validator() -> jsonschema::Validator {
    let schema = bid_schema::schema::json_schema();
    assert!(
        jsonschema::meta::is_valid(&schema),
        "the schema itself is not a valid schema"
    );
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_valid_fixture_matches_the_schema() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".bid.yaml") {
            continue;
        }
        let doc = yaml_to_json(&std::fs::read_to_string(&path).unwrap());
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{}:\n{}", path.display(), errs.join("\n"));
        n += 1;
    }
    assert!(n >= 7);
}

#[test]
fn malformed_files_fail_the_schema() {
    let v = validator();
    let base = "version: 0\ninterfaces:\n  - name: env.console\n    methods:\n";
    let bad = [
        // unknown key
        format!("{base}      - {{ name: log, effect: io, colour: red }}\n"),
        // missing effect
        format!("{base}      - {{ name: log }}\n"),
        // bad effect
        format!("{base}      - {{ name: log, effect: loud }}\n"),
        // bad ownership
        format!("{base}      - {{ name: log, effect: io, params: [ {{ name: m, type: string, ownership: mine }} ] }}\n"),
        // long-form param without a type
        format!("{base}      - {{ name: log, effect: io, params: [ {{ name: m }} ] }}\n"),
        // not an identifier
        format!("{base}      - {{ name: log me, effect: io }}\n"),
        // version 1
        "version: 1\ninterfaces: []\n".to_owned(),
        // no namespace in the short form
        "version: 0\ninterfaces:\n  - name: console\n    methods: []\n".to_owned(),
        // record without fields
        "version: 0\ninterfaces:\n  - name: a.b\n    types: [ { name: R, type: record } ]\n    methods: []\n".to_owned(),
        // unsupported transport
        "version: 0\ntransport: { type: grpc }\ninterfaces: []\n".to_owned(),
    ];
    for text in &bad {
        let doc = yaml_to_json(text);
        assert!(!v.is_valid(&doc), "schema accepted:\n{text}");
    }
    let good =
        format!("{base}      - {{ name: log, effect: io, params: [ {{ string: msg }} ] }}\n");
    assert!(
        v.is_valid(&yaml_to_json(&good)),
        "{:?}",
        errors(&v, &yaml_to_json(&good))
    );
}
