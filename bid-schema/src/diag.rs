//! Diagnostics: one type for every error, stable codes, rendered like rustc with annotate-snippets.

use annotate_snippets::Renderer;
use std::fmt;

mod render;

/// Every diagnostic code bid-schema emits. `docs/diagnostics.md` lists them with examples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// `bid.io.read`
    IoRead,
    /// `bid.yaml.syntax`
    YamlSyntax,
    /// `bid.yaml.limit`
    YamlLimit,
    /// `bid.version.unsupported`
    VersionUnsupported,
    /// `bid.field.unknown`
    FieldUnknown,
    /// `bid.field.missing`
    FieldMissing,
    /// `bid.field.invalid`
    FieldInvalid,
    /// `bid.name.invalid`
    NameInvalid,
    /// `bid.name.duplicate`
    NameDuplicate,
    /// `bid.name.reserved`
    NameReserved,
    /// `bid.name.too_long`
    NameTooLong,
    /// `bid.type.unknown`
    TypeUnknown,
    /// `bid.type.phase2`
    TypePhase2,
    /// `bid.type.misplaced`
    TypeMisplaced,
    /// `bid.type.recursive`
    TypeRecursive,
    /// `bid.type.too_large`
    TypeTooLarge,
    /// `bid.effect.invalid`
    EffectInvalid,
    /// `bid.transport.unsupported`
    TransportUnsupported,
    /// `bid.memory.unsupported`
    MemoryUnsupported,
    /// `ffi.contract.ownership_mismatch`
    OwnershipMismatch,
    /// `ffi.contract.unsupported_abi`
    UnsupportedAbi,
}

impl Code {
    /// Every code, in the order the docs list them.
    pub const ALL: [Code; 21] = [
        Code::IoRead,
        Code::YamlSyntax,
        Code::YamlLimit,
        Code::VersionUnsupported,
        Code::FieldUnknown,
        Code::FieldMissing,
        Code::FieldInvalid,
        Code::NameInvalid,
        Code::NameDuplicate,
        Code::NameReserved,
        Code::NameTooLong,
        Code::TypeUnknown,
        Code::TypePhase2,
        Code::TypeMisplaced,
        Code::TypeRecursive,
        Code::TypeTooLarge,
        Code::EffectInvalid,
        Code::TransportUnsupported,
        Code::MemoryUnsupported,
        Code::OwnershipMismatch,
        Code::UnsupportedAbi,
    ];

    /// The stable spelling, such as `bid.type.unknown`.
    pub fn as_str(self) -> &'static str {
        self.entry().0
    }

    /// One line of meaning.
    pub fn meaning(self) -> &'static str {
        self.entry().1
    }

    fn entry(self) -> (&'static str, &'static str) {
        match self {
            Code::IoRead => ("bid.io.read", "the BID file could not be read"),
            Code::YamlSyntax => ("bid.yaml.syntax", "the file is not well-formed YAML"),
            Code::YamlLimit => (
                "bid.yaml.limit",
                "the file exceeds a limit (size, nesting, aliases, or how many items it declares) and was refused",
            ),
            Code::VersionUnsupported => ("bid.version.unsupported", "`version` is not 0"),
            Code::FieldUnknown => ("bid.field.unknown", "a key that BID does not define"),
            Code::FieldMissing => ("bid.field.missing", "a required key is absent"),
            Code::FieldInvalid => (
                "bid.field.invalid",
                "a value has the wrong shape (a list where a string is expected, ...)",
            ),
            Code::NameInvalid => (
                "bid.name.invalid",
                "a name is not an identifier `[A-Za-z_][A-Za-z0-9_]*`",
            ),
            Code::NameDuplicate => (
                "bid.name.duplicate",
                "two items share a name, a Rust ident or a C symbol",
            ),
            Code::NameReserved => (
                "bid.name.reserved",
                "a C symbol or type name that C, C++ or the generated header already uses",
            ),
            Code::NameTooLong => ("bid.name.too_long", "a name longer than 255 bytes"),
            Code::TypeUnknown => (
                "bid.type.unknown",
                "a type that is neither built in nor declared",
            ),
            Code::TypePhase2 => (
                "bid.type.phase2",
                "`list`, `map`, `optional` or `result`: reserved for a later ABI",
            ),
            Code::TypeMisplaced => (
                "bid.type.misplaced",
                "a type used where it cannot cross the boundary (`void` param, buffer in a record, ...)",
            ),
            Code::TypeRecursive => ("bid.type.recursive", "a record that contains itself"),
            Code::TypeTooLarge => (
                "bid.type.too_large",
                "a record nested more than 32 records deep, or larger than 2^31 - 1 bytes",
            ),
            Code::EffectInvalid => (
                "bid.effect.invalid",
                "`effect` is missing or not pure|mut|io|control",
            ),
            Code::TransportUnsupported => (
                "bid.transport.unsupported",
                "a transport other than `dynamic_library`",
            ),
            Code::MemoryUnsupported => (
                "bid.memory.unsupported",
                "a memory model other than 32/64-bit pointers, power-of-two alignment, little endian",
            ),
            Code::OwnershipMismatch => (
                "ffi.contract.ownership_mismatch",
                "an ownership that is not allowed at that position",
            ),
            Code::UnsupportedAbi => (
                "ffi.contract.unsupported_abi",
                "a target bid has no ABI for",
            ),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Stops the pipeline.
    Error,
    /// Reported, does not stop.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in the source: 1-based line and column (in chars) and a byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The source text under the span ("" if the span is not valid for `text`).
    pub(crate) fn source(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The span grown to cover at least one character, so a caret always shows (an empty
    /// span at a line end stays empty).
    pub(crate) fn non_empty(self, text: &str) -> Span {
        if self.end > self.start {
            return self;
        }
        let start = self.start.min(text.len());
        let end = match text.get(start..).and_then(|t| t.chars().next()) {
            Some('\n') | None => start,
            Some(c) => start + c.len_utf8(),
        };
        Span { end, ..self }
    }
}

/// A message attached to a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
    /// The primary label carries the caret (`^`); others are context (`-`).
    pub primary: bool,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code such as `bid.type.unknown`.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// The main location, if the finding has one.
    pub span: Option<Span>,
    /// Labelled spans; the primary one sits at `span`.
    pub labels: Vec<Label>,
    /// `= note:` lines.
    pub notes: Vec<String>,
    /// `= help:` lines.
    pub help: Vec<String>,
}

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
        }
    }

    /// Sets the main location and puts a primary label there.
    pub fn primary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.labels.push(Label {
            span,
            message: label.into(),
            primary: true,
        });
        self
    }

    /// Adds a context label.
    pub fn secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: label.into(),
            primary: false,
        });
        self
    }

    /// Adds a `= note:` line.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds a `= help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Adds `did you mean `x`?` when a close candidate exists.
    pub fn did_you_mean<'a>(
        self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match suggest(word, candidates) {
            Some(s) => self.help(format!("did you mean `{s}`?")),
            None => self,
        }
    }
}

/// Words longer than this get no suggestion: a typo is a short slip, and the edit distance
/// of two long names costs the product of their lengths.
const SUGGEST_MAX_CHARS: usize = 64;

/// The closest candidate to `word` by edit distance, if it is close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    if len > SUGGEST_MAX_CHARS {
        return None;
    }
    let limit = (len / 3).max(1);
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let c_len = c.chars().count();
        if c_len > SUGGEST_MAX_CHARS || c_len.abs_diff(len) > limit {
            continue;
        }
        let d = if c.to_lowercase() == lower {
            0
        } else {
            edit_distance(word, c)
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance over chars where a swap of two neighbours counts as one edit (`tpye` -> `type`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// Every diagnostic of one file, with the source to render them against.
///
/// `Debug` renders it as `Display` does (like rustc), so an `expect` or a `main` returning
/// the report shows the diagnostics, not the structure.
#[derive(Clone)]
pub struct Report {
    /// The file name as shown after `-->`.
    pub name: String,
    /// The source text the spans point into (empty when the file could not be read).
    pub text: String,
    /// The diagnostics, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The diagnostics.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Plain text, stable across terminals: what golden files and trybuild compare.
    pub fn render(&self) -> String {
        self.render_with(&Renderer::plain())
    }

    /// ANSI-coloured text for terminals.
    pub fn render_styled(&self) -> String {
        self.render_with(&Renderer::styled())
    }

    /// The diagnostics as a JSON array of
    /// `{code, severity, message, file, line, column, start, end, labels, notes, help}`.
    pub fn to_json(&self) -> serde_json::Value {
        let span_json = |s: Option<Span>| match s {
            Some(s) => (
                serde_json::json!(s.line),
                serde_json::json!(s.column),
                serde_json::json!(s.start),
                serde_json::json!(s.end),
            ),
            None => (
                serde_json::Value::Null,
                serde_json::Value::Null,
                serde_json::Value::Null,
                serde_json::Value::Null,
            ),
        };
        let items = self
            .diagnostics
            .iter()
            .map(|d| {
                let (line, column, start, end) = span_json(d.span);
                let labels: Vec<serde_json::Value> = d
                    .labels
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "message": l.message,
                            "primary": l.primary,
                            "line": l.span.line,
                            "column": l.span.column,
                            "start": l.span.start,
                            "end": l.span.end,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "code": d.code.as_str(),
                    "severity": d.severity.as_str(),
                    "message": d.message,
                    "file": self.name,
                    "line": line,
                    "column": column,
                    "start": start,
                    "end": end,
                    "labels": labels,
                    "notes": d.notes,
                    "help": d.help,
                })
            })
            .collect();
        serde_json::Value::Array(items)
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Report {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("strng", ["bool", "string", "bytes"]),
            Some("string")
        );
        assert_eq!(suggest("tpye", ["name", "type"]), Some("type"));
        assert_eq!(suggest("zzzzzz", ["string", "bytes"]), None);
        assert_eq!(suggest("FILEHANDLE", ["FileHandle"]), Some("FileHandle"));
        let long = "x".repeat(40_000);
        assert_eq!(
            suggest(&long, [long.as_str()]),
            None,
            "no quadratic work on huge names"
        );
        assert_eq!(suggest("ab", ["abcdef"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("tpye", "type"), 1);
    }

    #[test]
    fn renders_like_rustc() {
        let text = "version: 0\ntype: strng\n";
        let d = Diagnostic::error(Code::TypeUnknown, "unknown type `strng`")
            .primary(
                Span {
                    line: 2,
                    column: 7,
                    start: 17,
                    end: 22,
                },
                "not a BID type",
            )
            .help("did you mean `string`?");
        let r = Report {
            name: "f.bid.yaml".into(),
            text: text.into(),
            diagnostics: vec![d],
        };
        let out = r.render();
        assert!(out.starts_with("error[bid.type.unknown]: unknown type `strng`\n"));
        assert!(out.contains(" --> f.bid.yaml:2:7\n"), "{out}");
        assert!(out.contains("2 | type: strng\n"), "{out}");
        assert!(out.contains("^^^^^ not a BID type"), "{out}");
        assert!(out.contains("= help: did you mean `string`?"), "{out}");
        assert_eq!(r.to_string(), out);
        let j = r.to_json();
        assert_eq!(j[0]["code"], "bid.type.unknown");
        assert_eq!(j[0]["line"], 2);
        assert_eq!(j[0]["column"], 7);
        assert_eq!(j[0]["help"][0], "did you mean `string`?");
        assert!(r.render_styled().contains("\u{1b}["));
    }

    /// A duplicate key at byte `second` (line `line`) of a key at byte 0.
    fn key_error(second: usize, line: usize) -> Diagnostic {
        let span = |at: usize, line: usize| Span {
            line,
            column: 1,
            start: at,
            end: at + 1,
        };
        Diagnostic::error(Code::YamlSyntax, "key `k` appears twice")
            .primary(span(second, line), "second time")
            .secondary(span(0, 1), "first time")
    }

    #[test]
    fn a_diagnostic_quotes_its_own_lines_with_their_numbers() {
        let mut text = String::from("k: 1\n");
        for i in 0..40 {
            text.push_str(&format!("# line {i}\n"));
        }
        let second = text.len();
        text.push_str("k: 2\n# after\n");
        let r = Report {
            name: "f.bid.yaml".into(),
            text: text.clone(),
            diagnostics: vec![key_error(second, 42)],
        };
        let out = r.render();
        assert!(out.contains(" --> f.bid.yaml:42:1\n"), "{out}");
        assert!(out.contains(" 1 | k: 1\n"), "{out}");
        assert!(out.contains("\n...\n42 | k: 2\n"), "{out}");
        assert!(!out.contains("# line") && !out.contains("# after"), "{out}");
    }

    #[test]
    fn many_diagnostics_of_a_large_file_render_in_bounded_work() {
        // 3,000 duplicates of the first key, 3,000 lines apart at most: quoting each whole
        // stretch would cost 3,000 x 3,000 lines.
        let line = format!("k: {}\n", "x".repeat(2_000));
        let text = line.repeat(3_001);
        let diagnostics = (1..=3_000)
            .map(|i| key_error(i * line.len(), i + 1))
            .collect();
        let r = Report {
            name: "big.bid.yaml".into(),
            text,
            diagnostics,
        };
        let out = r.render();
        assert!(out.contains("note: 2000 more diagnostics not shown (bid.yaml.syntax: 2000)"));
        assert!(
            out.contains("diagnostics above are not quoted"),
            "{}",
            &out[out.len() - 300..]
        );
        // Unquoted ones still say where.
        assert!(out.contains("--> big.bid.yaml:1000:1\n"));
        assert_eq!(out.matches("error[bid.yaml.syntax]").count(), 1_000);
    }

    #[test]
    fn every_code_is_listed_once_and_documented() {
        let docs = include_str!("../../docs/diagnostics.md");
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} listed twice");
            assert!(!code.meaning().is_empty());
            assert!(
                docs.contains(&format!("`{code}`")),
                "{code} is not in docs/diagnostics.md"
            );
        }
    }
}
