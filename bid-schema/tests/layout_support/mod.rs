//! Hand-built interfaces and a clang runner shared by the layout tests.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the support module"
)]

use bid_schema::model::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// A model field.
pub fn field(name: &str, ty: Type) -> Field {
    Field {
        name: name.into(),
        rust: name.into(),
        c: name.into(),
        ty,
        doc: None,
    }
}

/// A record type definition (C name `t_<name>`).
pub fn record(name: &str, fields: Vec<Field>) -> TypeDef {
    TypeDef {
        name: name.into(),
        rust: name.into(),
        c: format!("t_{name}"),
        doc: None,
        kind: TypeDefKind::Record(RecordDef { fields }),
    }
}

/// A handle type definition (C name `t_<name>`).
pub fn handle(name: &str, repr: HandleRepr) -> TypeDef {
    TypeDef {
        name: name.into(),
        rust: name.into(),
        c: format!("t_{name}"),
        doc: None,
        kind: TypeDefKind::Handle(HandleDef {
            repr,
            release: None,
        }),
    }
}

/// An interface `t.layout` with these types and methods.
pub fn interface(types: Vec<TypeDef>, methods: Vec<Method>) -> Interface {
    Interface {
        namespace: "t".into(),
        name: "layout".into(),
        qualified: "t.layout".into(),
        box_name: "Layout".into(),
        version: None,
        symbol_prefix: "t".into(),
        doc: None,
        thread_safe: true,
        types,
        methods,
    }
}

/// A method `t_<name>` with these params (name, type) and return type.
pub fn method(name: &str, params: Vec<(&str, Type)>, ret: Option<Type>, fallible: bool) -> Method {
    let ownership = |ty: &Type| {
        if ty.has_ownership() {
            Some(Ownership::Borrowed)
        } else {
            None
        }
    };
    Method {
        name: name.into(),
        rust: name.into(),
        symbol: format!("t_{name}"),
        params: params
            .into_iter()
            .map(|(n, ty)| Param {
                name: n.into(),
                rust: n.into(),
                c: n.into(),
                ownership: ownership(&ty),
                ty,
            })
            .collect(),
        returns: Return {
            ownership: ret.as_ref().and_then(|t| {
                if t.is_buffer() {
                    Some(Ownership::Transferred)
                } else {
                    ownership(t)
                }
            }),
            ty: ret,
        },
        effect: Effect::Pure,
        fallible,
        doc: None,
    }
}

/// The id of the declared type `name`.
pub fn id(iface: &Interface, name: &str) -> TypeId {
    TypeId(
        iface
            .types
            .iter()
            .position(|t| t.name == name)
            .expect("declared type"),
    )
}

/// The records the layout and passing tests share, mixing i64, f64, i32, f32 and bool.
pub fn sample() -> Interface {
    use Type::*;
    let mut types = vec![
        handle("HP", HandleRepr::Pointer),
        handle("H64", HandleRepr::I64),
        record("IL", vec![field("a", I32), field("b", I64)]),
        record(
            "BDI",
            vec![field("a", Bool), field("b", F64), field("c", I32)],
        ),
        record("FF", vec![field("a", F32), field("b", F32)]),
        record("LI", vec![field("a", I64), field("b", I32)]),
        record(
            "IDB",
            vec![field("a", I32), field("b", F64), field("c", Bool)],
        ),
        record(
            "D4",
            vec![
                field("a", F64),
                field("b", F64),
                field("c", F64),
                field("d", F64),
            ],
        ),
        record(
            "I3",
            vec![field("a", I32), field("b", I32), field("c", I32)],
        ),
        record(
            "BBL",
            vec![field("a", Bool), field("b", Bool), field("c", I64)],
        ),
        record(
            "Mixed",
            vec![
                field("a", F32),
                field("b", I64),
                field("c", F32),
                field("d", F64),
                field("e", Bool),
            ],
        ),
        record("F1", vec![field("a", F32)]),
        record("DD", vec![field("a", F64), field("b", F64)]),
        record(
            "FID",
            vec![field("a", F32), field("b", I32), field("c", F64)],
        ),
    ];
    let li = TypeId(types.iter().position(|t| t.name == "LI").unwrap());
    let hp = TypeId(0);
    let h64 = TypeId(1);
    types.push(record(
        "Nested",
        vec![field("a", I32), field("b", Record(li))],
    ));
    types.push(record(
        "WithHandles",
        vec![
            field("a", I32),
            field("p", Handle(hp)),
            field("q", Handle(h64)),
        ],
    ));
    interface(types, Vec::new())
}

/// C declarations of every type of `iface`, in order (records refer only to earlier ones).
pub fn c_decls(iface: &Interface) -> String {
    let mut out = String::from("#include <stdint.h>\n#include <stddef.h>\n");
    for t in &iface.types {
        match &t.kind {
            TypeDefKind::Handle(h) => {
                let c = match h.repr {
                    HandleRepr::I32 => "int32_t",
                    HandleRepr::I64 => "int64_t",
                    HandleRepr::Pointer => "void*",
                };
                out += &format!("typedef {c} {};\n", t.c);
            }
            TypeDefKind::Record(r) => {
                out += &format!("typedef struct {} {{\n", t.c);
                for f in &r.fields {
                    out += &format!("    {} {};\n", bid_schema::lower::c_type(iface, &f.ty), f.c);
                }
                out += &format!("}} {};\n", t.c);
            }
        }
    }
    out
}

/// Whether a `clang` executable runs; prints why the caller skips when it does not.
pub fn clang_available(test: &str) -> bool {
    let ok = Command::new("clang")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        // Straight to stderr, past the test harness's capture, so the run says what it skipped.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "note: {test}: clang not found, the clang cross-check did not run"
        );
    }
    ok
}

/// Runs `clang --target=<triple> -ffreestanding -x c <args> -` over `source`; returns
/// (success, stdout, stderr).
pub fn run_clang(triple: &str, args: &[&str], source: &str) -> (bool, String, String) {
    let mut child = Command::new("clang")
        .arg(format!("--target={triple}"))
        .args(["-ffreestanding", "-x", "c"])
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clang runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .expect("write to clang");
    let out = child.wait_with_output().expect("clang finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
