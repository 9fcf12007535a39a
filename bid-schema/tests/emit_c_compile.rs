//! The generated headers compile clean as C99, C11 and C++11 under gcc and clang, their layout
//! assertions hold on every target (clang `--target`), and a wrong number makes them fail.

mod emit_c_support;

use bid_schema::emit::c::header;
use bid_schema::layout::Target;
use bid_schema::model::Model;
use bid_schema::signature;
use emit_c_support::*;
use std::fmt::Write as _;
use std::path::Path;

const STRICT: &[&str] = &["-Wall", "-Wextra", "-Werror", "-pedantic"];

fn models() -> Vec<(&'static str, Model)> {
    vec![
        ("nyash_file", nyash_file()),
        ("all_types", all_types()),
        ("hostile", hostile()),
    ]
}

fn macro_name(prefix: &str) -> String {
    format!("{}_BID_SIGNATURE", prefix.to_ascii_uppercase())
}

/// Writes every header and a `use.c` that includes each twice (guards), defines every
/// `<prefix>_bid_signature` from its macro, and prints the signatures from `main`.
fn write_sources(dir: &Path, with_main: bool) {
    let mut src = String::new();
    for (stem, m) in models() {
        std::fs::write(dir.join(format!("{stem}.h")), header(&m)).expect("write header");
        writeln!(src, "#include \"{stem}.h\"\n#include \"{stem}.h\"").unwrap();
    }
    if with_main {
        src.push_str("#include <stdio.h>\n");
    }
    let mut prints = String::new();
    for (_, m) in models() {
        for i in m.interfaces() {
            let mac = macro_name(i.symbol_prefix());
            writeln!(
                src,
                "const char* {}(void) {{ return {mac}; }}",
                i.signature_symbol()
            )
            .unwrap();
            writeln!(prints, "    fputs({}(), stdout);", i.signature_symbol()).unwrap();
        }
    }
    if with_main {
        writeln!(src, "int main(void) {{\n{prints}    return 0;\n}}").unwrap();
    }
    std::fs::write(dir.join("use.c"), src).expect("write use.c");
}

fn modes() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut v = vec![
        ("gcc", vec!["-std=c99"]),
        ("gcc", vec!["-std=c11"]),
        ("g++", vec!["-std=c++11", "-x", "c++"]),
    ];
    if have("clang") {
        v.push(("clang", vec!["-std=c99"]));
        v.push(("clang", vec!["-std=c11"]));
        v.push(("clang", vec!["-std=c++11", "-x", "c++"]));
    } else {
        eprintln!("note: clang not found, only gcc/g++ were run");
    }
    v
}

#[test]
fn headers_compile_as_c99_c11_and_cxx11() {
    let dir = scratch("modes");
    write_sources(&dir, false);
    let mut failures = Vec::new();
    for (cc, std) in modes() {
        let args: Vec<&str> = std
            .iter()
            .chain(STRICT)
            .copied()
            .chain(["-c", "-o", "use.o"])
            .collect();
        if let Err(e) = compile(&dir, cc, &args, "use.c") {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn signature_macros_hold_exactly_the_signature_text() {
    let dir = scratch("run");
    write_sources(&dir, true);
    compile(
        &dir,
        "gcc",
        &[
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-o",
            "use",
        ],
        "use.c",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(dir.join("use"))
        .output()
        .expect("run use");
    assert!(out.status.success());
    let want: String = models()
        .iter()
        .flat_map(|(_, m)| m.interfaces().iter().map(signature::text))
        .collect();
    assert_eq!(String::from_utf8(out.stdout).expect("utf-8"), want);
}

fn target_args(target: Target, lang: &str) -> Vec<String> {
    let mut args = vec![
        format!("--target={}", target.triple()),
        "-ffreestanding".into(),
        "-fsyntax-only".into(),
    ];
    match lang {
        "c++" => args.extend(["-x", "c++", "-std=c++11", "-nostdinc++"].map(String::from)),
        std => args.push(format!("-std={std}")),
    }
    args.extend(STRICT.iter().map(|s| (*s).to_owned()));
    args
}

#[test]
fn layout_assertions_hold_on_every_target() {
    if !have("clang") {
        eprintln!("note: clang not found, per-target layout assertions not run");
        return;
    }
    let dir = scratch("targets");
    write_sources(&dir, false);
    let mut failures = Vec::new();
    for target in Target::ALL {
        for lang in ["c99", "c11", "c++"] {
            let args = target_args(target, lang);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            if let Err(e) = compile(&dir, "clang", &args, "use.c") {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every `sizeof`/offset assertion of one record made wrong by one byte.
fn break_layout(h: &str, c_type: &str) -> String {
    let size = format!("BID_STATIC_ASSERT(sizeof({c_type}) == ");
    let off = format!("BID_STATIC_ASSERT(offsetof({c_type}, ");
    h.lines()
        .map(|l| {
            if l.starts_with(&size) || l.starts_with(&off) {
                l.replacen(" == ", " == 1 + ", 1)
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_wrong_layout_number_fails_in_every_mode_and_target() {
    let dir = scratch("wrong");
    let broken = break_layout(&header(&all_types()), "t_all_Mixed");
    assert_ne!(
        broken,
        header(&all_types()),
        "the mutation must change something"
    );
    std::fs::write(dir.join("all_types.h"), broken).unwrap();
    std::fs::write(dir.join("use.c"), "#include \"all_types.h\"\n").unwrap();
    for (cc, std) in modes() {
        let args: Vec<&str> = std
            .iter()
            .chain(STRICT)
            .copied()
            .chain(["-c", "-o", "use.o"])
            .collect();
        let err = compile(&dir, cc, &args, "use.c").expect_err("a wrong size must not compile");
        assert!(err.contains("t_all_Mixed_size_"), "{cc} {std:?}: {err}");
    }
    if have("clang") {
        for target in Target::ALL {
            let args = target_args(target, "c99");
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = compile(&dir, "clang", &args, "use.c").expect_err("wrong size");
            let slug = target.triple().replace('-', "_");
            assert!(err.contains(&format!("t_all_Mixed_size_{slug}")), "{err}");
        }
    }
}

#[test]
fn hostile_docs_stay_in_comments() {
    let h = header(&hostile());
    let dir = scratch("hostile");
    std::fs::write(dir.join("hostile.h"), &h).unwrap();
    // Preprocessing drops comments: any doc text that escaped one would show up here.
    let out = std::process::Command::new("gcc")
        .args([
            "-E",
            "-P",
            "-std=c99",
            "-Wall",
            "-Werror",
            "-x",
            "c",
            "hostile.h",
        ])
        .current_dir(&dir)
        .output()
        .expect("gcc -E");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pre = String::from_utf8_lossy(&out.stdout);
    for word in ["boom", "bidi", "backslash", "nested", "slashes", "ファイル"] {
        assert!(!pre.contains(word), "`{word}` escaped a comment:\n{pre}");
    }
    for line in h.lines() {
        assert!(!line.starts_with("#error"), "{line}");
    }
    assert!(!h.contains("??/"), "no trigraph survives");
    assert!(!h.contains('\0') && !h.contains('\r') && !h.contains('\u{202E}'));
    for (cc, std) in modes() {
        let args: Vec<&str> = std
            .iter()
            .chain(STRICT)
            .copied()
            .chain(["-fsyntax-only"])
            .collect();
        compile(&dir, cc, &args, "hostile.h").unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn bid_export_keeps_symbols_visible_under_hidden_default() {
    let dir = scratch("export");
    std::fs::write(dir.join("nyash_file.h"), header(&nyash_file())).unwrap();
    let plugin = r#"#include "nyash_file.h"
#include <stdlib.h>
nyash_file_FileHandle nyash_file_open(const char* path_ptr, int32_t path_len, const char* mode_ptr, int32_t mode_len) {
    (void)path_ptr; (void)mode_ptr; return path_len + mode_len;
}
void nyash_file_read(nyash_file_FileHandle h, int32_t size, bid_buf* out) {
    (void)h; out->ptr = malloc((size_t)size); out->len = size;
}
int32_t nyash_file_write(nyash_file_FileHandle h, const uint8_t* data_ptr, int32_t data_len) {
    (void)h; (void)data_ptr; return data_len;
}
int32_t nyash_file_close_v2(nyash_file_FileHandle h) { return h < 0 ? BID_E_BAD_HANDLE : BID_OK; }
void nyash_file_bid_free(void* ptr, int32_t len) { (void)len; free(ptr); }
const char* nyash_file_bid_signature(void) { return NYASH_FILE_BID_SIGNATURE; }
static int hidden_helper(void) { return 0; }
int not_exported(void);
int not_exported(void) { return hidden_helper(); }
"#;
    std::fs::write(dir.join("plugin.c"), plugin).unwrap();
    let args = [
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-shared",
        "-fPIC",
        "-fvisibility=hidden",
        "-o",
        "libplugin.so",
    ];
    compile(&dir, "gcc", &args, "plugin.c").unwrap_or_else(|e| panic!("{e}"));
    let nm = std::process::Command::new("nm")
        .args(["-D", "--defined-only", "libplugin.so"])
        .current_dir(&dir)
        .output()
        .expect("nm");
    let syms = String::from_utf8_lossy(&nm.stdout);
    for s in [
        "nyash_file_open",
        "nyash_file_read",
        "nyash_file_write",
        "nyash_file_close_v2",
        "nyash_file_bid_free",
        "nyash_file_bid_signature",
    ] {
        assert!(
            syms.lines().any(|l| l.ends_with(&format!(" {s}"))),
            "{s} not exported:\n{syms}"
        );
    }
    assert!(!syms.contains("not_exported"), "{syms}");
}
