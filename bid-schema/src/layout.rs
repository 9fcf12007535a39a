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

use crate::model::{Elem, HandleRepr, Interface, TypeId};

/// Size, alignment and (for records) field offsets of one type on one target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
            offset = offset.saturating_add(l.size);
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
    n.div_ceil(align.max(1)).saturating_mul(align.max(1))
}

/// The largest record bid accepts, in bytes on any target: C's object size limit on 32-bit
/// targets (`PTRDIFF_MAX`).
pub const MAX_RECORD_BYTES: u64 = i32::MAX as u64;

/// Every record layout of one interface on one target, computed once, in dependency order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layouts {
    target: Target,
    /// By type index; `None` for handles.
    records: Vec<Option<Layout>>,
}

impl Layouts {
    /// The layouts of every record of `iface` on `target`. Sizes saturate instead of
    /// overflowing, so a model with a record past [`MAX_RECORD_BYTES`] still gets an answer
    /// (the checker refuses such a model).
    pub fn new(iface: &Interface, target: Target) -> Layouts {
        let mut records: Vec<Option<Layout>> = vec![None; iface.types().len()];
        for id in iface.records_in_dependency_order() {
            let fields: Vec<(&str, Layout)> = iface
                .record(id)
                .fields()
                .iter()
                .map(|f| {
                    let layout = match f.ty() {
                        Elem::Record(inner) => records[inner.index()].clone().unwrap_or_default(),
                        elem => scalar_elem(iface, elem, target),
                    };
                    (f.name(), layout)
                })
                .collect();
            records[id.index()] = Some(Layout::from_fields(fields));
        }
        Layouts { target, records }
    }

    /// The target these layouts hold for.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The layout of record `id`.
    pub fn record(&self, id: TypeId) -> &Layout {
        self.records[id.index()]
            .as_ref()
            .expect("checked: the id is a record")
    }

    /// The layout of a record field or an array element.
    pub fn elem(&self, iface: &Interface, elem: Elem) -> Layout {
        match elem {
            Elem::Record(id) => self.record(id).clone(),
            elem => scalar_elem(iface, elem, self.target),
        }
    }

    /// Every record with its layout, in declaration order.
    pub fn records(&self) -> impl Iterator<Item = (TypeId, &Layout)> {
        self.records
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((TypeId(i), l.as_ref()?)))
    }
}

/// The layout of a scalar or handle.
fn scalar_elem(iface: &Interface, elem: Elem, target: Target) -> Layout {
    match elem {
        Elem::Scalar(s) if s.size() == 8 => Layout::scalar(8, target.align_of_8_byte_scalar()),
        Elem::Scalar(s) => Layout::scalar(s.size(), s.size()),
        Elem::Handle(id) => handle(iface.handle(id).repr(), target),
        Elem::Record(_) => unreachable!("records are laid out by `Layouts`"),
    }
}

/// The layout of a handle of `repr`.
pub fn handle(repr: HandleRepr, target: Target) -> Layout {
    match repr {
        HandleRepr::I32 => Layout::scalar(4, 4),
        HandleRepr::I64 => Layout::scalar(8, target.align_of_8_byte_scalar()),
        HandleRepr::Pointer => Layout::scalar(target.pointer_size(), target.pointer_size()),
    }
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
