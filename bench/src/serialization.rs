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

use crate::{Report, best_by_chunk, drain};

/// The reference time of the age limit: five minutes after the workload's events.
const NOW_SECONDS: u64 = 1_795_867_500;

pub(crate) fn writers(report: &mut Report, lines: &[&str]) {
    let mut settings = pinterest_mapping::Settings::example();
    settings.tag.map_message_id_to_event_id = true;
    let destination = Destination::new(settings);
    let now = UNIX_EPOCH + Duration::from_secs(NOW_SECONDS);
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

    // The two writers must agree, or the comparison says nothing.
    let (mut own, mut serde) = (Vec::new(), Vec::new());
    for call in &calls {
        own.clear();
        serde.clear();
        ndjson::append_calls(OutputFormat::Json, std::slice::from_ref(call), &mut own);
        serde_line(&mut serde, std::slice::from_ref(call), CompactFormatter);
        assert_eq!(own, serde, "the call writers disagree");
    }
    for event in &events {
        own.clear();
        serde.clear();
        ndjson::append_events(std::slice::from_ref(event), &mut own);
        serde_line(&mut serde, std::slice::from_ref(event), CompactFormatter);
        assert_eq!(own, serde, "the event writers disagree");
    }

    let mut output = Vec::with_capacity(128 * 1024);
    let call_indices: Vec<usize> = (0..calls.len()).collect();
    let event_indices: Vec<usize> = (0..events.len()).collect();
    let mut sink = Vec::with_capacity(128 * 1024);
    let mut own_json = |chunk: &[usize]| {
        for index in chunk {
            let call = std::slice::from_ref(&calls[*index]);
            ndjson::append_calls(OutputFormat::Json, call, &mut output);
            drain(&mut output);
        }
    };
    let mut serde_json_calls = |chunk: &[usize]| {
        for index in chunk {
            serde_line(
                &mut sink,
                std::slice::from_ref(&calls[*index]),
                CompactFormatter,
            );
            drain(&mut sink);
        }
    };
    let [own_json, serde_json_calls] =
        best_by_chunk(&call_indices, [&mut own_json, &mut serde_json_calls]);

    let mut own_js = |chunk: &[usize]| {
        for index in chunk {
            let call = std::slice::from_ref(&calls[*index]);
            ndjson::append_calls(OutputFormat::Js, call, &mut output);
            drain(&mut output);
        }
    };
    let mut serde_script_safe = |chunk: &[usize]| {
        for index in chunk {
            serde_line(&mut sink, std::slice::from_ref(&calls[*index]), ScriptSafe);
            drain(&mut sink);
        }
    };
    let [own_js, serde_script_safe] =
        best_by_chunk(&call_indices, [&mut own_js, &mut serde_script_safe]);

    let mut own_events = |chunk: &[usize]| {
        for index in chunk {
            ndjson::append_events(std::slice::from_ref(&events[*index]), &mut output);
            drain(&mut output);
        }
    };
    let mut serde_events = |chunk: &[usize]| {
        for index in chunk {
            serde_line(
                &mut sink,
                std::slice::from_ref(&events[*index]),
                CompactFormatter,
            );
            drain(&mut sink);
        }
    };
    let [own_events, serde_events] =
        best_by_chunk(&event_indices, [&mut own_events, &mut serde_events]);

    let per_item = |time: Duration, count: usize| time.as_secs_f64() * 1e9 / count as f64;
    report.section(&format!(
        "11. The writers against serde_json ({} calls, {} events)",
        calls.len(),
        events.len()
    ));
    for (what, own, serde, count) in [
        (
            "Tag call, JSON line",
            own_json,
            serde_json_calls,
            calls.len(),
        ),
        (
            "Tag call, script-safe (own: the JavaScript statement; serde_json: the JSON with a script-safe `Formatter`)",
            own_js,
            serde_script_safe,
            calls.len(),
        ),
        (
            "Conversions API event, JSON line",
            own_events,
            serde_events,
            events.len(),
        ),
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
