//! How much one BID file may declare, counted on the AST before anything is checked.
//!
//! The generated code grows with what a file declares (a record carries its layout checks on
//! five targets), so counts bound the time and memory of every emitter, whatever the file: at
//! these limits, checking the file and emitting all of its outputs takes under a second.
//! They are far above real interfaces (tens of methods) and above the largest C libraries one
//! would describe in one file. Per record and per method they follow C99's translation limits
//! (5.2.4.1): 1,023 members in a struct, 127 parameters in a function (a `string`, `bytes` or
//! `array` parameter lowers to two, and a value result adds an out-parameter).

use crate::ast::File;
use crate::diag::{Code, Diagnostic, Span};

/// Interfaces in one file.
pub(crate) const MAX_INTERFACES: usize = 256;
/// Declared types (records and handles) in one file, all interfaces together.
pub(crate) const MAX_TYPES: usize = 512;
/// Methods in one file, all interfaces together.
pub(crate) const MAX_METHODS: usize = 2_048;
/// Fields of one record.
pub(crate) const MAX_FIELDS: usize = 1_023;
/// Parameters of one method.
pub(crate) const MAX_PARAMS: usize = 63;
/// Fields of all records in one file.
pub(crate) const MAX_FILE_FIELDS: usize = 4_096;
/// Parameters of all methods in one file.
pub(crate) const MAX_FILE_PARAMS: usize = 8_192;

/// The first limit the file exceeds, pointing at the first item past it (a field or a
/// parameter by its name).
pub(super) fn check(file: &File<'_>) -> Result<(), Box<Diagnostic>> {
    let (mut interfaces, mut types, mut methods) = (0, 0, 0);
    let (mut fields, mut params) = (0, 0);
    for iface in &file.interfaces {
        let what = "interfaces in one file";
        count(&mut interfaces, MAX_INTERFACES, iface.span, what)?;
        for t in &iface.types {
            count(&mut types, MAX_TYPES, t.span, "declared types in one file")?;
            let mut own = 0;
            for f in &t.fields {
                let at = f.name.as_ref().map_or(f.span, |n| n.span);
                count(&mut own, MAX_FIELDS, at, "fields in one record")?;
                count(&mut fields, MAX_FILE_FIELDS, at, "fields in one file")?;
            }
        }
        for m in &iface.methods {
            count(&mut methods, MAX_METHODS, m.span, "methods in one file")?;
            let mut own = 0;
            for p in &m.params {
                let at = p.name.as_ref().map_or(p.span, |n| n.span);
                count(&mut own, MAX_PARAMS, at, "parameters in one method")?;
                count(&mut params, MAX_FILE_PARAMS, at, "parameters in one file")?;
            }
        }
    }
    Ok(())
}

/// Counts one item: an error at `span` once `n` passes `max`.
fn count(n: &mut usize, max: usize, span: Span, what: &str) -> Result<(), Box<Diagnostic>> {
    *n += 1;
    if *n <= max {
        return Ok(());
    }
    let help = match what {
        "parameters in one method" => "pass a record or an array in place of many parameters",
        "fields in one record" => "split the record into smaller records it holds",
        _ => "split the file into several BID files (each gives its own header and module)",
    };
    Err(Box::new(
        Diagnostic::error(
            Code::YamlLimit,
            format!("too many {what}: bid accepts at most {max}"),
        )
        .primary(span, format!("number {} of them", max + 1))
        .help(help),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_source;

    /// A file of `interfaces` interfaces, each with `types` records of `fields` fields and
    /// `methods` methods of `params` parameters.
    fn file(
        interfaces: usize,
        types: usize,
        fields: usize,
        methods: usize,
        params: usize,
    ) -> String {
        let mut s = String::from("version: 0\ninterfaces:\n");
        for i in 0..interfaces {
            s += &format!("  - name: n.i{i}\n    types:\n");
            for t in 0..types {
                let f: Vec<String> = (0..fields).map(|f| format!("{{ i32: f{f} }}")).collect();
                s += &format!(
                    "      - {{ name: T{t}, type: record, fields: [ {} ] }}\n",
                    f.join(", ")
                );
            }
            s += "    methods:\n";
            for m in 0..methods {
                let p: Vec<String> = (0..params).map(|p| format!("{{ i32: p{p} }}")).collect();
                s += &format!(
                    "      - {{ name: m{m}, effect: pure, params: [ {} ] }}\n",
                    p.join(", ")
                );
            }
        }
        s
    }

    /// The one error of `text`, with the text it points at.
    fn refused(text: &str) -> (String, String) {
        let report = check_source("t.bid.yaml", text).expect_err("over a limit");
        assert_eq!(report.diagnostics.len(), 1, "{}", report.render());
        let d = &report.diagnostics[0];
        assert_eq!(d.code, Code::YamlLimit);
        let span = d.span.expect("a location");
        (d.message.clone(), text[span.start..span.end].to_owned())
    }

    #[test]
    fn each_limit_is_accepted_at_its_value_and_refused_one_past() {
        // (at the limit, one past it, the message, what the error points at)
        let cases = [
            (
                file(MAX_INTERFACES, 0, 0, 1, 0),
                file(MAX_INTERFACES + 1, 0, 0, 1, 0),
                "interfaces in one file",
                "n.i256",
            ),
            (
                file(1, MAX_TYPES, 1, 1, 0),
                file(1, MAX_TYPES + 1, 1, 1, 0),
                "declared types in one file",
                "T512",
            ),
            (
                file(1, 1, 1, MAX_METHODS, 0),
                file(1, 1, 1, MAX_METHODS + 1, 0),
                "methods in one file",
                "m2048",
            ),
            (
                file(1, 1, MAX_FIELDS, 1, 0),
                file(1, 1, MAX_FIELDS + 1, 1, 0),
                "fields in one record",
                "f1023",
            ),
            (
                file(1, 1, 1, 1, MAX_PARAMS),
                file(1, 1, 1, 1, MAX_PARAMS + 1),
                "parameters in one method",
                "p63",
            ),
            (
                file(1, 8, MAX_FILE_FIELDS / 8, 1, 0),
                file(1, 9, MAX_FILE_FIELDS / 8, 1, 0),
                "fields in one file",
                "f0",
            ),
            (
                file(1, 1, 1, MAX_FILE_PARAMS / 32, 32),
                file(1, 1, 1, MAX_FILE_PARAMS / 32 + 1, 32),
                "parameters in one file",
                "p0",
            ),
        ];
        for (at, past, what, pointed) in cases {
            if let Err(r) = check_source("t.bid.yaml", &at) {
                panic!("refused at the limit of {what}:\n{}", r.render());
            }
            let (message, text) = refused(&past);
            assert!(
                message.starts_with(&format!("too many {what}: bid accepts at most")),
                "{message}"
            );
            assert!(
                text.contains(pointed),
                "{what}: points at `{text}`, not at `{pointed}`"
            );
        }
    }

    #[test]
    fn a_file_far_past_the_limits_is_refused_before_it_is_checked() {
        // 20,000 records, each a checked type and five layouts, were 25 s of `bid rust`.
        let text = file(1, 20_000, 1, 1, 0);
        let (message, text) = refused(&text);
        assert!(message.contains("declared types"), "{message}");
        assert_eq!(text, "T512");
    }
}
