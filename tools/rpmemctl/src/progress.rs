// SPDX-License-Identifier: GPL-2.0

//! The copy's progress bar on a terminal:
//! `pmem0 -> pmem1 [===========>                  ]  42% 430.00 MiB/1.00 GiB 850.00 MiB/s ETA 1s`,
//! redrawn in place with a carriage return (no terminal escape sequences).
//! The rate is measured over the last few seconds, so the ETA follows a
//! copy that speeds up or slows down.

use std::collections::VecDeque;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::format::percent;

/// Width of the bar between its brackets.
const BAR_WIDTH: u64 = 30;
/// The rate is the progress over this much of the recent past.
const RATE_WINDOW: Duration = Duration::from_secs(3);

/// Bytes per second from the progress seen over [`RATE_WINDOW`].
pub struct Rate {
    samples: VecDeque<(Instant, u64)>,
}

impl Rate {
    /// A rate that counts from `start`, when nothing was done yet.
    pub fn new(start: Instant) -> Self {
        Rate {
            samples: VecDeque::from([(start, 0)]),
        }
    }

    /// `done` bytes at `now`; samples older than the window go, but the
    /// last of them stays as the window's start.
    pub fn add(&mut self, now: Instant, done: u64) {
        self.samples.push_back((now, done));
        while self.samples.len() > 2 && now.duration_since(self.samples[1].0) >= RATE_WINDOW {
            self.samples.pop_front();
        }
    }

    /// Bytes per second, once some time has passed.
    pub fn per_sec(&self) -> Option<f64> {
        let (t0, d0) = *self.samples.front()?;
        let (t1, d1) = *self.samples.back()?;
        let secs = t1.duration_since(t0).as_secs_f64();
        (secs > 0.0).then(|| d1.saturating_sub(d0) as f64 / secs)
    }
}

/// A progress bar drawn on `out` (stderr, a terminal).
pub struct Bar<W: Write> {
    label: String,
    out: W,
    rate: Rate,
    /// Characters of the last line drawn, to blank what a shorter one leaves.
    drawn: usize,
}

impl<W: Write> Bar<W> {
    /// A bar for `label` whose rate counts from `start`; nothing is drawn
    /// until the first [`Bar::update`].
    pub fn new(label: String, out: W, start: Instant) -> Self {
        Bar {
            label,
            out,
            rate: Rate::new(start),
            drawn: 0,
        }
    }

    /// Draw `done` of `total` bytes at `now`.
    pub fn update(&mut self, done: u64, total: u64, now: Instant) {
        self.rate.add(now, done);
        let line = line(&self.label, done, total, self.rate.per_sec());
        let width = line.chars().count();
        let pad = self.drawn.saturating_sub(width);
        let _ = write!(self.out, "\r{line}{:pad$}", "");
        let _ = self.out.flush();
        self.drawn = width;
    }

    /// Blank the bar's line, leaving the cursor at its start.
    pub fn clear(&mut self) {
        if self.drawn > 0 {
            let _ = write!(self.out, "\r{:w$}\r", "", w = self.drawn);
            let _ = self.out.flush();
            self.drawn = 0;
        }
    }
}

/// One line of the bar: label, bar, percent, bytes, rate and ETA (`-`
/// until a rate is known).
pub fn line(label: &str, done: u64, total: u64, rate: Option<f64>) -> String {
    let pct = percent(done, total).min(100);
    let filled = pct * BAR_WIDTH / 100;
    let bar = match filled {
        0 => " ".repeat(BAR_WIDTH as usize),
        BAR_WIDTH => "=".repeat(BAR_WIDTH as usize),
        n => format!(
            "{}>{}",
            "=".repeat(n as usize - 1),
            " ".repeat((BAR_WIDTH - n) as usize)
        ),
    };
    let (speed, eta) = match rate {
        Some(r) if r > 0.0 => (
            format!("{}/s", bytes(r as u64)),
            duration(total.saturating_sub(done) as f64 / r),
        ),
        _ => ("-".to_string(), "-".to_string()),
    };
    format!(
        "{label} [{bar}] {pct:>3}% {}/{} {speed} ETA {eta}",
        bytes(done),
        bytes(total)
    )
}

/// Bytes in binary units: `512 B`, `4.00 KiB`, `430.00 MiB`, `1.00 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS[unit])
}

/// Whole seconds as `7s`, `1m 05s` or `2h 03m`.
pub fn duration(secs: f64) -> String {
    let s = secs.ceil().max(0.0) as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn lines() {
        assert_eq!(
            line("pmem0 -> pmem1", 0, 1024 * MIB, None),
            "pmem0 -> pmem1 [                              ]   0% 0 B/1.00 GiB - ETA -"
        );
        assert_eq!(
            line("pmem0 -> pmem1", 512 * MIB, 1024 * MIB, Some(256.0 * MIB as f64)),
            "pmem0 -> pmem1 [==============>               ]  50% 512.00 MiB/1.00 GiB 256.00 MiB/s ETA 2s"
        );
        assert_eq!(
            line("a -> b", 1024 * MIB, 1024 * MIB, Some(1.0)),
            "a -> b [==============================] 100% 1.00 GiB/1.00 GiB 1 B/s ETA 0s"
        );
    }

    #[test]
    fn units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(4096), "4.00 KiB");
        assert_eq!(bytes(430 * MIB), "430.00 MiB");
        assert_eq!(bytes(3 << 40), "3.00 TiB");
        assert_eq!(duration(0.2), "1s");
        assert_eq!(duration(59.0), "59s");
        assert_eq!(duration(65.0), "1m 05s");
        assert_eq!(duration(7380.0), "2h 03m");
    }

    #[test]
    fn rate_follows_the_recent_past() {
        let t0 = Instant::now();
        let mut r = Rate::new(t0);
        assert_eq!(r.per_sec(), None);
        // 100 MiB/s for 10 s, then 10 MiB/s: after 3 s more the window
        // sees only the slow part.
        for s in 1..=10 {
            r.add(t0 + Duration::from_secs(s), s * 100 * MIB);
        }
        assert_eq!(r.per_sec(), Some(100.0 * MIB as f64));
        for s in 1..=4 {
            r.add(t0 + Duration::from_secs(10 + s), 1000 * MIB + s * 10 * MIB);
        }
        assert_eq!(r.per_sec(), Some(10.0 * MIB as f64));
    }

    #[test]
    fn redraws_in_place_and_clears() {
        let t0 = Instant::now();
        let mut out = Vec::new();
        let mut bar = Bar::new("x".into(), &mut out, t0);
        bar.update(MIB, 2 * MIB, t0 + Duration::from_secs(1));
        bar.update(2 * MIB, 2 * MIB, t0 + Duration::from_secs(2));
        bar.clear();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches('\r').count(), 4);
        assert!(!text.contains('\x1b'));
        assert!(text.contains(" 50% 1.00 MiB/2.00 MiB 1.00 MiB/s ETA 1s"));
        assert!(text.ends_with(&format!("\r{}\r", " ".repeat(bar_width(&text)))));
    }

    /// Width of the last line drawn before the clearing.
    fn bar_width(text: &str) -> usize {
        let lines: Vec<&str> = text.split('\r').collect();
        lines[lines.len() - 3].chars().count()
    }
}
