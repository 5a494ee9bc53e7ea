//! librdkafka's warnings and errors, said once and then at most once a minute for each kind:
//! a broker that cannot be reached is retried many times a second, and each try reports the
//! same failure.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::context::lock;

/// How long the repeats of one kind of error are held back after it is said.
const QUIET: Duration = Duration::from_mins(1);

/// The kinds of error said lately.
#[derive(Default)]
pub(super) struct Repeats {
    said: Mutex<HashMap<String, Said>>,
}

/// When an error of one kind was last said, and how many of its kind were held back since.
struct Said {
    at: Instant,
    held: u64,
}

impl Repeats {
    /// Whether an error of `kind` is to be said now: `Some` with the number of its kind held
    /// back since it was last said, `None` while its repeats are held back.
    pub(super) fn admit(&self, kind: &str) -> Option<u64> {
        self.admit_at(kind, Instant::now())
    }

    fn admit_at(&self, kind: &str, now: Instant) -> Option<u64> {
        let mut said = lock(&self.said);
        match said.get_mut(kind) {
            Some(last) if now.duration_since(last.at) < QUIET => {
                last.held += 1;
                None
            }
            Some(last) => {
                let held = last.held;
                *last = Said { at: now, held: 0 };
                Some(held)
            }
            None => {
                said.insert(kind.to_owned(), Said { at: now, held: 0 });
                Some(0)
            }
        }
    }
}

/// `message`, with how many like it were held back.
pub(super) fn with_held(message: &str, held: u64) -> String {
    match held {
        0 => message.to_owned(),
        1 => format!("{message} (and 1 more like it in the last minute)"),
        _ => format!("{message} (and {held} more like it in the last minute)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_held_back_for_a_minute_and_counted() {
        let repeats = Repeats::default();
        let start = Instant::now();
        assert_eq!(repeats.admit_at("down", start), Some(0));
        assert_eq!(repeats.admit_at("auth", start), Some(0));
        for second in 1..=59 {
            assert_eq!(
                repeats.admit_at("down", start + Duration::from_secs(second)),
                None
            );
        }
        assert_eq!(repeats.admit_at("down", start + QUIET), Some(59));
        assert_eq!(repeats.admit_at("down", start + QUIET * 2), Some(0));
        assert_eq!(
            with_held("kafka: down", 59),
            "kafka: down (and 59 more like it in the last minute)"
        );
    }
}
