//! `pinterest-kafka`'s command line, checked before it connects to any broker: settings read
//! and warned about as `pinterest-map` does, `--strict`, what `--send` needs, and mistakes in
//! the options.

use mapping_tests::{Output, executable, run_command};

/// Runs the worker with these arguments after a valid set of connection options (no broker
/// listens there: each case must stop before connecting).
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = worker();
    command
        .args(args)
        .env_remove("PINTEREST_CONVERSION_TOKEN")
        .envs(env.iter().copied());
    run_command(command, b"")
}

/// The worker with a valid set of connection options, to a port where no broker listens.
fn worker() -> std::process::Command {
    let mut command = executable!("pinterest-kafka");
    command.args([
        "--brokers",
        "127.0.0.1:1",
        "--group",
        "g",
        "--input-topic",
        "in",
    ]);
    command
}

fn stderr(output: &Output) -> String {
    output.stderr.clone()
}

#[test]
fn strict_settings_stop_before_connecting_with_pinterest_maps_warnings() {
    let output = run(
        &[
            "--output-topic",
            "out",
            "--strict",
            "--settings",
            r#"{"Tid":"2620795819800","pinterestEventMapping":{"Order Completed":"Chekout"}}"#,
        ],
        &[],
    );
    assert_eq!(output.status, 2);
    assert_eq!(
        stderr(&output),
        "pinterest-kafka: warning: --settings: unknown key `Tid`, ignored: did you mean `tid`?\n\
         pinterest-kafka: warning: --settings: `tid` is missing or empty: every message will \
         produce no Tag call\n\
         pinterest-kafka: warning: --settings: `pinterestEventMapping[\"Order Completed\"]` is \
         `Chekout`, a partner-defined event: did you mean the standard event `Checkout`?\n\
         pinterest-kafka: --strict: 3 warnings in the settings: nothing was read\n"
    );
}

#[test]
fn warnings_about_the_tag_only_are_left_out_when_sending() {
    let output = run(
        &[
            "--send",
            "--strict",
            "--settings",
            r#"{"ad_account_id":"549755885175"}"#,
        ],
        &[],
    );
    // No `tid` warning: the events sent need none. What stops the run is the missing token.
    assert_eq!(output.status, 2);
    assert_eq!(
        stderr(&output),
        "pinterest-kafka: --send needs the conversion token: set the environment variable \
         PINTEREST_CONVERSION_TOKEN, or `conversion_token` in the settings\n"
    );
}

#[test]
fn send_needs_an_ad_account() {
    let output = run(
        &["--send", "--settings", r#"{"tid":"1"}"#],
        &[("PINTEREST_CONVERSION_TOKEN", "secret-token")],
    );
    assert_eq!(output.status, 2);
    let stderr = stderr(&output);
    assert_eq!(
        stderr,
        "pinterest-kafka: --send needs the ad account: set `ad_account_id` in the settings \
         (--settings)\n"
    );
}

#[test]
fn an_output_topic_or_send_is_required_and_not_both() {
    let output = run(&[], &[]);
    assert_eq!(output.status, 2);
    assert!(
        stderr(&output).contains("--output-topic <TOPIC>"),
        "{}",
        stderr(&output)
    );
    let output = run(&["--output-topic", "out", "--send"], &[]);
    assert_eq!(output.status, 2);
    assert!(
        stderr(&output).contains("cannot be used with"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_kafka_setting_must_be_key_equals_value() {
    let output = run(&["--output-topic", "out", "--kafka", "acks"], &[]);
    assert_eq!(output.status, 2);
    assert!(
        stderr(&output).contains("not KEY=VALUE, such as security.protocol=SASL_SSL"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unknown_kafka_setting_is_refused_naming_it() {
    let output = run(
        &[
            "--output-topic",
            "out",
            "--quiet",
            "--kafka",
            "no.such.setting=1",
        ],
        &[],
    );
    assert_eq!(output.status, 2);
    assert!(
        stderr(&output).contains("no.such.setting"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unreachable_brokers_are_said_a_few_times_and_the_worker_gives_up_with_status_4() {
    let output = run(&["--output-topic", "out", "--startup-timeout", "3"], &[]);
    let stderr = stderr(&output);
    assert_eq!(output.status, 4, "{stderr}");
    // librdkafka retries many times a second; each kind of failure is said once a minute.
    assert!(stderr.lines().count() <= 8, "{stderr}");
    assert!(
        stderr.ends_with(
            "pinterest-kafka: stopped: the brokers at 127.0.0.1:1 cannot be reached (Meta data \
             fetch error: BrokerTransportFailure (Local: Broker transport failure)) 3 s after \
             the start\n"
        ),
        "{stderr}"
    );
}

#[test]
fn consumer_and_producer_settings_go_to_their_client_only() {
    let separate = run(
        &[
            "--output-topic",
            "out",
            "--startup-timeout",
            "1",
            "--consumer-kafka",
            "session.timeout.ms=6000",
            "--producer-kafka",
            "linger.ms=1",
        ],
        &[],
    );
    assert_eq!(separate.status, 4, "{}", separate.stderr);
    assert!(!separate.stderr.contains("CONFWARN"), "{}", separate.stderr);
    // --kafka goes to both clients, and librdkafka says so of a consumer setting.
    let both = run(
        &[
            "--output-topic",
            "out",
            "--startup-timeout",
            "1",
            "--kafka",
            "session.timeout.ms=6000",
        ],
        &[],
    );
    assert!(
        both.stderr
            .contains("session.timeout.ms is a consumer property and will be ignored"),
        "{}",
        both.stderr
    );
    // A setting for one client is checked by it.
    let refused = run(
        &["--output-topic", "out", "--producer-kafka", "no.such=1"],
        &[],
    );
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("cannot start the producer") && refused.stderr.contains("no.such"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_closed_standard_error_is_no_panic() {
    use std::process::Stdio;
    let mut child = worker()
        .args(["--output-topic", "out", "--startup-timeout", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pinterest-kafka starts");
    // The reading end goes at once: every write to standard error fails.
    drop(child.stderr.take());
    let status = child.wait().expect("the worker ends");
    assert_eq!(status.code(), Some(4), "{status:?}");
}

#[test]
fn startup_timeout_takes_seconds_or_zero() {
    let output = run(&["--output-topic", "out", "--startup-timeout", "soon"], &[]);
    assert_eq!(output.status, 2);
    assert!(
        output
            .stderr
            .contains("not 0 or a number of seconds up to 86400"),
        "{}",
        output.stderr
    );
}

#[test]
fn the_json_log_is_an_object_a_line_with_the_settings_warnings_among_them() {
    let output = run(
        &[
            "--output-topic",
            "out",
            "--startup-timeout",
            "1",
            "--log-format",
            "json",
            "--settings",
            r#"{"tid":"2620795819800","Tid":"x"}"#,
        ],
        &[],
    );
    assert_eq!(output.status, 4, "{}", output.stderr);
    let events: Vec<serde_json::Value> = output
        .stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    for event in &events {
        assert!(
            event["timestamp"].is_string() && event["level"].is_string(),
            "{event}"
        );
    }
    assert_eq!(events[0]["level"], "WARN");
    assert!(
        events[0]["message"]
            .as_str()
            .is_some_and(|message| message.starts_with("warning: --settings: ")),
        "{}",
        events[0]
    );
    let last = &events[events.len() - 1];
    assert_eq!(last["level"], "ERROR");
    assert!(
        last["message"]
            .as_str()
            .is_some_and(|message| message.starts_with("stopped: the brokers at 127.0.0.1:1")),
        "{last}"
    );
}
