//! The loop over a stream's lines: [`LineReader::drive`] reads, and a [`LineHandler`] says
//! what each step does. [`map_stream`](super::map_stream), [`convert_stream`](super::convert_stream)
//! and `pinterest-map` all run this loop.

use std::io::{self, BufRead};

use super::lines::{Line, LineReader};

/// What a loop over a stream's lines does at each step, for [`LineReader::drive`].
pub trait LineHandler {
    /// Why the handler ends the loop early.
    type Stop;

    /// Performs `read`, the next read, which may wait for input (the lines read so far are
    /// used up): what they made should go out first, so that a slow input never holds it
    /// back. The default reads at once.
    ///
    /// # Errors
    ///
    /// The handler ends the loop instead of reading.
    fn read_may_wait<T>(&mut self, read: impl FnOnce() -> T) -> Result<T, Self::Stop> {
        Ok(read())
    }

    /// One line, blank ones included.
    ///
    /// # Errors
    ///
    /// The handler ends the loop after this line.
    fn line(&mut self, line: Line<'_>) -> Result<(), Self::Stop>;

    /// A read was interrupted, by a signal or by an input that has nothing to give yet; the
    /// loop reads again after this. The default goes on.
    ///
    /// # Errors
    ///
    /// The handler ends the loop instead of reading again.
    fn interrupted(&mut self) -> Result<(), Self::Stop> {
        Ok(())
    }

    /// The input ended; the loop ends with what this returns.
    ///
    /// # Errors
    ///
    /// The handler's, at the end.
    fn end(&mut self) -> Result<(), Self::Stop>;

    /// A read failed; the loop ends with what this returns.
    fn read_failed(&mut self, error: io::Error) -> Self::Stop;
}

impl<R: BufRead> LineReader<R> {
    /// Reads every line and gives it to `handler`, until the input ends, a read fails or the
    /// handler stops the loop.
    ///
    /// ```
    /// use std::io;
    ///
    /// use pinterest_mapping::ndjson::{Line, LineHandler, LineReader};
    ///
    /// /// Counts the lines that hold text.
    /// struct Count(u64);
    ///
    /// impl LineHandler for Count {
    ///     type Stop = io::Error;
    ///
    ///     fn line(&mut self, line: Line<'_>) -> io::Result<()> {
    ///         if !line.is_empty() {
    ///             self.0 += 1;
    ///         }
    ///         Ok(())
    ///     }
    ///
    ///     fn end(&mut self) -> io::Result<()> {
    ///         Ok(())
    ///     }
    ///
    ///     fn read_failed(&mut self, error: io::Error) -> io::Error {
    ///         error
    ///     }
    /// }
    ///
    /// let mut count = Count(0);
    /// LineReader::new("{}\n\n{}\n".as_bytes()).drive(&mut count)?;
    /// assert_eq!(count.0, 2);
    /// # Ok::<(), io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// What the handler stopped with.
    pub fn drive<H: LineHandler>(&mut self, handler: &mut H) -> Result<(), H::Stop> {
        loop {
            let line = if self.will_read() {
                handler.read_may_wait(|| self.read_line())?
            } else {
                self.read_line()
            };
            match line {
                Ok(Some(line)) => handler.line(line)?,
                Ok(None) => return handler.end(),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    handler.interrupted()?;
                }
                Err(error) => return Err(handler.read_failed(error)),
            }
        }
    }
}
