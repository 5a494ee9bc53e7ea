//! [`Json`], a JSON value as its text, and the scanner behind it: a whole line is validated in
//! one pass, only the keys asked for are decoded, and every value is handed out as its raw
//! text, so that values are copied to the output without ever being decoded.
//!
//! The scanner reads without recursion (an explicit stack), so nesting depth costs memory, not
//! the thread's stack; strings are skipped a word at a time.

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use thiserror::Error;

use super::JsonValue;
use super::write::has_line_breaks;

/// Why text is not JSON: what was expected, where (the line and the byte column in it, from
/// 1; the line is left out of the message when the text has one), and what was found there,
/// by its kind (a word of the text is never quoted: it may be personal data).
///
/// ```
/// use pinterest_mapping::Json;
///
/// let error = Json::parse("not json at all").unwrap_err();
/// assert_eq!(error.to_string(), "expected a value at column 1, found a bare word");
/// let error = Json::parse("{\n  \"tid\": \"1\",\n}").unwrap_err();
/// assert_eq!(error.to_string(), "expected a string key at line 3, column 1, found `}`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("expected {expected} at {}, found {found}", Place(*line, *column))]
pub struct SyntaxError {
    /// What would have been valid there.
    pub expected: &'static str,
    /// The line, from 1.
    pub line: usize,
    /// The byte column in the line, from 1.
    pub column: usize,
    /// What was found there (`the end of the text`, `` `}` ``, `a bare word`).
    pub found: &'static str,
}

/// `column 4`, or `line 3, column 4` past the first line.
struct Place(usize, usize);

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place(1, column) => write!(f, "column {column}"),
            Place(line, column) => write!(f, "line {line}, column {column}"),
        }
    }
}

impl SyntaxError {
    /// The error at byte `position` of `text`.
    pub(crate) fn at(text: &str, position: usize, expected: &'static str) -> SyntaxError {
        let before = &text.as_bytes()[..position.min(text.len())];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
        SyntaxError {
            expected,
            line: memchr::memchr_iter(b'\n', before).count() + 1,
            column: position - line_start + 1,
            found: found_at(&text.as_bytes()[position.min(text.len())..]),
        }
    }
}

/// What the text at an error holds, by its kind.
fn found_at(rest: &[u8]) -> &'static str {
    let Some(&byte) = rest.first() else {
        return "the end of the text";
    };
    match byte {
        b'{' => "`{`",
        b'}' => "`}`",
        b'[' => "`[`",
        b']' => "`]`",
        b',' => "`,`",
        b':' => "`:`",
        b'"' => "`\"`",
        b'\'' => "`'` (JSON strings take double quotes)",
        b'\\' => "a backslash",
        b'\r' | b'\n' => "a line break",
        b'-' | b'0'..=b'9' => "a number",
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => "a bare word",
        b' ' => "a space",
        b'\t' => "a tab",
        0..=0x1f | 0x7f => "a control character",
        0x80.. => "a character beyond ASCII",
        b'+' => "`+`",
        b'=' => "`=`",
        b';' => "`;`",
        b'<' => "`<`",
        b'>' => "`>`",
        b'#' => "`#`",
        b'/' => "`/`",
        b'*' => "`*`",
        b'.' => "`.`",
        b'(' => "`(`",
        b')' => "`)`",
        _ => "a symbol",
    }
}

/// A JSON value: the text of one valid value, borrowed from the text it was read from, without
/// surrounding whitespace.
///
/// Reading it never loses what was sent: numbers keep their spelling (`1.50`, `1e400`,
/// integers of any size), strings keep their escapes until decoded, objects keep their keys
/// in document order with duplicates, and nesting depth is unlimited. Serializing it (with
/// serde, or in a call) writes the text as it is, line breaks between tokens written as
/// spaces.
///
/// ```
/// use pinterest_mapping::{Json, JsonValue};
///
/// let json = Json::parse(r#"{"price": 1.50, "big": 12345678901234567890123, "tags": ["a"]}"#)?;
/// assert_eq!(json.get("price").map(Json::text), Some("1.50"));
/// assert_eq!(json.get("big").map(Json::text), Some("12345678901234567890123"));
/// assert_eq!(json.get("tags").map(Json::type_name), Some("an array"));
/// assert!(json.get("missing").is_none());
/// assert_eq!(serde_json::to_string(&json)?, json.text());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Json<'a>(&'a str);

impl<'a> Json<'a> {
    /// `{}`.
    pub(crate) const EMPTY_OBJECT: Json<'static> = Json("{}");

    /// Checks that `text` is exactly one JSON value (whitespace around it allowed).
    ///
    /// ```
    /// use pinterest_mapping::Json;
    ///
    /// assert_eq!(Json::parse(" [1, {\"a\": null}] ")?.text(), "[1, {\"a\": null}]");
    /// assert_eq!(
    ///     Json::parse("[1,]").unwrap_err().to_string(),
    ///     "expected a value at column 4, found `]`"
    /// );
    /// # Ok::<(), pinterest_mapping::SyntaxError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The text is not one JSON value: the error says what was expected, and at which column.
    pub fn parse(text: &'a str) -> Result<Json<'a>, SyntaxError> {
        let mut scanner = Scanner::new(text);
        let value = scanner.value()?;
        scanner.end()?;
        Ok(value)
    }

    /// The JSON text, as sent.
    pub fn text(self) -> &'a str {
        self.0
    }

    /// The JSON type, with its article, for messages: `"a string"`, `"an object"`, `"null"`.
    pub fn type_name(self) -> &'static str {
        match self.0.as_bytes().first() {
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        }
    }

    /// The decoded string, when this is a string. A lone surrogate escape (which JavaScript
    /// strings allow and Rust's do not) becomes U+FFFD.
    pub fn to_str(self) -> Option<Cow<'a, str>> {
        let content = self.0.strip_prefix('"')?.strip_suffix('"')?;
        // Valid already: without a backslash, the content is the value.
        if !content.as_bytes().contains(&b'\\') {
            return Some(Cow::Borrowed(content));
        }
        Scanner::new(self.0).string().ok()
    }

    /// `true` or `false`, when this is a boolean.
    pub fn as_bool(self) -> Option<bool> {
        match self.0 {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(self) -> bool {
        self.0 == "null"
    }

    /// Whether this is an object.
    pub fn is_object(self) -> bool {
        self.0.starts_with('{')
    }

    /// Whether this is an array.
    pub fn is_array(self) -> bool {
        self.0.starts_with('[')
    }

    /// The value of `key` in an object: its last value when the key is repeated, as in
    /// JavaScript's `JSON.parse`. `None` for a missing key and for values that are not objects.
    pub fn get(self, key: &str) -> Option<Json<'a>> {
        let mut found = None;
        self.entries(|name, value| {
            if name == key {
                found = Some(value);
            }
        });
        found
    }

    /// Calls `visit` with each key and value of an object, in document order; `false` when
    /// this is not an object.
    pub(crate) fn entries(self, mut visit: impl FnMut(Key<'a>, Json<'a>)) -> bool {
        if !self.is_object() {
            return false;
        }
        // The text was validated when this value was made: scanning it again cannot fail.
        Scanner::new(self.0)
            .object(|key, scanner| {
                let value = scanner.value()?;
                visit(key, value);
                Ok(())
            })
            .is_ok()
    }

    /// Calls `visit` with each element of an array, in order; `false` when this is not an
    /// array.
    pub(crate) fn elements(self, mut visit: impl FnMut(Json<'a>)) -> bool {
        if !self.is_array() {
            return false;
        }
        Scanner::new(self.0)
            .array(|scanner| {
                visit(scanner.value()?);
                Ok(())
            })
            .is_ok()
    }
}

impl fmt::Debug for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'a> JsonValue<'a> for Json<'a> {
    fn is_truthy(self) -> bool {
        let text = self.text();
        match text.as_bytes().first() {
            None | Some(b'n' | b'f') => false,
            Some(b't' | b'[' | b'{') => true,
            Some(b'"') => text != "\"\"",
            // A number: zero, negative zero and numbers that round to zero (`1e-400` is zero
            // for a double) are falsy, as in JavaScript.
            Some(_) => {
                let bytes = text.as_bytes();
                let exponent = bytes.iter().position(|byte| byte | 0x20 == b'e');
                let mantissa = &bytes[..exponent.unwrap_or(bytes.len())];
                let nonzero = mantissa.iter().any(|byte| matches!(byte, b'1'..=b'9'));
                // A nonzero mantissa is zero as a double only with an exponent or after some
                // 300 leading zeros (`0.000…0001`): those are read as a double to tell.
                nonzero
                    && ((exponent.is_none() && mantissa.len() < UNDERFLOW_DIGITS)
                        || text.parse::<f64>().is_ok_and(|number| number != 0.0))
            }
        }
    }

    fn for_each_entry(self, visit: impl FnMut(Key<'a>, Self)) -> bool {
        self.entries(visit)
    }

    fn for_each_element(self, visit: impl FnMut(Self)) -> bool {
        self.elements(visit)
    }
}

impl Serialize for Json<'_> {
    /// Writes the text as it is, but with line breaks as spaces (as the crate's own writer
    /// does): `serde_json` copies it verbatim; other formats get the value.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The text is one valid JSON value, so serde_json takes it as one.
        if has_line_breaks(self.text()) {
            let text = self.text().replace(['\n', '\r'], " ");
            let raw = RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
            return raw.serialize(serializer);
        }
        let raw: &RawValue =
            serde_json::from_str(self.text()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A number written without an exponent and shorter than this cannot be zero as a double
/// unless all its digits are (the smallest double is about `4.9e-324`).
const UNDERFLOW_DIGITS: usize = 320;

/// The containers open while skipping a value, innermost last: `true` for an object. The
/// first 64 levels are bits, so skipping allocates only for deeper nesting.
#[derive(Default)]
struct OpenContainers {
    depth: usize,
    shallow: u64,
    deep: Vec<bool>,
}

impl OpenContainers {
    fn push(&mut self, is_object: bool) {
        if self.depth < 64 {
            let bit = 1_u64 << self.depth;
            self.shallow = if is_object {
                self.shallow | bit
            } else {
                self.shallow & !bit
            };
        } else {
            self.deep.push(is_object);
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth >= 64 {
            self.deep.pop();
        }
    }

    fn innermost(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            1..=64 => Some(self.shallow & (1 << (self.depth - 1)) != 0),
            _ => self.deep.last().copied(),
        }
    }
}

/// An object key, as a mapping reads it: decoded only when asked for, and compared as
/// JavaScript compares property names, by their UTF-16 code units. Two keys that differ only
/// in lone surrogate escapes (`"a\ud800"`, `"a\udc00"`) are two keys, as in `JSON.parse`,
/// though [`Key::to_str_lossy`] gives both as `"a\u{fffd}"`.
///
/// ```
/// use pinterest_mapping::{Json, JsonValue};
///
/// let json = Json::parse(r#"{"a\ud800": 1, "a\udc00": 2, "\u0061": 3}"#)?;
/// let mut keys = Vec::new();
/// json.for_each_entry(|key, _| keys.push(key));
/// assert_eq!(keys[0].to_str_lossy(), "a\u{fffd}");
/// assert_ne!(keys[0], keys[1]);
/// assert_eq!(keys[2], "a");
/// # Ok::<(), pinterest_mapping::SyntaxError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    /// The key's value when `escaped` is false; otherwise its JSON text between the quotes.
    text: &'a str,
    escaped: bool,
}

impl<'a> Key<'a> {
    /// A key whose value is `text`, as a parsed document holds it.
    pub fn new(text: &'a str) -> Key<'a> {
        Key {
            text,
            escaped: false,
        }
    }

    /// A key as JSON text writes it between its quotes, escapes undecoded.
    pub(crate) fn from_json(text: &'a str) -> Key<'a> {
        Key {
            text,
            escaped: text.contains('\\'),
        }
    }

    /// The key's value. A lone surrogate escape (which JavaScript strings allow and Rust's do
    /// not) becomes U+FFFD.
    #[inline]
    pub fn to_str_lossy(self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(decode_escapes(self.text))
        } else {
            Cow::Borrowed(self.text)
        }
    }

    /// The key's value, unless it holds a lone surrogate, which no Rust string can hold.
    pub fn to_str(self) -> Option<Cow<'a, str>> {
        let well_formed =
            !self.escaped || char::decode_utf16(self.units()).all(|unit| unit.is_ok());
        well_formed.then(|| self.to_str_lossy())
    }

    /// The UTF-16 code units of the key's value, as JavaScript holds it.
    fn units(self) -> impl Iterator<Item = u16> + 'a {
        let mut scanner = Scanner::new(self.text);
        let escaped = self.escaped;
        let mut pending: [u16; 2] = [0; 2];
        let mut pending_len = 0_usize;
        let mut pending_at = 0_usize;
        std::iter::from_fn(move || {
            if pending_at < pending_len {
                pending_at += 1;
                return Some(pending[pending_at - 1]);
            }
            let rest = scanner.text.get(scanner.position..)?;
            let mut chars = rest.chars();
            let c = chars.next()?;
            if c == '\\' && escaped {
                let escape_char = rest.as_bytes().get(1).copied();
                match scanner.escape() {
                    Ok(Some(unit)) => return Some(unit),
                    Ok(None) => return Some(u16::from(unescaped(escape_char.unwrap_or(b'\\')))),
                    // Validated when the key was read: cannot happen; end rather than loop.
                    Err(_) => return None,
                }
            }
            scanner.position += c.len_utf8();
            let encoded = c.encode_utf16(&mut pending);
            pending_len = encoded.len();
            pending_at = 1;
            Some(pending[0])
        })
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        if !self.escaped && !other.escaped {
            return self.text == other.text;
        }
        self.units().eq(other.units())
    }
}

impl Eq for Key<'_> {}

impl PartialEq<str> for Key<'_> {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        if !self.escaped {
            return self.text == other;
        }
        self.equals_decoded(other)
    }
}

impl Key<'_> {
    /// Whether a key written with escapes equals `other`, unit by unit.
    #[cold]
    #[inline(never)]
    fn equals_decoded(&self, other: &str) -> bool {
        self.units().eq(other.encode_utf16())
    }
}

impl PartialEq<&str> for Key<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

/// The strings of valid JSON text, in order: for each, the offsets of its opening and closing
/// quotes, and whether it is an object key. One pass, without recursion.
pub(crate) fn strings(text: &str) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let bytes = text.as_bytes();
    let mut index = 0;
    std::iter::from_fn(move || {
        let open = index + memchr::memchr(b'"', bytes.get(index..)?)?;
        let mut scanner = Scanner {
            text,
            position: open,
        };
        // The text was validated when it was read: the string ends where its quote does.
        scanner.skip_string().ok()?;
        let close = scanner.position - 1;
        scanner.whitespace();
        index = scanner.position;
        Some((open, close, scanner.peek() == Some(b':')))
    })
}

/// Reads JSON text left to right.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scanner { text, position: 0 }
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.position).copied()
    }

    fn error(&self, expected: &'static str) -> SyntaxError {
        SyntaxError::at(self.text, self.position, expected)
    }

    /// The error at the scanner's position.
    pub(crate) fn error_here(&self, expected: &'static str) -> SyntaxError {
        self.error(expected)
    }

    #[inline]
    pub(crate) fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.position += 1;
        }
    }

    /// Expects `byte` after optional whitespace.
    #[inline]
    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), SyntaxError> {
        self.whitespace();
        if self.peek() == Some(byte) {
            self.position += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Only whitespace may follow.
    pub(crate) fn end(&mut self) -> Result<(), SyntaxError> {
        self.whitespace();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("the end of the text")),
        }
    }

    pub(crate) fn position(&self) -> usize {
        self.position
    }

    /// The byte opening the next value when it is `{` or `[`, after optional whitespace.
    pub(crate) fn peek_container(&mut self) -> Option<u8> {
        self.whitespace();
        self.peek().filter(|byte| matches!(byte, b'{' | b'['))
    }

    /// The text read since `start`, which began a value.
    pub(crate) fn raw_since(&self, start: usize) -> Json<'a> {
        Json(&self.text[start..self.position])
    }

    /// Whether the next value is an object, after optional whitespace.
    pub(crate) fn at_object(&mut self) -> bool {
        self.whitespace();
        self.peek() == Some(b'{')
    }

    /// Skips one value; returns its text.
    #[inline]
    pub(crate) fn value(&mut self) -> Result<Json<'a>, SyntaxError> {
        self.whitespace();
        let start = self.position;
        match self.peek() {
            Some(b'"') => {
                self.skip_string()?;
            }
            Some(b'{' | b'[') => self.skip_container()?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.literal("true")?,
            Some(b'f') => self.literal("false")?,
            Some(b'n') => self.literal("null")?,
            _ => return Err(self.error("a value")),
        }
        Ok(Json(&self.text[start..self.position]))
    }

    /// Enters the object or array at the scanner's position (its first byte checked by
    /// [`Scanner::peek_container`]); `true` when it is empty, and then read to its end.
    pub(crate) fn open_container(&mut self) -> bool {
        let closing = if self.peek() == Some(b'{') {
            b'}'
        } else {
            b']'
        };
        self.position += 1;
        self.whitespace();
        let empty = self.peek() == Some(closing);
        if empty {
            self.position += 1;
        }
        empty
    }

    /// Reads an object member's key and its colon.
    #[inline(always)]
    pub(crate) fn member_key(&mut self) -> Result<Key<'a>, SyntaxError> {
        self.whitespace();
        if self.peek() != Some(b'"') {
            return Err(self.error("a string key"));
        }
        let start = self.position + 1;
        let escaped = self.skip_string()?;
        let key = Key {
            text: &self.text[start..self.position - 1],
            escaped,
        };
        self.expect(b':', "`:`")?;
        Ok(key)
    }

    /// After a member or an element: `true` when another follows (its comma read), `false` at
    /// the container's end (read), `closing` being `}` or `]`.
    #[inline(always)]
    pub(crate) fn next_member(&mut self, closing: u8) -> Result<bool, SyntaxError> {
        self.whitespace();
        match self.peek() {
            Some(b',') => {
                self.position += 1;
                Ok(true)
            }
            Some(byte) if byte == closing => {
                self.position += 1;
                Ok(false)
            }
            _ => Err(self.error(if closing == b'}' {
                "`,` or `}`"
            } else {
                "`,` or `]`"
            })),
        }
    }

    /// An object's members: `member` is called after each key and its colon, and must read the
    /// value.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(Key<'a>, &mut Self) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        self.expect(b'{', "`{`")?;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return Ok(());
        }
        loop {
            let key = self.member_key()?;
            member(key, self)?;
            if !self.next_member(b'}')? {
                return Ok(());
            }
        }
    }

    /// An array's elements: `element` is called for each and must read it.
    pub(crate) fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        self.expect(b'[', "`[`")?;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.next_member(b']')? {
                return Ok(());
            }
        }
    }

    /// Skips an object or array, however deeply nested, without recursion.
    fn skip_container(&mut self) -> Result<(), SyntaxError> {
        let mut open = OpenContainers::default();
        loop {
            // At the start of a value, or of a container's first member.
            self.whitespace();
            match self.peek() {
                Some(b'{') => {
                    self.position += 1;
                    self.whitespace();
                    if self.peek() == Some(b'}') {
                        self.position += 1;
                    } else {
                        open.push(true);
                        self.key_and_colon()?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.position += 1;
                    self.whitespace();
                    if self.peek() == Some(b']') {
                        self.position += 1;
                    } else {
                        open.push(false);
                        continue;
                    }
                }
                Some(b'"') => {
                    self.skip_string()?;
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal("true")?,
                Some(b'f') => self.literal("false")?,
                Some(b'n') => self.literal("null")?,
                _ => return Err(self.error("a value")),
            }
            // After a complete value: a comma, or the end of the innermost container.
            loop {
                let Some(is_object) = open.innermost() else {
                    return Ok(());
                };
                self.whitespace();
                match (self.peek(), is_object) {
                    (Some(b','), true) => {
                        self.position += 1;
                        self.key_and_colon()?;
                        break;
                    }
                    (Some(b','), false) => {
                        self.position += 1;
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        self.position += 1;
                        open.pop();
                    }
                    (_, true) => return Err(self.error("`,` or `}`")),
                    (_, false) => return Err(self.error("`,` or `]`")),
                }
            }
        }
    }

    #[inline]
    fn key_and_colon(&mut self) -> Result<(), SyntaxError> {
        self.whitespace();
        if self.peek() != Some(b'"') {
            return Err(self.error("a string key"));
        }
        self.skip_string()?;
        self.expect(b':', "`:`")
    }

    /// Skips a string; returns whether it holds escapes.
    #[inline(always)]
    fn skip_string(&mut self) -> Result<bool, SyntaxError> {
        self.position += 1;
        let mut escaped = false;
        loop {
            self.position += special_byte(&self.bytes()[self.position..]);
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => return Err(self.error("an escape for a control character")),
                None => return Err(self.error("the end of the string")),
            }
        }
    }

    /// Checks one escape, at its backslash; returns the UTF-16 unit of a `\u` escape.
    fn escape(&mut self) -> Result<Option<u16>, SyntaxError> {
        self.position += 1;
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.position += 1;
                Ok(None)
            }
            Some(b'u') => {
                self.position += 1;
                let digits = self.bytes().get(self.position..self.position + 4);
                let unit = digits
                    .and_then(|digits| std::str::from_utf8(digits).ok())
                    .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
                    .and_then(|digits| u16::from_str_radix(digits, 16).ok())
                    .ok_or_else(|| self.error("four hexadecimal digits"))?;
                self.position += 4;
                Ok(Some(unit))
            }
            _ => Err(self.error("an escape: one of `\"\\/bfnrtu`")),
        }
    }

    /// Reads a string, borrowing it unless it holds escapes. A lone surrogate (which
    /// JavaScript strings allow and Rust's do not) becomes U+FFFD.
    #[inline]
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let start = self.position + 1;
        let escaped = self.skip_string()?;
        Ok(Key {
            text: &self.text[start..self.position - 1],
            escaped,
        }
        .to_str_lossy())
    }

    #[inline]
    fn number(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(b'-') {
            self.position += 1;
        }
        match self.peek() {
            Some(b'0') => self.position += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.position += 1;
            if !self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                return Err(self.error("a digit after the decimal point"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.position += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.position += 1;
            }
            if !self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                return Err(self.error("a digit in the exponent"));
            }
            self.digits();
        }
        Ok(())
    }

    #[inline]
    fn digits(&mut self) {
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.position += 1;
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), SyntaxError> {
        if self.bytes()[self.position..].starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(())
        } else {
            // A word that is none of the three is no value at all; a word cut short is.
            let rest = &self.bytes()[self.position..];
            let letters = rest
                .iter()
                .take_while(|byte| byte.is_ascii_alphanumeric())
                .count();
            if letters > 0 && !word.as_bytes().starts_with(&rest[..letters]) {
                return Err(self.error("a value"));
            }
            Err(self.error(match word {
                "true" => "`true`",
                "false" => "`false`",
                _ => "`null`",
            }))
        }
    }
}

/// Marks (with its high bit) each byte of `word` that is a quote, a backslash or a control
/// character; the lowest mark is always exact.
#[inline(always)]
fn special_marks(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Marks the bytes of `word` that are zero.
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    zero_bytes(word ^ (ONES * u64::from(b'"')))
        | zero_bytes(word ^ (ONES * u64::from(b'\\')))
        // Bytes below 0x20, by the same borrow trick.
        | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS)
}

/// Whether `bytes` holds a quote, a backslash or a control character. Short texts (keys,
/// event names) are read as two overlapping words, without a loop or a copy.
#[inline]
pub(crate) fn has_special_byte(bytes: &[u8]) -> bool {
    let u32_at = |start: usize| {
        bytes
            .get(start..start + 4)
            .and_then(|word| <[u8; 4]>::try_from(word).ok())
            .map_or(0, u32::from_le_bytes)
    };
    let u64_at = |start: usize| {
        bytes
            .get(start..start + 8)
            .and_then(|word| <[u8; 8]>::try_from(word).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let length = bytes.len();
    match length {
        0 => false,
        // The first, middle and last bytes cover them all; spaces are never special.
        1..=3 => {
            let word = u64::from_le_bytes([
                bytes[0],
                bytes[length / 2],
                bytes[length - 1],
                b' ',
                b' ',
                b' ',
                b' ',
                b' ',
            ]);
            special_marks(word) != 0
        }
        4..=8 => {
            let word = u64::from(u32_at(0)) | u64::from(u32_at(length - 4)) << 32;
            special_marks(word) != 0
        }
        9..=16 => special_marks(u64_at(0)) | special_marks(u64_at(length - 8)) != 0,
        _ => special_byte(bytes) < length,
    }
}

/// The offset of the first byte that ends a run of plain string content: a quote, a backslash
/// or a control character (or the length, when there is none). Eight bytes at a time: strings
/// are most of JSON.
#[inline(always)]
pub(crate) fn special_byte(bytes: &[u8]) -> usize {
    let mut offset = 0;
    // `bytes` runs to the end of the text, so most strings end well before the last word.
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let marks = special_marks(<[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes));
        if marks != 0 {
            return offset + (marks.trailing_zeros() / 8) as usize;
        }
        offset += 8;
    }
    let tail = words.remainder();
    offset
        + tail
            .iter()
            .position(|byte| matches!(byte, b'"' | b'\\' | 0..0x20))
            .unwrap_or(tail.len())
}

/// The value of a string's content, validated already, that holds escapes.
fn decode_escapes(content: &str) -> String {
    let mut decoded = String::with_capacity(content.len());
    let mut scanner = Scanner::new(content);
    let mut units: Vec<u16> = Vec::new();
    while scanner.position < content.len() {
        let rest = &content.as_bytes()[scanner.position..];
        let plain = memchr::memchr(b'\\', rest).unwrap_or(rest.len());
        if plain > 0 {
            flush_units(&mut units, &mut decoded);
            decoded.push_str(&content[scanner.position..scanner.position + plain]);
            scanner.position += plain;
            continue;
        }
        let escape_char = rest.get(1).copied().unwrap_or(b'\\');
        match scanner.escape() {
            Ok(Some(unit)) => units.push(unit),
            Ok(None) => {
                flush_units(&mut units, &mut decoded);
                decoded.push(char::from(unescaped(escape_char)));
            }
            // Validated when the string was read: cannot happen; stop rather than loop.
            Err(_) => break,
        }
    }
    flush_units(&mut units, &mut decoded);
    decoded
}

/// The byte a one-character escape (`\n`, `\"`…) stands for, given the character after its
/// backslash.
fn unescaped(escape_char: u8) -> u8 {
    match escape_char {
        b'b' => 0x8,
        b'f' => 0xc,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        other => other,
    }
}

/// Appends decoded `\u` escapes, pairing surrogates.
fn flush_units(units: &mut Vec<u16>, decoded: &mut String) {
    decoded.extend(
        char::decode_utf16(units.drain(..)).map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<&str, String> {
        Json::parse(text)
            .map(Json::text)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn accepts_what_json_accepts() {
        for text in [
            "0",
            "-0",
            "1.5",
            "-12.5e+3",
            "1E-2",
            "1e400",
            "true",
            "false",
            "null",
            "\"\"",
            "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"",
            "[]",
            "{}",
            "[1,[2,[3]],{\"a\":{}}]",
            " { \"k\" : [ 1 , 2 ] } ",
            "\"é ✓ \u{2028}\"",
        ] {
            assert_eq!(check(text), Ok(text.trim_matches(' ')), "{text}");
        }
    }

    #[test]
    fn rejects_what_json_rejects_and_says_where() {
        let cases = [
            (
                "",
                "expected a value at column 1, found the end of the text",
            ),
            (
                "01",
                "expected the end of the text at column 2, found a number",
            ),
            (
                "1.",
                "expected a digit after the decimal point at column 3, found the end of the text",
            ),
            (
                "1e",
                "expected a digit in the exponent at column 3, found the end of the text",
            ),
            (
                "-",
                "expected a digit at column 2, found the end of the text",
            ),
            ("+1", "expected a value at column 1, found `+`"),
            ("tru", "expected `true` at column 1, found a bare word"),
            ("nothing", "expected a value at column 1, found a bare word"),
            (
                "'a'",
                "expected a value at column 1, found `'` (JSON strings take double quotes)",
            ),
            ("[1,]", "expected a value at column 4, found `]`"),
            ("[1 2]", "expected `,` or `]` at column 4, found a number"),
            ("{\"a\" 1}", "expected `:` at column 6, found a number"),
            (
                "{a:1}",
                "expected a string key at column 2, found a bare word",
            ),
            ("{\"a\":1,}", "expected a string key at column 8, found `}`"),
            (
                "{\"a\":1",
                "expected `,` or `}` at column 7, found the end of the text",
            ),
            (
                "\"abc",
                "expected the end of the string at column 5, found the end of the text",
            ),
            (
                "\"a\u{1}b\"",
                "expected an escape for a control character at column 3, found a control character",
            ),
            (
                "\"\\x\"",
                "expected an escape: one of `\"\\/bfnrtu` at column 3, found a bare word",
            ),
            (
                "\"\\u12g4\"",
                "expected four hexadecimal digits at column 4, found a number",
            ),
            (
                "[1] [2]",
                "expected the end of the text at column 5, found `[`",
            ),
            ("NaN", "expected a value at column 1, found a bare word"),
            // Past the first line, the line too.
            (
                "{\n  \"a\": 1\n  \"b\": 2\n}",
                "expected `,` or `}` at line 3, column 3, found `\"`",
            ),
            (
                "[\r\n1,\r\n]",
                "expected a value at line 3, column 1, found `]`",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(check(text), Err(message.to_owned()), "{text}");
        }
    }

    #[test]
    fn open_containers_remember_kinds_past_the_shallow_bits() {
        let kinds: Vec<bool> = (0..150).map(|level| level % 3 == 0).collect();
        let mut open = OpenContainers::default();
        for kind in &kinds {
            open.push(*kind);
            assert_eq!(open.innermost(), Some(*kind));
        }
        for kind in kinds.iter().rev() {
            assert_eq!(open.innermost(), Some(*kind));
            open.pop();
        }
        assert_eq!(open.innermost(), None);
        // Mixed containers past 64 levels, closed in order.
        let mixed = format!("{}1{}", "[{\"a\":".repeat(50), "}]".repeat(50));
        assert!(Json::parse(&mixed).is_ok());
        let crossed = format!("{}1{}", "[{\"a\":".repeat(50), "]}".repeat(50));
        assert!(Json::parse(&crossed).is_err());
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(check(&deep).map(str::len), Ok(400_000));
        let unclosed = "[".repeat(200_000);
        assert!(check(&unclosed).is_err());
        let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert!(check(&objects).is_ok());
    }

    #[test]
    fn strings_decode_escapes_and_surrogates() {
        let decode = |text: &str| Json::parse(text).unwrap().to_str().unwrap().into_owned();
        assert_eq!(decode(r#""plain""#), "plain");
        assert_eq!(decode(r#""a\nb\u0041\u00e9""#), "a\nbAé");
        assert_eq!(decode(r#""\ud83d\ude00!""#), "😀!");
        assert_eq!(decode(r#""\ud83d?""#), "\u{fffd}?");
        assert!(matches!(
            Json::parse(r#""plain""#).unwrap().to_str(),
            Some(Cow::Borrowed("plain"))
        ));
        assert_eq!(Json::parse("5").unwrap().to_str(), None);
    }

    #[test]
    fn walks_one_level_at_a_time() {
        let value = Json::parse(r#"{"a": [1, {"b": 2}], "k\u0065y": "v", "a": null}"#).unwrap();
        let mut entries = Vec::new();
        assert!(value.entries(|key, value| entries.push((key, value.text()))));
        assert_eq!(entries.len(), 3);
        assert!(matches!(entries[0].0.to_str_lossy(), Cow::Borrowed("a")));
        assert_eq!(entries[0].1, r#"[1, {"b": 2}]"#);
        assert!(matches!(entries[1].0.to_str_lossy(), Cow::Owned(key) if key == "key"));
        assert_eq!(entries[1].0, "key");
        let mut elements = Vec::new();
        assert!(
            Json::parse(entries[0].1)
                .unwrap()
                .elements(|element| elements.push(element.text()))
        );
        assert_eq!(elements, ["1", r#"{"b": 2}"#]);
        assert!(!value.elements(|_| panic!("an object has no elements")));
        assert!(
            !Json::parse("\"s\"")
                .unwrap()
                .entries(|_, _| panic!("a string has no entries"))
        );
    }

    #[test]
    fn special_bytes_are_found_wherever_they_are() {
        for length in 0..40 {
            for special in [b'"', b'\\', 0x00, 0x1f] {
                for at in 0..=length {
                    let mut bytes = vec![b'a'; length];
                    // Bytes around the special ones that the word tricks must not confuse.
                    for (index, byte) in bytes.iter_mut().enumerate() {
                        *byte = [b'a', 0x20, 0x7f, 0xff, b'!', 0x21, 0x5d][index % 7];
                    }
                    if at < length {
                        bytes[at] = special;
                    }
                    assert_eq!(special_byte(&bytes), at, "{bytes:?}");
                    assert_eq!(has_special_byte(&bytes), at < length, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn names_types() {
        let names: Vec<&str> = ["{}", "[]", "\"\"", "true", "false", "null", "-1"]
            .iter()
            .map(|text| Json::parse(text).unwrap().type_name())
            .collect();
        assert_eq!(
            names,
            [
                "an object",
                "an array",
                "a string",
                "a boolean",
                "a boolean",
                "null",
                "a number"
            ]
        );
    }
}
