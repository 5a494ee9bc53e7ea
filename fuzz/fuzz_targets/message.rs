//! Message handling on arbitrary bytes. The first byte picks what the rest is: a message line
//! mapped to JSON or to JavaScript, a settings file, or stored traits. Beyond not panicking,
//! every output must be well formed: valid JSON equal to what serde writes, and JavaScript
//! with nothing that could end a `<script>` element or a line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mapping_core::ndjson::{self, OutputFormat};
use mapping_core::{Destination, Json, Message, PintrkCall, Settings};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let destination = Destination::new(Settings::example());
    match selector % 4 {
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
        _ => {
            if let Ok(traits) = Json::parse(text) {
                let settings = Settings {
                    use_enhanced_match_load: true,
                    ..Settings::example()
                };
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
    destination
        .map_text(text, |call| call.as_ref().map(check))
        .expect("mapped, so parsed");
}

fn check(call: &PintrkCall) {
    let mut json = Vec::new();
    call.write_json(&mut json);
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
    Json::parse(&format!("[{}]", plain_keys(arguments)))
        .expect("the statement's arguments are JSON, computed keys aside");
}

/// The arguments with their computed keys (`["__proto__"]:`, which JavaScript output uses so
/// that the key makes a property) written as plain keys: `[`, a string, `]` and `:` is nothing
/// else in valid JSON.
fn plain_keys(arguments: &str) -> String {
    let mut out = String::with_capacity(arguments.len());
    let mut chars = arguments.char_indices().peekable();
    let mut in_string = false;
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if in_string => {
                out.push(c);
                if let Some((_, escaped)) = chars.next() {
                    out.push(escaped);
                }
                continue;
            }
            '"' => in_string = !in_string,
            '[' if !in_string && arguments[at + 1..].starts_with('"') => {
                if let Some(key) = computed_key(&arguments[at + 1..]) {
                    out.push_str(key);
                    // Past the key and its closing bracket.
                    for _ in 0..key.chars().count() + 1 {
                        chars.next();
                    }
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// The string at the start of `text`, when `]` and then `:` follow it.
fn computed_key(text: &str) -> Option<&str> {
    let mut escaped = false;
    let end = text.char_indices().skip(1).find_map(|(at, c)| {
        let end = (c == '"' && !escaped).then_some(at);
        escaped = c == '\\' && !escaped;
        end
    })?;
    let after = text[end + 1..].strip_prefix(']')?;
    after.trim_start().starts_with(':').then_some(&text[..=end])
}
