//! The `pinterest-map` executable itself: every vector through a real process, exit statuses,
//! standard streams, and the README's first command on the shipped example data.

use std::io::Write;
use std::process::Stdio;

use mapping_tests::conversion_vectors::{conversion_vectors, tool_failures};
use mapping_tests::{
    Output, TempFile, all_vectors, assert_all_pass, catalogue, cli_failures, executable,
    run_command,
};

fn run(args: &[String], stdin: &[u8]) -> Output {
    let mut command = executable!("pinterest-map");
    command
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    run_command(command, stdin)
}

fn run_str(args: &[&str], stdin: &str) -> Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    run(&args, stdin.as_bytes())
}

#[test]
fn every_vector_passes_through_the_executable() {
    let vectors = all_vectors();
    assert_all_pass(&cli_failures(&vectors, run), vectors.len());
}

#[test]
fn every_conversions_vector_of_segments_table_passes_through_the_executable() {
    let vectors = conversion_vectors();
    let spec: Vec<_> = vectors
        .iter()
        .filter(|vector| vector.table == "spec")
        .collect();
    assert_all_pass(&tool_failures(&spec, run), spec.len());
}

#[test]
fn every_catalogue_case_between_valid_lines() {
    let failed = catalogue::failures("<stdin>", run);
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn the_readme_command_maps_the_example_events() {
    let output = run_str(&["examples/events.ndjson"], "");
    assert_eq!(output.status, 0, "{}", output.stderr);
    let events = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/events.ndjson"
    ))
    .unwrap();
    assert_eq!(output.stdout.lines().count(), events.lines().count());
    assert!(
        output
            .stdout
            .contains(r#"[["track","Checkout",{"order_id":"#)
    );
    assert!(
        output.stdout.contains(
            r#"[["track","Lead",{"value":10,"currency":"USD","custom_prop":"webinar"}]]"#
        )
    );
    assert!(
        output.stderr.contains("30 messages, 29 calls, 0 errors"),
        "{}",
        output.stderr
    );
}

#[test]
fn the_shipped_settings_are_the_built_in_configuration() {
    let with_file = run_str(
        &[
            "-q",
            "--init",
            "--settings",
            "examples/settings.json",
            "examples/events.ndjson",
        ],
        "",
    );
    let built_in = run_str(&["-q", "--init", "examples/events.ndjson"], "");
    assert_eq!(with_file.status, 0, "{}", with_file.stderr);
    assert_eq!(with_file.stdout, built_in.stdout);
}

#[test]
fn exit_statuses() {
    assert_eq!(run_str(&["-q"], r#"{"type":"page"}"#).status, 0);
    let bad_line = run_str(&["-q"], "{\"type\":\"page\"}\n{oops\n{\"type\":\"page\"}\n");
    assert_eq!(bad_line.status, 1);
    assert_eq!(bad_line.stdout.lines().count(), 2);
    assert_eq!(
        bad_line.stderr,
        "<stdin>:2: invalid JSON: expected a string key at column 2, found a bare word\n"
    );
    let settings = TempFile::new(".json", br#"{"sendPartnerEventsAsCustom":"yes"}"#);
    let bad_settings = run_str(&["--settings", &settings.arg()], "");
    assert_eq!(bad_settings.status, 2);
    assert_eq!(
        bad_settings.stderr,
        format!(
            "pinterest-map: {}: `sendPartnerEventsAsCustom` must be true or false, found a string\n",
            settings.arg()
        )
    );
    assert_eq!(run_str(&["--nope"], "").status, 2);
    let help = run_str(&["--help"], "");
    assert_eq!(help.status, 0);
    assert!(
        help.stdout
            .contains("Usage: pinterest-map [OPTIONS] [INPUT]..."),
        "{}",
        help.stdout
    );
}

#[test]
fn streams_a_large_input_through_pipes() {
    let line = r#"{"type":"track","event":"Order Completed","properties":{"order_id":"o-1","products":[{"sku":"s","price":1}]}}"#;
    let input = format!("{line}\n").repeat(20_000);
    let output = run_str(&[], &input);
    assert_eq!(output.status, 0, "{}", output.stderr);
    assert_eq!(output.stdout.lines().count(), 20_000);
    assert!(
        output
            .stderr
            .contains("20000 messages, 20000 calls, 0 errors"),
        "{}",
        output.stderr
    );
}

#[test]
fn output_is_flushed_when_input_stalls() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    use std::time::Duration;

    for threads in ["1", "4"] {
        let mut child = executable!("pinterest-map")
            .args(["-q", "--threads", threads])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pinterest-map starts");
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 || sender.send(line).is_err() {
                    return;
                }
            }
        });
        for name in ["Home", "Cart"] {
            stdin
                .write_all(format!("{{\"type\":\"page\",\"name\":\"{name}\"}}\n").as_bytes())
                .expect("the line is written");
            stdin.flush().expect("the line is sent");
            // The tool now waits for more input; its answer to the line must already be out.
            // A deadlock guard, not a speed requirement: without the flush the line never
            // comes.
            let line = receiver.recv_timeout(Duration::from_secs(60));
            assert_eq!(
                line.as_deref(),
                Ok(format!("[[\"track\",\"PageVisit\",{{\"name\":\"{name}\"}}]]\n").as_str()),
                "--threads {threads}"
            );
        }
        drop(stdin);
        let _ = child.wait();
    }
}

#[test]
fn standard_output_appending_to_an_input_is_refused_before_anything_is_read() {
    let events = "{\"type\":\"page\",\"name\":\"Home\"}\n";
    let input = TempFile::new(".ndjson", events.as_bytes());
    let settings = TempFile::new(".json", br#"{"tid":"1"}"#);
    for (args, what, named) in [
        (vec![input.arg()], "the input", input.arg()),
        (
            vec!["--settings".to_owned(), settings.arg(), "-".to_owned()],
            "the settings file",
            settings.arg(),
        ),
    ] {
        let target = if named == input.arg() {
            &input
        } else {
            &settings
        };
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .open(target.path())
            .expect("the file opens");
        let output = executable!("pinterest-map")
            .args(&args)
            .stdin(Stdio::null())
            .stdout(appended)
            .output()
            .expect("pinterest-map runs");
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!(
                "pinterest-map: standard output is {what} {named}: it would be overwritten or \
                 read back; write the output to another file\n"
            )
        );
    }
    assert_eq!(std::fs::read_to_string(input.path()).unwrap(), events);
    assert_eq!(
        std::fs::read_to_string(settings.path()).unwrap(),
        r#"{"tid":"1"}"#
    );
    // Another file is written as usual.
    let other = TempFile::new(".ndjson", b"");
    let status = executable!("pinterest-map")
        .args(["-q", &input.arg()])
        .stdout(std::fs::File::create(other.path()).expect("made"))
        .status()
        .expect("pinterest-map runs");
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(other.path()).unwrap(),
        "[[\"track\",\"PageVisit\",{\"name\":\"Home\"}]]\n"
    );
}
