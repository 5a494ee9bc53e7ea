//! `--send`: the Conversions API sender's configuration, from the options, the settings and
//! the environment.

use std::sync::Arc;

use pinterest_mapping::capi::send::{ConfigError, SenderConfig, Stopped, Watch};
use pinterest_mapping::{ConversionToken, Settings};

use crate::args::SendArgs;

/// The environment variable holding the conversion token.
pub const TOKEN_VARIABLE: &str = "PINTEREST_CONVERSION_TOKEN";

/// Why `--send` cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The settings name no ad account.
    #[error("--send needs the ad account: set `ad_account_id` in the settings (--settings)")]
    NoAdAccount,
    /// Neither the environment nor the settings hold a token.
    #[error(
        "--send needs the conversion token: set the environment variable {TOKEN_VARIABLE}, or \
         `conversion_token` in the settings"
    )]
    NoToken,
    /// The program was built without an HTTP client.
    #[error(
        "--send: this build has no HTTP client: build it with the `send` feature (`cargo \
         install --path pinterest-map --features send`; a table's own tool: pinterest-map's \
         `send` feature)"
    )]
    NoHttpClient,
    /// `--api-url` cannot be used.
    #[error("--api-url {0}")]
    Url(&'static str),
    /// The configuration is refused for another reason.
    #[error("{0}")]
    Config(ConfigError),
}

impl From<ConfigError> for SendError {
    fn from(error: ConfigError) -> SendError {
        match error {
            ConfigError::Url(problem) => SendError::Url(problem),
            ConfigError::NoHttpClient => SendError::NoHttpClient,
            other => SendError::Config(other),
        }
    }
}

impl SendArgs {
    /// The sender's configuration: these options, the ad account of `settings`, and the token
    /// of the environment variable [`TOKEN_VARIABLE`], else of the settings.
    ///
    /// # Errors
    ///
    /// No ad account or no token, or a value the sender cannot work with.
    pub fn sender_config(
        &self,
        settings: &Settings,
        watch: Option<Arc<dyn Watch>>,
    ) -> Result<SenderConfig, SendError> {
        if settings.conversions.ad_account_id.is_empty() {
            return Err(SendError::NoAdAccount);
        }
        let token = std::env::var(TOKEN_VARIABLE)
            .ok()
            .filter(|token| !token.is_empty())
            .map(ConversionToken::new)
            .or_else(|| settings.conversions.conversion_token.clone())
            .ok_or(SendError::NoToken)?;
        let mut builder = SenderConfig::builder(settings.conversions.ad_account_id.clone(), token)
            .api_url(&self.api_url)
            .test_events(self.test_events)
            .timeout(self.timeout)
            .max_attempts(self.max_attempts)
            .in_flight(usize::try_from(self.in_flight).unwrap_or(usize::MAX))
            .requests_per_minute(self.requests_per_minute);
        if let Some(watch) = watch {
            builder = builder.watch(watch);
        }
        Ok(builder.build()?)
    }
}

/// Whether the sender stopped because its configuration was refused (the credentials, or an
/// API address no retry mends): the command's "unusable" status, rather than a failure of
/// the events.
#[must_use]
pub fn is_configuration(stopped: &Stopped) -> bool {
    matches!(stopped, Stopped::Unauthorized { .. } | Stopped::Unusable(_))
}
