//! One execution of bid on one input, in process, with the oracles: no panic anywhere in the
//! pipeline, generated Rust that parses (as tokens and as the text users get), and the time
//! each phase took.

use bid_schema::model::{Model, Type, TypeDefKind};
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The steps one input goes through, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// `bid_schema::check_source`.
    Check,
    /// `Report::render` of a rejected file.
    Render,
    /// `emit::c::header`.
    Header,
    /// `emit::rust::bindings`.
    Bindings,
    /// `syn::parse2::<syn::File>` of the bindings, and the [`crate::shadow`] check.
    Parse,
    /// `bid_build::rust_source_unformatted`, what `bid rust --no-format` prints.
    Plain,
    /// `syn::parse_str::<syn::File>` of that text.
    PlainParse,
    /// `check_source` again, with a comment at the end of the last line (see [`twin`]).
    Twin,
}

/// Every phase, in pipeline order.
pub const PHASES: [Phase; 8] = [
    Phase::Check,
    Phase::Render,
    Phase::Header,
    Phase::Bindings,
    Phase::Parse,
    Phase::Plain,
    Phase::PlainParse,
    Phase::Twin,
];

impl Phase {
    /// Whether the phase is bid's work (not the harness parsing bid's output).
    pub fn is_bid(self) -> bool {
        !matches!(self, Phase::Parse | Phase::PlainParse | Phase::Twin)
    }

    /// A short lower-case name for reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Check => "check",
            Phase::Render => "render",
            Phase::Header => "header",
            Phase::Bindings => "bindings",
            Phase::Parse => "parse",
            Phase::Plain => "plain",
            Phase::PlainParse => "plain-parse",
            Phase::Twin => "twin",
        }
    }
}

/// What bid did with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Checked, emitted, and the Rust parsed.
    Accepted,
    /// Rejected with diagnostics (their codes, sorted, deduplicated).
    Rejected(Vec<&'static str>),
    /// A panic in `phase`.
    Panic {
        /// Where the pipeline was.
        phase: Phase,
        /// The panic payload.
        message: String,
        /// `file:line:col` of the panic.
        location: String,
    },
    /// A generated method passes one of its own locals to the plugin in place of the
    /// parameter of the same name ([`crate::shadow`]).
    Rebound {
        /// Which method and parameter.
        message: String,
    },
    /// `check_source` said something else about the input's [`twin`].
    Diverged {
        /// What differs.
        message: String,
        /// What the event parser's side said (a diagnostic's message, or `accepted`), which
        /// names the kind of divergence.
        event: String,
    },
    /// The generated Rust does not parse.
    Unparsable {
        /// [`Phase::Parse`] (tokens) or [`Phase::PlainParse`] (text).
        phase: Phase,
        /// syn's error.
        message: String,
    },
}

/// The verdict and the time of each phase.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// What happened.
    pub verdict: Verdict,
    /// Time per phase, indexed like [`PHASES`].
    pub times: [Duration; PHASES.len()],
    /// A coarse fingerprint of what the input exercised, for keeping a diverse corpus.
    pub feature: u64,
}

impl Outcome {
    /// Time of the whole execution.
    pub fn total(&self) -> Duration {
        self.times.iter().sum()
    }

    /// Time bid itself took: every phase but the harness's own parsing of the output.
    pub fn bid_time(&self) -> Duration {
        PHASES
            .iter()
            .zip(self.times)
            .filter(|(p, _)| p.is_bid())
            .map(|(_, t)| t)
            .sum()
    }

    /// bid's phase that took longest.
    pub fn slowest_phase(&self) -> Phase {
        let i = (0..PHASES.len())
            .filter(|&i| PHASES[i].is_bid())
            .max_by_key(|&i| self.times[i])
            .unwrap_or(0);
        PHASES[i]
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// The phase running now (an index into [`PHASES`]), for a watchdog to name a hang.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The phase the latest [`run`] is in (or ended in).
pub fn running_phase() -> Phase {
    PHASES[RUNNING.load(Ordering::Relaxed).min(PHASES.len() - 1)]
}

fn enter(slot: &mut Phase, p: Phase) {
    *slot = p;
    RUNNING.store(p as usize, Ordering::Relaxed);
}

/// Records a panic's message and location for [`run`], printing nothing.
fn record(info: &panic::PanicHookInfo<'_>) {
    let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    };
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "<unknown>".to_owned());
    LAST_PANIC.with(|p| *p.borrow_mut() = Some((message, location)));
}

/// Replaces the panic hook, once per process, with one that prints nothing and records the
/// message and location for [`run`]. Panics outside `run` still record, silently.
pub fn install_quiet_hook() {
    HOOK.call_once(|| panic::set_hook(Box::new(record)));
}

/// Runs `f` with the quiet hook, then puts the previous hook back: for a test that must
/// still report its own assertion failures. A panic gives its message and location.
pub fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, (String, String)> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(record));
    let out = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    out.map_err(|_| {
        LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| ("<no message>".to_owned(), "<unknown>".to_owned()))
    })
}

/// Runs `text` through the whole pipeline. Never panics (bid's panics are caught and
/// returned); call [`install_quiet_hook`] first or panics also print.
pub fn run(text: &str) -> Outcome {
    run_with(text, true)
}

/// [`run`], with the `--no-format` text phases ([`Phase::Plain`], [`Phase::PlainParse`])
/// only if `plain`: they double the cost of an accepted input.
pub fn run_with(text: &str, plain: bool) -> Outcome {
    let mut times = [Duration::ZERO; PHASES.len()];
    let mut phase = Phase::Check;
    let mut feature = 0;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        pipeline(text, plain, &mut times, &mut phase, &mut feature)
    }));
    let verdict = match result {
        Ok(v) => v,
        Err(_) => {
            let (message, location) = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| ("<no panic hook>".to_owned(), "<unknown>".to_owned()));
            Verdict::Panic {
                phase,
                message,
                location,
            }
        }
    };
    Outcome {
        verdict,
        times,
        feature,
    }
}

fn timed<T>(times: &mut [Duration], p: Phase, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    times[p as usize] += start.elapsed();
    out
}

fn pipeline(
    text: &str,
    with_plain: bool,
    times: &mut [Duration],
    phase: &mut Phase,
    feature: &mut u64,
) -> Verdict {
    enter(phase, Phase::Check);
    let checked = timed(times, Phase::Check, || {
        bid_schema::check_source("fuzz.bid.yaml", text)
    });
    if let Some(twin) = twin(text) {
        enter(phase, Phase::Twin);
        let other = timed(times, Phase::Twin, || {
            bid_schema::check_source("fuzz.bid.yaml", &twin)
        });
        if let Some((message, event)) = differ(&checked, &other) {
            return Verdict::Diverged { message, event };
        }
    }
    let model = match checked {
        Ok(m) => m,
        Err(report) => {
            let mut codes: Vec<&'static str> =
                report.diagnostics().iter().map(|d| d.code).collect();
            codes.sort_unstable();
            codes.dedup();
            *feature = crate::rng::fnv1a(codes.join(",").as_bytes());
            enter(phase, Phase::Render);
            let rendered = timed(times, Phase::Render, || report.render());
            std::hint::black_box(rendered);
            return Verdict::Rejected(codes);
        }
    };
    *feature = model_feature(&model);
    enter(phase, Phase::Header);
    let header = timed(times, Phase::Header, || bid_schema::emit::c::header(&model));
    // The header's size tells the Rust's (about half of it) before the Rust is printed.
    let huge = header.len() > MAX_PARSE / 2;
    std::hint::black_box(header);
    enter(phase, Phase::Bindings);
    let tokens = timed(times, Phase::Bindings, || {
        bid_schema::emit::rust::bindings(&model)
    });
    let plain = if with_plain {
        enter(phase, Phase::Plain);
        timed(times, Phase::Plain, || {
            bid_build::rust_source_unformatted(&model)
        })
    } else {
        String::new()
    };
    // syn needs many seconds for tens of megabytes of Rust: the harness parses what it can
    // afford (the tokens' size shows in the text's); bid's own time is measured either way.
    if huge || plain.len() > MAX_PARSE {
        return Verdict::Accepted;
    }
    enter(phase, Phase::Parse);
    let parsed = timed(times, Phase::Parse, || syn::parse2::<syn::File>(tokens));
    match parsed {
        Err(e) => {
            return Verdict::Unparsable {
                phase: Phase::Parse,
                message: e.to_string(),
            };
        }
        Ok(file) => {
            if let Some(message) = timed(times, Phase::Parse, || {
                crate::shadow::rebound_parameter(&file)
            }) {
                return Verdict::Rebound { message };
            }
        }
    }
    if !with_plain {
        return Verdict::Accepted;
    }
    enter(phase, Phase::PlainParse);
    let parsed = timed(times, Phase::PlainParse, || {
        syn::parse_str::<syn::File>(&plain)
    });
    if let Err(e) = parsed {
        return Verdict::Unparsable {
            phase: Phase::PlainParse,
            message: e.to_string(),
        };
    }
    Verdict::Accepted
}

/// The input with ` #` at the end of its last line, when the input is plain enough for
/// bid's fast YAML path: the comment sends the twin through the event parser instead, and
/// changes no span. Two parsers, one meaning: the verdicts must agree.
pub fn twin(text: &str) -> Option<String> {
    let bad = |b: u8| {
        !b.is_ascii()
            || matches!(
                b,
                b'\t'
                    | b'\r'
                    | b'\''
                    | b'"'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'%'
                    | b'?'
                    | b'\\'
                    | b'#'
            )
    };
    // What the fast path reads (bid-schema's `plain_enough`): full-line comments, and
    // otherwise lines free of those bytes and of document markers.
    let plain = text.split('\n').all(|line| {
        let content = line.trim_start_matches(' ');
        if content.starts_with('#') {
            return content.is_ascii() && !content.contains('\r');
        }
        !(content.bytes().any(bad) || line.starts_with("---") || line.starts_with("..."))
    });
    let last = text.trim_end_matches('\n');
    let last_line = last.rsplit('\n').next().unwrap_or("");
    (plain && !last_line.trim_start().starts_with('#')).then(|| format!("{last} #\n"))
}

/// How two results of `check_source` differ, if they do (the source hash aside), and what
/// the second (the event parser's) said.
fn differ(
    a: &Result<bid_schema::Model, bid_schema::Report>,
    b: &Result<bid_schema::Model, bid_schema::Report>,
) -> Option<(String, String)> {
    let show = |d: Option<&bid_schema::Diagnostic>| match d {
        None => "nothing".to_owned(),
        Some(d) => {
            let at = d.span.map_or("-".to_owned(), |s| {
                format!("{}:{} (bytes {}..{})", s.line, s.column, s.start, s.end)
            });
            truncate(&format!("{} at {at}: {}", d.code, d.message), 200)
        }
    };
    let said =
        |d: Option<&bid_schema::Diagnostic>| d.map_or("nothing".to_owned(), |d| d.message.clone());
    match (a, b) {
        (Ok(x), Ok(y)) => {
            let mut y = y.clone();
            y.source = x.source.clone();
            (*x != y).then(|| {
                let m = "the fast and the event YAML paths give different models".to_owned();
                (m, "a different model".to_owned())
            })
        }
        (Err(x), Err(y)) => {
            let (dx, dy) = (x.diagnostics(), y.diagnostics());
            let i = (0..dx.len().max(dy.len())).find(|&i| !same(dx.get(i), dy.get(i)))?;
            let message = format!(
                "diagnostic {i}: fast path {}; event path {}",
                show(dx.get(i)),
                show(dy.get(i))
            );
            Some((message, said(dy.get(i))))
        }
        (Ok(_), Err(y)) => Some((
            format!(
                "accepted by the fast path, rejected by the event path: {}",
                show(y.diagnostics().first())
            ),
            said(y.diagnostics().first()),
        )),
        (Err(x), Ok(_)) => Some((
            format!(
                "rejected by the fast path ({}), accepted by the event path",
                show(x.diagnostics().first())
            ),
            "accepted".to_owned(),
        )),
    }
}

/// Whether two diagnostics say the same; an empty span (where a missing value would be) may
/// move with the comment the twin adds.
fn same(a: Option<&bid_schema::Diagnostic>, b: Option<&bid_schema::Diagnostic>) -> bool {
    let span = |x: Option<bid_schema::diag::Span>, y: Option<bid_schema::diag::Span>| match (x, y) {
        (Some(x), Some(y)) if x.start == x.end && y.start == y.end => true,
        (x, y) => x == y,
    };
    match (a, b) {
        (Some(a), Some(b)) => {
            a.code == b.code
                && a.message == b.message
                && a.notes == b.notes
                && a.help == b.help
                && span(a.span, b.span)
                && a.labels.len() == b.labels.len()
                && a.labels.iter().zip(&b.labels).all(|(x, y)| {
                    x.message == y.message
                        && x.primary == y.primary
                        && span(Some(x.span), Some(y.span))
                })
        }
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// Above this size of generated Rust (or half of it of header), the harness does not parse
/// it: syn takes seconds for megabytes, and the watchdog would call that a hang.
const MAX_PARSE: usize = 4 << 20;

/// `s` cut to at most `max` characters, marked when cut.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}... ({} bytes)", &s[..i], s.len()),
        None => s.to_owned(),
    }
}

/// Which kinds of type appear where, plus log-sizes: inputs that add a new combination are
/// worth keeping in the corpus.
fn model_feature(model: &Model) -> u64 {
    let mut bits: u128 = 0;
    let mut set = |ty: &Type, pos: u32, extra: u32| {
        let kind = match ty {
            Type::Bool => 0,
            Type::I32 => 1,
            Type::I64 => 2,
            Type::F32 => 3,
            Type::F64 => 4,
            Type::String => 5,
            Type::Bytes => 6,
            Type::Handle(_) => 7,
            Type::Record(_) => 8,
            Type::Array(_) => 9,
        };
        bits |= 1u128 << ((kind * 3 + pos) * 4 + extra).min(127);
    };
    let (mut methods, mut types) = (0usize, 0usize);
    for iface in &model.interfaces {
        types += iface.types.len();
        methods += iface.methods.len();
        for t in &iface.types {
            if let TypeDefKind::Record(r) = &t.kind {
                for f in &r.fields {
                    set(&f.ty, 2, 0);
                }
            }
        }
        for m in &iface.methods {
            for p in &m.params {
                set(&p.ty, 0, p.ownership.map_or(0, |o| o as u32 + 1));
            }
            if let Some(t) = &m.returns.ty {
                set(t, 1, m.returns.ownership.map_or(0, |o| o as u32 + 1));
            }
        }
    }
    let log = |n: usize| usize::BITS - n.leading_zeros();
    let shape = [
        model.interfaces.len().min(4) as u32,
        log(methods),
        log(types),
    ];
    let mut bytes = bits.to_le_bytes().to_vec();
    bytes.extend(shape.iter().flat_map(|s| s.to_le_bytes()));
    crate::rng::fnv1a(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_file_is_accepted_and_a_broken_one_rejected() {
        install_quiet_hook();
        let ok = "version: 0\ninterfaces:\n  - name: a.b\n    methods:\n      - { name: m, effect: io, params: [ { i32: x } ] }\n";
        assert_eq!(run(ok).verdict, Verdict::Accepted);
        let bad = "version: 1\n";
        assert!(matches!(run(bad).verdict, Verdict::Rejected(_)));
    }

    #[test]
    fn a_twin_is_made_only_for_the_fast_path_and_agrees_on_a_plain_file() {
        let ok = "# c\nversion: 0\ninterfaces:\n  - name: a.b\n    methods: []\n";
        assert_eq!(twin(ok).unwrap(), format!("{} #\n", ok.trim_end()));
        assert_eq!(twin("version: \"0\"\n"), None);
        assert_eq!(run(ok).verdict, Verdict::Accepted);
    }

    #[test]
    fn differ_reports_another_verdict_and_ignores_the_hash() {
        let ok = |t: &str| bid_schema::check_source("t", t);
        let a = ok("version: 0\ninterfaces:\n  - name: a.b\n    methods: []\n");
        let b = ok("version: 0\ninterfaces:\n  - name: a.b\n    methods: [] #\n");
        let bad = ok("version: 0\n");
        assert_eq!(differ(&a, &b), None);
        let (_, event) = differ(&a, &bad).unwrap();
        assert!(event.contains("interfaces"), "{event}");
        assert_eq!(differ(&bad, &a).unwrap().1, "accepted");
    }

    #[test]
    fn a_panic_is_caught_with_its_location() {
        install_quiet_hook();
        let r = panic::catch_unwind(|| panic!("boom"));
        assert!(r.is_err());
        let (msg, loc) = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap();
        assert_eq!(msg, "boom");
        assert!(loc.contains("exec.rs"), "{loc}");
    }
}
