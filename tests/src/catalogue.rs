//! The bad-input catalogue: malformed and adversarial lines, each with its documented outcome,
//! each run between two valid lines that must still be mapped. Shared by the library, the
//! in-process tool and the executable suites.

use crate::Output;

/// The valid line before each case.
pub const BEFORE: &str = r#"{"type":"page","name":"Before"}"#;
/// Its output line.
pub const BEFORE_OUT: &str = r#"[["track","PageVisit",{"name":"Before"}]]"#;
/// The valid line after each case.
pub const AFTER: &str =
    r#"{"type":"track","event":"Order Completed","properties":{"order_id":"after"}}"#;
/// Its output line.
pub const AFTER_OUT: &str = r#"[["track","Checkout",{"order_id":"after"}]]"#;

/// Values planted in the cases that must never reach standard error: personal data and
/// property values.
pub const SECRETS: [&str; 3] = ["jane@example.com", "SECRET", "s3cr3t"];

/// What the destination does with one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Mapped: the output line (the JSON array of calls).
    Mapped(String),
    /// Reported on standard error as `<input>:<line>: <message>`, with no output line.
    Rejected(String),
    /// A blank line: no output, no error.
    Skipped,
}

/// One catalogue entry.
pub struct Case {
    /// What it shows.
    pub name: &'static str,
    /// The line, without its newline.
    pub line: Vec<u8>,
    /// What must happen.
    pub outcome: Outcome,
    /// Whether the library sees the line as the tool does. Not for lines the tool handles
    /// before the library: invalid UTF-8, byte-order marks, blank lines.
    pub library: bool,
}

fn case(name: &'static str, line: impl Into<Vec<u8>>, outcome: Outcome) -> Case {
    Case {
        name,
        line: line.into(),
        outcome,
        library: true,
    }
}

fn tool_only(name: &'static str, line: impl Into<Vec<u8>>, outcome: Outcome) -> Case {
    Case {
        library: false,
        ..case(name, line, outcome)
    }
}

fn mapped(calls: &str) -> Outcome {
    Outcome::Mapped(calls.to_owned())
}

fn rejected(message: &str) -> Outcome {
    Outcome::Rejected(message.to_owned())
}

/// A track message with these properties (JSON text).
fn track(event: &str, properties: &str) -> String {
    format!(r#"{{"type":"track","event":"{event}","properties":{properties}}}"#)
}

/// Ten megabytes of text.
fn ten_megabytes() -> String {
    "SECRET-0123456789-".repeat(10 * 1024 * 1024 / 18 + 1)
}

/// Every case, in catalogue order.
pub fn cases() -> Vec<Case> {
    let big = ten_megabytes();
    let deep = 100_000;
    let mut cases = vec![
        // Not JSON.
        case(
            "truncated object",
            r#"{"type":"identify","traits":{"email":"jane@example.com""#,
            rejected("invalid JSON: expected `,` or `}` at column 56, found the end of the text"),
        ),
        case(
            "truncated string",
            r#"{"type":"identify","traits":{"email":"jane@exam"#,
            rejected(
                "invalid JSON: expected the end of the string at column 48, found the end of the text",
            ),
        ),
        case(
            "truncated after a key",
            r#"{"type":"track","event""#,
            rejected("invalid JSON: expected `:` at column 24, found the end of the text"),
        ),
        case(
            "missing colon",
            r#"{"type" "page"}"#,
            rejected("invalid JSON: expected `:` at column 9, found `\"`"),
        ),
        case(
            "trailing comma in an object",
            r#"{"type":"page",}"#,
            rejected("invalid JSON: expected a string key at column 16, found `}`"),
        ),
        case(
            "trailing comma in an array",
            track("Order Completed", r#"{"products":[{"name":"SECRET"},]}"#),
            rejected("invalid JSON: expected a value at column 87, found `]`"),
        ),
        case(
            "single quotes",
            "{'type':'page'}",
            rejected(
                "invalid JSON: expected a string key at column 2, found `'` (JSON strings take double quotes)",
            ),
        ),
        case(
            "unquoted key",
            r#"{type:"page"}"#,
            rejected("invalid JSON: expected a string key at column 2, found a bare word"),
        ),
        case(
            "NaN",
            track("Order Completed", r#"{"value":NaN}"#),
            rejected("invalid JSON: expected a value at column 65, found a bare word"),
        ),
        case(
            "Infinity",
            track("Order Completed", r#"{"value":-Infinity}"#),
            rejected("invalid JSON: expected a digit at column 66, found a bare word"),
        ),
        case(
            "a number with a leading zero",
            track("Order Completed", r#"{"value":012}"#),
            rejected("invalid JSON: expected `,` or `}` at column 66, found a number"),
        ),
        case(
            "a number without digits after the point",
            track("Order Completed", r#"{"value":1.}"#),
            rejected(
                "invalid JSON: expected a digit after the decimal point at column 67, found `}`",
            ),
        ),
        case(
            "two messages on one line",
            format!("{BEFORE} {BEFORE}"),
            rejected("invalid JSON: expected the end of the text at column 33, found `{`"),
        ),
        case(
            "an unknown escape",
            r#"{"type":"page","name":"SECRET\x"}"#,
            rejected(
                "invalid JSON: expected an escape: one of `\"\\/bfnrtu` at column 31, found a bare word",
            ),
        ),
        case(
            "a short unicode escape",
            r#"{"type":"page","name":"\u12"}"#,
            rejected("invalid JSON: expected four hexadecimal digits at column 26, found a number"),
        ),
        case(
            "a raw control character in a string",
            "{\"type\":\"page\",\"name\":\"SECRET\tname\"}",
            rejected(
                "invalid JSON: expected an escape for a control character at column 30, found a tab",
            ),
        ),
        case(
            "a NUL byte",
            "{\"type\":\"page\",\"name\":\"a\0b\"}",
            rejected(
                "invalid JSON: expected an escape for a control character at column 25, found a control character",
            ),
        ),
        case(
            "text that is not JSON",
            "SECRET jane@example.com",
            rejected("invalid JSON: expected a value at column 1, found a bare word"),
        ),
        case(
            "a lone closing brace",
            "}",
            rejected("invalid JSON: expected a value at column 1, found `}`"),
        ),
        case(
            "a JavaScript comment",
            r#"{"type":"page"} // SECRET"#,
            rejected("invalid JSON: expected the end of the text at column 17, found `/`"),
        ),
        // JSON, but not an object.
        case(
            "an array",
            format!("[{BEFORE}]"),
            rejected("a message must be a JSON object, found an array"),
        ),
        case(
            "a string",
            r#""jane@example.com""#,
            rejected("a message must be a JSON object, found a string"),
        ),
        case(
            "a number",
            "42",
            rejected("a message must be a JSON object, found a number"),
        ),
        case(
            "null",
            "null",
            rejected("a message must be a JSON object, found null"),
        ),
        case(
            "a boolean",
            "true",
            rejected("a message must be a JSON object, found a boolean"),
        ),
        case("an empty object", "{}", rejected("message has no `type`")),
        // Encodings and line ends.
        tool_only(
            "an invalid UTF-8 byte",
            b"{\"type\":\"page\",\"name\":\"SECRET\xff\"}".to_vec(),
            rejected("not valid UTF-8 (byte 30)"),
        ),
        tool_only(
            "an overlong UTF-8 encoding",
            b"{\"type\":\"page\",\"name\":\"\xc0\xaf\"}".to_vec(),
            rejected("not valid UTF-8 (byte 24)"),
        ),
        tool_only(
            "a surrogate encoded in UTF-8",
            b"{\"type\":\"page\",\"name\":\"\xed\xa0\x80\"}".to_vec(),
            rejected("not valid UTF-8 (byte 24)"),
        ),
        tool_only(
            "a UTF-8 sequence cut short",
            b"{\"type\":\"page\",\"name\":\"\xe2\x82\"}".to_vec(),
            rejected("not valid UTF-8 (byte 24)"),
        ),
        tool_only(
            "Latin-1 text",
            b"{\"type\":\"page\",\"name\":\"caf\xe9\"}".to_vec(),
            rejected("not valid UTF-8 (byte 27)"),
        ),
        tool_only(
            "a byte-order mark",
            format!("\u{feff}{BEFORE}"),
            mapped(BEFORE_OUT),
        ),
        case("a CRLF line end", format!("{BEFORE}\r"), mapped(BEFORE_OUT)),
        tool_only("a line of spaces and tabs", " \t \r", Outcome::Skipped),
        // Only space, tab and CR make a line blank: other white space is not JSON.
        case(
            "a line holding a no-break space",
            "\u{a0}",
            rejected("invalid JSON: expected a value at column 1, found a character beyond ASCII"),
        ),
        case(
            "a line holding a vertical tab",
            " \u{b}",
            rejected("invalid JSON: expected a value at column 2, found a control character"),
        ),
        case(
            "a line holding a form feed",
            "\u{c}",
            rejected("invalid JSON: expected a value at column 1, found a control character"),
        ),
        case(
            "a line holding a line separator",
            "\u{2028}",
            rejected("invalid JSON: expected a value at column 1, found a character beyond ASCII"),
        ),
        case(
            "a line holding an ideographic space",
            "\t\u{3000}",
            rejected("invalid JSON: expected a value at column 2, found a character beyond ASCII"),
        ),
        case(
            "whitespace around the message",
            format!(" \t{BEFORE} \t"),
            mapped(BEFORE_OUT),
        ),
        case(
            "line breaks between the tokens of a value",
            track("Order Completed", "{\"value\":{\"a\":\r[1,\r2]}}"),
            mapped(r#"[["track","Checkout",{"value":{"a": [1, 2]}}]]"#),
        ),
        // Escapes.
        case(
            "a lone surrogate escape in the event name",
            r#"{"type":"track","event":"x\ud800y"}"#,
            mapped("[[\"track\",\"x\u{fffd}y\",{}]]"),
        ),
        case(
            "escapes in values are sent as written",
            track(
                "Products Searched",
                r#"{"query":"\u0000\ud800\"<\/script>"}"#,
            ),
            mapped(r#"[["track","Search",{"search_query":"\u0000\ud800\"<\/script>"}]]"#),
        ),
        case(
            "an escaped key matches as its value",
            track("Order Completed", r#"{"order\u005fid":"o-1"}"#),
            mapped(r#"[["track","Checkout",{"order_id":"o-1"}]]"#),
        ),
        // Every field of every message type with the wrong JSON type.
        case(
            "`type` a number",
            r#"{"type":1,"event":"Order Completed"}"#,
            rejected("`type` must be a string, found a number"),
        ),
        case(
            "`type` null",
            r#"{"type":null,"userId":"jane@example.com"}"#,
            rejected("message has no `type`"),
        ),
        case(
            "`type` unknown",
            r#"{"type":"alias","userId":"jane@example.com"}"#,
            mapped("[]"),
        ),
        case(
            "`event` a number",
            r#"{"type":"track","event":404}"#,
            rejected("`event` must be a string, found a number"),
        ),
        case(
            "`event` an object",
            r#"{"type":"track","event":{"name":"SECRET"}}"#,
            rejected("`event` must be a string, found an object"),
        ),
        case(
            "`event` null",
            r#"{"type":"track","event":null}"#,
            rejected("track message has no `event`"),
        ),
        case(
            "`event` missing",
            r#"{"type":"track","properties":{"order_id":"SECRET"}}"#,
            rejected("track message has no `event`"),
        ),
        case(
            "`properties` a string",
            r#"{"type":"track","event":"Order Completed","properties":"SECRET"}"#,
            mapped(r#"[["track","Checkout",{}]]"#),
        ),
        case(
            "`properties` an array",
            r#"{"type":"track","event":"Order Completed","properties":[{"order_id":"o-1"}]}"#,
            mapped(r#"[["track","Checkout",{}]]"#),
        ),
        case(
            "`properties` null",
            r#"{"type":"page","name":"Home","properties":null}"#,
            mapped(r#"[["track","PageVisit",{"name":"Home"}]]"#),
        ),
        case(
            "`products` an object",
            track(
                "Order Completed",
                r#"{"products":{"name":"Kite"},"price":3}"#,
            ),
            mapped(r#"[["track","Checkout",{"line_items":[{"product_price":3}]}]]"#),
        ),
        case(
            "`products` a string",
            track("Order Completed", r#"{"products":"SECRET"}"#),
            mapped(r#"[["track","Checkout",{}]]"#),
        ),
        case(
            "product entries null, strings, numbers and arrays",
            track(
                "Order Completed",
                r#"{"products":[null,"SECRET",7,[1],{"name":"Kite"},null]}"#,
            ),
            mapped(
                r#"[["track","Checkout",{"line_items":[null,null,null,null,{"product_name":"Kite"}]}]]"#,
            ),
        ),
        case(
            "product fields of every type",
            track(
                "Order Completed",
                r#"{"products":[{"name":{"en":"Kite"},"price":"3.50","quantity":[2],"sku":true,"brand":null}]}"#,
            ),
            mapped(
                r#"[["track","Checkout",{"line_items":[{"product_name":{"en":"Kite"},"product_id":true,"product_price":"3.50","product_quantity":[2]}]}]]"#,
            ),
        ),
        case(
            "`traits` null",
            r#"{"type":"identify","userId":"jane@example.com","traits":null}"#,
            mapped(r#"[["set",{"np":"segment","em":"jane@example.com"}]]"#),
        ),
        case(
            "`traits` a string",
            r#"{"type":"identify","userId":"u-1","traits":"jane@example.com"}"#,
            mapped("[]"),
        ),
        case(
            "`traits.email` a number",
            r#"{"type":"identify","traits":{"email":42}}"#,
            mapped(r#"[["set",{"np":"segment","em":42}]]"#),
        ),
        case(
            "`userId` a number",
            r#"{"type":"identify","userId":12345}"#,
            mapped("[]"),
        ),
        case(
            "`messageId` a number",
            r#"{"type":"page","messageId":7,"name":"Home"}"#,
            mapped(r#"[["track","PageVisit",{"name":"Home"}]]"#),
        ),
        case(
            "`name` an object and `category` an array",
            r#"{"type":"page","name":{"SECRET":1},"category":["a"]}"#,
            mapped(r#"[["track","ViewCategory",{"name":{"SECRET":1},"category":["a"]}]]"#),
        ),
        case(
            "`context` a string",
            r#"{"type":"page","name":"Home","context":"SECRET"}"#,
            mapped(r#"[["track","PageVisit",{"name":"Home"}]]"#),
        ),
        // Numbers.
        case(
            "a number beyond a double's range",
            track("Order Completed", r#"{"value":1e400,"order_id":-1e400}"#),
            mapped(r#"[["track","Checkout",{"order_id":-1e400,"value":1e400}]]"#),
        ),
        case(
            "negative zero and a number that rounds to zero",
            track(
                "Order Completed",
                r#"{"value":-0,"order_id":1e-400,"currency":-0.0e5}"#,
            ),
            mapped(r#"[["track","Checkout",{}]]"#),
        ),
        case(
            "an integer beyond 64 bits",
            track(
                "Order Completed",
                r#"{"value":123456789012345678901234567890}"#,
            ),
            mapped(r#"[["track","Checkout",{"value":123456789012345678901234567890}]]"#),
        ),
        // Duplicate keys.
        case(
            "a repeated top-level field: the last one counts",
            r#"{"type":"track","event":"SECRET","event":"Order Completed"}"#,
            mapped(r#"[["track","Checkout",{}]]"#),
        ),
        case(
            "keys equal by the loose rule: the first one wins",
            track(
                "Order Completed",
                r#"{"Order ID":"first","order_id":"second"}"#,
            ),
            mapped(r#"[["track","Checkout",{"order_id":"first"}]]"#),
        ),
        // JavaScript compares keys by UTF-16 code units: lone surrogates keep keys apart.
        case(
            "keys that differ only in lone surrogates are two keys",
            track(
                "Order Completed",
                r#"{"order\ud800id":"first","order\udc00id":"second"}"#,
            ),
            mapped(r#"[["track","Checkout",{"order_id":"first"}]]"#),
        ),
        case(
            "an email behind a key that differs only in a lone surrogate",
            r#"{"type":"identify","traits":{"em\ud800ail":"","em\udc00ail":"jane@example.com"}}"#,
            mapped("[]"),
        ),
        case(
            "a custom property behind a key that differs only in a lone surrogate",
            track(
                "Order Completed",
                r#"{"custom\ud800prop":0,"custom\udc00prop":"SECRET"}"#,
            ),
            mapped(r#"[["track","Checkout",{}]]"#),
        ),
        case(
            "a repeated `properties`: the last one counts",
            r#"{"type":"track","event":"Order Completed","properties":{"value":1},"properties":{"value":2}}"#,
            mapped(r#"[["track","Checkout",{"value":2}]]"#),
        ),
        case(
            "a repeated product field: the last one counts",
            track(
                "Order Completed",
                r#"{"products":[{"name":"a","name":"b"}]}"#,
            ),
            mapped(r#"[["track","Checkout",{"line_items":[{"product_name":"b"}]}]]"#),
        ),
        case(
            "empty properties and products",
            track("Order Completed", r#"{"products":[{}],"value":{}}"#),
            mapped(r#"[["track","Checkout",{"value":{}}]]"#),
        ),
    ];
    // Size.
    cases.push(case(
        "a 10 MB string that is mapped",
        track("Products Searched", &format!(r#"{{"query":"{big}"}}"#)),
        Outcome::Mapped(format!(
            r#"[["track","Search",{{"search_query":"{big}"}}]]"#
        )),
    ));
    cases.push(case(
        "a 10 MB string that is skipped",
        format!(r#"{{"type":"page","name":"Home","context":{{"userAgent":"{big}"}}}}"#),
        mapped(r#"[["track","PageVisit",{"name":"Home"}]]"#),
    ));
    cases.push(case(
        "a 10 MB key",
        track("Order Completed", &format!(r#"{{"{big}":1,"value":2}}"#)),
        mapped(r#"[["track","Checkout",{"value":2}]]"#),
    ));
    cases.push(case(
        "a 10 MB string cut short",
        format!(r#"{{"type":"page","name":"{big}"#),
        Outcome::Rejected(format!(
            "invalid JSON: expected the end of the string at column {}, found the end of the text",
            24 + big.len()
        )),
    ));
    let nested_arrays = format!("{}{}", "[".repeat(deep), "]".repeat(deep));
    cases.push(case(
        "arrays nested 100,000 levels in the properties",
        track(
            "Order Completed",
            &format!(r#"{{"value":{nested_arrays},"order_id":"o-1"}}"#),
        ),
        Outcome::Mapped(format!(
            r#"[["track","Checkout",{{"order_id":"o-1","value":{nested_arrays}}}]]"#
        )),
    ));
    cases.push(case(
        "objects nested 100,000 levels in the context",
        format!(
            r#"{{"type":"page","name":"Home","context":{}1{}}}"#,
            r#"{"a":"#.repeat(deep),
            "}".repeat(deep)
        ),
        mapped(r#"[["track","PageVisit",{"name":"Home"}]]"#),
    ));
    cases.push(case(
        "a message nested 100,000 levels in arrays",
        format!("{}{BEFORE}{}", "[".repeat(deep), "]".repeat(deep)),
        rejected("a message must be a JSON object, found an array"),
    ));
    cases.push(case(
        "100,000 levels never closed",
        track(
            "Order Completed",
            &format!(r#"{{"value":{}"#, "[".repeat(deep)),
        ),
        Outcome::Rejected(format!(
            "invalid JSON: expected a value at column {}, found `}}`",
            65 + deep
        )),
    ));
    cases.push(case(
        "100,000 properties",
        track(
            "Order Completed",
            &format!(
                r#"{{{}"value":5}}"#,
                (0..100_000)
                    .map(|index| format!(r#""k{index}":{index},"#))
                    .collect::<String>()
            ),
        ),
        mapped(r#"[["track","Checkout",{"value":5}]]"#),
    ));
    cases
}

/// Runs every case between [`BEFORE`] and [`AFTER`] through a `pinterest-map` runner fed on
/// standard input, which its error lines call `input`; lists the cases whose output, errors
/// or exit status differ, or whose errors show a planted value.
pub fn failures(input: &str, run: impl Fn(&[String], &[u8]) -> Output) -> Vec<String> {
    let args = ["--quiet".to_owned()];
    let mut failed = Vec::new();
    for case in cases() {
        let mut bytes = format!("{BEFORE}\n").into_bytes();
        bytes.extend_from_slice(&case.line);
        bytes.extend_from_slice(format!("\n{AFTER}\n").as_bytes());
        let output = run(&args, &bytes);
        let (stdout, stderr, status) = expected(input, &case.outcome);
        if output.stdout != stdout || output.stderr != stderr || output.status != status {
            failed.push(format!(
                "{}: status {} (expected {status}), stderr {:?} (expected {stderr:?}), stdout {}",
                case.name,
                output.status,
                shorten(&output.stderr),
                shorten(&output.stdout),
            ));
        }
        for secret in SECRETS {
            if output.stderr.contains(secret) {
                failed.push(format!("{}: stderr shows {secret:?}", case.name));
            }
        }
    }
    failed
}

/// The standard output, standard error and exit status of one case between the valid lines.
fn expected(input: &str, outcome: &Outcome) -> (String, String, u8) {
    match outcome {
        Outcome::Mapped(calls) => (
            format!("{BEFORE_OUT}\n{calls}\n{AFTER_OUT}\n"),
            String::new(),
            0,
        ),
        Outcome::Rejected(message) => (
            format!("{BEFORE_OUT}\n{AFTER_OUT}\n"),
            format!("{input}:2: {message}\n"),
            1,
        ),
        Outcome::Skipped => (format!("{BEFORE_OUT}\n{AFTER_OUT}\n"), String::new(), 0),
    }
}

/// Long texts cut for failure messages.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
        None => text.to_owned(),
    }
}

/// A settings file and what reading it gives.
pub struct SettingsCase {
    /// What it shows.
    pub name: &'static str,
    /// The file's contents.
    pub contents: Vec<u8>,
    /// `Err` with the error message, or `Ok` with the settings it must equal (as Segment
    /// settings JSON, read by the same function).
    pub outcome: Result<String, String>,
}

fn settings_case(
    name: &'static str,
    contents: impl Into<Vec<u8>>,
    outcome: Result<&str, &str>,
) -> SettingsCase {
    SettingsCase {
        name,
        contents: contents.into(),
        outcome: outcome.map(str::to_owned).map_err(str::to_owned),
    }
}

/// Settings files: every key with every other JSON type, and files that are not settings.
pub fn settings_cases() -> Vec<SettingsCase> {
    let mut cases = Vec::new();
    let wrong_types = [
        ("5", "a number"),
        ("true", "a boolean"),
        (r#""SECRET""#, "a string"),
        ("[]", "an array"),
        (r#"{"a":"SECRET"}"#, "an object"),
    ];
    // Segment's keys of another type are read as Segment's integration reads them (with a
    // warning); a tag ID must be a string or a number.
    for (value, found) in wrong_types {
        let mut push = |key: &str, outcome: Result<&str, &str>| {
            let error;
            let outcome = match outcome {
                Ok(expected) => Ok(expected),
                Err(expected) => {
                    error = format!("`{key}` must be {expected}, found {found}");
                    Err(error.as_str())
                }
            };
            cases.push(settings_case(
                "a key of another type",
                format!(r#"{{"tid":"t","{key}":{value}}}"#),
                outcome,
            ));
        };
        match found {
            "a number" => push("tid", Ok(r#"{"tid":"5"}"#)),
            "a string" => {}
            _ => push("tid", Err("a string")),
        }
        if found != "a boolean" {
            for flag in [
                "useEnhancedMatchLoad",
                "mapMessageIdToEventId",
                "disableAutoISOConversion",
            ] {
                let truthy = format!(r#"{{"tid":"t","{flag}":true}}"#);
                push(flag, Ok(&truthy));
            }
        }
        if found != "an object" {
            push(
                "pinterestEventMapping",
                Ok(if found == "a string" {
                    r#"{"tid":"t","pinterestEventMapping":{"0":"S","1":"E","2":"C","3":"R","4":"E","5":"T"}}"#
                } else {
                    r#"{"tid":"t"}"#
                }),
            );
        }
        if found != "an array" {
            push(
                "pinterestCustomProperties",
                Ok(if found == "a string" {
                    r#"{"tid":"t","pinterestCustomProperties":["S","E","C","R","E","T"]}"#
                } else {
                    r#"{"tid":"t"}"#
                }),
            );
        }
    }
    cases.extend([
        settings_case(
            "an event mapping to a number: the Segment event name",
            r#"{"pinterestEventMapping":{"Order Completed":1}}"#,
            Ok(r#"{"pinterestEventMapping":{"Order Completed":""}}"#),
        ),
        settings_case(
            "an event mapping to an object: the Segment event name",
            r#"{"pinterestEventMapping":{"Order Completed":{"to":"SECRET"}}}"#,
            Ok(r#"{"pinterestEventMapping":{"Order Completed":""}}"#),
        ),
        settings_case(
            "a custom property that is not a string: its JavaScript string",
            r#"{"pinterestCustomProperties":["plan",null]}"#,
            Ok(r#"{"pinterestCustomProperties":["plan","null"]}"#),
        ),
        settings_case(
            "an event mapping given as Segment's array of {key, value} objects maps its indices",
            r#"{"pinterestEventMapping":[{"key":"Order Completed","value":"Lead"}]}"#,
            Ok(r#"{"pinterestEventMapping":{"0":""}}"#),
        ),
        settings_case(
            "an array",
            "[]",
            Err("settings must be a JSON object, found an array"),
        ),
        settings_case(
            "a string",
            r#""SECRET""#,
            Err("settings must be a JSON object, found a string"),
        ),
        settings_case(
            "null",
            "null",
            Err("settings must be a JSON object, found null"),
        ),
        settings_case(
            "an empty file",
            "",
            Err("settings are not valid JSON: expected a value at column 1, found the end of the text"),
        ),
        settings_case(
            "truncated",
            r#"{"tid":"SECRET"#,
            Err("settings are not valid JSON: expected the end of the string at column 15, found the end of the text"),
        ),
        settings_case(
            "trailing text",
            r#"{"tid":"t"} SECRET"#,
            Err("settings are not valid JSON: expected the end of the text at column 13, found a bare word"),
        ),
        settings_case(
            "nested 100,000 levels, never closed",
            format!(r#"{{"other":{}"#, "[".repeat(100_000)),
            Err("settings are not valid JSON: expected a value at column 100010, found the end of the text"),
        ),
        // Tolerated, as documented.
        settings_case(
            "every key null: the defaults",
            r#"{"tid":null,"pinterestEventMapping":null,"pinterestCustomProperties":null,"useEnhancedMatchLoad":null,"mapMessageIdToEventId":null}"#,
            Ok("{}"),
        ),
        settings_case(
            "an event mapping given as an array maps its indices, as Segment's original does",
            r#"{"tid":"t","pinterestEventMapping":["Lead","Signup"]}"#,
            Ok(r#"{"tid":"t","pinterestEventMapping":{"0":"Lead","1":"Signup"}}"#),
        ),
        settings_case(
            "an event mapping given as an array of pairs maps its indices",
            r#"{"tid":"t","pinterestEventMapping":[["Order Completed","SECRET"]]}"#,
            Ok(r#"{"tid":"t","pinterestEventMapping":{"0":""}}"#),
        ),
        settings_case(
            "unknown keys are ignored",
            r#"{"tid":"t","unknown":{"deep":[1,2]},"TID":5}"#,
            Ok(r#"{"tid":"t"}"#),
        ),
        settings_case(
            "a repeated key keeps its last value",
            r#"{"tid":"first","tid":"last"}"#,
            Ok(r#"{"tid":"last"}"#),
        ),
        settings_case(
            "nested 100,000 levels under an unknown key: read as any JSON is",
            format!(
                r#"{{"other":{}{},"tid":"t"}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            Ok(r#"{"tid":"t"}"#),
        ),
        settings_case(
            "numbers beyond a double, lone surrogates: valid JSON, read as messages are",
            r#"{"other":[1e400,12345678901234567890123,"\ud800"],"tid":"t"}"#,
            Ok(r#"{"tid":"t"}"#),
        ),
        settings_case(
            "a known key nested 100,000 levels",
            format!(
                r#"{{"pinterestCustomProperties":{}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            // The nesting beyond what settings read is an empty array: `""`.
            Ok(r#"{"pinterestCustomProperties":[""]}"#),
        ),
        settings_case(
            "a number of days beyond a double",
            r#"{"maxEventAgeDays":1e400}"#,
            Err("`maxEventAgeDays` must be a whole number of days from 1 to 365"),
        ),
        settings_case(
            "lone surrogates in settings strings: each a U+FFFD",
            r#"{"tid":"t\ud800","pinterestEventMapping":{"a\ud800":"Lead"}}"#,
            Ok(r#"{"tid":"t\ufffd","pinterestEventMapping":{"a\ufffd":"Lead"}}"#),
        ),
        settings_case(
            "a byte-order mark",
            "\u{feff}{\"tid\":\"t\"}",
            Ok(r#"{"tid":"t"}"#),
        ),
    ]);
    cases
}
