//! Every foreign spelling of a BID name (Rust idents, C identifiers, C symbols), computed in one place.
//!
//! `check` calls these once per item and stores the results on the [`crate::Model`], so emitters
//! never re-derive a name and the Rust and C sides cannot disagree.

/// Whether `s` is a BID identifier: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits an identifier into words at `_`, at lower-to-upper changes and before the last
/// capital of an acronym (`HTTPServer` -> `HTTP`, `Server`). Digits stick to the word before.
fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The number of leading underscores, kept by `snake_case` so `_private` stays private-looking.
fn leading_underscores(s: &str) -> usize {
    s.chars().take_while(|&c| c == '_').count()
}

/// `fillRect` -> `fill_rect`, `HTTPServer` -> `http_server`; leading underscores are kept.
pub fn snake_case(s: &str) -> String {
    if is_snake_case(s) {
        return s.to_owned();
    }
    let words = words(s);
    let mut out = "_".repeat(leading_underscores(s));
    let joined: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    out.push_str(&joined.join("_"));
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Most names are already snake_case: they skip the word split.
fn is_snake_case(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.is_empty()
        && !s.contains("__")
        && !s.ends_with('_')
}

/// `file` -> `File`, `file_handle` -> `FileHandle`, `HTTPServer` -> `HttpServer`.
pub fn upper_camel_case(s: &str) -> String {
    let mut out = String::new();
    for w in words(s) {
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            out.extend(first.to_uppercase());
            out.push_str(&cs.as_str().to_lowercase());
        }
    }
    if out.is_empty() {
        // Only underscores: keep a valid, non-empty identifier.
        out = format!("{s}_");
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        // `_0` has no word that starts with a letter: keep the underscore, so the result is
        // still an identifier.
        out.insert(0, '_');
    }
    out
}

/// Rust keywords of every edition (strict and reserved) that need `r#` or a suffix.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const RUST_NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Whether `s` is a Rust keyword (strict or reserved, any edition).
pub fn is_rust_keyword(s: &str) -> bool {
    RUST_KEYWORDS.contains(&s)
}

/// Makes `s` usable as a Rust identifier: `type` -> `r#type`, `self` -> `self_`, `_` -> `__`.
pub fn rust_escape(s: &str) -> String {
    rust_escape_owned(s.to_owned())
}

/// [`rust_escape`] reusing `s`'s allocation: `check` spells tens of thousands of names.
fn rust_escape_owned(mut s: String) -> String {
    if RUST_NOT_RAW.contains(&s.as_str()) {
        s.push('_');
        s
    } else if is_rust_keyword(&s) {
        s.insert_str(0, "r#");
        s
    } else {
        s
    }
}

/// Rust ident of a method, parameter or field: snake_case, then keyword-escaped.
pub fn rust_value_ident(name: &str) -> String {
    // The common case (already snake_case) copies `name` once.
    let snake = if is_snake_case(name) {
        let mut s = String::with_capacity(name.len() + 2);
        s.push_str(name);
        s
    } else {
        snake_case(name)
    };
    rust_escape_owned(snake)
}

/// Methods every generated box has; a BID method of that name gets a trailing `_`.
pub const BOX_METHODS: &[&str] = &["load", "load_with", "load_default", "audit"];

/// Rust ident of a method: like [`rust_value_ident`], and clear of the box's own methods
/// (`load` -> `load_`).
pub fn rust_method_ident(name: &str) -> String {
    let mut ident = rust_value_ident(name);
    if BOX_METHODS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// Rust ident of a type: UpperCamelCase, then keyword-escaped (`self` -> `Self_`).
pub fn rust_type_ident(name: &str) -> String {
    rust_escape(&upper_camel_case(name))
}

/// The longest name a BID file may give anything, in bytes: generous for any real name, and
/// a bound on what one name can multiply into the generated files.
pub const MAX_NAME_BYTES: usize = 255;

/// C keywords (C89 to C23).
const C_KEYWORDS: &[&str] = &[
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_BitInt",
    "_Bool",
    "_Complex",
    "_Decimal128",
    "_Decimal32",
    "_Decimal64",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "alignas",
    "alignof",
    "auto",
    "bool",
    "break",
    "case",
    "char",
    "const",
    "constexpr",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "false",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "nullptr",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "struct",
    "switch",
    "thread_local",
    "true",
    "typedef",
    "typeof",
    "typeof_unqual",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
];

/// C++ keywords and alternative tokens (the header is compiled as C++ too).
const CXX_KEYWORDS: &[&str] = &[
    "and",
    "and_eq",
    "asm",
    "bitand",
    "bitor",
    "catch",
    "char8_t",
    "char16_t",
    "char32_t",
    "class",
    "co_await",
    "co_return",
    "co_yield",
    "compl",
    "concept",
    "const_cast",
    "consteval",
    "constinit",
    "decltype",
    "delete",
    "dynamic_cast",
    "explicit",
    "export",
    "friend",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "reinterpret_cast",
    "requires",
    "static_cast",
    "template",
    "this",
    "throw",
    "try",
    "typeid",
    "typename",
    "using",
    "virtual",
    "wchar_t",
    "xor",
    "xor_eq",
];

/// Names the generated header uses from `<stddef.h>` and `<stdint.h>`, names compilers
/// predefine as macros outside strict modes, and the program's entry point.
const C_TAKEN: &[&str] = &[
    "NULL",
    "offsetof",
    "size_t",
    "ptrdiff_t",
    "max_align_t",
    "intptr_t",
    "uintptr_t",
    "intmax_t",
    "uintmax_t",
    "SIZE_MAX",
    "PTRDIFF_MIN",
    "PTRDIFF_MAX",
    "SIG_ATOMIC_MIN",
    "SIG_ATOMIC_MAX",
    "WCHAR_MIN",
    "WCHAR_MAX",
    "WINT_MIN",
    "WINT_MAX",
    "linux",
    "unix",
    "i386",
    "main",
];

/// Why `s` cannot be a C identifier of its own in the generated header, or `None` when it can.
///
/// Beyond the keywords: what `<stddef.h>` and `<stdint.h>` define (`int32_t`, `INT32_MAX`,
/// `UINT8_C`, ...), the header's own macros and helper names (everything starting `BID_`,
/// `bid_buf`, `bid_align_`, `bid_static_assert_`, and every `<PREFIX>_BID_SIGNATURE`), names
/// the C standard reserves for the implementation (`__x`, `_X`, where predefined macros such
/// as `__linux__` live), and `main`.
pub fn c_reserved(s: &str) -> Option<&'static str> {
    if C_KEYWORDS.contains(&s) {
        Some("a C keyword")
    } else if CXX_KEYWORDS.contains(&s) {
        Some("a C++ keyword")
    } else if s == "main" {
        Some("the C program's entry point")
    } else if C_TAKEN.contains(&s) || is_stdint_name(s) {
        Some("a name the C headers bid includes already define")
    } else if s.starts_with("BID_")
        || s.starts_with("bid_buf")
        || s.starts_with("bid_align_")
        || s.starts_with("bid_static_assert_")
        || s.ends_with("_BID_SIGNATURE")
    {
        Some("a name the generated header defines")
    } else if s.starts_with("__")
        || (s.starts_with('_') && s[1..].starts_with(|c: char| c.is_ascii_uppercase()))
    {
        Some("reserved for the C implementation (`__x` and `_X`)")
    } else {
        None
    }
}

/// `int32_t`, `uint_least8_t`, `INT64_MAX`, `UINT16_C`, `INT_FAST8_MIN`, ...
fn is_stdint_name(s: &str) -> bool {
    let typedef = s
        .strip_suffix("_t")
        .map(|t| t.strip_prefix('u').unwrap_or(t))
        .and_then(|t| t.strip_prefix("int"))
        .is_some_and(|w| {
            let w = w
                .strip_prefix("_least")
                .or_else(|| w.strip_prefix("_fast"))
                .unwrap_or(w);
            matches!(w, "8" | "16" | "32" | "64" | "ptr" | "max")
        });
    let mac = ["_MIN", "_MAX", "_C"]
        .iter()
        .find_map(|suffix| s.strip_suffix(suffix))
        .map(|t| t.strip_prefix('U').unwrap_or(t))
        .and_then(|t| t.strip_prefix("INT"))
        .is_some_and(|w| {
            let w = w
                .strip_prefix("_LEAST")
                .or_else(|| w.strip_prefix("_FAST"))
                .unwrap_or(w);
            matches!(w, "8" | "16" | "32" | "64" | "PTR" | "MAX")
        });
    typedef || mac
}

/// Makes `s` usable as a local C name (a struct member, a parameter), so no keyword or macro
/// captures it: a reserved name gets a trailing `_` (`int` -> `int_`, `BID_OK` -> `BID_OK_`),
/// except one in the implementation's namespace (`__x`, `_X`), where any suffix may still
/// spell a predefined macro (`__LINE_` + `_`): it is prefixed with `bid` instead
/// (`__LINE_` -> `bid__LINE_`).
pub fn c_escape(s: &str) -> String {
    if c_reserved(s).is_none() {
        s.to_owned()
    } else if s.starts_with('_') {
        format!("bid{s}")
    } else {
        format!("{s}_")
    }
}

/// Rust's primitive types: a box (a struct in the generated module) named like one would hide
/// it from every use in that module.
const RUST_PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f16", "f32", "f64", "f128",
];

/// Whether `s` is the name of a Rust primitive type (`f32`, `str`, `u8`, ...).
pub fn is_rust_primitive(s: &str) -> bool {
    RUST_PRIMITIVES.contains(&s)
}

/// Whether a Rust type name is one bid's generated code gives its own items (`__Bid...`,
/// `__BID_...`): a box of that name could clash with them.
pub fn rust_reserved(s: &str) -> bool {
    s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("__bid"))
}

/// C parameter name: like [`c_escape`], and `out` is taken by the trailing out-parameter.
pub fn c_param(s: &str) -> String {
    if s == "out" {
        "out_".to_owned()
    } else {
        c_escape(s)
    }
}

/// An identifier made of `[A-Z0-9_]` from arbitrary text: ASCII letters upper-cased, anything
/// else `_`, runs of `_` collapsed (a `__` is reserved in C++), no leading or trailing `_`.
pub fn upper_ident(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        };
        if !(c == '_' && (out.is_empty() || out.ends_with('_'))) {
            out.push(c);
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// `<PREFIX>_BID_SIGNATURE`: the macro the header defines with an interface's signature text.
/// A prefix whose upper-case form starts with a digit (`_0x` -> `0X`) gets a leading `_`
/// (`_0X_BID_SIGNATURE`), so the macro is an identifier; no other prefix spells that, since
/// [`upper_ident`] never starts with `_`.
pub fn signature_macro(prefix: &str) -> String {
    let upper = upper_ident(prefix);
    let lead = if upper.starts_with(|c: char| c.is_ascii_digit()) {
        "_"
    } else {
        ""
    };
    format!("{lead}{upper}_BID_SIGNATURE")
}

/// Default symbol prefix of an interface: `<namespace>_<name>` with `.` -> `_`.
pub fn default_symbol_prefix(namespace: &str, name: &str) -> String {
    format!("{namespace}_{name}").replace('.', "_")
}

/// The exported C symbol of a method: the `symbol:` override or `<prefix>_<method>`.
pub fn c_symbol(prefix: &str, method: &str, symbol: Option<&str>) -> String {
    match symbol {
        Some(s) => s.to_owned(),
        None => join(prefix, method),
    }
}

/// The C name of a declared type: `<prefix>_<TypeName>`.
pub fn c_type(prefix: &str, name: &str) -> String {
    join(prefix, name)
}

/// `<a>_<b>` in one allocation.
fn join(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + 1 + b.len());
    s.push_str(a);
    s.push('_');
    s.push_str(b);
    s
}

/// C and Rust spellings of BID types, for the hint of an unknown type that is one of them.
const ALIASES: &[(&str, &str)] = &[
    ("int", "i32"),
    ("int32_t", "i32"),
    ("long", "i64"),
    ("int64_t", "i64"),
    ("float", "f32"),
    ("double", "f64"),
    ("boolean", "bool"),
    ("_Bool", "bool"),
    ("str", "string"),
    ("String", "string"),
    ("char*", "string"),
    ("Vec<u8>", "bytes"),
];

/// The BID type a C or Rust type name means (`double` is `f64`), for a hint.
pub(crate) fn bid_spelling(name: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(other, _)| *other == name)
        .map(|(_, bid)| *bid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for yes in ["fillRect", "_x1", "_"] {
            assert!(is_identifier(yes), "{yes}");
        }
        for no in ["1x", "a-b", "", "é"] {
            assert!(!is_identifier(no), "{no}");
        }
    }

    #[test]
    fn snake_and_camel() {
        for (name, snake, camel) in [
            ("fillRect", "fill_rect", "FillRect"),
            ("HTTPServer", "http_server", "HttpServer"),
            ("already_snake", "already_snake", "AlreadySnake"),
            ("getX", "get_x", "GetX"),
            ("file2Open", "file2_open", "File2Open"),
            ("_private", "_private", "Private"),
            ("ABC", "abc", "Abc"),
            ("_", "_", "__"),
            ("_0", "_0", "_0"),
            ("__1a_b", "__1a_b", "_1aB"),
            ("FileHandle", "file_handle", "FileHandle"),
            ("file", "file", "File"),
        ] {
            assert_eq!(snake_case(name), snake, "{name}");
            assert_eq!(upper_camel_case(name), camel, "{name}");
        }
    }

    #[test]
    fn rust_keywords() {
        for (name, value, method) in [
            ("type", "r#type", "r#type"),
            ("match", "r#match", "r#match"),
            ("self", "self_", "self_"),
            ("super", "super_", "super_"),
            ("crate", "crate_", "crate_"),
            ("_", "__", "__"),
            ("fillRect", "fill_rect", "fill_rect"),
            ("gen", "r#gen", "r#gen"),
            ("load", "load", "load_"),
            ("loadDefault", "load_default", "load_default_"),
            ("open", "open", "open"),
        ] {
            assert_eq!(rust_value_ident(name), value, "{name}");
            assert_eq!(rust_method_ident(name), method, "{name}");
        }
        assert_eq!(rust_type_ident("self"), "Self_");
        assert_eq!(rust_type_ident("type"), "Type");
        assert!(rust_reserved("__BidOwn") && rust_reserved("__bid") && !rust_reserved("_bid"));
        assert!(is_rust_primitive("f32") && is_rust_primitive("str") && !is_rust_primitive("F32"));
    }

    #[test]
    fn c_keywords() {
        assert_eq!(c_escape("int"), "int_");
        assert_eq!(c_escape("class"), "class_");
        assert_eq!(c_escape("new"), "new_");
        assert_eq!(c_escape("template"), "template_");
        assert_eq!(c_escape("delete"), "delete_");
        assert_eq!(c_escape("int32_t"), "int32_t_");
        assert_eq!(c_escape("path"), "path");
        for taken in [
            "BID_OK",
            "BID_E_IO",
            "BID_EXPORT",
            "NYASH_FILE_BID_SIGNATURE",
            "bid_buf",
            "INT32_MAX",
            "UINT8_C",
            "INT_FAST16_MIN",
            "uint_least8_t",
            "intmax_t",
            "NULL",
            "main",
            "linux",
            "offsetof",
            "bid_buf_x",
        ] {
            assert!(c_reserved(taken).is_some(), "{taken}");
            assert_eq!(c_escape(taken), format!("{taken}_"));
        }
        for implementation in ["__bid_call", "__linux__", "__LINE_", "_Foo", "_Bool", "__"] {
            assert!(c_reserved(implementation).is_some(), "{implementation}");
            let escaped = c_escape(implementation);
            assert_eq!(escaped, format!("bid{implementation}"));
            assert_eq!(c_reserved(&escaped), None, "{escaped}");
        }
        for free in [
            "int32",
            "INT32",
            "uint",
            "_x",
            "bid",
            "bidder",
            "Bid_OK",
            "nyash_file_open",
            "x_t",
        ] {
            assert_eq!(c_reserved(free), None, "{free}");
        }
        assert_eq!(c_reserved("int"), Some("a C keyword"));
        assert_eq!(c_reserved("class"), Some("a C++ keyword"));
        assert_eq!(c_param("out"), "out_");
    }

    #[test]
    fn symbols() {
        assert_eq!(default_symbol_prefix("nyash", "file"), "nyash_file");
        assert_eq!(default_symbol_prefix("a.b", "c"), "a_b_c");
        assert_eq!(
            c_symbol("nyash_file", "fillRect", None),
            "nyash_file_fillRect"
        );
        assert_eq!(c_symbol("p", "close", Some("close_v2")), "close_v2");
        assert_eq!(c_type("nyash_file", "FileHandle"), "nyash_file_FileHandle");
        assert_eq!(signature_macro("nyash_file"), "NYASH_FILE_BID_SIGNATURE");
        assert_eq!(signature_macro("_0x"), "_0X_BID_SIGNATURE");
        assert!(is_identifier(&signature_macro("__9")));
    }
}
