//! Newline-delimited streams: one Segment message per input line, its calls written out. The
//! per-line path `pinterest-map` runs, for programs and benchmarks that stream the same way.

use crate::segment::MessageError;
use crate::table::Mapping;
use crate::tag::{Destination, PintrkCall};

/// How calls are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// One line per message: the JSON array of its calls, `[]` when none.
    #[default]
    Json,
    /// One JavaScript statement per call, safe inside an HTML `<script>` element.
    Js,
}

/// Appends calls in `format`: for [`OutputFormat::Json`] one line even when there are none.
pub fn write_calls(format: OutputFormat, calls: &[PintrkCall], out: &mut Vec<u8>) {
    match format {
        OutputFormat::Json => {
            out.push(b'[');
            for (index, call) in calls.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                call.write_json(out);
            }
            out.extend_from_slice(b"]\n");
        }
        OutputFormat::Js => {
            for call in calls {
                call.write_js(out);
                out.push(b'\n');
            }
        }
    }
}

/// Maps one line holding one message and appends its calls to `out`; returns how many calls
/// it produced.
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
/// # Ok::<(), mapping_core::MessageError>(())
/// ```
pub fn map_line<M: Mapping>(
    destination: &Destination<M>,
    format: OutputFormat,
    line: &str,
    out: &mut Vec<u8>,
) -> Result<usize, MessageError> {
    destination.map_text(line, |call| {
        write_calls(format, call.as_slice(), out);
        call.as_slice().len()
    })
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
