//! The library's streaming API, `ndjson::map_stream` and `ndjson::convert_stream`: the tool's
//! output for the same input, its errors for the same lines, output written out before the
//! input makes the reading wait, and reads that fail for a moment losing nothing.

use std::cell::RefCell;
use std::io::{self, BufReader, Read};
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use mapping_tests::{catalogue, run_tool};
use pinterest_mapping::ndjson::{self, LineFailure, OutputFormat};
use pinterest_mapping::{Destination, Settings};

fn destination() -> Destination {
    Destination::new(Settings::example())
}

/// The catalogue's lines, one input.
fn catalogue_input() -> Vec<u8> {
    let mut input = Vec::new();
    for case in catalogue::cases() {
        input.extend_from_slice(&case.line);
        input.push(b'\n');
    }
    input
}

/// The tool's standard error without its summary, each `<stdin>:N:` written `line N:`.
fn tool_failures(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("<stdin>:"))
        .map(|rest| format!("line {rest}"))
        .collect()
}

#[test]
fn map_stream_writes_what_the_tool_writes() {
    let input = catalogue_input();
    for (format, name) in [(OutputFormat::Json, "json"), (OutputFormat::Js, "js")] {
        let tool = run_tool(
            pinterest_mapping::spec::Table,
            "pinterest-map",
            &["-q".to_owned(), "--format".to_owned(), name.to_owned()],
            &input,
        );
        let mut output = Vec::new();
        let mut failures = Vec::new();
        let counts = ndjson::map_stream(
            &destination(),
            format,
            BufReader::new(input.as_slice()),
            &mut output,
            |failure| failures.push(failure.to_string()),
        )
        .expect("a slice reads and a Vec writes");
        assert_eq!(String::from_utf8(output).unwrap(), tool.stdout, "{name}");
        assert_eq!(failures, tool_failures(&tool.stderr), "{name}");
        assert_eq!(counts.failures, failures.len() as u64);
        assert_eq!(counts.lines, catalogue::cases().len() as u64);
    }
}

#[test]
fn convert_stream_writes_what_the_tool_writes() {
    let input = catalogue_input();
    let now = "2026-11-28T12:05:00Z";
    let tool = run_tool(
        pinterest_mapping::spec::Table,
        "pinterest-map",
        &[
            "-q".to_owned(),
            "--format".to_owned(),
            "capi".to_owned(),
            "--now".to_owned(),
            now.to_owned(),
        ],
        &input,
    );
    let mut output = Vec::new();
    let mut failures = Vec::new();
    let mut events = 0;
    let counts = ndjson::convert_stream(
        &destination(),
        BufReader::new(input.as_slice()),
        &mut output,
        || UNIX_EPOCH + Duration::from_secs(1_795_867_500),
        |_, converted| {
            if matches!(converted, ndjson::Converted::Event { .. }) {
                events += 1;
            }
        },
        |failure| failures.push(failure.to_string()),
    )
    .expect("a slice reads and a Vec writes");
    assert_eq!(String::from_utf8(output).unwrap(), tool.stdout);
    // The tool also reports unsendable messages and fields left out: only failures compare.
    let tool_failures: Vec<String> = tool_failures(&tool.stderr)
        .into_iter()
        .filter(|line| {
            !line.contains(": not sent to the Conversions API: ") && !line.contains(": warning: ")
        })
        .collect();
    assert_eq!(failures, tool_failures);
    assert_eq!(counts.outputs, events);
}

/// An input that gives its chunks one at a time, each only once the output holds every line
/// mapped from the chunks before it; and fails with `Interrupted` before each chunk.
struct Waiting {
    chunks: Vec<Vec<u8>>,
    output: Rc<RefCell<Vec<u8>>>,
    /// Output lines expected after each chunk.
    expected_lines: Vec<usize>,
    given: usize,
    interrupted: bool,
}

impl Read for Waiting {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.given == self.chunks.len() {
            return Ok(0);
        }
        self.interrupted = !self.interrupted;
        if self.interrupted {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if self.given > 0 {
            let written = self
                .output
                .borrow()
                .iter()
                .filter(|byte| **byte == b'\n')
                .count();
            assert_eq!(
                written,
                self.expected_lines[self.given - 1],
                "the lines mapped were written out before the input was read again"
            );
        }
        let chunk = &self.chunks[self.given];
        assert!(buffer.len() >= chunk.len());
        buffer[..chunk.len()].copy_from_slice(chunk);
        self.given += 1;
        Ok(chunk.len())
    }
}

/// A writer into a shared buffer.
struct Shared(Rc<RefCell<Vec<u8>>>);

impl io::Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn output_is_written_before_the_input_makes_the_reading_wait() {
    let page = r#"{"type":"page","name":"Home"}"#;
    // A line split across two chunks, a chunk of whole lines, a last line without its end.
    let chunks: Vec<Vec<u8>> = vec![
        format!("{page}\n{page}\n{{\"type\":").into_bytes(),
        b"\"page\"}\n".to_vec(),
        format!("{page}\n\n{page}").into_bytes(),
    ];
    let output = Rc::new(RefCell::new(Vec::new()));
    let input = Waiting {
        chunks,
        output: Rc::clone(&output),
        expected_lines: vec![2, 3, 5],
        given: 0,
        interrupted: false,
    };
    let counts = ndjson::map_stream(
        &destination(),
        OutputFormat::Json,
        BufReader::new(input),
        Shared(Rc::clone(&output)),
        |failure: &LineFailure| panic!("{failure}"),
    )
    .expect("reads and writes succeed");
    assert_eq!((counts.lines, counts.messages), (6, 5));
    let output = String::from_utf8(output.borrow().clone()).unwrap();
    assert_eq!(output.lines().count(), 5);
    assert_eq!(
        output.lines().nth(2),
        Some(r#"[["track","PageVisit",{"name":""}]]"#)
    );
}

/// An input that fails for good after some lines.
struct Failing<'a>(&'a [u8]);

impl Read for Failing<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() {
            return Err(io::Error::other("the disk went away"));
        }
        let count = buffer.len().min(self.0.len());
        buffer[..count].copy_from_slice(&self.0[..count]);
        self.0 = &self.0[count..];
        Ok(count)
    }
}

#[test]
fn a_read_error_comes_after_the_output_of_the_lines_before_it() {
    let input = b"{\"type\":\"page\"}\n{\"type\":\"page\"}\n{\"type\":";
    let mut output = Vec::new();
    let error = ndjson::map_stream(
        &destination(),
        OutputFormat::Json,
        BufReader::new(Failing(input)),
        &mut output,
        |_| {},
    )
    .unwrap_err();
    assert_eq!(error.to_string(), "the disk went away");
    assert_eq!(output.iter().filter(|byte| **byte == b'\n').count(), 2);
}
