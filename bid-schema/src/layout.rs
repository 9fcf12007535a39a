//! FFI ABI v0 layouts: size, alignment and field offsets of every BID type per target.
//!
//! Layouts follow the C rules every supported ABI shares: a field sits at the next offset
//! that is a multiple of its alignment, and a record's size is rounded up to its largest
//! field alignment. Only the scalar alignments differ per target (see [`Target`]).

mod passing;
mod target;

pub use passing::{
    FloatKind, MethodPassing, PassClass, RegClass, method_passing, param_class,
    record_passing_label, return_class,
};
pub use target::{Target, UnknownTarget};

use crate::model::{HandleRepr, Interface, Type, TypeDefKind, TypeId};

/// Size, alignment and (for records) field offsets of one type on one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `sizeof`, in bytes.
    pub size: u64,
    /// `alignof` inside a struct, in bytes.
    pub align: u64,
    /// Fields in declaration order; empty for scalars.
    pub fields: Vec<FieldLayout>,
}

/// One field of a record layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// The field name as written in the YAML (or the C name for built-in structs).
    pub name: String,
    /// Offset from the start of the record, in bytes.
    pub offset: u64,
    /// Size of the field, in bytes.
    pub size: u64,
    /// Alignment of the field inside the record, in bytes.
    pub align: u64,
}

impl Layout {
    /// A layout without fields (a scalar, a handle or a pointer).
    pub fn scalar(size: u64, align: u64) -> Layout {
        Layout {
            size,
            align,
            fields: Vec::new(),
        }
    }

    /// Lays out `fields` (name, layout) in order with the C rules.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, Layout)>) -> Layout {
        let mut offset = 0;
        let mut align = 1;
        let mut out = Vec::new();
        for (name, l) in fields {
            offset = round_up(offset, l.align);
            out.push(FieldLayout {
                name: name.to_owned(),
                offset,
                size: l.size,
                align: l.align,
            });
            offset += l.size;
            align = align.max(l.align);
        }
        Layout {
            size: round_up(offset, align),
            align,
            fields: out,
        }
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&FieldLayout> {
        self.fields.iter().find(|f| f.name == name)
    }
}

fn round_up(n: u64, align: u64) -> u64 {
    n.div_ceil(align.max(1)) * align.max(1)
}

/// Every layout of one interface on one target: what the header asserts and the CLI shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceLayouts {
    /// The target these numbers hold for.
    pub target: Target,
    /// Every declared record, in declaration order.
    pub records: Vec<(TypeId, Layout)>,
    /// `bid_buf { void* ptr; int32_t len; }`.
    pub bid_buf: Layout,
    /// The seed's `BoxHeader`.
    pub box_header: Layout,
    /// The seed's `StringBoxLayout`.
    pub string_box: Layout,
}

/// Layout of a scalar, handle or record type.
///
/// Buffer types (`string`, `bytes`, `array(T)`) have no layout: they never sit inside a
/// record and cross the boundary as a `(pointer, int32_t length)` parameter pair (or through
/// a `bid_buf` when returned, see [`bid_buf`]), so this returns `None` for them.
pub fn of_type(iface: &Interface, ty: &Type, target: Target) -> Option<Layout> {
    of_type_at(iface, ty, target, 0)
}

fn of_type_at(iface: &Interface, ty: &Type, target: Target, depth: usize) -> Option<Layout> {
    let wide = target.align_of_8_byte_scalar();
    Some(match ty {
        Type::Bool | Type::I32 | Type::F32 => Layout::scalar(4, 4),
        Type::I64 | Type::F64 => Layout::scalar(8, wide),
        Type::Handle(id) => match &iface.ty(*id).kind {
            TypeDefKind::Handle(h) => handle(h.repr, target),
            TypeDefKind::Record(_) => record_at(iface, *id, target, depth),
        },
        Type::Record(id) => record_at(iface, *id, target, depth),
        Type::String | Type::Bytes | Type::Array(_) => return None,
    })
}

fn handle(repr: HandleRepr, target: Target) -> Layout {
    match repr {
        HandleRepr::I32 => Layout::scalar(4, 4),
        HandleRepr::I64 => Layout::scalar(8, target.align_of_8_byte_scalar()),
        HandleRepr::Pointer => Layout::scalar(target.pointer_size(), target.pointer_size()),
    }
}

/// Layout of a declared record (a handle id gives the handle's scalar layout).
pub fn record(iface: &Interface, id: TypeId, target: Target) -> Layout {
    record_at(iface, id, target, 0)
}

fn record_at(iface: &Interface, id: TypeId, target: Target, depth: usize) -> Layout {
    let def = iface.ty(id);
    let rec = match &def.kind {
        TypeDefKind::Handle(h) => return handle(h.repr, target),
        TypeDefKind::Record(r) => r,
    };
    // `check` rejects records that contain themselves; the bound keeps a model built by
    // hand from recursing forever (the cyclic member then gets an empty layout).
    if depth > iface.types.len() {
        return Layout::scalar(0, 1);
    }
    let fields: Vec<(&str, Layout)> = rec
        .fields
        .iter()
        .map(|f| {
            let l = of_type_at(iface, &f.ty, target, depth + 1).unwrap_or(Layout::scalar(0, 1));
            (f.name.as_str(), l)
        })
        .collect();
    Layout::from_fields(fields)
}

/// `typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;`
pub fn bid_buf(target: Target) -> Layout {
    let p = target.pointer_size();
    Layout::from_fields([("ptr", Layout::scalar(p, p)), ("len", Layout::scalar(4, 4))])
}

/// The seed's `BoxHeader { int32_t type_id, ref_count, field_count; }`.
pub fn box_header(_target: Target) -> Layout {
    Layout::from_fields([
        ("type_id", Layout::scalar(4, 4)),
        ("ref_count", Layout::scalar(4, 4)),
        ("field_count", Layout::scalar(4, 4)),
    ])
}

/// The seed's `StringBoxLayout { BoxHeader header; int32_t data_ptr, length; }`; `data_ptr`
/// is a 32-bit linear-memory offset, so this is the same on every target.
pub fn string_box(target: Target) -> Layout {
    Layout::from_fields([
        ("header", box_header(target)),
        ("data_ptr", Layout::scalar(4, 4)),
        ("length", Layout::scalar(4, 4)),
    ])
}

/// Every record of `iface`, `bid_buf`, `BoxHeader` and `StringBoxLayout` on `target`.
pub fn interface_layouts(iface: &Interface, target: Target) -> InterfaceLayouts {
    let records = iface
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, TypeDefKind::Record(_)))
        .map(|(i, _)| (TypeId(i), record(iface, TypeId(i), target)))
        .collect();
    InterfaceLayouts {
        target,
        records,
        bid_buf: bid_buf(target),
        box_header: box_header(target),
        string_box: string_box(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_structs() {
        let b = bid_buf(Target::X86_64Linux);
        assert_eq!((b.size, b.align, b.fields[1].offset), (16, 8, 8));
        let b = bid_buf(Target::Wasm32);
        assert_eq!((b.size, b.align, b.fields[1].offset), (8, 4, 4));
        let h = box_header(Target::I686Linux);
        assert_eq!((h.size, h.align, h.fields[2].offset), (12, 4, 8));
        let s = string_box(Target::Aarch64Darwin);
        assert_eq!(s.size, 20);
        assert_eq!(s.field("length").map(|f| f.offset), Some(16));
    }

    #[test]
    fn c_rules() {
        let l = Layout::from_fields([
            ("a", Layout::scalar(4, 4)),
            ("b", Layout::scalar(8, 8)),
            ("c", Layout::scalar(4, 4)),
        ]);
        assert_eq!(l.size, 24);
        assert_eq!(l.fields[1].offset, 8);
        assert_eq!(l.fields[2].offset, 16);
        assert_eq!(round_up(13, 4), 16);
        assert_eq!(round_up(0, 8), 0);
    }
}
