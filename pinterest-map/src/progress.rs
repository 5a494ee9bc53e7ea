//! The progress bar `pinterest-map` draws on a terminal's standard error during long runs,
//! with indicatif: it is cleared before any other message, and when a signal ends the run.

use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use pinterest_cli::{Interrupt, write_whole_line};

/// What a run has done so far.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RunCounts {
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

/// The bar looks at the clock once every this many lines.
const CLOCK_EVERY: u64 = 4096;

/// A progress bar on the process's standard error, for runs longer than a second.
pub(super) struct Progress<'i> {
    enabled: bool,
    /// The size of the inputs, when all are files.
    total_bytes: Option<u64>,
    started: Instant,
    bar: Option<ProgressBar>,
    /// Lines counted.
    lines: u64,
    /// The signals that end the run: the bar is cleared when one comes.
    interrupt: Option<&'i Interrupt>,
}

impl<'i> Progress<'i> {
    /// The bar appears after this long.
    const FIRST_AFTER: Duration = Duration::from_secs(1);
    /// Redraws a second at most.
    const REFRESH_RATE: u8 = 5;

    /// A progress bar if `enabled` (standard error is a terminal that can draw one, standard
    /// output is not the same terminal, and the run is not quiet).
    pub(super) fn new(
        enabled: bool,
        total_bytes: Option<u64>,
        interrupt: Option<&'i Interrupt>,
    ) -> Progress<'i> {
        Progress {
            enabled,
            total_bytes: total_bytes.filter(|total| *total > 0),
            started: Instant::now(),
            bar: None,
            lines: 0,
            interrupt,
        }
    }

    /// Counts `lines` more lines; `read`: the input bytes read so far (compressed ones for
    /// gzip).
    pub(super) fn tick(&mut self, counts: &RunCounts, read: u64, lines: u64) {
        let before = self.lines;
        self.lines += lines;
        // Reading the clock for every line would cost more than mapping it.
        if !self.enabled || before / CLOCK_EVERY == self.lines / CLOCK_EVERY {
            return;
        }

        let elapsed = self.started.elapsed();
        if self.bar.is_none() {
            if elapsed < Self::FIRST_AFTER {
                return;
            }
            self.bar = Some(self.start(read));
        }
        if let Some(bar) = self.bar.as_ref().filter(|bar| !bar.is_finished()) {
            bar.set_message(describe(counts, read, self.total_bytes, elapsed));
            bar.set_position(read);
        }
    }

    /// The bar, at `read` bytes of the inputs: it starts where the run is, with the run's
    /// clock, so that its first frame tells the truth.
    fn start(&self, read: u64) -> ProgressBar {
        let target = ProgressDrawTarget::stderr_with_hz(Self::REFRESH_RATE);
        // The rate and the time left are the run's own, in the summary's units: indicatif's
        // estimates would start from the jump to `read`.
        let bar = match self.total_bytes {
            Some(total) => ProgressBar::with_draw_target(Some(total), target).with_style(
                ProgressStyle::with_template("[{bar:30}] {percent:>3}% {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("#> "),
            ),
            None => ProgressBar::with_draw_target(None, target).with_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        }
        .with_position(read)
        .with_elapsed(self.started.elapsed());
        if let Some(interrupt) = self.interrupt {
            let cleared = bar.clone();
            interrupt.on_signal(move || cleared.finish_and_clear());
        }
        bar
    }

    /// Writes a line on standard error, the bar cleared while it is written.
    pub(super) fn write_line(&self, stderr: &mut impl Write, line: std::fmt::Arguments) {
        match &self.bar {
            Some(bar) if !bar.is_finished() => {
                bar.suspend(|| write_whole_line(stderr, line).and_then(|()| stderr.flush()))
            }
            _ => write_whole_line(stderr, line),
        }
        .unwrap_or(());
    }

    /// Clears the bar for good.
    pub(super) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The bar's words: the messages read, the rate since the run began in the summary's units,
/// and, for files, the time left at that rate.
fn describe(counts: &RunCounts, read: u64, total: Option<u64>, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-3);
    #[allow(clippy::cast_precision_loss)] // figures for people
    let (messages, bytes) = (counts.messages as f64, counts.bytes as f64);
    let mut words = format!(
        "{} messages read, {:.0} messages/s, {:.1} MB/s",
        counts.messages,
        messages / seconds,
        bytes / seconds / 1e6
    );
    if let Some(total) = total.filter(|_| read > 0) {
        #[allow(clippy::cast_precision_loss)]
        let left = seconds * total.saturating_sub(read) as f64 / read as f64;
        let _ = write!(words, ", {} left", duration(left));
    }
    words
}

/// `42 s`, `3 min`, `2 h`.
fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 90.0 * 60.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.0} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_are_the_runs_own_figures() {
        let counts = RunCounts {
            messages: 300_000,
            bytes: 150_000_000,
            ..RunCounts::default()
        };
        assert_eq!(
            describe(
                &counts,
                100_000_000,
                Some(400_000_000),
                Duration::from_secs(2)
            ),
            "300000 messages read, 150000 messages/s, 75.0 MB/s, 6 s left"
        );
        assert_eq!(
            describe(&counts, 100_000_000, None, Duration::from_secs(3)),
            "300000 messages read, 100000 messages/s, 50.0 MB/s"
        );
        assert_eq!(
            describe(&counts, 1, Some(10_000), Duration::from_mins(1)),
            "300000 messages read, 5000 messages/s, 2.5 MB/s, 167 h left"
        );
    }

    #[test]
    fn a_bar_starts_where_the_run_is() {
        let progress = Progress::new(true, Some(1_000), None);
        let bar = progress.start(180);
        assert_eq!((bar.position(), bar.length()), (180, Some(1_000)));
        bar.finish_and_clear();
    }
}
