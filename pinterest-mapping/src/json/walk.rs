//! Objects walked once, near the top: a message's `properties` and `traits` are read a few
//! levels deep when the message is, so that the destination visits their entries without
//! scanning the text again. Deeper values stay [`Json`] text, walked when read.

use serde::{Serialize, Serializer};

use super::{Json, JsonValue, Key, Scanner, SyntaxError};

/// A value read partly: containers near the top were walked once when the message was read
/// and are stored, everything else is raw text, walked when read. A copyable handle, for
/// [`JsonValue`]'s conversions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lazy<'a>(Place<'a>);

#[derive(Clone, Copy, Debug)]
enum Place<'a> {
    /// Unwalked text.
    Text(Json<'a>),
    /// The node at this index of a walked tree.
    Walked(&'a [Walked<'a>], u32),
}

/// One value of a walked tree, stored in document order, each node before its children.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Walked<'a> {
    /// The key, when the parent is an object.
    key: Option<Key<'a>>,
    raw: Json<'a>,
    kind: Kind,
    /// Index just past this node's children: where its next sibling is.
    end: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A scalar, or a container below the walked levels.
    Text,
    Array,
    Object,
}

impl<'a> Lazy<'a> {
    /// A handle on raw text.
    pub fn from_raw(raw: Json<'a>) -> Lazy<'a> {
        Lazy(Place::Text(raw))
    }

    /// The text, when the value was not walked (a scalar, or a container below the walked
    /// levels).
    pub fn unwalked(self) -> Option<Json<'a>> {
        match self.0 {
            Place::Text(raw) => Some(raw),
            Place::Walked(nodes, index) => {
                let node = &nodes[index as usize];
                (node.kind == Kind::Text).then_some(node.raw)
            }
        }
    }

    /// The JSON text of the value, as sent.
    pub fn raw(self) -> Json<'a> {
        match self.0 {
            Place::Text(raw) => raw,
            Place::Walked(nodes, index) => nodes[index as usize].raw,
        }
    }

    /// The children of a walked container, with their keys.
    fn children(
        nodes: &'a [Walked<'a>],
        index: u32,
    ) -> impl Iterator<Item = (&'a Walked<'a>, Lazy<'a>)> {
        let end = nodes[index as usize].end;
        let mut child = index + 1;
        std::iter::from_fn(move || {
            (child < end).then(|| {
                let current = child;
                child = nodes[current as usize].end;
                (
                    &nodes[current as usize],
                    Lazy(Place::Walked(nodes, current)),
                )
            })
        })
    }
}

impl PartialEq for Lazy<'_> {
    /// Values are equal when their texts are.
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw()
    }
}

impl Eq for Lazy<'_> {}

impl<'a> JsonValue<'a> for Lazy<'a> {
    fn is_truthy(self) -> bool {
        self.raw().is_truthy()
    }

    fn for_each_entry(self, mut visit: impl FnMut(Key<'a>, Self)) -> bool {
        match self.0 {
            Place::Walked(nodes, index) if nodes[index as usize].kind == Kind::Object => {
                for (node, value) in Lazy::children(nodes, index) {
                    visit(node.key.unwrap_or(Key::new("")), value);
                }
                true
            }
            Place::Walked(nodes, index) if nodes[index as usize].kind == Kind::Array => false,
            _ => self
                .raw()
                .entries(|key, value| visit(key, Lazy::from_raw(value))),
        }
    }

    fn for_each_element(self, mut visit: impl FnMut(Self)) -> bool {
        match self.0 {
            Place::Walked(nodes, index) if nodes[index as usize].kind == Kind::Array => {
                for (_, value) in Lazy::children(nodes, index) {
                    visit(value);
                }
                true
            }
            Place::Walked(nodes, index) if nodes[index as usize].kind == Kind::Object => false,
            _ => self.raw().elements(|value| visit(Lazy::from_raw(value))),
        }
    }
}

impl Serialize for Lazy<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(serializer)
    }
}

/// A message's `properties` or `traits`: an object walked [`RawObject::DEPTH`] levels deep when
/// it is read, in one allocation; deeper values stay raw text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawObject<'a> {
    /// The object itself, then its walked values in document order.
    nodes: Vec<Walked<'a>>,
}

impl Default for RawObject<'_> {
    fn default() -> Self {
        RawObject {
            nodes: vec![Walked {
                key: None,
                raw: Json::EMPTY_OBJECT,
                kind: Kind::Object,
                end: 1,
            }],
        }
    }
}

impl<'a> RawObject<'a> {
    /// Levels walked below the object: the object's own entries, the products array, and each
    /// product's fields.
    const DEPTH: usize = 3;

    /// Reads `text`, which must hold exactly one object.
    #[cfg(test)]
    pub fn parse(text: &'a str) -> Result<RawObject<'a>, SyntaxError> {
        let mut scanner = Scanner::new(text);
        let object = RawObject::read(&mut scanner)?;
        scanner.end()?;
        Ok(object)
    }

    /// Reads an object at the scanner's position.
    pub(crate) fn read(scanner: &mut Scanner<'a>) -> Result<RawObject<'a>, SyntaxError> {
        if scanner.peek_container() != Some(b'{') {
            scanner.whitespace();
            return Err(scanner.error_here("`{`"));
        }
        // Enough for typical properties with a product or two, in one allocation of under a
        // kilobyte (which allocators serve fastest); larger objects grow it.
        let mut nodes = Vec::with_capacity(NODES);
        walk(scanner, &mut nodes, None, RawObject::DEPTH)?;
        Ok(RawObject { nodes })
    }

    /// The object's text.
    pub fn json(&self) -> Json<'a> {
        self.nodes[0].raw
    }

    /// The object, as a handle.
    pub fn as_lazy(&self) -> Lazy<'_> {
        Lazy(Place::Walked(&self.nodes, 0))
    }

    /// Every value the walk did not enter, at any walked level: scalars, and containers below
    /// the walked levels.
    pub fn leaves(&self) -> impl Iterator<Item = Json<'a>> + '_ {
        self.nodes
            .iter()
            .filter(|node| node.kind == Kind::Text)
            .map(|node| node.raw)
    }

    /// The entries in document order, duplicates included.
    pub fn entries(&self) -> impl Iterator<Item = (Key<'_>, Lazy<'_>)> {
        Lazy::children(&self.nodes, 0)
            .map(|(node, value)| (node.key.unwrap_or(Key::new("")), value))
    }

    /// The value of `key` (its last value when the key is repeated, as in `JSON.parse`).
    pub fn get(&self, key: &str) -> Option<Lazy<'_>> {
        self.entries()
            .filter(|(name, _)| *name == key)
            .last()
            .map(|(_, value)| value)
    }
}

/// The nodes [`RawObject::read`] makes room for at first.
const NODES: usize = 1000 / size_of::<Walked>();

/// Reads the value at the scanner's position into `nodes`, walking containers `depth` levels
/// down; the recursion is bounded by `depth`. Inlined into the loops over members, where most
/// values are scalars: only containers cost a call.
#[inline(always)]
fn walk<'a>(
    scanner: &mut Scanner<'a>,
    nodes: &mut Vec<Walked<'a>>,
    key: Option<Key<'a>>,
    depth: usize,
) -> Result<(), SyntaxError> {
    match scanner.peek_container() {
        Some(opening) if depth > 0 => walk_container(scanner, nodes, key, opening, depth),
        _ => {
            let raw = scanner.value()?;
            let end = node_index(nodes.len() + 1, scanner)?;
            nodes.push(Walked {
                key,
                raw,
                kind: Kind::Text,
                end,
            });
            Ok(())
        }
    }
}

/// [`walk`] for a container, `opening` its first byte.
#[inline(never)]
fn walk_container<'a>(
    scanner: &mut Scanner<'a>,
    nodes: &mut Vec<Walked<'a>>,
    key: Option<Key<'a>>,
    opening: u8,
    depth: usize,
) -> Result<(), SyntaxError> {
    let start = scanner.position();
    let index = nodes.len();
    nodes.push(Walked {
        key,
        raw: Json::EMPTY_OBJECT,
        kind: if opening == b'{' {
            Kind::Object
        } else {
            Kind::Array
        },
        end: node_index(index + 1, scanner)?,
    });
    if opening == b'{' {
        scanner.object(|key, scanner| walk(scanner, nodes, Some(key), depth - 1))?;
    } else {
        scanner.array(|scanner| walk(scanner, nodes, None, depth - 1))?;
    }
    nodes[index].raw = scanner.raw_since(start);
    nodes[index].end = node_index(nodes.len(), scanner)?;
    Ok(())
}

/// A node index, kept in 32 bits: an object with four billion values is refused.
fn node_index(index: usize, scanner: &Scanner) -> Result<u32, SyntaxError> {
    u32::try_from(index).map_err(|_| scanner.error_here("fewer than four billion values"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Json<'_> {
        Json::parse(text).unwrap()
    }

    #[test]
    fn truthiness_follows_javascript() {
        for falsy in [
            "null", "false", "0", "-0", "0.0", "0e10", "-0.0E-5", "1e-400", "\"\"",
        ] {
            assert!(!raw(falsy).is_truthy(), "{falsy} should be falsy");
        }
        // Without an exponent too: 400 zeros after the point underflow a double.
        let zeros = "0".repeat(400);
        for underflow in [
            format!("0.{zeros}1"),
            format!("-0.{zeros}1"),
            format!("0.{zeros}"),
        ] {
            assert!(!raw(&underflow).is_truthy(), "0.000…0001 should be falsy");
        }
        let tiny = format!("0.{}1", "0".repeat(322));
        assert!(raw(&tiny).is_truthy(), "1e-323 is a double above zero");
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
        assert_eq!(object.entries().count(), 2);
        assert_eq!(object.get("x").map(|value| value.raw().text()), Some("2"));
        assert_eq!(object.get("y"), None);
        assert_eq!(
            RawObject::parse("[{}]").unwrap_err().to_string(),
            "expected `{` at column 1, found `[`"
        );
        assert_eq!(
            RawObject::parse("{} {}").unwrap_err().to_string(),
            "expected the end of the text at column 4, found `{`"
        );
    }
}

#[cfg(test)]
mod walk_tests {
    use super::*;

    #[test]
    fn walks_three_levels_then_keeps_raw_text() {
        let object = RawObject::parse(
            r#"{"products": [{"name": "a", "tags": ["x"]}, 5], "user": {"address": {"city": "P"}}}"#,
        )
        .unwrap();
        let products = object.get("products").unwrap();
        let mut names = Vec::new();
        assert!(products.for_each_element(|product| {
            product.for_each_entry(|key, value| names.push((key.to_string(), value.raw().text())));
        }));
        assert_eq!(
            names,
            [("name".to_owned(), "\"a\""), ("tags".to_owned(), "[\"x\"]")]
        );
        // Below the walked levels, values are raw and still readable.
        let user = object.get("user").unwrap();
        let mut cities = Vec::new();
        assert!(user.for_each_entry(|_, address| {
            address.for_each_entry(|_, city| cities.push(city.raw().text()));
        }));
        assert_eq!(cities, ["\"P\""]);
        assert_eq!(user.raw().text(), r#"{"address": {"city": "P"}}"#);
        assert!(!user.for_each_element(|_| panic!("an object has no elements")));
        assert!(!products.for_each_entry(|_, _| panic!("an array has no entries")));
    }

    #[test]
    fn the_default_is_an_empty_object() {
        let empty = RawObject::default();
        assert_eq!(empty.entries().count(), 0);
        assert_eq!(empty.as_lazy().raw().text(), "{}");
        assert!(empty.as_lazy().for_each_entry(|_, _| panic!("no entries")));
    }
}
