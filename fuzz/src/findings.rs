//! Findings on disk: one reproducer file per distinct problem, named by kind, and an
//! `index.tsv` line each (file, kind, dedup key, message, mutators) that later runs read so
//! a known problem is counted but not written again.

use crate::exec::{Phase, Verdict};
use crate::rng::fnv1a;
use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The index file inside a findings directory.
pub const INDEX: &str = "index.tsv";

/// One distinct problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// `panic`, `unparsable`, `rebound`, `unescaped`, `slow`, `hang`, `crash` or
    /// `rejected-valid` (the fuzzer's); `compile-c`, `compile-cxx`, `compile-rust`, `panic-valid`, `rust-warning`
    /// (the property test's).
    pub kind: String,
    /// What makes two findings the same (panic location, error shape, phase).
    pub key: String,
    /// One line for humans: the panic message, syn's error, the time.
    pub message: String,
}

impl Finding {
    /// The finding an outcome is, if any (`slow` is decided by the caller).
    pub fn of(verdict: &Verdict) -> Option<Finding> {
        match verdict {
            Verdict::Panic {
                phase,
                message,
                location,
            } => Some(Finding {
                kind: "panic".into(),
                key: format!("panic@{}", strip_home(location)),
                message: format!(
                    "{} panicked at {}: {}",
                    phase.name(),
                    strip_home(location),
                    one_line(message)
                ),
            }),
            Verdict::Unparsable { phase, message } => Some(Finding {
                kind: "unparsable".into(),
                key: format!("unparsable-{}:{}", phase.name(), shape(message)),
                message: format!(
                    "generated Rust does not parse ({}): {}",
                    if *phase == Phase::Parse {
                        "host bindings"
                    } else {
                        "plugin glue or skeleton"
                    },
                    one_line(message)
                ),
            }),
            Verdict::Unescaped { phase, message } => Some(Finding {
                kind: "unescaped".into(),
                key: format!("unescaped-{}:{}", phase.name(), shape(message)),
                message: format!("{}: {}", phase.name(), one_line(message)),
            }),
            Verdict::Rebound { message } => Some(Finding {
                kind: "rebound".into(),
                key: format!("rebound:{}", shape(message)),
                message: format!("generated Rust passes a local for a parameter: {message}"),
            }),
            _ => None,
        }
    }

    /// The reproducer's file name: kind and a hash of the key.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{:08x}.bid.yaml",
            self.kind,
            fnv1a(self.key.as_bytes()) as u32
        )
    }
}

/// A registry path (`/home/u/.cargo/registry/src/.../x.rs`) shortened to what identifies it.
fn strip_home(location: &str) -> String {
    match location.find("/bid-schema/") {
        Some(i) => location[i + 1..].to_owned(),
        None => location.to_owned(),
    }
}

/// `s` on one line, at most 300 characters.
pub fn one_line(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::exec::truncate(flat.trim(), 300)
}

/// An error message with its specifics (quoted text, numbers) blanked, so one mistake in the
/// generated code is one finding however many names trigger it.
pub fn shape(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' => {
                quoted = !quoted;
                out.push('`');
            }
            _ if quoted => {}
            c if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            c => out.push(c),
        }
    }
    one_line(&out)
}

/// The keys already in `dir`'s index.
pub fn known_keys(dir: &Path) -> HashSet<String> {
    let Ok(text) = fs::read_to_string(dir.join(INDEX)) else {
        return HashSet::new();
    };
    text.lines()
        .filter_map(|l| l.split('\t').nth(2).map(str::to_owned))
        .collect()
}

/// The index lines of `dir`, as `(file, kind, key, message, mutators)`.
pub fn index(dir: &Path) -> Vec<[String; 5]> {
    let Ok(text) = fs::read_to_string(dir.join(INDEX)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut p = l.splitn(5, '\t').map(str::to_owned);
            Some([
                p.next()?,
                p.next()?,
                p.next()?,
                p.next()?,
                p.next().unwrap_or_default(),
            ])
        })
        .collect()
}

/// Writes the reproducer and its index line; returns the reproducer's path.
pub fn save(
    dir: &Path,
    finding: &Finding,
    input: &str,
    mutators: &[&str],
) -> std::io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let path = dir.join(finding.file_name());
    fs::write(&path, input)?;
    let mut index = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(INDEX))?;
    let tab = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    writeln!(
        index,
        "{}\t{}\t{}\t{}\t{}",
        finding.file_name(),
        finding.kind,
        tab(&finding.key),
        tab(&finding.message),
        mutators.join(",")
    )?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_blanks_names_and_numbers() {
        assert_eq!(
            shape("expected identifier, found keyword `fn` at 12"),
            "expected identifier, found keyword `` at N"
        );
    }

    #[test]
    fn saved_findings_are_indexed_and_known() {
        let dir = std::env::temp_dir().join(format!("bid-fuzz-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let f = Finding {
            kind: "panic".into(),
            key: "panic@x.rs:1:2".into(),
            message: "boom\tbang".into(),
        };
        let path = save(&dir, &f, "input", &["flip-bit"]).unwrap();
        assert_eq!(fs::read_to_string(path).unwrap(), "input");
        assert!(known_keys(&dir).contains("panic@x.rs:1:2"));
        assert_eq!(index(&dir)[0][3], "boom bang");
        let _ = fs::remove_dir_all(&dir);
    }
}
