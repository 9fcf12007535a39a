//! The BID files and the C compiler runner shared by the C header tests, for inputs the
//! fixtures do not cover: every type and ownership at once, reserved C names, hostile docs
//! and file names.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use bid_schema::Model;
use bid_schema::testing::model_named;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The seed's `nyash.file`: a handle released by a fallible `close` with a symbol override.
const NYASH_FILE: &str = r#"
interfaces:
  - name: nyash.file
    version: "1.0.0"
    doc: Files on the host.
    types:
      - { name: FileHandle, type: handle, release: close }
    methods:
      - { name: open, params: [ { string: path }, { string: mode } ], returns: FileHandle, effect: io }
      - { name: read, params: [ { FileHandle: h }, { i32: size } ], returns: bytes, effect: io }
      - { name: write, params: [ { FileHandle: h }, { bytes: data } ], returns: i32, effect: io }
      - { name: close, params: [ { FileHandle: h, ownership: transferred } ], effect: io, fallible: true, symbol: nyash_file_close_v2 }
"#;

/// The seed's `nyash.file`.
pub fn nyash_file() -> Model {
    model_named("fixtures/valid/nyash_file.bid.yaml", NYASH_FILE)
}

/// The types of `t.all`: every handle repr, a record nested in another, and record fields
/// whose names are reserved in C (`class`, `BID_OK`, `int32_t`, `linux`, `main`): the header
/// must spell them escaped.
const ALL_TYPES_HEAD: &str = r#"
interfaces:
  - name: t.all
    version: "1.0.0"
    types:
      - { name: H32, type: handle, repr: i32 }
      - { name: H64, type: handle, repr: i64 }
      - { name: HP, type: handle, repr: pointer }
      - { name: Inner, type: record, fields: [ { i64: a }, { i32: b } ] }
      - { name: Mixed, type: record, fields: [ { bool: flag }, { f64: d }, { f32: f }, { Inner: inner }, { i32: class }, { HP: p }, { H64: h } ] }
      - { name: Taken, type: record, fields: [ { i32: BID_OK }, { i64: int32_t }, { f32: linux }, { bool: main }, { i32: INT32_MAX } ] }
    methods:
      - { name: rec, params: [ { Mixed: m }, { Inner: i } ], returns: Mixed, effect: io }
      - { name: int, params: [ { i32: new }, { string: template } ], returns: bool, effect: io }
      - { name: reserved, params: [ { i32: BID_OK }, { i64: int32_t }, { f64: linux }, { bool: main }, { string: __x }, { i32: __LINE_ }, { Taken: "NULL" } ], returns: Taken, effect: io }
      - { name: nothing, effect: io, symbol: t_all_nothing_at_all }
"#;

/// A second interface in the same file: no version, not thread safe, its own record.
const ALL_TYPES_OTHER: &str = r#"
  - name: t.other
    thread_safe: false
    types:
      - { name: Point, type: record, fields: [ { f32: x }, { f32: y } ] }
    methods:
      - { name: ping, effect: io }
      - { name: mid, params: [ { Point: a }, { Point: b } ], returns: Point, effect: io }
"#;

/// Every type in params and returns, every legal ownership, fallible returns of every kind,
/// C/C++ keywords and other reserved C names as params and fields (escaped C spellings), a
/// param called `out`, two interfaces, `thread_safe: false`.
pub fn all_types() -> Model {
    let mut yaml = ALL_TYPES_HEAD.to_owned();
    let mut method = |m: String| writeln!(yaml, "      - {m}").expect("write to a String");
    for s in ["bool", "i32", "i64", "f32", "f64"] {
        method(format!(
            "{{ name: echo_{s}, params: [ {{ {s}: v }} ], returns: {s}, effect: io }}"
        ));
    }
    let buffers = [
        ("string", "string"),
        ("bytes", "bytes"),
        ("ai32", "array(i32)"),
        ("ai64", "array(i64)"),
        ("af32", "array(f32)"),
        ("af64", "array(f64)"),
        ("ah", "array(H32)"),
        ("arec", "array(Mixed)"),
    ];
    for (n, t) in buffers {
        for own in ["transferred", "borrowed", "reference"] {
            method(format!(
                "{{ name: {n}_{own}, params: [ {{ name: v, type: \"{t}\" }} ], returns: {{ type: \"{t}\", ownership: {own} }}, effect: io }}"
            ));
        }
    }
    for (n, t) in [("h32", "H32"), ("h64", "H64"), ("hp", "HP")] {
        method(format!(
            "{{ name: new_{n}, returns: {{ type: {t}, ownership: transferred }}, effect: io }}"
        ));
        method(format!(
            "{{ name: peek_{n}, params: [ {{ {t}: x }} ], returns: {{ type: {t}, ownership: borrowed }}, effect: io }}"
        ));
        method(format!(
            "{{ name: drop_{n}, params: [ {{ {t}: x, ownership: transferred }} ], effect: io }}"
        ));
    }
    for (n, ret) in [
        ("s", ", returns: string"),
        ("r", ", returns: Mixed"),
        ("i", ", returns: i64"),
        ("v", ""),
    ] {
        method(format!(
            "{{ name: try_{n}, params: [ {{ i32: out }} ]{ret}, effect: io, fallible: true }}"
        ));
    }
    yaml.push_str(ALL_TYPES_OTHER);
    model_named("fixtures/valid/all_types.bid.yaml", &yaml)
}

/// A doc written to break the header: comment terminators, directives after newlines, line
/// splices, trigraphs, control and bidi characters (a YAML double-quoted scalar).
const EVIL: &str = r#""*/ #error boom /*\n#error boom\nend with a backslash \\\n??/\nline ??/\ncr\rhere\0nul \u202Ebidi\u2066 ファイル /* nested */ // slashes \\""#;

/// Every place a doc can go, each holding `@EVIL@`.
const HOSTILE: &str = r#"
interfaces:
  - name: evil.doc
    version: "1.0.0"
    doc: @EVIL@
    types:
      - name: P
        type: record
        doc: @EVIL@
        fields:
          - { name: x, type: i32, doc: @EVIL@ }
      - { name: H, type: handle, repr: pointer, doc: @EVIL@ }
    methods:
      - { name: m, params: [ { P: p }, { H: h } ], returns: string, effect: io, doc: @EVIL@ }
"#;

/// Docs and a file name written to break the header. (The interface version cannot be
/// hostile any more: the checker takes only semver there.)
pub fn hostile() -> Model {
    model_named(
        "dir/*/ #error name ??/\n.bid.yaml",
        &HOSTILE.replace("@EVIL@", EVIL),
    )
}

/// A scratch directory under the test target dir, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("emit_c")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Runs `program args... file` in `dir`; returns Err(stderr) on failure.
pub fn compile(dir: &Path, program: &str, args: &[&str], file: &str) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .arg(file)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {} {file} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

pub fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
