//! One request to the Conversions API's endpoint, over ureq (rustls, no OpenSSL): the answer,
//! or whether a failure to get one is worth another try.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use super::{ConfigError, SenderConfig};

/// The endpoint of one ad account, and the client that reaches it.
pub(super) struct Client {
    agent: ureq::Agent,
    url: String,
    authorization: String,
}

/// An HTTP answer.
pub(super) struct Answer {
    pub status: u16,
    /// `Retry-After`, when it says how long to wait.
    pub retry_after: Option<Duration>,
    pub body: String,
}

/// No answer.
pub(super) enum Failure {
    /// A timeout, a refused or reset connection, a broken answer: another try may succeed.
    Transient(String),
    /// A fault no retry mends (a TLS certificate the system does not trust).
    Fatal(String),
}

/// The most of an answer read: Pinterest's answers are small.
const ANSWER_LIMIT: u64 = 4 * 1024 * 1024;

impl Client {
    pub(super) fn new(config: &SenderConfig) -> Result<Client, ConfigError> {
        let base = config.api_url.trim_end_matches('/');
        let uri: ureq::http::Uri = base.parse().map_err(|_| ConfigError::Url("is not a URL"))?;
        let host = uri.host().ok_or(ConfigError::Url("has no host"))?;
        let loopback = is_loopback(host);
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if loopback => {}
            Some("http") => {
                return Err(ConfigError::Url(
                    "must use https: the token is sent in plain text over http, taken only for a server on this machine",
                ));
            }
            _ => return Err(ConfigError::Url("must start with https://")),
        }
        if uri.query().is_some() {
            return Err(ConfigError::Url("must not have a query"));
        }
        let test = if config.test_events { "?test=true" } else { "" };
        let url = format!("{base}/ad_accounts/{}/events{test}", config.ad_account_id);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            // A server on this machine is reached directly, whatever the proxy settings.
            .proxy(if loopback {
                None
            } else {
                ureq::Proxy::try_from_env()
            })
            .user_agent(concat!("mapping-core/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(config.in_flight.max(1))
            .build()
            .new_agent();
        Ok(Client {
            agent,
            url,
            authorization: format!("Bearer {}", config.token.expose()),
        })
    }

    /// POSTs a JSON body.
    pub(super) fn post(&self, body: &[u8]) -> Result<Answer, Failure> {
        let mut response = self
            .agent
            .post(&self.url)
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(failure)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(retry_after);
        let body = response
            .body_mut()
            .with_config()
            .limit(ANSWER_LIMIT)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(failure)?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// Whether another try may mend what went wrong.
fn failure(error: ureq::Error) -> Failure {
    match error {
        ureq::Error::Timeout(_)
        | ureq::Error::Io(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Protocol(_) => Failure::Transient(error.to_string()),
        other => Failure::Fatal(other.to_string()),
    }
}

/// `localhost` or a loopback address.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = super::super::time::system_seconds(SystemTime::now());
    Some(Duration::from_secs(
        u64::try_from(date.timestamp().saturating_sub(now)).unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::ConversionToken;

    fn client(url: &str) -> Result<String, ConfigError> {
        let mut config = SenderConfig::new("123", ConversionToken::new("t"));
        config.api_url = url.to_owned();
        Client::new(&config).map(|client| client.url)
    }

    #[test]
    fn the_endpoint_of_an_ad_account() {
        assert_eq!(
            client("https://api.pinterest.com/v5/"),
            Ok("https://api.pinterest.com/v5/ad_accounts/123/events".to_owned())
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:1/v5",
            "http://[::1]:9",
        ] {
            assert!(client(local).is_ok(), "{local}");
        }
        assert_eq!(
            client("http://api.pinterest.com/v5"),
            Err(ConfigError::Url(
                "must use https: the token is sent in plain text over http, taken only for a server on this machine"
            ))
        );
        assert_eq!(
            client("ftp://x"),
            Err(ConfigError::Url("must start with https://"))
        );
        assert_eq!(client("not a url"), Err(ConfigError::Url("is not a URL")));
        assert_eq!(
            client("https://x/v5?a=b"),
            Err(ConfigError::Url("must not have a query"))
        );
        let mut config = SenderConfig::new("123", ConversionToken::new("t"));
        config.test_events = true;
        assert_eq!(
            Client::new(&config).map(|client| client.url),
            Ok("https://api.pinterest.com/v5/ad_accounts/123/events?test=true".to_owned())
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }
}
