//! `pinterest-kafka` against a real broker speaking the Kafka protocol (Tansu, started on
//! 127.0.0.1 by each test): outputs equal `pinterest-map`'s lines, keys and per-key order
//! kept, offsets committed only for delivered outputs, dead letters, and the faults of a
//! worker's life (SIGTERM, SIGKILL, a second worker joining). Each fault test asserts that
//! nothing is missing and that duplicates are bounded by what was in flight.
//!
//! The broker is `$TANSU`, else `tansu` on the `PATH` (`.ci/run` installs it). Without it the
//! tests show as ignored, and say why, unless `PINTEREST_KAFKA_TEST=required` (as `.ci/run`
//! sets), where that is a failure.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::time::Duration;

use libtest_mimic::{Failed, Trial};
use mapping_tests::{executable, http_get};
use pinterest_mapping::ndjson::{self, OutputFormat};
use pinterest_mapping::{Destination, Settings};

use kafka_broker::{
    Broker, Read, Relay, TlsRelay, committed, free_port, produce, produce_with, read, unique,
};

const PARTITIONS: i32 = 4;

/// The settings of every test: `seq` is sent as a custom property, so that each output shows
/// which input it came from.
const SETTINGS: &str =
    r#"{"tid":"2620795819800","pinterestCustomProperties":["seq"],"mapMessageIdToEventId":true}"#;

/// `count` keyed track messages, their `seq` property counting up; 97 keys.
fn messages(count: usize) -> Vec<(String, Option<Vec<u8>>)> {
    (0..count)
        .map(|seq| {
            let event = ["Order Completed", "Products Searched", "Product Added"][seq % 3];
            let value = format!(
                r#"{{"type":"track","event":"{event}","messageId":"m-{seq}","properties":{{"seq":{seq},"order_id":"o-{seq}","query":"q{seq}","price":{}.5}}}}"#,
                seq % 50
            );
            (format!("user-{}", seq % 97), Some(value.into_bytes()))
        })
        .collect()
}

/// What `pinterest-map` prints for a message, without its line end.
fn expected_line(value: &[u8]) -> String {
    let settings = Settings::from_json(SETTINGS).expect("the test's settings");
    let destination = Destination::new(settings);
    let text = std::str::from_utf8(value).expect("the test's messages are UTF-8");
    let mut out = Vec::new();
    ndjson::map_line(&destination, OutputFormat::Json, text, &mut out).expect("a valid message");
    out.pop();
    String::from_utf8(out).expect("output is UTF-8")
}

/// A broker with the topics of one test: input (4 partitions), output, dead letters.
struct Setup {
    broker: Broker,
    input: String,
    output: String,
    dead: String,
    group: String,
    /// With TLS: the relay the clients connect to.
    tls: Option<TlsRelay>,
    /// The librdkafka settings of a connection beyond the relay's (SASL's).
    connection: Vec<(String, String)>,
}

impl Setup {
    fn new(tansu: &Path) -> Setup {
        Setup::with_broker(Broker::start(tansu))
    }

    /// A broker behind a TLS relay: the workers and the test's clients connect with TLS.
    fn over_tls(tansu: &Path) -> Setup {
        let relay_port = free_port();
        let broker = Broker::start_behind(tansu, Some(relay_port));
        let relay = TlsRelay::start(relay_port, broker.port());
        Setup {
            tls: Some(relay),
            ..Setup::with_broker(broker)
        }
    }

    fn with_broker(broker: Broker) -> Setup {
        let setup = Setup {
            broker,
            input: unique("input"),
            output: unique("output"),
            dead: unique("dead"),
            group: unique("group"),
            tls: None,
            connection: Vec::new(),
        };
        setup
            .broker
            .create_topic(&setup.input, PARTITIONS.unsigned_abs());
        setup.broker.create_topic(&setup.output, 4);
        setup.broker.create_topic(&setup.dead, 1);
        setup
    }

    fn brokers(&self) -> String {
        match &self.tls {
            Some(relay) => relay.address().to_owned(),
            None => self.broker.address(),
        }
    }

    /// The `--kafka` arguments of the connection: TLS's, with the relay's authority.
    fn connection_args(&self) -> Vec<String> {
        self.tls
            .iter()
            .flat_map(TlsRelay::client_settings)
            .chain(self.connection.iter().cloned())
            .flat_map(|(key, value)| ["--kafka".to_owned(), format!("{key}={value}")])
            .collect()
    }

    /// The output topic, once it holds `count` messages and then `quiet` passes without more.
    fn all_outputs(&self, count: usize, quiet: Duration) -> Vec<Read> {
        read(&self.brokers(), &self.output, count, quiet)
    }

    fn worker(&self, name: &str) -> Worker {
        Worker::start(self, name, &[])
    }

    /// The group's committed offsets against the ends of the input's partitions.
    fn assert_committed_to_the_end(&self, landed: &[(i32, i64)]) {
        let ends = partition_ends(landed);
        let committed = committed(&self.brokers(), &self.group, &self.input, PARTITIONS);
        assert_eq!(
            committed, ends,
            "committed offsets against the partitions' ends"
        );
    }
}

/// The end of each input partition (the offset after its last message) from where the
/// produced messages landed; `None` for a partition none landed in.
fn partition_ends(landed: &[(i32, i64)]) -> Vec<Option<i64>> {
    let mut ends = vec![None; PARTITIONS.unsigned_abs() as usize];
    for (partition, offset) in landed {
        let end = &mut ends[usize::try_from(*partition).unwrap()];
        *end = Some(end.unwrap_or(0).max(offset + 1));
    }
    ends
}

/// A worker process, its standard error in a file.
struct Worker {
    child: Child,
    stderr: PathBuf,
}

impl Worker {
    /// A worker producing to the setup's output topic, with `SETTINGS` and `extra` arguments.
    fn start(setup: &Setup, name: &str, extra: &[&str]) -> Worker {
        let output = ["--output-topic", &setup.output, "--settings", SETTINGS];
        Worker::start_with(setup, name, &[&output[..], extra].concat(), &[])
    }

    /// A worker of the setup's group and topics, with these arguments and environment.
    fn start_with(setup: &Setup, name: &str, args: &[&str], env: &[(&str, &str)]) -> Worker {
        let stderr = std::env::temp_dir().join(unique(&format!("pinterest-kafka-{name}")));
        let child = executable!("pinterest-kafka")
            .args([
                "--brokers",
                &setup.brokers(),
                "--group",
                &setup.group,
                "--input-topic",
                &setup.input,
                "--dead-letter-topic",
                &setup.dead,
                "--progress",
                "0",
                // Tansu's group join waits for half of it.
                "--consumer-kafka",
                "session.timeout.ms=6000",
            ])
            .args(setup.connection_args())
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&stderr).expect("a file for standard error"))
            .spawn()
            .expect("pinterest-kafka starts");
        Worker { child, stderr }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Stops the worker with SIGTERM; its exit status and standard error.
    fn terminate(mut self) -> (ExitStatus, String) {
        self.signal("TERM");
        let status = self.child.wait().expect("the worker ends");
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let _ = std::fs::remove_file(&self.stderr);
        (status, stderr)
    }

    /// Waits for the worker to end by itself; its exit status and standard error.
    fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().expect("the worker ends");
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let _ = std::fs::remove_file(&self.stderr);
        (status, stderr)
    }

    /// Stops the worker with SIGTERM, asserts that it exited with status 0, and returns its
    /// standard error.
    fn stop_cleanly(self) -> String {
        let (status, stderr) = self.terminate();
        assert!(status.success(), "{status:?}: {stderr}");
        stderr
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr);
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `topic` holds at least `count` messages (read as a group of its own).
fn wait_for_outputs(setup: &Setup, count: usize) -> Vec<Read> {
    read(&setup.brokers(), &setup.output, count, Duration::ZERO)
}

/// Checks the outputs against the inputs: every input's output present, equal to
/// `pinterest-map`'s line, under the input's key, each key's outputs in input order (once
/// duplicates are set aside); returns the number of duplicates.
fn check_outputs(inputs: &[(String, Option<Vec<u8>>)], outputs: &[Read]) -> Result<usize, Failed> {
    let expected: HashMap<String, (usize, &str)> = inputs
        .iter()
        .enumerate()
        .map(|(seq, (key, value))| {
            let line = expected_line(value.as_deref().unwrap_or_default());
            (line, (seq, key.as_str()))
        })
        .collect();
    let mut seen = vec![0usize; inputs.len()];
    let mut last_by_key: HashMap<&str, usize> = HashMap::new();
    for output in outputs {
        let text = String::from_utf8_lossy(&output.value).into_owned();
        let Some((seq, key)) = expected.get(&text) else {
            return Err(format!("an output no input gives: {text}").into());
        };
        if output.key.as_deref() != Some(*key) {
            return Err(format!("output {seq} has key {:?}, not {key}", output.key).into());
        }
        seen[*seq] += 1;
        if seen[*seq] == 1 {
            let last = last_by_key.entry(key).or_insert(*seq);
            if *last > *seq {
                return Err(format!("key {key}: output {seq} after output {last}").into());
            }
            *last = *seq;
        }
    }
    let missing: Vec<usize> = (0..inputs.len()).filter(|seq| seen[*seq] == 0).collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} inputs have no output, the first {:?}",
            missing.len(),
            &missing[..missing.len().min(10)]
        )
        .into());
    }
    Ok(seen.iter().map(|count| count - 1).sum())
}

/// [`check_outputs`], with the end of the worker's standard error on a failure.
fn check_outputs_showing(
    inputs: &[(String, Option<Vec<u8>>)],
    outputs: &[Read],
    stderr: &str,
) -> Result<usize, Failed> {
    check_outputs(inputs, outputs).map_err(|failed| {
        format!(
            "{failed:?}\n{}",
            &stderr[stderr.len().saturating_sub(4000)..]
        )
        .into()
    })
}

fn round_trip(tansu: &Path) -> Result<(), Failed> {
    round_trip_of(&Setup::new(tansu), 100_000)
}

fn round_trip_of(setup: &Setup, count: usize) -> Result<(), Failed> {
    let inputs = messages(count);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let worker = setup.worker("round-trip");
    let outputs = wait_for_outputs(setup, inputs.len());
    worker.stop_cleanly();
    let duplicates = check_outputs(&inputs, &outputs)?;
    assert_eq!(duplicates, 0, "a clean run sends each output once");
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

fn dead_letters(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let valid = messages(1_000);
    let secret = "jane.secret@example.com";
    let invalid: Vec<(String, Option<Vec<u8>>, &str)> = vec![
        (
            "bad-1".into(),
            Some(format!("not json {secret}").into_bytes()),
            "invalid JSON: expected a value at column 1, found a bare word",
        ),
        (
            "bad-2".into(),
            Some(vec![b'{', 0xff, b'}']),
            "not valid UTF-8 (byte 2)",
        ),
        ("bad-3".into(), None, "the message has no value"),
        ("bad-4".into(), Some(b"  ".to_vec()), "the message is blank"),
        (
            "bad-5".into(),
            Some(format!(r#"{{"type":"track","properties":{{"email":"{secret}"}}}}"#).into_bytes()),
            "track message has no `event`",
        ),
    ];
    let mut inputs = Vec::new();
    for (index, message) in valid.iter().enumerate() {
        inputs.push(message.clone());
        if index % 200 == 100 {
            let (key, value, _) = &invalid[index / 200];
            inputs.push((key.clone(), value.clone()));
        }
    }
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let worker = setup.worker("dead-letters");
    let outputs = wait_for_outputs(&setup, valid.len());
    let dead = read(&setup.brokers(), &setup.dead, invalid.len(), Duration::ZERO);
    let stderr = worker.stop_cleanly();
    assert_eq!(check_outputs(&valid, &outputs)?, 0);
    assert_eq!(dead.len(), invalid.len(), "{dead:?}");
    for (key, value, reason) in &invalid {
        let letter = dead
            .iter()
            .find(|letter| letter.key.as_deref() == Some(key.as_str()))
            .ok_or_else(|| format!("no dead letter for {key}"))?;
        assert_eq!(
            &letter.value,
            value.as_deref().unwrap_or_default(),
            "{key}: the value as it came"
        );
        assert_eq!(letter.headers["pinterest-kafka-reason"], *reason, "{key}");
        assert_eq!(
            letter.headers["pinterest-kafka-topic"], setup.input,
            "{key}"
        );
        let (partition, offset) = landed[inputs.iter().position(|(k, _)| k == key).unwrap()];
        assert_eq!(
            letter.headers["pinterest-kafka-partition"],
            partition.to_string()
        );
        assert_eq!(letter.headers["pinterest-kafka-offset"], offset.to_string());
        assert!(
            stderr.contains(&format!(
                "{}/{partition}@{offset}: {reason} (sent to {})",
                setup.input, setup.dead
            )),
            "{stderr}"
        );
    }
    assert!(
        !stderr.contains(secret),
        "a value reached standard error: {stderr}"
    );
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

fn a_batch_envelope_gives_an_output_for_each_of_its_messages(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let valid = messages(3);
    let text = |index: usize| {
        String::from_utf8_lossy(valid[index].1.as_deref().unwrap_or_default()).into_owned()
    };
    let invalid = r#"{"type":"track"}"#;
    let envelope = format!(
        r#"{{"batch":[{},{invalid},{},{}],"sentAt":"2026-11-28T12:00:00Z"}}"#,
        text(0),
        text(1),
        text(2)
    );
    let inputs = vec![("user-0".to_owned(), Some(envelope.into_bytes()))];
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let worker = setup.worker("batch");
    let outputs = wait_for_outputs(&setup, valid.len());
    let dead = read(&setup.brokers(), &setup.dead, 1, Duration::ZERO);
    worker.stop_cleanly();
    // Each under the envelope's key, in the envelope's order.
    let keyed: Vec<(String, Option<Vec<u8>>)> = valid
        .iter()
        .map(|(_, value)| ("user-0".to_owned(), value.clone()))
        .collect();
    assert_eq!(check_outputs(&keyed, &outputs)?, 0);
    assert_eq!(dead.len(), 1);
    // The message as the envelope gives it: its fields added, so that it stands alone.
    assert_eq!(
        dead[0].value,
        br#"{"type":"track","sentAt":"2026-11-28T12:00:00Z"}"#
    );
    assert_eq!(
        dead[0].headers["pinterest-kafka-reason"],
        "batch[1]: track message has no `event`"
    );
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// A track message of about `size` bytes: a long `order_id`.
fn large_message(size: usize) -> Vec<u8> {
    format!(
        r#"{{"type":"track","event":"Order Completed","properties":{{"order_id":"{}"}}}}"#,
        "x".repeat(size)
    )
    .into_bytes()
}

fn messages_larger_than_the_producer_takes_are_dead_letters_cut_to_fit(
    tansu: &Path,
) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let valid = messages(200);
    let large_value = large_message(3 << 20);
    let large_key = "k".repeat(2 << 20);
    let small = large_message(10);
    let mut inputs = valid[..100].to_vec();
    inputs.push(("large-value".to_owned(), Some(large_value.clone())));
    inputs.push((large_key.clone(), Some(small.clone())));
    inputs.extend_from_slice(&valid[100..]);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let worker = setup.worker("too-large");
    let outputs = wait_for_outputs(&setup, valid.len());
    let dead = read(&setup.brokers(), &setup.dead, 2, Duration::ZERO);
    let stderr = worker.stop_cleanly();
    assert_eq!(check_outputs(&valid, &outputs)?, 0);
    assert_eq!(dead.len(), 2, "{stderr}");
    let reason = format!(
        "the output cannot be produced to {}: Message production error: MessageSizeTooLarge \
         (Broker: Message size too large)",
        setup.output
    );
    let letter = dead
        .iter()
        .find(|letter| letter.key.as_deref() == Some("large-value"))
        .ok_or("no dead letter for the large value")?;
    assert_eq!(letter.value, large_value[..64 * 1024]);
    assert_eq!(
        letter.headers["pinterest-kafka-truncated"],
        format!("value={},key=11", large_value.len())
    );
    assert_eq!(letter.headers["pinterest-kafka-reason"], reason);
    let (partition, offset) = landed[100];
    assert_eq!(letter.headers["pinterest-kafka-offset"], offset.to_string());
    assert!(
        stderr.contains(&format!(
            "{}/{partition}@{offset}: {reason} (sent to {}, cut to fit: 65536 of {} bytes)",
            setup.input,
            setup.dead,
            large_value.len()
        )),
        "{stderr}"
    );
    let letter = dead
        .iter()
        .find(|letter| letter.key.as_deref() != Some("large-value"))
        .ok_or("no dead letter for the large key")?;
    assert_eq!(letter.key.as_deref(), Some(&large_key[..1024]));
    assert_eq!(letter.value, small);
    assert_eq!(
        letter.headers["pinterest-kafka-truncated"],
        format!("value={},key={}", small.len(), large_key.len())
    );
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

fn a_message_that_can_end_nowhere_stops_the_worker_uncommitted(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let valid = messages(20);
    let mut inputs = valid[..10].to_vec();
    inputs.push(("large".to_owned(), Some(large_message(1 << 20))));
    inputs.extend_from_slice(&valid[10..]);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    // Not even a dead letter cut to fit (64 KiB) is taken.
    let mut worker = Worker::start(
        &setup,
        "ends-nowhere",
        &["--kafka", "message.max.bytes=20000"],
    );
    let status = worker.child.wait().expect("the worker ends");
    let stderr = std::fs::read_to_string(&worker.stderr).unwrap_or_default();
    assert_eq!(status.code(), Some(1), "{stderr}");
    let (partition, offset) = landed[10];
    let at = format!("{}/{partition}@{offset}", setup.input);
    assert!(
        stderr.contains(&format!(
            "stopped: {at}: the output cannot be produced to {}: Message production error: \
             MessageSizeTooLarge (Broker: Message size too large), and its dead letter cannot be \
             produced: the output cannot be produced to {}: Message production error: \
             MessageSizeTooLarge (Broker: Message size too large); that message is not committed \
             and will be read again",
            setup.output, setup.dead
        )),
        "{stderr}"
    );
    let committed = committed(&setup.brokers(), &setup.group, &setup.input, PARTITIONS);
    let on_its_partition = committed[usize::try_from(partition).unwrap()];
    assert!(
        on_its_partition.is_none_or(|committed| committed <= offset),
        "committed {on_its_partition:?} past the message at {offset}"
    );
    Ok(())
}

/// Starts a worker, and once `after` outputs are out, ends it with `stop`; then a second
/// worker finishes the input. Nothing may be missing; duplicates are bounded by what the
/// first worker had in flight.
fn stopped_midstream(setup: &Setup, stop: fn(Worker)) -> Result<usize, Failed> {
    let inputs = messages(30_000);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let first = setup.worker("first");
    wait_for_outputs(setup, 5_000);
    stop(first);
    let second = setup.worker("second");
    let outputs = setup.all_outputs(inputs.len(), Duration::from_secs(2));
    second.stop_cleanly();
    let duplicates = check_outputs(&inputs, &outputs)?;
    setup.assert_committed_to_the_end(&landed);
    Ok(duplicates)
}

fn sigterm_commits_what_is_in_flight(tansu: &Path) -> Result<(), Failed> {
    sigterm_midstream(&Setup::new(tansu))
}

fn sigterm_midstream(setup: &Setup) -> Result<(), Failed> {
    let duplicates = stopped_midstream(setup, |worker| {
        let stderr = worker.stop_cleanly();
        assert!(stderr.contains("stopped after"), "{stderr}");
    })?;
    assert_eq!(
        duplicates, 0,
        "SIGTERM delivers and commits everything in flight"
    );
    Ok(())
}

fn sigkill_loses_nothing(tansu: &Path) -> Result<(), Failed> {
    sigkill_midstream(&Setup::new(tansu))
}

fn sigkill_midstream(setup: &Setup) -> Result<(), Failed> {
    let duplicates = stopped_midstream(setup, Worker::kill)?;
    // At most what was read since the last commit: a second of input.
    assert!(duplicates < 30_000, "{duplicates} duplicates");
    Ok(())
}

fn a_second_worker_joins(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let inputs = messages(60_000);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let first = setup.worker("first");
    wait_for_outputs(&setup, 5_000);
    let second = setup.worker("second");
    let outputs = setup.all_outputs(inputs.len(), Duration::from_secs(2));
    first.stop_cleanly();
    second.stop_cleanly();
    check_outputs(&inputs, &outputs)?;
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// The network to the broker fails mid-stream for longer than a delivery may take: the
/// worker's deliveries fail, their offsets are not committed (else their outputs would be
/// missing at the end), and once the network is back the worker reads those messages again
/// by itself.
fn a_network_failure_holds_the_commits_and_the_worker_recovers(tansu: &Path) -> Result<(), Failed> {
    let relay_port = free_port();
    let broker = Broker::start_behind(tansu, Some(relay_port));
    let relay = Relay::start(relay_port, broker.port());
    let setup = Setup::with_broker(broker);
    let inputs = messages(30_000);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let worker = Worker::start(
        &setup,
        "network",
        &[
            "--kafka",
            "message.timeout.ms=2000",
            "--kafka",
            "socket.timeout.ms=1000",
        ],
    );
    wait_for_outputs(&setup, 3_000);
    relay.cut();
    std::thread::sleep(Duration::from_secs(5));
    relay.mend();
    let outputs = setup.all_outputs(inputs.len(), Duration::from_secs(3));
    let stderr = worker.stop_cleanly();
    // Deliveries failed, and had their offsets been committed, their outputs would be missing.
    assert!(stderr.contains("output not delivered"), "{stderr}");
    check_outputs_showing(&inputs, &outputs, &stderr)?;
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// `--send`: every message's event reaches Pinterest (the fake, on 127.0.0.1), the events it
/// refuses go to the dead letters with its answer, and the offsets are committed to the end.
fn send_commits_accepted_and_dead_lettered_events(tansu: &Path) -> Result<(), Failed> {
    use fake_pinterest::{AD_ACCOUNT, FakePinterest, TOKEN, refusing};

    const REFUSED: &[&str] = &["m-7", "m-1234", "m-2999"];
    let fake = FakePinterest::start(refusing(REFUSED));
    let setup = Setup::new(tansu);
    let inputs: Vec<(String, Option<Vec<u8>>)> = (0..3_000)
        .map(|seq| {
            let value = format!(
                r#"{{"type":"track","event":"Order Completed","messageId":"m-{seq}","timestamp":"2026-11-28T12:00:00Z","context":{{"traits":{{"email":"user{seq}@example.com"}}}},"properties":{{"order_id":"o-{seq}","revenue":{seq}.5}}}}"#
            );
            (format!("user-{}", seq % 97), Some(value.into_bytes()))
        })
        .collect();
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let settings = format!(
        r#"{{"tid":"2620795819800","mapMessageIdToEventId":true,"ad_account_id":"{AD_ACCOUNT}"}}"#
    );
    let url = fake.url();
    let port = free_port();
    let metrics_address = format!("127.0.0.1:{port}");
    let worker = Worker::start_with(
        &setup,
        "send",
        &[
            "--send",
            "--api-url",
            &url,
            "--now",
            "2026-11-28T12:05:00Z",
            "--settings",
            &settings,
            "--metrics",
            &metrics_address,
        ],
        &[("PINTEREST_CONVERSION_TOKEN", TOKEN)],
    );
    let dead = read(&setup.brokers(), &setup.dead, REFUSED.len(), Duration::ZERO);
    let metrics = wait_for_metric(port, "pinterest_kafka_events_accepted_total", 2_997);
    let stderr = worker.stop_cleanly();
    assert_eq!(
        metric(&metrics, "pinterest_kafka_events_rejected_total"),
        3,
        "{metrics}"
    );
    let requests = metric(&metrics, "pinterest_kafka_capi_requests_total");
    assert_eq!(
        requests,
        i64::try_from(fake.requests().len())?,
        "every request counted: {metrics}"
    );
    assert!(
        metric(&metrics, "pinterest_kafka_capi_request_events_total") >= 3_000,
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "pinterest_kafka_capi_request_seconds_count"),
        requests,
        "{metrics}"
    );
    let mut received: Vec<String> = fake
        .requests()
        .iter()
        .flat_map(fake_pinterest::Request::event_ids)
        .collect();
    received.sort_unstable();
    received.dedup();
    assert_eq!(
        received.len(),
        inputs.len(),
        "every event reached Pinterest"
    );
    assert_eq!(dead.len(), REFUSED.len(), "{dead:?}");
    for id in REFUSED {
        let letter = dead
            .iter()
            .find(|letter| {
                String::from_utf8_lossy(&letter.value).contains(&format!(r#""event_id":"{id}""#))
            })
            .ok_or_else(|| format!("no dead letter for {id}"))?;
        assert_eq!(
            letter.headers["pinterest-kafka-reason"],
            "rejected by Pinterest (HTTP 422): Invalid event"
        );
        assert_eq!(
            letter.headers["pinterest-kafka-payload"],
            "conversions-api-event"
        );
    }
    assert!(
        !stderr.contains("@example.com"),
        "a value reached standard error: {stderr}"
    );
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// The broker is restarted mid-stream (SQLite storage: topics, records and committed offsets
/// survive): the worker reconnects by itself and finishes, nothing missing.
fn the_worker_recovers_from_a_broker_restart(tansu: &Path) -> Result<(), Failed> {
    let mut setup = Setup::with_broker(Broker::start_durable(tansu));
    let inputs = messages(20_000);
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let worker = setup.worker("restart");
    wait_for_outputs(&setup, 3_000);
    setup.broker.restart(Duration::from_secs(2));
    let outputs = setup.all_outputs(inputs.len(), Duration::from_secs(3));
    let stderr = worker.stop_cleanly();
    check_outputs_showing(&inputs, &outputs, &stderr)?;
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// A test against a broker started from the Tansu binary given.
/// Over TLS (a relay with a certificate made for the test, the worker given its authority):
/// the round trip, then a SIGTERM and a SIGKILL mid-stream, each followed by a second worker.
fn the_worker_connects_over_tls(tansu: &Path) -> Result<(), Failed> {
    round_trip_of(&Setup::over_tls(tansu), 20_000)?;
    sigterm_midstream(&Setup::over_tls(tansu))?;
    sigkill_midstream(&Setup::over_tls(tansu))
}

/// Runs a worker of the setup's group from `input` until it stops by itself; its exit status
/// and standard error.
fn run_to_end(setup: &Setup, input: &str, args: &[&str]) -> (Option<i32>, String) {
    let output = executable!("pinterest-kafka")
        .args(["--brokers", &setup.brokers(), "--group", &setup.group])
        .args(["--input-topic", input, "--output-topic", &setup.output])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the worker runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// Without the authority, the worker refuses the relay's certificate: said, and given up.
fn an_unknown_certificate_is_refused(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::over_tls(tansu);
    let arguments = ["--kafka", "security.protocol=SSL", "--startup-timeout", "3"];
    let (status, stderr) = run_to_end(&setup, &setup.input, &arguments);
    assert_eq!(status, Some(4), "{stderr}");
    assert!(stderr.contains("certificate verify failed"), "{stderr}");
    assert!(stderr.lines().count() <= 10, "{stderr}");
    Ok(())
}

/// Input produced by another client with each compression codec: every message mapped.
fn every_compression_codec_is_read(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let inputs = messages(4_000);
    let mut landed = Vec::new();
    for (codec, part) in ["gzip", "snappy", "lz4", "zstd"]
        .into_iter()
        .zip(inputs.chunks(1_000))
    {
        landed.extend(produce_with(
            &setup.brokers(),
            &setup.input,
            part,
            &[("compression.codec", codec)],
        ));
    }
    let worker = setup.worker("codecs");
    let outputs = wait_for_outputs(&setup, inputs.len());
    let stderr = worker.stop_cleanly();
    let duplicates = check_outputs_showing(&inputs, &outputs, &stderr)?;
    assert_eq!(duplicates, 0);
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// A worker whose input topic does not exist says so once and gives up with status 4.
fn a_missing_input_topic_is_said_and_given_up(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let missing = unique("missing");
    let (status, stderr) = run_to_end(&setup, &missing, &["--startup-timeout", "4"]);
    assert_eq!(status, Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "pinterest-kafka: the input topic {missing} does not exist: waiting for it until 4 s \
             after the start (--startup-timeout)\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "pinterest-kafka: stopped: the input topic {missing} does not exist at {} 4 s after \
             the start\n",
            setup.brokers()
        )),
        "{stderr}"
    );
    assert!(stderr.lines().count() <= 6, "{stderr}");

    // A job that drains a topic ends as soon as it is idle, even when it never could read.
    let (status, stderr) = run_to_end(
        &setup,
        &missing,
        &["--stop-when-idle", "2", "--startup-timeout", "0"],
    );
    assert_eq!(status, Some(4), "{stderr}");
    assert!(
        stderr.ends_with(&format!(
            "pinterest-kafka: stopped: the input topic {missing} does not exist at {} 2 s after \
             the start\n",
            setup.brokers()
        )),
        "{stderr}"
    );
    Ok(())
}

/// SASL SCRAM-SHA-512 over TLS, as managed clusters ask (Tansu with SQLite storage, where its
/// users are kept): the round trip; then a wrong password, said and given up with status 4.
fn the_worker_authenticates_with_scram_over_tls(tansu: &Path) -> Result<(), Failed> {
    let relay_port = free_port();
    let mut setup = Setup::with_broker(Broker::start_durable_behind(tansu, Some(relay_port)));
    setup.broker.require_scram("worker", "s3cret-passw0rd");
    let relay = TlsRelay::start(relay_port, setup.broker.port());
    let sasl = |password: &str| {
        [
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", "worker"),
            ("sasl.password", password),
        ]
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .to_vec()
    };
    kafka_broker::register_connection(relay.address(), sasl("s3cret-passw0rd"));
    setup.tls = Some(relay);
    setup.connection = sasl("s3cret-passw0rd");
    round_trip_of(&setup, 5_000)?;

    setup.connection = sasl("wr0ng-Passw0rd-Q7");
    setup.group = unique("group");
    let worker = Worker::start(&setup, "wrong-password", &["--startup-timeout", "3"]);
    let (status, stderr) = worker.wait();
    assert_eq!(status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("Authentication failure"), "{stderr}");
    assert!(
        !stderr.contains("wr0ng-Passw0rd-Q7"),
        "the password is never said: {stderr}"
    );
    Ok(())
}

/// A metric's value in Prometheus's text format: the sum over the lines of the family
/// `name` (every partition's, for a gauge per partition).
fn metric(text: &str, name: &str) -> i64 {
    text.lines()
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|value| value as i64)
        .sum()
}

/// `--format capi --dead-letter-unsendable`: a message that cannot become an event (here: no
/// user identity) still gives its output line (`[]`), and goes to the dead letters as the
/// Segment message it is, with why; the metrics count it by reason.
fn unsendable_messages_are_dead_letters_when_asked(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let inputs: Vec<(String, Option<Vec<u8>>)> = (0..200)
        .map(|seq| {
            let identity = if seq % 50 == 7 {
                String::new()
            } else {
                format!(r#","context":{{"traits":{{"email":"user{seq}@example.com"}}}}"#)
            };
            let value = format!(
                r#"{{"type":"track","event":"Order Completed","messageId":"m-{seq}","timestamp":"2026-11-28T12:00:00Z"{identity},"properties":{{"order_id":"o-{seq}"}}}}"#
            );
            (format!("user-{seq}"), Some(value.into_bytes()))
        })
        .collect();
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let port = free_port();
    let metrics_address = format!("127.0.0.1:{port}");
    let worker = Worker::start_with(
        &setup,
        "unsendable",
        &[
            "--output-topic",
            &setup.output,
            "--format",
            "capi",
            "--now",
            "2026-11-28T12:05:00Z",
            "--dead-letter-unsendable",
            "--metrics",
            &metrics_address,
        ],
        &[],
    );
    let outputs = wait_for_outputs(&setup, inputs.len());
    let dead = read(&setup.brokers(), &setup.dead, 4, Duration::ZERO);
    let metrics = wait_for_metric(port, "pinterest_kafka_committed_offset", 200);
    let stderr = worker.stop_cleanly();
    assert_eq!(outputs.len(), 200, "{stderr}");
    assert_eq!(
        outputs
            .iter()
            .filter(|output| output.value == b"[]")
            .count(),
        4
    );
    assert_eq!(dead.len(), 4, "{dead:?}");
    for letter in &dead {
        assert_eq!(letter.headers["pinterest-kafka-payload"], "segment-message");
        assert_eq!(
            letter.headers["pinterest-kafka-reason"],
            "cannot be sent to the Conversions API: no user identity: the Conversions API \
             needs an email (`em`), a mobile advertising id (`hashed_maids`), or both an IP \
             address and a user agent"
        );
        assert!(String::from_utf8_lossy(&letter.value).contains(r#""type":"track""#));
    }
    assert!(
        metrics.contains("pinterest_kafka_events_unsendable_total{reason=\"no user identity\"} 4"),
        "{metrics}"
    );
    assert!(!stderr.contains("@example.com"), "{stderr}");
    setup.assert_committed_to_the_end(&landed);
    Ok(())
}

/// `/metrics`, once `name` has reached `expected` (or the patience ran out).
fn wait_for_metric(port: u16, name: &str, expected: i64) -> String {
    let deadline = std::time::Instant::now() + kafka_broker::PATIENCE;
    loop {
        let text = http_get(port, "/metrics")
            .map(|(_, body)| body)
            .unwrap_or_default();
        if metric(&text, name) == expected || std::time::Instant::now() >= deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `--metrics`: `/readyz` answers 503 before the partitions are assigned and 200 after;
/// `/metrics`, scraped during the run and after it, counts what the test counts itself
/// (messages, outputs, dead letters), and the committed offsets it shows are those the group
/// has, read from outside the worker.
fn metrics_count_what_the_worker_did(tansu: &Path) -> Result<(), Failed> {
    let setup = Setup::new(tansu);
    let mut inputs = messages(3_000);
    for index in 0..6 {
        inputs.insert(
            index * 500,
            (format!("bad-{index}"), Some(b"not json".to_vec())),
        );
    }
    let landed = produce(&setup.brokers(), &setup.input, &inputs);
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let worker = Worker::start(&setup, "metrics", &["--metrics", &address]);
    let deadline = std::time::Instant::now() + kafka_broker::PATIENCE;
    let mut readiness = Vec::new();
    while readiness.last() != Some(&200) && std::time::Instant::now() < deadline {
        if let Some((status, _)) = http_get(port, "/readyz") {
            readiness.push(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(readiness.first(), Some(&503), "{readiness:?}");
    assert_eq!(readiness.last(), Some(&200), "{readiness:?}");
    assert_eq!(http_get(port, "/healthz"), Some((200, "ok\n".to_owned())));
    let (status, during) = http_get(port, "/metrics").ok_or("no metrics")?;
    assert_eq!(status, 200, "{during}");
    assert!(
        metric(&during, "pinterest_kafka_messages_consumed_total") <= 3_006,
        "{during}"
    );
    assert!(during.contains("process_resident_memory_bytes"), "{during}");

    let outputs = wait_for_outputs(&setup, 3_000);
    let ends: i64 = partition_ends(&landed).into_iter().flatten().sum();
    // Offsets are committed every second: the metrics show it once done.
    let mut after = String::new();
    while std::time::Instant::now() < deadline {
        after = http_get(port, "/metrics").ok_or("no metrics")?.1;
        if metric(&after, "pinterest_kafka_committed_offset") == ends {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for (name, expected) in [
        ("pinterest_kafka_messages_consumed_total", 3_006),
        ("pinterest_kafka_messages_mapped_total", 3_000),
        ("pinterest_kafka_messages_invalid_total", 6),
        ("pinterest_kafka_outputs_produced_total", 3_006),
        ("pinterest_kafka_outputs_acknowledged_total", 3_006),
        ("pinterest_kafka_dead_letters_total", 6),
        ("pinterest_kafka_failed_deliveries_total", 0),
        ("pinterest_kafka_partitions_assigned", 4),
        ("pinterest_kafka_committed_offset", ends),
    ] {
        assert_eq!(metric(&after, name), expected, "{name}: {after}");
    }
    let committed = committed(&setup.brokers(), &setup.group, &setup.input, PARTITIONS);
    for (partition, offset) in committed.iter().enumerate() {
        let line = format!(
            "pinterest_kafka_committed_offset{{partition=\"{partition}\",topic=\"{}\"}} {}",
            setup.input,
            offset.unwrap_or(-1)
        );
        assert!(after.contains(&line), "{line}: {after}");
    }
    assert_eq!(outputs.len(), 3_000);
    worker.stop_cleanly();
    Ok(())
}

type Test = fn(&Path) -> Result<(), Failed>;

fn main() -> ExitCode {
    let arguments = libtest_mimic::Arguments::from_args();
    let required = std::env::var("PINTEREST_KAFKA_TEST").as_deref() == Ok("required");
    let memory = kafka_broker::tansu();
    let durable = kafka_broker::tansu_durable();
    if !arguments.list && !required {
        if memory.is_none() {
            eprintln!(
                "Kafka tests ignored: no Tansu broker (.ci/run installs it; or set TANSU to \
                 its path)"
            );
        }
        if durable.is_none() {
            eprintln!(
                "broker restart test ignored: no Tansu with SQLite storage (.ci/run builds it; \
                 or set TANSU_DURABLE to its path)"
            );
        }
    }
    let tests: [(&str, Test); 16] = [
        (
            "unsendable_messages_are_dead_letters_when_asked",
            unsendable_messages_are_dead_letters_when_asked,
        ),
        (
            "metrics_count_what_the_worker_did",
            metrics_count_what_the_worker_did,
        ),
        ("the_worker_connects_over_tls", the_worker_connects_over_tls),
        (
            "an_unknown_certificate_is_refused",
            an_unknown_certificate_is_refused,
        ),
        (
            "every_compression_codec_is_read",
            every_compression_codec_is_read,
        ),
        (
            "a_missing_input_topic_is_said_and_given_up",
            a_missing_input_topic_is_said_and_given_up,
        ),
        ("round_trip_of_100000_keyed_messages", round_trip),
        ("invalid_messages_go_to_the_dead_letter_topic", dead_letters),
        (
            "a_batch_envelope_gives_an_output_for_each_of_its_messages",
            a_batch_envelope_gives_an_output_for_each_of_its_messages,
        ),
        (
            "messages_larger_than_the_producer_takes_are_dead_letters_cut_to_fit",
            messages_larger_than_the_producer_takes_are_dead_letters_cut_to_fit,
        ),
        (
            "a_message_that_can_end_nowhere_stops_the_worker_uncommitted",
            a_message_that_can_end_nowhere_stops_the_worker_uncommitted,
        ),
        (
            "sigterm_commits_what_is_in_flight",
            sigterm_commits_what_is_in_flight,
        ),
        ("a_killed_worker_loses_nothing", sigkill_loses_nothing),
        ("a_second_worker_joins_midstream", a_second_worker_joins),
        (
            "send_commits_accepted_and_dead_lettered_events",
            send_commits_accepted_and_dead_lettered_events,
        ),
        (
            "a_network_failure_holds_the_commits_and_the_worker_recovers",
            a_network_failure_holds_the_commits_and_the_worker_recovers,
        ),
    ];
    let durable_tests: [(&str, Test); 2] = [
        (
            "the_worker_recovers_from_a_broker_restart",
            the_worker_recovers_from_a_broker_restart,
        ),
        (
            "the_worker_authenticates_with_scram_over_tls",
            the_worker_authenticates_with_scram_over_tls,
        ),
    ];
    let trial = |name: &str, test: Test, broker: Option<PathBuf>, variable: &'static str| {
        let ignored = broker.is_none() && !required;
        Trial::test(name, move || {
            let broker = broker.ok_or_else(|| {
                format!("{variable}: the broker is required (PINTEREST_KAFKA_TEST=required) and was not found")
            })?;
            test(&broker)
        })
        .with_ignored_flag(ignored)
    };
    let trials = tests
        .into_iter()
        .map(|(name, test)| trial(name, test, memory.clone(), "TANSU"))
        .chain(
            durable_tests
                .into_iter()
                .map(|(name, test)| trial(name, test, durable.clone(), "TANSU_DURABLE")),
        )
        .collect();
    libtest_mimic::run(&arguments, trials).exit_code()
}
