//! Newline-delimited streams: one Segment message per input line, its calls (or its Conversions
//! API event) written out, as `pinterest-map` does.
//!
//! - [`map_stream`] and [`convert_stream`]: a whole stream, from any reader to any writer;
//! - [`LineReader`]: the lines of a stream, read through a fixed buffer, and
//!   [`LineReader::drive`], the loop of all of these, with a [`LineHandler`] of one's own;
//! - [`map_line`] and [`convert_line`]: one line, appended to a buffer.

mod handler;
mod lines;
mod stream;

use std::io;
use std::time::SystemTime;

pub use handler::LineHandler;
pub use lines::{DEFAULT_MAX_LINE_BYTES, Line, LineError, LineReader};
pub use stream::{LineFailure, OUTPUT_BUFFER, StreamCounts, convert_stream, map_stream};

use crate::Destination;
use crate::capi::{Conversion, ConversionEvent, FieldWarning, Skip, Unsendable};
use crate::segment::MessageError;
use crate::table::Mapping;
use crate::tag::PintrkCall;

/// How calls are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// One line per message: the JSON array of its calls, `[]` when none.
    #[default]
    Json,
    /// One JavaScript statement per call, safe inside an HTML `<script>` element.
    Js,
}

/// Writes calls in `format`: for [`OutputFormat::Json`] one line even when there are none.
///
/// ```
/// use pinterest_mapping::{ndjson, PintrkCall};
///
/// let mut out = Vec::new();
/// ndjson::write_calls(ndjson::OutputFormat::Js, &[PintrkCall::Page], &mut out)?;
/// assert_eq!(out, b"pintrk(\"page\");\n");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// The writer's.
pub fn write_calls(
    format: OutputFormat,
    calls: &[PintrkCall],
    mut out: impl io::Write,
) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(256);
    append_calls(format, calls, &mut buffer);
    out.write_all(&buffer)
}

/// [`write_calls`], appending to a buffer.
pub fn append_calls(format: OutputFormat, calls: &[PintrkCall], out: &mut Vec<u8>) {
    match format {
        OutputFormat::Json => append_array_line(calls, out, PintrkCall::append_json),
        OutputFormat::Js => {
            for call in calls {
                call.append_js(out);
                out.push(b'\n');
            }
        }
    }
}

/// Maps one line holding one message and appends its calls to the buffer `out` (the tool's
/// per-line path: no error but the message's); returns how many calls it produced.
///
/// ```
/// use pinterest_mapping::{ndjson, Destination, Settings};
///
/// let destination = Destination::new(Settings::example());
/// let mut out = Vec::new();
/// let line = r#"{"type":"page","name":"Home"}"#;
/// let calls = ndjson::map_line(&destination, ndjson::OutputFormat::Json, line, &mut out)?;
/// assert_eq!(calls, 1);
/// assert_eq!(out, b"[[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n");
/// # Ok::<(), pinterest_mapping::MessageError>(())
/// ```
///
/// # Errors
///
/// The line is not a valid Segment message: nothing is written.
pub fn map_line<M: Mapping>(
    destination: &Destination<M>,
    format: OutputFormat,
    line: &str,
    out: &mut Vec<u8>,
) -> Result<usize, MessageError> {
    let mut converted = String::new();
    let message = destination.prepare(line, &mut converted)?;
    let call = destination.map(&message);
    append_calls(format, call.as_slice(), out);
    Ok(call.as_slice().len())
}

/// Writes one line: the JSON array of `events`, `[]` when there are none.
///
/// # Errors
///
/// The writer's.
pub fn write_events(events: &[ConversionEvent<'_>], mut out: impl io::Write) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(512);
    append_events(events, &mut buffer);
    out.write_all(&buffer)
}

/// [`write_events`], appending to a buffer.
pub fn append_events(events: &[ConversionEvent<'_>], out: &mut Vec<u8>) {
    append_array_line(events, out, ConversionEvent::append_json);
}

/// Appends one line: the JSON array of `items`, each written by `append`.
fn append_array_line<T>(items: &[T], out: &mut Vec<u8>, append: impl Fn(&T, &mut Vec<u8>)) {
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        append(item, out);
    }
    out.extend_from_slice(b"]\n");
}

/// Reads one line holding one message, appends to the buffer `out` the JSON array of its
/// Conversions API events
/// (`[]` when none; a message makes at most one) and returns what became of it, judged at
/// `now` (the event itself left out: it was written).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// use pinterest_mapping::capi::Unsendable;
/// use pinterest_mapping::ndjson::{self, Converted};
/// use pinterest_mapping::{Destination, Settings};
///
/// let destination = Destination::new(Settings::example());
/// let now = UNIX_EPOCH + Duration::from_secs(1_795_867_200);
/// let mut out = Vec::new();
/// let line = r#"{"type":"page","messageId":"m-1","timestamp":"2026-11-28T12:00:00Z","context":{"traits":{"email":"jane@example.com"}}}"#;
/// let conversion = ndjson::convert_line(&destination, line, now, &mut out)?;
/// assert_eq!(conversion, Converted::Event { warnings: Vec::new() });
/// assert_eq!(
///     String::from_utf8(out)?,
///     "[{\"event_name\":\"page_visit\",\"action_source\":\"web\",\"event_time\":1795867200,\"event_id\":\"m-1\",\"user_data\":{\"em\":[\"8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d\"]}}]\n"
/// );
///
/// let mut out = Vec::new();
/// let line = r#"{"type":"page","messageId":"m-2","timestamp":"2026-11-28T12:00:00Z"}"#;
/// let conversion = ndjson::convert_line(&destination, line, now, &mut out)?;
/// assert_eq!(conversion, Converted::Unsendable(Unsendable::NoIdentity));
/// assert_eq!(out, b"[]\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The line is not a valid Segment message: nothing is written.
pub fn convert_line<M: Mapping>(
    destination: &Destination<M>,
    line: &str,
    now: SystemTime,
    out: &mut Vec<u8>,
) -> Result<Converted, MessageError> {
    let mut converted = String::new();
    let message = destination.prepare(line, &mut converted)?;
    let (converted, event) = Converted::split(destination.conversion(&message, now));
    append_events(event.as_slice(), out);
    Ok(converted)
}

/// What became of a message [`convert_line`] wrote: a [`Conversion`] without its event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Converted {
    /// An event was written; these fields were left out of it for their shape.
    Event {
        /// The fields left out.
        warnings: Vec<FieldWarning>,
    },
    /// The message is not a conversion.
    Skipped(Skip),
    /// The message is a conversion that cannot be sent.
    Unsendable(Unsendable),
}

impl Converted {
    /// A conversion's event, and what it says besides.
    pub fn split(conversion: Conversion<'_>) -> (Converted, Option<ConversionEvent<'_>>) {
        match conversion {
            Conversion::Event { event, warnings } => (Converted::Event { warnings }, Some(event)),
            Conversion::Skipped(skip) => (Converted::Skipped(skip), None),
            Conversion::Unsendable(unsendable) => (Converted::Unsendable(unsendable), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    #[test]
    fn a_message_spread_over_lines_maps_to_one_line() {
        let destination = Destination::new(Settings::example());
        let text = "{\"type\":\"track\",\r\n\"event\":\"Order Completed\",\n\"properties\":{\"value\":{\"a\":\n[1,\r\n2]}}}";
        for (format, expected) in [
            (
                OutputFormat::Json,
                "[[\"track\",\"Checkout\",{\"value\":{\"a\": [1,  2]}}]]\n",
            ),
            (
                OutputFormat::Js,
                "pintrk(\"track\", \"Checkout\", {\"value\":{\"a\": [1,  2]}});\n",
            ),
        ] {
            let mut out = Vec::new();
            map_line(&destination, format, text, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
        let message = crate::Message::parse(text).unwrap();
        assert_eq!(
            serde_json::to_string(&destination.map(&message)).unwrap(),
            "[\"track\",\"Checkout\",{\"value\":{\"a\": [1,  2]}}]"
        );
    }
}
