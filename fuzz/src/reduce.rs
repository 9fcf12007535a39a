//! A bounded reducer: deletes chunks of lines, then chunks of characters, while the input
//! still fails the same way. Small reproducers make findings readable; the bounds keep a
//! slow predicate (a slow input, a crash that needs a process) from stalling the campaign.

use std::time::{Duration, Instant};

/// Limits of one reduction.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Wall time for the whole reduction.
    pub time: Duration,
    /// Predicate calls at most.
    pub attempts: usize,
}

/// The smallest input found (within `budget`) for which `fails` still holds. `fails(input)`
/// is assumed true.
pub fn reduce(input: &str, budget: Budget, mut fails: impl FnMut(&str) -> bool) -> String {
    let start = Instant::now();
    let mut attempts = 0;
    let left = |attempts: &mut usize| {
        *attempts += 1;
        *attempts <= budget.attempts && start.elapsed() < budget.time
    };
    let mut cur = input.to_owned();
    // Chunks of lines, windows of a few lines (a YAML item spans several), then characters.
    for (by_line, windows) in [(true, false), (true, true), (false, false)] {
        let mut units = split(&cur, by_line);
        let mut chunk = if windows {
            6
        } else {
            units.len().div_ceil(2).max(1)
        };
        loop {
            let mut i = 0;
            while i < units.len() {
                if !left(&mut attempts) {
                    return cur;
                }
                let candidate: String = units[..i]
                    .iter()
                    .chain(&units[(i + chunk).min(units.len())..])
                    .copied()
                    .collect();
                if candidate.len() < cur.len() && fails(&candidate) {
                    cur = candidate;
                    units = split(&cur, by_line);
                } else {
                    // Windows slide one line at a time; chunks jump by their size.
                    i += if windows { 1 } else { chunk };
                }
            }
            if chunk == 1 {
                break;
            }
            chunk = if windows {
                chunk - 1
            } else {
                chunk.div_ceil(2)
            };
        }
    }
    cur
}

fn split(s: &str, by_line: bool) -> Vec<&str> {
    if by_line {
        s.split_inclusive('\n').collect()
    } else {
        s.char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_to_the_failing_core() {
        let input = "a\nb\nBUG\nc\nd\n";
        let budget = Budget {
            time: Duration::from_secs(5),
            attempts: 10_000,
        };
        let out = reduce(input, budget, |s| s.contains("BUG"));
        assert_eq!(out, "BUG");
        let out = reduce("xxééBUGyy", budget, |s| s.contains('U'));
        assert_eq!(out, "U");
    }

    #[test]
    fn stops_at_the_attempt_bound() {
        let budget = Budget {
            time: Duration::from_secs(5),
            attempts: 1,
        };
        let mut calls = 0;
        let out = reduce("a\nb\nc\n", budget, |_| {
            calls += 1;
            false
        });
        assert_eq!(out, "a\nb\nc\n");
        assert!(calls <= 1);
    }
}
