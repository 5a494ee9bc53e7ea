//! Setting the worker up: the output, the settings and the sender checked, the clients made
//! and subscribed, the signals caught; then the loop runs until it stops.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use pinterest_cli::metrics::{MetricsServer, Readiness};
use pinterest_cli::{Interrupt, Output};
use pinterest_mapping::{Destination, Mapping};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

use super::Worker;
use super::context::{
    Context, ProducerSlot, WorkerState, config, lock, new_consumer, new_producer,
};
use super::metrics::Metrics;
use super::repeats::Repeats;
use super::startup::Startup;
use crate::Status;
use crate::args::Args;
use crate::log::Lines;
use crate::offsets::Offsets;
use crate::send;

/// Runs the worker until a signal; returns the exit status.
pub(crate) fn run<M: Mapping>(table: M, program: &str, args: &Args) -> Status {
    let started = Instant::now();
    let output = Output::of(args.format, args.sending.send);
    if let Err(message) = output.check_now(args.now) {
        tracing::error!("{message}");
        return Status::Unusable;
    }
    let settings = match args.settings.load(
        output.is_tag(),
        program,
        args.quiet,
        (&mut io::stdin().lock(), &mut Lines::new(program)),
    ) {
        Ok(settings) => settings,
        Err(error) => {
            tracing::error!("{error}");
            return Status::Unusable;
        }
    };
    let metrics = match Metrics::new() {
        Ok(metrics) => metrics,
        Err(error) => {
            tracing::error!("cannot make the metrics: {error}");
            return Status::Unusable;
        }
    };
    let sender = if args.sending.send {
        match send::start(args, &settings, &metrics.registry) {
            Ok(sender) => Some(sender),
            Err(error) => {
                tracing::error!("{error}");
                return Status::Unusable;
            }
        }
    } else {
        None
    };
    let destination = Destination::with_table(table, settings);
    let shared = Arc::new(WorkerState {
        input_topic: args.input_topic.clone(),
        offsets: Mutex::new(Offsets::default()),
        rewinds: Mutex::new(Vec::new()),
        metrics,
        delivery_failed: AtomicBool::new(false),
        producer_broken: AtomicBool::new(false),
        too_large: Mutex::new(HashMap::new()),
        high_watermarks: Mutex::new(HashMap::new()),
        joined: AtomicBool::new(false),
        topic_missing: AtomicBool::new(false),
        repeats: Repeats::default(),
    });

    let Some((producer_config, producer_slot, consumer)) = start_clients(args, &shared) else {
        return Status::Unusable;
    };
    let Ok(_metrics) = serve_metrics(args, &shared) else {
        return Status::Unusable;
    };

    let stop = Arc::new(AtomicBool::new(false));
    // The first signal stops the loop; a second ends the process at once.
    let interrupt = Interrupt::install(program);
    if let Some(interrupt) = &interrupt {
        let stop = Arc::clone(&stop);
        interrupt.on_signal(move || {
            if stop.swap(true, Ordering::AcqRel) {
                pinterest_cli::signals::end_at_once(Status::Undelivered.code());
            }
        });
    }

    let producer = Arc::clone(&lock(&producer_slot));
    let mut worker = Worker {
        args,
        destination,
        shared: &shared,
        producer_config: &producer_config,
        producer,
        producer_slot,
        consumer: &consumer,
        output: Vec::with_capacity(4096),
        outputs: Vec::new(),
        paused: HashMap::new(),
        sender,
        stopped: None,
        failed: None,
        reading: None,
        startup: Startup::Waiting {
            missing_said: false,
        },
        gave_up: None,
    };
    worker.run(&stop, started);
    worker.stop(started)
}

/// How often librdkafka gives the consumer's statistics.
const STATISTICS_INTERVAL_MS: &str = "5000";

/// The consumer's default `session.timeout.ms`.
const SESSION_TIMEOUT_MS: &str = "10000";

/// The producer's default `linger.ms`: how long outputs wait to be sent together.
/// librdkafka's 5 sends a loop's outputs in many small requests, each waking the producer's
/// thread (over TLS, each encrypted on its own); outputs are committed once a second anyway.
const LINGER_MS: &str = "50";

/// The consumer's default `queued.min.messages`: how many messages of each partition are
/// fetched ahead (librdkafka's own 100000, with `queued.max.messages.kbytes`' 64 MB, holds
/// so much that the messages go cold before the loop reaches them).
const QUEUED_MIN_MESSAGES: &str = "10000";

/// The consumer's default `fetch.queue.backoff.ms`: how long a partition whose messages
/// fetched ahead are at the limit waits before it is fetched again. librdkafka's 1000 leaves
/// a loop faster than that wait with nothing to read for most of it, each time it catches up.
const FETCH_QUEUE_BACKOFF_MS: &str = "10";

/// The producer and the consumer, with their configurations (the worker's own, then
/// `--kafka`, then `--consumer-kafka` or `--producer-kafka`), and the consumer subscribed to the input topic; `None`, said on standard error, when
/// either cannot start.
fn start_clients(
    args: &Args,
    shared: &Arc<WorkerState>,
) -> Option<(ClientConfig, ProducerSlot, BaseConsumer<Context>)> {
    let mut producer_config = config(args);
    producer_config
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", LINGER_MS);
    let mut consumer_config = config(args);
    consumer_config
        .set("group.id", &args.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("partition.assignment.strategy", "range,roundrobin")
        // Apache Kafka's default before 3.0, which every broker's default range takes: a
        // group's first join waits for up to the session timeout on some brokers, and the
        // worker sends heartbeats from librdkafka's own thread, never late for its work.
        .set("session.timeout.ms", SESSION_TIMEOUT_MS)
        .set("queued.min.messages", QUEUED_MIN_MESSAGES)
        .set("fetch.queue.backoff.ms", FETCH_QUEUE_BACKOFF_MS);
    // Each partition's high watermark and lag, for the progress line and the metrics,
    // without a query of the brokers from the loop.
    consumer_config.set("statistics.interval.ms", STATISTICS_INTERVAL_MS);
    for (key, value) in &args.kafka {
        producer_config.set(key, value);
        consumer_config.set(key, value);
    }
    for (key, value) in &args.consumer_kafka {
        consumer_config.set(key, value);
    }
    for (key, value) in &args.producer_kafka {
        producer_config.set(key, value);
    }
    let producer = match new_producer(&producer_config, shared) {
        Ok(producer) => producer,
        Err(error) => {
            tracing::error!("cannot start the producer: {error}");
            return None;
        }
    };
    let producer: ProducerSlot = Arc::new(Mutex::new(Arc::new(producer)));
    let consumer = match new_consumer(&consumer_config, shared, &producer) {
        Ok(consumer) => consumer,
        Err(error) => {
            tracing::error!("cannot start the consumer: {error}");
            return None;
        }
    };
    if let Err(error) = consumer.subscribe(&[&args.input_topic]) {
        tracing::error!("cannot subscribe to {}: {error}", args.input_topic);
        return None;
    }
    Some((producer_config, producer, consumer))
}

/// With `--metrics`, the server of the metrics and the health endpoints; `Err`, said on
/// standard error, when it cannot listen.
fn serve_metrics(args: &Args, shared: &Arc<WorkerState>) -> Result<Option<MetricsServer>, ()> {
    let Some(address) = &args.metrics else {
        return Ok(None);
    };
    let readiness = Arc::new(Ready(Arc::clone(shared)));
    match MetricsServer::start(address, shared.metrics.registry.clone(), readiness) {
        Ok(server) => {
            if !args.quiet {
                tracing::info!("metrics at http://{}/metrics", server.address());
            }
            Ok(Some(server))
        }
        Err(error) => {
            tracing::error!("cannot serve the metrics on {address}: {error}");
            Err(())
        }
    }
}

/// `/readyz`: partitions assigned, and the producer usable.
struct Ready(Arc<WorkerState>);

impl Readiness for Ready {
    fn ready(&self) -> Result<(), String> {
        if self.0.producer_broken.load(Ordering::Relaxed) {
            return Err("the producer failed and is being replaced".to_owned());
        }
        if self.0.offsets().partitions().is_empty() {
            return Err(format!("no partition of {} assigned", self.0.input_topic));
        }
        Ok(())
    }
}
