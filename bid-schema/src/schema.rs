//! A JSON Schema (draft 2020-12) of BID YAML v0, both forms, so editors can validate and complete.
//!
//! It describes the shape only; names that must resolve (types, `release:` methods) and the
//! ownership contract are checked by `bid validate`.

use serde_json::{Value, json};

/// `[A-Za-z_][A-Za-z0-9_]*`.
const IDENT: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
/// One or more identifiers joined by `.`.
const DOTTED: &str = "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$";
/// At least one `.`: the short form's `namespace.name`.
const QUALIFIED: &str = "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$";
/// A type expression: a name or `array(T)`.
const TYPE_EXPR: &str =
    "^\\s*[A-Za-z_][A-Za-z0-9_]*\\s*(\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\))?\\s*$";

/// The JSON Schema of BID YAML version 0.
pub fn json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "BID (Box Interface Definition) YAML, version 0",
        "description": "An interface of a native plugin: types, methods, effects and ownership.",
        "type": "object",
        "required": ["version", "interfaces"],
        "additionalProperties": false,
        "properties": {
            "version": {
                "description": "Must be 0 (FFI ABI v0).",
                "const": 0
            },
            "memory": { "$ref": "#/$defs/memory" },
            "transport": { "$ref": "#/$defs/transport" },
            "interfaces": {
                "type": "array",
                "items": { "$ref": "#/$defs/interface" }
            }
        },
        "$defs": defs()
    })
}

fn defs() -> Value {
    json!({
        "ident": { "type": "string", "pattern": IDENT },
        "typeExpr": {
            "description": "bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, string, bytes, cstr, void, array(T) or a declared type name.",
            "type": "string",
            "pattern": TYPE_EXPR,
            "examples": ["bool", "i32", "u32", "u64", "f64", "string", "bytes", "cstr", "void", "array(u8)"]
        },
        "ownership": {
            "description": "Who owns the value after the call: borrowed, transferred or reference.",
            "enum": ["borrowed", "transferred", "reference"]
        },
        "doc": { "description": "Free text, copied into generated docs.", "type": "string" },
        "memory": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "pointer_size": { "enum": [32, 64] },
                "alignment": { "enum": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] },
                "endianness": { "const": "little" }
            }
        },
        "transport": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "type": {
                    "description": "Only dynamic_library is supported in phase 1.",
                    "const": "dynamic_library"
                },
                "location": {
                    "description": "Default library path for load_default().",
                    "type": "string"
                },
                "future_transports": { "type": "array", "items": { "type": "string" } }
            }
        },
        "interface": {
            "type": "object",
            "required": ["name", "methods"],
            "additionalProperties": false,
            "properties": {
                "namespace": { "type": "string", "pattern": DOTTED },
                "name": {
                    "description": "With `namespace`: an identifier. Without: `namespace.name`.",
                    "type": "string",
                    "pattern": DOTTED
                },
                "box": { "$ref": "#/$defs/ident" },
                "version": {
                    "description": "Semver, quoted: \"1.0.0\".",
                    "type": "string",
                    "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"
                },
                "symbol_prefix": { "$ref": "#/$defs/ident" },
                "doc": { "$ref": "#/$defs/doc" },
                "thread_safe": {
                    "description": "Whether the plugin may be called from several threads at once; default false: calls into the library are serialized.",
                    "type": "boolean"
                },
                "types": { "type": "array", "items": { "$ref": "#/$defs/typeDef" } },
                "methods": { "type": "array", "items": { "$ref": "#/$defs/method" } }
            },
            "if": { "not": { "required": ["namespace"] } },
            "then": { "properties": { "name": { "pattern": QUALIFIED } } },
            "else": { "properties": { "name": { "pattern": IDENT } } }
        },
        "typeDef": {
            "type": "object",
            "required": ["name", "type"],
            "additionalProperties": false,
            "properties": {
                "name": { "$ref": "#/$defs/ident" },
                "type": { "enum": ["handle", "record"] },
                "repr": { "enum": ["i32", "i64", "pointer"] },
                "release": { "$ref": "#/$defs/ident" },
                "fields": {
                    "type": "array",
                    "minItems": 1,
                    "items": { "$ref": "#/$defs/field" }
                },
                "doc": { "$ref": "#/$defs/doc" }
            },
            "if": { "properties": { "type": { "const": "record" } } },
            "then": {
                "required": ["fields"],
                "not": { "anyOf": [{ "required": ["repr"] }, { "required": ["release"] }] }
            },
            "else": { "not": { "required": ["fields"] } }
        },
        "method": {
            "type": "object",
            "required": ["name", "effect"],
            "additionalProperties": false,
            "properties": {
                "name": { "$ref": "#/$defs/ident" },
                "params": { "type": "array", "items": { "$ref": "#/$defs/param" } },
                "returns": { "$ref": "#/$defs/returns" },
                "effect": { "enum": ["pure", "mut", "io", "control"] },
                "symbol": { "$ref": "#/$defs/ident" },
                "fallible": { "type": "boolean" },
                "doc": { "$ref": "#/$defs/doc" }
            }
        },
        "returns": {
            "description": "A type (`returns: i32`), `{ type, ownership, nullable, free }`, or omitted for void.",
            "oneOf": [
                { "$ref": "#/$defs/typeExpr" },
                { "type": "null" },
                {
                    "type": "object",
                    "required": ["type"],
                    "additionalProperties": false,
                    "properties": {
                        "type": { "$ref": "#/$defs/typeExpr" },
                        "ownership": { "$ref": "#/$defs/ownership" },
                        "nullable": {
                            "description": "On a handle or cstr return: NULL (or 0) is `None`, not an error.",
                            "type": "boolean"
                        },
                        "free": {
                            "description": "On a transferred cstr, string, bytes or array return: the plugin's own `void SYMBOL(void*)` that releases it, instead of `<prefix>_bid_free`.",
                            "$ref": "#/$defs/ident"
                        }
                    }
                }
            ]
        },
        "param": value_forms(true),
        "field": value_forms(false)
    })
}

/// A parameter (with `ownership`) or a record field (without), in either form.
fn value_forms(ownership: bool) -> Value {
    let mut long = json!({
        "description": "Long form: { name: N, type: T }.",
        "type": "object",
        "required": ["name", "type"],
        "additionalProperties": false,
        "properties": {
            "name": { "$ref": "#/$defs/ident" },
            "type": { "$ref": "#/$defs/typeExpr" },
            "doc": { "$ref": "#/$defs/doc" }
        }
    });
    if ownership {
        long["description"] = json!("Long form: { name: N, type: T, ownership: O }.");
        long["properties"]["ownership"] = json!({ "$ref": "#/$defs/ownership" });
    }
    json!({ "oneOf": [long, short_form(ownership)] })
}

/// `{ TYPE: NAME }`, optionally with `ownership` (params) and `doc`.
fn short_form(ownership: bool) -> Value {
    let mut known = json!({ "doc": { "$ref": "#/$defs/doc" } });
    let mut max = 2;
    if ownership {
        known["ownership"] = json!({ "$ref": "#/$defs/ownership" });
        max = 3;
    }
    json!({
        "description": "Short form: { TYPE: NAME }.",
        "type": "object",
        "minProperties": 1,
        "maxProperties": max,
        "not": { "anyOf": [{ "required": ["name"] }, { "required": ["type"] }] },
        "properties": known,
        "patternProperties": {
            TYPE_EXPR: { "type": "string" }
        },
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_the_draft_and_requires_the_top_keys() {
        let s = json_schema();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["required"], json!(["version", "interfaces"]));
        assert_eq!(s["$defs"]["method"]["required"], json!(["name", "effect"]));
        assert_eq!(
            s["$defs"]["ownership"]["enum"],
            json!(["borrowed", "transferred", "reference"])
        );
    }
}
