//! Name scopes: where a second use of a name is a `bid.name.duplicate`.

use crate::diag::Span;
use std::collections::HashMap;

/// A namespace of names where a second use of a name is an error; remembers the first use
/// and what kind of item made it.
#[derive(Default)]
pub(crate) struct Names {
    first: HashMap<String, (Span, &'static str)>,
}

impl Names {
    /// Registers `key`; on a clash returns the first use's span and kind.
    pub(super) fn insert(
        &mut self,
        key: &str,
        span: Span,
        kind: &'static str,
    ) -> Option<(Span, &'static str)> {
        if let Some(&first) = self.first.get(key) {
            return Some(first);
        }
        self.first.insert(key.to_owned(), (span, kind));
        None
    }

    /// What kind of item registered `key` first, if any.
    pub(super) fn kind_of(&self, key: &str) -> Option<&'static str> {
        self.first.get(key).map(|&(_, kind)| kind)
    }
}

/// The three namespaces one list of values (a record's fields, a method's parameters) must
/// be unique in: as written, as Rust idents, as C names.
#[derive(Default)]
pub(crate) struct ValueScope {
    pub(super) written: Names,
    pub(super) rust: Names,
    pub(super) c: Names,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(i: usize) -> Span {
        Span {
            line: i,
            column: 1,
            start: i,
            end: i + 1,
        }
    }

    #[test]
    fn the_first_use_is_remembered() {
        let mut n = Names::default();
        for i in 0..100 {
            assert_eq!(n.insert(&format!("n{i}"), sp(i), "method"), None);
        }
        assert_eq!(n.insert("n3", sp(200), "type"), Some((sp(3), "method")));
        assert_eq!(n.insert("", sp(201), "field"), None);
        assert_eq!(n.insert("", sp(202), "field"), Some((sp(201), "field")));
    }
}
