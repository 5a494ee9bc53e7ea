//! How Segment's integration, which is JavaScript, reads a setting whatever its type: a flag by
//! its truthiness, a list by its `length` and indices, a mapping by the keys `for…in` visits,
//! a value joined into a property path by its string conversion.

use super::document::Loose;

/// Deeper containers than this keep their type only (see [`Loose`]).
pub(super) const MAX_DEPTH: usize = 8;

impl Loose {
    /// JavaScript's `ToBoolean`: `false`, `0`, `NaN` and `""` are false; every array and
    /// object is true.
    pub(super) fn is_truthy(&self) -> bool {
        match self {
            Loose::Null => false,
            Loose::Bool(flag) => *flag,
            Loose::Number(text) => number(text).is_some_and(|number| number != 0.0),
            Loose::String(text) => !text.is_empty(),
            Loose::Array(_) | Loose::Object(_) => true,
        }
    }

    /// JavaScript's `ToString`, as `'properties.' + value` converts a value: numbers in their
    /// shortest form (`1.50` → `1.5`, `1e21` → `1e+21`), arrays joined with commas, objects as
    /// `[object Object]`.
    pub(super) fn to_js_string(&self) -> String {
        match self {
            Loose::Null => "null".to_owned(),
            Loose::Bool(flag) => flag.to_string(),
            Loose::Number(text) => match number(text) {
                Some(number) => ryu_js::Buffer::new().format(number).to_owned(),
                None => text.clone(),
            },
            Loose::String(text) => text.clone(),
            // `Array.prototype.join`: `null` elements are empty.
            Loose::Array(elements) => elements
                .iter()
                .map(|element| match element {
                    Loose::Null => String::new(),
                    other => other.to_js_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            Loose::Object(_) => "[object Object]".to_owned(),
        }
    }

    /// JavaScript's `ToNumber`, as `j < value` compares a value: a string by its numeric text
    /// (empty: 0), a boolean as 0 or 1; `None` for what is `NaN` or not read here.
    fn to_js_number(&self) -> Option<f64> {
        match self {
            Loose::Null => Some(0.0),
            Loose::Bool(flag) => Some(f64::from(u8::from(*flag))),
            Loose::Number(text) => number(text),
            Loose::String(text) => {
                let text = text.trim();
                if text.is_empty() {
                    Some(0.0)
                } else {
                    number(text).filter(|number| !number.is_nan())
                }
            }
            Loose::Array(_) | Loose::Object(_) => None,
        }
    }

    /// The entries `for (key in value)` visits, with their values: an object's keys, an array's
    /// or a string's indices (a string's elements being its UTF-16 code units, a lone
    /// surrogate among them read as U+FFFD); none for other values.
    pub(super) fn for_in_entries(self) -> Vec<(String, Loose)> {
        match self {
            Loose::Object(entries) => entries,
            Loose::Array(elements) => elements
                .into_iter()
                .enumerate()
                .map(|(index, element)| (index.to_string(), element))
                .collect(),
            Loose::String(text) => code_units(&text)
                .into_iter()
                .enumerate()
                .map(|(index, unit)| (index.to_string(), Loose::String(unit)))
                .collect(),
            Loose::Null | Loose::Bool(_) | Loose::Number(_) => Vec::new(),
        }
    }

    /// The elements `for (j = 0; j < value.length; j++) value[j]` visits: an array's, a
    /// string's UTF-16 code units, or an object's by its `length` key (an index it lacks is
    /// `undefined`); none for other values. `None` stands for `undefined`.
    pub(super) fn indexed_elements(self) -> Vec<Option<Loose>> {
        match self {
            Loose::Array(elements) => elements.into_iter().map(Some).collect(),
            Loose::String(text) => code_units(&text)
                .into_iter()
                .map(|unit| Some(Loose::String(unit)))
                .collect(),
            Loose::Object(entries) => array_like(entries),
            Loose::Null | Loose::Bool(_) | Loose::Number(_) => Vec::new(),
        }
    }
}

/// The elements of an object read as an array through its `length` key. Past the last index
/// it holds, every element is `undefined`, and reading one `undefined` again changes nothing:
/// the elements stop at the first such one.
fn array_like(mut entries: Vec<(String, Loose)>) -> Vec<Option<Loose>> {
    // The last of a repeated key counts.
    let length = entries
        .iter()
        .rev()
        .find(|(key, _)| key == "length")
        .and_then(|(_, length)| length.to_js_number())
        .unwrap_or(0.0);
    if length <= 0.0 {
        return Vec::new();
    }
    let mut elements = Vec::new();
    let mut index = 0usize;
    #[allow(clippy::cast_precision_loss)] // indices stay far below 2^52: entries bound them
    while (index as f64) < length {
        let key = index.to_string();
        let Some(position) = entries.iter().rposition(|(entry, _)| *entry == key) else {
            elements.push(None);
            break;
        };
        elements.push(Some(entries.swap_remove(position).1));
        index += 1;
    }
    elements
}

/// A JSON number's value as JavaScript holds it (`1e400` is infinite).
fn number(text: &str) -> Option<f64> {
    text.parse().ok()
}

/// A string's UTF-16 code units, each as a string; a lone surrogate (half of a character
/// beyond the Basic Multilingual Plane) becomes U+FFFD.
fn code_units(text: &str) -> Vec<String> {
    text.encode_utf16()
        .map(|unit| {
            char::from_u32(u32::from(unit))
                .unwrap_or(char::REPLACEMENT_CHARACTER)
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loose(text: &str) -> Loose {
        Loose::from_json(crate::json::Json::parse(text).unwrap(), 0)
    }

    #[test]
    fn truthiness_is_javascripts() {
        for truthy in [
            "true",
            "1",
            "-0.5",
            "1e400",
            "\"false\"",
            "\"0\"",
            "[]",
            "{}",
        ] {
            assert!(loose(truthy).is_truthy(), "{truthy}");
        }
        for falsy in ["false", "0", "-0", "0.0", "0e7", "\"\"", "null"] {
            assert!(!loose(falsy).is_truthy(), "{falsy}");
        }
    }

    #[test]
    fn string_conversion_is_javascripts() {
        let cases = [
            ("5", "5"),
            ("1.50", "1.5"),
            ("1e2", "100"),
            ("1e21", "1e+21"),
            ("1e-7", "1e-7"),
            ("-0", "0"),
            ("1e400", "Infinity"),
            ("true", "true"),
            ("null", "null"),
            ("{\"a\":1}", "[object Object]"),
            ("[\"a\",null,[1,[2]],{}]", "a,,1,2,[object Object]"),
        ];
        for (json, expected) in cases {
            assert_eq!(loose(json).to_js_string(), expected, "{json}");
        }
    }

    #[test]
    fn for_in_visits_keys_and_indices() {
        let keys = |json: &str| -> Vec<String> {
            loose(json)
                .for_in_entries()
                .into_iter()
                .map(|(key, _)| key)
                .collect()
        };
        assert_eq!(keys(r#"{"b":1,"a":2}"#), ["b", "a"]);
        assert_eq!(keys(r#"["x","y"]"#), ["0", "1"]);
        assert_eq!(keys(r#""L🦀""#), ["0", "1", "2"]);
        assert!(keys("5").is_empty() && keys("true").is_empty());
    }

    #[test]
    fn indexed_elements_follow_length() {
        let strings = |json: &str| -> Vec<String> {
            loose(json)
                .indexed_elements()
                .into_iter()
                .map(|element| element.map_or("undefined".to_owned(), |e| e.to_js_string()))
                .collect()
        };
        assert_eq!(strings(r#""ab""#), ["a", "b"]);
        assert_eq!(strings(r#"{"length":2,"1":"b","0":"a"}"#), ["a", "b"]);
        assert_eq!(strings(r#"{"length":"3","0":"a"}"#), ["a", "undefined"]);
        assert_eq!(strings(r#"{"length":1e300}"#), ["undefined"]);
        assert!(strings(r#"{"0":"a"}"#).is_empty());
        assert!(strings("7").is_empty());
    }
}
