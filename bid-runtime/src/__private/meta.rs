//! The method table of the metadata static: one line per method, decoded at the first load.
//!
//! ```text
//! bid-methods 0
//! <name> <symbol> <effect> <fallible> <return>( <param>:<value>)*
//! ```
//!
//! Fields are separated by one space. `<effect>` is `pure`, `mut`, `io` or `control`;
//! `<fallible>` is `fallible` when the C function returns an `int32_t` status, else `-`;
//! `<return>` is a `<value>`. A `<value>` is a kind (`void`, `bool`, `i32`, `i64`, `f32`,
//! `f64`, `record`, `string`, `bytes`, `array`, or `handle<N>` for the interface's handle
//! type number `N`), then `/borrowed`, `/transferred` or `/reference` when it has an
//! ownership. Names and symbols are identifiers, so no field holds a space or a colon.
//!
//! Example: `read nyash_file_read io fallible bytes/transferred h:handle0/borrowed size:i32`.
//!
//! The bindings and the runtime may come from different bid versions: the first line
//! names the format, and a table the runtime cannot read fails the load with
//! `LoadError::Bindings` instead of guessing.

use super::{MethodMeta, Ownership, ParamMeta, ValueKind, ValueMeta};

/// The first line of a table in the format this runtime reads.
pub const FORMAT_LINE: &str = "bid-methods 0";

/// Every method of `text`, or what is wrong with it (naming the line).
pub(crate) fn decode(text: &'static str) -> Result<Box<[MethodMeta]>, String> {
    let mut lines = text.lines();
    match lines.next() {
        Some(FORMAT_LINE) => {}
        first => {
            return Err(format!(
                "the method table starts with `{}`, not `{FORMAT_LINE}`",
                first.unwrap_or("")
            ));
        }
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            method(line).map_err(|why| format!("method table line {}: {why}: `{line}`", i + 2))
        })
        .collect()
}

fn method(line: &'static str) -> Result<MethodMeta, String> {
    let mut fields = line.split(' ');
    let mut next = |what: &str| {
        fields
            .next()
            .filter(|f| !f.is_empty())
            .ok_or_else(|| format!("no {what}"))
    };
    let name = next("name")?;
    let symbol = next("symbol")?;
    let effect = next("effect")?;
    if !matches!(effect, "pure" | "mut" | "io" | "control") {
        return Err(format!("unknown effect `{effect}`"));
    }
    let fallible = match next("fallible flag")? {
        "fallible" => true,
        "-" => false,
        other => return Err(format!("`{other}` is neither `fallible` nor `-`")),
    };
    let ret = value(next("return value")?)?;
    let params = fields
        .map(|p| {
            let (name, v) = p
                .split_once(':')
                .filter(|(name, _)| !name.is_empty())
                .ok_or_else(|| format!("parameter `{p}` is not `name:value`"))?;
            Ok(ParamMeta {
                name,
                value: value(v)?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(MethodMeta {
        name,
        symbol,
        effect,
        fallible,
        params,
        ret,
    })
}

fn value(text: &str) -> Result<ValueMeta, String> {
    let (kind, ownership) = match text.split_once('/') {
        Some((kind, own)) => (kind, Some(ownership(own)?)),
        None => (text, None),
    };
    let (kind, handle) = match kind.strip_prefix("handle") {
        Some(index) => {
            let index = index
                .parse()
                .map_err(|_| format!("`{kind}` is not `handle<N>`"))?;
            (ValueKind::Handle, Some(index))
        }
        None => (
            match kind {
                "void" => ValueKind::Void,
                "bool" => ValueKind::Bool,
                "i32" => ValueKind::I32,
                "i64" => ValueKind::I64,
                "f32" => ValueKind::F32,
                "f64" => ValueKind::F64,
                "record" => ValueKind::Record,
                "string" => ValueKind::String,
                "bytes" => ValueKind::Bytes,
                "array" => ValueKind::Array,
                _ => return Err(format!("unknown value kind `{kind}`")),
            },
            None,
        ),
    };
    Ok(ValueMeta {
        kind,
        ownership,
        handle,
    })
}

fn ownership(text: &str) -> Result<Ownership, String> {
    match text {
        "borrowed" => Ok(Ownership::Borrowed),
        "transferred" => Ok(Ownership::Transferred),
        "reference" => Ok(Ownership::Reference),
        _ => Err(format!("unknown ownership `{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_decodes() {
        let methods = decode(
            "bid-methods 0\n\
             read nyash_file_read io fallible bytes/transferred h:handle1/borrowed size:i32\n\
             ping p_ping pure - void\n\
             odd p_odd control - i32/borrowed r:record b:bool f:f32 d:f64 l:i64 s:string/reference a:array/borrowed\n",
        )
        .unwrap();
        assert_eq!(methods.len(), 3);
        let read = &methods[0];
        assert_eq!(
            (read.name, read.symbol, read.effect, read.fallible),
            ("read", "nyash_file_read", "io", true)
        );
        assert_eq!(
            (read.ret.kind, read.ret.ownership, read.ret.handle),
            (ValueKind::Bytes, Some(Ownership::Transferred), None)
        );
        assert_eq!(read.params.len(), 2);
        assert_eq!(read.params[0].name, "h");
        let h = read.params[0].value;
        assert_eq!(
            (h.kind, h.ownership, h.handle),
            (ValueKind::Handle, Some(Ownership::Borrowed), Some(1))
        );
        assert_eq!(read.params[1].value.kind, ValueKind::I32);
        assert!(methods[1].params.is_empty());
        assert!(!methods[1].fallible);
        assert_eq!(methods[1].ret.kind, ValueKind::Void);
        let odd = &methods[2];
        assert_eq!(odd.ret.ownership, Some(Ownership::Borrowed));
        let kinds: Vec<_> = odd.params.iter().map(|p| p.value.kind).collect();
        assert_eq!(
            kinds,
            [
                ValueKind::Record,
                ValueKind::Bool,
                ValueKind::F32,
                ValueKind::F64,
                ValueKind::I64,
                ValueKind::String,
                ValueKind::Array
            ]
        );
        assert_eq!(odd.params[5].value.ownership, Some(Ownership::Reference));
    }

    #[test]
    fn an_empty_table_has_no_methods() {
        assert!(decode("bid-methods 0\n").unwrap().is_empty());
        assert!(decode("bid-methods 0").unwrap().is_empty());
    }

    #[test]
    fn a_bad_table_names_the_line_and_the_fault() {
        let cases = [
            ("", "not `bid-methods 0`"),
            ("bid-methods 1\n", "starts with `bid-methods 1`"),
            (
                "bid-methods 0\nf s pure - i32 x:i32\ng\n",
                "line 3: no symbol: `g`",
            ),
            ("bid-methods 0\nf s fast - i32\n", "unknown effect `fast`"),
            ("bid-methods 0\nf s pure yes i32\n", "`yes` is neither"),
            ("bid-methods 0\nf s pure -\n", "no return value"),
            ("bid-methods 0\nf s pure - u8\n", "unknown value kind `u8`"),
            (
                "bid-methods 0\nf s pure - handle/borrowed\n",
                "`handle` is not `handle<N>`",
            ),
            (
                "bid-methods 0\nf s pure - string/lent\n",
                "unknown ownership `lent`",
            ),
            (
                "bid-methods 0\nf s pure - i32 x\n",
                "parameter `x` is not `name:value`",
            ),
            ("bid-methods 0\nf s pure - i32 :i32\n", "parameter `:i32`"),
            ("bid-methods 0\nf  s pure - i32\n", "no symbol"),
        ];
        for (text, want) in cases {
            let err = decode(text).expect_err(text);
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
