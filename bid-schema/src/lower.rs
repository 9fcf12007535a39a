//! FFI ABI v0 lowering: the core (wasm32) signature and the C prototype of a
//! method, the one place both the header emitter and the CLI take them from.

use crate::model::{Buffer, Elem, HandleRepr, Interface, Method, Ownership, Scalar, Type};
use std::fmt;

/// A core wasm value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl CoreType {
    /// The wasm spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CoreType::I32 => "i32",
            CoreType::I64 => "i64",
            CoreType::F32 => "f32",
            CoreType::F64 => "f64",
        }
    }
}

impl fmt::Display for CoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A core wasm function type; displays as `(i32, i32) -> (i32)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CoreSignature {
    /// Parameters, out-pointers last.
    pub params: Vec<CoreType>,
    /// Zero or one result.
    pub results: Vec<CoreType>,
}

impl fmt::Display for CoreSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, tys: &[CoreType]) -> fmt::Result {
            f.write_str("(")?;
            for (i, t) in tys.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(t.as_str())?;
            }
            f.write_str(")")
        }
        list(f, &self.params)?;
        f.write_str(" -> ")?;
        list(f, &self.results)
    }
}

/// The core type of a value passed by value, or `None` when it travels in memory.
///
/// A handle follows its `repr`: an `i64` handle is an `i64`, and a pointer is an `i32` on
/// wasm32.
fn core_value(iface: &Interface, ty: Type) -> Option<CoreType> {
    match ty {
        Type::Scalar(Scalar::I64 | Scalar::U64) => Some(CoreType::I64),
        Type::Scalar(Scalar::F32) => Some(CoreType::F32),
        Type::Scalar(Scalar::F64) => Some(CoreType::F64),
        // Narrower integers widen to an i32, as wasm passes them; a C string is a pointer.
        Type::Scalar(_) | Type::CStr(_) => Some(CoreType::I32),
        Type::Handle(id, _) => Some(match iface.handle(id).repr() {
            HandleRepr::I64 => CoreType::I64,
            HandleRepr::I32 | HandleRepr::Pointer => CoreType::I32,
        }),
        Type::Record(_) | Type::Buffer(..) => None,
    }
}

/// The core (wasm32) signature of `method`.
///
/// Buffers become `(ptr: i32, len: i32)`; a record parameter is an `i32` pointer to the
/// record in linear memory; a buffer or record result goes through a trailing `i32`
/// out-pointer with no result; a fallible method returns an `i32` status and its value (if
/// any) goes through a trailing out-pointer.
pub fn core_signature(iface: &Interface, method: &Method) -> CoreSignature {
    let mut sig = CoreSignature::default();
    for p in method.params() {
        match core_value(iface, p.ty()) {
            Some(t) => sig.params.push(t),
            None if p.ty().buffer().is_some() => sig.params.extend([CoreType::I32, CoreType::I32]),
            None => sig.params.push(CoreType::I32),
        }
    }
    match (method.returns(), method.fallible()) {
        (None, false) => {}
        (None, true) => sig.results.push(CoreType::I32),
        (Some(_), true) => {
            sig.params.push(CoreType::I32);
            sig.results.push(CoreType::I32);
        }
        (Some(ty), false) => match core_value(iface, ty) {
            Some(t) => sig.results.push(t),
            None => sig.params.push(CoreType::I32),
        },
    }
    sig
}

/// The C spelling of a field or array element: a scalar's `int32_t`-style type, a handle's
/// or record's typedef.
pub fn c_elem(iface: &Interface, elem: Elem) -> &str {
    match elem {
        Elem::Scalar(s) => s.c_type(),
        Elem::Handle(id) | Elem::Record(id) => iface.ty(id).c(),
    }
}

/// The C spelling of a value passed by value; for a buffer, its element (`char` for
/// string, `uint8_t` for bytes, `T` for `array(T)`); a C string is `const char*`, or
/// `char*` when the caller gets to free it.
pub fn c_type(iface: &Interface, ty: Type) -> &str {
    match ty {
        Type::CStr(Ownership::Transferred) => "char*",
        Type::CStr(_) => "const char*",
        Type::Scalar(s) => s.c_type(),
        Type::Handle(id, _) | Type::Record(id) => iface.ty(id).c(),
        Type::Buffer(Buffer::String, _) => "char",
        Type::Buffer(Buffer::Bytes, _) => "uint8_t",
        Type::Buffer(Buffer::Array(e), _) => c_elem(iface, e),
    }
}

/// One C parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CParam {
    /// The C type, e.g. `const char*`.
    pub ty: String,
    /// The parameter name, e.g. `path_ptr`.
    pub name: String,
}

/// A C function declaration; displays without the trailing `;`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CPrototype {
    /// The return type.
    pub ret: String,
    /// The exported symbol.
    pub symbol: String,
    /// Parameters in order, out-parameter last.
    pub params: Vec<CParam>,
}

impl fmt::Display for CPrototype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}(", self.ret, self.symbol)?;
        if self.params.is_empty() {
            f.write_str("void")?;
        }
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}", p.ty, p.name)?;
        }
        f.write_str(")")
    }
}

/// The C prototype of `method`: buffers as `(const T* NAME_ptr, int32_t NAME_len)`, a
/// buffer result through a trailing `bid_buf* out`, a fallible method's status as the return
/// value and its result through a trailing out-pointer called `out`.
pub fn c_prototype(iface: &Interface, method: &Method) -> CPrototype {
    let mut params = Vec::new();
    for p in method.params() {
        let ty = c_type(iface, p.ty());
        match p.ty() {
            Type::Buffer(..) => {
                params.push(CParam {
                    ty: format!("const {ty}*"),
                    name: format!("{}_ptr", p.c()),
                });
                params.push(CParam {
                    ty: "int32_t".into(),
                    name: format!("{}_len", p.c()),
                });
            }
            _ => params.push(CParam {
                ty: ty.to_owned(),
                name: p.c().to_owned(),
            }),
        }
    }
    let out_ty = |ty: Type| match ty {
        Type::Buffer(..) => "bid_buf*".to_owned(),
        _ => format!("{}*", c_type(iface, ty)),
    };
    let (ret, out) = match (method.returns(), method.fallible()) {
        (None, false) => ("void".to_owned(), None),
        (None, true) => ("int32_t".to_owned(), None),
        (Some(ty), true) => ("int32_t".to_owned(), Some(out_ty(ty))),
        (Some(ty @ Type::Buffer(..)), false) => ("void".to_owned(), Some(out_ty(ty))),
        (Some(ty), false) => (c_type(iface, ty).to_owned(), None),
    };
    if let Some(ty) = out {
        // No parameter is called `out` in C: `names::c_param` renames one to `out_`.
        params.push(CParam {
            ty,
            name: "out".to_owned(),
        });
    }
    CPrototype {
        ret,
        symbol: method.symbol().to_owned(),
        params,
    }
}

/// The prototype of a method's `free:` function: `void SYMBOL(void* ptr)`, or `char* ptr`
/// when only C strings are released by it (as a C library declares its string free, so the
/// library compiles against the header unchanged). Both take a pointer in the same
/// register: the host calls either as `void (*)(void*)`.
pub fn free_prototype(iface: &Interface, symbol: &str) -> CPrototype {
    let only_strings = iface
        .methods()
        .iter()
        .filter(|m| m.free() == Some(symbol))
        .all(|m| matches!(m.returns(), Some(Type::CStr(_))));
    CPrototype {
        ret: "void".to_owned(),
        symbol: symbol.to_owned(),
        params: vec![CParam {
            ty: if only_strings { "char*" } else { "void*" }.to_owned(),
            name: "ptr".to_owned(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn nyash(methods: &[&str]) -> crate::Model {
        testing::model(&format!(
            "interfaces:\n  - name: nyash.file\n    types:\n      - {{ name: FileHandle, type: handle }}\n      - {{ name: Point, type: record, fields: [ {{ f64: x }} ] }}\n      - {{ name: Big, type: handle, repr: i64 }}\n    methods:\n{}",
            methods
                .iter()
                .map(|m| format!("      - {m}\n"))
                .collect::<String>()
        ))
    }

    fn lowered(methods: &[&str]) -> Vec<(String, String)> {
        let m = nyash(methods);
        let i = &m.interfaces()[0];
        i.methods()
            .iter()
            .map(|m| {
                (
                    core_signature(i, m).to_string(),
                    c_prototype(i, m).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn open_lowers_like_the_seed() {
        let l = lowered(&[
            "{ name: open, params: [ { string: path }, { string: mode } ], returns: FileHandle, effect: io }",
        ]);
        assert_eq!(l[0].0, "(i32, i32, i32, i32) -> (i32)");
        assert_eq!(
            l[0].1,
            "nyash_file_FileHandle nyash_file_open(const char* path_ptr, int32_t path_len, \
             const char* mode_ptr, int32_t mode_len)"
        );
    }

    #[test]
    fn buffers_records_and_fallible_use_out_params() {
        let l = lowered(&[
            "{ name: read, params: [ { FileHandle: h } ], returns: bytes, effect: io }",
            "{ name: pts, params: [ { name: out, type: array(Point) } ], returns: Point, effect: io, fallible: true }",
            "{ name: c, params: [ { i64: out } ], returns: string, effect: io }",
            "{ name: p, params: [ { Point: p } ], returns: Point, effect: io }",
            "{ name: tick, effect: io, fallible: true }",
            "{ name: w, params: [ { Big: b }, { bool: f } ], returns: f32, effect: io }",
        ]);
        assert_eq!(l[0].0, "(i32, i32) -> ()");
        assert_eq!(
            l[0].1,
            "void nyash_file_read(nyash_file_FileHandle h, bid_buf* out)"
        );
        assert_eq!(l[1].0, "(i32, i32, i32) -> (i32)");
        assert_eq!(
            l[1].1,
            "int32_t nyash_file_pts(const nyash_file_Point* out__ptr, int32_t out__len, nyash_file_Point* out)"
        );
        assert_eq!(l[2].1, "void nyash_file_c(int64_t out_, bid_buf* out)");
        assert_eq!(l[3].0, "(i32, i32) -> ()");
        assert!(
            l[3].1.starts_with("nyash_file_Point nyash_file_p("),
            "{}",
            l[3].1
        );
        assert_eq!(l[4].0, "() -> (i32)");
        assert_eq!(l[4].1, "int32_t nyash_file_tick(void)");
        assert_eq!(l[5].0, "(i64, i32) -> (f32)");
    }
}
