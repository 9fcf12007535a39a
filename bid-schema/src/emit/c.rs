//! The C header a plugin author implements: types, per-target layout checks and one prototype
//! per symbol, generated from a checked [`Model`] so the compiler checks the plugin's side.
//!
//! The header compiles clean under `-std=c99`, `-std=c11` and `-std=c++11` with
//! `-Wall -Wextra -Werror -pedantic`, and under clang for every [`Target`]: static assertions
//! and `alignof` go through the `BID_STATIC_ASSERT` / `BID_ALIGNOF` macros, which pick
//! `_Static_assert`/`_Alignof` (C11), `static_assert`/`alignof` (C++11) or a C89-compatible
//! fallback (a negative-size array typedef; `offsetof` in a `{ char c; T t; }` helper struct).
//! Definitions shared by every bid header (`bid_buf`, the status codes, the macros) are guarded
//! so any number of bid headers can be included together.

mod docs;
mod escape;
pub(super) mod writer;

use crate::layout::{self, Layout, Layouts, Target};
use crate::lower;
use crate::model::{Elem, HandleRepr, Interface, Model, Scalar, TypeDefKind, TypeId};
use crate::signature;
use writer::Writer;

/// The first line of a generated C file: `<what> by bid from <file> (source fnv1a64 <hash>).`
pub(super) fn generated_from(what: &str, model: &Model) -> String {
    format!(
        "{what} by bid from {} (source fnv1a64 {}).",
        model.source.name, model.source.hash
    )
}

/// The header for every interface of `model`. Deterministic: the same model gives the same
/// bytes (no dates, no hash-map order).
pub fn header(model: &Model) -> String {
    let mut w = Writer::new();
    w.comment(
        "/*",
        &[
            generated_from("Generated", model),
            "Do not edit: regenerate it from the BID file instead.".to_owned(),
        ],
    );
    let guard = escape::include_guard(&model.source.name);
    w.directive(&format!("#ifndef {guard}"));
    w.directive(&format!("#define {guard}"));
    w.blank();
    w.directive("#include <stddef.h>");
    w.directive("#include <stdint.h>");
    w.blank();
    common_macros(&mut w);
    status_codes(&mut w);
    w.directive("#ifdef __cplusplus");
    w.directive("extern \"C\" {");
    w.directive("#endif");
    w.blank();
    bid_buf(&mut w);
    for iface in &model.interfaces {
        interface(&mut w, iface);
    }
    w.directive("#ifdef __cplusplus");
    w.directive("}");
    w.directive("#endif");
    w.blank();
    w.directive(&format!("#endif /* {guard} */"));
    w.finish()
}

/// A macro the header defines once for every bid header (`#ifndef NAME`), by the first
/// condition that holds, else `fallback`. `#define` lines are written `#    define NAME...`.
fn portable_macro(w: &mut Writer, name: &str, cases: &[(&str, &str)], fallback: &str) {
    w.directive(&format!("#ifndef {name}"));
    for (i, (cond, def)) in cases.iter().enumerate() {
        let keyword = if i == 0 { "if" } else { "elif" };
        w.directive(&format!("#  {keyword} {cond}"));
        w.directive(&format!("#    define {name}{def}"));
    }
    w.directive("#  else");
    w.directive(&format!("#    define {name}{fallback}"));
    w.directive("#  endif");
    w.directive("#endif");
}

fn common_macros(w: &mut Writer) {
    const CXX11: &str = "defined(__cplusplus) && (__cplusplus >= 201103L || (defined(_MSC_VER) && _MSC_VER >= 1900))";
    const C11: &str = "defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L";
    w.comment(
        "/*",
        &[
            "Marks the functions a plugin exports. Define it before including to override."
                .to_owned(),
        ],
    );
    portable_macro(
        w,
        "BID_EXPORT",
        &[
            (
                "defined(_WIN32) || defined(__CYGWIN__)",
                " __declspec(dllexport)",
            ),
            (
                "defined(__GNUC__) && __GNUC__ >= 4",
                " __attribute__((visibility(\"default\")))",
            ),
        ],
        "",
    );
    w.blank();
    w.comment(
        "/*",
        &["Compile-time checks that work in C89/C99 (array typedef), C11 and C++11.".to_owned()],
    );
    portable_macro(
        w,
        "BID_STATIC_ASSERT",
        &[
            (CXX11, "(cond, name) static_assert(cond, #name)"),
            (C11, "(cond, name) _Static_assert(cond, #name)"),
        ],
        "(cond, name) typedef char bid_static_assert_##name[(cond) ? 1 : -1]",
    );
    w.comment(
        "/*",
        &[
            "A signature can outgrow the 4095 characters C99 promises; gcc and clang accept it \
           without a -pedantic warning when marked as an extension."
                .to_owned(),
        ],
    );
    portable_macro(
        w,
        "BID_LONG_STRING",
        &[(
            "defined(__GNUC__) || defined(__clang__)",
            "(s) (__extension__ s)",
        )],
        "(s) (s)",
    );
    portable_macro(
        w,
        "BID_ALIGNOF",
        &[(CXX11, "(T) alignof(T)"), (C11, "(T) _Alignof(T)")],
        "(T) offsetof(struct bid_align_##T, t)",
    );
    w.blank();
}

fn status_codes(w: &mut Writer) {
    w.comment(
        "/*",
        &["Status codes of `fallible` methods: 0 is success, anything else a failure.".to_owned()],
    );
    w.directive("#ifndef BID_STATUS_DEFINED");
    w.directive("#define BID_STATUS_DEFINED");
    for s in bid_abi::STATUSES {
        let value = if s.code < 0 {
            format!("({})", s.code)
        } else {
            s.code.to_string()
        };
        w.directive(&format!("#define {} {value} /* {} */", s.c_name, s.meaning));
    }
    w.directive("#endif");
    w.blank();
}

fn bid_buf(w: &mut Writer) {
    w.directive("#ifndef BID_BUF_DEFINED");
    w.directive("#define BID_BUF_DEFINED");
    w.doc(&[
        "A buffer a method returns through its trailing `bid_buf* out` parameter: `len` counts \
         bytes for string and bytes, elements for arrays. Who frees `ptr` is the method's \
         return ownership (see each method)."
            .to_owned(),
    ]);
    w.block("typedef struct bid_buf {", "} bid_buf;", |w| {
        w.line("void* ptr;");
        w.line("int32_t len;");
    });
    w.line("struct bid_align_bid_buf { char c; bid_buf t; };");
    let fields = ["ptr", "len"];
    for target in Target::ALL {
        let layout = layout::bid_buf(target);
        layout_checks(w, target, &[("bid_buf", &layout, fields.to_vec())]);
    }
    w.directive("#endif");
    w.blank();
}

fn interface(w: &mut Writer, iface: &Interface) {
    let version = iface.version.as_deref().unwrap_or("(no version)");
    w.comment(
        "/*",
        &[format!("==== interface {} {version} ====", iface.qualified)],
    );
    let mut about = Vec::new();
    if let Some(doc) = &iface.doc {
        about.push(doc.clone());
        about.push(String::new());
    }
    about.push(format!(
        "Interface `{}`, symbol prefix `{}`. {}",
        iface.qualified,
        iface.symbol_prefix,
        if iface.thread_safe {
            "Thread safe (`thread_safe: true`): the host may call any method from several \
             threads at once."
        } else {
            "Not thread safe: the host calls one method at a time, across every box that loads \
             this library (say `thread_safe: true` in the BID file to allow concurrent calls)."
        }
    ));
    w.doc(&about);
    w.blank();

    let macro_name = crate::names::signature_macro(&iface.symbol_prefix);
    w.doc(&[format!(
        "The canonical signature text (docs/signature.md), a `const char*` expression; `{}` \
         returns it.",
        iface.signature_symbol()
    )]);
    let literal = escape::c_string_literal(&signature::text(iface), " \\\n    ");
    w.directive(&format!(
        "#define {macro_name} BID_LONG_STRING( \\\n    {literal})"
    ));
    w.blank();

    for def in &iface.types {
        let TypeDefKind::Handle(h) = &def.kind else {
            continue;
        };
        let release = match h.release().map(|r| iface.method(r)) {
            Some(r) => format!(", released by `{}` ({})", r.name, r.symbol),
            None => String::new(),
        };
        let mut doc = vec![format!(
            "Handle `{}` ({}){release}.",
            def.name,
            h.repr().as_str()
        )];
        if let Some(d) = &def.doc {
            doc.extend([String::new(), d.clone()]);
        }
        w.doc(&doc);
        let c = match h.repr() {
            HandleRepr::I32 => "int32_t",
            HandleRepr::I64 => "int64_t",
            HandleRepr::Pointer => "void*",
        };
        w.line(&format!("typedef {c} {};", def.c));
        w.blank();
    }

    let records = iface.records_in_dependency_order();
    for &id in &records {
        record(w, iface, id);
    }
    if !records.is_empty() {
        w.comment(
            "/*",
            &[
                "Layout checks: each compiler checks the numbers of the target it builds for."
                    .to_owned(),
            ],
        );
        for target in Target::ALL {
            let layouts = Layouts::new(iface, target);
            let groups: Vec<(&str, &Layout, Vec<&str>)> = records
                .iter()
                .map(|&id| {
                    let fields = iface.record(id).fields().iter().map(|f| f.c()).collect();
                    (iface.ty(id).c(), layouts.record(id), fields)
                })
                .collect();
            layout_checks(w, target, &groups);
        }
        w.blank();
    }

    for m in &iface.methods {
        let proto = lower::c_prototype(iface, m);
        w.doc(&docs::method(iface, m));
        w.line(&format!("BID_EXPORT {proto};"));
        w.blank();
    }

    for symbol in iface.custom_frees() {
        let users: Vec<String> = iface
            .methods
            .iter()
            .filter(|m| m.free() == Some(symbol))
            .map(|m| format!("`{}`", m.name))
            .collect();
        w.doc(&[format!(
            "Releases what {} returned as `transferred` (its `free:` function). The host calls \
             it exactly once per such result, with the pointer it received.",
            users.join(", ")
        )]);
        w.line(&format!(
            "BID_EXPORT {};",
            lower::free_prototype(iface, symbol)
        ));
        w.blank();
    }

    let free_need = if iface.needs_free() {
        "Required: some method returns a transferred buffer."
    } else {
        "Optional here: no method returns a transferred buffer."
    };
    w.doc(&[
        "Releases a buffer this plugin returned as `transferred`. The host calls it exactly once \
         per such buffer, with the ptr and len it received."
            .to_owned(),
        free_need.to_owned(),
    ]);
    w.line(&format!(
        "BID_EXPORT void {}(void* ptr, int32_t len);",
        iface.free_symbol()
    ));
    w.blank();
    w.doc(&[format!(
        "Returns the canonical signature text, NUL-terminated and static: `return {macro_name};`. \
         The host compares it with its own at load and names every method that differs."
    )]);
    w.line(&format!(
        "BID_EXPORT const char* {}(void);",
        iface.signature_symbol()
    ));
    w.blank();
}

fn record(w: &mut Writer, iface: &Interface, id: TypeId) {
    let def = iface.ty(id);
    let rec = iface.record(id);
    let mut doc = vec![format!("Record `{}`, passed by value.", def.name)];
    if let Some(d) = &def.doc {
        doc.extend([String::new(), d.clone()]);
    }
    w.doc(&doc);
    w.block(
        &format!("typedef struct {} {{", def.c),
        &format!("}} {};", def.c),
        |w| {
            for f in &rec.fields {
                if let Some(d) = &f.doc {
                    w.doc(std::slice::from_ref(d));
                }
                let ty = lower::c_elem(iface, f.ty());
                let note = if f.ty() == Elem::Scalar(Scalar::Bool) {
                    " /* 0 or 1 */"
                } else {
                    ""
                };
                w.line(&format!("{ty} {};{note}", f.c));
            }
        },
    );
    w.line(&format!(
        "struct bid_align_{0} {{ char c; {0} t; }};",
        def.c
    ));
    w.blank();
}

/// One `#if <target>` group of size, alignment and offset assertions. Each type comes with the
/// C member names of its layout's fields, by position.
fn layout_checks(w: &mut Writer, target: Target, types: &[(&str, &Layout, Vec<&str>)]) {
    let slug = escape::slug(target.triple());
    w.directive(&format!(
        "#if {} /* {} */",
        target.c_condition(),
        target.triple()
    ));
    for (c, layout, fields) in types {
        w.line(&format!(
            "BID_STATIC_ASSERT(sizeof({c}) == {}, {c}_size_{slug});",
            layout.size
        ));
        w.line(&format!(
            "BID_STATIC_ASSERT(BID_ALIGNOF({c}) == {}, {c}_align_{slug});",
            layout.align
        ));
        for (fl, member) in layout.fields.iter().zip(fields.iter()) {
            w.line(&format!(
                "BID_STATIC_ASSERT(offsetof({c}, {member}) == {}, {c}_offset_{member}_{slug});",
                fl.offset
            ));
        }
    }
    w.directive("#endif");
}

#[cfg(test)]
pub(crate) mod tests;
