//! The stopping signals on Unix, caught by a thread.
//!
//! A thread waits for the signals. When one arrives while the run is waiting for input, every
//! mapped line has been written already (output is flushed before any read that may wait), so
//! the process ends at once. Otherwise the run is mapping or writing: it sees the signal after
//! the line or the write at hand, writes out its buffer, and ends. A write to standard output
//! that takes nothing (a reader that stopped reading) cannot end: once a signal came, the
//! process ends when such a write has waited [`BLOCKED_OUTPUT`], or at a second signal,
//! saying how many output lines were written in full.

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signals that stop a run.
const STOPPING: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// What the watcher does on a signal, besides recording it.
type Hook = Box<dyn Fn() + Send + Sync>;

/// How long a write to standard output may wait, once a signal asked the run to stop.
const BLOCKED_OUTPUT: Duration = Duration::from_secs(3);

/// A run's view of the stopping signals.
#[derive(Default)]
pub struct Interrupt {
    /// The signal received, or 0.
    received: AtomicI32,
    /// The signal raised, or 0: set by the signal handler itself, so that the run sees a
    /// signal at once, before the watcher's thread has had its turn.
    raised: Arc<AtomicUsize>,
    /// Whether the run is waiting for input; the watcher ends the process only then.
    waiting: Mutex<bool>,
    /// Called on every stopping signal (to stop sending at once).
    hooks: Mutex<Vec<Hook>>,
    /// While the run writes to standard output: since when, and the output lines written in
    /// full before that write.
    writing: Mutex<Option<(Instant, u64)>>,
}

impl Interrupt {
    /// Starts watching for the stopping signals; `None` (signals keep their default action)
    /// when they cannot be caught.
    pub fn install(program: &str) -> Option<Arc<Interrupt>> {
        let mut signals = Signals::new(STOPPING).ok()?;
        let interrupt = Arc::new(Interrupt::default());
        for signal in STOPPING {
            let value = usize::try_from(signal).ok()?;
            signal_hook::flag::register_usize(signal, Arc::clone(&interrupt.raised), value).ok()?;
        }
        let watcher = Arc::clone(&interrupt);
        let program = program.to_owned();
        // Its own handle on standard error: the run holds the stream's lock.
        let mut stderr = io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(File::from);
        std::thread::Builder::new()
            .name("signals".to_owned())
            .spawn(move || {
                for signal in signals.forever() {
                    let first = watcher.receive(&program, stderr.as_mut(), signal);
                    if first {
                        // Watches the writes to standard output from now on; it ends the
                        // process, or the process ends without it.
                        let watcher = Arc::clone(&watcher);
                        let program = program.clone();
                        let stderr = stderr.as_ref().and_then(|file| file.try_clone().ok());
                        let _ = std::thread::Builder::new()
                            .name("blocked-output".to_owned())
                            .spawn(move || watcher.watch_output(&program, stderr, signal));
                    }
                }
            })
            .ok()?;
        Some(interrupt)
    }

    /// Runs `write`, a write to standard output after `lines_written` output lines written in
    /// full, which may wait for the reader.
    pub fn writing<T>(&self, lines_written: u64, write: impl FnOnce() -> T) -> T {
        *self.writing.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), lines_written));
        let result = write();
        *self.writing.lock().unwrap_or_else(PoisonError::into_inner) = None;
        result
    }

    /// After the first signal: ends the process once a write to standard output has waited
    /// [`BLOCKED_OUTPUT`] since the signal or since it began, whichever is later.
    fn watch_output(&self, program: &str, stderr: Option<File>, signal: i32) -> ! {
        let signalled = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let writing = *self.writing.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((since, lines_written)) = writing
                && since.max(signalled).elapsed() >= BLOCKED_OUTPUT
            {
                let why = format!(
                    "standard output took nothing for {} s",
                    BLOCKED_OUTPUT.as_secs()
                );
                end_blocked(program, stderr, signal, &why, lines_written);
            }
        }
    }

    /// Has `hook` called on every stopping signal, from the watcher's thread.
    pub fn on_signal(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Box::new(hook));
    }

    /// The stopping signal received so far, if any.
    #[must_use]
    pub fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::Acquire) {
            0 => match self.raised.load(Ordering::Acquire) {
                0 => None,
                signal => i32::try_from(signal).ok(),
            },
            signal => Some(signal),
        }
    }

    /// Runs `read`, a read that may wait for input, during which a signal ends the process at
    /// once.
    ///
    /// # Errors
    ///
    /// The signal, without reading, when one was received already.
    pub fn wait_for_input<T>(&self, read: impl FnOnce() -> T) -> Result<T, i32> {
        {
            let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(signal) = self.received() {
                return Err(signal);
            }
            *waiting = true;
        }
        let result = read();
        // Taking the lock also waits for a watcher that is ending the process.
        *self.waiting.lock().unwrap_or_else(PoisonError::into_inner) = false;
        Ok(result)
    }

    /// Records a signal; whether it is the first.
    fn receive(&self, program: &str, stderr: Option<&mut File>, signal: i32) -> bool {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let first = self.received.swap(signal, Ordering::AcqRel) == 0;
        // After the signal is recorded: whoever a hook wakes sees why.
        for hook in self
            .hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            hook();
        }
        if *waiting {
            // Nothing is buffered: every mapped line has been written in full.
            if let Some(stderr) = stderr {
                let _ = crate::write_whole_line(
                    stderr,
                    format_args!("{program}: stopped by {}", name(signal)),
                );
            }
            end_by(signal);
        }
        drop(waiting);
        let writing = *self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        if let (false, Some((_, lines_written))) = (first, writing) {
            let stderr = stderr.and_then(|file| file.try_clone().ok());
            end_blocked(
                program,
                stderr,
                signal,
                "a second signal came while standard output took nothing",
                lines_written,
            );
        }
        first
    }
}

/// Ends the process while a write to standard output waits: says how far the output got.
fn end_blocked(
    program: &str,
    stderr: Option<File>,
    signal: i32,
    why: &str,
    lines_written: u64,
) -> ! {
    if let Some(mut stderr) = stderr {
        let lines = if lines_written == 1 {
            "1 output line".to_owned()
        } else {
            format!("{lines_written} output lines")
        };
        // The write under way may have passed part of its bytes on: more lines may be whole.
        let _ = crate::write_whole_line(
            &mut stderr,
            format_args!(
                "{program}: stopped by {}: {why}; at least {lines} written in full, and perhaps \
                 a part of the next",
                name(signal)
            ),
        );
    }
    end_by(signal);
}

/// Ends the process as `signal` would have, once the run has written out what it mapped.
pub fn end_by(signal: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    // The default action of these signals ends the process; should it not have, the
    // conventional status says the same.
    std::process::exit(128 + signal)
}

/// The signal's name, for messages.
#[must_use]
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// Ends the process at once with `status`, from any thread, without running exit handlers
/// (which could wait on the threads of a client library).
pub fn end_at_once(status: u8) -> ! {
    signal_hook::low_level::exit(i32::from(status))
}
