//! The Conversions API output: every worked example of `tests/vectors/conversions.json`
//! through the library and through each table's tool, and deduplication with the Tag: the
//! event's `event_id` is the Tag call's for every conformance message.

use std::time::{Duration, UNIX_EPOCH};

use mapping_tests::conversion_vectors::{
    ConversionVector, conversion_vectors, library_failures, tool_failures,
};
use mapping_tests::user_tables::{boutique, studio};
use mapping_tests::{all_vectors, assert_all_pass, run_tool};
use pinterest_mapping::capi::Conversion;
use pinterest_mapping::{Destination, Mapping, PintrkCall, Settings, spec};
use serde_json::Value;

fn of_table<'v>(vectors: &'v [ConversionVector], table: &str) -> Vec<&'v ConversionVector> {
    vectors
        .iter()
        .filter(|vector| vector.table == table)
        .collect()
}

fn check<M: Mapping>(table: M, vectors: &[ConversionVector], at_least: usize) {
    let vectors = of_table(vectors, M::NAME);
    assert!(vectors.len() >= at_least, "only {} vectors", vectors.len());
    assert_all_pass(&library_failures(table.clone(), &vectors), vectors.len());
    let tool = |args: &[String], stdin: &[u8]| {
        run_tool(table.clone(), &format!("{}-map", M::NAME), args, stdin)
    };
    assert_all_pass(&tool_failures(&vectors, tool), vectors.len());
}

#[test]
fn every_vector_through_the_library_and_the_tool() {
    let vectors = conversion_vectors();
    let known = ["spec", "boutique", "studio"];
    assert!(
        vectors
            .iter()
            .all(|vector| known.contains(&vector.table.as_str())),
        "vectors for unknown tables"
    );
    check(spec::Table, &vectors, 30);
    check(boutique::Table, &vectors, 2);
    check(studio::Table, &vectors, 2);
}

/// Every message of the Tag's conformance vectors, given a time and an identity, with
/// `mapMessageIdToEventId` on: whenever the Tag call carries an `event_id`, the Conversions API
/// event carries the same one, so that Pinterest counts the conversion once. (A `null` or
/// empty `event_id` identifies nothing: the API's event then has none to share.)
#[test]
fn the_event_id_is_the_tag_calls_for_every_conformance_message() {
    let now = UNIX_EPOCH + Duration::from_secs(1_795_867_200);
    let mut compared = 0;
    for vector in all_vectors() {
        let Some(message) = &vector.message else {
            continue;
        };
        let mut settings: Value = serde_json::from_str(&vector.settings).unwrap();
        if !settings.is_object() {
            continue;
        }
        settings["mapMessageIdToEventId"] = Value::Bool(true);
        settings["sendPartnerEventsAsCustom"] = Value::Bool(true);
        let destination = Destination::new(Settings::from_json(&settings.to_string()).unwrap());
        let mut message: Value = serde_json::from_str(message).unwrap();
        message["timestamp"] = Value::from("2026-11-28T12:00:00Z");
        message["context"] = serde_json::json!({"ip": "203.0.113.9", "userAgent": "Mozilla/5.0"});
        let text = message.to_string();
        let mut converted = String::new();
        let message = destination.prepare(&text, &mut converted).unwrap();
        let tag_event_id = match destination.map(&message) {
            Some(PintrkCall::Track { data, .. }) => data
                .get("event_id")
                .map(|value| serde_json::to_value(value).unwrap()),
            _ => None,
        };
        let event_id = match destination.conversion(&message, now) {
            Conversion::Event { event, .. } => Ok(event.event_id.into_owned()),
            other => Err(format!("{other:?}")),
        };
        let tag_event_id = tag_event_id.filter(|id| !id.is_null() && id.as_str() != Some(""));
        match (tag_event_id, event_id) {
            (Some(tag), Ok(event_id)) => {
                let expected = match tag {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                assert_eq!(event_id, expected, "{}", vector.name);
                compared += 1;
            }
            (Some(_), Err(other)) => panic!(
                "{}: the Tag call has an event_id, the API {other}",
                vector.name
            ),
            (None, _) => {}
        }
    }
    assert!(compared >= 40, "only {compared} messages compared");
}

fn run(args: &[&str], stdin: &str) -> mapping_tests::Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    run_tool(spec::Table, "pinterest-map", &args, stdin.as_bytes())
}

const CONTEXT: &str = r#""context":{"ip":"203.0.113.9","userAgent":"Mozilla/5.0"}"#;

#[test]
fn the_summary_counts_events_and_unsendable_messages_by_reason() {
    let input = [
        format!(r#"{{"type":"track","event":"Order Completed","messageId":"a","timestamp":"2026-11-28T12:00:00Z",{CONTEXT}}}"#),
        format!(r#"{{"type":"track","event":"Order Completed","messageId":"b",{CONTEXT}}}"#),
        r#"{"type":"track","event":"Order Completed","messageId":"c","timestamp":"2026-11-28T12:00:00Z"}"#.to_owned(),
        format!(r#"{{"type":"track","event":"Order Completed","messageId":"d",{CONTEXT}}}"#),
        r#"{"type":"identify","userId":"jane@example.com"}"#.to_owned(),
        "not json".to_owned(),
        format!(r#"{{"type":"track","event":"Order Completed","messageId":"e","timestamp":"2026-11-28T12:00:00Z",{CONTEXT},"properties":{{"value":"$1"}}}}"#),
    ]
    .join("\n");
    let output = run(
        &["--format", "capi", "--now", "2026-11-28T12:00:00Z"],
        &input,
    );
    assert_eq!(output.status, 1);
    assert_eq!(output.stdout.lines().count(), 6, "one line per message");
    assert_eq!(
        output
            .stdout
            .lines()
            .map(|line| line == "[]")
            .collect::<Vec<_>>(),
        [false, true, true, true, true, false]
    );
    let (reports, summary) = output.stderr.rsplit_once("pinterest-map: ").unwrap();
    assert_eq!(
        reports,
        "pinterest-map: no --settings: using the built-in example configuration (tag ID 2620795819800)\n\
         <stdin>:2: not sent to the Conversions API: no event time: none of `timestamp`, `originalTimestamp`, `sentAt` and `receivedAt` is an ISO 8601 time with an offset\n\
         <stdin>:3: not sent to the Conversions API: no user identity: the Conversions API needs an email (`em`), a mobile advertising id (`hashed_maids`), or both an IP address and a user agent\n\
         <stdin>:4: not sent to the Conversions API: no event time: none of `timestamp`, `originalTimestamp`, `sentAt` and `receivedAt` is an ISO 8601 time with an offset\n\
         <stdin>:6: invalid JSON: expected a value at column 1, found a bare word\n\
         <stdin>:7: warning: `custom_data.value` left out: not a number (or a string holding one)\n"
    );
    assert!(
        summary.starts_with(
            "6 messages, 2 events, 3 unsendable (2 no event time, 1 no user identity), 1 without an event, 1 field left out, 1 error in "
        ),
        "{summary}"
    );
}

#[test]
fn every_message_sendable_exits_0() {
    let input = format!(
        "{{\"type\":\"track\",\"event\":\"Product Added\",\"messageId\":\"a\",\"timestamp\":\"2026-11-28T12:00:00Z\",{CONTEXT}}}\n{{\"type\":\"identify\",\"userId\":\"u\"}}\n"
    );
    let output = run(
        &["-q", "--format", "capi", "--now", "2026-11-28T12:00:00Z"],
        &input,
    );
    assert_eq!((output.status, output.stderr.as_str()), (0, ""));
    assert_eq!(output.stdout.lines().nth(1), Some("[]"));
}

#[test]
fn the_reference_time_options_are_checked_before_anything_is_read() {
    for (args, message) in [
        (
            &["--format", "capi", "--now", "yesterday"][..],
            "error: invalid value 'yesterday' for '--now <TIME>': not an ISO 8601 time with an offset, such as 2026-11-28T12:00:00Z",
        ),
        (
            &["--format", "capi", "--now", "1969-12-31T23:59:59Z"][..],
            "error: invalid value '1969-12-31T23:59:59Z' for '--now <TIME>': the time must be after 1970-01-01T00:00:00Z",
        ),
        (
            &["--now", "2026-11-28T12:00:00Z"][..],
            "pinterest-map: --now sets the Conversions API's reference time: use it with --format capi or --send",
        ),
        (
            &["--format", "capi", "--init"][..],
            "pinterest-map: --init prints the Tag's start-up calls: it does not apply to --format capi",
        ),
    ] {
        let output = run(args, "{\"type\":\"page\"}\n");
        assert_eq!(output.status, 2, "{args:?}");
        assert_eq!(output.stdout, "", "{args:?}");
        assert_eq!(output.stderr.lines().next(), Some(message), "{args:?}");
    }
}
