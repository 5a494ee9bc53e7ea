//! Segment's loose lookup of a property path (`address.city`), as its `obj-case` library does it
//! for custom properties and `traits.email`.
//!
//! The search reads each byte of a message once, without recursion: at each level it scans the
//! members of one object (or array), and it searches the value of a member that matches while
//! it reads past it. A path of any length, in a message nested as deep, takes time linear in
//! the two.

use std::collections::HashMap;

use crate::json::walk::{Lazy, RawObject};
use crate::json::{Json, JsonValue, Key, Scanner, SyntaxError};

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

    /// Finds the path in an object read a few levels deep, such as a message's properties.
    ///
    /// At each level the first key, in document order, whose normal form is the start of what
    /// is left of the path (followed by `.` or the end) is taken; dots descend into objects and,
    /// by index, into arrays. There is no backtracking: a key that matches a prefix but leads
    /// nowhere ends the search. A repeated key is one key holding its last value, as in
    /// `JSON.parse`; keys are compared as JavaScript compares them.
    pub fn find_in<'a>(&self, object: &'a RawObject<'a>) -> Option<Lazy<'a>> {
        descend(object.as_lazy(), &self.0)
    }

    /// [`LoosePath::find_in`] through an index of the object's keys: for many paths in one
    /// object, each costs what its own length does rather than what the object's size does.
    pub fn find_indexed<'a>(&self, index: &KeyIndex<'a>) -> Option<Lazy<'a>> {
        let path = self.0.as_str();
        let (key, value, after) = index
            .lengths
            .iter()
            .take_while(|length| **length <= path.len())
            .filter(|length| path.len() == **length || path.as_bytes()[**length] == b'.')
            .filter_map(|length| {
                index
                    .first
                    .get(&path[..*length])
                    .map(|found| (found, length))
            })
            .min_by_key(|((position, ..), _)| *position)
            .map(|((_, key, value), length)| (*key, *value, &path[*length..]))?;
        match next(Some(key), after) {
            Next::Nothing => None,
            Next::Found => Some(value),
            Next::Descend(deeper) => descend(value, deeper),
        }
    }

    /// Finds the path in JSON text.
    #[cfg(test)]
    pub fn find<'a>(&self, root: Json<'a>) -> Option<Json<'a>> {
        search(root, &self.0)
    }
}

/// The top-level keys of an object by loose normal form: for each form, the first key that
/// has it (with its position and the last value of that key), and the lengths of the forms.
pub(crate) struct KeyIndex<'a> {
    first: HashMap<String, (usize, Key<'a>, Lazy<'a>)>,
    /// The distinct lengths of the normal forms, shortest first.
    lengths: Vec<usize>,
}

impl<'a> KeyIndex<'a> {
    pub fn new(object: &'a RawObject<'a>) -> KeyIndex<'a> {
        let mut first: HashMap<String, (usize, Key<'a>, Lazy<'a>)> = HashMap::new();
        for (position, (key, value)) in object.entries().enumerate() {
            let normal = LoosePath::new(&key.to_str_lossy()).0;
            match first.get_mut(&normal) {
                // A repeat of the first key of this form: its value replaces the earlier one.
                Some((_, first_key, last_value)) if *first_key == key => *last_value = value,
                Some(_) => {}
                None => {
                    first.insert(normal, (position, key, value));
                }
            }
        }
        let mut lengths: Vec<usize> = first.keys().map(String::len).collect();
        lengths.sort_unstable();
        lengths.dedup();
        KeyIndex { first, lengths }
    }
}

/// Searches `current` for what is left of a path, `rest`.
fn descend<'a>(mut current: Lazy<'a>, mut rest: &str) -> Option<Lazy<'a>> {
    loop {
        // Below the walked levels, the text is searched in one pass.
        if let Some(text) = current.unwalked() {
            return search(text, rest).map(Lazy::from_raw);
        }
        let mut matcher = Matcher::new(rest);
        let mut found = None;
        let mut offer = |key, index, value| {
            if matcher.take(key, index).is_some() {
                found = Some(value);
            }
        };
        let mut index = 0_usize;
        let is_object = current.for_each_entry(|key, value| offer(Some(key), 0, value));
        if !is_object {
            current.for_each_element(|element| {
                offer(None, index, element);
                index += 1;
            });
        }
        let value = found?;
        let (key, after) = matcher.matched?;
        match next(key, after) {
            Next::Nothing => return None,
            Next::Found => return Some(value),
            Next::Descend(deeper) => {
                current = value;
                rest = deeper;
            }
        }
    }
}

/// What a matched key leads to, `after` being what is left of the path after it.
enum Next<'p> {
    /// The path ends at a matched empty key, which the original treats as no match.
    Nothing,
    /// The path ends here: the key's value is the answer.
    Found,
    /// The rest of the path, to look for in the key's value.
    Descend(&'p str),
}

fn next<'p>(key: Option<Key<'_>>, after: &'p str) -> Next<'p> {
    match after.strip_prefix('.').unwrap_or(after) {
        "" if key.is_some_and(|key| key == "") => Next::Nothing,
        "" => Next::Found,
        deeper => Next::Descend(deeper),
    }
}

/// The matching rule at one level: the first key (`None` for an array index) whose loose form
/// starts what is left of the path is taken, and so are its repeats, whose values replace
/// the earlier ones', as in `JSON.parse`.
struct Matcher<'p, 'a> {
    rest: &'p str,
    /// The key taken and what is left of the path after it.
    matched: Option<(Option<Key<'a>>, &'p str)>,
}

impl<'p, 'a> Matcher<'p, 'a> {
    fn new(rest: &'p str) -> Self {
        Matcher {
            rest,
            matched: None,
        }
    }

    /// What is left of the path when the member with this key (or, in an array, at this
    /// index) is taken.
    fn take(&mut self, key: Option<Key<'a>>, index: usize) -> Option<&'p str> {
        match (&self.matched, key) {
            (None, key) => {
                let after = match key {
                    Some(key) => strip_loose_key(self.rest, &key.to_str_lossy()),
                    None => strip_loose_key(self.rest, &index.to_string()),
                }?;
                self.matched = Some((key, after));
                Some(after)
            }
            (Some((Some(first), after)), Some(key)) if *first == key => Some(*after),
            (Some(_), _) => None,
        }
    }
}

/// Searches `root` for `path`, reading the text once.
fn search<'a>(root: Json<'a>, path: &str) -> Option<Json<'a>> {
    // The text was validated when it was read: a syntax error cannot happen.
    search_text(root, path).ok().flatten()
}

/// An object or array being scanned for what is left of the path.
struct Level<'a, 'p> {
    matcher: Matcher<'p, 'a>,
    /// `}` or `]`.
    closing: u8,
    /// Elements seen, in an array.
    index: usize,
    /// The value found under the matched key's last repeat.
    found: Option<Json<'a>>,
}

/// Where the search is: at the start of a value to search for a path, between members, or
/// back from searching a member's value.
enum At<'a, 'p> {
    Value(&'p str),
    Members,
    Returned(Option<Json<'a>>),
}

fn search_text<'a>(root: Json<'a>, path: &str) -> Result<Option<Json<'a>>, SyntaxError> {
    let mut scanner = Scanner::new(root.text());
    let mut levels: Vec<Level<'a, '_>> = Vec::new();
    let mut at = At::Value(path);
    loop {
        at = match at {
            At::Value(rest) => match scanner.peek_container() {
                Some(opening) => {
                    if scanner.open_container() {
                        At::Returned(None)
                    } else {
                        levels.push(Level {
                            matcher: Matcher::new(rest),
                            closing: if opening == b'{' { b'}' } else { b']' },
                            index: 0,
                            found: None,
                        });
                        At::Members
                    }
                }
                // Scalars, `null` included, have nothing below them.
                None => {
                    scanner.value()?;
                    At::Returned(None)
                }
            },
            At::Members => {
                let Some(level) = levels.last_mut() else {
                    return Ok(None);
                };
                let key = if level.closing == b'}' {
                    Some(scanner.member_key()?)
                } else {
                    None
                };
                let after = level.matcher.take(key, level.index);
                level.index += 1;
                match after {
                    None => {
                        scanner.value()?;
                        end_member(&mut scanner, &mut levels)?
                    }
                    Some(after) => match next(key, after) {
                        Next::Nothing => {
                            scanner.value()?;
                            At::Returned(None)
                        }
                        Next::Found => At::Returned(Some(scanner.value()?)),
                        Next::Descend(deeper) => At::Value(deeper),
                    },
                }
            }
            At::Returned(found) => match levels.last_mut() {
                None => return Ok(found),
                Some(level) => {
                    level.found = found;
                    end_member(&mut scanner, &mut levels)?
                }
            },
        };
    }
}

/// After a member's value: the next member, or the end of the innermost level, whose finding
/// goes back to the level above.
fn end_member<'a, 'p>(
    scanner: &mut Scanner<'a>,
    levels: &mut Vec<Level<'a, 'p>>,
) -> Result<At<'a, 'p>, SyntaxError> {
    let Some(level) = levels.last() else {
        return Ok(At::Returned(None));
    };
    if scanner.next_member(level.closing)? {
        return Ok(At::Members);
    }
    let found = levels.pop().and_then(|level| level.found);
    Ok(At::Returned(found))
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
        // And through an object read a few levels deep, directly and through its index.
        if let Ok(object) = RawObject::parse(json) {
            let from_object = LoosePath::new(path)
                .find_in(&object)
                .map(|value| value.raw().text().to_owned());
            assert_eq!(from_raw, from_object, "{json} {path}");
            let from_index = LoosePath::new(path)
                .find_indexed(&KeyIndex::new(&object))
                .map(|value| value.raw().text().to_owned());
            assert_eq!(from_raw, from_index, "{json} {path}");
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
    fn keys_differing_in_lone_surrogates_are_distinct() {
        // Both keys read `orderid` loosely; the first wins, and the second is another key.
        assert_eq!(
            find(r#"{"order\ud800id":"","order\udc00id":"x"}"#, "order_id").as_deref(),
            Some("\"\"")
        );
        assert_eq!(
            find(r#"{"order\ud800id":"","order\ud800id":"x"}"#, "order_id").as_deref(),
            Some("\"x\"")
        );
        assert_eq!(
            find(r#"{"a":{"b\udc00":1,"b\ud800":2}}"#, "a.b").as_deref(),
            Some("1")
        );
    }

    #[test]
    fn paths_and_messages_of_any_depth() {
        // 100,000 levels: read without recursion, each byte once.
        let depth = 100_000;
        let path = vec!["a"; depth].join(".");
        let json = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        assert_eq!(find(&json, &path).as_deref(), Some("1"));
        let arrays = format!("{{\"a\":{}7{}}}", "[".repeat(depth), "]".repeat(depth));
        let index_path = format!("a{}", ".0".repeat(depth));
        assert_eq!(find(&arrays, &index_path).as_deref(), Some("7"));
        // One level short, and one too many.
        assert_eq!(
            find(&json, &vec!["a"; depth - 1].join(".")).as_deref(),
            Some(r#"{"a":1}"#)
        );
        assert_eq!(find(&json, &vec!["a"; depth + 1].join(".")), None);
    }

    #[test]
    fn empty_keys_and_non_containers() {
        assert_eq!(find(r#"{"":1}"#, ""), None);
        assert_eq!(find(r#"{"--":1}"#, "x"), None);
        assert_eq!(find(r#""text""#, "0"), None);
        assert_eq!(find("5", "a"), None);
    }
}
