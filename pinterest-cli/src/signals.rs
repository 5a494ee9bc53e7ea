//! SIGINT, SIGTERM and SIGHUP stop a run: it stops reading, finishes what it holds (writes out
//! the whole lines already mapped, never a part of one; delivers and commits what is in
//! flight), and the process ends as the signal would have ended it. [`Interrupt`] is a run's
//! view of them; without Unix signals nothing stops a run, and no `Interrupt` exists.

#[cfg(unix)]
#[path = "unix_signals.rs"]
mod imp;

/// Without Unix signals nothing stops a run: no `Interrupt` can exist.
#[cfg(not(unix))]
mod imp {
    /// A run's view of the stopping signals (none on this system).
    #[derive(Debug)]
    pub enum Interrupt {}

    impl Interrupt {
        /// Nothing to watch: `None`.
        #[must_use]
        pub fn install(_program: &str) -> Option<std::sync::Arc<Interrupt>> {
            None
        }

        /// Never called.
        #[must_use]
        pub fn received(&self) -> Option<i32> {
            match *self {}
        }

        /// Never called.
        pub fn on_signal(&self, _hook: impl Fn() + Send + Sync + 'static) {
            match *self {}
        }

        /// Never called.
        ///
        /// # Errors
        ///
        /// Never.
        pub fn wait_for_input<T>(&self, _read: impl FnOnce() -> T) -> Result<T, i32> {
            match *self {}
        }

        /// Never called.
        pub fn writing<T>(&self, _lines_written: u64, _write: impl FnOnce() -> T) -> T {
            match *self {}
        }
    }

    /// The signal's name, for messages.
    #[must_use]
    pub fn name(_signal: i32) -> &'static str {
        "a signal"
    }

    /// Ends the process with the conventional status of `signal`.
    pub fn end_by(signal: i32) -> ! {
        std::process::exit(128 + signal)
    }

    /// Ends the process at once with `status`.
    pub fn end_at_once(status: u8) -> ! {
        std::process::exit(i32::from(status))
    }
}

pub use imp::{Interrupt, end_at_once, end_by, name};
