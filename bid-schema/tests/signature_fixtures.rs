//! The signature text of every valid fixture, through the parser: its shape per
//! `docs/signature.md`, what changes it and what does not, as `bid_abi::compare_signatures`
//! (the comparer the runtime uses at load) sees it.

use bid_abi::compare_signatures;
use bid_schema::model::Model;
use bid_schema::signature;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> (String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/valid")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (format!("fixtures/valid/{name}"), text)
}

fn check(name: &str, text: &str) -> Model {
    bid_schema::check_source(name, text).unwrap_or_else(|r| panic!("{name}: {r:?}"))
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures/valid")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".bid.yaml"))
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

#[test]
fn every_fixture_has_a_well_formed_signature() {
    for path in fixtures() {
        let file = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let (name, text) = fixture(&file);
        for iface in check(&name, &text).interfaces() {
            let sig = signature::text(iface);
            assert!(sig.ends_with('\n'), "{file}");
            let lines: Vec<&str> = sig.lines().collect();
            assert_eq!(lines.len(), 2 + iface.methods().len(), "{file}");
            assert_eq!(lines[0], signature::FORMAT_LINE);
            let words: Vec<&str> = lines[1].split(' ').collect();
            assert_eq!(words.len(), 3, "{file}: {}", lines[1]);
            assert_eq!(words[..2], ["interface", iface.qualified()]);
            for (line, m) in lines[2..].iter().zip(iface.methods()) {
                assert!(
                    line.starts_with(&format!("fn {} {}(", m.name(), m.symbol())),
                    "{line}"
                );
                assert!(line.bytes().all(|b| (b' '..=b'~').contains(&b)), "{line}");
                assert_eq!(*line, signature::method_line(iface, m));
            }
            assert_eq!(compare_signatures(&sig, &sig), Ok(vec![]), "{file}");
            // Dropping any one method is reported as exactly that method missing.
            for (k, m) in iface.methods().iter().enumerate() {
                let without: String = sig
                    .lines()
                    .enumerate()
                    .filter(|(i, _)| *i != k + 2)
                    .map(|(_, l)| format!("{l}\n"))
                    .collect();
                let d =
                    compare_signatures(&sig, &without).unwrap_or_else(|e| panic!("{file}: {e}"));
                assert_eq!(d.len(), 1, "{file}: {}", m.name());
                assert_eq!(d[0].method, m.name());
                assert_eq!(d[0].expected.as_deref(), Some(lines[k + 2]));
                assert_eq!(d[0].found, None, "{file}: {} is missing", m.name());
            }
        }
    }
}

#[test]
fn the_seed_interface_reads_as_documented() {
    let (name, text) = fixture("nyash_file.bid.yaml");
    let m = check(&name, &text);
    assert_eq!(
        signature::text(&m.interfaces()[0]),
        "bid-signature 0\n\
         interface nyash.file 1.0.0\n\
         fn open nyash_file_open(string borrowed, string borrowed) -> FileHandle:handle(i32) transferred\n\
         fn read nyash_file_read(FileHandle:handle(i32) borrowed, i32) -> bytes transferred\n\
         fn write nyash_file_write(FileHandle:handle(i32) borrowed, bytes borrowed) -> i32\n\
         fn close nyash_file_close(FileHandle:handle(i32) borrowed) -> void\n"
    );
}

#[test]
fn renaming_a_param_or_editing_docs_keeps_the_signature() {
    let (name, text) = fixture("filebox.bid.yaml");
    let before = signature::text(&check(&name, &text).interfaces()[0]);
    let edited = text
        .replace(
            "{ name: path, type: string }",
            "{ name: file_path, type: string }",
        )
        .replace("with a C `fopen` mode", "with an fopen(3) mode");
    assert_ne!(edited, text, "the edit must apply");
    let after = signature::text(&check(&name, &edited).interfaces()[0]);
    assert_eq!(before, after);
}

#[test]
fn a_nested_field_type_change_names_every_method_using_it() {
    let (name, text) = fixture("records.bid.yaml");
    let before = check(&name, &text);
    let edited = text.replacen("{ name: x, type: f64 }", "{ name: x, type: f32 }", 1);
    assert_ne!(edited, text, "the edit must apply");
    let after = check(&name, &edited);
    let (b, a) = (
        signature::text(&before.interfaces()[0]),
        signature::text(&after.interfaces()[0]),
    );
    let changes = compare_signatures(&b, &a).expect("both are signatures");
    let iface = &before.interfaces()[0];
    let users: Vec<&str> = iface
        .methods()
        .iter()
        .filter(|m| signature::method_line(iface, m).contains("Point:record{x:f64"))
        .map(|m| m.name())
        .collect();
    assert!(!users.is_empty());
    let changed: Vec<&str> = changes.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(changed, users);
    // Changed, not missing: the plugin still exports each method, with another line.
    for c in &changes {
        let (Some(expected), Some(found)) = (&c.expected, &c.found) else {
            panic!("{c}: must be a changed line");
        };
        assert_ne!(expected, found);
        assert!(found.contains("Point:record{x:f32"), "{found}");
    }
}

#[test]
fn a_newer_plugin_with_more_methods_still_matches_but_not_the_reverse() {
    let (name, text) = fixture("filebox.bid.yaml");
    let newer_text = text.replace("version: \"1.0.0\"", "version: \"1.1.0\"")
        + "      - name: flush\n        params: [ { FileHandle: h } ]\n        effect: io\n";
    let old = signature::text(&check(&name, &text).interfaces()[0]);
    let newer = signature::text(&check(&name, &newer_text).interfaces()[0]);
    assert_ne!(old, newer, "the edit must apply");
    assert!(newer.contains("\ninterface nyash.file 1.1.0\n"), "{newer}");
    // Bindings built from the old file load the newer plugin: its extra method and its
    // version are not a mismatch.
    assert_eq!(compare_signatures(&old, &newer), Ok(vec![]));
    // Bindings built from the newer file need `flush`, which the old plugin lacks.
    let missing = compare_signatures(&newer, &old).expect("both are signatures");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0].method, "flush");
    assert_eq!(missing[0].found, None);
}
