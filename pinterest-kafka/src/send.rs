//! `--send`: the Conversions API sender of `pinterest-map --send`, fed by the worker, each event
//! carrying the input message it came from.

use pinterest_cli::SendError;
use pinterest_mapping::Settings;
use pinterest_mapping::capi::send::Sender;

use crate::args::Args;
use crate::offsets::Ticket;

/// Where an event came from: its input message, and that message's key (for its dead letter).
#[derive(Clone, Debug)]
pub(crate) struct MessageOrigin {
    pub(crate) ticket: Ticket,
    pub(crate) key: Option<Vec<u8>>,
}

/// Checks what sending needs (the ad account, the token, the URL) and starts the sender.
pub(crate) fn start(args: &Args, settings: &Settings) -> Result<Sender<MessageOrigin>, SendError> {
    let config = args.sending.sender_config(settings)?;
    Ok(Sender::new(config)?)
}
