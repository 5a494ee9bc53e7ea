//! `pinterest-kafka` against a plain consume-and-produce passthrough built on the same client
//! (rdkafka, the same settings: a consumer group, `acks=all`, an idempotent producer, offsets
//! committed every second), on the same broker and workload; and two workers against one.
//! The broker is Tansu (`$TANSU`, which `.ci/tansu` installs); without it the section says so.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::Message;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::{Report, fail};

#[allow(dead_code, unreachable_pub)]
#[path = "../../pinterest-kafka/tests/broker/mod.rs"]
mod broker;

use broker::{Broker, produce, unique};

/// How long a run waits with nothing to read before it counts itself done.
const IDLE: Duration = Duration::from_millis(500);

/// Group settings for a quick join (Tansu's join waits for half the session timeout).
const SESSION: &str = "session.timeout.ms=1000";

pub(crate) fn throughput(report: &mut Report, worker: &Path, lines: &[&str]) {
    report.section("10. Kafka (`pinterest-kafka` against a passthrough, on a Tansu broker)");
    let Some(tansu) = broker::tansu() else {
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

    let passthrough = passthrough(&brokers, &input, &unique("bench-copy"));
    let one = run_workers(worker, &brokers, &input, 1);
    let two = run_workers(worker, &brokers, &input, 2);
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
    let started = Instant::now();
    let mut last_message = None;
    let mut last_commit = Instant::now();
    let mut read_any = false;
    loop {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(message)) => {
                read_any = true;
                last_message = Some(Instant::now());
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
            None if read_any && last_message.is_some_and(|at| at.elapsed() >= IDLE) => break,
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
    started.elapsed() - IDLE
}

/// Runs `count` workers of a new group over `input` until it is drained; the time from their
/// start to their end, the idle wait left out.
fn run_workers(worker: &Path, brokers: &str, input: &str, count: usize) -> Duration {
    let group = unique("bench-workers");
    let output = unique("bench-output");
    let idle = format!("{}", IDLE.as_secs_f64());
    let started = Instant::now();
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
                    "--quiet",
                    "--progress",
                    "0",
                    "--stop-when-idle",
                    &idle,
                    "--kafka",
                    SESSION,
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .unwrap_or_else(|error| fail(worker, &error))
        })
        .collect();
    for mut child in children {
        let status = child.wait().unwrap_or_else(|error| fail(worker, &error));
        if !status.success() {
            fail(worker, &format!("exited with {status}"));
        }
    }
    started.elapsed() - IDLE
}
