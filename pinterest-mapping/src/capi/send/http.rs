//! One request to the Conversions API's endpoint, over ureq (rustls, no OpenSSL): the answer,
//! or whether a failure to get one is worth another try.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use super::answer::{Answer, Failure};
use super::{ConfigError, SenderConfig};

/// The endpoint of one ad account, and the client that reaches it.
pub(super) struct Client {
    agent: ureq::Agent,
    url: String,
    authorization: String,
    /// How long one request may take, for the words of a timeout.
    timeout: Duration,
}

/// The longest wait a `Retry-After` is read as: longer ones wait this long, so that no
/// duration taken from the network overflows a clock; any of them is beyond the retry time.
pub(super) const RETRY_AFTER_LIMIT: Duration = Duration::from_hours(8760);

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
        if uri
            .authority()
            .is_some_and(|authority| authority.as_str().contains('@'))
        {
            return Err(ConfigError::Url(
                "must not hold a user name or password: the conversion token is the credentials",
            ));
        }
        let test = if config.test_events { "?test=true" } else { "" };
        let url = format!("{base}/ad_accounts/{}/events{test}", config.ad_account_id);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect is answered, not followed: following one would turn the POST into a
            // GET (301, 302, 303), whose answer would then decide the events' fate.
            .max_redirects(0)
            .timeout_global(Some(config.timeout))
            // A server on this machine is reached directly, whatever the proxy settings.
            .proxy(if loopback {
                None
            } else {
                ureq::Proxy::try_from_env()
            })
            .user_agent(concat!("pinterest-mapping/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(config.in_flight.max(1))
            .build()
            .new_agent();
        Ok(Client {
            agent,
            url,
            authorization: format!("Bearer {}", config.token.expose()),
            timeout: config.timeout,
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
            .map_err(|error| self.failure(error))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after").as_deref().and_then(retry_after);
        let location = header("location");
        let body = response
            .body_mut()
            .with_config()
            .limit(ANSWER_LIMIT)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(|error| self.failure(error))?;
        Ok(Answer {
            status,
            retry_after,
            location,
            body,
        })
    }

    /// What went wrong, in the product's words, and whether another try may mend it.
    fn failure(&self, error: ureq::Error) -> Failure {
        match error {
            ureq::Error::Timeout(_) => Failure::Transient(format!(
                "no answer within {} s (the request's timeout)",
                self.timeout.as_secs_f64()
            )),
            ureq::Error::ConnectionFailed => {
                Failure::Transient("the connection to the API failed".to_owned())
            }
            ureq::Error::HostNotFound => {
                Failure::Transient("the API's host name was not found".to_owned())
            }
            ureq::Error::Io(error) => Failure::Transient(format!("the connection failed: {error}")),
            ureq::Error::Protocol(error) => {
                Failure::Transient(format!("the answer was not HTTP: {error}"))
            }
            ureq::Error::BodyExceedsLimit(limit) => Failure::Transient(format!(
                "the answer was longer than {limit} bytes: not Pinterest's"
            )),
            other => Failure::Fatal(other.to_string()),
        }
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

/// `Retry-After`: seconds, or an HTTP date; at most [`RETRY_AFTER_LIMIT`].
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let seconds = if value.bytes().all(|byte| byte.is_ascii_digit()) && !value.is_empty() {
        // Digits beyond a u64 are a very long time too.
        value.parse::<u64>().unwrap_or(u64::MAX)
    } else {
        let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        let now = super::super::time::system_seconds(SystemTime::now());
        u64::try_from(date.timestamp().saturating_sub(now)).unwrap_or(0)
    };
    Some(Duration::from_secs(seconds).min(RETRY_AFTER_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::ConversionToken;

    fn client(url: &str) -> Result<String, ConfigError> {
        let mut config = SenderConfig::defaults("123", ConversionToken::new("t"));
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
        assert_eq!(
            client("https://user:secret@api.pinterest.com/v5"),
            Err(ConfigError::Url(
                "must not hold a user name or password: the conversion token is the credentials"
            ))
        );
        let mut config = SenderConfig::defaults("123", ConversionToken::new("t"));
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
        assert_eq!(retry_after("-1"), None);
        for huge in ["9223372036854775808", "99999999999999999999999", "31536001"] {
            assert_eq!(retry_after(huge), Some(RETRY_AFTER_LIMIT), "{huge}");
        }
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(RETRY_AFTER_LIMIT)
        );
    }
}
