//! Newline-delimited streams: one Segment message per input line, its calls written out. The
//! per-line path `pinterest-map` runs, for programs and benchmarks that stream the same way.

use std::io::{self, Write};

use thiserror::Error;

use crate::call::PintrkCall;
use crate::destination::Destination;
use crate::message::{Message, MessageError};

/// How calls are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// One line per message: the JSON array of its calls, `[]` when none.
    #[default]
    Json,
    /// One JavaScript statement per call, safe inside an HTML `<script>` element.
    Js,
}

/// Why a line produced no output.
#[derive(Debug, Error)]
pub enum LineError {
    /// The line is not a valid message.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

/// Writes calls in `format`: for [`OutputFormat::Json`] one line even when there are none.
pub fn write_calls(
    format: OutputFormat,
    calls: &[PintrkCall],
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => {
            out.write_all(b"[")?;
            for (index, call) in calls.iter().enumerate() {
                if index > 0 {
                    out.write_all(b",")?;
                }
                call.write_json(&mut *out)?;
            }
            out.write_all(b"]\n")
        }
        OutputFormat::Js => {
            for call in calls {
                call.write_js(&mut *out)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

/// Maps one line holding one message and writes its calls; returns how many calls it
/// produced.
///
/// ```
/// use mapping_core::{ndjson, Destination, Settings};
///
/// let destination = Destination::new(Settings::example());
/// let mut out = Vec::new();
/// let line = r#"{"type":"page","name":"Home"}"#;
/// let calls = ndjson::map_line(&destination, ndjson::OutputFormat::Json, line, &mut out)?;
/// assert_eq!(calls, 1);
/// assert_eq!(out, b"[[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n");
/// # Ok::<(), ndjson::LineError>(())
/// ```
pub fn map_line(
    destination: &Destination,
    format: OutputFormat,
    line: &str,
    out: &mut impl Write,
) -> Result<usize, LineError> {
    let message = Message::parse(line)?;
    let call = destination.map(&message);
    write_calls(format, call.as_slice(), out)?;
    Ok(call.as_slice().len())
}
