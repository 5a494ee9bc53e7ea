//! The worker's log: `tracing` events with a level and fields (the partition, the offset, the
//! librdkafka facility), written for people as today's lines, `PROGRAM: message`, each in one
//! write to standard error, and never a panic when standard error is closed or gone.

use std::fmt;
use std::io;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Writes every event of the process, from now on, as a line `PROGRAM: message` on standard
/// error.
pub(crate) fn install(program: &str) {
    let subscriber = tracing_subscriber::fmt()
        // A failed write is dropped, never reported on the same standard error with a panic.
        .log_internal_errors(false)
        .event_format(Human {
            program: program.to_owned(),
        })
        .with_writer(io::stderr)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
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
