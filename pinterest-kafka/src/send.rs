//! `--send`: the Conversions API sender of `pinterest-map --send`, fed by the worker, each event
//! carrying the input message it came from.

use std::sync::Arc;

use pinterest_cli::SendError;
use pinterest_cli::metrics::RequestMetrics;
use pinterest_mapping::Settings;
use pinterest_mapping::capi::send::{Sender, Watch};
use prometheus::Registry;

use crate::args::Args;
use crate::offsets::Ticket;

/// Where an event came from: its input message, and that message's key (for its dead letter).
#[derive(Clone, Debug)]
pub(crate) struct MessageOrigin {
    pub(crate) ticket: Ticket,
    pub(crate) key: Option<Vec<u8>>,
}

/// Checks what sending needs (the ad account, the token, the URL) and starts the sender; with
/// `--metrics`, its requests are counted in `registry`.
pub(crate) fn start(
    args: &Args,
    settings: &Settings,
    registry: &Registry,
) -> Result<Sender<MessageOrigin>, SendError> {
    let watch: Option<Arc<dyn Watch>> = match args.metrics {
        // The names are the sender's own: a registry of the worker's never has them.
        Some(_) => RequestMetrics::register(registry)
            .ok()
            .map(|metrics| metrics as Arc<dyn Watch>),
        None => None,
    };
    let config = args.sending.sender_config(settings, watch)?;
    Ok(Sender::new(config)?)
}
