//! The worker's metrics, in one registry that `--metrics` serves: the counts its loop and its
//! callbacks keep (each a counter, with no other copy), the offsets it committed, and the lag
//! of each partition from librdkafka's statistics (every few seconds, on librdkafka's
//! schedule: no query of the brokers from the loop).

use prometheus::{IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

/// The metrics, registered.
pub(crate) struct Metrics {
    pub(crate) registry: Registry,
    pub(crate) consumed: IntCounter,
    pub(crate) mapped: IntCounter,
    pub(crate) invalid: IntCounter,
    pub(crate) produced: IntCounter,
    pub(crate) acknowledged: IntCounter,
    pub(crate) dead_letters: IntCounter,
    pub(crate) failed_deliveries: IntCounter,
    pub(crate) accepted: IntCounter,
    pub(crate) rejected: IntCounter,
    pub(crate) unsendable: IntCounterVec,
    pub(crate) assigned: IntGauge,
    pub(crate) committed: IntGaugeVec,
    pub(crate) lag: IntGaugeVec,
}

impl Metrics {
    /// The metrics, at zero.
    ///
    /// # Errors
    ///
    /// A metric's name is refused (they are constants: never).
    pub(crate) fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("pinterest_kafka".to_owned()), None)?;
        let counter = |name: &str, help: &str| -> Result<IntCounter, prometheus::Error> {
            let counter = IntCounter::new(name, help)?;
            registry.register(Box::new(counter.clone()))?;
            Ok(counter)
        };
        let per_partition = |name: &str, help: &str| -> Result<IntGaugeVec, prometheus::Error> {
            let gauge = IntGaugeVec::new(Opts::new(name, help), &["topic", "partition"])?;
            registry.register(Box::new(gauge.clone()))?;
            Ok(gauge)
        };
        let unsendable = IntCounterVec::new(
            Opts::new(
                "events_unsendable_total",
                "With --send or --format capi: messages whose event cannot be sent, by reason.",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(unsendable.clone()))?;
        let assigned = IntGauge::new("partitions_assigned", "Partitions of the input topic held.")?;
        registry.register(Box::new(assigned.clone()))?;
        Ok(Metrics {
            consumed: counter("messages_consumed_total", "Input messages read.")?,
            mapped: counter(
                "messages_mapped_total",
                "Input messages mapped: their outputs given to the producer, or their events \
                 to the sender.",
            )?,
            invalid: counter(
                "messages_invalid_total",
                "Input messages that are not valid Segment messages (dead letters).",
            )?,
            produced: counter(
                "outputs_produced_total",
                "Outputs and dead letters handed to the producer.",
            )?,
            acknowledged: counter(
                "outputs_acknowledged_total",
                "Outputs and dead letters the brokers acknowledged.",
            )?,
            dead_letters: counter(
                "dead_letters_total",
                "Messages (or refused events) sent to the dead-letter topic.",
            )?,
            failed_deliveries: counter(
                "failed_deliveries_total",
                "Outputs the brokers did not take: their partitions are read again.",
            )?,
            accepted: counter(
                "events_accepted_total",
                "With --send: Conversions API events Pinterest accepted.",
            )?,
            rejected: counter(
                "events_rejected_total",
                "With --send: Conversions API events Pinterest refused (dead letters).",
            )?,
            committed: per_partition(
                "committed_offset",
                "The offset last committed for the partition: the next message to read.",
            )?,
            lag: per_partition(
                "consumer_lag",
                "Messages of the partition not read yet, from librdkafka's statistics.",
            )?,
            unsendable,
            assigned,
            registry,
        })
    }
}
