//! How each target's C ABI passes a record argument and returns a record value.
//!
//! The classes are those clang produces for a function with one record parameter (or one
//! record result), computed from the record's flattened scalar leaves. System V x86_64 can
//! send an argument that would fit registers to memory when earlier arguments used the
//! registers up; [`param_class`] reports the class of the type, as for a first argument,
//! and [`method_passing`] the class of each parameter in its place.

use super::{Layouts, Target};
use crate::model::{Elem, Interface, Method, Scalar, Type, TypeId};
use std::fmt;

/// The class of one System V x86_64 eightbyte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegClass {
    /// A general-purpose register (any integer, handle or pointer in the eightbyte).
    Int,
    /// An SSE register (only `float`/`double` in the eightbyte).
    Sse,
}

/// The element of a homogeneous floating-point aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatKind {
    /// `float`.
    F32,
    /// `double`.
    F64,
}

/// How a value crosses a C call on one target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PassClass {
    /// In one register as a scalar: every non-record value, and a wasm32 record whose only
    /// leaf is one scalar (passed and returned as that scalar).
    Direct,
    /// System V x86_64: a record of at most 16 bytes split into eightbytes, each in the
    /// register class given (`regs(int,sse)`).
    Regs(Vec<RegClass>),
    /// Packed into `n` general-purpose registers: AAPCS64 records of at most 16 bytes that
    /// are not HFAs, and Win64 records of exactly 1, 2, 4 or 8 bytes (`gpr(1)`).
    Gpr(u8),
    /// AAPCS64 homogeneous floating-point aggregate of 1 to 4 members, in FP registers
    /// (`hfa(f32x2)`).
    Hfa {
        /// The member type.
        elem: FloatKind,
        /// How many members (1..=4).
        count: u8,
    },
    /// Copied into the argument area on the stack (System V x86_64 MEMORY class, i386,
    /// wasm32 records with more than one leaf). clang may spell small i386 ones as their
    /// expanded scalars in IR: the same stack bytes.
    Byval,
    /// The caller makes a copy and passes a pointer to it (Win64 records not of 1, 2, 4 or
    /// 8 bytes; AAPCS64 records over 16 bytes).
    Indirect,
    /// Returned through a hidden pointer to caller memory (`x8` on AAPCS64, the first
    /// argument elsewhere).
    Sret,
    /// Not a C return value: written through the explicit trailing out-pointer of the C
    /// prototype (buffer returns as `bid_buf* out`, values of fallible methods).
    OutParam,
}

impl PassClass {
    /// A short stable label: `direct`, `regs(int,sse)`, `gpr(2)`, `hfa(f32x2)`, `byval`,
    /// `indirect`, `sret`, `out`.
    pub fn label(&self) -> String {
        match self {
            PassClass::Direct => "direct".into(),
            PassClass::Regs(regs) => {
                let parts: Vec<&str> = regs
                    .iter()
                    .map(|r| match r {
                        RegClass::Int => "int",
                        RegClass::Sse => "sse",
                    })
                    .collect();
                format!("regs({})", parts.join(","))
            }
            PassClass::Gpr(n) => format!("gpr({n})"),
            PassClass::Hfa { elem, count } => {
                let e = match elem {
                    FloatKind::F32 => "f32",
                    FloatKind::F64 => "f64",
                };
                format!("hfa({e}x{count})")
            }
            PassClass::Byval => "byval".into(),
            PassClass::Indirect => "indirect".into(),
            PassClass::Sret => "sret".into(),
            PassClass::OutParam => "out".into(),
        }
    }
}

impl fmt::Display for PassClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// How each parameter and the return value of a method cross the C call on one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodPassing {
    /// One class per BID parameter, in order (a buffer's pointer and length are both `direct`).
    pub params: Vec<PassClass>,
    /// `None` for a void, non-fallible method; [`PassClass::OutParam`] for buffers and for
    /// the value of a fallible method (its `int32_t` status itself is direct).
    pub ret: Option<PassClass>,
}

/// A scalar leaf of a flattened record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leaf {
    Int,
    Float(FloatKind),
}

/// The scalar leaves of a record field or element at `base`, in order.
fn leaves(iface: &Interface, layouts: &Layouts, elem: Elem, base: u64, out: &mut Vec<(u64, Leaf)>) {
    match elem {
        Elem::Scalar(Scalar::F32) => out.push((base, Leaf::Float(FloatKind::F32))),
        Elem::Scalar(Scalar::F64) => out.push((base, Leaf::Float(FloatKind::F64))),
        Elem::Scalar(_) | Elem::Handle(_) => out.push((base, Leaf::Int)),
        Elem::Record(id) => {
            let layout = layouts.record(id);
            for (f, fl) in iface.record(id).fields().iter().zip(&layout.fields) {
                leaves(iface, layouts, f.ty(), base + fl.offset, out);
            }
        }
    }
}

/// The class of record `id`; `param` is `true` for a parameter, `false` for a return.
fn classify(iface: &Interface, layouts: &Layouts, id: TypeId, param: bool) -> PassClass {
    let size = layouts.record(id).size;
    let mut ls = Vec::new();
    // Only records of up to 32 bytes (four doubles) can travel in registers on any target:
    // larger ones need no leaves, and a small record has few.
    if size <= 32 {
        leaves(iface, layouts, Elem::Record(id), 0, &mut ls);
    }
    let memory = if param {
        PassClass::Byval
    } else {
        PassClass::Sret
    };
    let by_ref = if param {
        PassClass::Indirect
    } else {
        PassClass::Sret
    };
    match layouts.target() {
        Target::X86_64Linux => {
            if size > 16 || size == 0 {
                return memory;
            }
            let regs = (0..size.div_ceil(8))
                .map(|i| {
                    let int = ls.iter().any(|(off, l)| off / 8 == i && *l == Leaf::Int);
                    if int { RegClass::Int } else { RegClass::Sse }
                })
                .collect();
            PassClass::Regs(regs)
        }
        Target::X86_64Windows => {
            if matches!(size, 1 | 2 | 4 | 8) {
                PassClass::Gpr(1)
            } else {
                by_ref
            }
        }
        Target::Aarch64Darwin => {
            if let Some(Leaf::Float(elem)) = ls.first().map(|(_, l)| *l)
                && ls.len() <= 4
                && ls.iter().all(|(_, l)| *l == Leaf::Float(elem))
            {
                return PassClass::Hfa {
                    elem,
                    count: ls.len() as u8,
                };
            }
            if size <= 16 && size > 0 {
                PassClass::Gpr(size.div_ceil(8) as u8)
            } else {
                by_ref
            }
        }
        Target::I686Linux => memory,
        Target::Wasm32 => {
            if ls.len() == 1 {
                PassClass::Direct
            } else {
                memory
            }
        }
    }
}

/// How a parameter of type `ty` is passed on the target of `layouts`.
pub fn param_class(iface: &Interface, layouts: &Layouts, ty: Type) -> PassClass {
    match ty {
        Type::Record(id) => classify(iface, layouts, id, true),
        _ => PassClass::Direct,
    }
}

/// How a C function returning `ty` by value returns it on the target of `layouts`; buffers
/// are never returned by value ([`PassClass::OutParam`]).
pub fn return_class(iface: &Interface, layouts: &Layouts, ty: Type) -> PassClass {
    match ty {
        Type::Buffer(..) => PassClass::OutParam,
        Type::Record(id) => classify(iface, layouts, id, false),
        _ => PassClass::Direct,
    }
}

/// How `method` passes its records on the target of `layouts`, as one line for audits and
/// tables: `p: byval, q: regs(int,sse); return: sret`. Only record parameters and a record
/// return are named (everything else is a scalar in a register or a pointer); `None` when
/// the method has no record.
pub fn record_passing_label(
    iface: &Interface,
    layouts: &Layouts,
    method: &Method,
) -> Option<String> {
    let is_record = |ty: Type| matches!(ty, Type::Record(_));
    let record_ret = !method.fallible() && method.returns().is_some_and(is_record);
    if !record_ret && !method.params().iter().any(|p| is_record(p.ty())) {
        return None;
    }
    let passing = method_passing(iface, layouts, method);
    let params: Vec<String> = method
        .params()
        .iter()
        .zip(&passing.params)
        .filter(|(p, _)| is_record(p.ty()))
        .map(|(p, class)| format!("{}: {}", p.name(), class.label()))
        .collect();
    let mut label = params.join(", ");
    if let (true, Some(ret)) = (record_ret, &passing.ret) {
        if !label.is_empty() {
            label.push_str("; ");
        }
        label.push_str("return: ");
        label.push_str(&ret.label());
    }
    Some(label)
}

/// The classes of every parameter and of the return value of `method` on the target of
/// `layouts`.
///
/// Unlike [`param_class`], this follows the register budget of System V x86_64 along the
/// parameter list, as clang does: 6 integer and 8 SSE registers, one integer register fewer
/// when the result is returned through `sret`; a record whose eightbytes no longer all fit
/// goes to memory (`byval`) and takes no register. On the other targets the class of a
/// record does not depend on its position.
pub fn method_passing(iface: &Interface, layouts: &Layouts, method: &Method) -> MethodPassing {
    let ret = method.returns().map(|ty| {
        if method.fallible() {
            PassClass::OutParam
        } else {
            return_class(iface, layouts, ty)
        }
    });
    let (mut free_int, mut free_sse) = (6usize, 8usize);
    if ret == Some(PassClass::Sret) {
        free_int -= 1;
    }
    let params = method
        .params()
        .iter()
        .map(|p| {
            let class = param_class(iface, layouts, p.ty());
            if layouts.target() != Target::X86_64Linux {
                return class;
            }
            let (int, sse) = match (&class, p.ty()) {
                (PassClass::Regs(regs), _) => (
                    regs.iter().filter(|r| **r == RegClass::Int).count(),
                    regs.iter().filter(|r| **r == RegClass::Sse).count(),
                ),
                (PassClass::Direct, Type::Buffer(..)) => (2, 0),
                (PassClass::Direct, Type::Scalar(Scalar::F32 | Scalar::F64)) => (0, 1),
                (PassClass::Direct, _) => (1, 0),
                _ => (0, 0),
            };
            if int <= free_int && sse <= free_sse {
                free_int -= int;
                free_sse -= sse;
                class
            } else if matches!(class, PassClass::Regs(_)) {
                PassClass::Byval
            } else {
                // A scalar past the registers is still passed directly, on the stack.
                class
            }
        })
        .collect();
    MethodPassing { params, ret }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable() {
        assert_eq!(
            PassClass::Regs(vec![RegClass::Int, RegClass::Sse]).label(),
            "regs(int,sse)"
        );
        assert_eq!(
            PassClass::Hfa {
                elem: FloatKind::F32,
                count: 2
            }
            .label(),
            "hfa(f32x2)"
        );
        assert_eq!(PassClass::Gpr(2).to_string(), "gpr(2)");
        assert_eq!(PassClass::OutParam.label(), "out");
    }
}
