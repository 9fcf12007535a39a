//! A report as text: each diagnostic quotes only its own lines, within a budget, through
//! annotate-snippets.

use super::{Code, Diagnostic, Label, Report, Severity, Span};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

impl Report {
    pub(super) fn render_with(&self, renderer: &Renderer) -> String {
        let lines = LineStarts::new(&self.text);
        let mut budget = QUOTE_BUDGET_BYTES;
        let mut unquoted = 0usize;
        let mut out = String::new();
        for d in self.diagnostics.iter().take(MAX_RENDERED) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            let window = d
                .span
                .and_then(|_| lines.window(&self.text, &d.labels))
                .filter(|w| w.len() <= budget);
            if let Some(w) = &window {
                budget -= w.len();
            } else if d.span.is_some() && !self.text.is_empty() {
                unquoted += 1;
            }
            out.push_str(&render_one(renderer, &self.name, &self.text, window, d));
        }
        if let Some(rest) = self
            .diagnostics
            .get(MAX_RENDERED..)
            .filter(|r| !r.is_empty())
        {
            let mut codes: Vec<(Code, usize)> = Vec::new();
            for d in rest {
                match codes.iter_mut().find(|(c, _)| *c == d.code) {
                    Some((_, n)) => *n += 1,
                    None => codes.push((d.code, 1)),
                }
            }
            codes.sort();
            let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            out.push_str(&format!(
                "\n\nnote: {} more diagnostics not shown ({}); the JSON output lists every one",
                rest.len(),
                codes.join(", ")
            ));
        }
        if unquoted > 0 {
            out.push_str(&format!(
                "\n\nnote: the source lines of {unquoted} of the {} diagnostics above are not \
                 quoted: {} MiB of quoted source is the limit",
                self.diagnostics.len().min(MAX_RENDERED),
                QUOTE_BUDGET_BYTES >> 20
            ));
        }
        out.push('\n');
        out
    }
}

/// At most this many diagnostics are rendered as text (as a C compiler's error limit); a
/// note counts the rest by code. `Report::to_json` keeps every one.
const MAX_RENDERED: usize = 1_000;

/// At most this much source text is handed to the snippet renderer for one report, in
/// total: each quoted diagnostic costs the size of the lines it quotes, so a large file with
/// thousands of errors would otherwise take time proportional to their product. Past it, a
/// diagnostic shows its location without the source. 4 MiB is more source than anyone reads
/// in one report (the renderer folds the lines between a diagnostic's labels, so what it
/// prints is far less).
const QUOTE_BUDGET_BYTES: usize = 4 << 20;

/// The byte offset of every line start of a text, computed once per report, so each
/// diagnostic quotes only its own lines.
struct LineStarts(Vec<usize>);

/// The lines a diagnostic quotes: `text[start..end]`, whose first line is `line` (1-based).
struct Window {
    start: usize,
    end: usize,
    line: usize,
}

impl Window {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(starts)
    }

    /// The 0-based line holding byte `at`.
    fn line_of(&self, at: usize) -> usize {
        self.0.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The whole lines from the first label's to the last label's (`None` without labels):
    /// the renderer folds the lines between, as it would in the whole text.
    fn window(&self, text: &str, labels: &[Label]) -> Option<Window> {
        let start = labels.iter().map(|l| clamp(text, l.span).0).min()?;
        let end = labels.iter().map(|l| clamp(text, l.span).1).max()?;
        let first = self.line_of(start);
        let last = self.line_of(end.saturating_sub(1).max(start));
        let end = match self.0.get(last + 1) {
            Some(&next) => next,
            None => text.len(),
        };
        Some(Window {
            start: self.0[first],
            end,
            line: first + 1,
        })
    }
}

fn render_one(
    renderer: &Renderer,
    name: &str,
    text: &str,
    window: Option<Window>,
    d: &Diagnostic,
) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let mut group = Group::with_title(title);
    if let Some(w) = window {
        let source = &text[w.start..w.end];
        let mut snippet = Snippet::source(source)
            .line_start(w.line)
            .path(name)
            .fold(true);
        for l in &d.labels {
            let kind = if l.primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let (start, end) = clamp(text, l.span);
            let range = start - w.start..end - w.start;
            snippet = snippet.annotation(kind.span(range).label(l.message.as_str()));
        }
        group = group.element(snippet);
    } else {
        let mut origin = annotate_snippets::Origin::path(name);
        if let Some(span) = d.span.filter(|_| !text.is_empty()) {
            origin = origin.line(span.line).char_column(span.column);
        }
        group = group.element(origin);
    }
    for n in &d.notes {
        group = group.element(Level::NOTE.message(n.as_str()));
    }
    for h in &d.help {
        group = group.element(Level::HELP.message(h.as_str()));
    }
    renderer.render(&[group])
}

/// Keeps a label inside the text and on char boundaries, so a stale span cannot panic the renderer.
fn clamp(text: &str, span: Span) -> (usize, usize) {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of `n` diagnostics on a text of `lines` lines, each quoting all of it (a
    /// label on the first line and one on the last).
    fn report(n: usize, lines: usize) -> Report {
        let text = "x: 0123456789012345678901234567890123456789\n".repeat(lines);
        let span = |line: usize| {
            let start = (line - 1) * 44;
            Span {
                line,
                column: 1,
                start,
                end: start + 1,
            }
        };
        let d = Diagnostic::error(Code::FieldUnknown, "unknown key `x`")
            .primary(span(lines), "here")
            .secondary(span(1), "from here");
        Report {
            name: "t.bid.yaml".into(),
            text,
            diagnostics: vec![d; n],
        }
    }

    #[test]
    fn quoting_stops_at_the_budget_and_says_so() {
        // 1,000 lines of 44 bytes: each diagnostic quotes 44,000 bytes, so 95 fit in 4 MiB (4,194,304 bytes).
        let r = report(200, 1_000);
        let out = r.render();
        let fit = QUOTE_BUDGET_BYTES / 44_000;
        let tail = &out[out.len() - 300..];
        // Every diagnostic is located; only the first `fit` quote their lines and labels.
        assert_eq!(out.matches("--> t.bid.yaml:1000:1").count(), 200, "{tail}");
        assert_eq!(out.matches("from here").count(), fit, "{tail}");
        let note = format!(
            "note: the source lines of {} of the 200 diagnostics above are not quoted: 4 MiB of \
             quoted source is the limit\n",
            200 - fit
        );
        assert!(out.ends_with(&note), "{tail}");
    }

    #[test]
    fn a_small_report_quotes_everything() {
        let out = report(3, 10).render();
        assert!(!out.contains("are not quoted"), "{out}");
        assert_eq!(out.matches("from here").count(), 3, "{out}");
    }
}
