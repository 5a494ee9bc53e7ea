//! JSON as the mapping reads it: the [`JsonValue`] trait the generated conversions run over,
//! and [`Json`], a borrowed document that keeps keys in document order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// What a mapping needs from a JSON value: JavaScript truthiness, and one pass over the
/// entries of an object or the elements of an array.
///
/// Implemented by handles that are cheap to copy, borrowing from a document that lives for
/// `'a`: `&Json` for a parsed document, [`Raw`](crate::Raw) for JSON text read lazily. The
/// generated conversions are generic over this trait, so they run over any representation
/// that can walk its own key/value pairs in document order.
pub trait JsonValue<'a>: Copy {
    /// JavaScript truthiness: `null`, `false`, `0`, `-0` and `""` are falsy; everything else,
    /// `[]` and `{}` included, is truthy.
    fn is_truthy(self) -> bool;

    /// Calls `visit` with each key and value of an object, in document order, duplicates
    /// included. Returns `false`, without calling `visit`, when the value is not an object.
    /// Keys are borrowed unless they had to be unescaped.
    fn for_each_entry(self, visit: impl FnMut(Cow<'a, str>, Self)) -> bool;

    /// Calls `visit` with each element of an array, in order. Returns `false`, without calling
    /// `visit`, when the value is not an array.
    fn for_each_element(self, visit: impl FnMut(Self)) -> bool;
}

/// A JSON value that borrows its strings from the text it was parsed from.
///
/// Objects keep their entries in document order, duplicates included, as the loose key rule
/// needs them ("the first matching key wins"). Reading a key that appears twice gives its last
/// value, as JavaScript's `JSON.parse` does.
///
/// ```
/// use mapping_core::{Json, JsonValue};
///
/// let json = Json::parse(r#"{"b": 1, "a": "x", "b": 0}"#)?;
/// assert_eq!(json.get("a").and_then(Json::as_str), Some("x"));
/// assert!(!json.get("b").is_some_and(|value| value.is_truthy()));
/// assert_eq!(serde_json::to_string(&json)?, r#"{"b":1,"a":"x","b":0}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string, borrowed unless it contained escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's entries in document order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// A JSON number, kept as an integer when it was written as one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// Any other number.
    Float(f64),
}

impl<'a> Json<'a> {
    /// Parses JSON text, borrowing its strings.
    pub fn parse(text: &'a str) -> Result<Json<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The value of `key` in an object (its last value, when the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(entries) => entries
                .iter()
                .rev()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The JSON type, with its article, for messages: `"a string"`, `"an object"`, `"null"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The same value, owning all of its strings.
    pub fn into_owned(self) -> Json<'static> {
        match self {
            Json::Null => Json::Null,
            Json::Bool(value) => Json::Bool(value),
            Json::Number(number) => Json::Number(number),
            Json::String(text) => Json::String(Cow::Owned(text.into_owned())),
            Json::Array(elements) => {
                Json::Array(elements.into_iter().map(Json::into_owned).collect())
            }
            Json::Object(entries) => Json::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (Cow::Owned(key.into_owned()), value.into_owned()))
                    .collect(),
            ),
        }
    }
}

impl Number {
    fn is_zero(self) -> bool {
        match self {
            Number::Unsigned(value) => value == 0,
            Number::Signed(value) => value == 0,
            // NaN is falsy in JavaScript too, though JSON cannot spell it.
            Number::Float(value) => value == 0.0 || value.is_nan(),
        }
    }
}

impl<'a, 'b: 'a> JsonValue<'a> for &'a Json<'b> {
    fn is_truthy(self) -> bool {
        match self {
            Json::Null => false,
            Json::Bool(value) => *value,
            Json::Number(number) => !number.is_zero(),
            Json::String(text) => !text.is_empty(),
            Json::Array(_) | Json::Object(_) => true,
        }
    }

    fn for_each_entry(self, mut visit: impl FnMut(Cow<'a, str>, Self)) -> bool {
        match self {
            Json::Object(entries) => {
                for (key, value) in entries {
                    visit(Cow::Borrowed(key), value);
                }
                true
            }
            _ => false,
        }
    }

    fn for_each_element(self, visit: impl FnMut(Self)) -> bool {
        match self {
            Json::Array(elements) => {
                elements.iter().for_each(visit);
                true
            }
            _ => false,
        }
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(value) => serializer.serialize_bool(*value),
            Json::Number(number) => number.serialize(serializer),
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(elements) => {
                let mut seq = serializer.serialize_seq(Some(elements.len()))?;
                for element in elements {
                    seq.serialize_element(element)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Number::Unsigned(value) => serializer.serialize_u64(value),
            Number::Signed(value) => serializer.serialize_i64(value),
            Number::Float(value) => serializer.serialize_f64(value),
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Json::Number(Number::Unsigned(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Json::Number(if value < 0 {
            Number::Signed(value)
        } else {
            Number::Unsigned(value.unsigned_abs())
        }))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Json::Number(Number::Float(value)))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(element) = seq.next_element()? {
            elements.push(element);
        }
        Ok(Json::Array(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(key) = map.next_key_seed(BorrowedStr)? {
            entries.push((key, map.next_value()?));
        }
        Ok(Json::Object(entries))
    }
}

/// Deserializes a string, borrowing it when the input allows (serde's own `Cow<str>` always
/// copies).
pub(crate) struct BorrowedStr;

impl<'de> DeserializeSeed<'de> for BorrowedStr {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for BorrowedStr {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truthy(text: &str) -> bool {
        Json::parse(text).unwrap().is_truthy()
    }

    #[test]
    fn truthiness_follows_javascript() {
        for falsy in ["null", "false", "0", "-0", "0.0", "0e10", "\"\""] {
            assert!(!truthy(falsy), "{falsy} should be falsy");
        }
        for truthy_text in ["true", "1", "-1", "0.5", "\"0\"", "\"false\"", "[]", "{}"] {
            assert!(truthy(truthy_text), "{truthy_text} should be truthy");
        }
    }

    #[test]
    fn borrows_unescaped_strings_and_keys() {
        let json = Json::parse(r#"{"plain": "text", "esc\u0061ped": "a\nb"}"#).unwrap();
        let Json::Object(entries) = &json else {
            panic!("not an object: {json:?}");
        };
        assert!(matches!(entries[0].0, Cow::Borrowed("plain")));
        assert!(matches!(entries[0].1, Json::String(Cow::Borrowed("text"))));
        assert_eq!(entries[1].0, "escaped");
        assert_eq!(entries[1].1, Json::String(Cow::Owned("a\nb".to_owned())));
    }

    #[test]
    fn keeps_numbers_and_key_order_when_serialized() {
        let text =
            r#"{"z":1,"a":-2,"m":2.5,"big":18446744073709551615,"s":"1","n":null,"l":[true,{}]}"#;
        let json = Json::parse(text).unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), text);
        assert_eq!(serde_json::to_string(&json.into_owned()).unwrap(), text);
    }

    #[test]
    fn visits_entries_in_document_order_with_duplicates() {
        let json = Json::parse(r#"{"b": 1, "a": 2, "b": 3}"#).unwrap();
        let mut keys = Vec::new();
        assert!(json.for_each_entry(|key, _| keys.push(key)));
        assert_eq!(keys, ["b", "a", "b"]);
        assert_eq!(json.get("b"), Some(&Json::Number(Number::Unsigned(3))));
        assert!(!json.for_each_element(|_| panic!("an object has no elements")));
        assert!(!Json::Null.for_each_entry(|_, _| panic!("null has no entries")));
    }
}
