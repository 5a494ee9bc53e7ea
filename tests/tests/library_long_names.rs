//! A table whose longest names are longer than a thread's stack: its lookups and conversions
//! keep their buffers off the stack, and run on a thread of 256 KiB.

include!(concat!(env!("OUT_DIR"), "/long_names.rs"));

use pinterest_mapping::{Json, PinterestEvent};

/// Runs `check` on a thread with a 256 KiB stack, as many runtimes give their workers.
fn on_a_small_stack(check: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(check)
        .expect("the thread starts")
        .join()
        .expect("the check passes");
}

#[test]
fn lookups_with_names_longer_than_the_stack() {
    on_a_small_stack(|| {
        let long = "Long ".repeat(LONG_EVENT_LEN / 5);
        assert_eq!(long_names::event(&long), Some(PinterestEvent::Lead));
        assert_eq!(
            long_names::event(&long.to_lowercase().replace(' ', "_")),
            Some(PinterestEvent::Lead)
        );
        assert_eq!(
            long_names::event("order completed"),
            Some(PinterestEvent::Checkout)
        );
        assert_eq!(long_names::event("Long Long"), None);
        assert_eq!(long_names::event(&format!("x{long}")), None);
    });
}

#[test]
fn conversions_with_keys_longer_than_the_stack() {
    on_a_small_stack(|| {
        let property = "p".repeat(LONG_EVENT_LEN);
        let text = format!(
            r#"{{"{property}": 7, "products": [{{"{property}": "id-1"}}, {{"total": 1}}]}}"#
        );
        let data = long_names::event_data(Json::parse(&text).expect("valid JSON"));
        assert_eq!(
            serde_json::to_string(&data).expect("serializable"),
            r#"{"value":7,"line_items":[{"product_id":"id-1"}]}"#
        );
        let data = long_names::event_data(Json::parse(r#"{"Total": 3}"#).expect("valid JSON"));
        assert_eq!(
            serde_json::to_string(&data).expect("serializable"),
            r#"{"value":3}"#
        );
    });
}
