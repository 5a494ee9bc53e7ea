//! The Conversions API's answers, as Rust types: per-event statuses (200 and 422) and errors.
//! Read leniently: keys Pinterest adds later are ignored.

use serde::{Deserialize, Serialize};

/// The answer to a request the API took (200), or took in part (422 lists the events it
/// refused).
///
/// ```
/// use pinterest_mapping::capi::{ConversionApiResponse, EventStatus};
///
/// let answer: ConversionApiResponse = serde_json::from_str(
///     r#"{"num_events_received":2,"num_events_processed":1,"events":[
///         {"status":"processed","error_message":null,"warning_message":null},
///         {"status":"failed","error_message":"event_time is too old","warning_message":null}]}"#,
/// )?;
/// assert_eq!(answer.events[1].status, EventStatus::Failed);
/// assert_eq!(answer.events[1].error_message.as_deref(), Some("event_time is too old"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionApiResponse {
    /// Events received.
    pub num_events_received: i64,
    /// Events processed.
    pub num_events_processed: i64,
    /// One entry per event, in request order.
    pub events: Vec<EventResponse>,
}

/// What became of one event of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventResponse {
    /// Whether it was processed.
    pub status: EventStatus,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Fields that are not standard (the event was still processed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_message: Option<String>,
}

/// `processed` or `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventStatus {
    /// Taken.
    Processed,
    /// Refused.
    Failed,
}

/// An error answer (400, 401, 403, 429, 5xx): Pinterest's code and message, and, for 422,
/// details.
///
/// ```
/// use pinterest_mapping::capi::ApiError;
///
/// let error: ApiError = serde_json::from_str(r#"{"code":2,"message":"Authentication failed."}"#)?;
/// assert_eq!((error.code, error.message.as_str()), (2, "Authentication failed."));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// Pinterest's error code.
    pub code: i64,
    /// What went wrong.
    pub message: String,
    /// More about it (422).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}
