//! FFI ABI v0 lowering (SPEC §4): the core (wasm32) signature and the C prototype of a
//! method, the one place both the header emitter and the CLI take them from.

use crate::model::{HandleRepr, Interface, Method, Type, TypeDefKind};
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

/// The core types of one value passed by value, or `None` when it travels in memory.
///
/// A handle follows its `repr` (SPEC §4 says `i32`, written when every handle was an
/// `int32_t`; an `i64` handle cannot fit one, and a pointer is an `i32` on wasm32).
fn core_value(iface: &Interface, ty: &Type) -> Option<CoreType> {
    match ty {
        Type::Bool | Type::I32 => Some(CoreType::I32),
        Type::I64 => Some(CoreType::I64),
        Type::F32 => Some(CoreType::F32),
        Type::F64 => Some(CoreType::F64),
        Type::Handle(id) | Type::Record(id) => match &iface.ty(*id).kind {
            TypeDefKind::Handle(h) => Some(match h.repr {
                HandleRepr::I64 => CoreType::I64,
                HandleRepr::I32 | HandleRepr::Pointer => CoreType::I32,
            }),
            TypeDefKind::Record(_) => None,
        },
        Type::String | Type::Bytes | Type::Array(_) => None,
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
    for p in &method.params {
        match core_value(iface, &p.ty) {
            Some(t) => sig.params.push(t),
            None if p.ty.is_buffer() => sig.params.extend([CoreType::I32, CoreType::I32]),
            None => sig.params.push(CoreType::I32),
        }
    }
    match (&method.returns.ty, method.fallible) {
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

/// The C spelling of a value or element type: scalars, handle and record typedefs; for
/// buffers, the element (`char` for string, `uint8_t` for bytes, `T` for `array(T)`).
pub fn c_type(iface: &Interface, ty: &Type) -> String {
    match ty {
        Type::Bool | Type::I32 => "int32_t".into(),
        Type::I64 => "int64_t".into(),
        Type::F32 => "float".into(),
        Type::F64 => "double".into(),
        Type::String => "char".into(),
        Type::Bytes => "uint8_t".into(),
        Type::Handle(id) | Type::Record(id) => iface.ty(*id).c.clone(),
        Type::Array(elem) => c_type(iface, elem),
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

/// The C prototype of `method` (SPEC §4's table).
///
/// The trailing out-parameter is named `out`; should a parameter already be called that,
/// it becomes `out_` (then `out__`, ...) so the declaration stays valid C.
pub fn c_prototype(iface: &Interface, method: &Method) -> CPrototype {
    let mut params = Vec::new();
    for p in &method.params {
        let param = |ty: String, name: String| CParam { ty, name };
        match &p.ty {
            Type::String | Type::Bytes | Type::Array(_) => {
                params.push(param(
                    format!("const {}*", c_type(iface, &p.ty)),
                    format!("{}_ptr", p.c),
                ));
                params.push(param("int32_t".into(), format!("{}_len", p.c)));
            }
            ty => params.push(param(c_type(iface, ty), p.c.clone())),
        }
    }
    let out_ty = |ty: &Type| {
        if ty.is_buffer() {
            "bid_buf*".to_owned()
        } else {
            format!("{}*", c_type(iface, ty))
        }
    };
    let (ret, out) = match (&method.returns.ty, method.fallible) {
        (None, false) => ("void".to_owned(), None),
        (None, true) => ("int32_t".to_owned(), None),
        (Some(ty), true) => ("int32_t".to_owned(), Some(out_ty(ty))),
        (Some(ty), false) if ty.is_buffer() => ("void".to_owned(), Some(out_ty(ty))),
        (Some(ty), false) => (c_type(iface, ty), None),
    };
    if let Some(ty) = out {
        let mut name = "out".to_owned();
        while params.iter().any(|p| p.name == name) {
            name.push('_');
        }
        params.push(CParam { ty, name });
    }
    CPrototype {
        ret,
        symbol: method.symbol.clone(),
        params,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn param(name: &str, ty: Type) -> Param {
        Param {
            name: name.into(),
            rust: name.into(),
            c: name.into(),
            ownership: ty.has_ownership().then_some(Ownership::Borrowed),
            ty,
        }
    }

    fn method(name: &str, params: Vec<Param>, ret: Option<Type>, fallible: bool) -> Method {
        Method {
            name: name.into(),
            rust: name.into(),
            symbol: format!("nyash_file_{name}"),
            params,
            returns: Return {
                ownership: ret
                    .as_ref()
                    .filter(|t| t.has_ownership())
                    .map(|_| Ownership::Transferred),
                ty: ret,
            },
            effect: Effect::Io,
            fallible,
            doc: None,
        }
    }

    fn iface() -> Interface {
        let typedef = |name: &str, kind| TypeDef {
            name: name.into(),
            rust: name.into(),
            c: format!("nyash_file_{name}"),
            doc: None,
            kind,
        };
        Interface {
            namespace: "nyash".into(),
            name: "file".into(),
            qualified: "nyash.file".into(),
            box_name: "FileBox".into(),
            version: None,
            symbol_prefix: "nyash_file".into(),
            doc: None,
            thread_safe: true,
            types: vec![
                typedef(
                    "FileHandle",
                    TypeDefKind::Handle(HandleDef {
                        repr: HandleRepr::I32,
                        release: None,
                    }),
                ),
                typedef(
                    "Point",
                    TypeDefKind::Record(RecordDef {
                        fields: vec![Field {
                            name: "x".into(),
                            rust: "x".into(),
                            c: "x".into(),
                            ty: Type::F64,
                            doc: None,
                        }],
                    }),
                ),
                typedef(
                    "Big",
                    TypeDefKind::Handle(HandleDef {
                        repr: HandleRepr::I64,
                        release: None,
                    }),
                ),
            ],
            methods: Vec::new(),
        }
    }

    #[test]
    fn open_lowers_like_the_seed() {
        let i = iface();
        let m = method(
            "open",
            vec![param("path", Type::String), param("mode", Type::String)],
            Some(Type::Handle(TypeId(0))),
            false,
        );
        assert_eq!(
            core_signature(&i, &m).to_string(),
            "(i32, i32, i32, i32) -> (i32)"
        );
        assert_eq!(
            c_prototype(&i, &m).to_string(),
            "nyash_file_FileHandle nyash_file_open(const char* path_ptr, int32_t path_len, \
             const char* mode_ptr, int32_t mode_len)"
        );
    }

    #[test]
    fn buffers_records_and_fallible_use_out_params() {
        let i = iface();
        let arr = Type::Array(Box::new(Type::Record(TypeId(1))));
        let read = method(
            "read",
            vec![param("h", Type::Handle(TypeId(0)))],
            Some(Type::Bytes),
            false,
        );
        assert_eq!(core_signature(&i, &read).to_string(), "(i32, i32) -> ()");
        assert_eq!(
            c_prototype(&i, &read).to_string(),
            "void nyash_file_read(nyash_file_FileHandle h, bid_buf* out)"
        );
        let pts = method(
            "pts",
            vec![param("out", arr)],
            Some(Type::Record(TypeId(1))),
            true,
        );
        assert_eq!(
            core_signature(&i, &pts).to_string(),
            "(i32, i32, i32) -> (i32)"
        );
        assert_eq!(
            c_prototype(&i, &pts).to_string(),
            "int32_t nyash_file_pts(const nyash_file_Point* out_ptr, int32_t out_len, nyash_file_Point* out)"
        );
        let clash = method(
            "c",
            vec![param("out", Type::I64)],
            Some(Type::String),
            false,
        );
        assert_eq!(
            c_prototype(&i, &clash).to_string(),
            "void nyash_file_c(int64_t out, bid_buf* out_)"
        );
        let rec = method(
            "p",
            vec![param("p", Type::Record(TypeId(1)))],
            Some(Type::Record(TypeId(1))),
            false,
        );
        assert_eq!(core_signature(&i, &rec).to_string(), "(i32, i32) -> ()");
        assert_eq!(c_prototype(&i, &rec).ret, "nyash_file_Point");
        let none = method("tick", vec![], None, true);
        assert_eq!(core_signature(&i, &none).to_string(), "() -> (i32)");
        assert_eq!(
            c_prototype(&i, &none).to_string(),
            "int32_t nyash_file_tick(void)"
        );
        let wide = method(
            "w",
            vec![param("b", Type::Handle(TypeId(2))), param("f", Type::Bool)],
            Some(Type::F32),
            false,
        );
        assert_eq!(core_signature(&i, &wide).to_string(), "(i64, i32) -> (f32)");
        assert_eq!(c_type(&i, &Type::Bool), "int32_t");
    }
}
