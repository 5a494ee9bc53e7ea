//! The progress bar `pinterest-map` draws on a terminal's standard error during long runs,
//! with indicatif: it is cleared before any other message, and when a signal ends the run.

use std::io::Write;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::signals::Interrupt;

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
    pub(super) fn tick(&mut self, counts: &Counts, read: u64, lines: u64) {
        let before = self.lines;
        self.lines += lines;
        // Reading the clock for every line would cost more than mapping it.
        if !self.enabled || before / CLOCK_EVERY == self.lines / CLOCK_EVERY {
            return;
        }

        if self.bar.is_none() {
            if self.started.elapsed() < Self::FIRST_AFTER {
                return;
            }
            self.bar = Some(self.start());
        }
        if let Some(bar) = self.bar.as_ref().filter(|bar| !bar.is_finished()) {
            bar.set_message(format!("{} messages", counts.messages));
            bar.set_position(read);
        }
    }

    fn start(&self) -> ProgressBar {
        let target = ProgressDrawTarget::stderr_with_hz(Self::REFRESH_RATE);
        let bar = match self.total_bytes {
            Some(total) => ProgressBar::with_draw_target(Some(total), target).with_style(
                ProgressStyle::with_template(
                    "[{bar:30}] {percent:>3}% {msg}, {binary_bytes_per_sec}, {eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("#> "),
            ),
            None => ProgressBar::with_draw_target(None, target).with_style(
                ProgressStyle::with_template("{spinner} {msg}, {binary_bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_elapsed(self.started.elapsed());
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

/// Writes `line` and its line end in one write: a diagnostic costs one system call, and stays
/// whole among the lines of other threads and processes.
pub(super) fn write_whole_line(
    out: &mut (impl Write + ?Sized),
    line: std::fmt::Arguments,
) -> std::io::Result<()> {
    let mut text = line.to_string();
    text.push('\n');
    out.write_all(text.as_bytes())
}
