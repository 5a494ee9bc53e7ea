//! `pinterest-map --send` against a fake Pinterest on 127.0.0.1 that checks every request's
//! token and schema and misbehaves by script: for each fault, no valid event is lost (each is
//! accepted, or in the rejects file), the exit status, the counts, and bounded retries.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fake_pinterest::{AD_ACCOUNT, FakePinterest, Reply, Request, TOKEN, refusing};
use mapping_tests::{Output, TempFile, http_get, run_tool};
use serde_json::Value;

const NOW: &str = "2026-11-28T12:05:00Z";

/// `count` checkouts, `m-0`…, each a valid event.
fn checkouts(count: usize) -> String {
    (0..count)
        .map(|n| {
            format!(
                r#"{{"type":"track","event":"Order Completed","messageId":"m-{n}","timestamp":"2026-11-28T12:00:00Z","userId":"u-{n}","context":{{"ip":"203.0.113.9","userAgent":"Mozilla/5.0"}},"properties":{{"order_id":"o-{n}","value":{n}.5,"currency":"USD"}}}}"#
            ) + "\n"
        })
        .collect()
}

fn ids(range: std::ops::Range<usize>) -> BTreeSet<String> {
    range.map(|n| format!("m-{n}")).collect()
}

/// Settings with the fake's ad account and token.
fn settings() -> TempFile {
    TempFile::new(
        ".json",
        format!(r#"{{"tid":"t","ad_account_id":"{AD_ACCOUNT}","conversion_token":"{TOKEN}"}}"#)
            .as_bytes(),
    )
}

/// What a run did: its output, the rejects file's lines, and the fake's requests.
struct Sent {
    output: Output,
    rejects: Vec<Value>,
    requests: Vec<Request>,
}

impl Sent {
    /// The `event_id`s Pinterest took: those of the events answered `processed`.
    fn accepted(&self) -> BTreeSet<String> {
        let mut accepted = BTreeSet::new();
        for request in &self.requests {
            if matches!(request.status, 200 | 422) {
                for (index, id) in request.event_ids().into_iter().enumerate() {
                    if !request.failed.contains(&index) {
                        accepted.insert(id);
                    }
                }
            }
        }
        accepted
    }

    /// The `event_id`s in the rejects file.
    fn rejected(&self) -> BTreeSet<String> {
        self.rejects
            .iter()
            .map(|line| line["event_id"].as_str().expect("an event_id").to_owned())
            .collect()
    }

    /// Every event is accepted or in the rejects file; the file lists each event once, whole,
    /// with the input, line, status and message.
    fn assert_none_lost(&self, all: &BTreeSet<String>) {
        let accepted = self.accepted();
        let rejected = self.rejected();
        assert_eq!(
            rejected.len(),
            self.rejects.len(),
            "an event rejected twice"
        );
        let found: BTreeSet<String> = accepted.union(&rejected).cloned().collect();
        assert_eq!(
            &found,
            all,
            "lost: {:?}",
            all.difference(&found).collect::<Vec<_>>()
        );
        for line in &self.rejects {
            let number = line["line"].as_u64().expect("a line number");
            assert_eq!(line["input"], "<stdin>");
            assert_eq!(line["event"]["event_id"], line["event_id"]);
            assert_eq!(line["event_id"], format!("m-{}", number - 1));
            assert!(
                line["message"]
                    .as_str()
                    .is_some_and(|message| !message.is_empty())
            );
        }
        for request in &self.requests {
            assert_eq!(
                request.invalid, None,
                "request {} off the schema",
                request.number
            );
        }
    }

    /// The summary's counts of sending: `sent …, accepted …, … request(s) (… retried)`.
    fn summary(&self) -> &str {
        let line = self.output.stderr.lines().last().unwrap_or_default();
        let start = line
            .find("sent ")
            .unwrap_or_else(|| panic!("no counts in {line:?}"));
        let end = line
            .find(" retried)")
            .map(|retried| retried + " retried)".len());
        &line[start..end.unwrap_or_else(|| panic!("no counts in {line:?}"))]
    }
}

/// Runs `pinterest-map --send` against `fake` with `settings`, these other arguments, and
/// `input` on standard input.
fn run_send(fake: &FakePinterest, settings: &TempFile, extra: &[&str], input: &str) -> Output {
    let mut args: Vec<String> = [
        "--send",
        "--settings",
        &settings.arg(),
        "--api-url",
        &fake.url(),
        "--now",
        NOW,
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    run_tool(
        pinterest_mapping::spec::Table,
        "pinterest-map",
        &args,
        input.as_bytes(),
    )
}

/// Runs `pinterest-map --send` on `input` against a fake answering by `script`, with a
/// rejects file.
fn send(
    input: &str,
    extra: &[&str],
    script: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> Sent {
    let fake = FakePinterest::start(script);
    let rejects = TempFile::new(".ndjson", b"");
    let mut args = vec!["--rejects", &rejects.path().to_str().expect("a UTF-8 path")];
    args.extend(extra);
    let output = run_send(&fake, &settings(), &args, input);
    let rejects = std::fs::read_to_string(rejects.path())
        .expect("the rejects file")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a whole JSON line"))
        .collect();
    Sent {
        output,
        rejects,
        requests: fake.requests(),
    }
}

#[test]
fn every_event_is_sent_in_batches_of_a_thousand() {
    let sent = send(&checkouts(2_500), &[], |_| Reply::Processed);
    assert_eq!(sent.output.status, 0, "{}", sent.output.stderr);
    assert_eq!(sent.output.stdout, "");
    sent.assert_none_lost(&ids(0..2_500));
    assert_eq!(sent.accepted(), ids(0..2_500));
    let mut sizes: Vec<usize> = sent.requests.iter().map(|request| request.events).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [500, 1_000, 1_000]);
    for request in &sent.requests {
        assert_eq!(request.query, None);
        assert_eq!(
            request.authorization.as_deref(),
            Some(&*format!("Bearer {TOKEN}"))
        );
    }
    assert_eq!(
        sent.summary(),
        "sent 2500, accepted 2500, rejected 0, not sent 0, 3 requests (0 retried)"
    );
    assert!(
        sent.output.stderr.starts_with(
            "pinterest-map: 2500 messages, 2500 events, 0 unsendable, 0 without an event, sent 2500"
        ),
        "{}",
        sent.output.stderr
    );
}

#[test]
fn test_events_are_marked_as_tests() {
    let sent = send(&checkouts(3), &["--test-events"], |_| Reply::Processed);
    assert_eq!(sent.output.status, 0, "{}", sent.output.stderr);
    assert_eq!(sent.requests.len(), 1);
    assert_eq!(sent.requests[0].query.as_deref(), Some("test=true"));
}

/// Replies from a list, one per request, then `Processed`.
fn in_turn(replies: Vec<Reply>) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    let next = AtomicUsize::new(0);
    move |_| {
        replies
            .get(next.fetch_add(1, Ordering::SeqCst))
            .cloned()
            .unwrap_or(Reply::Processed)
    }
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let too_many = |retry_after: Option<&str>| Reply::Status {
        status: 429,
        retry_after: retry_after.map(str::to_owned),
        body: r#"{"code":8,"message":"This request exceeded a rate limit."}"#.to_owned(),
    };
    for (name, replies) in [
        ("429 with Retry-After", vec![too_many(Some("1"))]),
        ("429 without Retry-After", vec![too_many(None)]),
        (
            "500 then 503",
            vec![
                Reply::error(500, 1, "Internal error."),
                Reply::error(503, 4197, "The endpoint has been ramped down."),
            ],
        ),
        ("a dropped connection", vec![Reply::Drop]),
        (
            "an answer later than the timeout",
            vec![Reply::Late(
                Duration::from_secs(3),
                Box::new(Reply::Processed),
            )],
        ),
    ] {
        let retries = replies.len();
        let sent = send(&checkouts(40), &["--timeout", "1"], in_turn(replies));
        assert_eq!(sent.output.status, 0, "{name}: {}", sent.output.stderr);
        sent.assert_none_lost(&ids(0..40));
        assert!(sent.rejects.is_empty(), "{name}");
        assert_eq!(sent.requests.len(), retries + 1, "{name}");
        assert_eq!(
            sent.summary(),
            format!(
                "sent 40, accepted 40, rejected 0, not sent 0, {} requests ({retries} retried)",
                retries + 1
            ),
            "{name}"
        );
    }
}

#[test]
fn a_bad_event_is_isolated_and_the_others_are_sent() {
    let sent = send(&checkouts(1_000), &[], |request| {
        if request.event_ids().iter().any(|id| id == "m-617") {
            Reply::error(400, 4196, "The request was invalid: event 617")
        } else {
            Reply::Processed
        }
    });
    assert_eq!(sent.output.status, 1, "{}", sent.output.stderr);
    sent.assert_none_lost(&ids(0..1_000));
    assert_eq!(sent.rejected(), BTreeSet::from(["m-617".to_owned()]));
    assert_eq!(sent.rejects[0]["status"], 400);
    assert_eq!(
        sent.rejects[0]["message"],
        "The request was invalid: event 617"
    );
    assert_eq!(sent.rejects[0]["line"], 618);
    // Halving a thousand events down to one: two requests per level, ten levels.
    assert!(
        sent.requests.len() <= 21,
        "{} requests",
        sent.requests.len()
    );
    assert_eq!(
        sent.summary(),
        format!(
            "sent 1000, accepted 999, rejected 1, not sent 0, {} requests (0 retried)",
            sent.requests.len()
        )
    );
}

#[test]
fn failed_events_of_a_422_are_rejected_and_the_rest_accepted() {
    let sent = send(&checkouts(30), &[], |request| Reply::Failed {
        indices: request
            .event_ids()
            .iter()
            .enumerate()
            .filter(|(_, id)| id.ends_with('7'))
            .map(|(index, _)| index)
            .collect(),
        message: "event_time is too old".to_owned(),
    });
    assert_eq!(sent.output.status, 1);
    sent.assert_none_lost(&ids(0..30));
    assert_eq!(
        sent.rejected(),
        ["m-7", "m-17", "m-27"]
            .map(str::to_owned)
            .into_iter()
            .collect()
    );
    for line in &sent.rejects {
        assert_eq!(line["status"], 422);
        assert_eq!(line["message"], "event_time is too old");
    }
    assert!(
        sent.summary()
            .starts_with("sent 30, accepted 27, rejected 3, not sent 0, 1 request (0 retried)")
    );
}

#[test]
fn refused_credentials_stop_the_run_with_status_2() {
    let sent = send(&checkouts(20), &[], |_| {
        Reply::error(403, 29, "You are not permitted to access that resource.")
    });
    assert_eq!(sent.output.status, 2);
    sent.assert_none_lost(&ids(0..20));
    assert_eq!(sent.rejects.len(), 20);
    assert_eq!(sent.requests.len(), 1, "no retry after 403");
    assert!(sent.output.stderr.contains(
        "pinterest-map: stopped sending: Pinterest refused the credentials (HTTP 403): You are not permitted to access that resource.; 20 events not sent, the input read up to <stdin>:20\n"
    ), "{}", sent.output.stderr);
    assert_eq!(sent.rejects[0]["status"], 403);

    // The wrong token: the fake answers 401, as Pinterest does.
    let fake = FakePinterest::start(|_| Reply::Processed);
    let settings = TempFile::new(
        ".json",
        format!(r#"{{"ad_account_id":"{AD_ACCOUNT}","conversion_token":"wrong"}}"#).as_bytes(),
    );
    let output = run_send(&fake, &settings, &[], &checkouts(2));
    assert_eq!(output.status, 2);
    assert!(
        output.stderr.contains("(HTTP 401): Authentication failed."),
        "{}",
        output.stderr
    );
    assert!(
        !output.stderr.contains("wrong"),
        "the token is never printed"
    );
}

#[test]
fn retries_are_bounded_and_unsent_events_are_reported() {
    let sent = send(&checkouts(10), &["--max-attempts", "3"], |_| {
        Reply::error(503, 4197, "The endpoint has been ramped down.")
    });
    assert_eq!(sent.output.status, 1);
    sent.assert_none_lost(&ids(0..10));
    assert_eq!(sent.requests.len(), 3);
    assert_eq!(sent.rejects.len(), 10);
    for line in &sent.rejects {
        assert_eq!(line["status"], 503);
        assert!(
            line["message"].as_str().is_some_and(|message| message.starts_with(
                "not sent: the Conversions API is unavailable: HTTP 503: The endpoint has been ramped down. (after 3 attempts)"
            )),
            "{line}"
        );
    }
    assert!(
        sent.summary()
            .starts_with("sent 10, accepted 0, rejected 0, not sent 10, 3 requests (2 retried)")
    );
}

#[test]
fn without_a_rejects_file_rejections_go_to_standard_error() {
    let fake = FakePinterest::start(|_| Reply::Failed {
        indices: vec![0],
        message: "bad".to_owned(),
    });
    let output = run_send(&fake, &settings(), &["-q"], &checkouts(2));
    assert_eq!(output.status, 1);
    assert_eq!(
        output.stderr,
        "<stdin>:1: rejected by Pinterest (HTTP 422): bad (event_id m-0)\n"
    );
}

#[test]
fn what_sending_needs_is_checked_before_anything_is_read() {
    let no_account = TempFile::new(
        ".json",
        format!(r#"{{"conversion_token":"{TOKEN}"}}"#).as_bytes(),
    );
    let no_token = TempFile::new(
        ".json",
        format!(r#"{{"ad_account_id":"{AD_ACCOUNT}"}}"#).as_bytes(),
    );
    let settings = settings();
    for (args, message) in [
        (
            vec!["--send", "--settings", &no_account.arg()],
            "pinterest-map: --send needs the ad account: set `ad_account_id` in the settings (--settings)",
        ),
        (
            vec!["--send", "--settings", &no_token.arg()],
            "pinterest-map: --send needs the conversion token: set the environment variable PINTEREST_CONVERSION_TOKEN, or `conversion_token` in the settings",
        ),
        (
            vec![
                "--send",
                "--settings",
                &settings.arg(),
                "--api-url",
                "http://api.example/v5",
            ],
            "pinterest-map: --api-url must use https: the token is sent in plain text over http, taken only for a server on this machine",
        ),
        (
            vec![
                "--send",
                "--settings",
                &settings.arg(),
                "--rejects",
                "/nonexistent/rejects.ndjson",
            ],
            "pinterest-map: cannot create the rejects file /nonexistent/rejects.ndjson: No such file or directory (os error 2)",
        ),
        (
            vec!["--rejects", "rejects.ndjson"],
            "error: the following required arguments were not provided:",
        ),
        (
            vec!["--send", "--format", "capi"],
            "error: the argument '--send' cannot be used with '--format <FORMAT>'",
        ),
        (
            vec!["--send", "--init"],
            "error: the argument '--send' cannot be used with '--init'",
        ),
        (
            vec!["--send", "--timeout", "0"],
            "error: invalid value '0' for '--timeout <SECONDS>': not a number of seconds above 0 and at most 86400",
        ),
    ] {
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let output = run_tool(
            pinterest_mapping::spec::Table,
            "pinterest-map",
            &args,
            checkouts(1).as_bytes(),
        );
        assert_eq!(output.status, 2, "{args:?}: {}", output.stderr);
        assert_eq!(output.stderr.lines().next(), Some(message), "{args:?}");
        assert_eq!(output.stdout, "");
    }
}

#[test]
fn messages_that_cannot_become_events_are_reported_and_the_rest_sent() {
    let input = format!(
        "{}{{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"x\"}}\nnot json\n{{\"type\":\"identify\",\"userId\":\"u\"}}\n{}",
        checkouts(1),
        checkouts(2).lines().nth(1).unwrap_or_default()
    );
    let sent = send(&input, &[], |_| Reply::Processed);
    assert_eq!(sent.output.status, 1);
    assert_eq!(sent.accepted(), ids(0..2));
    assert!(sent.rejects.is_empty());
    let mut lines = sent.output.stderr.lines();
    assert_eq!(
        lines.next(),
        Some(
            "<stdin>:2: not sent to the Conversions API: no event time: none of `timestamp`, `originalTimestamp`, `sentAt` and `receivedAt` is an ISO 8601 time with an offset"
        )
    );
    assert_eq!(
        lines.next(),
        Some("<stdin>:3: invalid JSON: expected a value at column 1, found a bare word")
    );
    assert!(
        lines.next().is_some_and(|summary| summary.starts_with(
            "pinterest-map: 4 messages, 2 events, 1 unsendable (1 no event time), 1 without an event, sent 2, accepted 2,"
        )),
        "{}",
        sent.output.stderr
    );
}

#[test]
fn a_rejects_file_that_cannot_be_written_sends_its_lines_to_standard_error() {
    let fake = FakePinterest::start(|_| Reply::Failed {
        indices: vec![1],
        message: "bad".to_owned(),
    });
    let output = run_send(
        &fake,
        &settings(),
        &["-q", "--rejects", "/dev/full"],
        &checkouts(2),
    );
    assert_eq!(output.status, 1);
    let mut lines = output.stderr.lines();
    assert!(
        lines.next().is_some_and(|line| line.starts_with(
            "pinterest-map: cannot write the rejects file /dev/full: No space left on device"
        )),
        "{}",
        output.stderr
    );
    assert_eq!(
        lines.next(),
        Some("<stdin>:2: rejected by Pinterest (HTTP 422): bad (event_id m-1)")
    );
    assert_eq!(lines.next(), None);
}

/// The rejects file's lines: `(event_id, received, status, message)`.
fn reject_lines(sent: &Sent) -> Vec<(String, bool, Option<u64>, String)> {
    sent.rejects
        .iter()
        .map(|line| {
            (
                line["event_id"].as_str().unwrap_or_default().to_owned(),
                line["received"].as_bool().expect("`received`"),
                line.get("status")
                    .map(|status| status.as_u64().expect("a number")),
                line["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_redirect_is_never_followed_and_stops_sending() {
    for status in [301, 302, 303, 307, 308] {
        // Followed, the POST would become a GET (301 to 303), which this page answers 200.
        let sent = send(&checkouts(5), &[], move |request| {
            if request.method == "POST" {
                Reply::Redirect {
                    status,
                    location: "/v5/elsewhere".to_owned(),
                }
            } else {
                Reply::Status {
                    status: 200,
                    retry_after: None,
                    body: "<html>Welcome</html>".to_owned(),
                }
            }
        });
        assert_eq!(sent.output.status, 2, "{status}: {}", sent.output.stderr);
        assert_eq!(
            sent.requests
                .iter()
                .map(|request| request.method.as_str())
                .collect::<Vec<_>>(),
            ["POST"],
            "{status}"
        );
        let message = format!(
            "not sent: the Conversions API cannot be used at this address: HTTP {status}: the API \
             URL redirects to /v5/elsewhere; events are sent to the address given and no other: \
             check the API URL"
        );
        assert_eq!(
            reject_lines(&sent),
            (0..5)
                .map(|n| (
                    format!("m-{n}"),
                    false,
                    Some(u64::from(status)),
                    message.clone()
                ))
                .collect::<Vec<_>>(),
            "{status}"
        );
        assert_eq!(
            sent.summary(),
            "sent 5, accepted 0, rejected 0, not sent 5, 1 request (0 retried)"
        );
    }
}

#[test]
fn an_answer_that_is_not_pinterests_accepts_nothing() {
    let statuses = r#"{"num_events_received":5,"num_events_processed":5,"events":[{"status":"processed"},{"status":"processed"}]}"#;
    for (name, body, why) in [
        (
            "a captive portal's page",
            "<html><body>Sign in\nto the network</body></html>",
            "HTTP 200, but not Pinterest's answer: <html><body>Sign in to the network</body></html>",
        ),
        (
            "an empty body",
            "",
            "HTTP 200, but with an empty body, not Pinterest's answer",
        ),
        (
            "another API's JSON",
            r#"{"ok":true}"#,
            r#"HTTP 200, but not Pinterest's answer: {"ok":true}"#,
        ),
        (
            "fewer statuses than events",
            statuses,
            "HTTP 200, but Pinterest's answer gives 2 statuses for 5 events",
        ),
    ] {
        let sent = send(&checkouts(5), &["--max-attempts", "2"], move |_| {
            Reply::Status {
                status: 200,
                retry_after: None,
                body: body.to_owned(),
            }
        });
        assert_eq!(sent.output.status, 1, "{name}: {}", sent.output.stderr);
        assert_eq!(sent.requests.len(), 2, "{name}");
        let message =
            format!("not sent: the Conversions API is unavailable: {why} (after 2 attempts)");
        assert_eq!(
            reject_lines(&sent),
            (0..5)
                .map(|n| (format!("m-{n}"), false, Some(200), message.clone()))
                .collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            sent.summary(),
            "sent 5, accepted 0, rejected 0, not sent 5, 2 requests (1 retried)",
            "{name}"
        );
    }
    // Pinterest's answer on the next try accepts them.
    let sent = send(
        &checkouts(5),
        &[],
        in_turn(vec![Reply::Status {
            status: 200,
            retry_after: None,
            body: String::new(),
        }]),
    );
    assert_eq!(sent.output.status, 0, "{}", sent.output.stderr);
    assert!(sent.rejects.is_empty());
    assert_eq!(
        sent.summary(),
        "sent 5, accepted 5, rejected 0, not sent 0, 2 requests (1 retried)"
    );
}

#[test]
fn a_retry_after_beyond_any_clock_ends_the_retries_without_a_crash() {
    for retry_after in ["9300000000000000000", "99999999999999999999999999", "200"] {
        let sent = send(&checkouts(5), &[], move |_| Reply::Status {
            status: 429,
            retry_after: Some(retry_after.to_owned()),
            body: r#"{"code":8,"message":"This request exceeded a rate limit."}"#.to_owned(),
        });
        assert_eq!(
            sent.output.status, 1,
            "{retry_after}: {}",
            sent.output.stderr
        );
        assert_eq!(sent.requests.len(), 1);
        let wait = if retry_after == "200" {
            "200"
        } else {
            "31536000"
        };
        let message = format!(
            "not sent: the Conversions API is unavailable: HTTP 429: This request exceeded a \
             rate limit. (after 1 attempt, and the next try would be {wait} s away, beyond the \
             120 s allowed for retries)"
        );
        assert_eq!(
            reject_lines(&sent),
            (0..5)
                .map(|n| (format!("m-{n}"), false, Some(429), message.clone()))
                .collect::<Vec<_>>(),
            "{retry_after}"
        );
    }
}

#[test]
fn an_event_too_large_for_any_request_is_not_sent_and_the_others_are() {
    let huge = "x".repeat(5 << 20);
    let input: String = checkouts(5)
        .lines()
        .enumerate()
        .map(|(n, line)| {
            let line = if n == 2 {
                line.replace("\"o-2\"", &format!("\"{huge}\""))
            } else {
                line.to_owned()
            };
            line + "\n"
        })
        .collect();
    let sent = send(&input, &[], |_| Reply::Processed);
    assert_eq!(sent.output.status, 1, "{}", sent.output.stderr);
    assert_eq!(
        sent.requests
            .iter()
            .map(|request| request.event_ids())
            .collect::<Vec<_>>(),
        [["m-0", "m-1", "m-3", "m-4"]]
    );
    let (id, received, status, message) = reject_lines(&sent).remove(0);
    assert_eq!((id.as_str(), received, status), ("m-2", false, None));
    assert!(
        message.starts_with("not sent: the event is 52")
            && message.ends_with(" bytes, more than a request may carry (4194304 bytes)"),
        "{message}"
    );
    assert_eq!(
        sent.summary(),
        "sent 4, accepted 4, rejected 0, not sent 1, 1 request (0 retried)"
    );
}

#[test]
fn requests_stay_within_the_byte_limit() {
    // Three events of 1.5 MB: two fit in 4 MiB, the third goes in the next request.
    let large = "x".repeat(1_500_000);
    let input: String = checkouts(3)
        .lines()
        .enumerate()
        .map(|(n, line)| line.replace(&format!("\"o-{n}\""), &format!("\"{large}\"")) + "\n")
        .collect();
    let sent = send(&input, &[], |_| Reply::Processed);
    assert_eq!(sent.output.status, 0, "{}", sent.output.stderr);
    let mut sizes: Vec<usize> = sent.requests.iter().map(|request| request.events).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [1, 2]);
    sent.assert_none_lost(&ids(0..3));
}

#[test]
fn the_rejects_file_is_never_an_input_and_is_made_only_when_the_run_records() {
    let fake = FakePinterest::start(|_| Reply::Processed);
    let input = TempFile::new(".ndjson", checkouts(3).as_bytes());
    let settings = settings();
    let folder = input.path().parent().expect("a folder").to_owned();
    let dotted = folder
        .join(".")
        .join(input.path().file_name().expect("a name"));
    let link = folder.join(format!("link-{}", std::process::id()));
    std::fs::hard_link(input.path(), &link).expect("a hard link");
    for (rejects, named) in [
        (input.arg(), input.arg()),
        (dotted.display().to_string(), input.arg()),
        (link.display().to_string(), input.arg()),
        (settings.arg(), settings.arg()),
    ] {
        let output = run_send(&fake, &settings, &["--rejects", &rejects, &input.arg()], "");
        let what = if named == settings.arg() {
            "the settings file"
        } else {
            "the input"
        };
        assert_eq!(
            (output.status, output.stderr),
            (
                2,
                format!(
                    "pinterest-map: --rejects {rejects} is {what} {named}: it would be \
                     overwritten; name another file\n"
                )
            )
        );
    }
    std::fs::remove_file(&link).expect("the link goes");
    assert_eq!(
        std::fs::read_to_string(input.path()).expect("the input"),
        checkouts(3)
    );
    assert!(fake.requests().is_empty());
    // A run with no reject leaves the file empty, a run's own.
    let rejects = TempFile::new(".ndjson", b"the last run's rejects\n");
    let output = run_send(
        &fake,
        &settings,
        &["--rejects", &rejects.arg(), &input.arg()],
        "",
    );
    assert_eq!(output.status, 0, "{}", output.stderr);
    assert_eq!(std::fs::read_to_string(rejects.path()).expect("made"), "");
}

#[test]
fn a_token_in_an_argument_is_named_and_strict_refuses_it() {
    let fake = FakePinterest::start(|_| Reply::Processed);
    let inline = format!(r#"{{"ad_account_id":"{AD_ACCOUNT}","conversion_token":"{TOKEN}"}}"#);
    let warning = "pinterest-map: warning: --settings: `conversion_token` is in the argument \
                   itself, where the process list and the shell's history show it: set the \
                   environment variable PINTEREST_CONVERSION_TOKEN, or put the settings in a file\n";
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = ["--send", "--settings", &inline, "--api-url", &fake.url()]
            .map(str::to_owned)
            .to_vec();
        args.extend(["--now", NOW].map(str::to_owned));
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        run_tool(
            pinterest_mapping::spec::Table,
            "pinterest-map",
            &args,
            checkouts(2).as_bytes(),
        )
    };
    let output = run(&[]);
    assert_eq!(output.status, 0, "{}", output.stderr);
    assert!(output.stderr.starts_with(warning), "{}", output.stderr);
    assert!(!output.stderr.contains(TOKEN));
    let output = run(&["--strict"]);
    assert_eq!(
        (output.status, output.stderr),
        (
            2,
            format!(
                "{warning}pinterest-map: --strict: 1 warning in the settings: nothing was read\n"
            )
        )
    );
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn a_timeout_is_said_in_the_products_words() {
    let sent = send(
        &checkouts(3),
        &["--timeout", "0.5", "--max-attempts", "2"],
        |_| Reply::Late(Duration::from_secs(2), Box::new(Reply::Processed)),
    );
    assert_eq!(sent.output.status, 1, "{}", sent.output.stderr);
    let message = "not sent: the Conversions API is unavailable: no answer within 0.5 s (the \
                   request's timeout) (after 2 attempts)";
    assert_eq!(
        reject_lines(&sent),
        (0..3)
            .map(|n| (format!("m-{n}"), false, None, message.to_owned()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_messages_of_a_batch_envelope_are_sent_each() {
    let all = checkouts(3);
    let messages: Vec<&str> = all.lines().collect();
    let input = format!(
        "{{\"batch\":[{},{{\"type\":\"track\"}},{},{}],\"sentAt\":\"2026-11-28T12:00:00Z\"}}\n",
        messages[0], messages[1], messages[2]
    );
    let sent = send(&input, &[], |_| Reply::Processed);
    assert_eq!(sent.output.status, 1, "{}", sent.output.stderr);
    assert_eq!(sent.accepted(), ids(0..3));
    assert!(
        sent.output
            .stderr
            .starts_with("<stdin>:1: batch[1]: track message has no `event`\n"),
        "{}",
        sent.output.stderr
    );
    assert_eq!(
        sent.summary(),
        "sent 3, accepted 3, rejected 0, not sent 0, 1 request (0 retried)"
    );
}

#[test]
fn rejected_events_are_sent_again_from_the_rejects_file() {
    let first = send(&checkouts(30), &[], refusing(&["m-7", "m-17", "m-27"]));
    assert_eq!(first.rejects.len(), 3, "{}", first.output.stderr);
    let mut lines: Vec<String> = first.rejects.iter().map(Value::to_string).collect();
    // A line that is no rejects line is reported by its number, and the others still go.
    lines.insert(1, r#"{"input":"x","line":"jane@example.com"}"#.to_owned());
    let rejects = TempFile::new(".ndjson", (lines.join("\n") + "\n").as_bytes());
    let path = rejects.path().to_str().expect("a UTF-8 path").to_owned();

    let second = send("", &["--resend", &path], refusing(&["m-17"]));
    assert_eq!(second.output.status, 1, "{}", second.output.stderr);
    assert_eq!(
        second.accepted(),
        ["m-7", "m-27"].map(str::to_owned).into_iter().collect()
    );
    // The event refused again keeps its first input and line, and is whole.
    assert_eq!(second.rejects.len(), 1);
    let again = &second.rejects[0];
    assert_eq!(again["input"], "<stdin>");
    assert_eq!(again["line"], 18);
    assert_eq!(again["event_id"], "m-17");
    assert_eq!(again["status"], 422);
    assert_eq!(again["event"], first.rejects[1]["event"]);
    assert!(
        second.output.stderr.contains(&format!(
            "{path}:2: not a line of a rejects file (an object with `input`, `line` and \
             `event`, a Conversions API event): a missing, unknown or mistyped field, at column"
        )),
        "{}",
        second.output.stderr
    );
    assert!(
        !second.output.stderr.contains("jane@"),
        "{}",
        second.output.stderr
    );
    assert!(
        second
            .summary()
            .starts_with("sent 3, accepted 2, rejected 1, not sent 0, 1 request (0 retried)"),
        "{}",
        second.output.stderr
    );
}

#[test]
fn resend_needs_send() {
    let output = run_tool(
        pinterest_mapping::spec::Table,
        "pinterest-map",
        &["--resend".to_owned(), "rejects.ndjson".to_owned()],
        b"",
    );
    assert_eq!(output.status, 2);
    assert!(output.stderr.contains("--send"), "{}", output.stderr);
}

#[test]
fn metrics_are_served_while_sending() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let scraped = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&scraped);
    // One request at a time: each request's scrape sees the ones before it, settled.
    let sent = send(
        &checkouts(2_500),
        &["--in-flight", "1", "--metrics", &address],
        move |request| {
            let metrics = http_get(port, "/metrics").map(|(_, body)| body);
            seen.lock().unwrap().push(metrics.unwrap_or_default());
            if request.event_ids().contains(&"m-2042".to_owned()) {
                Reply::Failed {
                    indices: vec![42],
                    message: "Invalid event".to_owned(),
                }
            } else {
                Reply::Processed
            }
        },
    );
    assert_eq!(sent.output.status, 1, "{}", sent.output.stderr);
    let scraped = scraped.lock().unwrap();
    assert_eq!(scraped.len(), 3);
    let third = &scraped[2];
    for line in [
        "pinterest_map_capi_requests_total{class=\"2xx\"} 2",
        "pinterest_map_capi_events_total{outcome=\"accepted\"} 2000",
        "pinterest_map_capi_request_events_total 2000",
        "pinterest_map_capi_retries_total 0",
        "pinterest_map_capi_request_seconds_count 2",
    ] {
        assert!(third.contains(line), "{line}: {third}");
    }
    assert!(third.contains("process_resident_memory_bytes"), "{third}");
    assert!(
        sent.summary().starts_with(
            "sent 2500, accepted 2499, rejected 1, not sent 0, 3 requests (0 retried)"
        ),
        "{}",
        sent.output.stderr
    );
    // Served while the run lasts, not after.
    assert_eq!(http_get(port, "/healthz"), None);
}
