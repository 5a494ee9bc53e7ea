//! The progress line `pinterest-map` draws on a terminal's standard error during long runs.

use std::io::Write;
use std::time::{Duration, Instant};

/// What a run has done so far.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Counts {
    pub(super) messages: u64,
    /// Tag calls written.
    pub(super) calls: u64,
    /// Conversions API events made.
    pub(super) events: u64,
    /// Messages that are not conversions (identify, partner-defined events).
    pub(super) skipped: u64,
    /// Fields left out of events for their shape.
    pub(super) warnings: u64,
    pub(super) errors: u64,
    /// Input bytes read, line ends included.
    pub(super) bytes: u64,
}

/// A progress line on a terminal's standard error, for runs longer than a second.
pub(super) struct Progress {
    enabled: bool,
    total_bytes: Option<u64>,
    started: Instant,
    last_drawn: Option<Instant>,
    ticks: u32,
}

impl Progress {
    const FIRST_AFTER: Duration = Duration::from_secs(1);
    const EVERY: Duration = Duration::from_millis(200);

    pub(super) fn new(enabled: bool, total_bytes: Option<u64>) -> Progress {
        Progress {
            enabled,
            total_bytes,
            started: Instant::now(),
            last_drawn: None,
            ticks: 0,
        }
    }

    pub(super) fn tick(&mut self, stderr: &mut impl Write, counts: &Counts) {
        self.ticks = self.ticks.wrapping_add(1);
        // Reading the clock for every line would cost more than mapping it.
        if !self.enabled || !self.ticks.is_multiple_of(4096) {
            return;
        }
        let now = Instant::now();
        let due = match self.last_drawn {
            None => now - self.started >= Self::FIRST_AFTER,
            Some(last) => now - last >= Self::EVERY,
        };
        if !due {
            return;
        }
        self.last_drawn = Some(now);
        let line = self.line(counts, now - self.started);
        let _ = write!(stderr, "\r\x1b[K{line}");
        let _ = stderr.flush();
    }

    /// The progress line: a bar and a percentage when the input size is known.
    fn line(&self, counts: &Counts, elapsed: Duration) -> String {
        let rate = counts.messages as f64 / elapsed.as_secs_f64().max(1e-9);
        match self.total_bytes.filter(|total| *total > 0) {
            Some(total) => {
                let fraction = (counts.bytes as f64 / total as f64).min(1.0);
                let filled = (fraction * 30.0) as usize;
                format!(
                    "[{}{}] {:>3.0}% {} messages, {:.0}/s",
                    "#".repeat(filled),
                    " ".repeat(30 - filled),
                    fraction * 100.0,
                    counts.messages,
                    rate
                )
            }
            None => format!("{} messages, {:.0}/s", counts.messages, rate),
        }
    }

    /// Erases the progress line before anything else is written to standard error.
    pub(super) fn clear(&mut self, stderr: &mut impl Write) {
        if self.last_drawn.take().is_some() {
            let _ = write!(stderr, "\r\x1b[K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_shows_a_bar_when_the_size_is_known() {
        let counts = Counts {
            messages: 5_000,
            bytes: 250,
            ..Counts::default()
        };
        let known = Progress::new(true, Some(1_000));
        assert_eq!(
            known.line(&counts, Duration::from_secs(2)),
            "[#######                       ]  25% 5000 messages, 2500/s"
        );
        let unknown = Progress::new(true, None);
        assert_eq!(
            unknown.line(&counts, Duration::from_secs(2)),
            "5000 messages, 2500/s"
        );
    }

    #[test]
    fn progress_is_drawn_only_when_enabled_and_cleared_before_other_output() {
        let counts = Counts::default();
        let mut stderr = Vec::new();
        let mut disabled = Progress::new(false, None);
        for _ in 0..10_000 {
            disabled.tick(&mut stderr, &counts);
        }
        disabled.clear(&mut stderr);
        assert!(stderr.is_empty());

        let mut enabled = Progress::new(true, None);
        enabled.started -= Progress::FIRST_AFTER;
        for _ in 0..4096 {
            enabled.tick(&mut stderr, &counts);
        }
        enabled.clear(&mut stderr);
        let drawn = String::from_utf8(stderr).unwrap();
        assert!(drawn.starts_with("\r\x1b[K0 messages, "), "{drawn:?}");
        assert!(drawn.ends_with("\r\x1b[K"), "{drawn:?}");
    }
}
