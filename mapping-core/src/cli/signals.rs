//! SIGINT, SIGTERM and SIGHUP: the run stops reading, writes out the whole lines already mapped (never a
//! part of one), and the process ends as the signal would have ended it.
//!
//! A thread waits for the signals. When one arrives while the run is waiting for input, every
//! mapped line has been written already (output is flushed before any read that may wait), so
//! the process ends at once. Otherwise the run is mapping or writing: it sees the signal after
//! the line or the write at hand, writes out its buffer, and ends.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signals that stop a run.
const STOPPING: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// What the watcher does on a signal, besides recording it.
type Hook = Box<dyn Fn() + Send + Sync>;

/// A run's view of the stopping signals.
#[derive(Default)]
pub(super) struct Interrupt {
    /// The signal received, or 0.
    received: AtomicI32,
    /// Whether the run is waiting for input; the watcher ends the process only then.
    waiting: Mutex<bool>,
    /// Called on every stopping signal (to stop sending at once).
    hooks: Mutex<Vec<Hook>>,
}

impl Interrupt {
    /// Starts watching for the stopping signals; `None` (signals keep their default action)
    /// when they cannot be caught.
    pub(super) fn install(program: &str) -> Option<Arc<Interrupt>> {
        let mut signals = Signals::new(STOPPING).ok()?;
        let interrupt = Arc::new(Interrupt::default());
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
                    watcher.receive(&program, stderr.as_mut(), signal);
                }
            })
            .ok()?;
        Some(interrupt)
    }

    /// Has `hook` called on every stopping signal, from the watcher's thread.
    pub(super) fn on_signal(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Box::new(hook));
    }

    /// The stopping signal received so far, if any.
    pub(super) fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::Acquire) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// Runs `read`, a read that may wait for input, during which a signal ends the process at
    /// once; `Err` with the signal, without reading, when one was received already.
    pub(super) fn wait_for_input<T>(&self, read: impl FnOnce() -> T) -> Result<T, i32> {
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

    fn receive(&self, program: &str, stderr: Option<&mut File>, signal: i32) {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        self.received.store(signal, Ordering::Release);
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
                let _ = writeln!(stderr, "{program}: stopped by {}", name(signal));
            }
            end_by(signal);
        }
        drop(waiting);
    }
}

/// Ends the process as `signal` would have, once the run has written out what it mapped.
pub(super) fn end_by(signal: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    // The default action of these signals ends the process; should it not have, the
    // conventional status says the same.
    std::process::exit(128 + signal)
}

/// The signal's name, for messages.
pub(super) fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}
