//! The JSON scanner against serde_json, the oracle: arbitrary text is accepted by `Json::parse`
//! exactly when serde_json reads it as a value, but for the documented differences (the
//! scanner takes a lone surrogate in an escape, decoded as U+FFFD; numbers beyond a double's
//! range, kept as written; nesting deeper than serde_json's recursion limit); and `get` finds,
//! for every key of an object, the value serde_json keeps for it (the last of duplicates).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pinterest_mapping::Json;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = Json::parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        (Ok(_), Err(error)) => assert!(
            is_documented_difference(&error.to_string()),
            "the scanner accepts what serde_json refuses ({error}): {text:?}"
        ),
        (Err(error), Ok(_)) => {
            panic!("the scanner refuses what serde_json reads ({error}): {text:?}")
        }
    }
    if let (Ok(json), Ok(Value::Object(object))) = (ours, theirs) {
        for (key, value) in &object {
            let found = json
                .get(key)
                .unwrap_or_else(|| panic!("no {key:?} in {text:?}"));
            let read: Value = serde_json::from_str(found.text()).expect("a value");
            assert_eq!(&read, value, "{key:?} in {text:?}");
        }
    }
});

/// What the scanner accepts on purpose and serde_json refuses.
fn is_documented_difference(error: &str) -> bool {
    [
        // serde_json's two messages for a lone surrogate: a trailing one, or a leading one
        // without its pair (which it reads as an escape cut short).
        "lone leading surrogate",
        "unexpected end of hex escape",
        // A number beyond a double's range, which the scanner keeps as written.
        "number out of range",
        // Nesting deeper than 128, which the scanner reads without recursion.
        "recursion limit exceeded",
    ]
    .iter()
    .any(|known| error.starts_with(known))
}
