//! Word lists: names that are keywords of Rust, C and C++ or that bid's generated code uses
//! itself, BID's own words, values at the edges, hostile unicode, and doc text that tries to
//! break out of a comment. Shared by the mutators and the valid-file generator.

/// Anchor names, ASCII and not.
#[rustfmt::skip]
pub const ANCHORS: &[&str] = &[
    "a", "x1", "ñame", "名前", "😀", "e\u{301}", "a-b", "a.b", "_", "A",
];

/// Rust keywords of every edition, weak keywords and names with meaning in Rust code.
#[rustfmt::skip]
pub const RUST_NAMES: &[&str] = &[
    "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "union", "macro_rules",
    "raw", "safe", "auto", "default", "abstract", "_", "__", "Self_", "self_", "r", "str", "u8",
    "f32", "f64", "i64", "bool", "char", "u64",
    "i32", "usize", "Box", "String", "Vec", "Option", "Some", "None", "Result", "Ok", "Err",
    "Drop", "Clone", "Copy", "Debug", "Default", "Send", "Sync", "Sized", "core", "std", "alloc",
    "f", "fmt",
];

/// C and C++ keywords and names the C standard headers bid includes define.
#[rustfmt::skip]
pub const C_NAMES: &[&str] = &[
    "int", "char", "long", "short", "signed", "unsigned", "float", "double", "void", "bool",
    "_Bool", "auto", "register", "restrict", "volatile", "inline", "goto", "switch", "case",
    "typedef", "sizeof", "union", "alignas", "alignof", "static_assert", "thread_local",
    "_Static_assert", "_Alignof", "_Generic", "_Noreturn", "_Atomic", "_Complex", "_Pragma",
    "constexpr", "nullptr", "typeof_unqual", "class", "new", "delete", "this", "template",
    "typename", "namespace", "operator", "private", "public", "protected", "friend", "virtual",
    "explicit", "mutable", "noexcept", "decltype", "concept", "requires", "co_await", "and", "or",
    "not", "xor", "bitand", "compl", "wchar_t", "char8_t", "export", "asm", "main", "NULL",
    "errno", "offsetof", "assert", "EOF", "size_t", "ptrdiff_t", "max_align_t", "int8_t",
    "int32_t", "int64_t", "uint8_t", "intptr_t", "uintptr_t", "INT32_MAX", "SIZE_MAX", "INT8_C",
    "int_least8_t", "intmax_t", "__cplusplus", "__STDC__", "__LINE__", "__FILE__", "__func__",
    "__attribute__", "__extension__", "__declspec", "unix", "linux", "stdin", "I", "complex",
    "fortran",
];

/// Names bid's generated C and Rust use for their own purposes.
#[rustfmt::skip]
pub const GENERATED_NAMES: &[&str] = &[
    "__bid_call", "__bid_body", "__bid_p0", "__bid_l0", "__bid_p1", "__bid_l1", "__bid_r",
    "__bid_lib", "__bid_out", "__bid_status", "__bid_x", "fns", "lib", "path", "out", "out_",
    "out__ptr", "x_ptr", "x_len", "ptr", "len", "raw", "from_raw", "BID_OK", "BID_E_IO",
    "BID_E_INTERNAL", "BID_EXPORT", "BID_STATIC_ASSERT", "BID_ALIGNOF", "BID_LONG_STRING",
    "BID_BUF_DEFINED", "BID_STATUS_DEFINED", "bid_buf", "bid_align_bid_buf", "bid_static_assert_x",
    "load", "load_default", "loadDefault", "audit", "bid_free", "bid_signature", "Library",
    "CallResult", "CallError", "PluginString", "PluginBytes", "PluginSlice", "Audit",
    "bid_runtime", "__private", "__BidXFns", "__BID_X_META", "__BID_X_META_PASSING",
    "X_BID_SIGNATURE", "a_b_bid_free", "a_b_m", "a_b_H", "a_b_R",
];

/// BID's own words: built-in types, kinds, effects, ownerships.
#[rustfmt::skip]
pub const BID_WORDS: &[&str] = &[
    "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "string",
    "bytes", "cstr", "void", "handle", "array", "list", "map", "optional", "result", "record", "pure", "mut", "io", "control", "borrowed",
    "transferred", "reference", "dynamic_library", "pointer", "nullable", "free",
];

/// Values at the edges: empty, blank, huge, negative, floats, special floats, bad types.
#[rustfmt::skip]
pub const VALUES: &[&str] = &[
    "\" \"", "\"\"", "''", "\"\\t\"", "99999999999999999999999999", "-1", "-9223372036854775808",
    "9223372036854775807", "18446744073709551616", "4294967296", "0x10", "0o17", "0b1", "1e400",
    "-0", "+0", ".nan", ".inf", "-.inf", "1_000", "0.5", "1.0", "true", "false", "yes", "~", "[]",
    "{}", "[ [ ] ]", "array(", "array()", "array(array(i32))", "\" array ( i32 ) \"",
    "array(void)", "array(bool)", "array(string)", "array(bytes)", "optional(i32)", "list(i32)",
    "array(i32", "(", ")", "()", "array(i32))", "array (i32)", "array(i32)x", "\"i32 \"",
    "\" i32\"", "\"i32\\n\"", "\"1.0.0\"", "\"1.0.0-\"", "\"1.0.0+b\"", "\"01.0.0\"",
    "\"1.0.0-\u{e9}\"", "1.0", "0", "32", "64", "4096", "8192", "3", "big", "handle", "record",
    "pointer", "i128", "u32", "void", "borrowed", "transferred", "reference", "pure", "control",
    "a.b", "a..b", ".a", "a.", "a.b.c.d.e", "\"a b\"",
];

/// Characters that confuse readers, terminals, parsers and compilers.
#[rustfmt::skip]
pub const UNICODE: &[&str] = &[
    "\u{202E}", "\u{202D}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200F}", "\u{200B}",
    "\u{200D}", "\u{FEFF}", "\r", "\0", "\u{85}", "\u{2028}", "\u{2029}", "é", "ß", "Σ", "名", "😀",
    "👩\u{200D}💻", "\u{301}", "e\u{301}", "\u{338}", "\u{FFFD}", "\u{FFFF}", "\u{10FFFF}",
    "\u{E000}", "Ａ", "а", "\t", "\u{7f}", "\u{1b}[31m", "\u{c}", "\u{b}", "\u{1F1FA}\u{1F1F8}",
    "ǅ", "ﬁ", "İ", "\u{a0}", "\u{3000}",
];

/// Doc text aimed at the C comment, the Rust doc attribute and the YAML around it.
#[rustfmt::skip]
pub const TRICKY_DOCS: &[&str] = &[
    "*/", "/*", "*/ int injected; /*", "*/\n#error injected\n/*", "??/",
    "ends with a backslash \\", "two \\\nlines", "\\", "\"quoted\" and 'single'",
    "// not a comment", "#endif", "#define X 1", "cr\ralone", "nul\0byte",
    "\u{202E}reversed\u{202C} bidi \u{2066}isolate\u{2069}", "é 名前 😀 e\u{301}", "```",
    "```rust\nfn main() {}\n```", "line1\n\nline3", "trailing spaces   \n  leading",
    "%s %n {} {{}}", "</script><!--", "\u{2028}ls \u{2029}ps \u{85}nel", "tab\there", "*/*/*/",
    "/**/", "-->", "#[doc = \"x\"]", "\")] fn injected() {} #[doc = \"",
];

/// Names a declared type cannot take: built-in and reserved type names.
#[rustfmt::skip]
pub const BUILTIN: &[&str] = &[
    "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "string",
    "bytes", "cstr", "void", "handle", "array", "list", "map", "optional", "result",
];

/// Words plain generated names are made of.
#[rustfmt::skip]
pub const DICT: &[&str] = &[
    "open", "read", "write", "close", "file", "handle", "value", "size", "count", "data", "point",
    "x", "y", "get", "set", "name", "http", "server", "id", "buf", "len", "ptr", "item", "node",
];

/// Suffixes bid's emitters append to names, for look-alike names.
#[rustfmt::skip]
pub const SUFFIXES: &[&str] = &[
    "_ptr", "_len", "_", "__", "_size", "_align", "_offset", "_bid_free", "_bid_signature", "Fns",
    "_META", "1", "_t", "_x86_64_unknown_linux_gnu",
];

/// The scalar types of BID.
pub const SCALARS: &[&str] = &[
    "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
];

/// The scalars an `array(...)` may hold (every one but `bool`).
pub const ELEMENTS: &[&str] = &[
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
];

/// File names bid may be given: what the `@generated` line, the header's preamble comment
/// and include guard, and the skeletons' comments must escape.
#[rustfmt::skip]
pub const FILE_NAMES: &[&str] = &[
    "dir\n pub fn injected_live() -> u32 { 42 }\n/x.bid.yaml", "a*/ int injected; /*b.bid.yaml",
    "\u{202e}x\u{2066}.bid.yaml", "a\\\nb.bid.yaml", "a\rb.bid.yaml", "`x`\\y.bid.yaml",
    "0.bid.yaml", "_.bid.yaml", ".bid.yaml", "BID_OK.bid.yaml", "bid_buf.h.bid.yaml",
    "é/名前/😀.bid.yaml", "C:\\plugins\\x.bid.yaml", "??/.bid.yaml", "x\0y.bid.yaml",
    "/**/.yaml", "#include <x>\n.yml", "\"q\".bid.yml", "-.bid.yaml",
];

/// [`FILE_NAMES`]`[k]` made unique by `tag` (before its `.bid.yaml`/`.yml` suffix), so files
/// given hostile names still get distinct include guards and can share a translation unit.
pub fn tagged_file_name(k: usize, tag: &str) -> String {
    let name = FILE_NAMES[k % FILE_NAMES.len()];
    for suffix in [".bid.yaml", ".bid.yml", ".yaml", ".yml"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return format!("{stem}_{tag}{suffix}");
        }
    }
    format!("{name}_{tag}")
}
