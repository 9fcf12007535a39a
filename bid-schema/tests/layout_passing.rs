//! Passing classes of record arguments and results on the five targets: the expected
//! classes as literals, and (when clang is installed) the classes read back from the LLVM
//! IR clang emits for the generated C prototypes.

mod layout_support;

use bid_schema::Model;
use bid_schema::layout::{self, Layouts, PassClass, Target};
use bid_schema::lower;
use bid_schema::model::{Buffer, Ownership, Scalar, Type};
use layout_support::*;

/// (param, return) labels per target, in `Target::ALL` order: x86_64 Linux, x86_64
/// Windows, aarch64 Darwin, i686 Linux, wasm32.
type Row = (&'static str, [(&'static str, &'static str); 5]);

const EXPECTED: &[Row] = &[
    // two f32, 8 bytes: an HFA on AAPCS64
    (
        "FF",
        [
            ("regs(sse)", "regs(sse)"),
            ("gpr(1)", "gpr(1)"),
            ("hfa(f32x2)", "hfa(f32x2)"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // three i32, 12 bytes
    (
        "I3",
        [
            ("regs(int,int)", "regs(int,int)"),
            ("indirect", "sret"),
            ("gpr(2)", "gpr(2)"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // {i64, i32}, 16 bytes
    (
        "LI",
        [
            ("regs(int,int)", "regs(int,int)"),
            ("indirect", "sret"),
            ("gpr(2)", "gpr(2)"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // {i32, f64, bool}, 24 bytes
    (
        "IDB",
        [
            ("byval", "sret"),
            ("indirect", "sret"),
            ("indirect", "sret"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // four f64, 32 bytes: still an HFA on AAPCS64
    (
        "D4",
        [
            ("byval", "sret"),
            ("indirect", "sret"),
            ("hfa(f64x4)", "hfa(f64x4)"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // one f32: wasm32 passes single-scalar records as the scalar
    (
        "F1",
        [
            ("regs(sse)", "regs(sse)"),
            ("gpr(1)", "gpr(1)"),
            ("hfa(f32x1)", "hfa(f32x1)"),
            ("byval", "sret"),
            ("direct", "direct"),
        ],
    ),
    (
        "DD",
        [
            ("regs(sse,sse)", "regs(sse,sse)"),
            ("indirect", "sret"),
            ("hfa(f64x2)", "hfa(f64x2)"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // {f32, i32, f64}: a mixed first eightbyte is INTEGER
    (
        "FID",
        [
            ("regs(int,sse)", "regs(int,sse)"),
            ("indirect", "sret"),
            ("gpr(2)", "gpr(2)"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
    // {i32, {i64, i32}}, 24 bytes (16 on i686)
    (
        "Nested",
        [
            ("byval", "sret"),
            ("indirect", "sret"),
            ("indirect", "sret"),
            ("byval", "sret"),
            ("byval", "sret"),
        ],
    ),
];

/// The sample records plus one `echo_<R>(R x) -> R` method per row.
fn with_echo_methods() -> Model {
    let methods: Vec<String> = EXPECTED
        .iter()
        .map(|(name, _)| {
            format!("{{ name: echo_{name}, params: [ {{ {name}: x }} ], returns: {name}, effect: pure }}")
        })
        .collect();
    let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
    sample_with(&methods)
}

#[test]
fn classes_match_the_literals() {
    let m = with_echo_methods();
    let iface = &m.interfaces()[0];
    for (name, per_target) in EXPECTED {
        let ty = Type::Record(id(iface, name));
        for (t, (param, ret)) in Target::ALL.into_iter().zip(per_target) {
            let layouts = Layouts::new(iface, t);
            let got = (
                layout::param_class(iface, &layouts, ty).label(),
                layout::return_class(iface, &layouts, ty).label(),
            );
            assert_eq!(got, (param.to_string(), ret.to_string()), "{name} on {t}");
        }
    }
}

#[test]
fn non_records_and_fallible_methods() {
    let m = sample_with(&[
        "{ name: get, params: [ { FF: p } ], returns: FF, effect: pure, fallible: true }",
        "{ name: v, effect: pure }",
    ]);
    let iface = &m.interfaces()[0];
    let ff = Type::Record(id(iface, "FF"));
    let (get, v) = (&iface.methods()[0], &iface.methods()[1]);
    for t in Target::ALL {
        let layouts = Layouts::new(iface, t);
        assert_eq!(
            layout::param_class(iface, &layouts, Type::Scalar(Scalar::F64)),
            PassClass::Direct
        );
        assert_eq!(
            layout::param_class(
                iface,
                &layouts,
                Type::Buffer(Buffer::String, Ownership::Borrowed)
            ),
            PassClass::Direct
        );
        assert_eq!(
            layout::return_class(
                iface,
                &layouts,
                Type::Buffer(Buffer::Bytes, Ownership::Transferred)
            ),
            PassClass::OutParam
        );
        let mp = layout::method_passing(iface, &layouts, get);
        assert_eq!(mp.ret, Some(PassClass::OutParam));
        assert_eq!(mp.params, vec![layout::param_class(iface, &layouts, ff)]);
        assert_eq!(layout::method_passing(iface, &layouts, v).ret, None);
    }
}

/// Splits an IR list at top-level commas.
fn split_top(s: &str) -> Vec<String> {
    let (mut depth, mut cur, mut out) = (0i32, String::new(), Vec::new());
    for c in s.chars() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_owned());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

/// The scalar IR types of a struct type, flattened (`%struct.t_FF` -> float, float).
fn flatten(ir: &str, ty: &str) -> Vec<String> {
    let ty = ty.trim();
    if let Some(name) = ty.strip_prefix('%') {
        let def = format!("%{name} = type ");
        let body = ir
            .lines()
            .find_map(|l| l.strip_prefix(&def))
            .unwrap_or_else(|| panic!("no IR type {ty}"));
        return flatten(ir, body);
    }
    if let Some(inner) = ty.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        return split_top(inner)
            .iter()
            .flat_map(|t| flatten(ir, t))
            .collect();
    }
    if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        let (n, elem) = inner.split_once(" x ").expect("array type");
        let n: usize = n.trim().parse().expect("array length");
        return (0..n).flat_map(|_| flatten(ir, elem)).collect();
    }
    vec![ty.to_owned()]
}

fn is_float(t: &str) -> bool {
    t == "float" || t == "double" || t.starts_with("<2 x float>")
}

/// The class clang's IR shows for one (coerced or pointer) value on `t`.
fn observed(ir: &str, t: Target, tys: &[String], param: bool) -> String {
    let pointer = |s: &str| s.contains('*') || s.starts_with("ptr");
    if param && tys.iter().any(|s| s.contains("byval")) {
        return "byval".into();
    }
    if param && tys.len() == 1 && pointer(&tys[0]) {
        return "indirect".into();
    }
    let bare: Vec<String> = tys
        .iter()
        .map(|s| s.split_whitespace().next().unwrap_or("").to_owned())
        .collect();
    match t {
        // clang expands small i386 records into their scalars: the same stack bytes as byval
        Target::I686Linux => "byval".into(),
        Target::X86_64Linux => {
            let parts: Vec<&str> = tys
                .iter()
                .flat_map(|s| {
                    let ty = s.strip_suffix(" noundef").unwrap_or(s);
                    let ty = ty.trim_start_matches('{').trim_end_matches('}');
                    split_top(ty)
                })
                .map(|s| if is_float(&s) { "sse" } else { "int" })
                .collect();
            format!("regs({})", parts.join(","))
        }
        Target::X86_64Windows => format!("gpr({})", bare.len()),
        Target::Wasm32 => "direct".into(),
        Target::Aarch64Darwin => {
            let whole = tys.join(", ");
            let ty = whole.split(" noundef").next().unwrap_or(&whole).trim();
            let leaves = flatten(ir, ty);
            if ty.starts_with('[') && leaves.iter().all(|l| l == "i64") {
                format!("gpr({})", leaves.len())
            } else if ty == "i64" {
                "gpr(1)".into()
            } else if leaves.iter().all(|l| l == "float") {
                format!("hfa(f32x{})", leaves.len())
            } else if leaves.iter().all(|l| l == "double") {
                format!("hfa(f64x{})", leaves.len())
            } else {
                format!("unexpected {ty}")
            }
        }
    }
}

#[test]
fn clang_ir_shows_the_same_classes() {
    if !clang_available("clang_ir_shows_the_same_classes") {
        return;
    }
    let m = with_echo_methods();
    let iface = &m.interfaces()[0];
    let mut src = c_decls(iface);
    for m in iface.methods() {
        let proto = lower::c_prototype(iface, m);
        let ty = &proto.ret;
        src += &format!(
            "{proto};\nvoid use_{0}(void) {{ {ty} v = {{0}}; {0}(v); }}\n",
            proto.symbol
        );
    }
    for (i, t) in Target::ALL.into_iter().enumerate() {
        let (ok, ir, stderr) = run_clang(t.triple(), &["-S", "-emit-llvm", "-O0", "-o", "-"], &src);
        assert!(ok, "clang --target={t} failed:\n{stderr}");
        for (name, per_target) in EXPECTED {
            let symbol = format!("@t_echo_{name}(");
            let decl = ir
                .lines()
                .find(|l| l.starts_with("declare") && l.contains(&symbol))
                .unwrap_or_else(|| panic!("no declaration of {symbol} on {t}:\n{ir}"));
            let (head, rest) = decl.split_once(&symbol).expect("symbol");
            let params_text = &rest[..rest.rfind(')').expect("closing paren")];
            let mut params = split_top(params_text);
            let ret = if let Some(pos) = params.iter().position(|p| p.contains("sret")) {
                params.remove(pos);
                "sret".to_owned()
            } else {
                let mut ret_ty = head.trim_start_matches("declare").trim();
                for attr in ["dso_local ", "noundef ", "zeroext ", "signext ", "inreg "] {
                    ret_ty = ret_ty.strip_prefix(attr).unwrap_or(ret_ty).trim();
                }
                let ret_ty = ret_ty.to_owned();
                observed(&ir, t, &[ret_ty], false)
            };
            let param = observed(&ir, t, &params, true);
            let (want_param, want_ret) = per_target[i];
            assert_eq!(
                (param.as_str(), ret.as_str()),
                (want_param, want_ret),
                "{name} on {t}: clang declared `{decl}`"
            );
        }
    }
}

/// Methods whose later record parameters run out of System V registers, with the indices
/// of the parameters expected in memory on x86_64 Linux.
fn register_pressure() -> (Model, Vec<Vec<usize>>) {
    let many = |ty: &str, n: usize| -> Vec<String> {
        ["a", "b", "c", "d", "e", "f", "g", "h"][..n]
            .iter()
            .map(|name| format!("{{ {ty}: {name} }}"))
            .collect()
    };
    let method = |name: &str, params: Vec<String>, ret: Option<&str>| {
        let ret = ret.map_or_else(String::new, |r| format!(", returns: {r}"));
        format!(
            "{{ name: {name}, params: [ {} ]{ret}, effect: pure }}",
            params.join(", ")
        )
    };
    let mut ints = many("i64", 6);
    ints.push("{ LI: g }".to_owned());
    let mut with_string = vec!["{ string: s }".to_owned()];
    with_string.extend(many("LI", 3));
    let (methods, expected): (Vec<String>, Vec<Vec<usize>>) = [
        (method("sse", many("DD", 5), None), vec![4]),
        (method("int", many("LI", 4), None), vec![3]),
        (method("str", with_string, None), vec![3]),
        (method("sret", many("LI", 3), Some("IDB")), vec![2]),
        (method("mixed", many("FID", 7), None), vec![6]),
        (method("scalars", ints, None), vec![6]),
        (method("fits", many("LI", 3), None), vec![]),
    ]
    .into_iter()
    .unzip();
    let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
    (sample_with(&methods), expected)
}

#[test]
fn system_v_registers_run_out_along_the_parameter_list() {
    let (model, expected) = register_pressure();
    let iface = &model.interfaces()[0];
    let linux = Layouts::new(iface, Target::X86_64Linux);
    let darwin = Layouts::new(iface, Target::Aarch64Darwin);
    for (m, in_memory) in iface.methods().iter().zip(&expected) {
        let name = m.name();
        let mp = layout::method_passing(iface, &linux, m);
        let got: Vec<usize> = (0..mp.params.len())
            .filter(|&i| mp.params[i] == PassClass::Byval)
            .collect();
        assert_eq!(&got, in_memory, "{name}");
        // Elsewhere the position does not matter.
        let on_darwin = layout::method_passing(iface, &darwin, m);
        for (p, c) in m.params().iter().zip(&on_darwin.params) {
            assert_eq!(*c, layout::param_class(iface, &darwin, p.ty()));
        }
    }
}

#[test]
fn clang_agrees_on_register_pressure() {
    if !clang_available("clang_agrees_on_register_pressure") {
        return;
    }
    let (model, expected) = register_pressure();
    let iface = &model.interfaces()[0];
    let mut src = c_decls(iface);
    for m in iface.methods() {
        let proto = lower::c_prototype(iface, m);
        src += &format!("{proto};\nvoid *use_{0} = (void*){0};\n", proto.symbol);
    }
    let (ok, ir, stderr) = run_clang(
        "x86_64-unknown-linux-gnu",
        &["-S", "-emit-llvm", "-O0", "-o", "-"],
        &src,
    );
    assert!(ok, "{stderr}");
    for (m, in_memory) in iface.methods().iter().zip(&expected) {
        let name = m.name();
        let symbol = format!("@t_{name}(");
        let decl = ir
            .lines()
            .find(|l| l.starts_with("declare") && l.contains(&symbol))
            .unwrap_or_else(|| panic!("no declaration of {symbol}:\n{ir}"));
        // The record types clang put in memory, in order, against the expected parameters.
        let byval: Vec<&str> = decl
            .split("byval(%struct.")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap_or(""))
            .collect();
        let want: Vec<&str> = in_memory
            .iter()
            .map(|&i| lower::c_type(iface, m.params()[i].ty()))
            .collect();
        assert_eq!(byval, want, "{name}: `{decl}`");
        // The other records are coerced into registers: never a pointer to them.
        assert!(
            !decl.contains("noundef %struct") && !decl.contains("* noundef)"),
            "{decl}"
        );
    }
}
