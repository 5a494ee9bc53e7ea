//! Delivering one batch: paced requests, retries with backoff and jitter on 429, 5xx and
//! transport faults, a 400 split until the refused events are alone, and the outcome of every
//! event from Pinterest's answer.

use std::time::{Duration, Instant};

use super::http::{Answer, Failure};
use super::{Batch, Item, Shared, Stopped};
use crate::capi::response::{ApiError, ConversionApiResponse, EventResponse, EventStatus};

impl<T: Send + 'static> Shared<T> {
    /// Delivers a batch; every event of it gets its outcome.
    pub(super) fn deliver(&self, batch: Batch<T>) {
        let Batch { json, items } = batch;
        let deadline = Instant::now() + self.config.max_retry_time;
        // Parts still to send: a refused request is split in two, each sent on its own.
        let mut parts = vec![items];
        while let Some(mut part) = parts.pop() {
            let answer = match self.request(&json, &mut part, deadline) {
                Ok(answer) => answer,
                Err((reason, status)) => {
                    parts.push(part);
                    return self.give_up(&json, parts, reason, status);
                }
            };
            match answer.status {
                200..=299 | 422 => self.resolve(&json, part, &answer),
                // The request as a whole was refused: one event may be the cause, so each half
                // goes on its own until the refused events are alone.
                400 | 413 if part.len() > 1 => {
                    let second = part.split_off(part.len() / 2);
                    parts.push(second);
                    parts.push(part);
                }
                401 | 403 => {
                    let reason = Stopped::Unauthorized {
                        status: answer.status,
                        message: message(&answer),
                    };
                    parts.push(part);
                    return self.give_up(&json, parts, reason, Some(answer.status));
                }
                404 => {
                    let reason = Stopped::Unusable(format!(
                        "HTTP 404 ({}): check the API URL and the ad account id",
                        message(&answer)
                    ));
                    parts.push(part);
                    return self.give_up(&json, parts, reason, Some(404));
                }
                status => {
                    let message = message(&answer);
                    for item in part {
                        self.rejected(&json, item, status, message.clone());
                    }
                }
            }
        }
    }

    /// Stops the sender for `reason`; the parts not delivered are reported as not sent.
    fn give_up(&self, json: &[u8], parts: Vec<Vec<Item<T>>>, reason: Stopped, status: Option<u16>) {
        self.stop(reason);
        let why = self
            .stopped()
            .map(|stopped| stopped.to_string())
            .unwrap_or_default();
        for part in parts {
            self.not_sent(json, part, status, &why);
        }
    }

    /// Sends a part until an answer that is not a reason to try again comes; the reason to
    /// stop otherwise, with the last HTTP status seen.
    fn request(
        &self,
        json: &[u8],
        part: &mut [Item<T>],
        deadline: Instant,
    ) -> Result<Answer, (Stopped, Option<u16>)> {
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
            let (wait, why) = match self.http.post(&body) {
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
                Ok(answer) => return Ok(answer),
                Err(Failure::Transient(description)) => (self.backoff(attempt), description),
                Err(Failure::Fatal(description)) => {
                    return Err((Stopped::Unusable(description), last_status));
                }
            };
            let give_up = attempt >= self.config.max_attempts || Instant::now() + wait > deadline;
            if give_up {
                return Err((
                    Stopped::Unavailable(format!("{why} (after {attempt} attempts)")),
                    last_status,
                ));
            }
            if !self.sleep_until(Instant::now() + wait) {
                return Err((self.stopped().unwrap_or(Stopped::Requested), last_status));
            }
        }
    }

    /// Waits for the next request's turn under the rate limit; `false` when the sender stopped.
    fn pace(&self) -> bool {
        let interval = Duration::from_secs(60) / self.config.requests_per_minute;
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

    /// The outcome of each event of a part Pinterest answered 200 or 422 about.
    fn resolve(&self, json: &[u8], part: Vec<Item<T>>, answer: &Answer) {
        let statuses = event_statuses(&answer.body);
        for (index, item) in part.into_iter().enumerate() {
            match statuses.as_ref().and_then(|statuses| statuses.get(index)) {
                Some(EventResponse {
                    status: EventStatus::Failed,
                    error_message,
                    ..
                }) => {
                    let message = error_message
                        .clone()
                        .unwrap_or_else(|| "failed, without a message".to_owned());
                    self.rejected(json, item, answer.status, message);
                }
                Some(_) => self.accepted(item.origin),
                // A 200 took the whole request.
                None if answer.status != 422 => self.accepted(item.origin),
                None => self.rejected(
                    json,
                    item,
                    422,
                    format!(
                        "not processed; Pinterest's answer gives no status for this event ({})",
                        message(answer)
                    ),
                ),
            }
        }
    }
}

/// `{"data":[…]}` from the events' JSON.
fn body<T>(json: &[u8], part: &[Item<T>]) -> Vec<u8> {
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

    #[test]
    fn bodies_join_the_events() {
        let item = |range| Item {
            origin: (),
            range,
            sent: false,
        };
        let json = b"{\"a\":1}{}";
        assert_eq!(
            body(json, &[item(0..7), item(7..9)]),
            b"{\"data\":[{\"a\":1},{}]}"
        );
        assert_eq!(body(json, &[item(7..9)]), b"{\"data\":[{}]}");
        assert_eq!(body::<()>(json, &[]), b"{\"data\":[]}");
    }
}
