//! What the worker says of its progress: the counts, the partitions held, and the lag.

use std::fmt::Write as _;

use pinterest_mapping::Mapping;
use prometheus::IntCounter;

use super::Worker;
use super::context::lock;

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

    /// `, lag N`: the messages left to read in the assigned partitions, from the high
    /// watermarks of librdkafka's latest statistics (every few seconds); a note instead when
    /// none came yet for a partition or a watermark is behind what was read.
    pub(super) fn describe_lag(&self) -> String {
        let partitions: Vec<(Option<i64>, Option<i64>)> = {
            let offsets = self.shared.offsets();
            let highs = lock(&self.shared.high_watermarks);
            offsets
                .partitions()
                .into_iter()
                .map(|partition| (highs.get(&partition).copied(), offsets.position(partition)))
                .collect()
        };
        let Some(partitions) = partitions
            .into_iter()
            .map(|(high, position)| Some((high?, position)))
            .collect::<Option<Vec<_>>>()
        else {
            return ", lag unknown (no statistics from librdkafka yet)".to_owned();
        };
        match crate::offsets::lag(&partitions) {
            Some(lag) => format!(", lag {lag}"),
            None => {
                ", lag unknown (the broker's high watermarks are behind what was read)".to_owned()
            }
        }
    }
}
