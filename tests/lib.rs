//! Helpers shared by the cross-crate test suites: the reference vectors (and this project's
//! own, in the same format), and running one through the library.

use std::path::{Path, PathBuf};

use mapping_core::{Destination, Json, Message, PintrkCall, Settings};
use serde_json::Value;

/// One worked example: settings and an input in, the `pintrk` argument lists out.
pub struct Vector {
    /// What it shows.
    pub name: String,
    /// The destination settings JSON text.
    pub settings: String,
    /// The message JSON text, keys in their original order; for the destination's start-up,
    /// `None`.
    pub message: Option<String>,
    /// For the start-up: the stored user traits JSON text.
    pub user_traits: String,
    /// The expected calls.
    pub expected: Value,
}

/// The directory shared with the project, beside the repository.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Every vector of `../shared/conformance/reference-vectors.json`.
pub fn reference_vectors() -> Vec<Vector> {
    read_vectors(&shared_dir().join("conformance/reference-vectors.json"))
}

/// This project's vectors, one or more per rule of the reference behaviour.
pub fn behavior_vectors() -> Vec<Vector> {
    read_vectors(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/behavior.json"))
}

/// Reads a vector file with the crate's own JSON type, so that inputs keep their key order
/// (the first matching key wins, so order matters).
fn read_vectors(path: &Path) -> Vec<Vector> {
    let fail = |error: &dyn std::fmt::Display| -> ! { panic!("{}: {error}", path.display()) };
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| fail(&error));
    let Json::Array(vectors) = Json::parse(&text).unwrap_or_else(|error| fail(&error)) else {
        fail(&"not an array");
    };
    let to_text = |json: Option<&Json>| {
        serde_json::to_string(json.unwrap_or(&Json::Null)).unwrap_or_else(|error| fail(&error))
    };
    vectors
        .iter()
        .map(|vector| {
            let input = vector.get("input");
            let is_initialize = input
                .and_then(|input| input.get("type"))
                .and_then(Json::as_str)
                == Some("initialize");
            Vector {
                name: vector
                    .get("name")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                settings: to_text(vector.get("settings")),
                message: (!is_initialize).then(|| to_text(input)),
                user_traits: to_text(input.and_then(|input| input.get("userTraits"))),
                expected: serde_json::to_value(vector.get("expected"))
                    .unwrap_or_else(|error| fail(&error)),
            }
        })
        .collect()
}

/// The calls the library produces for a vector, as JSON.
pub fn library_calls(vector: &Vector) -> Value {
    let settings =
        Settings::from_json(&vector.settings).unwrap_or_else(|error| panic!("settings: {error}"));
    let destination = Destination::new(settings);
    match &vector.message {
        None => {
            let traits = Json::parse(&vector.user_traits)
                .unwrap_or_else(|error| panic!("userTraits: {error}"));
            to_json(&destination.initialize(&traits))
        }
        Some(text) => {
            let message = Message::parse(text).unwrap_or_else(|error| panic!("message: {error}"));
            let calls: Vec<PintrkCall> = destination.map(&message).into_iter().collect();
            to_json(&calls)
        }
    }
}

fn to_json(calls: &[PintrkCall]) -> Value {
    serde_json::to_value(calls).unwrap_or_else(|error| panic!("calls do not serialize: {error}"))
}

/// Runs each vector through `produce` and lists those whose calls differ.
pub fn failures(vectors: &[Vector], produce: impl Fn(&Vector) -> Value) -> Vec<String> {
    vectors
        .iter()
        .filter_map(|vector| {
            let actual = produce(vector);
            (!same_json(&actual, &vector.expected)).then(|| {
                format!(
                    "{}\n  expected: {}\n  actual:   {actual}",
                    vector.name, vector.expected
                )
            })
        })
        .collect()
}

/// JSON equality with numbers compared by value (`1` equals `1.0`), as the vectors specify.
pub fn same_json(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| same_json(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, value)| right.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => left == right,
    }
}
