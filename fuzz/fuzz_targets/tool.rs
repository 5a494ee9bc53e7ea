//! `pinterest-map` itself on arbitrary standard input: line splitting, byte-order marks, blank
//! lines, invalid UTF-8, the per-line errors. The first byte picks the output format. Beyond
//! not panicking: the run ends with status 0 or 1, every output line is a JSON array of calls
//! (or a `pintrk` statement with nothing that could end a `<script>` element, or an array of
//! Conversions API events that reads back as the API's types, which refuse unknown keys), and
//! every error and warning line names the input and a line number.

#![no_main]

use std::ffi::OsString;

use libfuzzer_sys::fuzz_target;
use pinterest_mapping::Json;
use pinterest_mapping::capi::ConversionEvent;
use pinterest_map::{Status, Streams};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let format = ["json", "js", "capi"][usize::from(selector % 3)];
    let mut args = vec!["pinterest-map", "--quiet", "--format", format];
    if format == "capi" {
        args.extend(["--now", "2026-11-28T12:05:00Z"]);
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let status = pinterest_map::run(
        pinterest_mapping::spec::Table,
        args.into_iter().map(OsString::from),
        Streams {
            stdin: input,
            stdout: &mut stdout,
            stderr: &mut stderr,
            progress: false,
        },
    );
    assert!(
        matches!(status, Status::Success | Status::LinesFailed),
        "status {status:?}"
    );
    let stdout = std::str::from_utf8(&stdout).expect("output is UTF-8");
    for line in stdout.lines() {
        match format {
            "js" => {
                assert!(
                    line.starts_with("pintrk(") && line.ends_with(");"),
                    "{line}"
                );
                for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}', '\r'] {
                    assert!(!line.contains(forbidden), "{forbidden:?} in {line}");
                }
            }
            "capi" => {
                let events: Vec<ConversionEvent> =
                    serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}"));
                assert!(events.len() <= 1, "{line}");
            }
            _ => {
                let calls = Json::parse(line).expect("a JSON line");
                assert!(calls.text().starts_with('['), "{line}");
            }
        }
    }
    let stderr = std::str::from_utf8(&stderr).expect("errors are UTF-8");
    for line in stderr.lines() {
        let number = line
            .strip_prefix("<stdin>:")
            .and_then(|rest| rest.split(':').next())
            .and_then(|number| number.parse::<u64>().ok());
        assert!(number.is_some(), "{line}");
    }
    // Warnings (fields left out of an event) do not fail the run; errors do.
    let errors = stderr.lines().any(|line| {
        !line
            .split_once(": ")
            .is_some_and(|(_, rest)| rest.starts_with("warning: "))
    });
    assert_eq!(status == Status::LinesFailed, errors);
});
