//! Stand-in for `crate::layout::record` and `Target::rust_cfg` until the layout module
//! lands; the emitter only calls [`record`] and [`rust_cfg`], so swapping is two paths.

use crate::layout::{FieldLayout, Layout, Target};
use crate::model::{HandleRepr, Interface, Type, TypeDefKind, TypeId};
use proc_macro2::TokenStream;
use quote::quote;

/// The `#[cfg(...)]` predicate under which rustc compiles for `target`.
pub(crate) fn rust_cfg(target: Target) -> TokenStream {
    match target {
        Target::X86_64Linux => quote!(all(target_arch = "x86_64", target_os = "linux")),
        Target::X86_64Windows => {
            quote!(all(
                target_arch = "x86_64",
                target_os = "windows",
                target_env = "msvc"
            ))
        }
        Target::Aarch64Darwin => quote!(all(target_arch = "aarch64", target_os = "macos")),
        Target::I686Linux => quote!(all(target_arch = "x86", target_os = "linux")),
        Target::Wasm32 => quote!(all(target_arch = "wasm32", target_os = "unknown")),
    }
}

/// The triple a target stands for, for assertion messages.
pub(crate) fn triple(target: Target) -> &'static str {
    match target {
        Target::X86_64Linux => "x86_64-unknown-linux-gnu",
        Target::X86_64Windows => "x86_64-pc-windows-msvc",
        Target::Aarch64Darwin => "aarch64-apple-darwin",
        Target::I686Linux => "i686-unknown-linux-gnu",
        Target::Wasm32 => "wasm32-unknown-unknown",
    }
}

/// C struct layout of a declared record on `target`.
pub(crate) fn record(iface: &Interface, id: TypeId, target: Target) -> Layout {
    let TypeDefKind::Record(rec) = &iface.ty(id).kind else {
        return scalar(0, 1);
    };
    let mut offset: u64 = 0;
    let mut align: u64 = 1;
    let mut fields = Vec::with_capacity(rec.fields.len());
    for field in &rec.fields {
        let l = of_type(iface, &field.ty, target);
        offset = offset.next_multiple_of(l.align);
        fields.push(FieldLayout {
            name: field.name.clone(),
            offset,
            size: l.size,
            align: l.align,
        });
        offset += l.size;
        align = align.max(l.align);
    }
    Layout {
        size: offset.next_multiple_of(align),
        align,
        fields,
    }
}

fn of_type(iface: &Interface, ty: &Type, target: Target) -> Layout {
    // i686 System V aligns 8-byte scalars to 4 inside structs; rustc agrees.
    let wide_align = if target == Target::I686Linux { 4 } else { 8 };
    let ptr = match target {
        Target::Wasm32 | Target::I686Linux => 4,
        _ => 8,
    };
    match ty {
        Type::Bool | Type::I32 | Type::F32 => scalar(4, 4),
        Type::I64 | Type::F64 => scalar(8, wide_align),
        Type::Handle(id) => match &iface.ty(*id).kind {
            TypeDefKind::Handle(h) => match h.repr {
                HandleRepr::I32 => scalar(4, 4),
                HandleRepr::I64 => scalar(8, wide_align),
                HandleRepr::Pointer => scalar(ptr, ptr),
            },
            TypeDefKind::Record(_) => record(iface, *id, target),
        },
        Type::Record(id) => record(iface, *id, target),
        // Buffers never sit inside records (check refuses them); a fat pair is the honest answer.
        Type::String | Type::Bytes | Type::Array(_) => scalar(2 * ptr, ptr),
    }
}

fn scalar(size: u64, align: u64) -> Layout {
    Layout {
        size,
        align,
        fields: Vec::new(),
    }
}
