//! The items of one interface: declared types and their fields, methods with their
//! params, returns and `symbol:` overrides, each name unique the way bid spells it.

use super::{Decl, Gen, Scope, c_free};
use crate::valid::render::{Node, s};
use crate::words::{BUILTIN, ELEMENTS, SCALARS};
use bid_schema::names;
use std::collections::HashSet;

impl Gen<'_> {
    /// The entries of each declared type, in `decls` order (`release:` is added later).
    pub(super) fn types(
        &mut self,
        prefix: &str,
        decls: &mut Vec<Decl>,
    ) -> Vec<Vec<(String, Node)>> {
        let (handles, records) = (self.rng.small(3), self.rng.small(4));
        let mut out = Vec::new();
        let mut written = HashSet::new();
        for i in 0..handles + records {
            let handle = i < handles;
            let name = self.name(|g, n| {
                let c = names::c_type(prefix, n);
                !BUILTIN.contains(&n)
                    && !written.contains(n)
                    && !g.rust_types.contains(&names::rust_type_ident(n))
                    && c_free(&c)
                    && !g.symbols.contains(&c)
                    && !g.values_c.contains(&c)
            });
            written.insert(name.clone());
            self.rust_types.insert(names::rust_type_ident(&name));
            self.symbols.insert(names::c_type(prefix, &name));
            self.seen.push(names::c_type(prefix, &name));
            let mut e = vec![("name".to_owned(), s(&name))];
            if handle {
                e.push(("type".to_owned(), s("handle")));
                if self.rng.coin() {
                    e.push((
                        "repr".to_owned(),
                        s(*self.rng.pick(&["i32", "i64", "pointer"])),
                    ));
                }
            } else {
                e.push(("type".to_owned(), s("record")));
                let fields = self.fields(decls);
                e.push(("fields".to_owned(), Node::Seq(fields)));
            }
            if let Some(d) = self.doc() {
                e.push(("doc".to_owned(), s(d)));
            }
            decls.push(Decl { name, handle });
            out.push(e);
        }
        out
    }

    fn fields(&mut self, decls: &[Decl]) -> Vec<Node> {
        let mut scope = Scope::default();
        let n = 1 + self.rng.small(5);
        let mut out = Vec::new();
        for _ in 0..n {
            let ty = if !decls.is_empty() && self.rng.coin() {
                self.rng.pick(decls).name.clone()
            } else {
                (*self.rng.pick(SCALARS)).to_owned()
            };
            let name = self.name(|g, n| {
                let c = names::c_escape(n);
                scope.fits(n, std::slice::from_ref(&c)) && !g.symbols.contains(&c)
            });
            let c = names::c_escape(&name);
            self.values_c.insert(c.clone());
            scope.add(&name, &[c]);
            let doc = self.doc();
            out.push(self.value(&name, &ty, None, doc, &["name", "type", "doc"]));
        }
        out
    }

    /// A param or field in the long or the short form.
    fn value(
        &mut self,
        name: &str,
        ty: &str,
        own: Option<&str>,
        doc: Option<String>,
        keys: &[&str],
    ) -> Node {
        let short = !keys.contains(&ty) && self.rng.coin();
        let mut e = if short {
            vec![(ty.to_owned(), s(name))]
        } else {
            vec![("name".to_owned(), s(name)), ("type".to_owned(), s(ty))]
        };
        if let Some(o) = own {
            e.push(("ownership".to_owned(), s(o)));
        }
        if let Some(d) = doc {
            e.push(("doc".to_owned(), s(d)));
        }
        self.shuffle(&mut e);
        Node::Map(e)
    }

    /// A param or return type: `(type, is_buffer, is_handle)`; a `cstr` is neither (one C
    /// pointer, no length).
    fn any_type(&mut self, decls: &[Decl]) -> (String, bool, bool) {
        match self.rng.below(11) {
            0..=2 => ((*self.rng.pick(SCALARS)).to_owned(), false, false),
            10 => ("cstr".to_owned(), false, false),
            3 => (
                (*self.rng.pick(&["string", "bytes"])).to_owned(),
                true,
                false,
            ),
            4 | 5 => {
                let elem = if !decls.is_empty() && self.rng.coin() {
                    self.rng.pick(decls).name.clone()
                } else {
                    (*self.rng.pick(ELEMENTS)).to_owned()
                };
                (format!("array({elem})"), true, false)
            }
            _ if decls.is_empty() => ("string".to_owned(), true, false),
            _ => {
                let d = self.rng.pick(decls);
                (d.name.clone(), false, d.handle)
            }
        }
    }

    /// The methods, and `(handle index, release method name)` for each released handle.
    pub(super) fn methods(
        &mut self,
        prefix: &str,
        decls: &[Decl],
        released: &[usize],
    ) -> (Vec<Node>, Vec<(usize, String)>) {
        let mut written = HashSet::new();
        let mut rust = HashSet::new();
        let mut out = Vec::new();
        let mut links = Vec::new();
        let n = self.rng.small(8);
        for i in 0..n + released.len() {
            let release = i.checked_sub(n).map(|r| released[r]);
            let name = self.name(|g, n| {
                let c = names::c_symbol(prefix, n, None);
                !written.contains(n)
                    && !rust.contains(&names::rust_method_ident(n))
                    && c_free(&c)
                    && !g.symbols.contains(&c)
                    && !g.values_c.contains(&c)
            });
            written.insert(name.clone());
            rust.insert(names::rust_method_ident(&name));
            let mut e = vec![("name".to_owned(), s(&name))];
            let symbol = self.rng.one_in(6).then(|| self.symbol());
            self.symbols
                .insert(names::c_symbol(prefix, &name, symbol.as_deref()));
            if let Some(sym) = symbol {
                e.push(("symbol".to_owned(), s(sym)));
            }
            if let Some(h) = release {
                links.push((h, name.clone()));
            }
            let params = self.params(decls, release);
            if !params.is_empty() || self.rng.coin() {
                e.push(("params".to_owned(), Node::Seq(params)));
            }
            if let Some(r) = self.returns(decls) {
                e.push(("returns".to_owned(), r));
            }
            let effect = *self.rng.pick(&["pure", "mut", "io", "control"]);
            e.push(("effect".to_owned(), s(effect)));
            if self.rng.one_in(3) {
                let f = if self.rng.coin() { "true" } else { "false" };
                e.push(("fallible".to_owned(), Node::Raw(f.into())));
            }
            if let Some(d) = self.doc() {
                e.push(("doc".to_owned(), s(d)));
            }
            self.shuffle(&mut e);
            out.push(Node::Map(e));
        }
        self.shuffle(&mut out);
        (out, links)
    }

    /// A `symbol:` override: tagged, or (rarely) a bare name such as `main`.
    fn symbol(&mut self) -> String {
        let tag = self.tag.clone();
        let probe = self.hostile && self.rng.one_in(8);
        let taken = |g: &mut Self, sym: &str| {
            g.symbols.contains(sym) || g.values_c.contains(sym) || !c_free(sym)
        };
        if probe {
            if !self.prefixes.is_empty() && self.rng.coin() {
                let p = format!("{}_bid_free", self.rng.pick(&self.prefixes));
                if !taken(self, &p) {
                    return p;
                }
            }
            self.name(|g, n| !taken(g, n))
        } else {
            let n = self.name(|g, n| {
                let sym = format!("{tag}_{n}");
                sym.len() <= names::MAX_NAME_BYTES && !taken(g, &sym)
            });
            format!("{tag}_{n}")
        }
    }

    fn params(&mut self, decls: &[Decl], release: Option<usize>) -> Vec<Node> {
        let mut scope = Scope::default();
        let mut out = Vec::new();
        // A release method takes the handle alone: its drop calls it with nothing else.
        let n = if release.is_some() {
            0
        } else {
            self.rng.small(6)
        };
        let c_names = |n: &str, buffer: bool| {
            let c = names::c_param(n);
            if buffer {
                vec![format!("{c}_ptr"), format!("{c}_len")]
            } else {
                vec![c]
            }
        };
        for _ in 0..n {
            let (ty, buffer, handle) = self.any_type(decls);
            let name = self.name(|g, n| {
                let c = c_names(n, buffer);
                scope.fits(n, &c) && c.iter().all(|c| !g.symbols.contains(c))
            });
            self.values_c.extend(c_names(&name, buffer));
            scope.add(&name, &c_names(&name, buffer));
            let own = if buffer || ty == "cstr" {
                *self.rng.pick(&[None, Some("borrowed")])
            } else if handle {
                *self
                    .rng
                    .pick(&[None, Some("borrowed"), Some("transferred")])
            } else {
                None
            };
            let doc = self.doc();
            out.push(self.value(&name, &ty, own, doc, &["name", "type", "ownership", "doc"]));
        }
        if let Some(h) = release {
            let name = self.name(|g, n| {
                let c = c_names(n, false);
                scope.fits(n, &c) && c.iter().all(|c| !g.symbols.contains(c))
            });
            self.values_c.extend(c_names(&name, false));
            let ty = decls[h].name.clone();
            let p = self.value(
                &name,
                &ty,
                Some("transferred"),
                None,
                &["name", "type", "ownership", "doc"],
            );
            let at = self.rng.below(out.len() + 1);
            out.insert(at, p);
        }
        out
    }

    fn returns(&mut self, decls: &[Decl]) -> Option<Node> {
        match self.rng.below(8) {
            0 => None,
            1 => Some(match self.rng.below(3) {
                0 => s("void"),
                1 => Node::Map(vec![("type".to_owned(), s("void"))]),
                _ => Node::Raw("~".into()),
            }),
            _ => {
                let (ty, buffer, handle) = self.any_type(decls);
                let cstr = ty == "cstr";
                let own = if buffer {
                    *self.rng.pick(&[
                        None,
                        Some("transferred"),
                        Some("borrowed"),
                        Some("reference"),
                    ])
                } else if cstr {
                    *self
                        .rng
                        .pick(&[None, Some("transferred"), Some("reference")])
                } else if handle {
                    *self
                        .rng
                        .pick(&[None, Some("transferred"), Some("borrowed")])
                } else {
                    None
                };
                let mut e = vec![("type".to_owned(), s(&ty))];
                if let Some(o) = own {
                    e.push(("ownership".to_owned(), s(o)));
                }
                // `nullable:` on a handle or a cstr; `free:` (the library's own release
                // function) on what the caller owns: a transferred cstr or buffer.
                if (handle || cstr) && self.rng.one_in(3) {
                    let v = if self.rng.one_in(4) { "false" } else { "true" };
                    e.push(("nullable".to_owned(), Node::Raw(v.into())));
                }
                let owned = matches!(own, Some("transferred")) || (cstr && own.is_none());
                if (buffer || cstr) && owned && self.rng.one_in(3) {
                    let free = self.free_symbol();
                    e.push(("free".to_owned(), s(free)));
                }
                Some(if e.len() == 1 && self.rng.coin() {
                    s(ty)
                } else {
                    self.shuffle(&mut e);
                    Node::Map(e)
                })
            }
        }
    }

    /// A `free:` symbol: most often one already named by an earlier `free:` of this file
    /// (several results released by one function), else a fresh symbol.
    fn free_symbol(&mut self) -> String {
        if !self.frees.is_empty() && self.rng.coin() {
            return self.rng.pick(&self.frees).clone();
        }
        let sym = self.symbol();
        self.symbols.insert(sym.clone());
        self.frees.push(sym.clone());
        sym
    }
}
