//! One execution of bid on one input, in process, with the oracles: no panic anywhere in the
//! pipeline (check, render, header, host bindings, plugin glue, both skeletons, formatting),
//! generated Rust that parses, arguments that reach the plugin from their own parameters,
//! nothing unescaped in any output, and the time each phase took.

use bid_schema::model::{Buffer, Model, Type, TypeDefKind};
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
    /// `emit::rust::plugin` and `emit::rust::plugin_skeleton`: the Rust plugin side.
    Plugin,
    /// `syn::parse2::<syn::File>` of both.
    PluginParse,
    /// `emit::skeleton::skeleton`: the C plugin skeleton.
    Skeleton,
    /// `bid_build::rust_source` and `bid_build::plugin_source`: the formatted text `bid rust`
    /// and `bid rust --plugin` print.
    Source,
}

/// Every phase, in pipeline order.
pub const PHASES: [Phase; 9] = [
    Phase::Check,
    Phase::Render,
    Phase::Header,
    Phase::Bindings,
    Phase::Parse,
    Phase::Plugin,
    Phase::PluginParse,
    Phase::Skeleton,
    Phase::Source,
];

impl Phase {
    /// Whether the phase counts as bid's own time: what bid computes (check, render, every
    /// emitter), not the harness parsing bid's output, nor prettyplease laying the tokens out
    /// ([`Phase::Source`], timed and reported apart: its cost is the output's size, which
    /// the emitters' time already shows).
    pub fn is_bid(self) -> bool {
        !matches!(self, Phase::Parse | Phase::PluginParse | Phase::Source)
    }

    /// A short lower-case name for reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Check => "check",
            Phase::Render => "render",
            Phase::Header => "header",
            Phase::Bindings => "bindings",
            Phase::Parse => "parse",
            Phase::Plugin => "plugin",
            Phase::PluginParse => "plugin-parse",
            Phase::Skeleton => "skeleton",
            Phase::Source => "source",
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
    /// A generated method passes the plugin something other than the parameter each
    /// argument belongs to ([`crate::shadow`]).
    Rebound {
        /// Which method and parameter.
        message: String,
    },
    /// The generated Rust does not parse.
    Unparsable {
        /// [`Phase::Parse`] (host bindings) or [`Phase::PluginParse`] (plugin glue).
        phase: Phase,
        /// syn's error.
        message: String,
    },
    /// Text from the input reached generated code unescaped: a bidirectional control or a
    /// bare carriage return in the output, or the file name breaking out of its comment.
    Unescaped {
        /// The phase whose output shows it.
        phase: Phase,
        /// What and where.
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

/// The file name bid is told an input has: `fuzz.bid.yaml`, or for one input in eight (by
/// its hash, so a reproducer replays with the same name) a hostile one from
/// [`crate::words::FILE_NAMES`], which the generated comments and include guard must escape.
pub fn file_name(text: &str) -> &'static str {
    let h = crate::rng::fnv1a(text.as_bytes());
    if h.is_multiple_of(8) {
        let names = crate::words::FILE_NAMES;
        names[(h / 8) as usize % names.len()]
    } else {
        "fuzz.bid.yaml"
    }
}

/// Runs `text` through the whole pipeline. Never panics (bid's panics are caught and
/// returned); call [`install_quiet_hook`] first or panics also print.
pub fn run(text: &str) -> Outcome {
    run_with(text, true)
}

/// [`run`], with the formatting phase ([`Phase::Source`]) only if `source`: prettyplease
/// doubles the cost of an accepted input.
pub fn run_with(text: &str, source: bool) -> Outcome {
    let mut times = [Duration::ZERO; PHASES.len()];
    let mut phase = Phase::Check;
    let mut feature = 0;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        pipeline(text, source, &mut times, &mut phase, &mut feature)
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
    with_source: bool,
    times: &mut [Duration],
    phase: &mut Phase,
    feature: &mut u64,
) -> Verdict {
    let name = file_name(text);
    enter(phase, Phase::Check);
    let checked = timed(times, Phase::Check, || bid_schema::check_source(name, text));
    let model = match checked {
        Ok(m) => m,
        Err(report) => {
            let mut codes: Vec<&'static str> = report
                .diagnostics()
                .iter()
                .map(|d| d.code.as_str())
                .collect();
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
    if let Some(message) = unescaped_c(&header) {
        return Verdict::Unescaped {
            phase: Phase::Header,
            message,
        };
    }
    // The header's size tells the Rust's (about half of it) before the Rust is printed.
    let huge = header.len() > MAX_PARSE / 2;
    drop(header);
    enter(phase, Phase::Bindings);
    let tokens = timed(times, Phase::Bindings, || {
        bid_schema::emit::rust::bindings(&model)
    });
    enter(phase, Phase::Plugin);
    let glue = glue_module();
    let plugin = timed(times, Phase::Plugin, || {
        (
            bid_schema::emit::rust::plugin(&model, &glue),
            bid_schema::emit::rust::plugin_skeleton(&model, &glue),
        )
    });
    enter(phase, Phase::Skeleton);
    let skeleton = timed(times, Phase::Skeleton, || {
        bid_schema::emit::skeleton::skeleton(&model, "fuzz.h")
    });
    if let Some(message) = unescaped_c(&skeleton) {
        return Verdict::Unescaped {
            phase: Phase::Skeleton,
            message,
        };
    }
    drop(skeleton);
    if with_source {
        enter(phase, Phase::Source);
        let (host, glue_text) = timed(times, Phase::Source, || {
            (
                bid_build::rust_source(&model),
                bid_build::plugin_source(&model, &glue),
            )
        });
        if let Some(message) = unescaped_rust(&host).or_else(|| unescaped_rust(&glue_text)) {
            return Verdict::Unescaped {
                phase: Phase::Source,
                message,
            };
        }
    }
    // syn needs many seconds for tens of megabytes of Rust: the harness parses what it can
    // afford; bid's own time is measured either way.
    if huge {
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
                crate::shadow::rebound_parameter(&model, &file)
            }) {
                return Verdict::Rebound { message };
            }
        }
    }
    enter(phase, Phase::PluginParse);
    let (glue_tokens, skeleton_tokens) = plugin;
    for tokens in [glue_tokens, skeleton_tokens] {
        let parsed = timed(times, Phase::PluginParse, || {
            syn::parse2::<syn::File>(tokens)
        });
        if let Err(e) = parsed {
            return Verdict::Unparsable {
                phase: Phase::PluginParse,
                message: e.to_string(),
            };
        }
    }
    Verdict::Accepted
}

/// The module the plugin glue is generated into, as the property test compiles it.
pub fn glue_module() -> bid_schema::emit::rust::ModulePath {
    bid_schema::emit::rust::ModulePath::parse("crate::glue").expect("a valid module path")
}

/// Whether `c` is a character no generated file may hold: a control other than tab and line
/// feed (a lone carriage return included), or a bidirectional control (rustc's
/// deny-by-default `text_direction_codepoint_*` lints, gcc's `-Wbidi-chars`).
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first forbidden character of `text` and its line, described.
fn forbidden_char(text: &str) -> Option<String> {
    let at = text.find(forbidden)?;
    let line = text[..at].matches('\n').count() + 1;
    let c = text[at..].chars().next().unwrap_or('?');
    Some(format!("{:?} on line {line}", c))
}

/// What is unescaped in a generated C file: a forbidden character, or a preamble comment the
/// file name broke out of (every line before the first directive is part of the comment).
fn unescaped_c(text: &str) -> Option<String> {
    if let Some(what) = forbidden_char(text) {
        return Some(format!("the C output holds {what}"));
    }
    let broken = text
        .lines()
        .take_while(|l| !l.starts_with('#'))
        .find(|l| !(l.is_empty() || l.starts_with("/*") || l.starts_with(" *")))?;
    Some(format!(
        "a line of the C preamble is outside its comment: `{}`",
        truncate(broken, 80)
    ))
}

/// What is unescaped in formatted generated Rust: a forbidden character, or a first line
/// (the `// @generated` or skeleton comment) that the file name continued on the next.
fn unescaped_rust(text: &str) -> Option<String> {
    if let Some(what) = forbidden_char(text) {
        return Some(format!("the Rust output holds {what}"));
    }
    let second = text.lines().nth(1).unwrap_or("");
    (!second.is_empty()).then(|| {
        format!(
            "the file name reached the second line of the Rust output: `{}`",
            truncate(second, 80)
        )
    })
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
    let mut set = |ty: Type, pos: u32| {
        // Scalars by keyword, so a scalar type added to BID needs no change here.
        let kind = match ty {
            Type::Scalar(s) => crate::rng::fnv1a(s.keyword().as_bytes()) as u32 % 8,
            Type::Record(_) => 8,
            Type::Handle(..) => 9,
            Type::Buffer(Buffer::String, _) => 10,
            Type::Buffer(Buffer::Bytes, _) => 11,
            Type::Buffer(Buffer::Array(_), _) => 12,
            Type::CStr(_) => 13,
        };
        let own = ty.ownership().map_or(0, |o| o as u32 + 1);
        bits |= 1u128 << ((kind * 3 + pos) * 3 + own).min(127);
    };
    let (mut methods, mut types) = (0usize, 0usize);
    for iface in model.interfaces() {
        types += iface.types().len();
        methods += iface.methods().len();
        for t in iface.types() {
            if let TypeDefKind::Record(r) = t.kind() {
                for f in r.fields() {
                    set(f.ty().into(), 2);
                }
            }
        }
        for m in iface.methods() {
            for p in m.params() {
                set(p.ty(), 0);
            }
            if let Some(t) = m.returns() {
                set(t, 1);
            }
        }
    }
    let log = |n: usize| usize::BITS - n.leading_zeros();
    let shape = [
        model.interfaces().len().min(4) as u32,
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
    fn unescaped_text_is_caught() {
        assert_eq!(unescaped_c("/*\n * x\n */\n#ifndef X\nint a;\n"), None);
        assert!(unescaped_c("/*\n * x\nint injected;\n */\n#ifndef X\n").is_some());
        assert!(unescaped_c("/* \u{202e} */\n").is_some());
        assert_eq!(unescaped_rust("// @generated\n\nfn f() {}\n"), None);
        assert!(unescaped_rust("// @generated a\npub fn injected() {}\n").is_some());
        assert!(unescaped_rust("// @generated\n\n/// a\rb\n").is_some());
    }

    #[test]
    fn most_inputs_keep_the_plain_file_name() {
        let plain = (0..800)
            .filter(|i| file_name(&i.to_string()) == "fuzz.bid.yaml")
            .count();
        assert!((600..760).contains(&plain), "{plain}");
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
