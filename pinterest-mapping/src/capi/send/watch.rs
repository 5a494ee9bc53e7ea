//! Watching a sender from outside (for metrics): each attempt of a request as it ends, and
//! each event as its fate is settled, told to a [`Watch`] given to the configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One attempt of a request, as it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// The events the request carried.
    pub events: usize,
    /// The HTTP status of the answer; `None` when no answer came (a connection that failed, a
    /// request that timed out).
    pub status: Option<u16>,
    /// Whether the attempt was a retry of the request.
    pub retry: bool,
    /// How long the attempt took, the answer read.
    pub elapsed: Duration,
}

/// What became of an event, once settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Settled {
    /// Pinterest processed it.
    Accepted,
    /// Pinterest refused it.
    Rejected,
    /// It was not sent (the API unavailable past the retries, the sender stopped, its size).
    NotSent,
}

impl Settled {
    /// `accepted`, `rejected` or `not_sent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Settled::Accepted => "accepted",
            Settled::Rejected => "rejected",
            Settled::NotSent => "not_sent",
        }
    }
}

/// Told of each attempt of a request as it ends, and of each event as its fate is settled, on
/// the sender's threads: keep it quick (a counter, a histogram).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use pinterest_mapping::capi::send::{Attempt, Watch};
///
/// #[derive(Default)]
/// struct Requests(AtomicU64);
///
/// impl Watch for Requests {
///     fn attempt(&self, _attempt: &Attempt) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
/// ```
pub trait Watch: Send + Sync + 'static {
    /// One attempt ended.
    fn attempt(&self, attempt: &Attempt);

    /// One event's fate is settled. Nothing by default.
    fn settled(&self, _settled: Settled) {}
}

/// The watch of a configuration, if any.
#[derive(Clone, Default)]
pub(crate) struct Watcher(pub(crate) Option<Arc<dyn Watch>>);

impl Watcher {
    pub(crate) fn attempt(&self, attempt: &Attempt) {
        if let Some(watch) = &self.0 {
            watch.attempt(attempt);
        }
    }

    pub(crate) fn settled(&self, settled: Settled) {
        if let Some(watch) = &self.0 {
            watch.settled(settled);
        }
    }
}

impl fmt::Debug for Watcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Watcher(..)"
        } else {
            "None"
        })
    }
}
