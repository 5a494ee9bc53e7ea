//! Whole streams: every line of a reader mapped, its output written to a writer, as the tool
//! does it (buffered output, written out whenever the input would make it wait).

use std::io::{self, BufRead, Write};
use std::time::SystemTime;

use thiserror::Error;

use super::handler::LineHandler;
use super::lines::{Line, LineError, LineReader};
use super::{Converted, OutputFormat, convert_line, map_line};
use crate::Destination;
use crate::segment::MessageError;
use crate::table::Mapping;

/// Output is written out when it reaches this size, by [`map_stream`], [`convert_stream`] and
/// `pinterest-map`.
pub const OUTPUT_BUFFER: usize = 64 * 1024;

/// What a stream held, and what became of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamCounts {
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Valid messages.
    pub messages: u64,
    /// Tag calls written ([`map_stream`]), or Conversions API events ([`convert_stream`]).
    pub outputs: u64,
    /// Lines that were no valid message.
    pub failures: u64,
}

/// A line that is no valid message: which, and why (never its values).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LineFailure {
    /// The line is not text.
    #[error("line {line}: {error}")]
    Text {
        /// The line's number, from 1.
        line: u64,
        /// Why.
        error: LineError,
    },
    /// The line is no Segment message.
    #[error("line {line}: {error}")]
    Message {
        /// The line's number, from 1.
        line: u64,
        /// Why.
        error: MessageError,
    },
}

impl LineFailure {
    /// The line's number, from 1.
    pub fn line(&self) -> u64 {
        match self {
            LineFailure::Text { line, .. } | LineFailure::Message { line, .. } => *line,
        }
    }
}

/// Maps every line of `input` to its Tag calls in `format` and writes them to `output`, as
/// `pinterest-map` does: one output line per message for [`OutputFormat::Json`], nothing for
/// a blank line, and for a line that is no valid message no output and a call of `on_failure`.
/// Output is buffered, and written out (and flushed) whenever the input would make the reading
/// wait, so that a slow input never holds back what was mapped. Memory stays constant whatever
/// the input.
///
/// ```
/// use std::io::BufReader;
///
/// use pinterest_mapping::ndjson::{self, OutputFormat};
/// use pinterest_mapping::{Destination, Settings};
///
/// let destination = Destination::new(Settings::example());
/// let input = "{\"type\":\"page\"}\nnot json\n{\"type\":\"track\",\"event\":\"Order Completed\"}\n";
/// let mut output = Vec::new();
/// let mut failures = Vec::new();
/// let counts = ndjson::map_stream(
///     &destination,
///     OutputFormat::Json,
///     BufReader::new(input.as_bytes()),
///     &mut output,
///     |failure| failures.push(failure.to_string()),
/// )?;
/// assert_eq!(
///     String::from_utf8(output)?,
///     "[[\"track\",\"PageVisit\",{\"name\":\"\"}]]\n[[\"track\",\"Checkout\",{}]]\n"
/// );
/// assert_eq!(failures, ["line 2: invalid JSON: expected a value at column 1, found a bare word"]);
/// assert_eq!((counts.lines, counts.messages, counts.outputs, counts.failures), (3, 2, 2, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// A read error of the input (the output mapped before it is written first), or a write
/// error of the output. `Interrupted` reads are retried.
pub fn map_stream<M: Mapping>(
    destination: &Destination<M>,
    format: OutputFormat,
    input: impl BufRead,
    output: impl Write,
    on_failure: impl FnMut(&LineFailure),
) -> io::Result<StreamCounts> {
    stream(input, output, on_failure, |_, text, out| {
        map_line(destination, format, text, out).map(|calls| calls as u64)
    })
}

/// [`map_stream`] for the Conversions API: each message's line is the JSON array of its
/// events, as `pinterest-map --format capi` writes it. `clock` gives the reference time of
/// the age limit for each message (`SystemTime::now` for a live stream); `on_converted` hears
/// what became of each valid message (an event, with fields left out of it; not a
/// conversion; or a conversion that cannot be sent, and why).
///
/// # Errors
///
/// As [`map_stream`].
pub fn convert_stream<M: Mapping>(
    destination: &Destination<M>,
    input: impl BufRead,
    output: impl Write,
    mut clock: impl FnMut() -> SystemTime,
    mut on_converted: impl FnMut(u64, &Converted),
    on_failure: impl FnMut(&LineFailure),
) -> io::Result<StreamCounts> {
    stream(input, output, on_failure, |line, text, out| {
        let converted = convert_line(destination, text, clock(), out)?;
        on_converted(line, &converted);
        Ok(u64::from(matches!(converted, Converted::Event { .. })))
    })
}

/// The loop of both: `each` maps a line (its number and text) into the buffer and counts its
/// outputs.
fn stream(
    input: impl BufRead,
    output: impl Write,
    on_failure: impl FnMut(&LineFailure),
    each: impl FnMut(u64, &str, &mut Vec<u8>) -> Result<u64, MessageError>,
) -> io::Result<StreamCounts> {
    let mut streamer = Streamer {
        output,
        out: Vec::with_capacity(2 * OUTPUT_BUFFER),
        counts: StreamCounts::default(),
        on_failure,
        each,
    };
    LineReader::new(input).drive(&mut streamer)?;
    Ok(streamer.counts)
}

/// A stream's lines mapped into a buffer, written out when it is full and before a read that
/// may wait.
struct Streamer<W, F, E> {
    output: W,
    /// Output not yet written out.
    out: Vec<u8>,
    counts: StreamCounts,
    on_failure: F,
    each: E,
}

impl<W, F, E> Streamer<W, F, E>
where
    W: Write,
{
    /// Writes out and flushes what is buffered.
    fn write_out(&mut self) -> io::Result<()> {
        self.output.write_all(&self.out)?;
        self.out.clear();
        self.output.flush()
    }
}

impl<W, F, E> LineHandler for Streamer<W, F, E>
where
    W: Write,
    F: FnMut(&LineFailure),
    E: FnMut(u64, &str, &mut Vec<u8>) -> Result<u64, MessageError>,
{
    type Stop = io::Error;

    fn read_may_wait<T>(&mut self, read: impl FnOnce() -> T) -> io::Result<T> {
        if !self.out.is_empty() {
            self.write_out()?;
        }
        Ok(read())
    }

    fn line(&mut self, line: Line<'_>) -> io::Result<()> {
        self.counts.lines += 1;
        let failure = match line.text() {
            Ok(None) => None,
            Ok(Some(text)) => match (self.each)(line.number(), text, &mut self.out) {
                Ok(outputs) => {
                    self.counts.messages += 1;
                    self.counts.outputs += outputs;
                    None
                }
                Err(error) => Some(LineFailure::Message {
                    line: line.number(),
                    error,
                }),
            },
            Err(error) => Some(LineFailure::Text {
                line: line.number(),
                error,
            }),
        };
        if let Some(failure) = failure {
            self.counts.failures += 1;
            (self.on_failure)(&failure);
        }
        if self.out.len() >= OUTPUT_BUFFER {
            self.write_out()?;
        }
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        self.write_out()
    }

    /// What was mapped before the failed read is written out first.
    fn read_failed(&mut self, error: io::Error) -> io::Error {
        match self.write_out() {
            Ok(()) => error,
            Err(write_error) => write_error,
        }
    }
}
