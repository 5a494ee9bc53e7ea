//! JSON read lazily: values kept as their raw text ([`RawValue`]) and parsed only when read,
//! one level at a time. Skipping a value costs about what validating it does; a value that is
//! copied to the output is written as it was sent, without being parsed at all.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
pub use serde_json::value::RawValue;

use crate::json::{BorrowedStr, JsonValue};

/// The `Visitor` methods of values that are neither objects nor arrays: all answer `false`.
macro_rules! not_a_container {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
    };
}

impl JsonValue for RawValue {
    fn is_truthy(&self) -> bool {
        let text = self.get();
        match text.as_bytes().first() {
            None | Some(b'n' | b'f') => false,
            Some(b't' | b'[' | b'{') => true,
            Some(b'"') => text != "\"\"",
            // A number: JavaScript's zero, negative zero and numbers that round to zero are
            // falsy (`1e-400` is zero for a double).
            Some(_) => text.parse::<f64>().is_ok_and(|number| number != 0.0),
        }
    }

    fn for_each_entry<'s>(&'s self, visit: impl FnMut(Cow<'s, str>, &'s Self)) -> bool {
        let mut deserializer = serde_json::Deserializer::from_str(self.get());
        // The text was validated when it was captured; a failure here means "not an object".
        deserializer
            .deserialize_any(Entries(visit))
            .unwrap_or(false)
    }

    fn for_each_element<'s>(&'s self, visit: impl FnMut(&'s Self)) -> bool {
        let mut deserializer = serde_json::Deserializer::from_str(self.get());
        deserializer
            .deserialize_any(Elements(visit))
            .unwrap_or(false)
    }
}

/// Walks an object's entries, values left raw; `true` when the value was an object.
struct Entries<F>(F);

impl<'de, F: FnMut(Cow<'de, str>, &'de RawValue)> Visitor<'de> for Entries<F> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key_seed(BorrowedStr)? {
            let value: &'de RawValue = map.next_value()?;
            (self.0)(key, value);
        }
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    not_a_container!();
}

/// Walks an array's elements, left raw; `true` when the value was an array.
struct Elements<F>(F);

impl<'de, F: FnMut(&'de RawValue)> Visitor<'de> for Elements<F> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(element) = seq.next_element::<&'de RawValue>()? {
            (self.0)(element);
        }
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    not_a_container!();
}

/// A JSON object read one level deep: keys parsed, in document order, duplicates kept;
/// values left raw. A message's `properties` and `traits` are read this way, once.
#[derive(Clone, Debug, Default)]
pub struct RawObject<'a> {
    entries: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> RawObject<'a> {
    /// The entries in document order.
    pub fn entries(&self) -> &[(Cow<'a, str>, &'a RawValue)] {
        &self.entries
    }

    /// The value of `key` (its last value when the key is repeated, as in `JSON.parse`).
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.entries
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
    }
}

impl PartialEq for RawObject<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.entries.len() == other.entries.len()
            && self.entries.iter().zip(&other.entries).all(
                |((key, value), (other_key, other_value))| {
                    key == other_key && value.get() == other_value.get()
                },
            )
    }
}

/// Reads any JSON value: an object becomes a [`RawObject`]; anything else is skipped and
/// reads as `None`.
pub(crate) struct ObjectOrSkip;

impl<'de> DeserializeSeed<'de> for ObjectOrSkip {
    type Value = Option<RawObject<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectOrSkip {
    type Value = Option<RawObject<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(BorrowedStr)? {
            entries.push((key, map.next_value()?));
        }
        Ok(Some(RawObject { entries }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

impl<'de> Deserialize<'de> for RawObject<'de> {
    /// Fails unless the value is an object.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ObjectOrSkip
            .deserialize(deserializer)?
            .ok_or_else(|| de::Error::custom("expected a JSON object"))
    }
}

/// The raw value's text as a string, when it is a JSON string.
pub fn raw_str(value: &RawValue) -> Option<Cow<'_, str>> {
    let text = value.get();
    if !text.starts_with('"') {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    BorrowedStr.deserialize(&mut deserializer).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> &RawValue {
        serde_json::from_str(text).unwrap()
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
    fn walks_one_level_at_a_time() {
        let value = raw(r#"{"a": [1, {"b": 2}], "k\u0065y": "v", "a": null}"#);
        let mut entries = Vec::new();
        assert!(value.for_each_entry(|key, value| entries.push((key, value.get().to_owned()))));
        assert_eq!(entries.len(), 3);
        assert!(matches!(entries[0].0, Cow::Borrowed("a")));
        assert_eq!(entries[0].1, r#"[1, {"b": 2}]"#);
        assert!(matches!(&entries[1].0, Cow::Owned(key) if key == "key"));
        let mut elements = Vec::new();
        assert!(
            raw(&entries[0].1).for_each_element(|element| elements.push(element.get().to_owned()))
        );
        assert_eq!(elements, ["1", r#"{"b": 2}"#]);
        assert!(!value.for_each_element(|_| panic!("an object has no elements")));
        assert!(!raw("\"s\"").for_each_entry(|_, _| panic!("a string has no entries")));
    }

    #[test]
    fn objects_read_one_level_deep() {
        let mut deserializer =
            serde_json::Deserializer::from_str(r#"{"x": {"deep": [1]}, "x": 2}"#);
        let object = ObjectOrSkip
            .deserialize(&mut deserializer)
            .unwrap()
            .unwrap();
        assert_eq!(object.entries().len(), 2);
        assert_eq!(object.get("x").map(RawValue::get), Some("2"));
        let mut deserializer = serde_json::Deserializer::from_str("[{}]");
        assert!(
            ObjectOrSkip
                .deserialize(&mut deserializer)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn strings_are_unescaped_on_demand() {
        assert_eq!(raw_str(raw(r#""plain""#)).as_deref(), Some("plain"));
        assert_eq!(raw_str(raw(r#""a\nb""#)).as_deref(), Some("a\nb"));
        assert_eq!(raw_str(raw("5")), None);
    }
}
