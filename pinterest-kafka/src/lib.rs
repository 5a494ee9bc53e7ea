//! `pinterest-kafka`: a Kafka stream worker that maps Segment messages with a
//! [`pinterest_mapping!`](mapping_core::pinterest_mapping) table, in a consumer group, at
//! least once. `pinterest-kafka` is `main(mapping_core::spec::Table)`; a table of one's own
//! makes its own worker the same way.
//!
//! The guarantee: an input offset is committed only after every output of its message (its
//! mapped line, or its dead letter) is acknowledged by the broker (`acks=all`, idempotent
//! producer); a failed delivery makes the worker read the partition again from that message;
//! a revoked partition's offsets are committed before it goes, and never after. A crash or a
//! rebalance can send an output twice, never lose one.

/// A line on standard error, written whole in one write (never a panic when standard error
/// is closed).
macro_rules! say {
    ($($argument:tt)*) => {
        $crate::say(::std::format_args!($($argument)*))
    };
}

mod args;
mod offsets;
mod send;
mod settings;
mod worker;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use mapping_core::Mapping;

pub use args::{API_UNAVAILABLE, SUCCESS, UNDELIVERED, UNUSABLE};

/// Writes a line on standard error in one write, so that it stays whole among the lines of the
/// client library's threads and costs one system call; a standard error that cannot be
/// written is ignored.
fn say(line: std::fmt::Arguments) {
    use std::io::Write as _;
    let mut text = line.to_string();
    text.push('\n');
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The whole worker for `table`: reads the process's arguments, runs until SIGTERM or SIGINT,
/// and returns the exit status.
pub fn main<M: Mapping>(table: M) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let program = args
        .first()
        .and_then(|first| std::path::Path::new(first).file_name())
        .and_then(|name| name.to_str())
        .unwrap_or("pinterest-kafka")
        .to_owned();
    let args = match args::Args::try_parse_from(args) {
        Ok(args) => args,
        Err(error) => {
            let status = if error.use_stderr() {
                UNUSABLE
            } else {
                SUCCESS
            };
            let _ = error.print();
            return ExitCode::from(status);
        }
    };
    ExitCode::from(worker::run(table, &program, &args))
}
