//! Sending Conversions API events to Pinterest: batches of up to 1,000 events, several
//! requests in flight, paced under the API's rate limit, retried with backoff and jitter, split
//! to isolate the events Pinterest refuses, and the fate of every event reported: accepted,
//! rejected, or not sent. Nothing is dropped silently.
//!
//! The HTTP client comes with the feature `send`. Without it, the types are the same (a front
//! end takes the same options either way), and [`Sender::new`] answers
//! [`ConfigError::NoHttpClient`].
//!
//! ```no_run
//! use std::time::SystemTime;
//!
//! use pinterest_mapping::capi::send::{Outcome, Sender, SenderConfig};
//! use pinterest_mapping::capi::Conversion;
//! use pinterest_mapping::{ConversionToken, Destination, Settings};
//!
//! let destination = Destination::new(Settings::example());
//! let config = SenderConfig::builder("549755885175", ConversionToken::new("pina_…")).build()?;
//! let sender: Sender<u64> = Sender::new(config)?;
//! let lines = [r#"{"type":"track","event":"Order Completed","messageId":"m-1","timestamp":"2026-11-28T12:00:00Z","context":{"traits":{"email":"jane@example.com"}}}"#];
//! let mut converted = String::new();
//! for (number, line) in lines.iter().enumerate() {
//!     let message = destination.prepare(line, &mut converted)?;
//!     if let Conversion::Event { event, .. } = destination.conversion(&message, SystemTime::now()) {
//!         sender.send(number as u64, &event)?;
//!     }
//! }
//! let finished = sender.finish();
//! for outcome in finished.outcomes {
//!     if let Outcome::Rejected(rejection) = outcome {
//!         eprintln!("line {}: {}", rejection.origin, rejection.message);
//!     }
//! }
//! println!("{} accepted", finished.report.accepted);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Without the `send` feature, parts of the sender are never reached.
#![cfg_attr(not(feature = "send"), allow(dead_code))]

mod answer;
mod deliver;
#[cfg(feature = "send")]
mod http;
mod watch;
/// Without the `send` feature there is no HTTP client: a sender cannot be made.
#[cfg(not(feature = "send"))]
mod http {
    use super::answer::{Answer, Failure};
    use super::{ConfigError, SenderConfig};

    pub(super) struct Client {
        never: std::convert::Infallible,
    }

    impl Client {
        pub(super) fn new(_config: &SenderConfig) -> Result<Client, ConfigError> {
            Err(ConfigError::NoHttpClient)
        }

        pub(super) fn post(&self, _body: &[u8]) -> Result<Answer, Failure> {
            match self.never {}
        }
    }
}

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use thiserror::Error;

use super::event::{ConversionEvent, ConversionEvents};
use crate::capi::ConversionToken;
use watch::Watcher;
pub use watch::{Attempt, Settled, Watch};

/// How a [`Sender`] reaches the API and how hard it tries: made by
/// [`SenderConfig::builder`], checked when built.
///
/// ```
/// use std::time::Duration;
///
/// use pinterest_mapping::ConversionToken;
/// use pinterest_mapping::capi::send::{ConfigError, SenderConfig};
///
/// let config = SenderConfig::builder("549755885175", ConversionToken::new("pina_…"))
///     .in_flight(4)
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(config.ad_account_id(), "549755885175");
///
/// let refused = SenderConfig::builder("549755885175", ConversionToken::new("pina_…"))
///     .batch_size(5_000)
///     .build();
/// assert_eq!(refused.unwrap_err(), ConfigError::Range("batch_size", "from 1 to 1,000"));
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SenderConfig {
    // The values below the ad account and the token are documented on their setters, in
    // `SenderConfigBuilder`, and their defaults in `SenderConfig::defaults`.
    api_url: String,
    /// The ad account the events go to (digits).
    ad_account_id: String,
    /// The conversion access token.
    token: ConversionToken,
    test_events: bool,
    batch_size: usize,
    max_request_bytes: usize,
    in_flight: usize,
    requests_per_minute: u32,
    timeout: Duration,
    max_attempts: u32,
    max_retry_time: Duration,
    first_backoff: Duration,
    max_backoff: Duration,
    linger: Duration,
    watch: Watcher,
}

impl SenderConfig {
    /// The API's base URL.
    pub const DEFAULT_API_URL: &'static str = "https://api.pinterest.com/v5";

    /// The default of [`SenderConfigBuilder::max_request_bytes`]: 4 MiB.
    pub const DEFAULT_MAX_REQUEST_BYTES: usize = 4 << 20;

    /// A configuration for an ad account and a token, with the defaults: batches of 1,000
    /// events and at most 4 MiB, eight requests in flight, 4,800 requests per minute, 30 s per
    /// request, six attempts within two minutes, waits from half a second up to 30 s, half a
    /// second of lingering.
    pub fn builder(
        ad_account_id: impl Into<String>,
        token: ConversionToken,
    ) -> SenderConfigBuilder {
        SenderConfigBuilder {
            config: SenderConfig::defaults(ad_account_id, token),
        }
    }

    /// The ad account the events go to.
    pub fn ad_account_id(&self) -> &str {
        &self.ad_account_id
    }

    /// The API's base URL.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The defaults, unchecked.
    fn defaults(ad_account_id: impl Into<String>, token: ConversionToken) -> SenderConfig {
        SenderConfig {
            api_url: SenderConfig::DEFAULT_API_URL.to_owned(),
            ad_account_id: ad_account_id.into(),
            token,
            test_events: false,
            batch_size: ConversionEvents::MAX_EVENTS,
            max_request_bytes: SenderConfig::DEFAULT_MAX_REQUEST_BYTES,
            in_flight: 8,
            requests_per_minute: 4_800,
            timeout: Duration::from_secs(30),
            max_attempts: 6,
            max_retry_time: Duration::from_mins(2),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            linger: Duration::from_millis(500),
            watch: Watcher::default(),
        }
    }

    /// Whether the sender can work with this configuration (the URL is checked when the
    /// sender starts, by its HTTP client).
    fn check(&self) -> Result<(), ConfigError> {
        if self.ad_account_id.is_empty()
            || self.ad_account_id.len() > 18
            || !self.ad_account_id.bytes().all(|byte| byte.is_ascii_digit())
        {
            return Err(ConfigError::AdAccount);
        }
        if !(1..=ConversionEvents::MAX_EVENTS).contains(&self.batch_size) {
            return Err(ConfigError::Range("batch_size", "from 1 to 1,000"));
        }
        if self.max_request_bytes < 1024 {
            return Err(ConfigError::Range("max_request_bytes", "at least 1,024"));
        }
        for (name, value) in [
            ("in_flight", self.in_flight),
            ("requests_per_minute", self.requests_per_minute as usize),
            ("max_attempts", self.max_attempts as usize),
        ] {
            if value == 0 {
                return Err(ConfigError::Range(name, "at least 1"));
            }
        }
        Ok(())
    }
}

/// Sets a [`SenderConfig`]'s values one by one; [`Self::build`] checks them.
#[derive(Clone, Debug)]
#[must_use]
pub struct SenderConfigBuilder {
    config: SenderConfig,
}

/// Setters of the builder, one per value, each with its documentation.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $type:ty,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $name: $type) -> Self {
                self.config.$name = $name;
                self
            }
        )*
    };
}

impl SenderConfigBuilder {
    /// The API's base URL, [`SenderConfig::DEFAULT_API_URL`] by default. Plain `http` is taken
    /// only for a server on this machine (a test server).
    pub fn api_url(mut self, api_url: impl Into<String>) -> Self {
        self.config.api_url = api_url.into();
        self
    }

    setters! {
        /// `?test=true`: Pinterest validates the events without recording them.
        test_events: bool,
        /// Events per request, 1 to 1,000.
        batch_size: usize,
        /// The largest request body, in bytes (at least 1,024; 4 MiB by default): a batch is
        /// sent before an event would make it larger, and an event that cannot fit alone is
        /// reported as not sent, without a request. Pinterest documents no limit; the default
        /// is far above any event its schema takes in practice (a thousand events of 4 KiB).
        max_request_bytes: usize,
        /// Requests in flight at once (at least 1).
        in_flight: usize,
        /// Requests started per minute at most, retries included (at least 1; Pinterest
        /// allows 5,000 per minute per ad account).
        requests_per_minute: u32,
        /// How long one request may take, answer included.
        timeout: Duration,
        /// Attempts of one request at most, the first included (at least 1).
        max_attempts: u32,
        /// How long the attempts of one batch may take in all, waits included.
        max_retry_time: Duration,
        /// The first wait before a retry; each further retry waits up to twice as long.
        first_backoff: Duration,
        /// The longest wait before a retry (`Retry-After` may ask for longer, within the
        /// retry time).
        max_backoff: Duration,
        /// How long an incomplete batch waits for more events before it is sent anyway.
        linger: Duration,
    }

    /// What is told of each attempt of a request as it ends (for metrics); nothing by default.
    pub fn watch(mut self, watch: Arc<dyn Watch>) -> Self {
        self.config.watch = Watcher(Some(watch));
        self
    }

    /// The configuration.
    ///
    /// # Errors
    ///
    /// The ad account id is not digits, or a value is out of its range.
    pub fn build(self) -> Result<SenderConfig, ConfigError> {
        self.config.check()?;
        Ok(self.config)
    }
}

/// Why a [`SenderConfig`] cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The ad account id is not one.
    #[error("the ad account id must be its number: digits only, at most 18")]
    AdAccount,
    /// The URL cannot be used.
    #[error("the API URL {0}")]
    Url(&'static str),
    /// A number is out of its range.
    #[error("`{0}` must be {1}")]
    Range(&'static str, &'static str),
    /// The crate was built without the `send` feature, which brings the HTTP client.
    #[error("this build has no HTTP client: pinterest-mapping's `send` feature brings one")]
    NoHttpClient,
}

/// What became of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome<T> {
    /// Pinterest processed it.
    Accepted(T),
    /// Pinterest refused it, or it could not be sent.
    Rejected(Rejection<T>),
}

/// An event Pinterest refused or that could not be sent: where it came from, its `event_id`,
/// the event itself (to send again once the cause is fixed), the HTTP status and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection<T> {
    /// Where the event came from, as given to [`Sender::send`].
    pub origin: T,
    /// The event's `event_id`.
    pub event_id: String,
    /// The event, as JSON.
    pub event: String,
    /// The HTTP status of Pinterest's last answer about it, if one came.
    pub status: Option<u16>,
    /// Pinterest's message, or why the event was not sent.
    pub message: String,
    /// Whether Pinterest received the event (and refused it) rather than it not being sent.
    pub received: bool,
    /// Whether sending it again may succeed: it was not sent because the sender stopped.
    /// False for an event Pinterest refused and for one too large for any request.
    pub sendable: bool,
}

/// Why a sender stopped before its work was done. Events it had not sent are reported as
/// rejections that were not received.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Stopped {
    /// The token or the ad account was refused (401, 403).
    #[error("Pinterest refused the credentials (HTTP {status}): {message}")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// Pinterest's message.
        message: String,
    },
    /// The API cannot be reached at this address (404, or a fault no retry mends).
    #[error("the Conversions API cannot be used at this address: {0}")]
    Unusable(String),
    /// The API kept failing past the retry limits.
    #[error("the Conversions API is unavailable: {0}")]
    Unavailable(String),
    /// [`Sender::stop`] was called.
    #[error("sending was stopped")]
    Requested,
    /// A sender thread failed, which only a bug can cause; the events it held are reported
    /// as not sent.
    #[error("the sender failed: {0}")]
    Failed(String),
}

/// What a sender did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Events given to the sender.
    pub events: u64,
    /// Events sent in at least one request.
    pub sent: u64,
    /// Events Pinterest processed.
    pub accepted: u64,
    /// Events Pinterest refused.
    pub rejected: u64,
    /// Events that could not be sent.
    pub not_sent: u64,
    /// Requests made.
    pub requests: u64,
    /// Requests made again after a failure.
    pub retried: u64,
}

/// The end of a sender's work: its counts, the outcomes not yet taken, and why it stopped
/// early, if it did.
#[derive(Debug)]
pub struct Finished<T> {
    /// The counts.
    pub report: Report,
    /// The outcomes [`Sender::outcomes`] had not given yet.
    pub outcomes: Vec<Outcome<T>>,
    /// Why the sender stopped before its work was done.
    pub stopped: Option<Stopped>,
}

/// Sends events to the Conversions API from worker threads. `T` says where each event came
/// from (an input line, a Kafka offset) and comes back with its [`Outcome`].
pub struct Sender<T: Send + 'static> {
    shared: Arc<Shared<T>>,
    workers: Vec<JoinHandle<()>>,
    outcomes: mpsc::Receiver<Outcome<T>>,
}

/// Stops a [`Sender`] from another thread (a signal handler's): no request is started any
/// more, events not yet sent are reported as not sent, requests under way finish.
#[derive(Clone)]
pub struct StopHandle(Arc<dyn Cancel>);

impl StopHandle {
    /// Stops the sender.
    pub fn stop(&self) {
        self.0.stop_requested();
    }
}

impl std::fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopHandle")
    }
}

trait Cancel: Send + Sync {
    fn stop_requested(&self);
}

/// Events on their way together: their JSON one after another in one buffer.
struct Batch<T> {
    json: Vec<u8>,
    items: Vec<Item<T>>,
}

impl<T> Batch<T> {
    fn new() -> Batch<T> {
        Batch {
            json: Vec::new(),
            items: Vec::new(),
        }
    }

    /// The length of the request body of these events: `{"data":[…]}`.
    fn body_len(&self) -> usize {
        BODY_ENVELOPE + self.json.len() + self.items.len().saturating_sub(1)
    }

    /// Takes the last event out, into a batch of its own.
    fn split_last(&mut self) -> Batch<T> {
        let mut last = Batch::new();
        if let Some(item) = self.items.pop() {
            last.json = self.json.split_off(item.range.start);
            last.items.push(Item {
                range: 0..last.json.len(),
                ..item
            });
        }
        last
    }

    /// Appends an event's JSON.
    fn push(&mut self, origin: T, event: &ConversionEvent<'_>) {
        let start = self.json.len();
        event.append_json(&mut self.json);
        self.items.push(Item {
            origin,
            range: start..self.json.len(),
            sent: false,
        });
    }
}

/// The bytes of a request body around its events: `{"data":[` and `]}`.
const BODY_ENVELOPE: usize = 11;

/// One event of a batch.
struct Item<T> {
    origin: T,
    /// Where its JSON is in the batch's buffer.
    range: Range<usize>,
    /// Whether it was in a request already (for the count of events sent).
    sent: bool,
}

/// The `event_id` of an event's JSON, for a rejection (the only time it is needed).
fn event_id(json: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        event_id: String,
    }
    serde_json::from_slice::<Id>(json)
        .map(|id| id.event_id)
        .unwrap_or_default()
}

/// What the workers share.
struct Shared<T> {
    config: SenderConfig,
    http: http::Client,
    state: Mutex<State<T>>,
    /// Signalled whenever the state changes.
    changed: Condvar,
    /// When the next request may start.
    next_request: Mutex<Instant>,
    outcomes: mpsc::Sender<Outcome<T>>,
    counts: Counts,
}

struct State<T> {
    /// The batch being filled, and when its first event came.
    open: Batch<T>,
    opened: Instant,
    /// Batches ready to go.
    ready: VecDeque<Batch<T>>,
    /// No event will come any more.
    closed: bool,
    stopped: Option<Stopped>,
}

#[derive(Default)]
struct Counts {
    events: AtomicU64,
    sent: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    not_sent: AtomicU64,
    requests: AtomicU64,
    retried: AtomicU64,
}

impl<T: Send + 'static> Sender<T> {
    /// Checks the configuration and starts the workers.
    ///
    /// # Errors
    ///
    /// The ad account id, the URL or a limit cannot be used.
    pub fn new(config: SenderConfig) -> Result<Sender<T>, ConfigError> {
        config.check()?;
        let http = http::Client::new(&config)?;
        let (outcomes, receiver) = mpsc::channel();
        let shared = Arc::new(Shared {
            http,
            state: Mutex::new(State {
                open: Batch::new(),
                opened: Instant::now(),
                ready: VecDeque::new(),
                closed: false,
                stopped: None,
            }),
            changed: Condvar::new(),
            next_request: Mutex::new(Instant::now()),
            outcomes,
            counts: Counts::default(),
            config,
        });
        let workers = (0..shared.config.in_flight)
            .map(|number| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("capi-sender-{number}"))
                    .spawn(move || shared.work())
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                ConfigError::Range("in_flight", "a number of threads the system can start")
            })?;
        Ok(Sender {
            shared,
            workers,
            outcomes: receiver,
        })
    }

    /// Queues an event; it goes out in a batch. Waits while the batches ready to go are as many
    /// as the requests in flight (so that memory stays bounded).
    ///
    /// # Errors
    ///
    /// The sender has stopped (the event is then reported as not sent, like the others it
    /// had not sent): stop giving it events.
    pub fn send(&self, origin: T, event: &ConversionEvent<'_>) -> Result<(), Stopped> {
        self.shared.counts.events.fetch_add(1, Ordering::Relaxed);
        let mut state = self.shared.lock();
        loop {
            if let Some(stopped) = &state.stopped {
                let stopped = stopped.clone();
                drop(state);
                let mut batch = Batch::new();
                batch.push(origin, event);
                self.shared
                    .not_sent(&batch.json, batch.items, None, &stopped.to_string());
                return Err(stopped);
            }
            if state.ready.len() < self.shared.config.in_flight {
                break;
            }
            state = self.shared.wait(state, Duration::from_millis(100));
        }
        if state.open.items.is_empty() {
            state.opened = Instant::now();
        }
        state.open.push(origin, event);
        let limit = self.shared.config.max_request_bytes;
        let mut handed_out = false;
        if state.open.body_len() > limit {
            let last = state.open.split_last();
            if last.body_len() > limit {
                drop(state);
                for item in last.items {
                    self.shared.too_large(&last.json, item);
                }
                return Ok(());
            }
            // The batch goes without it; it opens the next one.
            let full = std::mem::replace(&mut state.open, last);
            state.opened = Instant::now();
            state.ready.push_back(full);
            handed_out = true;
        }
        if state.open.items.len() >= self.shared.config.batch_size {
            let full = std::mem::replace(&mut state.open, Batch::new());
            state.ready.push_back(full);
            handed_out = true;
        }
        if !handed_out {
            return Ok(());
        }
        drop(state);
        self.shared.changed.notify_all();
        Ok(())
    }

    /// The outcomes known so far, without waiting.
    pub fn outcomes(&self) -> impl Iterator<Item = Outcome<T>> + '_ {
        self.outcomes.try_iter()
    }

    /// The counts so far.
    pub fn report(&self) -> Report {
        self.shared.report()
    }

    /// Why the sender stopped, if it did.
    pub fn stopped(&self) -> Option<Stopped> {
        self.shared.lock().stopped.clone()
    }

    /// A handle that stops the sender from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(Arc::clone(&self.shared) as Arc<dyn Cancel>)
    }

    /// Stops: no request is started any more; events not yet sent are reported as not sent.
    pub fn stop(&self) {
        self.shared.stop(Stopped::Requested);
    }

    /// Sends what is queued, waits for every answer, and gives the outcomes not taken yet.
    pub fn finish(mut self) -> Finished<T> {
        self.close_and_join();
        let outcomes = self.outcomes.try_iter().collect();
        Finished {
            report: self.shared.report(),
            outcomes,
            stopped: self.shared.lock().stopped.clone(),
        }
    }

    fn close_and_join(&mut self) {
        self.shared.lock().closed = true;
        self.shared.changed.notify_all();
        for worker in self.workers.drain(..) {
            // A worker that panicked has reported what it could; the others go on.
            let _ = worker.join();
        }
    }
}

impl<T: Send + 'static> Drop for Sender<T> {
    /// Sends what is queued before going: a sender never drops events it was given.
    fn drop(&mut self) {
        self.close_and_join();
    }
}

impl<T: Send + 'static> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'s>(
        &self,
        state: MutexGuard<'s, State<T>>,
        at_most: Duration,
    ) -> MutexGuard<'s, State<T>> {
        self.changed
            .wait_timeout(state, at_most)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }

    fn report(&self) -> Report {
        let count = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counts = &self.counts;
        Report {
            events: count(&counts.events),
            sent: count(&counts.sent),
            accepted: count(&counts.accepted),
            rejected: count(&counts.rejected),
            not_sent: count(&counts.not_sent),
            requests: count(&counts.requests),
            retried: count(&counts.retried),
        }
    }

    /// A worker: takes the next batch (a full one, or the open one once it has lingered, or
    /// at the end) and delivers it, until there is nothing left.
    fn work(&self) {
        loop {
            let batch = {
                let mut state = self.lock();
                loop {
                    if state.stopped.is_some() {
                        return;
                    }
                    if let Some(batch) = state.ready.pop_front() {
                        break batch;
                    }
                    let lingered = state.opened.elapsed() >= self.config.linger;
                    if !state.open.items.is_empty() && (state.closed || lingered) {
                        break std::mem::replace(&mut state.open, Batch::new());
                    }
                    if state.closed {
                        return;
                    }
                    let linger = self.config.linger;
                    state = self.wait(state, linger);
                }
            };
            // A place in the queue is free: a sender waiting for one may go on.
            self.changed.notify_all();
            if !self.guarded(|| self.deliver(batch)) {
                return;
            }
        }
    }

    /// Runs a delivery; `false` when it panicked, which only a bug can cause. The events of
    /// its batch are reported as not sent as it unwinds, and the sender stops, so that no run
    /// ends as a success.
    fn guarded(&self, delivery: impl FnOnce()) -> bool {
        let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(delivery)) else {
            return true;
        };
        let what = panic
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        self.stop(Stopped::Failed(what));
        false
    }

    /// Stops everything: the queued events are reported as not sent.
    fn stop(&self, reason: Stopped) {
        let (open, ready, message) = {
            let mut state = self.lock();
            let stopped = state.stopped.get_or_insert(reason);
            let message = stopped.to_string();
            (
                std::mem::replace(&mut state.open, Batch::new()),
                std::mem::take(&mut state.ready),
                message,
            )
        };
        self.changed.notify_all();
        for batch in std::iter::once(open).chain(ready) {
            self.not_sent(&batch.json, batch.items, None, &message);
        }
    }

    fn stopped(&self) -> Option<Stopped> {
        self.lock().stopped.clone()
    }

    /// Waits until `until`, or until the sender stops; `false` when it stopped.
    fn sleep_until(&self, until: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if state.stopped.is_some() {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            state = self.wait(state, until - now);
        }
    }

    fn accepted(&self, origin: T) {
        self.counts.accepted.fetch_add(1, Ordering::Relaxed);
        self.config.watch.settled(Settled::Accepted);
        let _ = self.outcomes.send(Outcome::Accepted(origin));
    }

    fn rejected(&self, json: &[u8], item: Item<T>, status: u16, message: String) {
        self.counts.rejected.fetch_add(1, Ordering::Relaxed);
        self.config.watch.settled(Settled::Rejected);
        self.report_rejection(json, item, Some(status), message, (true, false));
    }

    fn not_sent(&self, json: &[u8], items: Vec<Item<T>>, status: Option<u16>, why: &str) {
        for item in items {
            self.counts.not_sent.fetch_add(1, Ordering::Relaxed);
            self.config.watch.settled(Settled::NotSent);
            let message = format!("not sent: {why}");
            self.report_rejection(json, item, status, message, (false, true));
        }
    }

    /// An event larger than any request may carry: not sent, and never sendable.
    fn too_large(&self, json: &[u8], item: Item<T>) {
        self.counts.not_sent.fetch_add(1, Ordering::Relaxed);
        self.config.watch.settled(Settled::NotSent);
        let message = format!(
            "not sent: the event is {} bytes, more than a request may carry ({} bytes)",
            item.range.len(),
            self.config.max_request_bytes
        );
        self.report_rejection(json, item, None, message, (false, false));
    }

    fn report_rejection(
        &self,
        json: &[u8],
        item: Item<T>,
        status: Option<u16>,
        message: String,
        (received, sendable): (bool, bool),
    ) {
        let event = &json[item.range];
        let _ = self.outcomes.send(Outcome::Rejected(Rejection {
            origin: item.origin,
            event_id: event_id(event),
            event: String::from_utf8_lossy(event).into_owned(),
            status,
            message,
            received,
            sendable,
        }));
    }
}

impl<T: Send + 'static> Cancel for Shared<T> {
    fn stop_requested(&self) {
        self.stop(Stopped::Requested);
    }
}
