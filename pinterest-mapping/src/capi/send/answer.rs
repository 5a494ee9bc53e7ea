//! What one request to the Conversions API gives: an HTTP answer, or a failure to get one.

use std::time::Duration;

/// An HTTP answer.
pub(super) struct Answer {
    pub status: u16,
    /// `Retry-After`, when it says how long to wait (bounded by the client).
    pub retry_after: Option<Duration>,
    /// `Location`, for a redirect.
    pub location: Option<String>,
    pub body: String,
}

/// No answer.
pub(super) enum Failure {
    /// A timeout, a refused or reset connection, a broken answer: another try may succeed.
    Transient(String),
    /// A fault no retry mends (a TLS certificate the system does not trust).
    Fatal(String),
}
