//! Random *valid* BID files: one or more interfaces in the long and the short form, handles
//! (every repr, with and without `release:`), records nesting records, every type in params
//! and returns, every allowed ownership, `fallible`, `symbol:` overrides, tricky docs, and
//! names that are keywords of Rust, C and C++ or that look like the names bid generates.
//!
//! Every C-level name a file declares contains its `tag`, so headers of different files can
//! be compiled together; a few deliberate probes (a `symbol:` of `main`, a prefix whose
//! upper-case form another prefix shares, ...) do not, and are rare.
//! Uniqueness follows bid's own spellings ([`bid_schema::names`]): what bid says clashes is
//! avoided, so a file bid rejects is a finding, not noise.

mod items;
pub mod render;

use crate::rng::Rng;
use crate::words::{BID_WORDS, C_NAMES, DICT, GENERATED_NAMES, RUST_NAMES, SUFFIXES, TRICKY_DOCS};
use bid_schema::names;
use render::{Node, s};
use std::collections::HashSet;

/// A random valid BID file whose C names all carry `tag` (an identifier, e.g. `g17`); one
/// in two is [`hostile`](file_with).
pub fn file(rng: &mut Rng, tag: &str) -> String {
    let hostile = rng.coin();
    file_with(rng, tag, hostile)
}

/// A random valid BID file. A tame one uses plain names and the Rust, C and C++ keywords bid
/// says it escapes, and docs bid says it escapes; a hostile one also uses names of macros,
/// reserved identifiers, names bid generates itself, bidi controls in docs, and the probes.
pub fn file_with(rng: &mut Rng, tag: &str, hostile: bool) -> String {
    let mut g = Gen::new(rng, tag);
    g.hostile = hostile;
    let root = g.file();
    let mode = if hostile { "hostile" } else { "tame" };
    format!(
        "# bid-fuzz {mode} valid file\n{}",
        render::document(&root, rng)
    )
}

/// A declared type of the interface being generated.
struct Decl {
    name: String,
    handle: bool,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    tag: String,
    /// Box and type Rust names of the file.
    rust_types: HashSet<String>,
    qualified: HashSet<String>,
    /// C symbols and type names of the file.
    symbols: HashSet<String>,
    /// C names of every parameter and field of the file (with `_ptr`/`_len`): a type's C
    /// name must not be one of them, or the parameter would hide the type in the header.
    values_c: HashSet<String>,
    /// `upper_ident(prefix)` of each interface: the signature macro's name.
    macros: HashSet<String>,
    boxes: Vec<String>,
    prefixes: Vec<String>,
    /// The `free:` symbols of the interface being generated.
    frees: Vec<String>,
    /// Names used so far, to build look-alikes from.
    seen: Vec<String>,
    counter: usize,
    hostile: bool,
}

impl<'r> Gen<'r> {
    fn new(rng: &'r mut Rng, tag: &str) -> Self {
        Gen {
            rng,
            tag: tag.to_owned(),
            rust_types: HashSet::new(),
            qualified: HashSet::new(),
            symbols: HashSet::new(),
            values_c: HashSet::new(),
            macros: HashSet::new(),
            boxes: Vec::new(),
            prefixes: Vec::new(),
            frees: Vec::new(),
            seen: Vec::new(),
            counter: 0,
            hostile: true,
        }
    }

    fn plain(&mut self) -> String {
        let n = 1 + self.rng.small(2);
        let words: Vec<&str> = (0..n).map(|_| *self.rng.pick(DICT)).collect();
        let mut out = match self.rng.below(3) {
            0 => words.join("_"),
            1 => {
                let mut w = words[0].to_owned();
                for x in &words[1..] {
                    w.push_str(&names::upper_camel_case(x));
                }
                w
            }
            _ => words.iter().map(|w| names::upper_camel_case(w)).collect(),
        };
        if self.rng.one_in(4) {
            out.push_str(&self.rng.below(100).to_string());
        }
        out
    }

    /// One candidate name, often hostile.
    fn candidate(&mut self) -> String {
        if !self.hostile {
            return match self.rng.below(10) {
                0..=5 => self.plain(),
                6 | 7 => {
                    let keywords: Vec<&str> = RUST_NAMES
                        .iter()
                        .copied()
                        .filter(|n| names::is_rust_keyword(n))
                        .collect();
                    (*self.rng.pick(&keywords)).to_owned()
                }
                8 => {
                    let keywords: Vec<&str> = C_NAMES
                        .iter()
                        .copied()
                        .filter(|n| names::c_reserved(n).is_some())
                        .collect();
                    (*self.rng.pick(&keywords)).to_owned()
                }
                _ => (*self.rng.pick(BID_WORDS)).to_owned(),
            };
        }
        let r = self.rng.below(20);
        match r {
            8 | 9 => (*self.rng.pick(RUST_NAMES)).to_owned(),
            10 | 11 => (*self.rng.pick(C_NAMES)).to_owned(),
            12 | 13 => (*self.rng.pick(GENERATED_NAMES)).to_owned(),
            14 => (*self.rng.pick(BID_WORDS)).to_owned(),
            15 | 16 if !self.seen.is_empty() => {
                let base = self.rng.pick(&self.seen).clone();
                match self.rng.below(4) {
                    0 => format!("__Bid{base}Fns"),
                    1 => format!("{base}_{}", self.rng.pick(&self.seen)),
                    _ => format!("{base}{}", self.rng.pick(SUFFIXES)),
                }
            }
            17 => (*self.rng.pick(&[
                "_",
                "__",
                "_x",
                "x_",
                "x__y",
                "A",
                "ABCDef",
                "aBC",
                "HTTPServer",
                "a1B2c3",
                "_0",
            ]))
            .to_owned(),
            18 => {
                // Long, but within bid's limit of 255 bytes with room for a namespace.
                let n = self.rng.range(64, 200);
                let mut s = String::from("n");
                while s.len() < n {
                    s.push(*self.rng.pick(&['a', 'B', '_', '1']));
                }
                s
            }
            _ => self.plain(),
        }
    }

    /// A fresh name accepted by `ok`; falls back to a plain tagged one.
    fn name(&mut self, mut ok: impl FnMut(&mut Self, &str) -> bool) -> String {
        for _ in 0..40 {
            let c = self.candidate();
            if names::is_identifier(&c) && c.len() <= names::MAX_NAME_BYTES && ok(self, &c) {
                self.seen.push(c.clone());
                return c;
            }
        }
        loop {
            self.counter += 1;
            let c = format!("{}n{}", self.tag, self.counter);
            if ok(self, &c) {
                return c;
            }
        }
    }

    fn doc(&mut self) -> Option<String> {
        if !self.rng.one_in(3) {
            return None;
        }
        Some(match self.rng.below(4) {
            0 => "Plain words.".to_owned(),
            1 => format!("{}\nsecond line with `code`", self.plain()),
            _ => {
                let mut d = String::new();
                for _ in 0..1 + self.rng.small(2) {
                    let doc = TRICKY_DOCS[self.rng.below(TRICKY_DOCS.len())];
                    if !self.hostile && doc.contains(['\u{202E}', '\u{2066}']) {
                        continue;
                    }
                    d.push_str(doc);
                    d.push(' ');
                }
                d.trim_end().to_owned()
            }
        })
    }

    fn file(&mut self) -> Node {
        let mut top = vec![("version".to_owned(), Node::Raw("0".into()))];
        if self.rng.one_in(4) {
            let mut m = Vec::new();
            if self.rng.coin() {
                m.push((
                    "pointer_size".into(),
                    Node::Raw(self.rng.pick(&["32", "64"]).to_string()),
                ));
            }
            if self.rng.coin() {
                m.push((
                    "alignment".into(),
                    Node::Raw((1usize << self.rng.below(13)).to_string()),
                ));
            }
            if self.rng.coin() {
                m.push(("endianness".into(), s("little")));
            }
            top.push(("memory".into(), Node::Map(m)));
        }
        if self.rng.one_in(3) {
            let mut t = vec![("type".into(), s("dynamic_library"))];
            if self.rng.coin() {
                let loc = *self.rng.pick(&[
                    "./libx.so",
                    "lib x.so",
                    "C:\\plugins\\x.dll",
                    "\"q\".so",
                    "*/x.so",
                    "é/😀.so",
                    "\\",
                    "a\\\nb",
                    "\u{202e}x\u{2066}.so",
                    "a\rb.so",
                    "\")] fn injected() {} #[doc = \"",
                ]);
                t.push(("location".into(), s(loc)));
            }
            if self.rng.coin() {
                t.push((
                    "future_transports".into(),
                    Node::Seq(vec![s("grpc"), s("wasm")]),
                ));
            }
            top.push(("transport".into(), Node::Map(t)));
        }
        let n = 1 + self.rng.small(3);
        let ifaces = (0..n).map(|_| self.interface()).collect();
        top.push(("interfaces".into(), Node::Seq(ifaces)));
        Node::Map(top)
    }

    fn prefix(&mut self, default: &str) -> Option<String> {
        let tag = self.tag.clone();
        let probe = self.hostile && self.rng.one_in(40);
        for _ in 0..20 {
            let p = if probe {
                match self.rng.below(3) {
                    0 if !self.prefixes.is_empty() => {
                        let p = self.rng.pick(&self.prefixes).clone();
                        let p = if self.rng.coin() {
                            p.to_ascii_uppercase()
                        } else {
                            p.replace('_', "__")
                        };
                        if p == *self.prefixes.last().unwrap_or(&String::new()) {
                            continue;
                        } else {
                            p
                        }
                    }
                    _ => (*self
                        .rng
                        .pick(&["bid", "BID", "int", "main", "_", "NULL", "bid_buf"]))
                    .to_owned(),
                }
            } else if self.rng.one_in(3) {
                let w = self.candidate();
                format!("{tag}_{w}")
            } else {
                return None;
            };
            if names::is_identifier(&p) && self.prefix_fits(&p) && p != default {
                return Some(p);
            }
        }
        None
    }

    /// Whether `prefix` makes C names bid accepts: its two symbols free in C and unused, its
    /// signature macro unused.
    fn prefix_fits(&self, prefix: &str) -> bool {
        prefix.len() <= names::MAX_NAME_BYTES
            && !self.macros.contains(&names::upper_ident(prefix))
            && ["bid_free", "bid_signature"].iter().all(|s| {
                let c = format!("{prefix}_{s}");
                c_free(&c) && !self.symbols.contains(&c)
            })
    }

    fn interface(&mut self) -> Node {
        let long = self.rng.coin();
        let tag = self.tag.clone();
        let (ns, name) = loop {
            let ns = match self.rng.below(3) {
                0 => tag.clone(),
                1 => format!("{tag}.{}", self.name(|_, _| true)),
                _ => format!("{}.{tag}", self.name(|_, _| true)),
            };
            let name = self.name(|_, _| true);
            let qualified = format!("{ns}.{name}");
            if qualified.len() <= names::MAX_NAME_BYTES && self.qualified.insert(qualified) {
                break (ns, name);
            }
        };
        let mut entries = Vec::new();
        if long {
            entries.push(("namespace".to_owned(), s(&ns)));
            entries.push(("name".to_owned(), s(&name)));
        } else {
            entries.push(("name".to_owned(), s(format!("{ns}.{name}"))));
        }
        let default = names::default_symbol_prefix(&ns, &name);
        let mut explicit = self.prefix(&default);
        if explicit.is_none() && !self.prefix_fits(&default) {
            // The namespace and name make a prefix bid refuses (`_X...`, a twin macro):
            // a tagged one of its own.
            explicit = Some(loop {
                self.counter += 1;
                let p = format!("{}p{}", self.tag, self.counter);
                if self.prefix_fits(&p) {
                    break p;
                }
            });
        }
        let prefix = explicit.clone().unwrap_or(default);
        if let Some(p) = explicit {
            entries.push(("symbol_prefix".to_owned(), s(p)));
        }
        self.macros.insert(names::upper_ident(&prefix));
        self.prefixes.push(prefix.clone());
        self.seen.push(prefix.clone());
        for suffix in ["bid_free", "bid_signature"] {
            self.symbols.insert(format!("{prefix}_{suffix}"));
        }
        let default_box = names::rust_type_ident(&name);
        let want_box = self.rng.one_in(3) || !self.box_fits(&default_box);
        let rust = if want_box {
            let probe = self.hostile && self.rng.one_in(10) && !self.boxes.is_empty();
            let twin = if probe {
                let other = self
                    .rng
                    .pick(&self.boxes)
                    .trim_start_matches("r#")
                    .to_owned();
                screaming_twin(&other).filter(|b| self.box_fits(&names::rust_escape(b)))
            } else {
                None
            };
            let b = twin.unwrap_or_else(|| {
                self.name(|g, n| !names::rust_reserved(n) && g.box_fits(&names::rust_escape(n)))
            });
            entries.push(("box".to_owned(), s(&b)));
            names::rust_escape(&b)
        } else {
            default_box
        };
        // The box, its plugin trait, tables and export macro share the module with the types.
        self.rust_types.extend(box_names(&rust));
        self.boxes.push(rust);
        if self.rng.one_in(3) {
            let v = *self
                .rng
                .pick(&["1.0.0", "0.3.1-beta.1+b5", "10.20.30", "0.0.0"]);
            entries.push(("version".to_owned(), s(v)));
        }
        if let Some(d) = self.doc() {
            entries.push(("doc".to_owned(), s(d)));
        }
        if self.rng.one_in(4) {
            let v = if self.rng.coin() { "true" } else { "false" };
            entries.push(("thread_safe".to_owned(), Node::Raw(v.into())));
        }
        let mut decls = Vec::new();
        let mut types = self.types(&prefix, &mut decls);
        let released: Vec<usize> = (0..decls.len())
            .filter(|&i| decls[i].handle && self.rng.coin())
            .collect();
        self.frees.clear();
        let methods = self.methods(&prefix, &decls, &released);
        for (h, m) in methods.1 {
            types[h].push(("release".to_owned(), s(m)));
        }
        let mut types: Vec<Node> = types
            .into_iter()
            .map(|mut e| {
                self.shuffle(&mut e);
                Node::Map(e)
            })
            .collect();
        self.shuffle(&mut types);
        if !types.is_empty() || self.rng.one_in(4) {
            entries.push(("types".to_owned(), Node::Seq(types)));
        }
        entries.push(("methods".to_owned(), Node::Seq(methods.0)));
        self.shuffle(&mut entries);
        Node::Map(entries)
    }

    /// Whether a box (its Rust name) and its plugin trait and tables are free Rust names.
    fn box_fits(&self, rust: &str) -> bool {
        let bare = rust.trim_start_matches("r#");
        !names::rust_reserved(bare)
            && !names::is_rust_primitive(bare)
            && box_names(rust).iter().all(|n| !self.rust_types.contains(n))
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        if self.rng.one_in(3) {
            for i in (1..v.len()).rev() {
                let j = self.rng.below(i + 1);
                v.swap(i, j);
            }
        }
    }
}

/// Tracks the names of one scope as bid spells them: written, Rust and C.
#[derive(Default)]
struct Scope {
    written: HashSet<String>,
    rust: HashSet<String>,
    c: HashSet<String>,
}

impl Scope {
    fn fits(&self, name: &str, c: &[String]) -> bool {
        !self.written.contains(name)
            && !self.rust.contains(&names::rust_value_ident(name))
            && c.iter().all(|c| !self.c.contains(c))
    }

    fn add(&mut self, name: &str, c: &[String]) {
        self.written.insert(name.to_owned());
        self.rust.insert(names::rust_value_ident(name));
        self.c.extend(c.iter().cloned());
    }
}

/// The Rust names a box (its Rust name) takes in the generated module: itself, its plugin
/// trait and tables, and its plugin export macro (`export_<snake_case>!`).
fn box_names(rust: &str) -> [String; 4] {
    let bare = rust.trim_start_matches("r#");
    [
        rust.to_owned(),
        format!("{bare}Plugin"),
        format!("{bare}Handles"),
        format!("export_{}!", names::snake_case(bare)),
    ]
}

/// Whether `c` may be a C global of the header: bid refuses reserved ones (keywords, the
/// header's own names, `__x`/`_X`, `main`, ...).
fn c_free(c: &str) -> bool {
    names::c_reserved(c).is_none()
}

/// `AbC` -> `Ab_c`: a different box whose SCREAMING_CASE spelling is the same.
fn screaming_twin(name: &str) -> Option<String> {
    let (i, c) = name
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())?;
    Some(format!(
        "{}_{}{}",
        &name[..i],
        c.to_ascii_lowercase(),
        &name[i + 1..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bid_accepts_every_generated_file_tame_or_hostile() {
        let mut rng = Rng::new(42);
        for i in 0..300 {
            let hostile = i % 2 == 0;
            let text = file_with(&mut rng, &format!("t{i}"), hostile);
            if let Err(r) = bid_schema::check_source("t.bid.yaml", &text) {
                panic!("bid rejects generated file {i}:\n{text}\n{}", r.render());
            }
        }
    }

    #[test]
    fn screaming_twins_differ_but_scream_alike() {
        assert_eq!(screaming_twin("AbC").as_deref(), Some("Ab_c"));
        assert_eq!(screaming_twin("abc"), None);
    }
}
