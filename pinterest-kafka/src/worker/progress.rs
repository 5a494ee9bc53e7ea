//! What the worker says of its progress: the counts, the partitions held, and the lag.

use std::fmt::Write as _;
use std::time::Duration;

use pinterest_mapping::Mapping;
use prometheus::IntCounter;
use rdkafka::consumer::Consumer;

use super::Worker;

impl<M: Mapping> Worker<'_, M> {
    pub(super) fn describe_counts(&self) -> String {
        let load = |counter: &IntCounter| counter.get();
        let shared = &self.shared.metrics;
        let mut text = format!(
            "{} consumed, {} produced, {} acknowledged, {} dead letters",
            load(&shared.consumed),
            load(&shared.produced),
            load(&shared.acknowledged),
            load(&shared.dead_letters),
        );
        if self.args.sending.send {
            let _ = write!(text, ", {} events accepted", load(&shared.accepted));
        }
        let failed = load(&shared.failed_deliveries);
        if failed > 0 {
            let _ = write!(text, ", {failed} failed deliveries");
        }
        let partitions = self.shared.offsets().partitions();
        let _ = write!(text, "; partitions {partitions:?}");
        text
    }

    /// `, lag N`: the messages left to read in the assigned partitions, from the broker's high
    /// watermarks; a note instead when a watermark cannot be had or is behind what was read.
    pub(super) fn describe_lag(&self) -> String {
        let topic = &self.shared.input_topic;
        let positions: Vec<(i32, Option<i64>)> = {
            let offsets = self.shared.offsets();
            offsets
                .partitions()
                .into_iter()
                .map(|partition| (partition, offsets.position(partition)))
                .collect()
        };
        let mut partitions = Vec::with_capacity(positions.len());
        for (partition, position) in positions {
            match self
                .consumer
                .fetch_watermarks(topic, partition, Duration::from_secs(1))
            {
                Ok((_, high)) => partitions.push((high, position)),
                Err(_) => return ", lag unknown (no high watermark from the broker)".to_owned(),
            }
        }
        match crate::offsets::lag(&partitions) {
            Some(lag) => format!(", lag {lag}"),
            None => {
                ", lag unknown (the broker's high watermarks are behind what was read)".to_owned()
            }
        }
    }
}
