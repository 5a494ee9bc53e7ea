//! The Conversions API's worked examples, `tests/vectors/conversions.json`: settings, a
//! reference time and a message in, the whole list of events out (with, for a message that
//! cannot become an event, the reason reported, and the fields left out of one), run through
//! the library and through a tool.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pinterest_mapping::capi::Conversion;
use pinterest_mapping::{Destination, Json, JsonValue, Mapping, Settings};
use serde_json::Value;

use super::{Output, TempFile, compact, compare_lines, same_json, workspace_dir};

/// One worked example of the Conversions API output.
pub struct ConversionVector {
    /// What it shows.
    pub name: String,
    /// The table it runs with: `spec` unless it names another.
    pub table: String,
    /// The destination settings JSON text.
    pub settings: String,
    /// The reference time, as `--now` takes it.
    pub now: String,
    /// The message JSON text.
    pub message: String,
    /// The events, as a JSON array.
    pub expected: Value,
    /// For a message that cannot become an event: the reason reported.
    pub unsendable: Option<String>,
    /// The fields left out of the event, as reported.
    pub warnings: Vec<String>,
}

impl ConversionVector {
    /// The reference time.
    pub fn now_time(&self) -> SystemTime {
        let seconds = chrono::DateTime::parse_from_rfc3339(&self.now)
            .ok()
            .and_then(|time| u64::try_from(time.timestamp()).ok())
            .unwrap_or_else(|| panic!("{}: reference time {:?}", self.name, self.now));
        UNIX_EPOCH + Duration::from_secs(seconds)
    }
}

/// The worked examples, in file order.
pub fn conversion_vectors() -> Vec<ConversionVector> {
    let path = workspace_dir().join("tests/vectors/conversions.json");
    let fail = |error: &dyn std::fmt::Display| -> ! { panic!("{}: {error}", path.display()) };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| fail(&error));
    let vectors = Json::parse(&text).unwrap_or_else(|error| fail(&error));
    let mut read = Vec::new();
    vectors.for_each_element(|vector| {
        let string = |key: &str| vector.get(key).and_then(Json::to_str).map(Cow::into_owned);
        let text = |key: &str| vector.get(key).map_or_else(|| "null".to_owned(), compact);
        let mut warnings = Vec::new();
        if let Some(listed) = vector.get("warnings") {
            listed.for_each_element(|warning| {
                warnings.extend(warning.to_str().map(Cow::into_owned));
            });
        }
        read.push(ConversionVector {
            name: string("name").unwrap_or_default(),
            table: string("table").unwrap_or_else(|| "spec".to_owned()),
            settings: text("settings"),
            now: string("now").unwrap_or_else(|| fail(&"a vector without `now`")),
            message: text("input"),
            expected: serde_json::from_str(&text("expected")).unwrap_or_else(|error| fail(&error)),
            unsendable: string("unsendable"),
            warnings,
        });
    });
    read
}

/// Runs each vector of `table` through the library and lists those that differ.
pub fn library_failures<M: Mapping>(table: M, vectors: &[&ConversionVector]) -> Vec<String> {
    let mut failed = Vec::new();
    for vector in vectors {
        let settings = Settings::from_json(&vector.settings)
            .unwrap_or_else(|error| panic!("{}: settings: {error}", vector.name));
        let destination = Destination::with_table(table.clone(), settings);
        let mut converted = String::new();
        let message = destination
            .prepare(&vector.message, &mut converted)
            .unwrap_or_else(|error| panic!("{}: message: {error}", vector.name));
        let (events, unsendable, warnings) = match destination
            .conversion(&message, vector.now_time())
        {
            Conversion::Event { event, warnings } => (
                vec![event],
                None,
                warnings.iter().map(ToString::to_string).collect(),
            ),
            Conversion::Skipped(_) => (Vec::new(), None, Vec::new()),
            Conversion::Unsendable(reason) => (Vec::new(), Some(reason.to_string()), Vec::new()),
            other => panic!(
                "{}: an outcome the vectors do not know: {other:?}",
                vector.name
            ),
        };
        let actual: Value = serde_json::to_value(&events)
            .unwrap_or_else(|error| panic!("{}: events: {error}", vector.name));
        let warnings: Vec<String> = warnings;
        if !same_json(&actual, &vector.expected)
            || unsendable != vector.unsendable
            || warnings != vector.warnings
        {
            failed.push(format!(
                "{}\n  expected: {} {:?} {:?}\n  actual:   {actual} {unsendable:?} {warnings:?}",
                vector.name, vector.expected, vector.unsendable, vector.warnings
            ));
        }
    }
    failed
}

/// Runs a tool (`run`) with `--quiet --format capi`, the reference time `now` and these
/// settings, over `messages`, one per line.
pub fn run_capi<'m>(
    run: impl Fn(&[String], &[u8]) -> Output,
    settings: &str,
    now: &str,
    messages: impl Iterator<Item = &'m str>,
) -> Output {
    let settings = TempFile::new(".json", settings.as_bytes());
    let stdin: String = messages.flat_map(|message| [message, "\n"]).collect();
    let args = [
        "--quiet",
        "--format",
        "capi",
        "--now",
        now,
        "--settings",
        &settings.arg(),
    ]
    .map(str::to_owned);
    run(&args, stdin.as_bytes())
}

/// Runs the vectors through a tool with `--format capi`, the messages that share settings and
/// a reference time in one run, and lists those whose output line or report differs.
pub fn tool_failures(
    vectors: &[&ConversionVector],
    run: impl Fn(&[String], &[u8]) -> Output,
) -> Vec<String> {
    let mut batches: Vec<((&str, &str), Vec<&ConversionVector>)> = Vec::new();
    for vector in vectors {
        let key = (vector.settings.as_str(), vector.now.as_str());
        match batches.iter_mut().find(|(known, _)| *known == key) {
            Some((_, batch)) => batch.push(vector),
            None => batches.push((key, vec![vector])),
        }
    }
    let mut failed = Vec::new();
    for ((settings, now), batch) in batches {
        let messages = batch.iter().map(|vector| vector.message.as_str());
        let output = run_capi(&run, settings, now, messages);
        let mut expected_stderr = String::new();
        for (number, vector) in batch.iter().enumerate() {
            let number = number + 1;
            for warning in &vector.warnings {
                expected_stderr.push_str(&format!("<stdin>:{number}: warning: {warning}\n"));
            }
            if let Some(reason) = &vector.unsendable {
                expected_stderr.push_str(&format!(
                    "<stdin>:{number}: not sent to the Conversions API: {reason}\n"
                ));
            }
        }
        let expected_status = u8::from(batch.iter().any(|vector| vector.unsendable.is_some()));
        if output.status != expected_status || output.stderr != expected_stderr {
            failed.push(format!(
                "{}…: status {} (expected {expected_status}), stderr {:?}, expected {expected_stderr:?}",
                batch[0].name, output.status, output.stderr
            ));
            continue;
        }
        let expected: Vec<(&str, &Value)> = batch
            .iter()
            .map(|vector| (vector.name.as_str(), &vector.expected))
            .collect();
        compare_lines(&output, &expected, &mut failed);
    }
    failed
}
