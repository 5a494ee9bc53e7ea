//! `pinterest-kafka`: a Kafka stream worker that maps Segment messages with a
//! [`pinterest_mapping!`](pinterest_mapping::pinterest_mapping) table, in a consumer group, at
//! least once. `pinterest-kafka` is `main(pinterest_mapping::spec::Table)`; a table of one's own
//! makes its own worker the same way.
//!
//! The guarantee: an input offset is committed only after every output of its message (its
//! mapped line, or its dead letter) is acknowledged by the broker (`acks=all`, idempotent
//! producer); a failed delivery makes the worker read the partition again from that message;
//! a revoked partition's offsets are committed before it goes, and never after. A crash or a
//! rebalance can send an output twice, never lose one.

// Clippy's pedantic lints this crate does not follow, beyond the workspace's, and why.
#![allow(
    // Rates and sizes are figures for people: a double's precision is plenty.
    clippy::cast_precision_loss,
)]

mod args;
mod log;
mod offsets;
mod send;
mod status;
mod worker;

use std::ffi::OsString;
use std::io;
use std::process::ExitCode;

use pinterest_cli::{Declined, write_declined};
use pinterest_mapping::Mapping;

pub use status::Status;

/// The whole worker for `table`: reads the process's arguments, runs until SIGTERM, SIGINT or
/// SIGHUP (or `--stop-when-idle`), and returns the exit status.
pub fn main<M: Mapping>(table: M) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let program = pinterest_cli::program_name(args.first(), args::DEFAULT_NAME);
    let args = match args::parse(args) {
        Ok(args) => args,
        Err(error) => {
            let status = match write_declined(&error, &program, io::stdout(), &mut io::stderr()) {
                Declined::Answered | Declined::OutputFailed => Status::Success,
                _ => Status::Unusable,
            };
            return status.into();
        }
    };
    log::install(&program, args.log_format);
    worker::run(table, &program, &args).into()
}
