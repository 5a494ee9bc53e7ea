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

/// A value read partly: containers near the top are walked once and kept as [`Node`]s,
/// everything else stays raw text. A copyable handle, for [`JsonValue`]'s conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lazy<'a> {
    /// Raw text, walked when read.
    Raw(Raw<'a>),
    /// A container walked already.
    Node(&'a Node<'a>),
}

impl<'a> Lazy<'a> {
    /// The JSON text of the value, as sent.
    pub fn raw(self) -> Raw<'a> {
        match self {
            Lazy::Raw(raw) => raw,
            Lazy::Node(node) => node.raw(),
        }
    }
}

impl<'a> JsonValue<'a> for Lazy<'a> {
    fn is_truthy(self) -> bool {
        self.raw().is_truthy()
    }

    fn for_each_entry(self, mut visit: impl FnMut(Cow<'a, str>, Self)) -> bool {
        match self {
            Lazy::Node(Node::Object(_, entries)) => {
                for (key, value) in entries {
                    visit(Cow::Borrowed(key), value.as_lazy());
                }
                true
            }
            Lazy::Node(_) => false,
            Lazy::Raw(raw) => raw.entries(|key, value| visit(key, Lazy::Raw(value))),
        }
    }

    fn for_each_element(self, mut visit: impl FnMut(Self)) -> bool {
        match self {
            Lazy::Node(Node::Array(_, elements)) => {
                elements.iter().map(Node::as_lazy).for_each(visit);
                true
            }
            Lazy::Node(_) => false,
            Lazy::Raw(raw) => raw.elements(|value| visit(Lazy::Raw(value))),
        }
    }
}

impl Serialize for Lazy<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

/// A value of a message's properties or traits, walked as deep as the destination reads
/// without searching: objects and arrays down to [`Node::DEPTH`] levels (the products array,
/// and each product's fields), raw text below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node<'a> {
    /// A scalar, or a container below the walked levels.
    Raw(Raw<'a>),
    /// An array, with its elements.
    Array(Raw<'a>, Vec<Node<'a>>),
    /// An object, with its entries in document order, duplicates kept.
    Object(Raw<'a>, Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Levels walked below a message field: `properties` → `products` → a product.
    pub const DEPTH: usize = 3;

    /// Reads the value at the scanner's position, walking containers `depth` levels down.
    fn read(scanner: &mut Scanner<'a>, depth: usize) -> Result<Node<'a>, SyntaxError> {
        scanner.whitespace();
        let start = scanner.position();
        let node = match scanner.peek_container() {
            Some(b'{') if depth > 0 => {
                let mut entries = Vec::new();
                scanner.object(|key, scanner| {
                    entries.push((key, Node::read(scanner, depth - 1)?));
                    Ok(())
                })?;
                Node::Object(scanner.raw_since(start), entries)
            }
            Some(b'[') if depth > 0 => {
                let mut elements = Vec::new();
                scanner.array(|scanner| {
                    elements.push(Node::read(scanner, depth - 1)?);
                    Ok(())
                })?;
                Node::Array(scanner.raw_since(start), elements)
            }
            _ => Node::Raw(scanner.value()?),
        };
        Ok(node)
    }

    /// The JSON text of the value, as sent.
    pub fn raw(&self) -> Raw<'a> {
        match self {
            Node::Raw(raw) | Node::Array(raw, _) | Node::Object(raw, _) => *raw,
        }
    }

    /// A handle on this value.
    pub fn as_lazy(&self) -> Lazy<'_> {
        match self {
            Node::Raw(raw) => Lazy::Raw(*raw),
            node => Lazy::Node(node),
        }
    }
}

/// A message's `properties` or `traits`: an object walked [`Node::DEPTH`] levels deep.
///
/// ```
/// use mapping_core::RawObject;
///
/// let object = RawObject::parse(r#"{"a": [1, 2], "b": {"c": null}, "a": 3}"#)?;
/// assert_eq!(object.entries().len(), 3);
/// assert_eq!(object.get("a").map(|value| value.raw().get()), Some("3"));
/// assert_eq!(object.get("b").map(|value| value.raw().get()), Some(r#"{"c": null}"#));
/// # Ok::<(), mapping_core::SyntaxError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawObject<'a> {
    entries: Vec<(Cow<'a, str>, Node<'a>)>,
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
        match Node::read(scanner, Node::DEPTH)? {
            Node::Object(_, entries) => Ok(RawObject { entries }),
            _ => Err(SyntaxError {
                expected: "`{`",
                column: scanner.position() + 1,
            }),
        }
    }

    /// The entries in document order.
    pub fn entries(&self) -> &[(Cow<'a, str>, Node<'a>)] {
        &self.entries
    }

    /// The value of `key` (its last value when the key is repeated, as in `JSON.parse`).
    pub fn get(&self, key: &str) -> Option<Lazy<'_>> {
        self.entries
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_lazy())
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
        for falsy in [
            "null", "false", "0", "-0", "0.0", "0e10", "-0.0E-5", "1e-400", "\"\"",
        ] {
            assert!(!raw(falsy).is_truthy(), "{falsy} should be falsy");
        }
        for truthy in [
            "true", "1", "-1", "0.5", "1e400", "\"0\"", "\" \"", "[]", "{}",
        ] {
            assert!(raw(truthy).is_truthy(), "{truthy} should be truthy");
        }
    }

    #[test]
    fn serializes_as_written() {
        let value = raw(r#"{"price": 1.50, "text": "\u0041"}"#);
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"price": 1.50, "text": "\u0041"}"#
        );
    }

    #[test]
    fn objects_are_read_one_level_deep() {
        let object = RawObject::parse(r#" {"x": {"deep": [1]}, "x": 2} "#).unwrap();
        assert_eq!(object.entries().len(), 2);
        assert_eq!(object.get("x").map(|value| value.raw().get()), Some("2"));
        assert_eq!(object.get("y"), None);
        assert_eq!(
            RawObject::parse("[{}]").unwrap_err().to_string(),
            "expected `{` at column 5"
        );
        assert_eq!(
            RawObject::parse("{} {}").unwrap_err().to_string(),
            "expected the end of the text at column 4"
        );
    }
}

#[cfg(test)]
mod node_tests {
    use super::*;

    #[test]
    fn walks_three_levels_then_keeps_raw_text() {
        let object = RawObject::parse(r#"{"products": [{"name": "a", "tags": ["x"]}, 5], "user": {"address": {"city": "P"}}}"#).unwrap();
        let products = object.get("products").unwrap();
        assert!(matches!(products, Lazy::Node(Node::Array(_, elements)) if elements.len() == 2));
        let mut names = Vec::new();
        products.for_each_element(|product| {
            product.for_each_entry(|key, value| {
                names.push((key.into_owned(), value.raw().get().to_owned()))
            });
        });
        assert_eq!(
            names,
            [
                ("name".to_owned(), "\"a\"".to_owned()),
                ("tags".to_owned(), "[\"x\"]".to_owned())
            ]
        );
        // Below the walked levels, values are raw and still readable.
        let user = object.get("user").unwrap();
        let mut cities = Vec::new();
        user.for_each_entry(|_, address| {
            address.for_each_entry(|_, city| cities.push(city.raw().get().to_owned()));
        });
        assert_eq!(cities, ["\"P\""]);
        assert_eq!(user.raw().get(), r#"{"address": {"city": "P"}}"#);
    }
}
