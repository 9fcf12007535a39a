//! Hand-built models and a C compiler runner shared by the C header tests (until the parser's
//! fixtures are available, and for inputs a fixture cannot express, like hostile file names).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use bid_schema::model::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds one interface: names in C get the interface's prefix, params/fields may carry a
/// separate C spelling (for keywords).
pub struct Iface(pub Interface);

impl Iface {
    pub fn new(namespace: &str, name: &str) -> Self {
        let prefix = format!("{namespace}_{name}");
        Iface(Interface {
            namespace: namespace.into(),
            name: name.into(),
            qualified: format!("{namespace}.{name}"),
            box_name: "Box_".into(),
            version: Some("1.0.0".into()),
            symbol_prefix: prefix,
            doc: None,
            thread_safe: true,
            types: Vec::new(),
            methods: Vec::new(),
        })
    }

    pub fn handle(&mut self, name: &str, repr: HandleRepr) -> Type {
        self.typedef(
            name,
            TypeDefKind::Handle(HandleDef {
                repr,
                release: None,
            }),
        );
        Type::Handle(TypeId(self.0.types.len() - 1))
    }

    pub fn record(&mut self, name: &str, fields: &[(&str, &str, Type)]) -> Type {
        let fields = fields
            .iter()
            .map(|(n, c, ty)| Field {
                name: (*n).into(),
                rust: (*n).into(),
                c: (*c).into(),
                ty: ty.clone(),
                doc: None,
            })
            .collect();
        self.typedef(name, TypeDefKind::Record(RecordDef { fields }));
        Type::Record(TypeId(self.0.types.len() - 1))
    }

    fn typedef(&mut self, name: &str, kind: TypeDefKind) {
        let c = format!("{}_{name}", self.0.symbol_prefix);
        self.0.types.push(TypeDef {
            name: name.into(),
            rust: name.into(),
            c,
            doc: None,
            kind,
        });
    }

    /// A method; params are (name, C name, type, ownership); ownership defaults per SPEC §6
    /// when `None` and the type has one.
    pub fn method(
        &mut self,
        name: &str,
        params: &[(&str, &str, Type, Option<Ownership>)],
        ret: Option<Type>,
        ret_own: Option<Ownership>,
    ) -> &mut Method {
        let params = params
            .iter()
            .map(|(n, c, ty, own)| Param {
                name: (*n).into(),
                rust: (*n).into(),
                c: (*c).into(),
                ty: ty.clone(),
                ownership: own.or_else(|| ty.has_ownership().then_some(Ownership::Borrowed)),
            })
            .collect();
        let ownership = ret_own.or_else(|| {
            ret.as_ref()
                .filter(|t| t.has_ownership())
                .map(|_| Ownership::Transferred)
        });
        self.0.methods.push(Method {
            name: name.into(),
            rust: name.into(),
            symbol: format!("{}_{name}", self.0.symbol_prefix),
            params,
            returns: Return { ty: ret, ownership },
            effect: Effect::Io,
            fallible: false,
            doc: None,
        });
        self.0.methods.last_mut().expect("just pushed")
    }
}

pub fn model(name: &str, interfaces: Vec<Interface>) -> Model {
    Model {
        source: SourceInfo {
            name: name.into(),
            hash: source_hash(name.as_bytes()),
        },
        memory: Memory::default(),
        transport: Transport::default(),
        interfaces,
    }
}

fn arr(t: Type) -> Type {
    Type::Array(Box::new(t))
}

/// The seed's `nyash.file`.
pub fn nyash_file() -> Model {
    use Ownership::*;
    let mut i = Iface::new("nyash", "file");
    i.0.doc = Some("Files on the host.".into());
    let h = i.handle("FileHandle", HandleRepr::I32);
    i.method(
        "open",
        &[
            ("path", "path", Type::String, None),
            ("mode", "mode", Type::String, None),
        ],
        Some(h.clone()),
        None,
    );
    i.method(
        "read",
        &[
            ("h", "h", h.clone(), None),
            ("size", "size", Type::I32, None),
        ],
        Some(Type::Bytes),
        None,
    );
    i.method(
        "write",
        &[
            ("h", "h", h.clone(), None),
            ("data", "data", Type::Bytes, None),
        ],
        Some(Type::I32),
        None,
    );
    let close = i.method("close", &[("h", "h", h, Some(Transferred))], None, None);
    close.symbol = "nyash_file_close_v2".into();
    close.fallible = true;
    if let TypeDefKind::Handle(hd) = &mut i.0.types[0].kind {
        hd.release = Some(MethodId(3));
    }
    model("fixtures/valid/nyash_file.bid.yaml", vec![i.0])
}

/// Every type in params and returns, every legal ownership, fallible returns of every kind,
/// C/C++ keywords as names (escaped C spellings), two interfaces, `thread_safe: false`.
pub fn all_types() -> Model {
    use Ownership::*;
    let mut i = Iface::new("t", "all");
    let h32 = i.handle("H32", HandleRepr::I32);
    let h64 = i.handle("H64", HandleRepr::I64);
    let hp = i.handle("HP", HandleRepr::Pointer);
    let inner = i.record("Inner", &[("a", "a", Type::I64), ("b", "b", Type::I32)]);
    let mixed = i.record(
        "Mixed",
        &[
            ("flag", "flag", Type::Bool),
            ("d", "d", Type::F64),
            ("f", "f", Type::F32),
            ("inner", "inner", inner.clone()),
            ("class", "class_", Type::I32),
            ("p", "p", hp.clone()),
            ("h", "h", h64.clone()),
        ],
    );
    let scalars = [
        ("bool", Type::Bool),
        ("i32", Type::I32),
        ("i64", Type::I64),
        ("f32", Type::F32),
        ("f64", Type::F64),
    ];
    for (n, t) in &scalars {
        i.method(
            &format!("echo_{n}"),
            &[("v", "v", t.clone(), None)],
            Some(t.clone()),
            None,
        );
    }
    let buffers = [
        ("string", Type::String),
        ("bytes", Type::Bytes),
        ("ai32", arr(Type::I32)),
        ("ai64", arr(Type::I64)),
        ("af32", arr(Type::F32)),
        ("af64", arr(Type::F64)),
        ("ah", arr(h32.clone())),
        ("arec", arr(mixed.clone())),
    ];
    for (n, t) in &buffers {
        for own in [Transferred, Borrowed, Reference] {
            i.method(
                &format!("{n}_{}", own.as_str()),
                &[("v", "v", t.clone(), None)],
                Some(t.clone()),
                Some(own),
            );
        }
    }
    for (n, t) in [("h32", &h32), ("h64", &h64), ("hp", &hp)] {
        i.method(&format!("new_{n}"), &[], Some(t.clone()), Some(Transferred));
        i.method(
            &format!("peek_{n}"),
            &[("x", "x", t.clone(), None)],
            Some(t.clone()),
            Some(Borrowed),
        );
        i.method(
            &format!("drop_{n}"),
            &[("x", "x", t.clone(), Some(Transferred))],
            None,
            None,
        );
    }
    i.method(
        "rec",
        &[
            ("m", "m", mixed.clone(), None),
            ("i", "i", inner.clone(), None),
        ],
        Some(mixed.clone()),
        None,
    );
    for (n, t) in [
        ("s", Some(Type::String)),
        ("r", Some(mixed)),
        ("i", Some(Type::I64)),
        ("v", None),
    ] {
        i.method(
            &format!("try_{n}"),
            &[("out", "out", Type::I32, None)],
            t,
            None,
        )
        .fallible = true;
    }
    i.method(
        "int",
        &[
            ("new", "new_", Type::I32, None),
            ("template", "template_", Type::String, None),
        ],
        Some(Type::Bool),
        None,
    );
    i.method("nothing", &[], None, None);
    i.0.methods.last_mut().expect("nothing").symbol = "t_all_nothing_at_all".into();

    let mut j = Iface::new("t", "other");
    j.0.version = None;
    j.0.thread_safe = false;
    j.method("ping", &[], None, None);
    let pt = j.record("Point", &[("x", "x", Type::F32), ("y", "y", Type::F32)]);
    j.method(
        "mid",
        &[("a", "a", pt.clone(), None), ("b", "b", pt.clone(), None)],
        Some(pt),
        None,
    );
    model("fixtures/valid/all_types.bid.yaml", vec![i.0, j.0])
}

/// Docs, versions and file names written to break the header: comment terminators, directives
/// after newlines, line splices, trigraphs, control and bidi characters.
pub fn hostile() -> Model {
    const EVIL: &str = "*/ #error boom /*\n#error boom\nend with a backslash \\\n??/\nline ??/\n\
                        cr\rhere\0nul \u{202E}bidi\u{2066} ファイル /* nested */ // slashes \\";
    let mut i = Iface::new("evil", "doc");
    i.0.doc = Some(EVIL.into());
    i.0.version = Some("1.0\n#error \"x\" ??/ */".into());
    let p = i.record("P", &[("x", "x", Type::I32)]);
    i.0.types[0].doc = Some(EVIL.into());
    if let TypeDefKind::Record(r) = &mut i.0.types[0].kind {
        r.fields[0].doc = Some(EVIL.into());
    }
    let h = i.handle("H", HandleRepr::Pointer);
    i.0.types[1].doc = Some(EVIL.into());
    i.method(
        "m",
        &[("p", "p", p, None), ("h", "h", h, None)],
        Some(Type::String),
        None,
    )
    .doc = Some(EVIL.into());
    model("dir/*/ #error name ??/\n.bid.yaml", vec![i.0])
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
