//! Sending (`--send`): each message's Conversions API event given to the sender, the events
//! Pinterest rejected and those not sent recorded as their outcomes come, and the sending
//! finished at the end of the run.

use std::path::{Path, PathBuf};

use pinterest_cli::send::is_configuration;
use pinterest_mapping::capi::ConversionEvent;
use pinterest_mapping::capi::send::{Rejection, Report, Sender, StopHandle, Stopped};

use super::report::Reporter;
use crate::Status;
use crate::resend::Names;
use crate::send::{self, LineOrigin, Recorder, Sending};
use crate::setup::Input;

/// A run's sending.
pub(super) struct Delivery {
    /// The sender, until it is finished.
    sender: Option<Sender<LineOrigin>>,
    /// Where rejected and unsent events are recorded.
    recorder: Recorder,
    /// The sender refused an event for having stopped.
    refused: bool,
    /// Once finished: what the sender did, and the rejects file.
    sent: Option<(Report, Option<PathBuf>)>,
    /// With `--resend`: the original inputs of the events sent again.
    resent: Option<Names>,
    /// With `--metrics`: the server, serving until the run ends.
    _metrics: Option<crate::send::MetricsServer>,
}

impl Delivery {
    pub(super) fn new(
        Sending {
            sender,
            recorder,
            resend,
            metrics,
        }: Sending,
    ) -> Delivery {
        Delivery {
            sender: Some(sender),
            recorder,
            refused: false,
            sent: None,
            resent: resend.then(Names::default),
            _metrics: metrics,
        }
    }

    /// Whether the inputs are rejects files, whose events are sent again (`--resend`).
    pub(super) fn resends(&self) -> bool {
        self.resent.is_some()
    }

    /// The origin of an event sent again: its original input and line.
    pub(super) fn resent_origin(&mut self, input: &str, line: u64) -> LineOrigin {
        let input = self.resent.get_or_insert_default().index(input);
        LineOrigin { input, line }
    }

    /// What stops the sender at once, from another thread.
    pub(super) fn stop_handle(&self) -> Option<StopHandle> {
        self.sender.as_ref().map(Sender::stop_handle)
    }

    /// Whether the sender is still sending (the run has not finished it).
    pub(super) fn is_sending(&self) -> bool {
        self.sender.is_some()
    }

    /// Whether the sender refused an event for having stopped (by a signal, or by Pinterest's
    /// answers): the run reads no more.
    pub(super) fn refused(&self) -> bool {
        self.refused
    }

    /// Once finished: what the sender did, and the rejects file.
    pub(super) fn sent(&self) -> Option<&(Report, Option<PathBuf>)> {
        self.sent.as_ref()
    }

    /// Gives an event to the sender; notes when it refuses it for having stopped.
    pub(super) fn send(&mut self, origin: LineOrigin, event: &ConversionEvent<'_>) {
        if let Some(sender) = &self.sender
            && sender.send(origin, event).is_err()
        {
            self.refused = true;
        }
    }

    /// Records the rejected and unsent events known so far.
    pub(super) fn take_outcomes<E: std::io::Write>(
        &mut self,
        reporter: &mut Reporter<'_, E>,
        inputs: &[Input],
    ) {
        let Some(sender) = &self.sender else {
            return;
        };
        let rejections: Vec<_> = send::rejections(sender.outcomes()).collect();
        self.record(reporter, inputs, rejections);
    }

    /// Records rejected and unsent events, in the rejects file or on standard error.
    fn record<E: std::io::Write>(
        &mut self,
        reporter: &mut Reporter<'_, E>,
        inputs: &[Input],
        rejections: impl IntoIterator<Item = Rejection<LineOrigin>>,
    ) {
        for rejection in rejections {
            let name = match &self.resent {
                Some(names) => names.name(rejection.origin.input).to_owned(),
                None => inputs[rejection.origin.input].name(),
            };
            let (problem, line) = self.recorder.record(&rejection, &name);
            if let Some(problem) = problem {
                reporter.warn(format_args!("{problem}"));
            }
            if let Some(line) = line {
                reporter.write_line(format_args!("{line}"));
            }
        }
    }

    /// Sends what is queued (after a signal, `signalled`, stops at once), waits for every
    /// answer, records the rejected and unsent events, and returns the run's status as far as
    /// sending goes. `last_line`: the last line read, an input's index and the line's number.
    pub(super) fn finish<E: std::io::Write>(
        &mut self,
        reporter: &mut Reporter<'_, E>,
        inputs: &[Input],
        signalled: bool,
        last_line: Option<(usize, u64)>,
    ) -> Status {
        let Some(sender) = self.sender.take() else {
            return Status::Success;
        };
        if signalled {
            sender.stop();
        }
        let finished = sender.finish();
        self.record(reporter, inputs, send::rejections(finished.outcomes));
        let mut status = Status::Success;
        if let Some(problem) = self.recorder.finish() {
            reporter.warn(format_args!("{problem}"));
            status = Status::OutputFailed;
        }
        let report = finished.report;
        let rejects = self.recorder.rejects_path().map(Path::to_path_buf);
        self.sent = Some((report, rejects));
        if report.rejected + report.not_sent > 0 {
            status = status.max(Status::LinesFailed);
        }
        if let Some(stopped) = finished
            .stopped
            .filter(|stopped| *stopped != Stopped::Requested)
        {
            let read = match last_line {
                Some((input, line)) => {
                    format!("the input read up to {}:{line}", inputs[input].name())
                }
                None => "no input read".to_owned(),
            };
            reporter.warn(format_args!(
                "stopped sending: {stopped}; {} events not sent, {read}",
                report.not_sent
            ));
            if is_configuration(&stopped) {
                status = status.max(Status::Unusable);
            }
        }
        status
    }
}
