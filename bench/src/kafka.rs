//! `pinterest-kafka` against a plain consume-and-produce passthrough built on the same client
//! (rdkafka, the same settings: a consumer group, `acks=all`, an idempotent producer, offsets
//! committed every second), on the same broker and workload; and two workers against one.
//! The broker is Tansu (`$TANSU`, which `.ci/tansu` installs); without it the section says so.
//! Each run is timed from its first message read to its last (joining the group left out),
//! and the best of three rounds is kept.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::Message;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::{Report, fail};

use kafka_broker::{Broker, produce, unique};

/// Rounds of each measure.
const ROUNDS: usize = 3;

/// How long the passthrough waits with nothing more to read before it counts itself done.
const IDLE: Duration = Duration::from_millis(500);

/// `--stop-when-idle` of the workers: long enough for their first fetch after joining.
const WORKER_IDLE: &str = "5";

/// The group's session timeout (Tansu's join waits for half of it). Each run is timed from
/// its first message read to its last, so that joining the group is left out.
const SESSION: &str = "session.timeout.ms=6000";

pub(crate) fn throughput(report: &mut Report, worker: &Path, lines: &[&str]) {
    report.section("10. Kafka (`pinterest-kafka` against a passthrough, on a Tansu broker)");
    let Some(tansu) = kafka_broker::tansu() else {
        report.row(
            "skipped",
            "no Tansu broker: run `.ci/tansu` and set TANSU to its output",
        );
        return;
    };
    let broker = Broker::start(&tansu);
    let brokers = broker.address();
    let input = unique("bench-input");
    broker.create_topic(&input, 4);
    let messages: Vec<(String, Option<Vec<u8>>)> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            (
                format!("user-{}", index % 1000),
                Some(line.as_bytes().to_vec()),
            )
        })
        .collect();
    produce(&brokers, &input, &messages);
    let count = messages.len();

    // Best of three rounds, interleaved: a round can take a rebalance (a group's join on
    // Tansu sometimes settles only at the second try).
    let (mut passthrough_time, mut one, mut two) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        passthrough_time =
            passthrough_time.min(passthrough(&brokers, &input, &unique("bench-copy")));
        one = one.min(run_workers(worker, &brokers, &input, 1));
        two = two.min(run_workers(worker, &brokers, &input, 2));
    }
    let passthrough = passthrough_time;
    let rate = |time: Duration| format!("{:.0} messages/s", count as f64 / time.as_secs_f64());
    report.row(
        &format!("passthrough, {count} messages over 4 partitions"),
        rate(passthrough),
    );
    report.row("pinterest-kafka, one worker", rate(one));
    report.row("pinterest-kafka, two workers", rate(two));
    report.target(
        "one worker / passthrough",
        passthrough.as_secs_f64() / one.as_secs_f64(),
        "≥",
        0.8,
    );
    report.row(
        "two workers / one worker",
        format!("{:.2}", one.as_secs_f64() / two.as_secs_f64()),
    );
}

/// Copies `input` to `output` as one group member; the time from the start to the last
/// message's delivery (the idle wait left out).
fn passthrough(brokers: &str, input: &str, output: &str) -> Duration {
    let (key, value) = SESSION.split_once('=').unwrap_or_default();
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", unique("bench-passthrough"))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set(key, value)
        .create()
        .unwrap_or_else(|error| fail(Path::new(brokers), &error));
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .create()
        .unwrap_or_else(|error| fail(Path::new(brokers), &error));
    consumer
        .subscribe(&[input])
        .unwrap_or_else(|error| fail(Path::new(input), &error));
    let mut reading: Option<(Instant, Instant)> = None;
    let mut last_commit = Instant::now();
    loop {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(message)) => {
                let now = Instant::now();
                reading = Some(reading.map_or((now, now), |(first, _)| (first, now)));
                let mut record =
                    BaseRecord::to(output).payload(message.payload().unwrap_or_default());
                if let Some(key) = message.key() {
                    record = record.key(key);
                }
                while let Err((_, back)) = producer.send(record) {
                    record = back;
                    producer.poll(Duration::from_millis(10));
                }
                let _ = consumer.store_offset_from_message(&message);
            }
            Some(Err(_)) => {}
            None if reading.is_some_and(|(_, last)| last.elapsed() >= IDLE) => break,
            None => {}
        }
        producer.poll(Duration::ZERO);
        if last_commit.elapsed() >= Duration::from_secs(1) {
            let _ = consumer.commit_consumer_state(CommitMode::Async);
            last_commit = Instant::now();
        }
    }
    let _ = producer.flush(Duration::from_secs(60));
    let _ = consumer.commit_consumer_state(CommitMode::Sync);
    reading.map_or(Duration::ZERO, |(first, last)| last - first)
}

/// Runs `count` workers of a new group over `input` until it is drained; the longest time a
/// worker read, from its first message to its last, as its summary says.
fn run_workers(worker: &Path, brokers: &str, input: &str, count: usize) -> Duration {
    let group = unique("bench-workers");
    let output = unique("bench-output");
    let children: Vec<_> = (0..count)
        .map(|_| {
            Command::new(worker)
                .args([
                    "--brokers",
                    brokers,
                    "--group",
                    &group,
                    "--input-topic",
                    input,
                    "--output-topic",
                    &output,
                    "--progress",
                    "0",
                    "--stop-when-idle",
                    WORKER_IDLE,
                    "--kafka",
                    SESSION,
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|error| fail(worker, &error))
        })
        .collect();
    let mut longest = Duration::ZERO;
    for child in children {
        let output = child
            .wait_with_output()
            .unwrap_or_else(|error| fail(worker, &error));
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            fail(worker, &format!("exited with {}: {stderr}", output.status));
        }
        let seconds = stderr
            .split(" s from the first message read")
            .next()
            .and_then(|before| before.rsplit(' ').next())
            .and_then(|seconds| seconds.parse::<f64>().ok())
            .unwrap_or_else(|| fail(worker, &format!("no reading time in its summary: {stderr}")));
        longest = longest.max(Duration::from_secs_f64(seconds));
    }
    longest
}
