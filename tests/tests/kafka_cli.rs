//! `pinterest-kafka`'s command line, checked before it connects to any broker: settings read
//! and warned about as `pinterest-map` does, `--strict`, what `--send` needs, and mistakes in
//! the options.

use mapping_tests::{Output, executable, run_command};

/// Runs the worker with these arguments after a valid set of connection options (no broker
/// listens there: each case must stop before connecting).
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = executable!("pinterest-kafka");
    command
        .args([
            "--brokers",
            "127.0.0.1:1",
            "--group",
            "g",
            "--input-topic",
            "in",
        ])
        .args(args)
        .env_remove("PINTEREST_CONVERSION_TOKEN")
        .envs(env.iter().copied());
    run_command(command, b"")
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
