//! Segment's loose lookup of a property path (`address.city`), as its `obj-case` library does it
//! for custom properties and `traits.email`.

use crate::json::Json;

/// A property path in loose normal form: only ASCII letters, digits and `.` kept, lowercased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoosePath(String);

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
    pub fn find<'j, 'a>(&self, root: &'j Json<'a>) -> Option<&'j Json<'a>> {
        let mut current = root;
        let mut rest = self.0.as_str();
        loop {
            let (key, value, after) = match current {
                Json::Object(entries) => {
                    let (index, after) = entries
                        .iter()
                        .enumerate()
                        .find_map(|(index, (key, _))| Some((index, strip_loose_key(rest, key)?)))?;
                    let key = entries[index].0.as_ref();
                    let value = entries[index..]
                        .iter()
                        .rev()
                        .find(|(repeat, _)| repeat == key)
                        .map_or(&entries[index].1, |(_, value)| value);
                    (key.is_empty(), value, after)
                }
                Json::Array(elements) => {
                    elements.iter().enumerate().find_map(|(index, element)| {
                        let after = strip_loose_key(rest, &index.to_string())?;
                        Some((false, element, after))
                    })?
                }
                _ => return None,
            };
            match after.strip_prefix('.').unwrap_or(after) {
                // The original treats a matched empty key as no match.
                "" if key => return None,
                "" => return Some(value),
                _ if matches!(value, Json::Null) => return None,
                deeper => {
                    rest = deeper;
                    current = value;
                }
            }
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
        let json = Json::parse(json).unwrap();
        LoosePath::new(path)
            .find(&json)
            .map(|value| serde_json::to_string(value).unwrap())
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
            Some("{\"tier\":1}")
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
