//! The worker's log: `tracing` events with a level and fields (the partition, the offset, the
//! librdkafka facility), written for people as lines `PROGRAM: message` or for log collectors
//! as JSON objects (`--log-format json`), each in one write to standard error, and never a
//! panic when standard error is closed or gone.

use std::fmt;
use std::io;

use tracing::field::{Field, Visit};

use crate::args::LogFormat;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Writes every event of the process, from now on, to standard error: as a line `PROGRAM:
/// message`, or as a JSON object a line (the time, the level, the message and its fields).
pub(crate) fn install(program: &str, format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        // A failed write is dropped, never reported on the same standard error with a panic.
        .log_internal_errors(false)
        .with_writer(io::stderr);
    let _ = match format {
        LogFormat::Human => tracing::subscriber::set_global_default(
            builder
                .event_format(Human {
                    program: program.to_owned(),
                })
                .finish(),
        ),
        LogFormat::Json => tracing::subscriber::set_global_default(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_target(false)
                .finish(),
        ),
    };
}

/// The human format: the program's name and the event's message; its fields are for other
/// formats (the message already says what a person needs).
struct Human {
    program: String,
}

impl<S, N> FormatEvent<S, N> for Human
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut message = Message(String::new());
        event.record(&mut message);
        writeln!(writer, "{}: {}", self.program, message.0)
    }
}

/// The `message` field of an event.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            use fmt::Write as _;
            let _ = write!(self.0, "{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }
}

/// Lines written by code that writes diagnostics itself (the settings' notes and warnings),
/// turned into log events, so that `--log-format json` holds them too: `PROGRAM: ` is taken
/// off, and a line saying `warning: ...` is a warning, any other a note.
pub(crate) struct Lines<'p> {
    program: &'p str,
    pending: Vec<u8>,
}

impl<'p> Lines<'p> {
    pub(crate) fn new(program: &'p str) -> Lines<'p> {
        Lines {
            program,
            pending: Vec::new(),
        }
    }

    fn emit(&self, line: &str) {
        let message = line
            .strip_prefix(self.program)
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or(line);
        if message.starts_with("warning: ") {
            tracing::warn!("{message}");
        } else {
            tracing::info!("{message}");
        }
    }
}

impl io::Write for Lines<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            self.emit(String::from_utf8_lossy(&line[..end]).as_ref());
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Lines<'_> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let line = String::from_utf8_lossy(&self.pending).into_owned();
            self.emit(&line);
        }
    }
}
