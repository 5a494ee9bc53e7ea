//! A worker that gets no partition: said once when the brokers say that the input topic does
//! not exist, and, `--startup-timeout` after the start (or `--stop-when-idle`, when sooner),
//! given up when the topic still does not exist or the brokers cannot be reached. A worker of a group with more workers than the
//! topic has partitions keeps running: it takes partitions over when others leave.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use pinterest_mapping::Mapping;
use rdkafka::consumer::Consumer;
use rdkafka::error::RDKafkaErrorCode;

use super::Worker;

/// How long the check at the deadline waits for the brokers' answer.
const METADATA_WAIT: Duration = Duration::from_secs(5);

/// Where the worker is in its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Startup {
    /// No partition yet; whether the topic's absence was said.
    Waiting { missing_said: bool },
    /// Partitions came, or the topic exists and the group has none to spare: no more checks.
    Settled,
}

impl<M: Mapping> Worker<'_, M> {
    /// Follows the start until it is settled; returns why the worker gives up, if it does.
    pub(super) fn check_startup(&mut self, started: Instant) -> Option<String> {
        let Startup::Waiting { missing_said } = self.startup else {
            return None;
        };
        if !self.shared.offsets().partitions().is_empty() {
            self.startup = Startup::Settled;
            return None;
        }
        // The start is judged at `--startup-timeout`, or sooner at `--stop-when-idle`: a job
        // that drains a topic ends once idle, and one that can never read ends too.
        let limit = [
            Some(self.args.startup_timeout).filter(|limit| !limit.is_zero()),
            self.args.stop_when_idle,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or_default();
        let topic = &self.shared.input_topic;
        if !missing_said && self.shared.topic_missing.load(Ordering::Relaxed) {
            let wait = if limit.is_zero() {
                "waiting for it".to_owned()
            } else {
                let option = if limit == self.args.startup_timeout {
                    "--startup-timeout"
                } else {
                    "--stop-when-idle"
                };
                format!(
                    "waiting for it until {:.0} s after the start ({option})",
                    limit.as_secs_f64()
                )
            };
            tracing::error!("the input topic {topic} does not exist: {wait}");
            self.startup = Startup::Waiting { missing_said: true };
        }
        if limit.is_zero() || started.elapsed() < limit {
            return None;
        }
        let brokers = &self.args.brokers;
        let metadata = match self.consumer.fetch_metadata(Some(topic), METADATA_WAIT) {
            Ok(metadata) => metadata,
            Err(error) => {
                return Some(format!(
                    "the brokers at {brokers} cannot be reached ({error}) {:.0} s after the start",
                    limit.as_secs_f64()
                ));
            }
        };
        let exists = metadata.topics().iter().any(|found| {
            found.name() == topic.as_str()
                && found.error().is_none_or(|code| {
                    RDKafkaErrorCode::from(code) != RDKafkaErrorCode::UnknownTopicOrPartition
                })
                && !found.partitions().is_empty()
        });
        if !exists {
            return Some(format!(
                "the input topic {topic} does not exist at {brokers} {:.0} s after the start",
                limit.as_secs_f64()
            ));
        }
        // Judged at --stop-when-idle, the idle rule takes over from the group's join.
        if limit == self.args.startup_timeout {
            tracing::warn!(
                "no partition of {topic} assigned {:.0} s after the start: the group's other \
                 workers hold them all, or it is still forming; running on",
                limit.as_secs_f64()
            );
        }
        self.startup = Startup::Settled;
        None
    }
}
