//! The canonical signature text's format line and the one comparer of two signature texts.
//!
//! A plugin may export `const char* <prefix>_bid_signature(void)` returning the signature
//! text of the interface it was built from; the host compares it with the text its bindings
//! embed. The format (documented in `docs/signature.md`) is line oriented:
//!
//! ```text
//! bid-signature 0
//! interface nyash.file 1.0.0
//! fn open nyash_file_open(string borrowed) -> FileHandle:handle(i32) transferred fallible
//! ```
//!
//! Methods are compared by name, line against line. A plugin may export more methods than
//! the bindings call, and may carry another interface version, as long as every method the
//! bindings call has exactly the expected line.

use std::fmt;

/// The first line of every signature text of format 0.
pub const SIGNATURE_FORMAT_LINE: &str = "bid-signature 0";

/// One line that differs between the expected signature and the plugin's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureMismatch {
    /// The method name, or `interface` for the interface line.
    pub method: String,
    /// The line the bindings expect (`None`: the bindings' text has no interface line).
    pub expected: Option<String>,
    /// The line the plugin exports (`None`: missing from the plugin).
    pub found: Option<String>,
}

impl fmt::Display for SignatureMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "method `{}`:", self.method)?;
        match &self.expected {
            Some(e) => write!(f, "\n    expected: {e}")?,
            None => f.write_str("\n    expected: (not in the bindings)")?,
        }
        match &self.found {
            Some(x) => write!(f, "\n    found:    {x}"),
            None => f.write_str("\n    found:    (missing from the plugin)"),
        }
    }
}

/// The interface line's qualified name and the `fn` lines, keyed by method name.
struct Parsed<'a> {
    interface: Option<&'a str>,
    methods: Vec<(&'a str, &'a str)>,
}

fn parse(text: &str) -> Result<Parsed<'_>, String> {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    match lines.next() {
        Some(SIGNATURE_FORMAT_LINE) => {}
        Some("") | None => return Err("the signature is empty".to_owned()),
        Some(other) => {
            return Err(format!(
                "unsupported first line `{}` (this bid reads `{SIGNATURE_FORMAT_LINE}`)",
                other.escape_debug()
            ));
        }
    }
    let mut parsed = Parsed {
        interface: None,
        methods: Vec::new(),
    };
    for line in lines {
        if let Some(rest) = line.strip_prefix("interface ") {
            parsed.interface = rest.split(' ').next();
        } else if let Some(rest) = line.strip_prefix("fn ") {
            let name = rest.split(' ').next().unwrap_or(rest);
            parsed.methods.push((name, line));
        }
    }
    Ok(parsed)
}

/// Every method of `expected` whose line is missing from `found` or differs there, after an
/// `interface` entry when the two name different interfaces. `Err` says why `found` is not a
/// signature text of this format at all. A method named twice in `found` is compared by its
/// first line.
pub fn compare_signatures(expected: &str, found: &str) -> Result<Vec<SignatureMismatch>, String> {
    let found = parse(found)?;
    let expected = parse(expected).map_err(|e| format!("the bindings' own signature: {e}"))?;
    let mut out = Vec::new();
    if expected.interface != found.interface {
        out.push(SignatureMismatch {
            method: "interface".to_owned(),
            expected: expected.interface.map(|i| format!("interface {i}")),
            found: found.interface.map(|i| format!("interface {i}")),
        });
    }
    for (name, line) in &expected.methods {
        let theirs = found
            .methods
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| *l);
        if theirs != Some(*line) {
            out.push(SignatureMismatch {
                method: (*name).to_owned(),
                expected: Some((*line).to_owned()),
                found: theirs.map(str::to_owned),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "bid-signature 0\ninterface t.plug 1.0.0\nfn add t_add(i32, i32) -> i32\nfn greet t_greet(string borrowed) -> string transferred\n";

    #[test]
    fn identical_extra_reordered_and_crlf_texts_match() {
        assert_eq!(compare_signatures(SIG, SIG), Ok(vec![]));
        let more = format!("{SIG}fn extra t_extra() -> void\n");
        assert_eq!(compare_signatures(SIG, &more), Ok(vec![]));
        let newer = SIG.replace("1.0.0", "1.1.0");
        assert_eq!(compare_signatures(SIG, &newer), Ok(vec![]));
        let mut lines: Vec<&str> = SIG.lines().collect();
        lines[2..].reverse();
        assert_eq!(compare_signatures(SIG, &lines.join("\r\n")), Ok(vec![]));
    }

    #[test]
    fn each_changed_or_missing_method_is_named() {
        let found = "bid-signature 0\ninterface t.plug 1.0.0\nfn add t_add(i64, i64) -> i64\n";
        let m = compare_signatures(SIG, found).expect("readable");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].method, "add");
        assert_eq!(m[0].found.as_deref(), Some("fn add t_add(i64, i64) -> i64"));
        assert_eq!(m[1].method, "greet");
        assert_eq!(m[1].found, None);
        assert!(m[1].to_string().contains("(missing from the plugin)"));
    }

    #[test]
    fn another_interface_is_named() {
        let other = SIG.replace("t.plug", "t.other");
        let m = compare_signatures(SIG, &other).expect("readable");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].found.as_deref(), Some("interface t.other"));
    }

    #[test]
    fn other_formats_and_empty_texts_are_refused() {
        let e = compare_signatures(SIG, "bid-signature 1\n").expect_err("unsupported");
        assert!(e.contains("bid-signature 1"), "{e}");
        assert_eq!(
            compare_signatures(SIG, ""),
            Err("the signature is empty".to_owned())
        );
        let e = compare_signatures(SIG, "\u{1b}[31m").expect_err("garbage");
        assert!(e.contains("\\u{1b}"), "{e}");
    }
}
