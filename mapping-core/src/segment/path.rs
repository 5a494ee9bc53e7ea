//! Segment's loose lookup of a property path (`address.city`), as its `obj-case` library does it
//! for custom properties and `traits.email`.

use std::borrow::Cow;

use crate::json::JsonValue;
use crate::json::walk::{Lazy, RawObject};

/// A property path in loose normal form: only ASCII letters, digits and `.` kept, lowercased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LoosePath(String);

impl LoosePath {
    /// Normalises a path as written in the settings.
    pub fn new(path: &str) -> LoosePath {
        LoosePath(
            path.bytes()
                .filter(|byte| byte.is_ascii_alphanumeric() || *byte == b'.')
                .map(|byte| char::from(byte.to_ascii_lowercase()))
                .collect(),
        )
    }

    /// Finds the path in `root`.
    ///
    /// At each level the first key, in document order, whose normal form is the start of what
    /// is left of the path (followed by `.` or the end) is taken; dots descend into objects and,
    /// by index, into arrays. There is no backtracking: a key that matches a prefix but leads
    /// nowhere ends the search. A repeated key is one key holding its last value, as in
    /// `JSON.parse`.
    #[cfg(test)]
    pub fn find<'a, V: JsonValue<'a>>(&self, root: V) -> Option<V> {
        self.descend(root, &self.0)
    }

    /// Finds the path in an object read one level deep, such as a message's properties.
    pub fn find_in<'a>(&self, object: &'a RawObject<'a>) -> Option<Lazy<'a>> {
        let mut step = Step::new(&self.0);
        for (key, value) in object.entries() {
            step.offer(key, value);
        }
        self.follow(step)
    }

    fn descend<'a, V: JsonValue<'a>>(&self, current: V, rest: &str) -> Option<V> {
        let mut step = Step::new(rest);
        let is_object = current.for_each_entry(|key, value| step.offer(key, value));
        if !is_object {
            let mut index = 0_usize;
            current.for_each_element(|element| {
                step.offer(Cow::Owned(index.to_string()), element);
                index += 1;
            });
        }
        self.follow(step)
    }

    /// The value a step found, or the search one level down.
    fn follow<'a, V: JsonValue<'a>>(&self, step: Step<'_, 'a, V>) -> Option<V> {
        let (key, value, after) = step.found?;
        match after.strip_prefix('.').unwrap_or(after) {
            // The original treats a matched empty key as no match.
            "" if key.is_empty() => None,
            "" => Some(value),
            // Scalars, `null` included, have nothing below them.
            deeper => self.descend(value, deeper),
        }
    }
}

/// One level of the search: the first matching key, with the last value it holds.
struct Step<'p, 'a, V> {
    rest: &'p str,
    found: Option<(Cow<'a, str>, V, &'p str)>,
}

impl<'p, 'a, V> Step<'p, 'a, V> {
    fn new(rest: &'p str) -> Self {
        Step { rest, found: None }
    }

    fn offer(&mut self, key: Cow<'a, str>, value: V) {
        match &mut self.found {
            None => {
                if let Some(after) = strip_loose_key(self.rest, &key) {
                    self.found = Some((key, value, after));
                }
            }
            Some((first, last_value, _)) if *first == key => *last_value = value,
            Some(_) => {}
        }
    }
}

/// What is left of `path` after `key` (compared in loose normal form), when `key` matches its
/// start and is followed by `.` or the end.
fn strip_loose_key<'p>(path: &'p str, key: &str) -> Option<&'p str> {
    let mut rest = path.as_bytes();
    for byte in key
        .bytes()
        .filter(|byte| byte.is_ascii_alphanumeric() || *byte == b'.')
    {
        let (first, tail) = rest.split_first()?;
        if *first != byte.to_ascii_lowercase() {
            return None;
        }
        rest = tail;
    }
    let consumed = path.len() - rest.len();
    let after = &path[consumed..];
    (after.is_empty() || after.starts_with('.')).then_some(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(json: &str, path: &str) -> Option<String> {
        let raw = crate::json::Json::parse(json).unwrap();
        let from_raw = LoosePath::new(path)
            .find(raw)
            .map(|value| value.text().to_owned());
        // And through an object read one level deep.
        if let Ok(object) = RawObject::parse(json) {
            let from_object = LoosePath::new(path)
                .find_in(&object)
                .map(|value| value.raw().text().to_owned());
            assert_eq!(from_raw, from_object, "{json} {path}");
        }
        from_raw
    }

    #[test]
    fn matches_keys_loosely_first_key_winning() {
        assert_eq!(
            find(r#"{"Custom-Prop":1,"custom_prop":2}"#, "custom_prop").as_deref(),
            Some("1")
        );
        assert_eq!(
            find(r#"{"customProp":null,"custom_prop":2}"#, "custom_prop").as_deref(),
            Some("null")
        );
        assert_eq!(find(r#"{"custom_props":1}"#, "custom_prop"), None);
        assert_eq!(find(r#"{"a":1,"a":3}"#, "a").as_deref(), Some("3"));
    }

    #[test]
    fn dots_descend_into_objects_and_arrays() {
        assert_eq!(
            find(r#"{"user":{"Tier":"gold"}}"#, "user.tier").as_deref(),
            Some("\"gold\"")
        );
        assert_eq!(
            find(r#"{"items":[{"n":1},{"n":2}]}"#, "items.1.n").as_deref(),
            Some("2")
        );
        assert_eq!(
            find(r#"{"user.tier":"flat"}"#, "user.tier").as_deref(),
            Some("\"flat\"")
        );
        assert_eq!(
            find(r#"{"user":{"tier":1}}"#, "user.").as_deref(),
            Some(r#"{"tier":1}"#)
        );
        assert_eq!(find(r#"{"user":"gold"}"#, "user.tier"), None);
        assert_eq!(find(r#"{"user":null}"#, "user.tier"), None);
    }

    #[test]
    fn takes_the_first_prefix_without_backtracking() {
        // `user` comes first and leads nowhere; `user.tier` is never tried.
        assert_eq!(find(r#"{"user":{},"user.tier":"x"}"#, "user.tier"), None);
        assert_eq!(
            find(r#"{"user.tier":"x","user":{}}"#, "user.tier").as_deref(),
            Some("\"x\"")
        );
    }

    #[test]
    fn empty_keys_and_non_containers() {
        assert_eq!(find(r#"{"":1}"#, ""), None);
        assert_eq!(find(r#"{"--":1}"#, "x"), None);
        assert_eq!(find(r#""text""#, "0"), None);
        assert_eq!(find("5", "a"), None);
    }
}
