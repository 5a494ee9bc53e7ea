//! The exit statuses of `pinterest-map` (and of any table's own tool), ordered by severity: a
//! run that meets several ends with the most severe.

use std::process::ExitCode;

/// How a run ended: `pinterest-map --help` documents each status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// 0: every line was mapped (and, with `--send`, every event accepted).
    Success,
    /// 1: some lines were not valid messages, or an input could not be read to the end, or
    /// (`--format capi`, `--send`) some messages could not become Conversions API events, or
    /// (`--send`) some events were rejected or could not be sent.
    LinesFailed,
    /// 2: unusable arguments, settings or traits (with `--strict`: settings with warnings),
    /// and nothing was processed; or (`--send`) Pinterest refused the token or the ad account.
    Unusable,
    /// 3: standard output could not be written (a full disk, say): the run stopped there.
    OutputFailed,
}

impl Status {
    /// The status as the process's exit code.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::LinesFailed => 1,
            Status::Unusable => 2,
            Status::OutputFailed => 3,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status.code())
    }
}
