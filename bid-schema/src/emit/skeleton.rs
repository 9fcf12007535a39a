//! A C plugin skeleton: one stub definition per exported function of the header, so a plugin
//! author starts from a file that compiles and loads, and fills in the TODOs.
//!
//! The skeleton is written once and then edited by hand; it is never regenerated over the
//! author's work (the CLI and bid-build refuse to overwrite one). Every definition uses the
//! prototype the header declares ([`lower::c_prototype`], the same C names), and every stub
//! is valid C99 and C++ that compiles clean under `-Wall -Wextra -Werror -pedantic`: each
//! parameter is marked used, a fallible method returns `BID_E_UNSUPPORTED`, any other method a
//! zero value, and a buffer result is empty. `<prefix>_bid_free` releases with `free()` and
//! `<prefix>_bid_signature` returns the header's signature macro.

use super::c::writer::Writer;
use crate::lower;
use crate::model::{HandleRepr, Interface, Method, Model, Ownership, Scalar, Type, spelling};
use crate::names;
use bid_abi::Status;

/// The skeleton of a plugin implementing every interface of `model`, including the header
/// called `header_name` (as in `#include "kv.h"`). Deterministic, like the header.
///
/// `header_name` should pass [`include_name_problem`]; a character that cannot appear in an
/// `#include "..."` is replaced by `_`, so the emitter still cannot fail.
pub fn skeleton(model: &Model, header_name: &str) -> String {
    let header_name = include_name(header_name);
    let mut w = Writer::new();
    w.comment(
        "/*",
        &[
            super::c::generated_from("A plugin skeleton generated", model),
            String::new(),
            format!(
                "This file is yours to edit: implement each TODO. `{header_name}` is generated \
                 from the same BID file; regenerate it, never edit it. The contract of each \
                 function (who allocates, who frees) is written above its prototype there."
            ),
        ],
    );
    w.blank();
    w.directive(&format!("#include \"{header_name}\""));
    w.directive("#include <stdlib.h> /* free */");
    for iface in &model.interfaces {
        w.blank();
        interface(&mut w, iface);
    }
    w.finish()
}

/// Why `name` cannot be the quoted name of an `#include`, or `None` when it can: C leaves
/// `'`, `\`, `//` and `/*` undefined there, and a `"` or a line break ends it.
pub fn include_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.chars().any(char::is_control) {
        Some("it holds a control character")
    } else if name.contains(['"', '\'', '\\']) {
        Some("it holds a quote or a backslash (use `/` between directories)")
    } else if name.contains("//") || name.contains("/*") {
        Some("it holds `//` or `/*`")
    } else {
        None
    }
}

/// `name` with what [`include_name_problem`] rejects replaced by `_`.
fn include_name(name: &str) -> String {
    if include_name_problem(name).is_none() {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let bad = c.is_control()
            || matches!(c, '"' | '\'' | '\\')
            || (matches!(c, '/' | '*') && out.ends_with('/'));
        out.push(if bad { '_' } else { c });
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

fn interface(w: &mut Writer, iface: &Interface) {
    w.comment(
        "/*",
        &[format!(
            "==== interface {}, symbol prefix `{}` ====",
            iface.qualified, iface.symbol_prefix
        )],
    );
    w.blank();
    for m in &iface.methods {
        method(w, iface, m);
        w.blank();
    }

    // Every header declares `<prefix>_bid_free`, so every plugin defines it (as the Rust
    // plugin glue does), whether or not a method returns a transferred buffer yet.
    let why = if iface.needs_free() {
        "The host hands back every buffer a method returned as `transferred`, exactly once, here."
    } else {
        "No method returns a transferred buffer yet, so the host never calls this; the header \
         declares it, so it is defined anyway."
    };
    w.comment(
        "/*",
        &[format!(
            "{why} It releases with free(), so allocate such buffers with malloc() (or change \
             both together)."
        )],
    );
    w.block(
        &format!(
            "BID_EXPORT void {}(void* ptr, int32_t len) {{",
            iface.free_symbol()
        ),
        "}",
        |w| {
            w.line("(void)len;");
            w.line("free(ptr);");
        },
    );
    w.blank();

    w.comment(
        "/*",
        &[
            "Lets the host check at load time that this plugin was built from the same BID file."
                .to_owned(),
        ],
    );
    for symbol in iface.custom_frees() {
        w.comment(
            "/*",
            &["A `free:` function of the BID file: releases with free(), as above.".to_owned()],
        );
        w.block(
            &format!("BID_EXPORT {} {{", lower::free_prototype(iface, symbol)),
            "}",
            |w| w.line("free(ptr);"),
        );
        w.blank();
    }

    w.block(
        &format!(
            "BID_EXPORT const char* {}(void) {{",
            iface.signature_symbol()
        ),
        "}",
        |w| {
            w.line(&format!(
                "return {};",
                names::signature_macro(&iface.symbol_prefix)
            ));
        },
    );
}

fn method(w: &mut Writer, iface: &Interface, m: &Method) {
    let proto = lower::c_prototype(iface, m);
    w.block(&format!("BID_EXPORT {proto} {{"), "}", |w| {
        w.comment(
            "/*",
            &[
                format!(
                    "TODO: implement `{}` (effect: {}).",
                    m.name,
                    m.effect.as_str()
                ),
                bid_signature(iface, m),
            ],
        );
        let zero = zero_value(iface, m, &proto);
        if let Zero::Record(name) = &zero {
            // A static starts zeroed in C and C++ alike, with no initializer for
            // -Wmissing-field-initializers to judge and no call a parameter could shadow.
            w.line(&format!("static {} {name};", proto.ret));
        }
        // An infallible buffer result is written below: its `out` is used already.
        let out_written = matches!(zero, Zero::Buffer);
        for p in &proto.params {
            if !(out_written && p.name == "out") {
                w.line(&format!("(void){};", p.name));
            }
        }
        match zero {
            Zero::Nothing => {}
            Zero::Buffer => {
                w.line("out->ptr = NULL;");
                w.line("out->len = 0;");
            }
            Zero::Literal(v) => w.line(&format!("return {v};")),
            // An empty string the host releases with the method's free function.
            Zero::OwnedCString => w.line("return (char*)calloc(1, 1);"),
            Zero::Record(name) => w.line(&format!("return {name};")),
        }
    });
}

/// What a stub gives back.
enum Zero {
    /// `void`.
    Nothing,
    /// An empty `bid_buf` through `out`.
    Buffer,
    /// `return <literal>;`: a status, a number or a null handle.
    Literal(&'static str),
    /// A zeroed record, in a static local of this name.
    Record(String),
    /// A freshly allocated empty C string.
    OwnedCString,
}

fn zero_value(iface: &Interface, m: &Method, proto: &lower::CPrototype) -> Zero {
    if m.fallible {
        return Zero::Literal(Status::Unsupported.c_name());
    }
    match m.returns {
        None => Zero::Nothing,
        Some(Type::Buffer(..)) => Zero::Buffer,
        Some(Type::CStr(_)) if m.nullable() => Zero::Literal("NULL"),
        Some(Type::CStr(Ownership::Transferred)) => Zero::OwnedCString,
        Some(Type::CStr(_)) => Zero::Literal("\"\""),
        Some(Type::Scalar(Scalar::F32)) => Zero::Literal("0.0f"),
        Some(Type::Scalar(Scalar::F64)) => Zero::Literal("0.0"),
        Some(Type::Scalar(_)) => Zero::Literal("0"),
        Some(Type::Handle(id, _)) => match iface.handle(id).repr() {
            HandleRepr::Pointer => Zero::Literal("NULL"),
            HandleRepr::I32 | HandleRepr::I64 => Zero::Literal("0"),
        },
        Some(Type::Record(_)) => {
            let mut name = "zero".to_owned();
            while name == proto.ret || proto.params.iter().any(|p| p.name == name) {
                name.push('_');
            }
            Zero::Record(name)
        }
    }
}

/// The method as BID sees it: `open(path: string borrowed) -> FileHandle transferred,
/// fallible`.
fn bid_signature(iface: &Interface, m: &Method) -> String {
    let spell = |ty: Type| match ty.ownership() {
        Some(own) => format!("{} {}", spelling(iface, ty), own.as_str()),
        None => spelling(iface, ty),
    };
    let params: Vec<String> = m
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, spell(p.ty)))
        .collect();
    let ret = m.returns.map_or_else(|| "void".to_owned(), spell);
    let fallible = if m.fallible { ", fallible" } else { "" };
    format!("{}({}) -> {ret}{fallible}", m.name, params.join(", "))
}

#[cfg(test)]
mod tests;
