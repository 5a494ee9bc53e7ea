//! The writers against `serde_json`: the output of the workload's calls and events written by
//! the library's own writers (what the tool writes) and by `serde_json` through the types'
//! `Serialize`, which writes the same bytes. For the script-safe JavaScript form, `serde_json`
//! writes the same JSON through a `Formatter` that escapes `<`, `>`, `&`, U+2028 and U+2029 as
//! the tool's writer does.

use std::io;
use std::time::{Duration, UNIX_EPOCH};

use pinterest_mapping::capi::{Conversion, ConversionEvent};
use pinterest_mapping::ndjson::{self, OutputFormat};
use pinterest_mapping::{Destination, Message, PintrkCall};
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

use crate::{Report, best_by_chunk, conversions, drain};

pub(crate) fn writers(report: &mut Report, lines: &[&str]) {
    let destination = Destination::new(conversions::settings());
    let now = UNIX_EPOCH + Duration::from_secs(conversions::NOW_SECONDS);
    let messages: Vec<Message> = lines
        .iter()
        .filter_map(|line| Message::parse(line).ok())
        .collect();
    let calls: Vec<PintrkCall> = messages
        .iter()
        .filter_map(|message| destination.map(message))
        .collect();
    let events: Vec<ConversionEvent> = messages
        .iter()
        .filter_map(|message| match destination.conversion(message, now) {
            Conversion::Event { event, .. } => Some(event),
            _ => None,
        })
        .collect();

    let json = own_against_serde(
        &calls,
        |call, out| ndjson::append_calls(OutputFormat::Json, call, out),
        serde_compact,
        Agree::Bytes,
    );
    let script_safe = own_against_serde(
        &calls,
        |call, out| ndjson::append_calls(OutputFormat::Js, call, out),
        |call, out| serde_line(out, call, ScriptSafe),
        Agree::Shape,
    );
    let event_json = own_against_serde(&events, ndjson::append_events, serde_compact, Agree::Bytes);

    let per_item = |time: Duration, count: usize| time.as_secs_f64() * 1e9 / count as f64;
    report.section(&format!(
        "11. The writers against serde_json ({} calls, {} events)",
        calls.len(),
        events.len()
    ));
    for (what, [own, serde], count) in [
        ("Tag call, JSON line", json, calls.len()),
        (
            "Tag call, script-safe (own: the JavaScript statement; serde_json: the JSON with a script-safe `Formatter`)",
            script_safe,
            calls.len(),
        ),
        ("Conversions API event, JSON line", event_json, events.len()),
    ] {
        report.row(
            &format!("{what}: own writer / serde_json"),
            format!(
                "{:.0} ns / {:.0} ns = {:.2}",
                per_item(own, count),
                per_item(serde, count),
                own.as_secs_f64() / serde.as_secs_f64()
            ),
        );
    }
}

/// What the two writers of a comparison must have in common.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Agree {
    /// The same bytes, or the comparison says nothing.
    Bytes,
    /// Different forms of the same data (a JavaScript statement against JSON).
    Shape,
}

/// The time of writing `items`, one output line each, with `own` and with `serde`, best by
/// chunk, into buffers drained as the tool's is; with [`Agree::Bytes`], the two are first
/// checked to write the same bytes for every item.
fn own_against_serde<T>(
    items: &[T],
    own: impl Fn(&[T], &mut Vec<u8>),
    serde: impl Fn(&[T], &mut Vec<u8>),
    agree: Agree,
) -> [Duration; 2] {
    let (mut own_output, mut serde_output) = (Vec::new(), Vec::new());
    if agree == Agree::Bytes {
        for item in items.chunks(1) {
            own_output.clear();
            serde_output.clear();
            own(item, &mut own_output);
            serde(item, &mut serde_output);
            assert_eq!(own_output, serde_output, "the writers disagree");
        }
    }
    let each = |write: &dyn Fn(&[T], &mut Vec<u8>), output: &mut Vec<u8>, chunk: &[T]| {
        for item in chunk.chunks(1) {
            write(item, output);
            drain(output);
        }
    };
    let mut own_measure = |chunk: &[T]| each(&own, &mut own_output, chunk);
    let mut serde_measure = |chunk: &[T]| each(&serde, &mut serde_output, chunk);
    best_by_chunk(items, [&mut own_measure, &mut serde_measure])
}

/// [`serde_line`] with `serde_json`'s compact formatter, which the tool's writers match.
fn serde_compact<T: serde::Serialize>(items: &[T], out: &mut Vec<u8>) {
    serde_line(out, items, CompactFormatter);
}

/// One output line as `serde_json` writes it with `formatter`: the JSON array of `items`.
fn serde_line<T: serde::Serialize>(out: &mut Vec<u8>, items: &[T], formatter: impl Formatter) {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    serde::Serialize::serialize(items, &mut serializer).expect("a Vec takes every write");
    out.push(b'\n');
}

/// `serde_json`'s compact JSON, with the characters a `<script>` element must not hold in a
/// string escaped, as the tool's JavaScript writer escapes them.
struct ScriptSafe;

impl Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, character) in fragment.char_indices() {
            let escape = match character {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..index])?;
            writer.write_all(escape.as_bytes())?;
            start = index + character.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        CompactFormatter.write_char_escape(writer, escape)
    }
}
