//! Unit tests of the C header: naming, ordering, escaping, prototypes; plus the hand-built
//! sample model the signature tests share.

use super::*;
use crate::model::*;

fn param(name: &str, ty: Type, ownership: Option<Ownership>) -> Param {
    Param {
        name: name.to_owned(),
        rust: name.to_owned(),
        c: name.to_owned(),
        ty,
        ownership,
    }
}

fn method(name: &str, params: Vec<Param>, ty: Option<Type>, own: Option<Ownership>) -> Method {
    Method {
        name: name.to_owned(),
        rust: name.to_owned(),
        symbol: format!("nyash_file_{name}"),
        params,
        returns: Return { ty, ownership: own },
        effect: Effect::Io,
        fallible: false,
        doc: None,
    }
}

fn field(name: &str, ty: Type) -> Field {
    Field {
        name: name.to_owned(),
        rust: name.to_owned(),
        c: name.to_owned(),
        ty,
        doc: None,
    }
}

fn typedef(name: &str, kind: TypeDefKind) -> TypeDef {
    TypeDef {
        name: name.to_owned(),
        rust: name.to_owned(),
        c: format!("nyash_file_{name}"),
        doc: None,
        kind,
    }
}

/// `nyash.file`: a handle released by `close`, a record nested in another (declared first, so
/// the header must reorder), every buffer kind, a fallible method with a symbol override.
pub(crate) fn sample() -> Model {
    use Ownership::*;
    let h = Type::Handle(TypeId(0));
    let mut close = method(
        "close",
        vec![param("h", h.clone(), Some(Transferred))],
        None,
        None,
    );
    close.symbol = "nyash_file_close_v2".to_owned();
    close.fallible = true;
    let mut area = method(
        "area",
        vec![param("r", Type::Record(TypeId(1)), None)],
        Some(Type::F64),
        None,
    );
    area.effect = Effect::Pure;
    area.doc = Some("Area of a rect.\n*/ #error boom /*\nend \\\n??/".to_owned());
    Model {
        source: SourceInfo {
            name: "fixtures/valid/nyash_file.bid.yaml".to_owned(),
            hash: "0123456789abcdef".to_owned(),
        },
        memory: Memory::default(),
        transport: Transport::default(),
        interfaces: vec![Interface {
            namespace: "nyash".to_owned(),
            name: "file".to_owned(),
            qualified: "nyash.file".to_owned(),
            box_name: "FileBox".to_owned(),
            version: Some("1.0.0".to_owned()),
            symbol_prefix: "nyash_file".to_owned(),
            doc: Some("Files on the host.".to_owned()),
            thread_safe: true,
            types: vec![
                typedef(
                    "FileHandle",
                    TypeDefKind::Handle(HandleDef {
                        repr: HandleRepr::I32,
                        release: Some(MethodId(3)),
                    }),
                ),
                typedef(
                    "Rect",
                    TypeDefKind::Record(RecordDef {
                        fields: vec![
                            field("origin", Type::Record(TypeId(2))),
                            field("w", Type::I32),
                            field("big", Type::I64),
                            field("on", Type::Bool),
                        ],
                    }),
                ),
                typedef(
                    "Point",
                    TypeDefKind::Record(RecordDef {
                        fields: vec![field("x", Type::F64), field("y", Type::F64)],
                    }),
                ),
            ],
            methods: vec![
                method(
                    "open",
                    vec![
                        param("path", Type::String, Some(Borrowed)),
                        param("mode", Type::String, Some(Borrowed)),
                    ],
                    Some(h.clone()),
                    Some(Transferred),
                ),
                method(
                    "read",
                    vec![
                        param("h", h.clone(), Some(Borrowed)),
                        param("size", Type::I32, None),
                    ],
                    Some(Type::Bytes),
                    Some(Transferred),
                ),
                method(
                    "write",
                    vec![
                        param("h", h.clone(), Some(Borrowed)),
                        param("data", Type::Bytes, Some(Borrowed)),
                    ],
                    Some(Type::I32),
                    None,
                ),
                close,
                area,
                method(
                    "points",
                    vec![param(
                        "pts",
                        Type::Array(Box::new(Type::Record(TypeId(2)))),
                        Some(Borrowed),
                    )],
                    Some(Type::Array(Box::new(Type::I64))),
                    Some(Borrowed),
                ),
                method("ping", vec![], None, None),
            ],
        }],
    }
}

fn iface(m: &Model) -> &Interface {
    &m.interfaces[0]
}

#[test]
fn prototypes_follow_the_lowering_table() {
    let m = sample();
    let i = iface(&m);
    let protos: Vec<String> = i
        .methods
        .iter()
        .map(|m| crate::lower::c_prototype(i, m).to_string())
        .collect();
    assert_eq!(
        protos,
        [
            "nyash_file_FileHandle nyash_file_open(const char* path_ptr, int32_t path_len, const char* mode_ptr, int32_t mode_len)",
            "void nyash_file_read(nyash_file_FileHandle h, int32_t size, bid_buf* out)",
            "int32_t nyash_file_write(nyash_file_FileHandle h, const uint8_t* data_ptr, int32_t data_len)",
            "int32_t nyash_file_close_v2(nyash_file_FileHandle h)",
            "double nyash_file_area(nyash_file_Rect r)",
            "void nyash_file_points(const nyash_file_Point* pts_ptr, int32_t pts_len, bid_buf* out)",
            "void nyash_file_ping(void)",
        ]
    );
    let h = header(&m);
    for p in &protos {
        assert!(h.contains(&format!("BID_EXPORT {p};\n")), "{p}");
    }
    assert!(h.contains("BID_EXPORT void nyash_file_bid_free(void* ptr, int32_t len);\n"));
    assert!(h.contains("BID_EXPORT const char* nyash_file_bid_signature(void);\n"));
}

#[test]
fn fallible_values_go_to_a_trailing_out_param() {
    let mut m = sample();
    let i = &mut m.interfaces[0];
    i.methods[0].fallible = true;
    i.methods[1].fallible = true;
    assert_eq!(
        crate::lower::c_prototype(i, &i.methods[0]).to_string(),
        "int32_t nyash_file_open(const char* path_ptr, int32_t path_len, const char* mode_ptr, int32_t mode_len, nyash_file_FileHandle* out)"
    );
    assert_eq!(
        crate::lower::c_prototype(i, &i.methods[1]).to_string(),
        "int32_t nyash_file_read(nyash_file_FileHandle h, int32_t size, bid_buf* out)"
    );
}

#[test]
fn records_come_in_dependency_order() {
    let h = header(&sample());
    let point = h.find("typedef struct nyash_file_Point {").expect("Point");
    let rect = h.find("typedef struct nyash_file_Rect {").expect("Rect");
    assert!(point < rect);
    assert_eq!(record_order(iface(&sample())), [TypeId(2), TypeId(1)]);
    assert!(h.contains("    nyash_file_Point origin;\n    int32_t w;\n    int64_t big;\n    int32_t on; /* 0 or 1 */\n"));
}

#[test]
fn guard_preamble_and_shared_definitions() {
    let h = header(&sample());
    assert!(h.starts_with("/*\n * Generated by bid from fixtures/valid/nyash_file.bid.yaml (source fnv1a64 0123456789abcdef).\n"));
    assert!(h.contains("#ifndef BID_NYASH_FILE_H\n#define BID_NYASH_FILE_H\n"));
    assert!(h.ends_with("#endif /* BID_NYASH_FILE_H */\n"));
    for guard in [
        "BID_BUF_DEFINED",
        "BID_STATUS_DEFINED",
        "BID_EXPORT",
        "BID_STATIC_ASSERT",
        "BID_ALIGNOF",
    ] {
        assert!(h.contains(&format!("#ifndef {guard}\n")), "{guard}");
    }
    assert!(h.contains("#define BID_E_NOT_FOUND (-2) /* the named thing does not exist */\n"));
    assert!(h.contains("#ifdef __cplusplus\nextern \"C\" {\n#endif\n"));
    assert!(!h.contains("\n\n\n"), "at most one blank line in a row");
}

#[test]
fn layout_checks_per_target() {
    let h = header(&sample());
    let linux = "#if defined(__x86_64__) && defined(__linux__) /* x86_64-unknown-linux-gnu */\n";
    assert!(h.contains(linux));
    assert!(h.contains("BID_STATIC_ASSERT(sizeof(nyash_file_Rect) == 40, nyash_file_Rect_size_x86_64_unknown_linux_gnu);\n"));
    assert!(h.contains("BID_STATIC_ASSERT(sizeof(nyash_file_Rect) == 32, nyash_file_Rect_size_i686_unknown_linux_gnu);\n"));
    assert!(h.contains("BID_STATIC_ASSERT(BID_ALIGNOF(nyash_file_Rect) == 4, nyash_file_Rect_align_i686_unknown_linux_gnu);\n"));
    assert!(h.contains("BID_STATIC_ASSERT(offsetof(nyash_file_Rect, big) == 24, nyash_file_Rect_offset_big_x86_64_unknown_linux_gnu);\n"));
    assert!(h.contains(
        "BID_STATIC_ASSERT(sizeof(bid_buf) == 8, bid_buf_size_wasm32_unknown_unknown);\n"
    ));
    assert_eq!(
        h.matches("#if defined(__wasm32__)").count(),
        2,
        "bid_buf and the records"
    );
}

#[test]
fn hostile_docs_stay_inside_comments() {
    let h = header(&sample());
    assert!(h.contains(" * * / #error boom / *\n"));
    assert!(h.contains(" * ? ?/\n"));
    assert!(!h.contains("??/"));
    for line in h.lines() {
        assert!(!line.trim_start().starts_with("#error"), "{line}");
    }
}

#[test]
fn ownership_is_spelled_out() {
    let h = header(&sample());
    // Compare with the wrapping undone: prose may break at any space.
    let flat = h
        .replace("\n *     ", " ")
        .replace("\n *   ", " ")
        .replace("\n * ", " ");
    assert!(flat.contains("path (path_ptr, path_len): string (UTF-8, no NUL terminator, len in bytes), borrowed: valid for this call only; copy what you keep."));
    assert!(flat.contains("Returns: FileHandle, transferred: the host owns the new handle and releases it with close (nyash_file_close_v2)."));
    assert!(flat.contains("the host releases it exactly once with nyash_file_bid_free(ptr, len)"));
    assert!(flat.contains("h: FileHandle, transferred: this call consumes the handle"));
    assert!(
        h.contains("Status: return BID_OK (0) on success or a negative BID_E_* code on failure.")
    );
    assert!(flat.contains("Returns: array(i64) (len counts elements), borrowed:"));
    assert!(h.contains("Required: some method returns a transferred buffer."));
}

#[test]
fn signature_macro_is_an_escaped_literal() {
    let h = header(&sample());
    assert!(h.contains(
        "#define NYASH_FILE_BID_SIGNATURE BID_LONG_STRING( \\\n    \"bid-signature 0\\n\" \\\n    \"interface nyash.file 1.0.0\\n\" \\\n    \"fn open nyash_file_open(string borrowed, string borrowed) -> FileHandle:handle(i32) transferred\\n\" \\\n"
    ));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(header(&sample()), header(&sample()));
}

#[test]
fn status_table_is_complete_and_ordered() {
    let codes: Vec<i32> = STATUS_CODES.iter().map(|c| c.0).collect();
    assert_eq!(codes, (-9..=0).rev().collect::<Vec<_>>());
    assert!(STATUS_CODES.iter().all(|(_, n)| n.starts_with("BID_")));
}

#[test]
fn docs_name_the_renamed_out_param() {
    let mut m = sample();
    let i = &mut m.interfaces[0];
    i.methods[1].params[1].name = "out".to_owned();
    i.methods[1].params[1].c = "out".to_owned();
    i.methods[1].fallible = true;
    let h = header(&m).replace("\n * ", " ");
    assert!(
        h.contains("int32_t nyash_file_read(nyash_file_FileHandle h, int32_t out, bid_buf* out_);")
    );
    assert!(h.contains("write {ptr, len} to *out_;"), "{h}");
    assert!(h.contains("write the value to *out_ on success"));
}
