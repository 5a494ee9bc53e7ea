//! `pinterest-map`, driven in process through `pinterest_map::run`: the vectors, the exit
//! statuses, bad lines amid good ones, `--init`, `--format js`, settings errors.

use std::ffi::OsString;

use mapping_tests::{
    Output, TempFile, all_vectors, assert_all_pass, catalogue, cli_failures, run_tool,
    settings_warnings, without_program,
};
use pinterest_map::Streams;

fn run(args: &[String], stdin: &[u8]) -> Output {
    run_tool(pinterest_mapping::spec::Table, "pinterest-map", args, stdin)
}

fn run_str(args: &[&str], stdin: &str) -> Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    run(&args, stdin.as_bytes())
}

const ORDER: &str =
    r#"{"type":"track","event":"Order Completed","properties":{"order_id":"o-1","value":5}}"#;
const PAGE: &str = r#"{"type":"page","name":"Home"}"#;
const IDENTIFY: &str = r#"{"type":"identify","userId":"u","traits":{"email":"jane@example.com"}}"#;

/// The note of a run without `--settings`.
const BUILT_IN: &str = "pinterest-map: no --settings: using the built-in example configuration \
                        (tag ID 2620795819800)\n";

#[test]
fn every_vector_passes_through_the_tool() {
    let vectors = all_vectors();
    assert_all_pass(&cli_failures(&vectors, run), vectors.len());
}

#[test]
fn every_catalogue_case_between_valid_lines() {
    let failed = catalogue::failures("<stdin>", run);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn one_output_line_per_message_and_a_summary() {
    let input = format!("{ORDER}\n{PAGE}\n{{\"type\":\"alias\",\"userId\":\"u\"}}\n{IDENTIFY}\n");
    let output = run_str(&[], &input);
    assert_eq!(output.status, 0);
    assert_eq!(
        output.stdout,
        "[[\"track\",\"Checkout\",{\"order_id\":\"o-1\",\"value\":5}]]\n\
         [[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n\
         []\n\
         [[\"set\",{\"np\":\"segment\",\"em\":\"jane@example.com\"}]]\n"
    );
    let summary = output.stderr.strip_prefix(BUILT_IN).unwrap_or_default();
    assert!(
        summary.starts_with("pinterest-map: 4 messages, 3 calls, 0 errors in "),
        "{}",
        output.stderr
    );
    assert_eq!(summary.lines().count(), 1);
}

#[test]
fn quiet_prints_no_summary() {
    let output = run_str(&["--quiet"], ORDER);
    assert_eq!((output.status, output.stderr.as_str()), (0, ""));
    assert_eq!(output.stdout.lines().count(), 1);
}

#[test]
fn bad_lines_are_reported_and_the_good_ones_all_mapped() {
    let input = format!(
        "{ORDER}\nnot json\n{PAGE}\n[1,2]\n{{\"type\":\"track\"}}\n\n   \n{{\"type\":\"track\",\"event\":7}}\n{IDENTIFY}"
    );
    let output = run_str(&["-q"], &input);
    assert_eq!(output.status, 1);
    assert_eq!(
        output.stdout,
        "[[\"track\",\"Checkout\",{\"order_id\":\"o-1\",\"value\":5}]]\n\
         [[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n\
         [[\"set\",{\"np\":\"segment\",\"em\":\"jane@example.com\"}]]\n"
    );
    assert_eq!(
        output.stderr,
        "<stdin>:2: invalid JSON: expected a value at column 1, found a bare word\n\
         <stdin>:4: a message must be a JSON object, found an array\n\
         <stdin>:5: track message has no `event`\n\
         <stdin>:8: `event` must be a string, found a number\n"
    );
}

#[test]
fn errors_name_the_input_file_and_the_summary_counts_them() {
    let first = TempFile::new(".ndjson", format!("{ORDER}\n{{\n").as_bytes());
    let second = TempFile::new(".ndjson", format!("{PAGE}\n").as_bytes());
    let output = run_str(&[&first.arg(), &second.arg()], "");
    assert_eq!(output.status, 1);
    assert_eq!(output.stdout.lines().count(), 2);
    let mut stderr = output.stderr.lines();
    assert_eq!(stderr.next(), BUILT_IN.lines().next());
    assert_eq!(
        stderr.next(),
        Some(
            format!(
                "{}:2: invalid JSON: expected a string key at column 2, found the end of the text",
                first.arg()
            )
            .as_str()
        )
    );
    assert!(
        stderr
            .next()
            .is_some_and(|summary| summary.contains("2 messages, 2 calls, 1 error in "))
    );
}

#[test]
fn reads_files_and_standard_input_in_order() {
    let file = TempFile::new(".ndjson", format!("{PAGE}\n").as_bytes());
    let output = run_str(&["-q", &file.arg(), "-", &file.arg()], ORDER);
    assert_eq!(output.status, 0);
    let commands: Vec<String> = output
        .json_lines()
        .iter()
        .map(|line| line[0][1].to_string())
        .collect();
    assert_eq!(commands, ["\"PageVisit\"", "\"Checkout\"", "\"PageVisit\""]);
}

#[test]
fn tolerates_crlf_a_byte_order_mark_and_a_missing_final_newline() {
    let input = format!("\u{feff}{PAGE}\r\n{ORDER}\r\n\r\n{PAGE}");
    let output = run_str(&["-q"], &input);
    assert_eq!((output.status, output.stderr.as_str()), (0, ""));
    assert_eq!(output.stdout.lines().count(), 3);
}

/// Hands out its bytes a few at a time, as a pipe may.
struct Trickle<'b> {
    bytes: &'b [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let length = self.step.min(buffer.len()).min(self.bytes.len());
        buffer[..length].copy_from_slice(&self.bytes[..length]);
        self.bytes = &self.bytes[length..];
        Ok(length)
    }
}

#[test]
fn lines_split_across_reads_map_as_whole_lines() {
    // A line longer than the read buffer, short lines, a bad line, no final newline.
    let long_name = "n".repeat(300_000);
    let long = format!(r#"{{"type":"page","name":"{long_name}"}}"#);
    let input = format!("{PAGE}\n{long}\n{{oops\n{ORDER}\n\n{long}\n{PAGE}");
    let whole = run_str(&["-q"], &input);
    assert_eq!(whole.status, 1);
    assert_eq!(whole.stdout.lines().count(), 5);
    assert_eq!(
        whole.stderr,
        "<stdin>:3: invalid JSON: expected a string key at column 2, found a bare word\n"
    );
    for step in [1, 7, 4096, 131_071] {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let status = pinterest_map::run(
            pinterest_mapping::spec::Table,
            ["pinterest-map", "-q"].map(OsString::from),
            Streams {
                stdin: Trickle {
                    bytes: input.as_bytes(),
                    step,
                },
                stdout: &mut stdout,
                stderr: &mut stderr,
                progress: false,
            },
        )
        .code();
        assert_eq!(status, whole.status, "step {step}");
        assert!(stdout == whole.stdout.as_bytes(), "step {step}");
        assert_eq!(
            String::from_utf8_lossy(&stderr),
            whole.stderr,
            "step {step}"
        );
    }
}

/// Hands out its bytes, then fails instead of ending.
struct FailingAfter<'b>(&'b [u8]);

impl std::io::Read for FailingAfter<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::other("device gone"));
        }
        let length = buffer.len().min(self.0.len());
        buffer[..length].copy_from_slice(&self.0[..length]);
        self.0 = &self.0[length..];
        Ok(length)
    }
}

#[test]
fn a_failing_input_keeps_its_lines_and_the_next_input_is_read() {
    let file = TempFile::new(".ndjson", format!("{ORDER}\n").as_bytes());
    let input = format!("{PAGE}\n{PAGE}\n{{\"type\":\"tra");
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let status = pinterest_map::run(
        pinterest_mapping::spec::Table,
        ["pinterest-map", "-q", "-", &file.arg()].map(OsString::from),
        Streams {
            stdin: FailingAfter(input.as_bytes()),
            stdout: &mut stdout,
            stderr: &mut stderr,
            progress: false,
        },
    )
    .code();
    assert_eq!(status, 1);
    assert_eq!(
        String::from_utf8_lossy(&stderr),
        "pinterest-map: <stdin>: read error: device gone\n"
    );
    let lines: Vec<&str> = std::str::from_utf8(&stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[2].contains("Checkout"), "{lines:?}");
}

/// `--init` alone, with these settings and stored traits.
fn start_up(settings: &TempFile, traits: &str) -> Output {
    run_str(
        &[
            "-q",
            "--settings",
            &settings.arg(),
            "--init",
            "--traits",
            traits,
        ],
        "",
    )
}

#[test]
fn init_prints_the_start_up_calls_first() {
    let output = run_str(&["-q", "--init"], PAGE);
    assert_eq!(
        output.stdout,
        "[[\"load\",\"2620795819800\"],[\"page\"]]\n[[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n"
    );
    let settings = TempFile::new(".json", br#"{"tid":"t-1","useEnhancedMatchLoad":true}"#);
    let traits = TempFile::new(".json", br#"{"email":"known@example.com"}"#);
    for traits_arg in [traits.arg(), r#" {"email":"known@example.com"}"#.to_owned()] {
        let output = start_up(&settings, &traits_arg);
        assert_eq!(output.status, 0, "{}", output.stderr);
        assert_eq!(
            output.stdout,
            "[[\"load\",\"t-1\",{\"em\":\"known@example.com\"}],[\"page\"]]\n"
        );
    }
}

/// A custom property path of 100,000 segments, in a message nested as deep, and 20,000
/// custom properties against as many properties: each found, in time linear in the input.
#[test]
fn custom_properties_of_any_depth_and_number() {
    let depth = 100_000;
    let path = vec!["a"; depth].join(".");
    let settings = format!(r#"{{"tid":"t","pinterestCustomProperties":["{path}","b"]}}"#);
    let settings = TempFile::new(".json", settings.as_bytes());
    let message = format!(
        "{{\"type\":\"track\",\"event\":\"E\",\"properties\":{{\"b\":2,\"a\":{}1{}}}}}\n",
        r#"{"a":"#.repeat(depth - 1),
        "}".repeat(depth - 1)
    );
    let output = run_str(&["-q", "--settings", &settings.arg()], &message);
    assert_eq!((output.status, output.stderr.as_str()), (0, ""));
    assert_eq!(
        output.stdout,
        format!("[[\"track\",\"E\",{{\"{path}\":1,\"b\":2}}]]\n")
    );

    let count = 20_000;
    let paths: Vec<String> = (0..count).map(|n| format!(r#""P-{n}""#)).collect();
    let settings = format!(
        r#"{{"tid":"t","pinterestCustomProperties":[{}]}}"#,
        paths.join(",")
    );
    let settings = TempFile::new(".json", settings.as_bytes());
    // In reverse order, with a repeat whose last value counts and a later key of the same
    // loose form that does not.
    let properties: Vec<String> = (0..count).rev().map(|n| format!(r#""p{n}":{n}"#)).collect();
    let message = format!(
        "{{\"type\":\"track\",\"event\":\"E\",\"properties\":{{{},\"p7\":\"last\",\"P_7\":\"other\"}}}}\n",
        properties.join(",")
    );
    let output = run_str(&["-q", "--settings", &settings.arg()], &message);
    assert_eq!((output.status, output.stderr.as_str()), (0, ""));
    let expected: Vec<String> = (1..count)
        .map(|n| match n {
            7 => r#""P-7":"last""#.to_owned(),
            n => format!(r#""P-{n}":{n}"#),
        })
        .collect();
    assert_eq!(
        output.stdout,
        format!("[[\"track\",\"E\",{{{}}}]]\n", expected.join(","))
    );
}

/// Traits are read as messages are: any valid JSON, numbers as sent, any depth; so are the
/// settings' unknown keys, which are ignored with a warning.
#[test]
fn traits_and_settings_take_any_valid_json() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let settings = format!(
        r#"{{"tid":"t-1","useEnhancedMatchLoad":true,"other":{{"big":12345678901234567890123,"huge":1e400,"deep":{deep}}}}}"#
    );
    let settings = TempFile::new(".json", settings.as_bytes());
    let traits =
        format!(r#"{{"email":"jane@example.com","score":1.50,"huge":1e400,"deep":{deep}}}"#);
    let traits_file = TempFile::new(".json", traits.as_bytes());
    for traits in [traits.clone(), traits_file.arg()] {
        let output = start_up(&settings, &traits);
        assert_eq!(
            (output.status, output.stderr),
            (
                0,
                format!(
                    "pinterest-map: warning: {}: unknown key `other`, ignored\n",
                    settings.arg()
                )
            )
        );
        assert_eq!(
            output.stdout,
            "[[\"load\",\"t-1\",{\"em\":\"jane@example.com\"}],[\"page\"]]\n"
        );
    }
    // The email is kept as sent, escapes included.
    let output = start_up(&settings, r#"{"email":"jane\u0040example.com"}"#);
    assert_eq!(
        output.stdout,
        "[[\"load\",\"t-1\",{\"em\":\"jane\\u0040example.com\"}],[\"page\"]]\n"
    );
}

#[test]
fn format_js_prints_one_statement_per_call() {
    let input = format!(
        "{ORDER}\n{{\"type\":\"screen\"}}\n{{\"type\":\"page\",\"name\":\"</script><script>alert(1)</script>\"}}\n"
    );
    let output = run_str(&["-q", "--format", "js", "--init"], &input);
    assert_eq!(
        output.stdout,
        "pintrk(\"load\", \"2620795819800\");\n\
         pintrk(\"page\");\n\
         pintrk(\"track\", \"Checkout\", {\"order_id\":\"o-1\",\"value\":5});\n\
         pintrk(\"track\", \"PageVisit\", {\"name\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"});\n"
    );
}

#[test]
fn no_tag_id_means_no_calls() {
    let settings = TempFile::new(".json", br#"{"tid":""}"#);
    let output = run_str(
        &["-q", "--init", "--settings", &settings.arg()],
        &format!("{ORDER}\n{PAGE}\n"),
    );
    assert_eq!((output.status, output.stdout.as_str()), (0, "[]\n[]\n[]\n"));
}

#[test]
fn unusable_settings_exit_with_status_2_before_any_output() {
    let mut failed = Vec::new();
    for case in catalogue::settings_cases() {
        let settings = TempFile::new(".json", &case.contents);
        let output = run_str(&["-q", "--settings", &settings.arg()], ORDER);
        let expected = match &case.outcome {
            Err(message) => (
                2,
                0,
                format!("pinterest-map: {}: {message}\n", settings.arg()),
            ),
            Ok(_) => (
                0,
                1,
                settings_warnings(&String::from_utf8_lossy(&case.contents), &settings.arg()),
            ),
        };
        let lines = output.stdout.lines().count();
        let stderr = match case.outcome {
            Ok(_) => without_program(&output.stderr),
            Err(_) => output.stderr.clone(),
        };
        if (output.status, lines, stderr) != expected {
            failed.push(format!("{}: {output:?}", case.name));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    let latin1 = TempFile::new(".json", b"{\"tid\":\"caf\xe9\"}");
    let output = run_str(&["--settings", &latin1.arg()], ORDER);
    assert_eq!((output.status, output.stdout.as_str()), (2, ""));
    assert_eq!(
        output.stderr,
        format!(
            "pinterest-map: {} is not valid UTF-8 (byte 12)\n",
            latin1.arg()
        )
    );
    let output = run_str(&["--settings", "/nonexistent/settings.json"], ORDER);
    assert_eq!(output.status, 2);
    assert!(
        output
            .stderr
            .starts_with("pinterest-map: cannot read settings /nonexistent/settings.json: "),
        "{}",
        output.stderr
    );
}

#[test]
fn unusable_arguments_exit_with_status_2() {
    let cases: [(&[&str], &str); 7] = [
        (&["--frobnicate"], "unexpected argument '--frobnicate'"),
        (
            &["--format", "xml"],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &["--traits", "{}"],
            "the following required arguments were not provided",
        ),
        (
            &["--init", "--traits", "[1]"],
            "pinterest-map: --traits must be a JSON object, found an array\n",
        ),
        (
            &["--init", "--traits", "[1"],
            "pinterest-map: --traits is not valid JSON: expected `,` or `]` at column 3, found the end of the text\n",
        ),
        // Not JSON, not a file: the argument may be personal data and is not repeated.
        (
            &["--init", "--traits", "jane.doe@example.com"],
            "pinterest-map: --traits is neither JSON nor a file that can be read: No such file or directory (os error 2)\n",
        ),
        (
            &["--init", "--traits", "{\"email\":"],
            "pinterest-map: --traits is not valid JSON: ",
        ),
    ];
    for (args, message) in cases {
        let output = run_str(args, ORDER);
        assert_eq!(output.status, 2, "{args:?}");
        assert_eq!(output.stdout, "", "{args:?}");
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
    }
    let traits = TempFile::new(".json", b"[\"not an object\"]");
    let output = run_str(&["-q", "--init", "--traits", &traits.arg()], "");
    assert_eq!(
        (output.status, output.stderr.as_str()),
        (
            2,
            "pinterest-map: the --traits file must hold a JSON object, found an array\n"
        )
    );
}

#[test]
fn a_missing_input_is_reported_and_the_others_are_mapped() {
    let first = TempFile::new(".ndjson", ORDER.as_bytes());
    let last = TempFile::new(".ndjson", ORDER.as_bytes());
    let directory = std::env::temp_dir();
    let args = [
        "-q".to_owned(),
        first.arg(),
        "/nonexistent/events.ndjson".to_owned(),
        directory.display().to_string(),
        last.arg(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_str(&args, "");
    let expected = run_str(&["-q"], ORDER).stdout;
    assert_eq!(output.stdout, expected.repeat(2));
    assert_eq!(
        output.stderr,
        format!(
            "pinterest-map: cannot open /nonexistent/events.ndjson: No such file or directory (os error 2)\n\
             pinterest-map: cannot open {}: it is a directory\n",
            directory.display()
        )
    );
    assert_eq!(output.status, 1);
}

#[test]
fn help_documents_the_contract_with_an_example() {
    let output = run_str(&["--help"], "");
    assert_eq!(output.status, 0);
    for needle in [
        "--settings <JSON_OR_FILE>",
        "--strict",
        "--init",
        "--traits <JSON_OR_FILE>",
        "--format <FORMAT>",
        "--quiet",
        "[INPUT]...",
        "Exit status:",
        "Example:",
        "[] when none",
    ] {
        assert!(
            output.stdout.contains(needle),
            "--help lacks {needle:?}:\n{}",
            output.stdout
        );
    }
}

#[test]
fn errors_and_summary_never_show_values() {
    let secret = "jane.secret@example.com";
    let input = format!(
        "{{\"type\":\"identify\",\"traits\":{{\"email\":\"{secret}\"}}\n\
         {{\"type\":{{\"email\":\"{secret}\"}}}}\n\
         {{\"type\":\"track\",\"event\":[\"{secret}\"]}}\n\
         \"{secret}\"\n"
    );
    let output = run_str(&[], &input);
    assert_eq!(output.status, 1);
    assert_eq!(output.stderr.lines().count(), 6);
    assert!(!output.stderr.contains(secret), "{}", output.stderr);
    assert!(!output.stderr.contains("jane"), "{}", output.stderr);
}

#[test]
fn the_whole_catalogue_in_one_run_shows_no_value() {
    let cases = catalogue::cases();
    let mut input = Vec::new();
    for case in &cases {
        input.extend_from_slice(&case.line);
        input.push(b'\n');
    }
    let output = run(&[], &input);
    let rejected = cases
        .iter()
        .filter(|case| matches!(case.outcome, catalogue::Outcome::Rejected(_)))
        .count();
    assert_eq!(output.status, 1);
    // The note, one line per rejected case, then the summary.
    assert_eq!(
        output.stderr.lines().count(),
        rejected + 2,
        "{}",
        output.stderr
    );
    let summary = output.stderr.lines().last().unwrap_or_default();
    assert!(summary.contains(&format!("{rejected} errors")), "{summary}");
    for secret in catalogue::SECRETS {
        assert!(
            !output.stderr.contains(secret),
            "{secret} in {}",
            output.stderr
        );
    }
}

/// Standard output that takes `room` bytes, then fails every write with `kind` (a disk that
/// fills up, a pipe whose reader goes away).
struct Filling {
    taken: Vec<u8>,
    room: usize,
    kind: std::io::ErrorKind,
}

impl std::io::Write for &mut Filling {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let count = bytes.len().min(self.room - self.taken.len());
        if count == 0 {
            return Err(self.kind.into());
        }
        self.taken.extend_from_slice(&bytes[..count]);
        Ok(count)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the tool on `inputs` with `room` bytes of standard output; its status, standard output
/// and standard error.
fn run_filling(room: usize, kind: std::io::ErrorKind, inputs: &[String]) -> (u8, Vec<u8>, String) {
    let mut stderr = Vec::new();
    let mut stdout = Filling {
        taken: Vec::new(),
        room,
        kind,
    };
    let args = ["pinterest-map", "--settings", r#"{"tid":"t"}"#]
        .iter()
        .map(OsString::from)
        .chain(inputs.iter().map(OsString::from));
    let status = pinterest_map::run(
        pinterest_mapping::spec::Table,
        args,
        Streams {
            stdin: ORDER.as_bytes(),
            stdout: &mut stdout,
            stderr: &mut stderr,
            progress: false,
        },
    )
    .code();
    let stderr = String::from_utf8(stderr).expect("stderr is UTF-8");
    (status, stdout.taken, stderr)
}

#[test]
fn a_failing_output_stops_the_run_with_status_3_and_says_how_far_it_got() {
    let line = "[[\"track\",\"Checkout\",{\"order_id\":\"o-1\",\"value\":5}]]\n";
    let big = TempFile::new(".ndjson", format!("{ORDER}\n").repeat(2_000).as_bytes());
    // The disk fills up in the middle of a line, then exactly at the end of one.
    for (room, written, cut_short) in [
        (1000 * line.len() + 7, 1000, true),
        (1000 * line.len(), 1000, false),
    ] {
        let (status, stdout, stderr) = run_filling(
            room,
            std::io::ErrorKind::StorageFull,
            &[big.arg(), big.arg()],
        );
        assert_eq!(status, 3, "{stderr}");
        assert_eq!(stdout, line.repeat(2000).as_bytes()[..room]);
        let mut lines = stderr.lines();
        assert_eq!(
            lines.next(),
            Some("pinterest-map: cannot write output: no storage space")
        );
        // Stopped at the first failed write: the rest of the input was not mapped.
        let summary = lines.next().unwrap_or_default();
        let mapped: u64 = summary
            .strip_prefix("pinterest-map: ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|count| count.parse().ok())
            .unwrap_or_else(|| panic!("no summary: {stderr}"));
        assert!(mapped < 2_000, "{summary}");
        assert_eq!(
            lines.next().unwrap_or_default(),
            format!(
                "pinterest-map: output failed: {written} output lines of {mapped} written in full{}",
                if cut_short {
                    ", and the next one in part"
                } else {
                    ""
                }
            )
        );
        assert_eq!(lines.next(), None);
    }
}

#[test]
fn a_closed_output_ends_the_run_quietly() {
    let (status, _, stderr) = run_filling(10, std::io::ErrorKind::BrokenPipe, &[]);
    assert_eq!(status, 0);
    assert!(!stderr.contains("cannot write"), "{stderr}");
    assert!(!stderr.contains("output failed"), "{stderr}");
    // Help read in part (`--help | head`) is no failure; help that cannot be written is.
    let help = ["--help".to_owned()];
    let (status, stdout, stderr) = run_filling(10, std::io::ErrorKind::BrokenPipe, &help);
    assert_eq!((status, stdout.len(), stderr.as_str()), (0, 10, ""));
    let (status, _, stderr) = run_filling(10, std::io::ErrorKind::StorageFull, &help);
    assert_eq!(
        (status, stderr.as_str()),
        (3, "pinterest-map: cannot write output: no storage space\n")
    );
}

#[test]
fn misspelt_options_get_a_suggestion_and_formats_ignore_case() {
    let output = run_str(&["--formt", "json"], "");
    assert_eq!(output.status, 2);
    assert!(
        output
            .stderr
            .contains("tip: a similar argument exists: '--format'"),
        "{}",
        output.stderr
    );
    for format in ["JS", "Js"] {
        let output = run_str(&["-q", "--format", format], PAGE);
        assert_eq!(output.status, 0, "{}", output.stderr);
        assert_eq!(
            output.stdout,
            "pintrk(\"track\", \"PageVisit\", {\"name\":\"Home\"});\n"
        );
    }
}

#[test]
fn the_summary_counts_in_words_and_gives_no_rate_for_an_instant() {
    let output = run_str(&[], PAGE);
    assert_eq!(output.status, 0);
    let summary = output
        .stderr
        .strip_prefix(BUILT_IN)
        .unwrap_or_default()
        .trim_end();
    assert!(
        summary.starts_with("pinterest-map: 1 message, 1 call, 0 errors in "),
        "{summary}"
    );
    if summary.contains(" in under 1 ms") {
        assert!(!summary.contains("/s"), "{summary}");
    } else {
        assert!(
            summary.contains(" s (") && summary.contains(" messages/s, "),
            "{summary}"
        );
    }
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, text.as_bytes()).expect("a Vec takes every write");
    encoder.finish().expect("a Vec takes every write")
}

#[test]
fn gzip_inputs_are_read_decompressed_from_files_and_standard_input() {
    let text = format!("{ORDER}\n{PAGE}\nnot json\n{IDENTIFY}\n");
    let plain = run_str(&["-q"], &text);
    assert_eq!(plain.status, 1);
    let compressed = gzip(&text);
    let file = TempFile::new(".ndjson.gz", &compressed);
    // Any name: gzip is known by its first bytes.
    let unnamed = TempFile::new(".ndjson", &compressed);
    for output in [
        run(&["-q".to_owned(), file.arg()], b""),
        run(&["-q".to_owned(), unnamed.arg()], b""),
        run(&["-q".to_owned()], &compressed),
    ] {
        assert_eq!(output.status, 1);
        assert_eq!(output.stdout, plain.stdout);
    }
    let named = run(&["-q".to_owned(), file.arg()], b"");
    assert_eq!(
        named.stderr,
        format!(
            "{}:3: invalid JSON: expected a value at column 1, found a bare word\n",
            file.arg()
        )
    );
    // Several members, as `cat a.gz b.gz` makes: all of them.
    let twice = [compressed.clone(), compressed.clone()].concat();
    let output = run(&["-q".to_owned()], &twice);
    assert_eq!(output.stdout, plain.stdout.repeat(2));
}

#[test]
fn a_truncated_gzip_input_is_reported_after_its_whole_lines() {
    let text: String = (0..2000)
        .map(|n| format!("{{\"type\":\"page\",\"name\":\"p-{n}\"}}\n"))
        .collect();
    let compressed = gzip(&text);
    let cut = TempFile::new(".ndjson.gz", &compressed[..compressed.len() / 2]);
    let after = TempFile::new(".ndjson", format!("{PAGE}\n").as_bytes());
    let output = run(&["-q".to_owned(), cut.arg(), after.arg()], b"");
    assert_eq!(output.status, 1);
    assert_eq!(
        output.stderr,
        format!(
            "pinterest-map: {}: read error: incomplete deflate stream\n",
            cut.arg()
        )
    );
    // Every line written is a whole line of the input, in order; the next input is mapped.
    let lines: Vec<&str> = output.stdout.lines().collect();
    let (last, mapped) = lines.split_last().expect("output");
    assert_eq!(*last, "[[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]");
    assert!(
        !mapped.is_empty() && mapped.len() < 2000,
        "{}",
        mapped.len()
    );
    for (n, line) in mapped.iter().enumerate() {
        assert_eq!(
            *line,
            format!("[[\"track\",\"PageVisit\",{{\"name\":\"p-{n}\"}}]]")
        );
    }
}

#[test]
fn aligned_output_has_one_line_per_input_line() {
    let input = format!("{ORDER}\nnot json\n\n  \n{PAGE}\n\u{feff}{IDENTIFY}\n[1]");
    let output = run_str(&["-q", "--aligned"], &input);
    assert_eq!(output.status, 1);
    assert_eq!(
        output.stdout,
        "[[\"track\",\"Checkout\",{\"order_id\":\"o-1\",\"value\":5}]]\n\
         null\n\
         null\n\
         null\n\
         [[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n\
         [[\"set\",{\"np\":\"segment\",\"em\":\"jane@example.com\"}]]\n\
         null\n"
    );
    assert_eq!(output.stdout.lines().count(), input.lines().count());
    let capi = run_str(
        &[
            "-q",
            "--aligned",
            "--format",
            "capi",
            "--now",
            "2026-11-28T12:00:00Z",
        ],
        &input,
    );
    assert_eq!(capi.stdout.lines().count(), input.lines().count());
    assert_eq!(capi.stdout.lines().nth(1), Some("null"));
    for (args, message) in [
        (
            &["--aligned", "--format", "js"][..],
            "pinterest-map: --aligned needs one output line per message: use it with --format json or capi\n",
        ),
        (&["--aligned", "--init"][..], "cannot be used with"),
    ] {
        let output = run_str(args, &input);
        assert_eq!((output.status, output.stdout.as_str()), (2, ""), "{args:?}");
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
    }
}

#[test]
fn max_errors_stops_the_run_after_the_lines_mapped() {
    let input = format!("{ORDER}\nbad\n{PAGE}\nbad\n{ORDER}\nbad\n");
    let output = run_str(
        &["--settings", r#"{"tid":"t"}"#, "--max-errors", "2"],
        &input,
    );
    assert_eq!(output.status, 1);
    assert_eq!(
        output.stdout.lines().count(),
        2,
        "the lines before the second error"
    );
    let stderr: Vec<&str> = output.stderr.lines().collect();
    assert_eq!(
        stderr[..3],
        [
            "<stdin>:2: invalid JSON: expected a value at column 1, found a bare word",
            "<stdin>:4: invalid JSON: expected a value at column 1, found a bare word",
            "pinterest-map: stopped at the error limit (--max-errors 2)",
        ]
    );
    assert!(
        stderr[3].starts_with("pinterest-map: 2 messages, 2 calls, 2 errors in "),
        "{}",
        output.stderr
    );
    let output = run_str(&["-q", "--max-errors", "0"], &input);
    assert_eq!(output.status, 2);
}

#[test]
fn segments_array_of_key_value_objects_maps_as_segment_does_and_strict_refuses_it() {
    let settings =
        r#"{"tid":"1","pinterestEventMapping":[{"key":"Order Completed","value":"Lead"}]}"#;
    let warning = "pinterest-map: warning: --settings: `pinterestEventMapping` is an array of \
                   `{key, value}` objects: Segment's integration reads its indices (`0`, `1`, …) \
                   as the event names, so it maps no event of these: did you mean the object \
                   `{\"Order Completed\": \"Lead\"}`?\n";
    let output = run_str(&["--settings", settings], ORDER);
    assert_eq!(
        (output.status, output.stdout.as_str()),
        (
            0,
            "[[\"track\",\"Checkout\",{\"order_id\":\"o-1\",\"value\":5}]]\n"
        )
    );
    assert!(output.stderr.starts_with(warning), "{}", output.stderr);
    let output = run_str(&["--strict", "--settings", settings], ORDER);
    assert_eq!(
        (output.status, output.stdout.as_str(), output.stderr),
        (
            2,
            "",
            format!(
                "{warning}pinterest-map: --strict: 1 warning in the settings: nothing was read\n"
            )
        )
    );
}

/// Standard error that keeps each write apart.
#[derive(Default)]
struct Writes(Vec<Vec<u8>>);

impl std::io::Write for &mut Writes {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.push(bytes.to_vec());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_diagnostic_is_one_write_of_a_whole_line() {
    let old = r#"{"type":"track","event":"Order Completed","messageId":"m","timestamp":"2020-01-01T00:00:00Z","context":{"traits":{"email":"a@b.c"}}}"#;
    let input = format!("{old}\nnot json\n{old}\n{{\"type\":5}}\n");
    let mut stdout = Vec::new();
    let mut writes = Writes::default();
    let args = [
        "pinterest-map",
        "--format",
        "capi",
        "--now",
        "2026-11-28T12:00:00Z",
        "--settings",
        r#"{"Tid":"1"}"#,
    ]
    .map(OsString::from);
    let status = pinterest_map::run(
        pinterest_mapping::spec::Table,
        args,
        Streams {
            stdin: input.as_bytes(),
            stdout: &mut stdout,
            stderr: &mut writes,
            progress: false,
        },
    )
    .code();
    assert_eq!(status, 1);
    // A warning, two unsendable events, two invalid lines, the summary: one write each.
    let writes: Vec<String> = writes
        .0
        .iter()
        .map(|write| String::from_utf8_lossy(write).into_owned())
        .collect();
    assert_eq!(writes.len(), 6, "{writes:#?}");
    for text in &writes {
        assert!(
            text.ends_with('\n') && text.matches('\n').count() == 1,
            "{text:?}"
        );
    }
}

#[test]
fn a_batch_envelope_is_read_as_its_messages_each_reported_by_its_index() {
    let envelope = r#"{"batch":[{"type":"page","name":"Home"},{"type":"track"},{"type":"track","event":"Order Completed","messageId":"m-1","properties":{"order_id":"o-1"}},5],"context":{"ip":"203.0.113.9","userAgent":"Mozilla/5.0"},"sentAt":"2026-11-28T12:00:00Z"}"#;
    let input = format!("{envelope}\n{PAGE}\n");
    let output = run_str(&["--settings", r#"{"tid":"1"}"#], &input);
    assert_eq!(output.status, 1);
    assert_eq!(
        output.stdout,
        "[[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n\
         [[\"track\",\"Checkout\",{\"order_id\":\"o-1\"}]]\n\
         [[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n"
    );
    let lines: Vec<&str> = output.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "<stdin>:1: batch[1]: track message has no `event`",
            "<stdin>:1: batch[3]: a message must be a JSON object, found a number",
        ]
    );
    assert!(
        lines[2].starts_with("pinterest-map: 3 messages, 3 calls, 2 errors in "),
        "{}",
        lines[2]
    );
    // --aligned: the envelope's line holds the calls of all its messages.
    let output = run_str(&["-q", "--settings", r#"{"tid":"1"}"#, "--aligned"], &input);
    assert_eq!(
        output.stdout,
        "[[\"track\",\"PageVisit\",{\"name\":\"Home\"}],[\"track\",\"Checkout\",{\"order_id\":\"o-1\"}]]\n\
         [[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n"
    );
    // The envelope's context and sentAt reach each message's Conversions API event.
    let output = run_str(
        &["-q", "--format", "capi", "--now", "2026-11-28T12:05:00Z"],
        &format!("{envelope}\n"),
    );
    let events: Vec<serde_json::Value> = serde_json::from_str::<Vec<serde_json::Value>>(
        output.stdout.lines().nth(1).expect("the checkout's line"),
    )
    .expect("a JSON array");
    assert_eq!(events[0]["event_time"], 1_795_867_200);
    assert_eq!(events[0]["user_data"]["client_ip_address"], "203.0.113.9");
}

#[test]
fn inputs_the_tool_does_not_read_are_named_once() {
    let messages = format!("{ORDER}\n");
    let cases: [(&str, Vec<u8>, &str, &str); 6] = [
        (
            ".ndjson.zst",
            b"\x28\xb5\x2f\xfd rest".to_vec(),
            "compressed with zstd",
            "zstd -dc",
        ),
        (
            ".ndjson.bz2",
            b"BZh91AY&SY rest".to_vec(),
            "compressed with bzip2",
            "bzip2 -dc",
        ),
        (
            ".ndjson.xz",
            b"\xfd7zXZ\x00 rest".to_vec(),
            "compressed with xz",
            "xz -dc",
        ),
        (
            ".ndjson.lz4",
            b"\x04\x22\x4d\x18 rest".to_vec(),
            "compressed with lz4",
            "lz4 -dc",
        ),
        (
            ".zip",
            b"PK\x03\x04 rest".to_vec(),
            "a zip archive",
            "unzip -p",
        ),
        (
            ".json",
            format!("[\n  {ORDER},\n  {PAGE}\n]\n").into_bytes(),
            "a JSON array over many lines, not one message per line",
            "jq -c '.[]'",
        ),
    ];
    for (suffix, contents, what, command) in cases {
        let unread = TempFile::new(suffix, &contents);
        let good = TempFile::new(".ndjson", messages.as_bytes());
        let output = run(&["-q".to_owned(), unread.arg(), good.arg()], b"");
        assert_eq!(output.status, 1, "{suffix}");
        assert_eq!(output.stdout, run_str(&["-q"], ORDER).stdout, "{suffix}");
        assert_eq!(
            output.stderr,
            format!(
                "pinterest-map: {} is {what}, which is not read: run `{command} {} | pinterest-map`\n",
                unread.arg(),
                unread.arg()
            )
        );
    }
}
