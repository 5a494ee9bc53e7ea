//! Settings and messages far larger than usual: loading 100,000 event mappings, 100,000
//! custom properties against a message with 100,000 properties, a custom property path
//! 100,000 segments long in a message nested as deep. Each is measured at a tenth of the size
//! too: work linear in the size takes about ten times as long at full size (somewhat more as
//! the data outgrows the caches; the target allows thirty), quadratic work a hundred times.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pinterest_mapping::{Destination, Message, Settings};

use crate::Report;

/// The full size of each case.
const SIZE: usize = 100_000;

/// Best of this many runs of each case.
const RUNS: usize = 3;

/// Settings with `n` event mappings.
fn event_mappings(n: usize) -> String {
    let entries: Vec<String> = (0..n).map(|i| format!(r#""Event {i}":"Custom""#)).collect();
    format!(
        r#"{{"tid":"t","pinterestEventMapping":{{{}}}}}"#,
        entries.join(",")
    )
}

/// Settings with `n` custom properties, and a track message with `n` properties.
fn custom_properties(n: usize) -> (String, String) {
    let paths: Vec<String> = (0..n).map(|i| format!(r#""p{i}""#)).collect();
    let properties: Vec<String> = (0..n).map(|i| format!(r#""p{i}":{i}"#)).collect();
    (
        format!(
            r#"{{"tid":"t","pinterestCustomProperties":[{}]}}"#,
            paths.join(",")
        ),
        format!(
            r#"{{"type":"track","event":"E","properties":{{{}}}}}"#,
            properties.join(",")
        ),
    )
}

/// Settings with one custom property `n` segments deep, and a message nested as deep.
fn deep_path(n: usize) -> (String, String) {
    (
        format!(
            r#"{{"tid":"t","pinterestCustomProperties":["{}"]}}"#,
            vec!["a"; n].join(".")
        ),
        format!(
            r#"{{"type":"track","event":"E","properties":{}1{}}}"#,
            r#"{"a":"#.repeat(n),
            "}".repeat(n)
        ),
    )
}

fn best(mut run: impl FnMut()) -> Duration {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The time to map `message` with `settings`, settings read and destination built included.
fn map_once(settings: &str, message: &str) -> Duration {
    best(|| {
        let settings = Settings::from_json(settings).expect("valid settings");
        let destination = Destination::new(settings);
        let message = Message::parse(message).expect("a valid message");
        let call = destination.map(&message).expect("a track call");
        black_box(call.to_json());
    })
}

pub fn settings_and_paths(report: &mut Report) {
    let load = |n: usize| {
        let text = event_mappings(n);
        best(|| {
            drop(black_box(Destination::new(
                Settings::from_json(&text).unwrap(),
            )))
        })
    };
    let custom = |n: usize| {
        let (settings, message) = custom_properties(n);
        map_once(&settings, &message)
    };
    let deep = |n: usize| {
        let (settings, message) = deep_path(n);
        map_once(&settings, &message)
    };
    report.section(&format!(
        "6. Settings and messages at scale ({SIZE} against {})",
        SIZE / 10
    ));
    for (name, measure) in [
        ("event mappings loaded", &load as &dyn Fn(usize) -> Duration),
        ("custom properties against as many properties", &custom),
        ("custom property path segments, message as deep", &deep),
    ] {
        let small = measure(SIZE / 10);
        let large = measure(SIZE);
        report.row(
            &format!("{SIZE} {name}"),
            format!("{:.1} ms", large.as_secs_f64() * 1e3),
        );
        report.target(
            &format!("{name}: time at {SIZE} / at {}", SIZE / 10),
            large.as_secs_f64() / small.as_secs_f64(),
            "≤",
            30.0,
        );
    }
}
