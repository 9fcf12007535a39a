//! Emitter checks: the tokens parse as a file and carry the lowering.

use super::bindings;
use crate::model::*;
use crate::testing;

/// An interface touching every type in both directions.
const EVERY_TYPE: &str = r#"
transport: { location: ./libt.so }
interfaces:
  - name: t.all
    box: AllBox
    version: "1.0.0"
    symbol_prefix: t
    thread_safe: false
    types:
      - { name: FileHandle, type: handle, release: close }
      - { name: Raw, type: handle, repr: pointer }
      - { name: Point, type: record, doc: A point., fields: [ { f64: x }, { bool: ok }, { i64: n } ] }
    methods:
      - { name: add, params: [ { i32: a }, { i32: b } ], returns: i32, effect: pure, doc: "Adds.\nTwo lines, \"quoted\" */ and all." }
      - { name: open, params: [ { string: path } ], returns: FileHandle, effect: io }
      - { name: close, params: [ { FileHandle: h, ownership: transferred } ], effect: io }
      - { name: read, params: [ { FileHandle: h } ], returns: bytes, effect: io, fallible: true }
      - { name: name, returns: { type: string, ownership: borrowed }, effect: io }
      - { name: version, returns: { type: string, ownership: reference }, effect: io }
      - { name: greet, params: [ { string: who } ], returns: string, effect: io }
      - { name: flip, params: [ { bool: v } ], returns: bool, effect: io }
      - { name: sum, params: [ { name: xs, type: array(f64) } ], returns: f64, effect: io }
      - { name: points, returns: array(Point), effect: io }
      - { name: mid, params: [ { Point: a }, { Point: b } ], returns: Point, effect: io }
      - { name: blob, params: [ { bytes: data } ], returns: { type: bytes, ownership: borrowed }, effect: io }
      - { name: wide, params: [ { i64: x }, { f32: y } ], returns: i64, effect: io }
      - { name: ptr, returns: Raw, effect: io }
      - { name: type, params: [ { i32: self } ], effect: io }
      - { name: tell, params: [ { FileHandle: h } ], returns: i64, effect: io, fallible: true }
      - { name: ids, returns: { type: array(i32), ownership: reference }, effect: io }
"#;

pub(crate) fn every_type() -> Model {
    testing::model(EVERY_TYPE)
}

fn pretty(model: &Model) -> String {
    let file: syn::File = syn::parse2(bindings(model)).expect("generated tokens parse as a file");
    prettyplease::unparse(&file)
}

/// Text without the layout choices prettyplease makes (line breaks, trailing commas).
fn squeeze(text: &str) -> String {
    let s: String = text.split_whitespace().collect();
    s.replace(",>", ">")
        .replace(",)", ")")
        .replace(",}", "}")
        .replace(",]", "]")
}

#[test]
fn every_type_parses_and_lowers() {
    let text = pretty(&every_type());
    let squeezed = squeeze(&text);
    for needle in [
        "pub struct FileHandle<'a> { raw: i32, owner: &'a AllBox, state: ::bid_runtime::__private::HandleState, }",
        "pub struct Raw<'a> { raw: *mut ::core::ffi::c_void,",
        "impl ::core::ops::Drop for FileHandle<'_> {",
        "let _ = self.owner.close(dropping);",
        "pub fn into_raw(self) -> i32 {",
        "pub unsafe fn from_raw(owner: &'a AllBox, raw: i32) -> Self {",
        "pub ok: i32,",
        "add: unsafe extern \"C\" fn(i32, i32) -> i32,",
        "open: unsafe extern \"C\" fn(*const u8, i32) -> i32,",
        "read: unsafe extern \"C\" fn(i32, *mut ::bid_runtime::BidBuf) -> i32,",
        "tell: unsafe extern \"C\" fn(i32, *mut i64) -> i32,",
        "pub fn read(&self, h: &FileHandle<'_>)",
        "pub fn close(&self, h: FileHandle<'_>)",
        "-> ::bid_runtime::CallResult<FileHandle<'_>>",
        "mid: unsafe extern \"C\" fn(Point, Point) -> Point,",
        "flip: unsafe extern \"C\" fn(i32) -> i32,",
        "r#type: unsafe extern \"C\" fn(i32),",
        "pub fn r#type(&self, self_: i32,)",
        "-> ::bid_runtime::CallResult<::bid_runtime::PluginBytes<'_>>",
        "-> ::bid_runtime::CallResult<::std::string::String>",
        "-> ::bid_runtime::CallResult<&str>",
        "-> ::bid_runtime::CallResult<&[i32]>",
        "let __bid_fns = unsafe { __bid_lib.fn_table::<__BidAllBoxFns>() };",
        "MethodMeta::new(\"read\", \"t_read\", Io, true, Some(Borrowed), Some(Bytes(Transferred)), PASSING[3], None)",
        "match __bid_call.handle_in(&__BID_ALL_BOX_HANDLES[0], ::core::ptr::eq(__bid_a0.owner, self), __bid_a0.state, i64::from(__bid_a0.raw), false) {",
        "match __bid_call.handle_take(&__BID_ALL_BOX_HANDLES[0], ::core::ptr::eq(__bid_a0.owner, self), i64::from(__bid_a0.raw)) {",
        "let (__bid_h0, _, __bid_s0) = __bid_a0.into_parts();",
        "HandleMeta { name: \"FileHandle\", release: Some(&__BID_ALL_BOX_METHODS[2]) }",
        "::bid_runtime::PluginSlice<'_, Point>",
        "_not_sync: ::core::marker::PhantomData<::core::cell::Cell<()>>",
        "pub unsafe fn load_default()",
        "#[must_use = ",
        "/// Two lines, \"quoted\" */ and all.",
        "offset_of!(Point, n) != 16 {",
        "#[derive(Clone, Copy, Debug, PartialEq, Default)]",
    ] {
        let needle = squeeze(needle);
        assert!(squeezed.contains(&needle), "missing `{needle}` in\n{text}");
    }
    // For eyeballing and compiling the hand-built model: BID_EMIT_DUMP=<file>.
    if let Some(path) = std::env::var_os("BID_EMIT_DUMP") {
        std::fs::write(path, &text).expect("dump path is writable");
    }
}

#[test]
fn scalar_call_has_no_checks() {
    let text = pretty(&every_type());
    let add = text
        .split("pub fn add(")
        .nth(1)
        .unwrap()
        .split("pub fn ")
        .next()
        .unwrap();
    assert!(
        !add.contains("match"),
        "scalar path must stay minimal:\n{add}"
    );
    assert!(
        add.contains(
            "let __bid_r = unsafe { (self.fns.add)(__bid_a0, __bid_a1) };\n        __bid_call.ok(__bid_r)"
        ),
        "{add}"
    );
}

#[test]
fn output_is_deterministic() {
    let m = every_type();
    assert_eq!(bindings(&m).to_string(), bindings(&m).to_string());
}

#[test]
fn thread_safe_box_has_no_marker_and_no_default_loader_without_location() {
    let m = testing::model(
        &EVERY_TYPE
            .replace("    thread_safe: false\n", "    thread_safe: true\n")
            .replace("transport: { location: ./libt.so }\n", ""),
    );
    let text = pretty(&m);
    assert!(!text.contains("_not_sync"));
    assert!(!text.contains("load_default"));
}

#[test]
fn bare_code_fences_in_yaml_docs_do_not_become_doctests() {
    let text = super::docs(Some("Use it:\n```\nlet x = 1;\n```\n```c\nint y;\n```")).to_string();
    assert!(text.contains(r#"" ```text""#), "{text}");
    assert!(text.contains(r#"" ```c""#), "a tagged fence stays: {text}");
    assert_eq!(
        text.matches("```text").count(),
        1,
        "closing fences stay bare: {text}"
    );
}

#[test]
fn parameters_named_like_generated_locals_keep_their_values() {
    let m = testing::model(
        "interfaces:\n  - name: t.h\n    methods:\n      - { name: echo, params: [ { string: s }, { i32: __bid_l0 }, { i32: __bid_call }, { i32: __bid_a0 }, { string: __bid_p1 } ], returns: i32, effect: io }\n",
    );
    let text = pretty(&m);
    let squeezed = squeeze(&text);
    for needle in [
        "let (__bid_a0, __bid_a1, __bid_a2, __bid_a3, __bid_a4,) = (s, __bid_l0, __bid_call, __bid_a0, __bid_p1,);",
        "let (__bid_p0, __bid_l0) = match __bid_call.str_arg(\"s\", __bid_a0) {",
        "(self.fns.echo)(__bid_p0, __bid_l0, __bid_a1, __bid_a2, __bid_a3, __bid_p4, __bid_l4)",
    ] {
        let needle = squeeze(needle);
        assert!(squeezed.contains(&needle), "missing `{needle}` in\n{text}");
    }
}

#[test]
fn control_and_bidi_characters_never_reach_a_doc_comment() {
    let m = testing::model(
        "transport: { location: \"lib\\r\\u202e.so\" }\ninterfaces:\n  - name: t.d\n    doc: \"a\\u202eb\\u2066c\\rd\\u0000e\"\n    methods: [ { name: f, effect: io } ]\n",
    );
    let text = pretty(&m);
    for bad in ['\u{202e}', '\u{2066}', '\r', '\0'] {
        assert!(!text.contains(bad), "{bad:?} in\n{text}");
    }
    assert!(text.contains("/// a\u{fffd}b\u{fffd}c\n"), "{text}");
    assert!(
        text.contains("unsafe { Self::load(\"lib\\r\\u{202e}.so\") }"),
        "the path itself is kept: {text}"
    );
}
