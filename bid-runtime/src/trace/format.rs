//! The numbers, dates and pass rates of a trace line, written by hand into a buffer each
//! thread reuses: no `format!`, no allocation per line.

use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// `"00".."99"`, so a number is written two digits at a time.
pub(super) const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `n` in decimal: what `format!("{n}")` writes, without `core::fmt` (formatting
/// through it was about a third of a traced call's time).
pub(super) fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `n` as exactly `width` digits (zero-padded; `n < 10^width`).
pub(super) fn push_padded(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = width;
    while n > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

/// `YYYY-MM-DDTHH:MM:SS` of `secs` since the Unix epoch, UTC (no calendar crate needed).
pub(super) fn date_time(secs: u64) -> [u8; 19] {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = Vec::with_capacity(19);
    push_padded(&mut out, year.clamp(0, 9_999) as u64, 4);
    out.push(b'-');
    push_padded(&mut out, month as u64, 2);
    out.push(b'-');
    push_padded(&mut out, day as u64, 2);
    out.push(b'T');
    push_padded(&mut out, rem / 3_600, 2);
    out.push(b':');
    push_padded(&mut out, rem / 60 % 60, 2);
    out.push(b':');
    push_padded(&mut out, rem % 60, 2);
    out.try_into().unwrap_or([b'0'; 19])
}

/// How long a thread derives wall-clock time from the monotonic clock before it reads the
/// system clock again (so a change of the system clock shows within this long).
pub(super) const WALL_RESYNC: Duration = Duration::from_secs(1);

/// What a thread keeps between the lines it formats.
pub(super) struct Scratch {
    /// The line being formatted: reused, so a line costs no allocation, and formatted before
    /// the sink's lock is taken, so other threads wait only for a copy.
    pub(super) line: Vec<u8>,
    /// An instant and the system time then (since the Unix epoch): a line's timestamp is
    /// this plus the monotonic time since, so a traced call reads the clock twice (start and
    /// end, which also give its latency), not three times.
    pub(super) wall: Option<(Instant, Duration)>,
    /// The last second formatted, and its `YYYY-MM-DDTHH:MM:SS`.
    pub(super) second: (u64, [u8; 19]),
}

thread_local! {
    pub(super) static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// A thread's line buffer grown past this (a long error message) is not kept.
pub(super) const LINE_KEEP: usize = 16 << 10;

impl Scratch {
    pub(super) const fn new() -> Scratch {
        Scratch {
            line: Vec::new(),
            wall: None,
            second: (u64::MAX, [0; 19]),
        }
    }

    /// The system time at `at`, since the Unix epoch.
    pub(super) fn since_epoch(&mut self, at: Instant) -> Duration {
        if let Some((mono, wall)) = self.wall
            && let Some(d) = at.checked_duration_since(mono)
            && d < WALL_RESYNC
        {
            return wall + d;
        }
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.wall = Some((at, wall));
        wall
    }

    /// Appends the system time at `at` as RFC 3339 UTC with nanoseconds.
    pub(super) fn push_timestamp(&mut self, at: Instant) {
        let d = self.since_epoch(at);
        self.push_since_epoch(d);
    }

    pub(super) fn push_since_epoch(&mut self, d: Duration) {
        let secs = d.as_secs();
        if self.second.0 != secs {
            self.second = (secs, date_time(secs));
        }
        self.line.extend_from_slice(&self.second.1);
        let nanos = d.subsec_nanos();
        let mut frac = [0u8; 11];
        frac[0] = b'.';
        frac[1] = b'0' + (nanos / 100_000_000) as u8;
        let mut rest = nanos % 100_000_000;
        for i in (0..4).rev() {
            let pair = (rest % 100) as usize * 2;
            rest /= 100;
            frac[2 + i * 2..4 + i * 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        frac[10] = b'Z';
        self.line.extend_from_slice(&frac);
    }
}

/// RFC 3339 UTC with nanoseconds, from the system clock.
#[cfg(test)]
pub(super) fn timestamp(now: SystemTime) -> String {
    let mut scratch = Scratch::new();
    scratch.push_since_epoch(now.duration_since(UNIX_EPOCH).unwrap_or_default());
    String::from_utf8(scratch.line).expect("ASCII")
}

/// Appends `ok / total` as a JSON number in `0..=1`: `1.0` when every call passed, else
/// truncated (never rounded up to 1) to at most 9 decimals, in integer arithmetic.
pub(super) fn push_rate(out: &mut Vec<u8>, ok: u64, total: u64) {
    if ok >= total {
        out.extend_from_slice(b"1.0");
        return;
    }
    const SCALE: u64 = 1_000_000_000;
    let frac = match ok.checked_mul(SCALE) {
        Some(scaled) => scaled / total,
        // Beyond 18 billion calls: the same quotient in 128 bits (< SCALE, so it fits).
        None => (u128::from(ok) * u128::from(SCALE) / u128::from(total)) as u64,
    };
    if frac == 0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    let (mut frac, mut width) = (frac, 9);
    while frac % 10 == 0 {
        frac /= 10;
        width -= 1;
    }
    out.extend_from_slice(b"0.");
    push_padded(out, frac, width);
}
