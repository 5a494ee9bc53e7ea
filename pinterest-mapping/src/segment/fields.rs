//! Exact paths in a Segment message (`context.traits.email`, `timestamp`): a set of them found
//! together, each key of the message compared once with the keys the set has at its level.
//! The top-level fields come from the message as its parse kept them (its properties and
//! traits already walked), so the message's text is not scanned again for them.
//!
//! Keys compare exactly (no loose rule: these are the fields Segment's libraries write), as
//! JavaScript compares them; a repeated key holds its last value, as in `JSON.parse`, whatever
//! the earlier one held below it.

use super::message::{Field, Message};
use crate::json::walk::Lazy;
use crate::json::{Json, JsonValue};

/// Paths compiled into a tree of keys, shared by every message a destination reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PathSet {
    /// The root first; each node's children follow it somewhere later.
    nodes: Vec<Node>,
    /// The number of distinct paths.
    paths: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Node {
    /// The key leading to this node (empty for the root).
    key: String,
    children: Vec<usize>,
    /// The path ending here, if one does.
    path: Option<usize>,
}

impl Node {
    fn new(key: &str) -> Node {
        Node {
            key: key.to_owned(),
            children: Vec::new(),
            path: None,
        }
    }
}

/// Where the paths of a [`PathSet`] were found in one message: the value of each, by its
/// index, if present.
pub(crate) type Found<'a> = Vec<Option<Json<'a>>>;

impl PathSet {
    /// An empty set.
    pub fn new() -> PathSet {
        PathSet {
            nodes: vec![Node::new("")],
            paths: 0,
        }
    }

    /// Adds a dotted path; returns its index (the same index for a path added twice).
    pub fn add(&mut self, path: &str) -> usize {
        let mut node = 0;
        for key in path.split('.') {
            node = match self.nodes[node]
                .children
                .iter()
                .copied()
                .find(|child| self.nodes[*child].key == key)
            {
                Some(child) => child,
                None => {
                    self.nodes.push(Node::new(key));
                    let child = self.nodes.len() - 1;
                    self.nodes[node].children.push(child);
                    child
                }
            };
        }
        *self.nodes[node].path.get_or_insert_with(|| {
            self.paths += 1;
            self.paths - 1
        })
    }

    /// Finds every path in a message.
    pub fn find<'m>(&self, message: &'m Message<'_>) -> Found<'m> {
        let mut found = vec![None; self.paths];
        let mut not_kept = false;
        for &child in &self.nodes[0].children {
            match message.field(&self.nodes[child].key) {
                Field::Kept(Some(value)) => self.take(child, value, &mut found),
                Field::Kept(None) => {}
                Field::NotKept => not_kept = true,
            }
        }
        // Fields the message does not keep are found in its text.
        if not_kept && let Some(text) = message.json() {
            text.entries(|key, value| {
                let Some(child) = self.child(0, key.to_str_lossy().as_ref()) else {
                    return;
                };
                let name = self.nodes[child].key.as_str();
                if matches!(message.field(name), Field::NotKept) {
                    self.clear(child, &mut found);
                    self.take(child, Lazy::from_raw(value), &mut found);
                }
            });
        }
        found
    }

    /// Finds every path in `value`, an object; anything else holds none.
    #[cfg(test)]
    pub fn find_in<'a>(&self, value: Json<'a>) -> Found<'a> {
        let mut found = vec![None; self.paths];
        self.descend(0, Lazy::from_raw(value), &mut found);
        found
    }

    /// The child of `node` whose key is `key`.
    fn child(&self, node: usize, key: &str) -> Option<usize> {
        self.nodes[node]
            .children
            .iter()
            .copied()
            .find(|child| self.nodes[*child].key == key)
    }

    /// Takes `value` as what `node` reached, and goes on below it.
    fn take<'a>(&self, node: usize, value: Lazy<'a>, found: &mut Found<'a>) {
        if let Some(path) = self.nodes[node].path {
            found[path] = Some(value.raw());
        }
        self.descend(node, value, found);
    }

    /// Visits the entries of `value` for the children of `node`. The recursion is as deep as
    /// the longest path, which the table fixes, whatever the message's nesting.
    fn descend<'a>(&self, node: usize, value: Lazy<'a>, found: &mut Found<'a>) {
        let children = &self.nodes[node].children;
        if children.is_empty() {
            return;
        }
        value.for_each_entry(|key, value| {
            let Some(child) = children
                .iter()
                .copied()
                .find(|child| key == self.nodes[*child].key.as_str())
            else {
                return;
            };
            // A repeated key replaces everything the earlier one held.
            self.clear(child, found);
            self.take(child, value, found);
        });
    }

    /// Forgets what was found at and below `node`.
    fn clear(&self, node: usize, found: &mut Found<'_>) {
        if let Some(path) = self.nodes[node].path {
            found[path] = None;
        }
        for child in &self.nodes[node].children {
            self.clear(*child, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_kept_fields_and_the_others_in_the_text() {
        let mut set = PathSet::new();
        let email = set.add("properties.email");
        let city = set.add("context.traits.address.city");
        let anonymous = set.add("anonymousId");
        let other = set.add("integrations.all");
        let event = set.add("event");
        let text = r#"{"type":"track","event":"E","anonymousId":"a-1","integrations":{"all":true},"context":{"traits":{"address":{"city":"Paris"}}},"properties":{"email":"x@y.z","products":[1]},"properties":{"email":"last@y.z"}}"#;
        let message = Message::parse(text).unwrap();
        let found = set.find(&message);
        assert_eq!(found[email].map(Json::text), Some(r#""last@y.z""#));
        assert_eq!(found[city].map(Json::text), Some(r#""Paris""#));
        assert_eq!(found[anonymous].map(Json::text), Some(r#""a-1""#));
        assert_eq!(found[other].map(Json::text), Some("true"));
        assert_eq!(found[event].map(Json::text), Some(r#""E""#));
        let identify = Message::parse(
            r#"{"type":"identify","properties":{"email":"p"},"traits":{"email":"t"}}"#,
        )
        .unwrap();
        let mut set = PathSet::new();
        let from_properties = set.add("properties.email");
        let from_traits = set.add("traits.email");
        let found = set.find(&identify);
        assert_eq!(found[from_properties].map(Json::text), Some(r#""p""#));
        assert_eq!(found[from_traits].map(Json::text), Some(r#""t""#));
    }

    fn texts<'a>(found: &Found<'a>) -> Vec<Option<&'a str>> {
        found.iter().map(|value| value.map(Json::text)).collect()
    }

    #[test]
    fn finds_every_path_in_one_walk() {
        let mut set = PathSet::new();
        let email = set.add("context.traits.email");
        let ip = set.add("context.ip");
        let user = set.add("userId");
        let missing = set.add("context.device.type");
        let context = set.add("context");
        assert_eq!(set.add("context.ip"), ip);
        let message = Json::parse(
            r#"{"userId": 7, "context": {"ip": "203.0.113.9", "traits": {"email": "a@b.co"}}, "x": {"userId": 1}}"#,
        )
        .unwrap();
        let found = set.find_in(message);
        assert_eq!(found.len(), 5);
        assert_eq!(found[email].map(Json::text), Some(r#""a@b.co""#));
        assert_eq!(found[ip].map(Json::text), Some(r#""203.0.113.9""#));
        assert_eq!(found[user].map(Json::text), Some("7"));
        assert_eq!(found[missing], None);
        assert!(found[context].is_some_and(Json::is_object));
    }

    #[test]
    fn a_repeated_key_holds_its_last_value() {
        let mut set = PathSet::new();
        set.add("context.ip");
        set.add("context.userAgent");
        let message =
            Json::parse(r#"{"context": {"ip": "1", "userAgent": "u"}, "context": {"ip": "2"}}"#)
                .unwrap();
        assert_eq!(texts(&set.find_in(message)), [Some(r#""2""#), None]);
    }

    #[test]
    fn keys_compare_exactly_as_javascript_does() {
        let mut set = PathSet::new();
        set.add("context.ip");
        let escaped = Json::parse(r#"{"\u0063ontext": {"ip": 1}, "Context": {"ip": 2}}"#).unwrap();
        assert_eq!(texts(&set.find_in(escaped)), [Some("1")]);
        for nothing in [
            "[1]",
            "\"context\"",
            r#"{"context": 5}"#,
            r#"{"context": [{"ip": 1}]}"#,
        ] {
            assert_eq!(texts(&set.find_in(Json::parse(nothing).unwrap())), [None]);
        }
    }
}
