//! Name scopes: where a second use of a name is a `bid.name.duplicate`.

use crate::diag::Span;
use std::collections::HashMap;

/// A namespace of names where a second use of a name is an error; remembers the first use.
///
/// Most namespaces (the params of one method, the fields of one record) hold a handful of
/// names: those stay a short list; a hash index is built only once one grows past a few.
#[derive(Default)]
pub(crate) struct Names {
    /// Name, where it was first used and what kind of item used it. The item's own name is read
    /// back from the source at that span, so nothing is formatted unless names clash.
    list: Vec<(String, Span, &'static str)>,
    index: HashMap<String, usize>,
}

impl Names {
    const LINEAR: usize = 8;

    /// Registers `key`; on a clash returns the first use's span and kind.
    pub(super) fn insert(
        &mut self,
        key: &str,
        span: Span,
        kind: &'static str,
    ) -> Option<(Span, &'static str)> {
        let found = if self.list.len() <= Self::LINEAR {
            self.list.iter().position(|e| e.0 == key)
        } else {
            self.index.get(key).copied()
        };
        if let Some(i) = found {
            return Some((self.list[i].1, self.list[i].2));
        }
        if self.list.len() == Self::LINEAR {
            self.index.reserve(64);
            for (i, e) in self.list.iter().enumerate() {
                self.index.insert(e.0.clone(), i);
            }
        }
        if self.list.len() >= Self::LINEAR {
            self.index.insert(key.to_owned(), self.list.len());
        }
        self.list.push((key.to_owned(), span, kind));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_find_clashes_small_and_large() {
        let mut n = Names::default();
        let sp = |i: usize| Span {
            line: i,
            column: 1,
            start: i,
            end: i + 1,
        };
        for i in 0..100 {
            assert_eq!(n.insert(&format!("n{i}"), sp(i), "method"), None);
        }
        assert_eq!(n.insert("n3", sp(200), "type"), Some((sp(3), "method")));
        assert_eq!(n.insert("n99", sp(201), "type"), Some((sp(99), "method")));
        assert_eq!(n.insert("n100", sp(202), "type"), None);
    }
}
