//! [`JsonValue`] for `&serde_json::Value`: tables take the JSON a program already holds.
//!
//! An object's entries are visited in the map's own order: document order when `serde_json`'s
//! `preserve_order` feature is on (a repeated key then keeps its first position and its last
//! value, as in JSON text), sorted by key otherwise. The loose key rule takes the first
//! matching key, so the two orders can differ when two keys of one object match one name.

use serde_json::Value;

use super::{JsonValue, Key};

impl<'a> JsonValue<'a> for &'a Value {
    fn is_truthy(self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(flag) => *flag,
            // Integers are exact; floats are doubles, zero and NaN falsy as in JavaScript.
            Value::Number(number) => match (number.as_u64(), number.as_i64(), number.as_f64()) {
                (Some(unsigned), _, _) => unsigned != 0,
                (_, Some(signed), _) => signed != 0,
                (_, _, Some(float)) => float != 0.0 && !float.is_nan(),
                _ => true,
            },
            Value::String(text) => !text.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    fn for_each_entry(self, mut visit: impl FnMut(Key<'a>, Self)) -> bool {
        match self {
            Value::Object(map) => {
                for (key, value) in map {
                    visit(Key::new(key), value);
                }
                true
            }
            _ => false,
        }
    }

    fn for_each_element(self, visit: impl FnMut(Self)) -> bool {
        match self {
            Value::Array(elements) => {
                elements.iter().for_each(visit);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn truthiness_follows_javascript() {
        for falsy in ["null", "false", "0", "-0", "0.0", "0e10", "1e-400", "\"\""] {
            assert!(!value(falsy).is_truthy(), "{falsy} should be falsy");
        }
        for truthy in ["true", "1", "-1", "0.5", "\"0\"", "\"false\"", "[]", "{}"] {
            assert!(value(truthy).is_truthy(), "{truthy} should be truthy");
        }
    }

    #[test]
    fn visits_entries_and_elements() {
        let object = value(r#"{"a": 1, "b": [true, null]}"#);
        let mut keys = Vec::new();
        assert!(object.for_each_entry(|key, _| keys.push(key)));
        assert_eq!(keys.len(), 2);
        let mut elements = Vec::new();
        assert!(object["b"].for_each_element(|element| elements.push(element.is_truthy())));
        assert_eq!(elements, [true, false]);
        assert!(!object.for_each_element(|_| panic!("an object has no elements")));
        assert!(!object["a"].for_each_entry(|_, _| panic!("a number has no entries")));
    }
}
