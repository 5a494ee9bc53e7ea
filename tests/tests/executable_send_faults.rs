//! The `pinterest-map` executable sending to a fake Pinterest: the token from the environment,
//! and signals while events are on their way or waiting to go: every event read is accepted or
//! reported as not sent, and the process ends as the signal would.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fake_pinterest::{AD_ACCOUNT, FakePinterest, Reply, TOKEN};

use mapping_tests::{TempFile, executable};

fn checkout(n: usize) -> String {
    format!(
        r#"{{"type":"track","event":"Order Completed","messageId":"m-{n}","timestamp":"2026-11-28T12:00:00Z","context":{{"ip":"203.0.113.9","userAgent":"Mozilla/5.0"}}}}"#
    ) + "\n"
}

fn settings() -> TempFile {
    TempFile::new(
        ".json",
        format!(r#"{{"ad_account_id":"{AD_ACCOUNT}"}}"#).as_bytes(),
    )
}

/// The tool sending to `fake`, the token in the environment, its standard streams piped.
fn start(fake: &FakePinterest, settings: &TempFile, rejects: &TempFile) -> Child {
    executable!("pinterest-map")
        .args([
            "--send",
            "--settings",
            &settings.arg(),
            "--api-url",
            &fake.url(),
            "--rejects",
            &rejects.arg(),
            "--now",
            "2026-11-28T12:05:00Z",
            // One request at a time: when a signal comes during a long input, one batch is
            // under way and the others wait, however fast the machine reads.
            "--in-flight",
            "1",
        ])
        .env("PINTEREST_CONVERSION_TOKEN", TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pinterest-map starts")
}

/// Writes `count` checkouts to the tool's input, which stays open.
fn feed(child: &mut Child, count: usize) -> ChildStdin {
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all((0..count).map(checkout).collect::<String>().as_bytes())
        .expect("the tool reads");
    stdin.flush().expect("the tool reads");
    stdin
}

/// Waits until the fake has received `count` requests.
fn wait_for_requests(fake: &FakePinterest, count: usize) {
    let start = Instant::now();
    while fake.requests().len() < count {
        assert!(start.elapsed() < Duration::from_secs(30), "no request came");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Signals the tool; its exit status and standard error once it ends.
fn stop(mut child: Child, name: &str) -> (ExitStatus, String) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("stderr is UTF-8");
    (child.wait().expect("the tool ends"), stderr)
}

/// The `event_id`s Pinterest took, and those in the rejects file.
fn accounted(fake: &FakePinterest, rejects: &TempFile) -> (BTreeSet<String>, BTreeSet<String>) {
    let accepted = fake
        .requests()
        .iter()
        .filter(|request| request.status == 200)
        .flat_map(|request| request.event_ids())
        .collect();
    let rejected = std::fs::read_to_string(rejects.path())
        .unwrap()
        .lines()
        .map(|line| {
            let line: serde_json::Value = serde_json::from_str(line).expect("a whole line");
            line["event_id"].as_str().expect("an event_id").to_owned()
        })
        .collect();
    (accepted, rejected)
}

/// The number of messages the summary says were read.
fn messages_read(stderr: &str) -> usize {
    let summary = stderr.lines().find_map(|line| {
        line.strip_prefix("pinterest-map: ")?
            .split(" messages, ")
            .next()?
            .parse()
            .ok()
    });
    summary.unwrap_or_else(|| panic!("no summary: {stderr}"))
}

#[test]
fn the_token_comes_from_the_environment_and_is_never_printed() {
    let fake = FakePinterest::start(|_| Reply::Processed);
    let settings = TempFile::new(
        ".json",
        format!(r#"{{"ad_account_id":"{AD_ACCOUNT}","conversion_token":"not-the-token"}}"#)
            .as_bytes(),
    );
    let rejects = TempFile::new(".ndjson", b"");
    let mut child = start(&fake, &settings, &rejects);
    let stdin = feed(&mut child, 5);
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("accepted 5,"), "{stderr}");
    assert!(!stderr.contains(TOKEN) && !stderr.contains("not-the-token"));
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn a_signal_while_events_are_on_their_way_loses_none() {
    // Every answer comes late: the signal finds requests under way and batches waiting.
    let fake =
        FakePinterest::start(|_| Reply::Late(Duration::from_secs(1), Box::new(Reply::Processed)));
    let settings = settings();
    let rejects = TempFile::new(".ndjson", b"");
    let mut child = start(&fake, &settings, &rejects);
    let mut stdin = child.stdin.take().unwrap();
    let written = Arc::new(AtomicUsize::new(0));
    let writer = std::thread::spawn({
        let written = Arc::clone(&written);
        move || {
            for n in 0..30_000 {
                if stdin.write_all(checkout(n).as_bytes()).is_err() {
                    break;
                }
                written.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    wait_for_requests(&fake, 1);
    // The tool refills its 128 KiB read buffer only once every line in it is mapped, and the
    // pipe holds 64 KiB: once 3,000 lines (465 KB) are written, the first 1,700 at least are
    // with the sender, so a batch of 1,000 is under way and more events wait for theirs.
    let start = Instant::now();
    while written.load(Ordering::Relaxed) < 3_000 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the tool reads no more"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let (status, stderr) = stop(child, "TERM");
    let _ = writer.join();
    assert_eq!(status.signal(), Some(15), "{stderr}");
    assert!(
        stderr.contains("pinterest-map: stopped by SIGTERM\n"),
        "{stderr}"
    );
    let read = messages_read(&stderr);
    let (accepted, rejected) = accounted(&fake, &rejects);
    let all: BTreeSet<String> = (0..read).map(|n| format!("m-{n}")).collect();
    let found: BTreeSet<String> = accepted.union(&rejected).cloned().collect();
    assert_eq!(found, all, "{stderr}");
    assert!(!accepted.is_empty(), "requests under way finish: {stderr}");
    assert!(
        !rejected.is_empty(),
        "batches waiting are not sent: {stderr}"
    );
}

#[test]
fn a_signal_while_waiting_for_input_sends_what_was_read() {
    let fake = FakePinterest::start(|_| Reply::Processed);
    let settings = settings();
    let rejects = TempFile::new(".ndjson", b"");
    let mut child = start(&fake, &settings, &rejects);
    let stdin = feed(&mut child, 10);
    // The events go out when their batch has waited long enough for more, input still open.
    wait_for_requests(&fake, 1);
    let (status, stderr) = stop(child, "INT");
    drop(stdin);
    assert_eq!(status.signal(), Some(2), "{stderr}");
    assert!(
        stderr.contains("accepted 10, rejected 0, not sent 0"),
        "{stderr}"
    );
    let (accepted, rejected) = accounted(&fake, &rejects);
    assert_eq!(accepted.len(), 10);
    assert!(rejected.is_empty());
}

#[test]
fn a_signal_while_the_last_events_are_retried_stops_the_retries_and_loses_none() {
    let fake = FakePinterest::start(|_| Reply::error(503, 4197, "Ramped down."));
    let settings = settings();
    let rejects = TempFile::new(".ndjson", b"");
    let mut child = start(&fake, &settings, &rejects);
    let stdin = feed(&mut child, 10);
    // The input is read to its end: the tool is delivering its last batch, waiting to retry.
    drop(stdin);
    wait_for_requests(&fake, 1);
    let (status, stderr) = stop(child, "TERM");
    assert_eq!(status.signal(), Some(15), "{stderr}");
    assert!(
        fake.requests().len() < 6,
        "the retries were cut short of the six attempts"
    );
    let (accepted, rejected) = accounted(&fake, &rejects);
    assert!(accepted.is_empty());
    assert_eq!(rejected, (0..10).map(|n| format!("m-{n}")).collect());
    assert!(stderr.contains("not sent 10"), "{stderr}");
}
