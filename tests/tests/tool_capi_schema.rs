//! Every Conversions API event the tool produces validates against Pinterest's own schema (the
//! vendored OpenAPI excerpt, checked as JSON Schema): over the conformance inputs of the Tag
//! and of the Conversions API, with every table and several settings, and over the bad-input
//! catalogue. (Arbitrary messages: `tests/reliability.rs`.)

use fake_pinterest::Schema;
use mapping_tests::conversion_vectors::{conversion_vectors, run_capi};
use mapping_tests::user_tables::{boutique, studio};
use mapping_tests::{all_vectors, catalogue, read_vectors, run_tool, workspace_dir};
use pinterest_mapping::Mapping;
use serde_json::Value;

/// An id, a time, an identity and a page for a message that has none of its own: a message's own
/// keys come later, and a repeated key holds its last value, so they win.
const ADDED: &str = r#""messageId":"added","timestamp":"2026-11-28T12:00:00Z","context":{"ip":"203.0.113.9","userAgent":"Mozilla/5.0","page":{"url":"https://shop.example/","search":"?epik=e-1"},"locale":"en-US","traits":{"email":"jane@example.com","phone":"+1 555 0100","firstName":"Jane","address":{"city":"Menlo Park","postalCode":"94025","country":"US"}}},"#;

/// `line` with [`ADDED`] after its opening brace, when it opens an object.
fn with_context(line: &str) -> String {
    match line.trim_start().strip_prefix('{') {
        Some(rest) if !rest.trim_start().starts_with('}') => format!("{{{ADDED}{rest}"),
        _ => line.to_owned(),
    }
}

/// Runs `--format capi` over `lines` and checks every event against the schema; returns the
/// number of events.
fn check_events<M: Mapping>(schema: &Schema, table: M, settings: &str, lines: &[String]) -> usize {
    let run = |args: &[String], stdin: &[u8]| run_tool(table.clone(), "pinterest-map", args, stdin);
    let output = run_capi(
        run,
        settings,
        "2026-11-28T12:05:00Z",
        lines.iter().map(String::as_str),
    );
    assert!(output.status <= 1, "{}", output.stderr);
    let mut events = 0;
    for line in output.json_lines() {
        let Value::Array(list) = &line else {
            panic!("not an array: {line}");
        };
        if list.is_empty() {
            continue;
        }
        events += list.len();
        let body = serde_json::json!({"data": line});
        if let Err(error) = schema.check_request(&body) {
            panic!("{error}\nfor {line}");
        }
    }
    events
}

/// The settings every input runs with: the Tag's own, then with partner events sent as
/// `custom` and `messageId` as `event_id`.
fn variations(settings: &str) -> Vec<String> {
    let mut variations = vec![settings.to_owned()];
    if let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(settings) {
        object.insert("sendPartnerEventsAsCustom".to_owned(), Value::Bool(true));
        object.insert("mapMessageIdToEventId".to_owned(), Value::Bool(true));
        variations.push(Value::Object(object).to_string());
    }
    variations
}

#[test]
fn every_event_over_the_conformance_inputs_validates() {
    let schema = Schema::load();
    let mut inputs: Vec<(String, String, String)> = all_vectors()
        .into_iter()
        .filter_map(|vector| Some((vector.table, vector.settings, vector.message?)))
        .collect();
    let user_tables = read_vectors(&workspace_dir().join("tests/vectors/user-tables.json"));
    inputs.extend(
        user_tables
            .into_iter()
            .filter_map(|vector| Some((vector.table, vector.settings, vector.message?))),
    );
    inputs.extend(
        conversion_vectors()
            .into_iter()
            .map(|vector| (vector.table, vector.settings, vector.message)),
    );
    let mut events = 0;
    for (table, settings, message) in &inputs {
        for settings in variations(settings) {
            let lines = [message.clone(), with_context(message)];
            events += match table.as_str() {
                "boutique" => check_events(&schema, boutique::Table, &settings, &lines),
                "studio" => check_events(&schema, studio::Table, &settings, &lines),
                _ => check_events(&schema, pinterest_mapping::spec::Table, &settings, &lines),
            };
        }
    }
    assert!(
        events >= 150,
        "only {events} events from {} inputs",
        inputs.len()
    );
}

#[test]
fn every_event_over_the_catalogue_validates() {
    let schema = Schema::load();
    let lines: Vec<String> = catalogue::cases()
        .into_iter()
        .filter_map(|case| String::from_utf8(case.line).ok())
        .filter(|line| !line.contains('\n'))
        .flat_map(|line| [with_context(&line), line])
        .collect();
    let settings =
        r#"{"tid":"t","sendPartnerEventsAsCustom":true,"pinterestCustomProperties":["email"]}"#;
    let events = check_events(&schema, pinterest_mapping::spec::Table, settings, &lines);
    assert!(events >= 25, "only {events} events");
}
