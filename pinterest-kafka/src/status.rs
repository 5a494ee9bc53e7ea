//! The exit statuses of `pinterest-kafka` (and of any table's own worker).

use std::process::ExitCode;

/// How a worker ended: `pinterest-kafka --help` and the README document each status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0: stopped by a signal (or `--stop-when-idle`) with everything in flight delivered and
    /// committed.
    Success,
    /// 1: stopped with outputs still undelivered: they are not committed, and are read again
    /// by the next worker of the group.
    Undelivered,
    /// 2: unusable arguments, settings or Kafka configuration, or (`--send`) credentials
    /// Pinterest refused.
    Unusable,
    /// 3 (`--send`): the Conversions API stayed unavailable past the retry limits; what was
    /// not accepted is not committed, and is read again by the next worker of the group.
    ApiUnavailable,
    /// 4: no partition came within `--startup-timeout`, and the input topic does not exist or
    /// the brokers cannot be reached; nothing was read.
    NoInput,
}

impl Status {
    /// The status as the process's exit code.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Undelivered => 1,
            Status::Unusable => 2,
            Status::ApiUnavailable => 3,
            Status::NoInput => 4,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status.code())
    }
}
