//! `pinterest-map --threads N`: whatever the number of threads, the same output, byte for
//! byte and in input order, the same errors in the same order, the same status and counts,
//! for every output format and the options that stop early or add lines.

use mapping_tests::{Output, TempFile, all_vectors, catalogue, run_tool};

/// A stream of many batches: every spec-table vector's message and every catalogue line
/// shorter than a megabyte, amid blank lines, byte-order marks and CRLF line ends, with a
/// line longer than a batch, over and over.
fn mixed_input() -> Vec<u8> {
    let messages: Vec<String> = all_vectors()
        .into_iter()
        .filter(|vector| vector.table == "spec")
        .filter_map(|vector| vector.message)
        .collect();
    let lines: Vec<Vec<u8>> = catalogue::cases()
        .into_iter()
        .map(|case| case.line)
        .filter(|line| line.len() < 1 << 20)
        .collect();
    let long = format!(
        r#"{{"type":"track","event":"Products Searched","properties":{{"query":"{}"}}}}"#,
        "q".repeat(300 * 1024)
    );
    let mut input = Vec::new();
    for round in 0..12 {
        for (index, message) in messages.iter().enumerate() {
            match (index + round) % 7 {
                0 => input.extend_from_slice("\u{feff}".as_bytes()),
                1 => input.extend_from_slice(b"\n  \n"),
                _ => {}
            }
            input.extend_from_slice(message.as_bytes());
            input.extend_from_slice(if index % 5 == 0 { b"\r\n" } else { b"\n" });
        }
        for line in &lines {
            input.extend_from_slice(line);
            input.push(b'\n');
        }
        if round % 4 == 0 {
            input.extend_from_slice(long.as_bytes());
            input.push(b'\n');
        }
    }
    // The last line without its line end.
    input.extend_from_slice(messages[0].as_bytes());
    input
}

fn run(args: &[&str], threads: usize, stdin: &[u8]) -> Output {
    let mut args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    args.extend(["--threads".to_owned(), threads.to_string()]);
    run_tool(
        pinterest_mapping::spec::Table,
        "pinterest-map",
        &args,
        stdin,
    )
}

/// Standard error without the summary's timing: its counts, before ` in `.
fn without_timing(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| {
            [" errors in ", " error in "]
                .iter()
                .find_map(|end| line.split_once(end))
                .map_or(line, |(counts, _)| counts)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `args` on one thread and on several, and asserts the same results.
fn assert_same(args: &[&str], input: &[u8]) -> Output {
    let one = run(args, 1, input);
    for threads in [2, 3, 8] {
        let many = run(args, threads, input);
        assert_eq!(
            many.status, one.status,
            "{args:?} on {threads} threads: status"
        );
        assert!(
            many.stdout == one.stdout,
            "{args:?} on {threads} threads: standard output differs"
        );
        assert_eq!(
            without_timing(&many.stderr),
            without_timing(&one.stderr),
            "{args:?} on {threads} threads: standard error"
        );
    }
    one
}

#[test]
fn every_format_and_option_gives_the_same_output_on_any_number_of_threads() {
    let input = mixed_input();
    // Many batches' worth.
    assert!(input.len() > 1 << 20, "{} bytes", input.len());
    let cases: &[&[&str]] = &[
        &[],
        &["--format", "js"],
        &["--format", "capi", "--now", "2024-01-02T00:00:00Z"],
        &["--aligned"],
        &[
            "--format",
            "capi",
            "--aligned",
            "--now",
            "2024-01-02T00:00:00Z",
        ],
        &["--init"],
        &["--max-errors", "1"],
        &["--max-errors", "150"],
    ];
    for args in cases {
        let one = assert_same(args, &input);
        if !args.contains(&"--max-errors") {
            assert!(one.stdout.lines().count() > 1000, "{args:?}");
        }
        assert_eq!(one.status, 1, "{args:?}");
    }
}

#[test]
fn aligned_output_has_a_line_for_every_input_line() {
    let input = mixed_input();
    let output = run(&["--aligned"], 3, &input);
    let input_lines = input.split(|byte| *byte == b'\n').count();
    assert_eq!(output.stdout.lines().count(), input_lines);
}

#[test]
fn the_error_limit_stops_at_the_same_line() {
    let input = mixed_input();
    let output = assert_same(&["--max-errors", "40"], &input);
    let errors = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("<stdin>:"))
        .count();
    assert_eq!(errors, 40, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("pinterest-map: stopped at the error limit (--max-errors 40)"),
        "{}",
        output.stderr
    );
}

#[test]
fn files_and_gzip_give_the_same_output_as_standard_input() {
    use std::io::Write as _;

    let input = mixed_input();
    let file = TempFile::new(".ndjson", &input);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&input).expect("gzip in memory");
    let gzip = TempFile::new(".ndjson.gz", &encoder.finish().expect("gzip in memory"));
    let from_stdin = run(&["-q"], 1, &input);
    for threads in [1, 2, 4] {
        for path in [file.arg(), gzip.arg()] {
            let from_file = run(&["-q", &path], threads, b"");
            assert!(
                from_file.stdout == from_stdin.stdout,
                "{path} on {threads} threads"
            );
            assert_eq!(from_file.status, from_stdin.status);
        }
    }
}

#[test]
fn zero_threads_is_refused() {
    let output = run(&[], 0, b"");
    assert_eq!(output.status, 2);
    assert!(
        output
            .stderr
            .contains("invalid value '0' for '--threads <N>'"),
        "{}",
        output.stderr
    );
}
