//! `pinterest-kafka` against a plain consume-and-produce passthrough built on the same client
//! (rdkafka, the same settings: a consumer group, `acks=all`, an idempotent producer, offsets
//! committed every second, the worker's fetching ahead and batching), on the same broker and
//! workload; and two workers against one.
//! The broker is Tansu (`$TANSU`, which `.ci/tansu` installs); without it the section says so.
//! Each run is timed from its first message read to its last (joining the group left out),
//! and the best of three rounds is kept. The same measures over TLS (through a relay in front
//! of the broker), and one worker with `--metrics` against one without.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::Message;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::{Report, fail};

use kafka_broker::{Broker, TlsRelay, free_port, produce, unique};

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
    let count = messages.len();
    // The same broker twice: reached directly, and over TLS through a relay in front of it
    // (Tansu speaks plain Kafka only), each with the workload in a topic of 4 partitions.
    let plain_broker = Broker::start(&tansu);
    let plain = Via::direct(&plain_broker, &messages);
    let relay_port = free_port();
    let tls_broker = Broker::start_behind(&tansu, Some(relay_port));
    let relay = TlsRelay::start(relay_port, tls_broker.port());
    let tls = Via::over_tls(&tls_broker, &relay, &messages);

    // Best of three rounds, interleaved: a round can take a rebalance (a group's join on
    // Tansu sometimes settles only at the second try).
    let mut best = [Duration::MAX; 6];
    for _ in 0..ROUNDS {
        let times = [
            passthrough(&plain),
            run_workers(worker, &plain, 1, false),
            run_workers(worker, &plain, 1, true),
            run_workers(worker, &plain, 2, false),
            passthrough(&tls),
            run_workers(worker, &tls, 1, false),
        ];
        for (best, time) in best.iter_mut().zip(times) {
            *best = (*best).min(time);
        }
    }
    let [passthrough, one, one_metrics, two, tls_passthrough, tls_one] = best;
    let rate = |time: Duration| format!("{:.0} messages/s", count as f64 / time.as_secs_f64());
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    report.row(
        &format!("passthrough, {count} messages over 4 partitions"),
        rate(passthrough),
    );
    report.row("pinterest-kafka, one worker", rate(one));
    report.row(
        "pinterest-kafka, one worker with --metrics",
        rate(one_metrics),
    );
    report.row("pinterest-kafka, two workers", rate(two));
    report.row("passthrough over TLS", rate(tls_passthrough));
    report.row("pinterest-kafka over TLS, one worker", rate(tls_one));
    report.target(
        "one worker / passthrough",
        ratio(passthrough, one),
        "≥",
        0.8,
    );
    report.target(
        "over TLS: one worker / passthrough",
        ratio(tls_passthrough, tls_one),
        "≥",
        0.8,
    );
    report.target(
        "one worker: with --metrics / without",
        ratio(one, one_metrics),
        "≥",
        0.97,
    );
    report.row(
        "two workers / one worker",
        format!("{:.2}", ratio(one, two)),
    );
}

/// How the clients reach a broker holding the workload's topic: the brokers' address and the
/// settings of the connection (TLS's, through a relay).
struct Via {
    brokers: String,
    input: String,
    settings: Vec<(String, String)>,
}

impl Via {
    fn direct(broker: &Broker, messages: &[(String, Option<Vec<u8>>)]) -> Via {
        Via::with_topic(broker, broker.address(), Vec::new(), messages)
    }

    fn over_tls(broker: &Broker, relay: &TlsRelay, messages: &[(String, Option<Vec<u8>>)]) -> Via {
        Via::with_topic(
            broker,
            relay.address().to_owned(),
            relay.client_settings(),
            messages,
        )
    }

    fn with_topic(
        broker: &Broker,
        brokers: String,
        settings: Vec<(String, String)>,
        messages: &[(String, Option<Vec<u8>>)],
    ) -> Via {
        let input = unique("bench-input");
        broker.create_topic(&input, 4);
        produce(&brokers, &input, messages);
        Via {
            brokers,
            input,
            settings,
        }
    }

    /// A client configuration for the broker, with the connection's settings.
    fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.brokers);
        for (key, value) in &self.settings {
            config.set(key, value);
        }
        config
    }
}

/// Copies the workload's topic to a new one as one group member; the time from the first
/// message read to the last (the idle wait left out).
fn passthrough(via: &Via) -> Duration {
    let (brokers, input, output) = (
        via.brokers.as_str(),
        via.input.as_str(),
        unique("bench-copy"),
    );
    let output = output.as_str();
    let (key, value) = SESSION.split_once('=').unwrap_or_default();
    let consumer: BaseConsumer = via
        .config()
        .set("group.id", unique("bench-passthrough"))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set(key, value)
        // The worker's own defaults for fetching ahead.
        .set("queued.min.messages", "10000")
        .set("fetch.queue.backoff.ms", "10")
        .create()
        .unwrap_or_else(|error| fail(Path::new(brokers), &error));
    let producer: BaseProducer = via
        .config()
        .set("acks", "all")
        .set("enable.idempotence", "true")
        // The worker's own default.
        .set("linger.ms", "50")
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

/// Runs `count` workers of a new group over the workload's topic until it is drained (with
/// `--metrics` on a port of their own when `metrics`); the longest time a worker read, from
/// its first message to its last, as its summary says.
fn run_workers(worker: &Path, via: &Via, count: usize, metrics: bool) -> Duration {
    let group = unique("bench-workers");
    let output = unique("bench-output");
    let connection: Vec<String> = via
        .settings
        .iter()
        .flat_map(|(key, value)| ["--kafka".to_owned(), format!("{key}={value}")])
        .collect();
    let children: Vec<_> = (0..count)
        .map(|_| {
            let metrics_args = if metrics {
                vec!["--metrics".to_owned(), format!("127.0.0.1:{}", free_port())]
            } else {
                Vec::new()
            };
            Command::new(worker)
                .args([
                    "--brokers",
                    &via.brokers,
                    "--group",
                    &group,
                    "--input-topic",
                    &via.input,
                    "--output-topic",
                    &output,
                    "--progress",
                    "0",
                    "--stop-when-idle",
                    WORKER_IDLE,
                    "--consumer-kafka",
                    SESSION,
                ])
                .args(&connection)
                .args(&metrics_args)
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
