//! `--send`: a run's Conversions API events, sent to Pinterest; every event rejected or not
//! sent reported, on standard error or as a line of the rejects file, and counted.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::value::RawValue;

use pinterest_cli::counted;
use pinterest_cli::report::RejectionText;
use pinterest_mapping::Settings;
use pinterest_mapping::capi::send::{Outcome, Rejection, Report, Sender};

use super::args::Args;
use super::setup::SetupError;

pub(super) use metrics::Server as MetricsServer;

/// Where an event came from: an input (by its index: among the run's inputs, or with
/// `--resend`, among the original inputs of the events sent again) and a line.
#[derive(Clone, Copy, Debug)]
pub(super) struct LineOrigin {
    pub(super) input: usize,
    pub(super) line: u64,
}

/// A run's sending: the sender, and the record of rejected events.
pub(super) struct Sending {
    pub(super) sender: Sender<LineOrigin>,
    pub(super) recorder: Recorder,
    /// `--resend`: the inputs are rejects files, whose events are sent again.
    pub(super) resend: bool,
    /// `--metrics`: the server, serving while the run lasts.
    pub(super) metrics: Option<metrics::Server>,
}

/// Where rejected and unsent events are recorded: the rejects file, or standard error.
pub(super) struct Recorder {
    rejects: Option<Rejects>,
}

/// The rejects file, made when the first event is recorded (or at the end of a run that
/// recorded none), so that naming it never destroys a file before the inputs are read.
struct Rejects {
    path: PathBuf,
    /// Once made.
    file: Option<File>,
    /// The length of the whole lines written.
    written: u64,
    /// Whether writing to it failed: the events it misses go to standard error.
    failed: bool,
}

/// One line of the rejects file.
#[derive(Serialize)]
struct RejectLine<'r> {
    input: &'r str,
    line: u64,
    event_id: &'r str,
    /// Whether Pinterest received the event (and refused it), or it was not sent.
    received: bool,
    /// The HTTP status of Pinterest's last answer about it, when one came.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    message: &'r str,
    event: &'r RawValue,
}

impl Sending {
    /// Checks what sending needs (the ad account, the token, the URL, the rejects file) and
    /// starts the sender.
    pub(super) fn new(args: &Args, settings: &Settings) -> Result<Sending, SetupError> {
        let (watch, metrics) = metrics::serve(args.metrics.as_deref())?;
        let config = args.sending.sender_config(settings, watch)?;
        let sender = Sender::new(config).map_err(pinterest_cli::SendError::from)?;
        let rejects = match &args.rejects {
            Some(path) => {
                check_writable(path).map_err(|source| SetupError::Rejects {
                    path: path.clone(),
                    source,
                })?;
                Some(Rejects {
                    path: path.clone(),
                    file: None,
                    written: 0,
                    failed: false,
                })
            }
            None => None,
        };
        Ok(Sending {
            sender,
            recorder: Recorder { rejects },
            resend: args.resend,
            metrics,
        })
    }
}

/// Whether a file can be made at `path` (or, when there is one, opened for writing), without
/// making it or changing it.
fn check_writable(path: &Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )),
        Ok(_) => std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            match std::fs::metadata(parent) {
                Ok(metadata) if metadata.is_dir() => Ok(()),
                Ok(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::NotADirectory,
                    "its folder is not a directory",
                )),
                Err(error) => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

impl Recorder {
    /// Makes the rejects file if no event was recorded in it, so that after a run it holds
    /// that run's rejects, none included; the problem, if it cannot be made.
    pub(super) fn finish(&mut self) -> Option<String> {
        let rejects = self.rejects.as_mut()?;
        if rejects.file.is_some() || rejects.failed {
            return None;
        }
        rejects.open().err().map(|error| {
            format!(
                "cannot create the rejects file {}: {error}",
                rejects.path.display()
            )
        })
    }

    /// The rejects file, if there is one.
    pub(super) fn rejects_path(&self) -> Option<&Path> {
        self.rejects.as_ref().map(|rejects| rejects.path.as_path())
    }

    /// Records a rejected or unsent event from `input`: a line of the rejects file, or,
    /// without one (or once it cannot be written), a line for standard error, returned with
    /// the problem of the rejects file, if one came up.
    pub(super) fn record(
        &mut self,
        rejection: &Rejection<LineOrigin>,
        input: &str,
    ) -> (Option<String>, Option<String>) {
        let mut problem = None;
        if let Some(rejects) = &mut self.rejects
            && !rejects.failed
        {
            match rejects.write(rejection, input) {
                Ok(()) => return (None, None),
                Err(error) => {
                    problem = Some(format!(
                        "cannot write the rejects file {}: {error}; the events it misses are reported here",
                        rejects.path.display()
                    ));
                    rejects.failed = true;
                }
            }
        }
        let LineOrigin { line, .. } = rejection.origin;
        let message = format!(
            "{input}:{line}: {} (event_id {})",
            RejectionText(rejection),
            rejection.event_id
        );
        (problem, Some(message))
    }
}

impl Rejects {
    /// The file, made (emptied, if it was there) the first time.
    fn open(&mut self) -> std::io::Result<&mut File> {
        match &mut self.file {
            Some(file) => Ok(file),
            file => Ok(file.insert(File::create(&self.path)?)),
        }
    }

    /// Writes one whole line, in one write.
    fn write(&mut self, rejection: &Rejection<LineOrigin>, input: &str) -> std::io::Result<()> {
        let event =
            RawValue::from_string(rejection.event.clone()).map_err(std::io::Error::other)?;
        let line = RejectLine {
            input,
            line: rejection.origin.line,
            event_id: &rejection.event_id,
            received: rejection.received,
            status: rejection.status,
            message: &rejection.message,
            event: &event,
        };
        let mut text = serde_json::to_vec(&line).map_err(std::io::Error::other)?;
        text.push(b'\n');
        let written = self.written;
        let file = self.open()?;
        match file.write_all(&text) {
            Ok(()) => {
                self.written += text.len() as u64;
                Ok(())
            }
            Err(error) => {
                // No half line stays behind (the file may be no regular one: then nothing
                // was written).
                let _ = file.set_len(written);
                Err(error)
            }
        }
    }
}

/// The part of the summary about sending.
pub(super) fn summary(report: &Report, rejects: Option<&Path>) -> String {
    let Report {
        sent,
        accepted,
        rejected,
        not_sent,
        requests,
        retried,
        ..
    } = *report;
    let mut summary = format!(
        "sent {sent}, accepted {accepted}, rejected {rejected}, not sent {not_sent}, {} ({retried} retried)",
        counted(requests, "request")
    );
    if let Some(path) = rejects.filter(|_| rejected + not_sent > 0) {
        let _ = write!(summary, ", rejects in {}", path.display());
    }
    summary
}

/// The outcomes of a finished sender that the run must still record.
pub(super) fn rejections(
    outcomes: impl IntoIterator<Item = Outcome<LineOrigin>>,
) -> impl Iterator<Item = Rejection<LineOrigin>> {
    outcomes.into_iter().filter_map(|outcome| match outcome {
        Outcome::Rejected(rejection) => Some(rejection),
        // Accepted.
        _ => None,
    })
}

/// `--metrics`: the sender's work served as Prometheus metrics while the run lasts.
#[cfg(feature = "send")]
mod metrics {
    use std::sync::Arc;

    use pinterest_cli::metrics::{MetricsServer, Readiness, Registry, RequestMetrics};
    use pinterest_mapping::capi::send::Watch;

    use crate::setup::SetupError;

    pub(crate) type Server = MetricsServer;

    /// The sender's watch and the server, both or neither.
    pub(crate) type Served = (Option<Arc<dyn Watch>>, Option<Server>);

    /// A run is ready as long as it runs.
    struct Running;

    impl Readiness for Running {
        fn ready(&self) -> Result<(), String> {
            Ok(())
        }
    }

    /// The sender's watch and the server, when `address` is given.
    pub(crate) fn serve(address: Option<&str>) -> Result<Served, SetupError> {
        let Some(address) = address else {
            return Ok((None, None));
        };
        let failed = |source: std::io::Error| SetupError::Metrics {
            address: address.to_owned(),
            source,
        };
        let registry = Registry::new_custom(Some("pinterest_map".to_owned()), None)
            .map_err(|error| failed(std::io::Error::other(error)))?;
        let watch = RequestMetrics::register(&registry)
            .map_err(|error| failed(std::io::Error::other(error)))?;
        let server = MetricsServer::start(address, registry, Arc::new(Running)).map_err(failed)?;
        Ok((Some(watch), Some(server)))
    }
}

/// Without the `send` feature there is no sender, and `--metrics` (which needs `--send`) is
/// never reached.
#[cfg(not(feature = "send"))]
mod metrics {
    use std::sync::Arc;

    use pinterest_mapping::capi::send::Watch;

    use crate::setup::SetupError;

    pub(crate) type Server = ();

    /// Neither a watch nor a server.
    pub(crate) type Served = (Option<Arc<dyn Watch>>, Option<Server>);

    #[expect(
        clippy::unnecessary_wraps,
        reason = "the same signature as the metrics build's, which can fail"
    )]
    pub(crate) fn serve(_address: Option<&str>) -> Result<Served, SetupError> {
        Ok((None, None))
    }
}
