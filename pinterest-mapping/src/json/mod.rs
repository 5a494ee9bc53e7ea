//! JSON read without decoding it, and written back as it was sent.
//!
//! [`Json`] is the one document type: the text of a valid JSON value, validated in one pass
//! (without recursion, so nesting depth is unlimited) and walked only when read. Numbers stay
//! exactly as sent (`1.50`, `12345678901234567890123`, `1e400`), strings are decoded only when
//! asked for. [`JsonValue`] is what a mapping table reads from a value; it is implemented for
//! [`Json`] and for `&serde_json::Value`, so a table takes either.

mod scan;
pub(crate) mod serializer;
mod value;
pub(crate) mod walk;
pub(crate) mod write;

pub use scan::{Json, Key, SyntaxError};
pub(crate) use scan::{Scanner, has_special_byte, strings};

/// What a mapping needs from a JSON value: JavaScript truthiness, one pass over the entries of
/// an object or the elements of an array, and serializing it as it is.
///
/// Implemented by handles that are cheap to copy, borrowing from a document that lives for
/// `'a`: [`Json`] for JSON text, and `&serde_json::Value` for a document already parsed by
/// `serde_json`. The generated conversions are generic over this trait.
///
/// ```
/// use pinterest_mapping::{Json, JsonValue};
///
/// let json = Json::parse(r#"{"b": 1, "a": "x", "b": 0}"#)?;
/// let mut keys = Vec::new();
/// assert!(json.for_each_entry(|key, _| keys.push(key)));
/// assert_eq!(keys, ["b", "a", "b"]);
/// assert!(!json.get("b").is_some_and(JsonValue::is_truthy));
///
/// let value: serde_json::Value = serde_json::from_str(r#"{"a": [0, ""]}"#)?;
/// let mut truthy = Vec::new();
/// assert!(value["a"].for_each_element(|element| truthy.push(element.is_truthy())));
/// assert_eq!(truthy, [false, false]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait JsonValue<'a>: Copy + serde::Serialize {
    /// JavaScript truthiness: `null`, `false`, `0`, `-0` (and any number that is zero as a
    /// double) and `""` are falsy; everything else, `[]` and `{}` included, is truthy.
    fn is_truthy(self) -> bool;

    /// Calls `visit` with each key and value of an object, in document order, duplicates
    /// included. Returns `false`, without calling `visit`, when the value is not an object.
    /// Keys compare as JavaScript compares property names.
    fn for_each_entry(self, visit: impl FnMut(Key<'a>, Self)) -> bool;

    /// Calls `visit` with each element of an array, in order. Returns `false`, without calling
    /// `visit`, when the value is not an array.
    fn for_each_element(self, visit: impl FnMut(Self)) -> bool;
}
