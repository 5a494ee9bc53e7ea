//! Delivering one batch: paced requests, retries with backoff and jitter on 429, 5xx and
//! transport faults, a 400 split until the refused events are alone, and the outcome of every
//! event from Pinterest's answer.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::answer::{Answer, Failure};
use super::{Attempt, Batch, Item, Shared, Stopped};
use crate::capi::response::{ApiError, ConversionApiResponse, EventResponse, EventStatus};

/// The events of a batch that have no outcome yet, in parts sent on their own. Every event
/// leaves it with its outcome; should a bug end delivery early (a panic), the events still
/// in it are reported as not sent when it is dropped, so that none is lost.
struct Pending<'s, T: Send + 'static> {
    shared: &'s Shared<T>,
    json: Vec<u8>,
    parts: Vec<VecDeque<Item<T>>>,
}

impl<T: Send + 'static> Drop for Pending<'_, T> {
    fn drop(&mut self) {
        for part in std::mem::take(&mut self.parts) {
            self.shared.not_sent(
                &self.json,
                Vec::from(part),
                None,
                "the sender failed while delivering it",
            );
        }
    }
}

/// An answer that is not a reason to try again, with its per-event statuses when it has them
/// (a 2xx always has one for every event).
struct Reply {
    answer: Answer,
    statuses: Option<Vec<EventResponse>>,
}

impl<T: Send + 'static> Shared<T> {
    /// Delivers a batch; every event of it gets its outcome.
    pub(super) fn deliver(&self, batch: Batch<T>) {
        let Batch { json, items } = batch;
        let deadline = Instant::now().checked_add(self.config.max_retry_time);
        let mut pending = Pending {
            shared: self,
            json,
            parts: vec![VecDeque::from(items)],
        };
        // A refused request is split in two, each half sent on its own.
        while let Some(part) = pending.parts.last_mut() {
            let Reply { answer, statuses } = match self.request(&pending.json, part, deadline) {
                Ok(reply) => reply,
                Err((reason, status)) => return self.give_up(&mut pending, reason, status),
            };
            let status = answer.status;
            match status {
                200..=299 | 422 => {
                    let mut part = pending.parts.pop().unwrap_or_default();
                    self.resolve(&pending.json, &mut part, &answer, statuses);
                    // `part` is empty: every event has its outcome.
                }
                // The request as a whole was refused: one event may be the cause, so each half
                // goes on its own until the refused events are alone.
                400 | 413 if part.len() > 1 => {
                    let second = part.split_off(part.len() / 2);
                    pending.parts.push(second);
                }
                300..=399 => {
                    let to = answer
                        .location
                        .as_deref()
                        .map(|location| format!(" to {}", shown(location)))
                        .unwrap_or_default();
                    let reason = Stopped::Unusable(format!(
                        "HTTP {status}: the API URL redirects{to}; events are sent to the \
                         address given and no other: check the API URL"
                    ));
                    return self.give_up(&mut pending, reason, Some(status));
                }
                401 | 403 => {
                    let reason = Stopped::Unauthorized {
                        status,
                        message: message(&answer),
                    };
                    return self.give_up(&mut pending, reason, Some(status));
                }
                404 => {
                    let reason = Stopped::Unusable(format!(
                        "HTTP 404 ({}): check the API URL and the ad account id",
                        message(&answer)
                    ));
                    return self.give_up(&mut pending, reason, Some(404));
                }
                _ => {
                    let message = message(&answer);
                    let mut part = pending.parts.pop().unwrap_or_default();
                    while let Some(item) = part.pop_front() {
                        self.rejected(&pending.json, item, status, message.clone());
                    }
                }
            }
        }
    }

    /// Stops the sender for `reason`; the parts not delivered are reported as not sent.
    fn give_up(&self, pending: &mut Pending<'_, T>, reason: Stopped, status: Option<u16>) {
        self.stop(reason);
        let why = self
            .stopped()
            .map(|stopped| stopped.to_string())
            .unwrap_or_default();
        for part in std::mem::take(&mut pending.parts) {
            self.not_sent(&pending.json, Vec::from(part), status, &why);
        }
    }

    /// Sends a part until an answer that is not a reason to try again comes; the reason to
    /// stop otherwise, with the last HTTP status seen. A 2xx that is not Pinterest's answer,
    /// with a status for every event, is a reason to try again: only such an answer accepts
    /// an event.
    fn request(
        &self,
        json: &[u8],
        part: &mut VecDeque<Item<T>>,
        deadline: Option<Instant>,
    ) -> Result<Reply, (Stopped, Option<u16>)> {
        let body = body(json, part);
        let mut last_status = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if !self.pace() {
                return Err((self.stopped().unwrap_or(Stopped::Requested), last_status));
            }
            for item in part.iter_mut().filter(|item| !item.sent) {
                item.sent = true;
                self.counts
                    .sent
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            self.counts
                .requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if attempt > 1 {
                self.counts
                    .retried
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let started = Instant::now();
            let answered = self.http.post(&body);
            self.config.watch.attempt(&Attempt {
                events: part.len(),
                status: answered.as_ref().ok().map(|answer| answer.status),
                retry: attempt > 1,
                elapsed: started.elapsed(),
            });
            let (wait, why) = match answered {
                Ok(answer) if answer.status == 429 => {
                    last_status = Some(429);
                    let asked = answer.retry_after.unwrap_or_default();
                    (
                        asked.max(self.backoff(attempt)),
                        format!("HTTP 429: {}", message(&answer)),
                    )
                }
                Ok(answer) if answer.status >= 500 => {
                    last_status = Some(answer.status);
                    (
                        self.backoff(attempt),
                        format!("HTTP {}: {}", answer.status, message(&answer)),
                    )
                }
                Ok(answer) if (200..300).contains(&answer.status) => {
                    last_status = Some(answer.status);
                    match event_statuses(&answer.body) {
                        Some(statuses) if statuses.len() == part.len() => {
                            return Ok(Reply {
                                answer,
                                statuses: Some(statuses),
                            });
                        }
                        statuses => (
                            self.backoff(attempt),
                            not_pinterests_answer(&answer, statuses.map(|s| s.len()), part.len()),
                        ),
                    }
                }
                Ok(answer) => {
                    let statuses = event_statuses(&answer.body);
                    return Ok(Reply { answer, statuses });
                }
                Err(Failure::Transient(description)) => (self.backoff(attempt), description),
                Err(Failure::Fatal(description)) => {
                    return Err((Stopped::Unusable(description), last_status));
                }
            };
            let next = Instant::now().checked_add(wait);
            let beyond_deadline = match (next, deadline) {
                (Some(next), Some(deadline)) => next > deadline,
                (None, _) => true,
                (Some(_), None) => false,
            };
            if attempt >= self.config.max_attempts || beyond_deadline {
                let waited = if beyond_deadline && attempt < self.config.max_attempts {
                    format!(
                        ", and the next try would be {} s away, beyond the {} s allowed for \
                         retries",
                        wait.as_secs(),
                        self.config.max_retry_time.as_secs()
                    )
                } else {
                    String::new()
                };
                let attempts = if attempt == 1 { "attempt" } else { "attempts" };
                return Err((
                    Stopped::Unavailable(format!("{why} (after {attempt} {attempts}{waited})")),
                    last_status,
                ));
            }
            // `next` is some: a wait beyond the clock is beyond the deadline.
            if !self.sleep_until(next.unwrap_or_else(Instant::now)) {
                return Err((self.stopped().unwrap_or(Stopped::Requested), last_status));
            }
        }
    }

    /// Waits for the next request's turn under the rate limit; `false` when the sender stopped.
    fn pace(&self) -> bool {
        let interval = Duration::from_mins(1) / self.config.requests_per_minute;
        let turn = {
            let mut next = self
                .next_request
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let turn = (*next).max(Instant::now());
            *next = turn + interval;
            turn
        };
        self.sleep_until(turn)
    }

    /// The wait before attempt `attempt + 1`: exponential, capped, with jitter (between half
    /// and all of it), so that senders that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self
            .config
            .first_backoff
            .saturating_mul(2_u32.saturating_pow(attempt.saturating_sub(1)));
        let full = doubled.min(self.config.max_backoff);
        full / 2 + full.mul_f64(fastrand::f64() / 2.0)
    }

    /// The outcome of each event of a part Pinterest answered 2xx (with a status for every
    /// event) or 422 about, taken out of `part` one by one.
    fn resolve(
        &self,
        json: &[u8],
        part: &mut VecDeque<Item<T>>,
        answer: &Answer,
        statuses: Option<Vec<EventResponse>>,
    ) {
        let mut statuses = statuses.unwrap_or_default().into_iter();
        while let Some(item) = part.pop_front() {
            match statuses.next() {
                Some(EventResponse {
                    status: EventStatus::Failed,
                    error_message,
                    ..
                }) => {
                    let message =
                        error_message.unwrap_or_else(|| "failed, without a message".to_owned());
                    self.rejected(json, item, answer.status, message);
                }
                Some(_) => self.accepted(item.origin),
                None => self.rejected(
                    json,
                    item,
                    answer.status,
                    format!(
                        "not processed; Pinterest's answer gives no status for this event ({})",
                        message(answer)
                    ),
                ),
            }
        }
    }
}

/// Why a 2xx answer accepts nothing: it is not Pinterest's answer, or it lacks a status for
/// some events.
fn not_pinterests_answer(answer: &Answer, statuses: Option<usize>, events: usize) -> String {
    let status = answer.status;
    match statuses {
        Some(statuses) => format!(
            "HTTP {status}, but Pinterest's answer gives {statuses} statuses for {events} events"
        ),
        None if answer.body.trim().is_empty() => {
            format!("HTTP {status}, but with an empty body, not Pinterest's answer")
        }
        None => format!(
            "HTTP {status}, but not Pinterest's answer: {}",
            message(answer)
        ),
    }
}

/// A header's text as shown in a message: one line, at most 200 characters.
fn shown(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_control())
        .take(200)
        .collect()
}

/// `{"data":[…]}` from the events' JSON.
fn body<T>(json: &[u8], part: &VecDeque<Item<T>>) -> Vec<u8> {
    let length = part.iter().map(|item| item.range.len() + 1).sum::<usize>() + 10;
    let mut body = Vec::with_capacity(length);
    body.extend_from_slice(b"{\"data\":[");
    for (index, item) in part.iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&json[item.range.clone()]);
    }
    body.extend_from_slice(b"]}");
    body
}

/// The per-event statuses of an answer: the response's `events`, or a 422's
/// `details.events`.
fn event_statuses(body: &str) -> Option<Vec<EventResponse>> {
    if let Ok(response) = serde_json::from_str::<ConversionApiResponse>(body) {
        return Some(response.events);
    }
    let error: ApiError = serde_json::from_str(body).ok()?;
    let events = error.details?.get("events")?.clone();
    serde_json::from_value(events).ok()
}

/// Pinterest's message in an answer: its `message`, or the start of the body, on one line.
fn message(answer: &Answer) -> String {
    if let Ok(error) = serde_json::from_str::<ApiError>(&answer.body) {
        return error.message;
    }
    let text: String = answer
        .body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    if text.is_empty() {
        format!("HTTP {}", answer.status)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            retry_after: None,
            location: None,
            body: body.to_owned(),
        }
    }

    #[test]
    fn statuses_from_a_response_or_a_422s_details() {
        let ok = r#"{"num_events_received":1,"num_events_processed":1,"events":[{"status":"processed"}]}"#;
        assert_eq!(event_statuses(ok).map(|events| events.len()), Some(1));
        let detailed = r#"{"code":4,"message":"m","details":{"events":[{"status":"failed","error_message":"x"}]}}"#;
        assert_eq!(
            event_statuses(detailed).and_then(|events| events[0].error_message.clone()),
            Some("x".to_owned())
        );
        assert_eq!(event_statuses("<html>"), None);
    }

    #[test]
    fn messages_from_errors_or_the_bodys_start() {
        assert_eq!(
            message(&answer(400, r#"{"code":1,"message":"Bad."}"#)),
            "Bad."
        );
        assert_eq!(
            message(&answer(502, "<html>\n  Bad\tgateway </html>")),
            "<html> Bad gateway </html>"
        );
        assert_eq!(message(&answer(503, "")), "HTTP 503");
    }

    /// Without the `send` feature no sender starts: there is no HTTP client.
    #[cfg(not(feature = "send"))]
    #[test]
    fn without_the_http_client_no_sender_starts() {
        use super::super::{ConfigError, Sender, SenderConfig};
        use crate::capi::ConversionToken;

        let config = SenderConfig::defaults("1", ConversionToken::new("t"));
        assert_eq!(
            Sender::<u32>::new(config).err(),
            Some(ConfigError::NoHttpClient)
        );
    }

    // A sender starts only with its HTTP client.
    #[cfg(feature = "send")]
    #[test]
    fn the_events_of_a_delivery_that_panics_are_reported_and_the_sender_stops() {
        use super::super::{Outcome, Sender, SenderConfig};
        use crate::capi::ConversionToken;

        let mut config = SenderConfig::defaults("1", ConversionToken::new("t"));
        config.api_url = "http://127.0.0.1:9".to_owned();
        let sender: Sender<u32> = Sender::new(config).unwrap();
        let json = br#"{"event_id":"a"}{"event_id":"b"}"#.to_vec();
        let item = |origin, range| Item {
            origin,
            range,
            sent: true,
        };
        let survived = sender.shared.guarded(|| {
            let _pending = Pending {
                shared: &sender.shared,
                json,
                parts: vec![
                    VecDeque::from([item(1, 0..16)]),
                    VecDeque::from([item(2, 16..32)]),
                ],
            };
            panic!("a bug");
        });
        assert!(!survived);
        assert_eq!(sender.stopped(), Some(Stopped::Failed("a bug".to_owned())));
        let outcomes: Vec<(u32, String, String, bool)> = sender
            .finish()
            .outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::Rejected(rejection) => (
                    rejection.origin,
                    rejection.event_id,
                    rejection.message,
                    rejection.received,
                ),
                Outcome::Accepted(origin) => panic!("{origin} accepted"),
            })
            .collect();
        let not_sent = "not sent: the sender failed while delivering it".to_owned();
        assert_eq!(
            outcomes,
            [
                (1, "a".to_owned(), not_sent.clone(), false),
                (2, "b".to_owned(), not_sent, false),
            ]
        );
    }

    #[test]
    fn bodies_join_the_events() {
        let item = |range| Item {
            origin: (),
            range,
            sent: false,
        };
        let json = b"{\"a\":1}{}";
        assert_eq!(
            body(json, &VecDeque::from([item(0..7), item(7..9)])),
            b"{\"data\":[{\"a\":1},{}]}"
        );
        assert_eq!(
            body(json, &VecDeque::from([item(7..9)])),
            b"{\"data\":[{}]}"
        );
        assert_eq!(body::<()>(json, &VecDeque::new()), b"{\"data\":[]}");
    }
}
