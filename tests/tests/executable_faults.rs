//! Faults around the `pinterest-map` process: signals, a closed standard output, more inputs
//! than open files allowed, a missing input, an input truncated while it is read.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

use mapping_tests::{TempFile, executable, executable_path};

/// The `n`th test message and the line it maps to.
fn message(n: usize) -> (String, String) {
    let p = n + 1;
    (
        format!(
            r#"{{"type":"track","event":"Order Completed","properties":{{"order_id":"o-{n}","products":[{{"sku":"s-{n}","price":{p}}}]}}}}"#
        ),
        format!(
            r#"[["track","Checkout",{{"order_id":"o-{n}","line_items":[{{"product_id":"s-{n}","product_price":{p}}}]}}]]"#
        ),
    )
}

fn messages(range: std::ops::Range<usize>) -> String {
    range.map(|n| message(n).0 + "\n").collect()
}

/// Runs `command` in a shell that first applies `setup` (`ulimit`, redirections), with
/// `$0` the tool, run as `pinterest-map`.
fn shell(setup: &str, args: &[&str]) -> Command {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(format!("{setup}; exec -a pinterest-map \"$0\" \"$@\""))
        .arg(executable_path!("pinterest-map"))
        .args(args);
    command
}

/// Asserts that `output` holds the output lines of messages `0..n` for some `n`, each whole,
/// and returns `n`.
fn whole_lines_in_order(output: &str) -> usize {
    let mut count = 0;
    for (n, line) in output.split_inclusive('\n').enumerate() {
        assert_eq!(line, message(n).1 + "\n", "output line {}", n + 1);
        count += 1;
    }
    count
}

fn stopped_by(status: ExitStatus, signal: i32) {
    assert_eq!(status.signal(), Some(signal), "{status:?}");
}

/// The tool, running with its standard streams piped to the test.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = executable!("pinterest-map")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pinterest-map starts");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Running {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends `input` and reads the first `lines` output lines, which shows the tool running
    /// with its signals caught.
    fn send_and_read(&mut self, input: &str, lines: usize) -> String {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(input.as_bytes()).unwrap();
        stdin.flush().unwrap();
        let mut output = String::new();
        for _ in 0..lines {
            self.stdout.read_line(&mut output).unwrap();
        }
        output
    }

    /// Waits until one of the tool's threads waits to write to a pipe nobody reads, as the
    /// kernel reports it (`/proc/PID/task/*/wchan`); where the kernel does not say, waits a
    /// moment.
    fn wait_until_blocked_writing(&self) {
        self.wait_for_thread("wchan", |wchan| wchan.contains("pipe_write"));
        std::thread::sleep(std::time::Duration::from_millis(300));
    }

    /// Waits until the tool has taken its first stopping signal, shown by the thread it then
    /// starts to watch its blocked output: two signals sent at once may arrive as one.
    fn wait_until_signal_taken(&self) {
        self.wait_for_thread("comm", |name| name.trim_end() == "blocked-output");
    }

    /// Waits, a minute at most, until the file `file` of one of the tool's threads under
    /// `/proc/PID/task` says `is`, or the tool is gone.
    fn wait_for_thread(&self, file: &str, is: impl Fn(&str) -> bool) {
        let tasks = format!("/proc/{}/task", self.child.id());
        let seen = || {
            std::fs::read_dir(&tasks).ok().map(|tasks| {
                tasks.flatten().any(|task| {
                    std::fs::read_to_string(task.path().join(file)).is_ok_and(|text| is(&text))
                })
            })
        };
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(60) {
            match seen() {
                Some(false) => std::thread::sleep(std::time::Duration::from_millis(10)),
                _ => return,
            }
        }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Signals the tool, then reads the rest of its output to the end: that, its exit
    /// status and its standard error.
    fn stop(mut self, signal: &str) -> (String, ExitStatus, String) {
        self.signal(signal);
        let mut output = String::new();
        self.stdout.read_to_string(&mut output).unwrap();
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).unwrap();
        }
        (output, status, stderr)
    }
}

#[test]
fn a_signal_while_writing_to_a_slow_reader_leaves_only_whole_lines() {
    let runs = ["1", "4"]
        .into_iter()
        .flat_map(|threads| [("TERM", 15), ("INT", 2), ("HUP", 1)].map(|signal| (threads, signal)));
    for (threads, (name, number)) in runs {
        let mut tool = Running::start(&["-q", "--threads", threads]);
        let first = tool.send_and_read(&messages(0..1), 1);
        // Far more than the pipes hold: nobody reads the output for now, so the tool blocks
        // writing it.
        let rest = messages(1..200_000);
        let mut stdin = tool.stdin.take().expect("stdin is open");
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(rest.as_bytes());
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        let (rest, status, stderr) = tool.stop(name);
        let _ = writer.join();
        stopped_by(status, number);
        assert_eq!(stderr, format!("pinterest-map: stopped by SIG{name}\n"));
        let written = whole_lines_in_order(&(first + &rest));
        assert!(written < 200_000, "the run stopped early: {written} lines");
    }
}

#[test]
fn a_signal_while_waiting_for_input_ends_the_run_with_every_line_written() {
    for threads in ["1", "4"] {
        let mut tool = Running::start(&["--threads", threads]);
        let output = tool.send_and_read(&messages(0..3), 3);
        // The tool now waits for input, its standard input still open.
        let (rest, status, stderr) = tool.stop("INT");
        stopped_by(status, 2);
        assert_eq!(whole_lines_in_order(&(output + &rest)), 3);
        assert_eq!(
            stderr,
            "pinterest-map: no --settings: using the built-in example configuration \
             (tag ID 2620795819800)\npinterest-map: stopped by SIGINT\n"
        );
    }
}

#[test]
fn a_closed_standard_output_is_an_error() {
    let input = TempFile::new(".ndjson", messages(0..3).as_bytes());
    for args in [vec![input.arg()], vec!["-q".to_owned(), input.arg()]] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = shell("exec >&-", &args).output().expect("sh runs");
        assert_eq!(output.status.code(), Some(3));
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "pinterest-map: cannot write output: standard output is closed\n"
        );
    }
    // Output sent to /dev/null on purpose is not an error.
    let output = shell("exec >/dev/null", &["-q", &input.arg()])
        .output()
        .expect("sh runs");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_full_disk_is_its_own_exit_status_and_the_summary_says_so() {
    for option in ["--help", "--version"] {
        let output = shell("exec >/dev/full", &[option])
            .output()
            .expect("sh runs");
        assert_eq!(output.status.code(), Some(3), "{option}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "pinterest-map: cannot write output: No space left on device (os error 28)\n",
            "{option}"
        );
    }
    let input = TempFile::new(".ndjson", messages(0..3).as_bytes());
    let output = shell(
        "exec >/dev/full",
        &["--settings", r#"{"tid":"t"}"#, &input.arg()],
    )
    .output()
    .expect("sh runs");
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"pinterest-map: cannot write output: No space left on device (os error 28)")
    );
    assert!(
        lines[1].starts_with("pinterest-map: 3 messages, 3 calls, 0 errors in "),
        "{stderr}"
    );
    assert_eq!(
        lines[2..],
        ["pinterest-map: output failed: 0 output lines of 3 written in full"]
    );
    // The help read in part is no failure.
    let output = Command::new("bash")
        .arg("-c")
        .arg("set -o pipefail; \"$0\" --help | head -c 1 >/dev/null")
        .arg(executable_path!("pinterest-map"))
        .output()
        .expect("sh runs");
    assert_eq!(
        (output.status.code(), output.stderr.as_slice()),
        (Some(0), &b""[..])
    );
}

#[test]
fn inputs_are_opened_one_at_a_time() {
    // 100 inputs where only 64 files may be open at once.
    let files: Vec<TempFile> = (0..100)
        .map(|n| TempFile::new(".ndjson", messages(n..n + 1).as_bytes()))
        .collect();
    let args: Vec<String> = files.iter().map(TempFile::arg).collect();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args.insert(0, "-q");
    let output = shell("ulimit -n 64", &args).output().expect("sh runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "{:?}",
        output.status
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        whole_lines_in_order(&String::from_utf8(output.stdout).unwrap()),
        100
    );
}

#[test]
fn an_input_truncated_while_it_is_read_is_reported() {
    let lines = 50_000;
    let text = messages(0..lines);
    let input = TempFile::new(".ndjson", text.as_bytes());
    let mut child = executable!("pinterest-map")
        .args(["-q", &input.arg()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pinterest-map starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    // The first answer shows the file open; the tool then blocks on the unread output,
    // having read a few hundred kilobytes at most.
    let mut output = String::new();
    stdout.read_line(&mut output).unwrap();
    let kept = text
        .match_indices('\n')
        .nth(lines / 2)
        .map(|(at, _)| at + 1)
        .unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(input.path())
        .unwrap()
        .set_len(kept as u64)
        .unwrap();
    stdout.read_to_string(&mut output).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(
        stderr,
        format!(
            "pinterest-map: {}: ended after {kept} bytes, short of the {} it had when opened \
             (was it truncated while being read?)\n",
            input.arg(),
            text.len()
        )
    );
    assert_eq!(status.code(), Some(1));
    assert_eq!(whole_lines_in_order(&output), lines / 2 + 1);
}

/// The peak memory the summary reports, in MiB.
fn peak_memory(stderr: &str) -> f64 {
    let summary = stderr.lines().last().unwrap_or_default();
    let start = summary
        .find("peak memory ")
        .unwrap_or_else(|| panic!("no peak memory in {summary:?}"))
        + "peak memory ".len();
    let figure = summary[start..].split(' ').next().unwrap_or_default();
    figure.parse().expect("a figure in MiB")
}

#[test]
fn a_gzip_bomb_of_one_endless_line_is_read_past_in_bounded_memory() {
    const LINE: usize = 160 << 20;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all((message(0).0 + "\n").as_bytes())
        .expect("a Vec takes every write");
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..LINE / chunk.len() {
        encoder.write_all(&chunk).expect("a Vec takes every write");
    }
    encoder
        .write_all(format!("\n{}\n", message(1).0).as_bytes())
        .expect("a Vec takes every write");
    let bomb = TempFile::new(".ndjson.gz", &encoder.finish().expect("compressed"));
    // The line is kept up to the limit (64 MiB by default), then only counted.
    for (limit, most, at_most) in [
        (None, 67_108_864, 120.0),
        (Some("1000000"), 1_000_000, 40.0),
    ] {
        let mut args = vec!["--settings", r#"{"tid":"1"}"#];
        if let Some(limit) = limit {
            args.extend(["--max-line-bytes", limit]);
        }
        let path = bomb.arg();
        args.push(&path);
        let output = executable!("pinterest-map")
            .args(&args)
            .output()
            .expect("pinterest-map runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(whole_lines_in_order(&stdout), 2);
        assert_eq!(
            stderr.lines().next(),
            Some(
                format!(
                    "{path}:2: a line of {LINE} bytes, more than the {most} a line may hold: not \
                     read"
                )
                .as_str()
            )
        );
        let peak = peak_memory(&stderr);
        assert!(peak < at_most, "{peak} MiB for a line of 160 MiB: {stderr}");
    }
}

#[test]
fn memory_on_many_threads_does_not_grow_with_long_lines() {
    // Lines of 4 MB, each a valid message.
    let long = |n: usize| {
        format!(
            r#"{{"type":"track","event":"Order Completed","properties":{{"order_id":"{}-{n}"}}}}"#,
            "o".repeat(4 << 20)
        ) + "\n"
    };
    let input = TempFile::new(".ndjson", (0..24).map(long).collect::<String>().as_bytes());
    let peak = |threads: &str| {
        let output = executable!("pinterest-map")
            .args(["--settings", r#"{"tid":"1"}"#, "-j", threads, &input.arg()])
            .stdout(Stdio::null())
            .output()
            .expect("pinterest-map runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        peak_memory(&stderr)
    };
    let (one, eight) = (peak("1"), peak("8"));
    assert!(
        eight < one + 16.0,
        "peak memory {one} MiB on one thread, {eight} MiB on eight"
    );
}

/// Starts the tool with `--threads threads`, feeds it far more than the pipes hold while
/// nobody reads its output, so that it blocks writing, and signals it with SIGTERM.
fn blocked_and_signalled(threads: &str) -> Running {
    let mut tool = Running::start(&["-q", "--threads", threads]);
    let mut stdin = tool.stdin.take().expect("stdin is open");
    let rest = messages(0..200_000);
    std::thread::spawn(move || {
        let _ = stdin.write_all(rest.as_bytes());
    });
    tool.wait_until_blocked_writing();
    tool.signal("TERM");
    tool
}

/// The tool's exit status and standard error once it ended by itself, then its output.
fn ended_unread(mut tool: Running) -> (ExitStatus, String, String) {
    let status = tool.child.wait().expect("the tool ends");
    let mut stderr = String::new();
    if let Some(mut pipe) = tool.child.stderr.take() {
        pipe.read_to_string(&mut stderr).expect("stderr is UTF-8");
    }
    let mut output = String::new();
    tool.stdout
        .read_to_string(&mut output)
        .expect("output is UTF-8");
    (status, stderr, output)
}

/// The number of output lines written in full that the message of a blocked stop gives.
fn lines_in_full(stderr: &str, why: &str) -> usize {
    let prefix = format!("pinterest-map: stopped by SIGTERM: {why}; ");
    let rest = stderr
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{stderr:?}"));
    let rest = rest.strip_prefix("at least ").expect("at least");
    let (count, tail) = rest.split_once(' ').expect("a count");
    assert_eq!(
        tail,
        "output lines written in full, and perhaps a part of the next\n"
    );
    count.parse().expect("a count")
}

#[test]
fn a_signal_ends_a_run_whose_output_is_not_read() {
    for threads in ["1", "4"] {
        let tool = blocked_and_signalled(threads);
        // Nobody reads: the tool ends by itself once its write has waited long enough.
        let (status, stderr, output) = ended_unread(tool);
        stopped_by(status, 15);
        let written = lines_in_full(&stderr, "standard output took nothing for 3 s");
        // What the reader finds: those lines whole, and perhaps a part of the next.
        let whole = output.rfind('\n').map_or(0, |end| end + 1);
        let found = whole_lines_in_order(&output[..whole]);
        assert!(found >= written, "{found} lines found, {written} said");
        let part = &output[whole..];
        assert!(message(found).1.starts_with(part), "{part:?}");
    }
}

#[test]
fn a_second_signal_ends_a_run_whose_output_is_not_read_at_once() {
    let tool = blocked_and_signalled("1");
    tool.wait_until_signal_taken();
    tool.signal("TERM");
    let (status, stderr, output) = ended_unread(tool);
    stopped_by(status, 15);
    let written = lines_in_full(
        &stderr,
        "a second signal came while standard output took nothing",
    );
    let whole = output.rfind('\n').map_or(0, |end| end + 1);
    let found = whole_lines_in_order(&output[..whole]);
    assert!(found >= written, "{found} lines found, {written} said");
}
