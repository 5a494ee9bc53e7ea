//! Exact paths in a Segment message (`context.traits.email`, `timestamp`): a set of them found
//! together, each key of the message compared once with the keys the set has at its level.
//!
//! Keys compare exactly (no loose rule: these are the fields Segment's libraries write), as
//! JavaScript compares them; a repeated key holds its last value, as in `JSON.parse`, whatever
//! the earlier one held below it.

use crate::json::Json;

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

    /// Finds every path in `message` (an object; anything else holds none).
    pub fn find<'a>(&self, message: Json<'a>) -> Found<'a> {
        let mut found = vec![None; self.paths];
        self.descend(0, message, &mut found);
        found
    }

    /// Visits the entries of `value` for the children of `node`. The recursion is as deep as
    /// the longest path, which the table fixes, whatever the message's nesting.
    fn descend<'a>(&self, node: usize, value: Json<'a>, found: &mut Found<'a>) {
        let children = &self.nodes[node].children;
        if children.is_empty() {
            return;
        }
        value.entries(|key, value| {
            let Some(child) = children
                .iter()
                .copied()
                .find(|child| key == self.nodes[*child].key.as_str())
            else {
                return;
            };
            // A repeated key replaces everything the earlier one held.
            self.clear(child, found);
            if let Some(path) = self.nodes[child].path {
                found[path] = Some(value);
            }
            self.descend(child, value, found);
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
        let found = set.find(message);
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
        assert_eq!(texts(&set.find(message)), [Some(r#""2""#), None]);
    }

    #[test]
    fn keys_compare_exactly_as_javascript_does() {
        let mut set = PathSet::new();
        set.add("context.ip");
        let escaped = Json::parse(r#"{"\u0063ontext": {"ip": 1}, "Context": {"ip": 2}}"#).unwrap();
        assert_eq!(texts(&set.find(escaped)), [Some("1")]);
        for nothing in [
            "[1]",
            "\"context\"",
            r#"{"context": 5}"#,
            r#"{"context": [{"ip": 1}]}"#,
        ] {
            assert_eq!(texts(&set.find(Json::parse(nothing).unwrap())), [None]);
        }
    }
}
