//! `--send`: the Conversions API sender of `pinterest-map --send`, fed by the worker, each event
//! carrying the input message it came from.

use mapping_core::capi::send::{Sender, SenderConfig};
use mapping_core::{ConversionToken, Settings};

use crate::args::Args;
use crate::offsets::Ticket;

/// The environment variable holding the conversion token.
const TOKEN_VARIABLE: &str = "PINTEREST_CONVERSION_TOKEN";

/// Where an event came from: its input message, and that message's key (for its dead letter).
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) ticket: Ticket,
    pub(crate) key: Option<Vec<u8>>,
}

/// Checks what sending needs (the ad account, the token, the URL) and starts the sender.
pub(crate) fn start(args: &Args, settings: &Settings) -> Result<Sender<Origin>, String> {
    if settings.ad_account_id.is_empty() {
        return Err(
            "--send needs the ad account: set `ad_account_id` in the settings (--settings)"
                .to_owned(),
        );
    }
    let token = std::env::var(TOKEN_VARIABLE)
        .ok()
        .filter(|token| !token.is_empty())
        .map(ConversionToken::new)
        .or_else(|| settings.conversion_token.clone())
        .ok_or_else(|| {
            format!(
                "--send needs the conversion token: set the environment variable \
                 {TOKEN_VARIABLE}, or `conversion_token` in the settings"
            )
        })?;
    let mut config = SenderConfig::new(settings.ad_account_id.clone(), token);
    config.api_url.clone_from(&args.api_url);
    config.test_events = args.test_events;
    Sender::new(config).map_err(|error| format!("--send: {error}"))
}
