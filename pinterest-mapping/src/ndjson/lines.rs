//! The lines of a newline-delimited stream, read through a fixed buffer: a line is handed out
//! where it lies in the buffer, and copied only when it spans two reads.

use std::io::{self, BufRead};

use thiserror::Error;

/// A line longer than this many times the usual buffer gives its memory back once handed out.
const KEPT_PARTIAL: usize = 4 * 128 * 1024;

/// The longest line a [`LineReader`] reads by default: 64 MiB. A longer one is skipped, in
/// constant memory, and handed out as [`LineError::TooLong`].
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

/// The lines of newline-delimited input, one at a time, in constant memory whatever the
/// input's size: what `pinterest-map` reads.
///
/// - A line ends at `\n`; a `\r` before it stays in the line (JSON takes it as white space), and
///   the last line needs no `\n`.
/// - Lines are numbered from 1, blank ones included, as an editor numbers them.
/// - A line is handed out where it lies in the reader's buffer; one that spans two reads is
///   gathered, and the memory of a very long one released after it.
/// - A line longer than the most a line may hold ([`DEFAULT_MAX_LINE_BYTES`], or
///   [`LineReader::with_max_line_bytes`]) is read past without being kept (a decompressed
///   gigabyte costs no memory) and handed out without its bytes: its
///   [`text`](Line::text) is [`LineError::TooLong`].
/// - An error of the reader (`Interrupted`, `WouldBlock`, a timeout) leaves the reader as it
///   was: call [`LineReader::read_line`] again to go on.
/// - [`LineReader::will_read`] says when the next line must come from the input: that is when
///   a program should write out what it holds, before the input makes it wait.
///
/// ```
/// use std::io::BufReader;
///
/// use pinterest_mapping::ndjson::LineReader;
///
/// let input = "{\"type\":\"page\"}\r\n\n\u{feff}{\"type\":\"identify\"}";
/// let mut lines = LineReader::new(BufReader::new(input.as_bytes()));
/// let mut read = Vec::new();
/// while let Some(line) = lines.read_line()? {
///     // The line borrows from the reader: keep what outlives the next read.
///     read.push((line.number(), line.text()?.map(str::to_owned)));
/// }
/// assert_eq!(read, [
///     (1, Some("{\"type\":\"page\"}\r".to_owned())),
///     (2, None),
///     (3, Some("{\"type\":\"identify\"}".to_owned())),
/// ]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LineReader<R> {
    input: R,
    /// Bytes at the start of the input's buffer that were handed out (the last line and its
    /// end).
    used: usize,
    /// The length of the input's buffer when it was filled (it does not change until it is
    /// consumed).
    buffered: usize,
    /// Where the next line end is in the input's buffer, when it holds one after `used`.
    next_end: Option<usize>,
    /// The start of a line whose end has not been read yet; or, when `gathered`, the last line
    /// handed out, which spanned two reads.
    partial: Vec<u8>,
    gathered: bool,
    /// The number of the last line handed out.
    number: u64,
    /// Bytes read from the input.
    bytes: u64,
    ended: bool,
    /// The most a line may hold.
    max_line: usize,
    /// The length so far of a line longer than `max_line`, being read past.
    skipping: Option<u64>,
}

/// One line of a stream, without its `\n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    number: u64,
    bytes: &'a [u8],
    /// The line's length, which `bytes` is unless the line was too long to keep.
    length: u64,
    /// For a line too long to keep: the most a line may hold.
    too_long: Option<usize>,
}

/// Why a line holds no text.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LineError {
    /// The line is not UTF-8.
    #[error("not valid UTF-8 (byte {byte})")]
    NotUtf8 {
        /// Where the first invalid byte is, counted from 1.
        byte: usize,
    },
    /// The line is longer than the most a line may hold: it was read past, not kept.
    #[error("a line of {length} bytes, more than the {max} a line may hold: not read")]
    TooLong {
        /// The line's length.
        length: u64,
        /// The most a line may hold.
        max: usize,
    },
}

impl<R: BufRead> LineReader<R> {
    /// The lines of `input`: for a file or a pipe, wrap it in a
    /// [`BufReader`](std::io::BufReader) (of 128 KiB for the tool's throughput).
    pub fn new(input: R) -> LineReader<R> {
        LineReader {
            input,
            used: 0,
            buffered: 0,
            next_end: None,
            partial: Vec::new(),
            gathered: false,
            number: 0,
            bytes: 0,
            ended: false,
            max_line: DEFAULT_MAX_LINE_BYTES,
            skipping: None,
        }
    }

    /// The same, with lines of at most `max` bytes ([`DEFAULT_MAX_LINE_BYTES`] by default);
    /// a longer one is read past and handed out as [`LineError::TooLong`].
    #[must_use]
    pub fn with_max_line_bytes(mut self, max: usize) -> LineReader<R> {
        self.max_line = max;
        self
    }

    /// The next line, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// The input's read error. Nothing is lost: once the reader can be read again, the next
    /// call goes on where this one stopped.
    pub fn read_line(&mut self) -> io::Result<Option<Line<'_>>> {
        if self.gathered {
            self.gathered = false;
            self.partial.clear();
            if self.partial.capacity() > KEPT_PARTIAL {
                self.partial = Vec::new();
            }
        }
        loop {
            if let Some(end) = self.next_end {
                // Only hands out what is buffered already: this reads nothing.
                let buffer = &self.input.fill_buf()?[..self.buffered];
                let start = self.used;
                self.used = end + 1;
                self.next_end =
                    memchr::memchr(b'\n', &buffer[self.used..]).map(|at| self.used + at);
                self.number += 1;
                let length = self.partial.len() + (end - start);
                if let Some(skipped) = self.skipping.take() {
                    let length = skipped + (end - start) as u64;
                    return Ok(Some(Line::too_long(self.number, length, self.max_line)));
                }
                if length > self.max_line {
                    self.gathered = true;
                    return Ok(Some(Line::too_long(
                        self.number,
                        length as u64,
                        self.max_line,
                    )));
                }
                if self.partial.is_empty() {
                    return Ok(Some(Line::new(self.number, &buffer[start..end])));
                }
                self.partial.extend_from_slice(&buffer[start..end]);
                self.gathered = true;
                return Ok(Some(Line::new(self.number, &self.partial)));
            }
            if self.ended {
                return Ok(None);
            }
            // No whole line is buffered: keep the start of the next one (or, past the most a
            // line may hold, only count it), and read on.
            if self.buffered > 0 {
                let buffer = self.input.fill_buf()?;
                let piece = &buffer[self.used..self.buffered];
                if let Some(skipped) = &mut self.skipping {
                    *skipped += piece.len() as u64;
                } else if self.partial.len() + piece.len() > self.max_line {
                    self.skipping = Some((self.partial.len() + piece.len()) as u64);
                    self.partial = Vec::new();
                } else {
                    self.partial.extend_from_slice(piece);
                }
                self.input.consume(self.buffered);
                self.used = 0;
                self.buffered = 0;
            }
            let filled = self.input.fill_buf()?;
            if filled.is_empty() {
                self.ended = true;
                if let Some(skipped) = self.skipping.take() {
                    self.number += 1;
                    return Ok(Some(Line::too_long(self.number, skipped, self.max_line)));
                }
                if self.partial.is_empty() {
                    return Ok(None);
                }
                // The last line, without a line end.
                self.number += 1;
                self.gathered = true;
                return Ok(Some(Line::new(self.number, &self.partial)));
            }
            self.bytes += filled.len() as u64;
            self.buffered = filled.len();
            self.next_end = memchr::memchr(b'\n', filled);
        }
    }

    /// Whether the next [`read_line`](Self::read_line) must read from the input, and so may
    /// wait for it: no whole line is buffered.
    pub fn will_read(&self) -> bool {
        self.next_end.is_none() && !self.ended
    }

    /// The bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The input.
    pub fn into_inner(self) -> R {
        self.input
    }
}

impl<'a> Line<'a> {
    /// Line `number` (from 1), holding `bytes` (without its `\n`): for lines split by a
    /// reader of one's own, judged as [`LineReader`]'s are.
    ///
    /// ```
    /// use pinterest_mapping::ndjson::Line;
    ///
    /// assert_eq!(Line::new(1, b"\xef\xbb\xbf{}\r").text(), Ok(Some("{}\r")));
    /// assert_eq!(Line::new(2, b" \t").text(), Ok(None));
    /// ```
    pub fn new(number: u64, bytes: &'a [u8]) -> Line<'a> {
        Line {
            number,
            bytes,
            length: bytes.len() as u64,
            too_long: None,
        }
    }

    /// Line `number`, of `length` bytes, more than `max`: not kept.
    fn too_long(number: u64, length: u64, max: usize) -> Line<'a> {
        Line {
            number,
            bytes: &[],
            length,
            too_long: Some(max),
        }
    }

    /// The line's number, from 1.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The line's bytes, without its `\n`; none for a line too long to be kept.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The line's length in bytes, without its `\n` (for a line too long to be kept too).
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether the line is empty.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The line's text, without a byte-order mark before it (which may open any of several
    /// files put together); `None` for a blank line. As for `JSON.parse`, only spaces, tabs
    /// and `\r` are blank: any other white space (a no-break space, U+2028) is text, which is
    /// then no valid message.
    ///
    /// # Errors
    ///
    /// The line is not UTF-8, or too long to have been kept.
    pub fn text(&self) -> Result<Option<&'a str>, LineError> {
        if let Some(max) = self.too_long {
            return Err(LineError::TooLong {
                length: self.length,
                max,
            });
        }
        let text = std::str::from_utf8(self.bytes).map_err(|error| LineError::NotUtf8 {
            byte: error.valid_up_to() + 1,
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let blank = text
            .bytes()
            .all(|byte| matches!(byte, b' ' | b'\t' | b'\r'));
        Ok((!blank).then_some(text))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Read};

    use super::*;

    /// Every line of `input` read through a buffer of `capacity` bytes, by reads of at most
    /// `chunk` bytes.
    fn lines(input: &[u8], capacity: usize, chunk: usize) -> Vec<(u64, Vec<u8>)> {
        let reader = BufReader::with_capacity(capacity, Chunked { input, chunk });
        let mut lines = LineReader::new(reader);
        let mut read = Vec::new();
        while let Some(line) = lines.read_line().unwrap() {
            read.push((line.number(), line.bytes().to_vec()));
        }
        assert_eq!(lines.bytes_read(), input.len() as u64);
        read
    }

    struct Chunked<'a> {
        input: &'a [u8],
        chunk: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let count = buffer.len().min(self.chunk).min(self.input.len());
            buffer[..count].copy_from_slice(&self.input[..count]);
            self.input = &self.input[count..];
            Ok(count)
        }
    }

    #[test]
    fn lines_are_the_same_whatever_the_buffer_and_the_reads() {
        let input = b"first\r\n\nthird line, longer than a small buffer\nlast";
        let expected: Vec<(u64, Vec<u8>)> = [
            &b"first\r"[..],
            b"",
            b"third line, longer than a small buffer",
            b"last",
        ]
        .iter()
        .enumerate()
        .map(|(index, line)| (index as u64 + 1, line.to_vec()))
        .collect();
        for capacity in [1, 2, 3, 7, 64, 1024] {
            for chunk in [1, 2, 5, 1024] {
                assert_eq!(
                    lines(input, capacity, chunk),
                    expected,
                    "{capacity} {chunk}"
                );
            }
        }
        assert_eq!(lines(b"", 8, 8), []);
        assert_eq!(lines(b"\n", 8, 8), [(1, Vec::new())]);
        assert_eq!(lines(b"a\n", 8, 8), [(1, b"a".to_vec())]);
    }

    /// A reader that fails with `Interrupted` before every read.
    struct Flaky<'a> {
        input: &'a [u8],
        fail: bool,
    }

    impl Read for Flaky<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            self.fail = !self.fail;
            if self.fail {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let count = buffer.len().min(3).min(self.input.len());
            buffer[..count].copy_from_slice(&self.input[..count]);
            self.input = &self.input[count..];
            Ok(count)
        }
    }

    #[test]
    fn a_read_error_loses_nothing() {
        let input = b"one\ntwo and more\nthree";
        let mut lines = LineReader::new(BufReader::with_capacity(4, Flaky { input, fail: false }));
        let mut read = Vec::new();
        let mut errors = 0;
        loop {
            let will_read = lines.will_read();
            match lines.read_line() {
                Ok(Some(line)) => read.push(String::from_utf8(line.bytes().to_vec()).unwrap()),
                Ok(None) => break,
                Err(error) => {
                    assert_eq!(error.kind(), io::ErrorKind::Interrupted);
                    assert!(will_read, "only a read fails");
                    errors += 1;
                }
            }
        }
        assert_eq!(read, ["one", "two and more", "three"]);
        assert!(errors > 3);
    }

    #[test]
    fn text_drops_a_byte_order_mark_and_blank_lines() {
        let line = |bytes| Line::new(1, bytes);
        assert_eq!(line(b"\xef\xbb\xbf{}").text(), Ok(Some("{}")));
        assert_eq!(line(b" \t\r").text(), Ok(None));
        assert_eq!(line("\u{a0}".as_bytes()).text(), Ok(Some("\u{a0}")));
        assert_eq!(
            line(b"{\"a\":\"\xe9\"}").text(),
            Err(LineError::NotUtf8 { byte: 7 })
        );
        assert_eq!(
            LineError::NotUtf8 { byte: 7 }.to_string(),
            "not valid UTF-8 (byte 7)"
        );
    }

    #[test]
    fn a_line_longer_than_the_limit_is_read_past_in_constant_memory() {
        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100_000));
        input.extend_from_slice(b"\nsecond\n");
        input.extend(std::iter::repeat_n(b'y', 30));
        input.extend_from_slice(b"\nthird\n");
        input.extend(std::iter::repeat_n(b'z', 50_000));
        for capacity in [7, 64, 1024, 1 << 20] {
            let reader = BufReader::with_capacity(capacity, input.as_slice());
            let mut lines = LineReader::new(reader).with_max_line_bytes(30);
            let mut read = Vec::new();
            while let Some(line) = lines.read_line().unwrap() {
                read.push((
                    line.number(),
                    line.len(),
                    line.text().map(|text| text.map(str::to_owned)),
                ));
                assert!(lines.partial.capacity() <= 4 * 1024, "{capacity}");
            }
            let too_long = |length| Err(LineError::TooLong { length, max: 30 });
            assert_eq!(
                read,
                [
                    (1, 5, Ok(Some("first".to_owned()))),
                    (2, 100_000, too_long(100_000)),
                    (3, 6, Ok(Some("second".to_owned()))),
                    (4, 30, Ok(Some("y".repeat(30)))),
                    (5, 5, Ok(Some("third".to_owned()))),
                    (6, 50_000, too_long(50_000)),
                ],
                "{capacity}"
            );
        }
        assert_eq!(
            LineError::TooLong {
                length: 100,
                max: 30
            }
            .to_string(),
            "a line of 100 bytes, more than the 30 a line may hold: not read"
        );
    }

    #[test]
    fn a_long_line_gives_its_memory_back() {
        let long = vec![b'x'; 2 * KEPT_PARTIAL];
        let mut input = long.clone();
        input.extend_from_slice(b"\nshort\n");
        let mut lines = LineReader::new(BufReader::with_capacity(1024, input.as_slice()));
        assert_eq!(
            lines.read_line().unwrap().map(|line| line.bytes().len()),
            Some(long.len())
        );
        assert_eq!(
            lines.read_line().unwrap().map(|line| line.bytes()),
            Some(&b"short"[..])
        );
        assert!(lines.partial.capacity() <= KEPT_PARTIAL);
    }
}
