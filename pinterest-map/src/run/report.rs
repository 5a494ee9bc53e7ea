//! Accounting: what became of each line, counted and reported by input and line on standard
//! error (never a value of the line), and the summary at the end of the run.

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use pinterest_cli::report::conversion_notes;
use pinterest_cli::{Output, counted, write_whole_line};
use pinterest_mapping::capi::send::Report;
use pinterest_mapping::ndjson::Converted;

use super::output::OutputFailure;
use crate::map::LineOutcome;
use crate::progress::{Progress, RunCounts};
use crate::send;

/// Where a report points: a line, and the message of a batch envelope on it (`12: batch[3]`).
#[derive(Clone, Copy)]
pub(super) struct At {
    line: u64,
    item: Option<usize>,
}

impl At {
    pub(super) fn line(line: u64) -> At {
        At { line, item: None }
    }

    pub(super) fn item(self, index: usize) -> At {
        At {
            item: Some(index),
            ..self
        }
    }

    /// The line's number, from 1.
    pub(super) fn number(self) -> u64 {
        self.line
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.item {
            Some(index) => write!(f, "{}: batch[{index}]", self.line),
            None => write!(f, "{}", self.line),
        }
    }
}

/// Standard error: the program's messages, one whole line each, with the progress bar cleared
/// first.
pub(super) struct Reporter<'s, E> {
    /// The program's name, for its messages.
    program: &'s str,
    stderr: E,
    progress: Progress<'s>,
}

impl<'s, E: Write> Reporter<'s, E> {
    pub(super) fn new(program: &'s str, stderr: E, progress: Progress<'s>) -> Self {
        Reporter {
            program,
            stderr,
            progress,
        }
    }

    /// The program's name.
    pub(super) fn program(&self) -> &'s str {
        self.program
    }

    /// A message about the run (not about a line).
    pub(super) fn warn(&mut self, message: fmt::Arguments) {
        let program = self.program;
        self.progress
            .write_line(&mut self.stderr, format_args!("{program}: {message}"));
    }

    /// A message about one line of the input `name`.
    pub(super) fn line_message(&mut self, name: &str, at: At, message: fmt::Arguments) {
        self.progress
            .write_line(&mut self.stderr, format_args!("{name}:{at}: {message}"));
    }

    /// A line as it is.
    pub(super) fn write_line(&mut self, line: fmt::Arguments) {
        self.progress.write_line(&mut self.stderr, line);
    }

    /// The progress after `lines` more lines, `read` bytes of the inputs read.
    pub(super) fn tick(&mut self, counts: &RunCounts, read: u64, lines: u64) {
        self.progress.tick(counts, read, lines);
    }

    /// The progress bar goes away.
    pub(super) fn finish(&mut self) {
        self.progress.finish();
    }

    /// Flushes standard error, before the process ends.
    pub(super) fn flush(&mut self) {
        let _ = self.stderr.flush();
    }

    /// The summary: what was read and what it became, the time and rate, and how far the
    /// output got if it failed.
    pub(super) fn summary(
        &mut self,
        tally: &Tally,
        output: Output,
        sent: Option<&(Report, Option<PathBuf>)>,
        failure: Option<OutputFailure>,
        elapsed: Duration,
    ) -> io::Result<()> {
        let RunCounts {
            messages,
            calls,
            events,
            skipped,
            warnings,
            errors,
            bytes,
        } = tally.counts;
        let seconds = elapsed.as_secs_f64();
        // A rate over less than a millisecond says nothing.
        let (time, mut details) = if elapsed >= Duration::from_millis(1) {
            (
                format!("{seconds:.3} s"),
                format!(
                    "{:.0} messages/s, {:.1} MB/s",
                    messages as f64 / seconds,
                    bytes as f64 / seconds / 1e6
                ),
            )
        } else {
            ("under 1 ms".to_owned(), String::new())
        };
        if let Some(kib) = peak_memory_kib() {
            if !details.is_empty() {
                details.push_str(", ");
            }
            let _ = write!(details, "peak memory {:.1} MiB", kib as f64 / 1024.0);
        }
        let outputs = match output {
            Output::Tag(_) => counted(calls, "call"),
            Output::Conversions | Output::Send => {
                let unsendable: u64 = tally.unsendable.iter().map(|(_, count)| count).sum();
                let mut outputs = format!("{}, {unsendable} unsendable", counted(events, "event"));
                if unsendable > 0 {
                    let reasons: Vec<String> = tally
                        .unsendable
                        .iter()
                        .map(|(reason, count)| format!("{count} {reason}"))
                        .collect();
                    let _ = write!(outputs, " ({})", reasons.join(", "));
                }
                let _ = write!(outputs, ", {skipped} without an event");
                if warnings > 0 {
                    let _ = write!(outputs, ", {} left out", counted(warnings, "field"));
                }
                if let Some((report, rejects)) = sent {
                    let _ = write!(outputs, ", {}", send::summary(report, rejects.as_deref()));
                }
                outputs
            }
        };
        let details = if details.is_empty() {
            String::new()
        } else {
            format!(" ({details})")
        };
        write_whole_line(
            &mut self.stderr,
            format_args!(
                "{}: {}, {outputs}, {} in {time}{details}",
                self.program,
                counted(messages, "message"),
                counted(errors, "error"),
            ),
        )?;
        if let Some(failure) = failure {
            let total = failure.written + failure.not_written;
            write_whole_line(
                &mut self.stderr,
                format_args!(
                    "{}: output failed: {} of {total} written in full{}",
                    self.program,
                    counted(failure.written, "output line"),
                    if failure.cut_short {
                        ", and the next one in part"
                    } else {
                        ""
                    }
                ),
            )?;
        }
        Ok(())
    }
}

/// What became of the lines so far.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) counts: RunCounts,
    /// Messages that could not become Conversions API events, by reason, in order of first
    /// appearance.
    unsendable: Vec<(&'static str, u64)>,
}

impl Tally {
    /// Whether a line was no valid message, or a message could not become an event: the run
    /// then ends with status 1.
    pub(super) fn has_failures(&self) -> bool {
        self.counts.errors > 0 || !self.unsendable.is_empty()
    }

    /// Accounts for what became of a line (`at`) of the input `name`, or of one message of the
    /// batch envelope on it: counts it, and reports its error or what became of its
    /// Conversions API event.
    pub(super) fn account<E: Write>(
        &mut self,
        reporter: &mut Reporter<'_, E>,
        name: &str,
        at: At,
        outcome: &LineOutcome,
    ) {
        match outcome {
            LineOutcome::Blank => {}
            LineOutcome::Invalid(message) => {
                self.counts.errors += 1;
                reporter.line_message(name, at, format_args!("{message}"));
            }
            LineOutcome::Calls(calls) => {
                self.counts.messages += 1;
                self.counts.calls += *calls as u64;
            }
            LineOutcome::Conversion(converted) => {
                self.counts.messages += 1;
                self.conversion(reporter, name, at, converted);
            }
            LineOutcome::LineBatch(outcomes) => {
                for (index, outcome) in outcomes.iter().enumerate() {
                    self.account(reporter, name, at.item(index), outcome);
                }
            }
        }
    }

    /// Counts what became of a message's Conversions API event, and reports a message that
    /// could not become one and the fields left out of one.
    pub(super) fn conversion<E: Write>(
        &mut self,
        reporter: &mut Reporter<'_, E>,
        name: &str,
        at: At,
        conversion: &Converted,
    ) {
        match conversion {
            Converted::Event { warnings } => {
                self.counts.events += 1;
                self.counts.warnings += warnings.len() as u64;
            }
            Converted::Skipped(_) => {
                self.counts.skipped += 1;
            }
            Converted::Unsendable(unsendable) => {
                let reason = unsendable.reason();
                match self
                    .unsendable
                    .iter_mut()
                    .find(|(known, _)| *known == reason)
                {
                    Some((_, count)) => *count += 1,
                    None => self.unsendable.push((reason, 1)),
                }
            }
            _ => {}
        }
        for note in conversion_notes(conversion) {
            reporter.line_message(name, at, format_args!("{note}"));
        }
    }
}

/// The process's peak resident memory, where the system reports it (`VmHWM` on Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
