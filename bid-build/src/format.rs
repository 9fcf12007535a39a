//! prettyplease text of the emitter's tokens, formatted one piece (one method) at a time, on
//! every core.
//!
//! Parsing a 5,000-method file whole keeps every token, syntax node and string of it alive
//! at once; piece by piece the same work stays in cache and the allocator reuses memory.
//! prettyplease prints each item, and each item of an `impl`, on its own lines with no state
//! carried from one to the next, so the pieces join into the text the whole file gives.
//! Tokens cannot cross threads, so each thread emits the pieces it formats. Anything this
//! splitter misreads fails to parse or to match, and the caller then formats the whole file
//! instead.

use bid_schema::emit::rust::{Emitted, Piece};
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many pieces per thread, another thread costs more than it saves.
const PIECES_PER_THREAD: usize = 64;

/// How the text of the bindings is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// prettyplease.
    Pretty,
    /// The same tokens, a statement per line, unparsed ([`crate::plain`]).
    Plain,
}

/// The text of `pieces`, laid out on up to `threads` threads; `None` when a piece does not
/// parse.
pub(crate) fn pieces(pieces: &[Piece<'_>], layout: Layout, threads: usize) -> Option<String> {
    on_threads(
        pieces,
        layout,
        threads.min(pieces.len() / PIECES_PER_THREAD).max(1),
    )
}

fn on_threads(pieces: &[Piece<'_>], layout: Layout, threads: usize) -> Option<String> {
    let lay_out = |p: &Piece<'_>| match layout {
        Layout::Pretty => piece(p),
        Layout::Plain => Some(plain_piece(p)),
    };
    let texts: Vec<Option<String>> = if threads == 1 {
        pieces.iter().map(lay_out).collect()
    } else {
        // Pieces are handed out one at a time, in order: most are one method each, so the
        // threads finish together.
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = pieces.get(i) else { break done };
                done.push((i, lay_out(p)));
            }
        };
        let mut texts = vec![None; pieces.len()];
        std::thread::scope(|scope| {
            let workers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mine = work();
            for (i, text) in workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .chain(mine)
            {
                texts[i] = text;
            }
        });
        texts
    };
    let mut out = String::with_capacity(texts.iter().flatten().map(String::len).sum());
    for text in texts {
        out.push_str(&text?);
    }
    Some(out)
}

/// One piece's text: whole items as [`items`] gives them, an `impl` as its header, its
/// members and its closing brace.
fn piece(piece: &Piece<'_>) -> Option<String> {
    match piece.emit() {
        Emitted::Items(tokens) => items(tokens),
        Emitted::ImplStart(header) => impl_header(header.into_iter().collect()),
        Emitted::Member(member) => impl_member(member),
        Emitted::ImplEnd => Some("}\n".to_owned()),
    }
}

/// One piece's text without a formatter, laid out as [`crate::plain`] lays out the whole file.
fn plain_piece(piece: &Piece<'_>) -> String {
    match piece.emit() {
        Emitted::Items(tokens) => crate::plain::text(tokens, 0),
        Emitted::ImplStart(header) => {
            let mut text = crate::plain::text(header, 0);
            text.pop();
            text.push_str(" {\n");
            text
        }
        Emitted::Member(member) => crate::plain::text(member, 1),
        Emitted::ImplEnd => "}\n".to_owned(),
    }
}

/// The formatted text of `tokens`, or `None` when a piece does not parse as items.
pub(crate) fn items(tokens: TokenStream) -> Option<String> {
    let mut out = String::new();
    for item in split(tokens) {
        if is_impl(&item) {
            impl_item(item, &mut out)?;
        } else {
            out.push_str(&unparse(item.into_iter().collect())?);
        }
    }
    Some(out)
}

fn unparse(tokens: TokenStream) -> Option<String> {
    let file = syn::parse2::<syn::File>(tokens).ok()?;
    Some(prettyplease::unparse(&file))
}

fn is_punct(tt: Option<&TokenTree>, c: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// Top-level items: each ends at a `;` or at a `{ .. }` not followed by `;` (a `static`'s
/// block initialiser is followed by one).
fn split(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut items = Vec::new();
    let mut cur = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let end = match &tt {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace && !is_punct(iter.peek(), ';'),
            _ => false,
        };
        cur.push(tt);
        if end {
            items.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        items.push(cur);
    }
    items
}

/// Whether `item` is `#[..]* [unsafe] impl .. { .. }`.
fn is_impl(item: &[TokenTree]) -> bool {
    let mut i = 0;
    while is_punct(item.get(i), '#') {
        i += 2;
    }
    if matches!(item.get(i), Some(TokenTree::Ident(id)) if id == "unsafe") {
        i += 1;
    }
    let is_impl = matches!(item.get(i), Some(TokenTree::Ident(id)) if id == "impl");
    let braced =
        matches!(item.last(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace);
    is_impl && braced
}

fn braced(inner: TokenStream) -> TokenTree {
    TokenTree::Group(Group::new(Delimiter::Brace, inner))
}

/// An `impl` block member by member: the header is formatted once around an empty body;
/// each member inside a bare `impl X { .. }` (its text does not depend on the header), of
/// which the lines between the braces are kept.
fn impl_item(mut item: Vec<TokenTree>, out: &mut String) -> Option<()> {
    let Some(TokenTree::Group(body)) = item.pop() else {
        return None;
    };
    let members = split(body.stream());
    if members.is_empty() {
        item.push(braced(TokenStream::new()));
        out.push_str(&unparse(item.into_iter().collect())?);
        return Some(());
    }
    out.push_str(&impl_header(item)?);
    for member in members {
        out.push_str(&impl_member(member.into_iter().collect())?);
    }
    out.push_str("}\n");
    Some(())
}

/// `#[..] impl X {`, from the tokens before the body.
fn impl_header(mut header: Vec<TokenTree>) -> Option<String> {
    header.push(braced(TokenStream::new()));
    let empty = unparse(header.into_iter().collect())?;
    Some(format!("{}{{\n", empty.strip_suffix("{}\n")?))
}

/// The lines of one `impl` member.
fn impl_member(member: TokenStream) -> Option<String> {
    let bare_impl = [
        TokenTree::Ident(Ident::new("impl", Span::call_site())),
        TokenTree::Ident(Ident::new("X", Span::call_site())),
        braced(member),
    ];
    let text = unparse(bare_impl.into_iter().collect())?;
    Some(
        text.strip_prefix("impl X {\n")?
            .strip_suffix("}\n")?
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2::<syn::File>(tokens).unwrap())
    }

    /// Every fixture: the item-by-item text, and the piece-by-piece text on one and on
    /// several threads, are produced (no fallback) and are exactly the whole-file text.
    #[test]
    fn items_and_pieces_join_into_the_whole_file_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid");
        let mut seen = 0;
        let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if !path.to_string_lossy().ends_with(".bid.yaml") {
                continue;
            }
            let model = bid_schema::check_file(&path).unwrap();
            let tokens = bid_schema::emit::rust::bindings(&model);
            let whole = whole(tokens.clone());
            let split = items(tokens).expect("every generated item parses");
            assert_eq!(split, whole, "{}", path.display());
            let pieces = bid_schema::emit::rust::pieces(&model);
            let plain_whole = crate::plain::text(bid_schema::emit::rust::bindings(&model), 0);
            for threads in [1, 3] {
                let text =
                    on_threads(&pieces, Layout::Pretty, threads).expect("every piece parses");
                assert_eq!(text, whole, "{} on {threads} threads", path.display());
                let plain = on_threads(&pieces, Layout::Plain, threads).expect("plain text");
                assert_eq!(
                    plain,
                    plain_whole,
                    "{} plain on {threads} threads",
                    path.display()
                );
            }
            seen += 1;
        }
        assert!(seen >= 5, "fixtures found: {seen}");
    }

    #[test]
    fn impl_members_and_odd_items_match_too() {
        let src: TokenStream = r#"
            #[allow(dead_code, reason = "test")]
            impl Foo {
                /// Doc.
                pub fn a(&self) -> i32 { if true { 1 } else { 2 } }
                const B: u8 = { 3 };
                fn c() {}
            }
            impl Empty {}
            unsafe impl Send for Foo {}
            static S: [u8; 2] = { [0; 2] };
            struct T(i64);
            pub fn free() -> impl Sized { let x = 1; x }
        "#
        .parse()
        .unwrap();
        assert_eq!(items(src.clone()).unwrap(), whole(src));
    }

    #[test]
    fn unparseable_pieces_give_none() {
        let src: TokenStream = "fn a() {} + 1;".parse().unwrap();
        assert_eq!(items(src), None);
    }
}
