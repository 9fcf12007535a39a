//! Emitter checks on hand-built models: the tokens parse as a file and carry the lowering.

use super::bindings;
use crate::model::*;

fn param(name: &str, rust: &str, ty: Type, ownership: Option<Ownership>) -> Param {
    Param {
        name: name.into(),
        rust: rust.into(),
        c: name.into(),
        ty,
        ownership,
    }
}

fn method(name: &str, params: Vec<Param>, ty: Option<Type>, own: Option<Ownership>) -> Method {
    Method {
        name: name.into(),
        rust: name.into(),
        symbol: format!("t_{name}"),
        params,
        returns: Return { ty, ownership: own },
        effect: Effect::Io,
        fallible: false,
        doc: None,
    }
}

fn field(name: &str, ty: Type) -> Field {
    Field {
        name: name.into(),
        rust: name.into(),
        c: name.into(),
        ty,
        doc: None,
    }
}

/// An interface touching every type in both directions.
pub(crate) fn every_type() -> Model {
    let b = Some(Ownership::Borrowed);
    let t = Some(Ownership::Transferred);
    let r = Some(Ownership::Reference);
    let h = Type::Handle(TypeId(0));
    let p = Type::Record(TypeId(2));
    let mut methods = vec![
        method(
            "add",
            vec![
                param("a", "a", Type::I32, None),
                param("b", "b", Type::I32, None),
            ],
            Some(Type::I32),
            None,
        ),
        method(
            "open",
            vec![param("path", "path", Type::String, b)],
            Some(h.clone()),
            t,
        ),
        method("close", vec![param("h", "h", h.clone(), t)], None, None),
        method(
            "read",
            vec![param("h", "h", h.clone(), b)],
            Some(Type::Bytes),
            t,
        ),
        method("name", vec![], Some(Type::String), b),
        method("version", vec![], Some(Type::String), r),
        method(
            "greet",
            vec![param("who", "who", Type::String, b)],
            Some(Type::String),
            t,
        ),
        method(
            "flip",
            vec![param("v", "v", Type::Bool, None)],
            Some(Type::Bool),
            None,
        ),
        method(
            "sum",
            vec![param("xs", "xs", Type::Array(Box::new(Type::F64)), b)],
            Some(Type::F64),
            None,
        ),
        method("points", vec![], Some(Type::Array(Box::new(p.clone()))), t),
        method(
            "mid",
            vec![
                param("a", "a", p.clone(), None),
                param("b", "b", p.clone(), None),
            ],
            Some(p.clone()),
            None,
        ),
        method(
            "blob",
            vec![param("data", "data", Type::Bytes, b)],
            Some(Type::Bytes),
            b,
        ),
        method(
            "wide",
            vec![
                param("x", "x", Type::I64, None),
                param("y", "y", Type::F32, None),
            ],
            Some(Type::I64),
            None,
        ),
        method("ptr", vec![], Some(Type::Handle(TypeId(1))), t),
        method(
            "type",
            vec![param("self", "self_", Type::I32, None)],
            None,
            None,
        ),
        method(
            "tell",
            vec![param("h", "h", h.clone(), b)],
            Some(Type::I64),
            None,
        ),
        method("ids", vec![], Some(Type::Array(Box::new(Type::I32))), r),
    ];
    methods[14].rust = "r#type".into();
    methods[15].fallible = true;
    methods[3].fallible = true;
    methods[0].effect = Effect::Pure;
    methods[0].doc = Some("Adds.\nTwo lines, \"quoted\" */ and all.".into());
    let types = vec![
        TypeDef {
            name: "FileHandle".into(),
            rust: "FileHandle".into(),
            c: "t_FileHandle".into(),
            doc: None,
            kind: TypeDefKind::Handle(HandleDef {
                repr: HandleRepr::I32,
                release: Some(MethodId(2)),
            }),
        },
        TypeDef {
            name: "Raw".into(),
            rust: "Raw".into(),
            c: "t_Raw".into(),
            doc: None,
            kind: TypeDefKind::Handle(HandleDef {
                repr: HandleRepr::Pointer,
                release: None,
            }),
        },
        TypeDef {
            name: "Point".into(),
            rust: "Point".into(),
            c: "t_Point".into(),
            doc: Some("A point.".into()),
            kind: TypeDefKind::Record(RecordDef {
                fields: vec![
                    field("x", Type::F64),
                    field("ok", Type::Bool),
                    field("n", Type::I64),
                ],
            }),
        },
    ];
    Model {
        source: SourceInfo {
            name: "t.bid.yaml".into(),
            hash: "0".repeat(16),
        },
        memory: Memory::default(),
        transport: Transport {
            location: Some("./libt.so".into()),
            future_transports: vec![],
        },
        interfaces: vec![Interface {
            namespace: "t".into(),
            name: "all".into(),
            qualified: "t.all".into(),
            box_name: "AllBox".into(),
            version: Some("1.0.0".into()),
            symbol_prefix: "t".into(),
            doc: None,
            thread_safe: false,
            types,
            methods,
        }],
    }
}

fn pretty(model: &Model) -> String {
    let file: syn::File = syn::parse2(bindings(model)).expect("generated tokens parse as a file");
    prettyplease::unparse(&file)
}

/// Text without the layout choices prettyplease makes (line breaks, trailing commas).
fn squeeze(text: &str) -> String {
    let s: String = text.split_whitespace().collect();
    s.replace(",>", ">").replace(",)", ")").replace(",}", "}")
}

#[test]
fn every_type_parses_and_lowers() {
    let text = pretty(&every_type());
    let squeezed = squeeze(&text);
    for needle in [
        "pub struct FileHandle(i32);",
        "pub struct Raw(*mut ::core::ffi::c_void);",
        "unsafe impl ::core::marker::Send for Raw {}",
        "pub ok: i32,",
        "add: unsafe extern \"C\" fn(i32, i32) -> i32,",
        "open: unsafe extern \"C\" fn(*const u8, i32) -> FileHandle,",
        "read: unsafe extern \"C\" fn(FileHandle, *mut ::bid_runtime::BidBuf) -> i32,",
        "tell: unsafe extern \"C\" fn(FileHandle, *mut i64) -> i32,",
        "mid: unsafe extern \"C\" fn(Point, Point) -> Point,",
        "flip: unsafe extern \"C\" fn(i32) -> i32,",
        "r#type: unsafe extern \"C\" fn(i32),",
        "pub fn r#type(&self, self_: i32,)",
        "-> ::bid_runtime::CallResult<::bid_runtime::PluginBytes<'_>>",
        "-> ::bid_runtime::CallResult<::std::string::String>",
        "-> ::bid_runtime::CallResult<&str>",
        "-> ::bid_runtime::CallResult<&[i32]>",
        "let fns = unsafe { __bid_lib.fn_table::<__BidAllBoxFns>() };",
        "read t_read io fallible bytes/transferred h:handle0/borrowed",
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
            "let __bid_r = unsafe { (self.fns.add)(a, b) };\n        __bid_call.ok(__bid_r)"
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
    let mut m = every_type();
    m.interfaces[0].thread_safe = true;
    m.transport.location = None;
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
