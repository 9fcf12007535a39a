//! The generated tokens laid out without a formatter, for `$OUT_DIR` files nobody reads:
//! the same tokens as prettyplease's text in a fraction of the time (nothing is parsed).
//!
//! A line break after each `;`, after a `,` directly inside braces, around each block's
//! braces and after each attribute; four spaces of indent per open brace; one space between
//! tokens, none after a joint punctuation (which keeps `::`, `->`, `'a` whole) and none
//! where the two tokens cannot fuse into another (see [`space`]).

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// `tokens` laid out from brace depth `depth`.
pub(crate) fn text(tokens: TokenStream, depth: usize) -> String {
    let mut p = Printer {
        out: String::new(),
        depth,
        line_start: true,
        prev: Prev::Open,
    };
    p.stream(tokens, true);
    p.end_line();
    p.out
}

/// What the last token written was, for the spacing of the next.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    /// Start of a line, or an opening `(` `[`.
    Open,
    /// An ident; `keyword` for one that cannot continue a path (`return ::x` keeps its
    /// space).
    Word { keyword: bool },
    /// A literal (`1` must not meet `.`).
    Literal,
    /// A closing `)` `]` `}`.
    Close,
    /// Punctuation; `joint` when it fuses with the next.
    Punct { c: char, joint: bool },
    /// The `::` of a path.
    PathSep,
}

/// What comes next.
#[derive(Clone, Copy, PartialEq)]
enum Next {
    Word,
    Punct(char),
    /// `(` or `[`.
    Open,
    /// `)` or `]`.
    Close,
}

/// Whether a space goes between `prev` and `next`. A joint punctuation fuses with the next
/// mark; elsewhere a space is left out only where the two cannot fuse into another token.
fn space(prev: Prev, next: Next) -> bool {
    use Prev as P;
    let word_like = matches!(prev, P::Word { keyword: false } | P::Close);
    match (prev, next) {
        (P::Open | P::PathSep | P::Punct { joint: true, .. }, _) | (_, Next::Close) => false,
        (_, Next::Punct(',' | ';')) => false,
        // `a.b`, `f()?`, `a: T`, `A::B`, `m!`, `f(`, `v[`, `Vec<`, `u8>`.
        (_, Next::Punct('.' | '?' | ':' | '!' | '>') | Next::Open) if word_like => false,
        (P::Word { keyword: false }, Next::Punct('<')) => false,
        (
            P::Word { .. }
            | P::Punct {
                c: '!' | '>' | '&', ..
            },
            Next::Open,
        ) => false,
        // After these marks, a word or a lifetime's `'` cannot fuse with them.
        (
            P::Punct {
                c: '.' | '<' | '&' | '*',
                ..
            },
            Next::Word | Next::Punct('\''),
        ) => false,
        _ => true,
    }
}

/// Keywords after which a `::` starts a new path rather than continuing one.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "type", "unsafe", "use", "where", "while", "yield",
];

struct Printer {
    out: String,
    depth: usize,
    line_start: bool,
    prev: Prev,
}

impl Printer {
    fn write(&mut self, text: &str, next: Next) {
        if self.line_start {
            for _ in 0..self.depth {
                self.out.push_str("    ");
            }
            self.line_start = false;
        } else if space(self.prev, next) {
            self.out.push(' ');
        }
        self.out.push_str(text);
    }

    fn end_line(&mut self) {
        if !self.line_start {
            self.out.push('\n');
            self.line_start = true;
            self.prev = Prev::Open;
        }
    }

    /// `lines`: at item or statement level (the top, or inside braces), where `;` ends a line.
    fn stream(&mut self, tokens: TokenStream, lines: bool) {
        let mut iter = tokens.into_iter().peekable();
        while let Some(tt) = iter.next() {
            match tt {
                TokenTree::Ident(ident) => {
                    let word = ident.to_string();
                    self.write(&word, Next::Word);
                    self.prev = Prev::Word {
                        keyword: KEYWORDS.contains(&word.as_str()),
                    };
                }
                TokenTree::Literal(lit) => {
                    self.write(&lit.to_string(), Next::Word);
                    self.prev = Prev::Literal;
                }
                TokenTree::Punct(p) => {
                    let c = p.as_char();
                    let joint = p.spacing() == Spacing::Joint;
                    if c == '#'
                        && let Some(TokenTree::Group(attr)) = iter.peek()
                        && attr.delimiter() == Delimiter::Bracket
                    {
                        // An outer attribute, on its own line.
                        let attr = attr.stream();
                        iter.next();
                        self.end_line();
                        self.write("#[", Next::Open);
                        self.prev = Prev::Open;
                        self.stream(attr, false);
                        self.write("]", Next::Close);
                        self.end_line();
                        continue;
                    }
                    self.write(c.encode_utf8(&mut [0; 4]), Next::Punct(c));
                    self.prev = match (self.prev, c, joint) {
                        (
                            Prev::Punct {
                                c: ':',
                                joint: true,
                            },
                            ':',
                            false,
                        ) => Prev::PathSep,
                        _ => Prev::Punct { c, joint },
                    };
                    if lines && matches!(c, ';' | ',') {
                        self.end_line();
                    }
                }
                TokenTree::Group(group) => match group.delimiter() {
                    Delimiter::Brace => {
                        self.write("{", Next::Punct('{'));
                        let inner = group.stream();
                        if inner.is_empty() {
                            self.out.push('}');
                        } else {
                            self.end_line();
                            self.depth += 1;
                            self.stream(inner, true);
                            self.end_line();
                            self.depth -= 1;
                            self.write("}", Next::Close);
                        }
                        self.prev = Prev::Close;
                        let continues = matches!(
                            iter.peek(),
                            Some(TokenTree::Punct(p)) if matches!(p.as_char(), ';' | ',' | '.' | '?')
                        );
                        if lines && !continues {
                            self.end_line();
                        }
                    }
                    Delimiter::Parenthesis | Delimiter::Bracket => {
                        let (open, close) = match group.delimiter() {
                            Delimiter::Parenthesis => ("(", ")"),
                            _ => ("[", "]"),
                        };
                        self.write(open, Next::Open);
                        self.prev = Prev::Open;
                        self.stream(group.stream(), false);
                        self.write(close, Next::Close);
                        self.prev = Prev::Close;
                    }
                    Delimiter::None => self.stream(group.stream(), lines),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::text;
    use proc_macro2::TokenStream;

    /// The laid-out text means what the tokens mean: prettyplease prints both alike.
    fn same_meaning(tokens: TokenStream) -> String {
        let plain = text(tokens.clone(), 0);
        let reparsed: syn::File = syn::parse_str(&plain)
            .unwrap_or_else(|e| panic!("the plain text does not parse: {e}\n{plain}"));
        let original: syn::File = syn::parse2(tokens).expect("the tokens parse");
        assert_eq!(
            prettyplease::unparse(&reparsed),
            prettyplease::unparse(&original),
            "{plain}"
        );
        plain
    }

    #[test]
    fn every_fixture_keeps_its_meaning() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/valid");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if !path.to_string_lossy().ends_with(".bid.yaml") {
                continue;
            }
            let model = bid_schema::check_file(&path).unwrap();
            same_meaning(bid_schema::emit::rust::bindings(&model));
            seen += 1;
        }
        assert!(seen >= 5, "fixtures found: {seen}");
    }

    #[test]
    fn tokens_that_could_fuse_stay_apart() {
        let src: TokenStream = r#"
            fn f(a: ::core::primitive::i32, b: &'static str) -> Vec<Vec<u8>> {
                let x = a - -1 + (1.0f64 as i32) + 1.max(2) + [0; 2][0] + t.0;
                let r = 0..=2;
                let c = || { x };
                m!(a, b);
                if a < -b { return ::std::vec::Vec::new(); }
                (self.fns.m)(a)?;
                S { a: 1, b: ::core::default::Default::default() }
            }
        "#
        .parse()
        .unwrap();
        let plain = same_meaning(src);
        assert!(plain.contains("a: ::core::primitive::i32"), "{plain}");
        assert!(plain.contains("(self.fns.m)(a)?;"), "{plain}");
        assert!(plain.contains("m!(a, b);"), "{plain}");
        assert!(plain.contains("-> Vec<Vec<u8>>"), "{plain}");
        assert!(plain.contains("a - - 1"), "{plain}");
        assert!(plain.contains("[0; 2]"), "{plain}");
        assert!(plain.contains("return ::std::vec::Vec::new();"), "{plain}");
        assert!(plain.contains("1 .max(2)"), "{plain}");
    }

    #[test]
    fn blocks_and_statements_break_lines() {
        let src: TokenStream = "#[inline] pub fn f() -> i32 { let a = 1; a }"
            .parse()
            .unwrap();
        assert_eq!(
            same_meaning(src),
            "#[inline]\npub fn f() -> i32 {\n    let a = 1;\n    a\n}\n"
        );
    }
}
