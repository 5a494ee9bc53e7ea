//! JSON read lazily: values kept as their raw text ([`Raw`]) and walked only when read, one
//! level at a time. A value copied to the output is written as it was sent, never decoded.

use std::borrow::Cow;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::JsonValue;
use crate::scan::{Raw, Scanner, SyntaxError};

impl<'a> JsonValue<'a> for Raw<'a> {
    fn is_truthy(self) -> bool {
        let text = self.get();
        match text.as_bytes().first() {
            None | Some(b'n' | b'f') => false,
            Some(b't' | b'[' | b'{') => true,
            Some(b'"') => text != "\"\"",
            // A number: zero, negative zero and numbers that round to zero (`1e-400` is zero
            // for a double) are falsy, as in JavaScript.
            Some(_) => text.parse::<f64>().is_ok_and(|number| number != 0.0),
        }
    }

    fn for_each_entry(self, visit: impl FnMut(Cow<'a, str>, Self)) -> bool {
        self.entries(visit)
    }

    fn for_each_element(self, visit: impl FnMut(Self)) -> bool {
        self.elements(visit)
    }
}

impl Serialize for Raw<'_> {
    /// Writes the text as it is: serde_json copies it verbatim; other formats get the value.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The text is one valid JSON value, so serde_json takes it as one.
        let raw: &RawValue = serde_json::from_str(self.get()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A JSON object read one level deep: keys decoded, in document order, duplicates kept;
/// values left raw. A message's `properties` and `traits` are read this way, once.
///
/// ```
/// use mapping_core::RawObject;
///
/// let object = RawObject::parse(r#"{"a": [1, 2], "b": {"c": null}, "a": 3}"#)?;
/// assert_eq!(object.entries().len(), 3);
/// assert_eq!(object.get("a").map(|value| value.get()), Some("3"));
/// assert_eq!(object.get("b").map(|value| value.get()), Some(r#"{"c": null}"#));
/// # Ok::<(), mapping_core::SyntaxError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawObject<'a> {
    entries: Vec<(Cow<'a, str>, Raw<'a>)>,
}

impl<'a> RawObject<'a> {
    /// Reads `text`, which must hold exactly one object.
    pub fn parse(text: &'a str) -> Result<RawObject<'a>, SyntaxError> {
        let mut scanner = Scanner::new(text);
        let object = RawObject::read(&mut scanner)?;
        scanner.end()?;
        Ok(object)
    }

    /// Reads an object at the scanner's position.
    pub(crate) fn read(scanner: &mut Scanner<'a>) -> Result<RawObject<'a>, SyntaxError> {
        let mut entries = Vec::new();
        scanner.object(|key, scanner| {
            entries.push((key, scanner.value()?));
            Ok(())
        })?;
        Ok(RawObject { entries })
    }

    /// The entries in document order.
    pub fn entries(&self) -> &[(Cow<'a, str>, Raw<'a>)] {
        &self.entries
    }

    /// The value of `key` (its last value when the key is repeated, as in `JSON.parse`).
    pub fn get(&self, key: &str) -> Option<Raw<'a>> {
        self.entries
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Raw<'_> {
        Raw::parse(text).unwrap()
    }

    #[test]
    fn truthiness_follows_javascript() {
        for falsy in ["null", "false", "0", "-0", "0.0", "0e10", "-0.0E-5", "1e-400", "\"\""] {
            assert!(!raw(falsy).is_truthy(), "{falsy} should be falsy");
        }
        for truthy in ["true", "1", "-1", "0.5", "1e400", "\"0\"", "\" \"", "[]", "{}"] {
            assert!(raw(truthy).is_truthy(), "{truthy} should be truthy");
        }
    }

    #[test]
    fn serializes_as_written() {
        let value = raw(r#"{"price": 1.50, "text": "\u0041"}"#);
        assert_eq!(serde_json::to_string(&value).unwrap(), r#"{"price": 1.50, "text": "\u0041"}"#);
    }

    #[test]
    fn objects_are_read_one_level_deep() {
        let object = RawObject::parse(r#" {"x": {"deep": [1]}, "x": 2} "#).unwrap();
        assert_eq!(object.entries().len(), 2);
        assert_eq!(object.get("x").map(Raw::get), Some("2"));
        assert_eq!(object.get("y"), None);
        assert_eq!(RawObject::parse("[{}]").unwrap_err().to_string(), "expected `{` at column 1");
        assert_eq!(RawObject::parse("{} {}").unwrap_err().to_string(), "expected the end of the text at column 4");
    }
}
