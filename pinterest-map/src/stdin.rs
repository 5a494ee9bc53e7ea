//! Standard input read on a helper thread, so that the run never waits on it for long: a read
//! waits at most [`POLL`] for input and, when none came, reports
//! [`io::ErrorKind::Interrupted`], so that the run can attend to its signals and to the events
//! it is sending in the meantime. (A read of standard input cannot otherwise be interrupted.)
//! A read that finds nothing to give within [`STALL`] reports it before it waits on, so that
//! the run can write out what it has mapped.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How long a read waits for input before it gives the run its turn.
const POLL: Duration = Duration::from_millis(100);

/// How long a read waits for input before it reports that the input stalls.
const STALL: Duration = Duration::from_millis(2);

/// Chunks read ahead at most: memory stays bounded whatever the input.
const AHEAD: usize = 8;

/// Bytes the helper thread reads at a time.
const CHUNK: usize = 128 * 1024;

/// Standard input, through a helper thread.
pub(super) struct PolledStdin {
    chunks: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    ended: bool,
    /// Whether the last read found nothing to give within [`STALL`], and said so.
    stalled: bool,
}

impl PolledStdin {
    /// Starts the helper thread; `None` if no thread can be started (then read standard input
    /// directly).
    pub(super) fn start() -> Option<PolledStdin> {
        let (sender, chunks) = mpsc::sync_channel(AHEAD);
        std::thread::Builder::new()
            .name("stdin".to_owned())
            .spawn(move || {
                let mut stdin = io::stdin();
                loop {
                    let mut chunk = vec![0; CHUNK];
                    let read = match stdin.read(&mut chunk) {
                        Ok(read) => read,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        Err(error) => {
                            let _ = sender.send(Err(error));
                            return;
                        }
                    };
                    chunk.truncate(read);
                    // An empty chunk is the end of the input.
                    if sender.send(Ok(chunk)).is_err() || read == 0 {
                        return;
                    }
                }
            })
            .ok()?;
        Some(PolledStdin {
            chunks,
            chunk: Vec::new(),
            at: 0,
            ended: false,
            stalled: false,
        })
    }
}

impl Read for PolledStdin {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            let wait = if self.stalled { POLL } else { STALL };
            match self.chunks.recv_timeout(wait) {
                Ok(Ok(chunk)) => {
                    self.stalled = false;
                    self.ended = chunk.is_empty();
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(error)) => {
                    self.ended = true;
                    return Err(error);
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.stalled = true;
                    return Err(io::ErrorKind::Interrupted.into());
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.ended = true;
                    return Ok(0);
                }
            }
        }
        let length = buffer.len().min(self.chunk.len() - self.at);
        buffer[..length].copy_from_slice(&self.chunk[self.at..self.at + length]);
        self.at += length;
        Ok(length)
    }
}
