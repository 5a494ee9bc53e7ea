//! Which input offsets may be committed: an offset is done once every output derived from its
//! message is acknowledged, and a partition's committable offset is the first one not done.
//! A failed delivery rewinds the partition to the failed message, and acknowledgements of the
//! outputs handed out before the rewind no longer count for the messages read again.

use std::collections::{BTreeMap, HashMap};

/// What an output carries back with its acknowledgement: the input message it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    generation: u64,
}

/// The assigned partitions of the input topic.
#[derive(Debug, Default)]
pub(crate) struct Offsets {
    partitions: HashMap<i32, Partition>,
    /// The generation of the next assignment or rewind.
    next_generation: u64,
}

#[derive(Debug)]
struct Partition {
    /// Messages read whose outputs are not all acknowledged: remaining outputs, and the
    /// generation they were handed out in.
    pending: BTreeMap<i64, (u32, u64)>,
    /// The offset after the last message read.
    next: Option<i64>,
    /// The offset last committed (or found committed).
    committed: Option<i64>,
    generation: u64,
}

impl Offsets {
    fn generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// A partition is now this worker's.
    pub(crate) fn assign(&mut self, partition: i32) {
        let generation = self.generation();
        self.partitions.insert(
            partition,
            Partition {
                pending: BTreeMap::new(),
                next: None,
                committed: None,
                generation,
            },
        );
    }

    /// A partition is no longer this worker's: nothing of it is committed any more. Returns
    /// what may be committed for it before it goes.
    pub(crate) fn revoke(&mut self, partition: i32) -> Option<i64> {
        let committable = self.committable(partition);
        self.partitions.remove(&partition);
        committable
    }

    /// The message at `offset` was read, and `outputs` outputs were handed out for it;
    /// `None` if the partition is not assigned (the message is then ignored).
    pub(crate) fn read(&mut self, partition: i32, offset: i64, outputs: u32) -> Option<Ticket> {
        let state = self.partitions.get_mut(&partition)?;
        state.next = Some(state.next.map_or(offset + 1, |next| next.max(offset + 1)));
        if outputs > 0 {
            state.pending.insert(offset, (outputs, state.generation));
        }
        Some(Ticket {
            partition,
            offset,
            generation: state.generation,
        })
    }

    /// One more output of the ticket's message was handed out.
    pub(crate) fn add_output(&mut self, ticket: Ticket) {
        if let Some(state) = self.partitions.get_mut(&ticket.partition) {
            let entry = state
                .pending
                .entry(ticket.offset)
                .or_insert((0, ticket.generation));
            if entry.1 == ticket.generation {
                entry.0 += 1;
            }
        }
    }

    /// An output of the ticket's message was acknowledged.
    pub(crate) fn acknowledged(&mut self, ticket: Ticket) {
        let Some(state) = self.partitions.get_mut(&ticket.partition) else {
            return;
        };
        if let Some((remaining, generation)) = state.pending.get_mut(&ticket.offset)
            && *generation == ticket.generation
        {
            *remaining -= 1;
            if *remaining == 0 {
                state.pending.remove(&ticket.offset);
            }
        }
    }

    /// An output of the ticket's message could not be delivered: its partition is to be read
    /// again from that message. Returns the offset to read from, unless the ticket is stale
    /// (from before a rewind or an assignment).
    pub(crate) fn failed(&mut self, ticket: Ticket) -> Option<i64> {
        let generation = self.generation();
        let state = self.partitions.get_mut(&ticket.partition)?;
        match state.pending.get(&ticket.offset) {
            Some((_, handed_out)) if *handed_out == ticket.generation => {}
            _ => return None,
        }
        state.pending.split_off(&ticket.offset);
        state.next = Some(ticket.offset);
        state.generation = generation;
        Some(ticket.offset)
    }

    /// Every output handed out is given up (its producer is gone): each partition with
    /// messages not done is to be read again from the first. Returns the partitions and
    /// offsets to read from.
    pub(crate) fn rewind_all(&mut self) -> Vec<(i32, i64)> {
        let mut rewinds = Vec::new();
        for (partition, state) in &mut self.partitions {
            let Some(&first) = state.pending.keys().next() else {
                continue;
            };
            self.next_generation += 1;
            state.generation = self.next_generation;
            state.pending.clear();
            state.next = Some(first);
            rewinds.push((*partition, first));
        }
        rewinds.sort_unstable();
        rewinds
    }

    /// The offset to commit for `partition` (the first message not done), if it is past
    /// what was committed.
    pub(crate) fn committable(&self, partition: i32) -> Option<i64> {
        let state = self.partitions.get(&partition)?;
        let next = state.next?;
        let first_pending = state.pending.keys().next().copied();
        let offset = first_pending.map_or(next, |pending| pending.min(next));
        (state.committed < Some(offset)).then_some(offset)
    }

    /// Every partition with an offset to commit.
    pub(crate) fn all_committable(&self) -> Vec<(i32, i64)> {
        let mut offsets: Vec<(i32, i64)> = self
            .partitions
            .keys()
            .filter_map(|&partition| Some((partition, self.committable(partition)?)))
            .collect();
        offsets.sort_unstable();
        offsets
    }

    /// `offset` was committed for `partition`.
    pub(crate) fn committed(&mut self, partition: i32, offset: i64) {
        if let Some(state) = self.partitions.get_mut(&partition) {
            state.committed = state.committed.max(Some(offset));
        }
    }

    /// Outputs handed out and not yet acknowledged, over every partition.
    pub(crate) fn in_flight(&self) -> u64 {
        self.partitions
            .values()
            .flat_map(|state| state.pending.values())
            .map(|(remaining, _)| u64::from(*remaining))
            .sum()
    }

    /// The offset after the last message read of `partition`, if any was read.
    pub(crate) fn position(&self, partition: i32) -> Option<i64> {
        self.partitions.get(&partition)?.next
    }

    /// The assigned partitions.
    pub(crate) fn partitions(&self) -> Vec<i32> {
        let mut partitions: Vec<i32> = self.partitions.keys().copied().collect();
        partitions.sort_unstable();
        partitions
    }
}

/// The messages left to read, over partitions given as (high watermark, position read): the
/// sum of what lies between the two, or `None` when a watermark is behind what was read
/// already (a broker that reports it wrongly: the figure would mean nothing).
pub(crate) fn lag(partitions: &[(i64, Option<i64>)]) -> Option<i64> {
    partitions
        .iter()
        .map(|&(high, position)| {
            let position = position.unwrap_or(0);
            (high >= position).then_some(high - position)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assigned(partitions: &[i32]) -> Offsets {
        let mut offsets = Offsets::default();
        for partition in partitions {
            offsets.assign(*partition);
        }
        offsets
    }

    #[test]
    fn an_offset_is_committable_once_every_earlier_output_is_acknowledged() {
        let mut offsets = assigned(&[0]);
        assert_eq!(offsets.committable(0), None);
        let first = offsets.read(0, 10, 1).unwrap();
        let second = offsets.read(0, 11, 2).unwrap();
        offsets.read(0, 12, 0).unwrap();
        assert_eq!(offsets.committable(0), Some(10));
        offsets.acknowledged(second);
        offsets.acknowledged(second);
        assert_eq!(offsets.committable(0), Some(10));
        offsets.acknowledged(first);
        assert_eq!(offsets.committable(0), Some(13));
        offsets.committed(0, 13);
        assert_eq!(offsets.committable(0), None);
        assert_eq!(offsets.in_flight(), 0);
    }

    #[test]
    fn a_message_without_outputs_is_done_when_read() {
        let mut offsets = assigned(&[3]);
        offsets.read(3, 0, 0).unwrap();
        assert_eq!(offsets.committable(3), Some(1));
    }

    #[test]
    fn a_failed_delivery_rewinds_and_stale_acknowledgements_do_not_count() {
        let mut offsets = assigned(&[0]);
        let a = offsets.read(0, 5, 1).unwrap();
        let b = offsets.read(0, 6, 1).unwrap();
        let c = offsets.read(0, 7, 1).unwrap();
        assert_eq!(offsets.failed(b), Some(6));
        // What was read from 6 on is gone; 5 still waits for its acknowledgement.
        assert_eq!(offsets.committable(0), Some(5));
        offsets.acknowledged(a);
        assert_eq!(offsets.committable(0), Some(6));
        // Read again: the old acknowledgement of 7 does not count for the new reading.
        let b2 = offsets.read(0, 6, 1).unwrap();
        let c2 = offsets.read(0, 7, 1).unwrap();
        offsets.acknowledged(c);
        assert_eq!(offsets.failed(c), None, "a stale failure is ignored");
        assert_eq!(offsets.committable(0), Some(6));
        offsets.acknowledged(b2);
        offsets.acknowledged(c2);
        assert_eq!(offsets.committable(0), Some(8));
    }

    #[test]
    fn a_revoked_partition_is_never_committed_again() {
        let mut offsets = assigned(&[0, 1]);
        let ticket = offsets.read(1, 0, 1).unwrap();
        offsets.read(0, 0, 0).unwrap();
        assert_eq!(offsets.revoke(1), Some(0));
        offsets.acknowledged(ticket);
        assert_eq!(offsets.all_committable(), vec![(0, 1)]);
        assert_eq!(offsets.read(1, 1, 1), None);
        // Assigned again later: a new start, deaf to the old tickets.
        offsets.assign(1);
        offsets.read(1, 0, 1).unwrap();
        offsets.acknowledged(ticket);
        assert_eq!(offsets.committable(1), Some(0));
    }

    #[test]
    fn rewinding_everything_starts_each_partition_again_at_its_first_message_not_done() {
        let mut offsets = assigned(&[0, 1, 2]);
        let old = offsets.read(0, 4, 1).unwrap();
        offsets.read(0, 5, 1).unwrap();
        offsets.read(1, 9, 0).unwrap();
        offsets.read(2, 1, 1).unwrap();
        assert_eq!(offsets.rewind_all(), vec![(0, 4), (2, 1)]);
        assert_eq!(offsets.committable(0), Some(4));
        assert_eq!(offsets.committable(1), Some(10));
        offsets.acknowledged(old);
        let again = offsets.read(0, 4, 1).unwrap();
        assert_eq!(offsets.committable(0), Some(4));
        offsets.acknowledged(again);
        assert_eq!(offsets.committable(0), Some(5));
    }

    #[test]
    fn lag_is_what_lies_between_the_position_and_the_high_watermark() {
        assert_eq!(lag(&[(100, Some(40)), (7, None), (5, Some(5))]), Some(67));
        assert_eq!(lag(&[]), Some(0));
        // A watermark behind what was read: no figure rather than a wrong one.
        assert_eq!(lag(&[(100, Some(40)), (1, Some(300))]), None);
    }

    #[test]
    fn outputs_added_later_hold_the_offset() {
        let mut offsets = assigned(&[0]);
        let ticket = offsets.read(0, 0, 0).unwrap();
        offsets.add_output(ticket);
        assert_eq!(offsets.committable(0), Some(0));
        offsets.acknowledged(ticket);
        assert_eq!(offsets.committable(0), Some(1));
    }
}
