//! Message handling on arbitrary bytes. The first byte picks what the rest is: a message line
//! mapped to JSON or to JavaScript, a settings file, stored traits, or a message line made a
//! Conversions API event. Beyond not panicking, every output must be well formed: valid JSON
//! equal to what serde writes, JavaScript with nothing that could end a `<script>` element or
//! a line, and events that read back as the API's types.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::{Duration, UNIX_EPOCH};

use pinterest_mapping::capi::{Conversion, ConversionEvent};
use pinterest_mapping::ndjson::{self, OutputFormat};
use pinterest_mapping::{Destination, Json, Message, PintrkCall, Settings};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let destination = Destination::new(Settings::example());
    match selector % 5 {
        0 => map(&destination, OutputFormat::Json, text),
        1 => map(&destination, OutputFormat::Js, text),
        2 => {
            if let Ok(settings) = Settings::from_json(text) {
                let destination = Destination::new(settings);
                let message = r#"{"type":"track","event":"Order Completed","messageId":"m","properties":{"order_id":"o","products":[{"sku":"s"}],"custom_prop":{"a":1}}}"#;
                map(&destination, OutputFormat::Json, message);
                map(&destination, OutputFormat::Js, message);
            }
        }
        4 => convert(&destination, text),
        _ => {
            if let Ok(traits) = Json::parse(text) {
                let mut settings = Settings::example();
                settings.tag.use_enhanced_match_load = true;
                let destination = Destination::new(settings);
                for call in destination.initialize(Some(traits)) {
                    check(&call);
                }
            }
        }
    }
});

fn map(destination: &Destination, format: OutputFormat, text: &str) {
    let mut out = Vec::new();
    if ndjson::map_line(destination, format, text, &mut out).is_err() {
        assert!(out.is_empty(), "a rejected line wrote output");
        return;
    }
    let output = std::str::from_utf8(&out).expect("output is UTF-8");
    if format == OutputFormat::Json {
        Json::parse(output.trim_end_matches('\n')).expect("a JSON line");
    }
    // As sent, and with date strings made dates, as the tool maps it.
    let message = Message::parse(text).expect("mapped, so parsed");
    if let Some(call) = destination.map(&message) {
        check(&call);
    }
    let mut converted = String::new();
    let message = destination
        .prepare(text, &mut converted)
        .expect("mapped, so parsed");
    if let Some(call) = destination.map(&message) {
        check(&call);
    }
}

fn convert(destination: &Destination, text: &str) {
    let now = UNIX_EPOCH + Duration::from_secs(1_795_867_500);
    let mut converted = String::new();
    let Ok(message) = destination.prepare(text, &mut converted) else {
        return;
    };
    if let Conversion::Event { event, .. } = destination.conversion(&message, now) {
        let mut json = Vec::new();
        event
            .write_json(&mut json)
            .expect("a Vec takes every write");
        assert_eq!(json, serde_json::to_vec(&event).expect("serializes"));
        let read: ConversionEvent =
            serde_json::from_slice(&json).expect("the event reads back as the API's types");
        assert_eq!(read, event);
        assert!(event.user_data.identifies());
    }
}

fn check(call: &PintrkCall) {
    let mut json = Vec::new();
    call.write_json(&mut json).expect("a Vec takes every write");
    let json = std::str::from_utf8(&json).expect("JSON output is UTF-8");
    Json::parse(json).expect("the argument list is JSON");
    assert_eq!(json, serde_json::to_string(call).expect("serializes"));
    let js = call.to_js();
    for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}', '\n', '\r'] {
        assert!(!js.contains(forbidden), "{forbidden:?} in {js}");
    }
    let arguments = js
        .strip_prefix("pintrk(")
        .and_then(|rest| rest.strip_suffix(");"))
        .expect("a pintrk statement");
    Json::parse(&format!("[{}]", mapping_tests::uncomputed(arguments)))
        .expect("the statement's arguments are JSON, computed keys aside");
}
