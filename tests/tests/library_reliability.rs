//! Reliability: the bad-input catalogue and the settings catalogue through the library, and
//! property tests that, for arbitrary messages, settings and bytes and with Segment's table or
//! a user's, the library never panics, always writes well-formed calls (JSON, and JavaScript
//! safe inside `<script>`) and Conversions API events Pinterest's schema accepts, never shows a
//! value in an error message or a warning, and converts a `serde_json::Value` exactly as it
//! converts the same JSON text.

use std::sync::LazyLock;
use std::time::{Duration, UNIX_EPOCH};

use fake_pinterest::Schema;
use mapping_tests::catalogue::{self, Outcome, SECRETS};
use mapping_tests::user_tables::{boutique, studio};
use pinterest_mapping::capi::Conversion;
use pinterest_mapping::ndjson::{self, OutputFormat};
use pinterest_mapping::{
    Destination, Json, JsonValue, Mapping, Message, PintrkCall, Settings, spec,
};
use proptest::prelude::*;
use serde_json::Value;

#[test]
fn every_catalogue_case_through_the_library() {
    let destination = Destination::new(Settings::example());
    let cases: Vec<_> = catalogue::cases()
        .into_iter()
        .filter(|case| case.library)
        .collect();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failed = Vec::new();
    for case in cases {
        let text = std::str::from_utf8(&case.line).expect("library cases are UTF-8");
        let mut out = Vec::new();
        let outcome = match ndjson::map_line(&destination, OutputFormat::Json, text, &mut out) {
            Ok(_) => {
                let line = String::from_utf8(out).expect("output is UTF-8");
                Outcome::Mapped(line.trim_end_matches('\n').to_owned())
            }
            Err(error) => Outcome::Rejected(error.to_string()),
        };
        if outcome != case.outcome {
            failed.push(format!(
                "{}: {}",
                case.name,
                catalogue::shorten(&format!("{outcome:?}"))
            ));
        }
        if let Outcome::Mapped(line) = &outcome {
            // The writer and serde agree on every mapped case.
            let message = Message::parse(text).expect("mapped, so parsed");
            let calls: Vec<PintrkCall> = destination.map(&message).into_iter().collect();
            assert_eq!(
                serde_json::to_string(&calls).expect("serializes"),
                *line,
                "{}",
                case.name
            );
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn every_settings_case_through_the_library() {
    let mut failed = Vec::new();
    for case in catalogue::settings_cases() {
        let text = String::from_utf8(case.contents).expect("settings cases are UTF-8");
        let outcome = Settings::from_json(&text).map_err(|error| error.to_string());
        let expected = case.outcome.clone().map(|settings| {
            Settings::from_json(&settings).expect("the expected settings are valid")
        });
        if outcome != expected {
            failed.push(format!("{}: {:?}", case.name, outcome));
        }
        if let Err(message) = &outcome {
            for secret in SECRETS {
                assert!(!message.contains(secret), "{}: {message}", case.name);
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Names the destination reads, in several spellings, and arbitrary ones.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "products",
            "Products",
            "name",
            "product_id",
            "sku",
            "price",
            "quantity",
            "category",
            "brand",
            "variant",
            "query",
            "order_id",
            "orderId",
            "Order ID",
            "value",
            "currency",
            "coupon",
            "custom_prop",
            "email",
            "Email",
            "event_id",
            "eid",
            "eventID",
            "plan",
            // Written as a computed key in JavaScript.
            "__proto__",
            // The user tables' names.
            "total",
            "Total",
            "basket",
            "voucher",
            "search",
            "items",
            "title",
            "qty",
            "colour",
            "lesson",
            "tier",
            "eid",
            "referrer",
            "passes",
            "pass_id",
            "passId",
            "code",
            "kind",
            "label",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9_. -]{0,10}",
        any::<String>(),
    ]
}

/// A JSON string literal.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// JSON scalars as text, in the forms senders write them.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1.50",
            "1e400",
            "-1E-400",
            "123456789012345678901234567890",
            r#""""#,
            r#""SECRET""#,
            r#""jane@example.com""#,
            r#""</script><script>alert(1)</script>""#,
            r#""<!-- \u2028 \u2029 ' \" \\ &amp;""#,
            r#""\ud800 \u0000 \/""#,
        ])
        .prop_map(str::to_owned),
        any::<i64>().prop_map(|number| number.to_string()),
        any::<f64>()
            .prop_filter("finite", |number| number.is_finite())
            .prop_map(|number| number.to_string()),
        any::<String>().prop_map(|text| quoted(&text)),
        "[ -~]{0,12}".prop_map(|text| quoted(&text)),
    ]
}

/// Whitespace between tokens, mostly none, line breaks included.
fn space() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", "", "", " ", "\n", "\r\n", "\t", " \r "])
}

/// Any JSON value as text, a few levels deep.
fn json() -> impl Strategy<Value = String> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec((space(), inner.clone(), space()), 0..6).prop_map(|elements| {
                let elements: Vec<String> = elements
                    .iter()
                    .map(|(before, value, after)| format!("{before}{value}{after}"))
                    .collect();
                format!("[{}]", elements.join(","))
            }),
            prop::collection::vec((space(), key(), space(), inner), 0..8).prop_map(|entries| {
                let members: Vec<String> = entries
                    .iter()
                    .map(|(before, key, after, value)| {
                        format!("{before}{}{after}:{value}", quoted(key))
                    })
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Segment event names: spec events in their alias forms, user-mapped ones, anything.
fn event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Order Completed",
            "order_completed",
            "Completed Order",
            "Products Searched",
            "product list filtered",
            "Added Product To Wishlist",
            "Video Playback Started",
            "Lead Generated",
            "some custom event",
            "</script>",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

/// A Segment message as text: each field present or not, of the right type or any type.
fn message() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        prop::sample::select(vec!["track", "page", "identify", "alias", "screen"]).prop_map(quoted),
        json(),
    ];
    let event = prop_oneof![event_name().prop_map(|name| quoted(&name)), json()];
    (
        kind,
        prop::option::of(event),
        prop::option::of(json()),
        prop::option::of(json()),
        prop::option::of(scalar()),
        prop::option::of(scalar()),
        prop::option::of(scalar()),
        prop::option::of(scalar()),
    )
        .prop_map(
            |(kind, event, properties, traits, user_id, message_id, name, category)| {
                let mut fields = vec![format!(r#""type":{kind}"#)];
                let optional = [
                    ("event", event),
                    ("properties", properties),
                    ("traits", traits),
                    ("userId", user_id),
                    ("messageId", message_id),
                    ("name", name),
                    ("category", category),
                ];
                for (field, value) in optional {
                    if let Some(value) = value {
                        fields.push(format!("{}:{value}", quoted(field)));
                    }
                }
                format!("{{{}}}", fields.join(","))
            },
        )
}

/// Destination settings: a tag or none, user mappings, custom property paths, both flags.
fn settings() -> impl Strategy<Value = Settings> {
    let pinterest = prop_oneof![
        prop::sample::select(vec!["", "Checkout", "Lead", "Signup", "Custom", "<b>"])
            .prop_map(str::to_owned),
        any::<String>(),
    ];
    (
        prop::sample::select(vec!["", "2620795819800", "t</script>"]),
        prop::collection::vec((event_name(), pinterest), 0..4),
        prop::collection::vec(
            prop::collection::vec(key(), 1..3).prop_map(|path| path.join(".")),
            0..4,
        ),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(tid, event_mapping, custom_properties, enhanced, message_id, plain_dates)| {
                let mut settings = Settings::builder()
                    .tid(tid)
                    .use_enhanced_match_load(enhanced)
                    .map_message_id_to_event_id(message_id)
                    .disable_auto_iso_conversion(plain_dates)
                    .build();
                // As read from JSON, repeated events included.
                settings.tag.event_mapping = event_mapping;
                settings.tag.custom_properties = custom_properties;
                settings
            },
        )
}

/// JSON text as a `Value`, read with the crate's own scanner: numbers become strings of
/// their text (`"number 1e400"`), so that any valid JSON, whatever its numbers' range, has
/// a structure to compare.
fn structure(text: &str) -> Result<Value, TestCaseError> {
    let raw = Json::parse(text)
        .map_err(|error| TestCaseError::fail(format!("not JSON: {error}: {text}")))?;
    Ok(raw_structure(raw))
}

fn raw_structure(raw: Json) -> Value {
    let mut elements = Vec::new();
    if raw.for_each_element(|element| elements.push(raw_structure(element))) {
        return Value::Array(elements);
    }
    let mut entries = serde_json::Map::new();
    if raw.for_each_entry(|key, value| {
        entries.insert(key.to_string(), raw_structure(value));
    }) {
        return Value::Object(entries);
    }
    match raw.text() {
        "null" => Value::Null,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        number if !number.starts_with('"') => Value::String(format!("number {number}")),
        _ => Value::String(raw.to_str().expect("a string").into_owned()),
    }
}

/// Checks one call's two renderings: the JSON argument list is well formed, is what serde
/// writes, and has the shape of its command; the JavaScript statement carries the same
/// arguments and nothing that could end a `<script>` element or a line.
fn check_call(call: &PintrkCall) -> Result<(), TestCaseError> {
    let mut json = Vec::new();
    call.write_json(&mut json).expect("a Vec takes every write");
    let json = String::from_utf8(json).expect("output is UTF-8");
    prop_assert_eq!(&json, &serde_json::to_string(call).expect("serializes"));
    let arguments = structure(&json)?;
    let Value::Array(list) = &arguments else {
        return Err(TestCaseError::fail("not an argument list"));
    };
    match list.as_slice() {
        [Value::String(command)] => prop_assert_eq!(command, "page"),
        [Value::String(command), Value::String(_)] => prop_assert_eq!(command, "load"),
        [Value::String(command), Value::Object(data)] => {
            prop_assert_eq!(command, "set");
            prop_assert_eq!(data.get("np"), Some(&Value::from("segment")));
            prop_assert!(data.len() == 2 && data.contains_key("em"));
        }
        [
            Value::String(command),
            Value::String(_),
            Value::Object(data),
        ] => match command.as_str() {
            "load" => prop_assert!(data.len() == 1 && data.contains_key("em")),
            "track" => {}
            other => return Err(TestCaseError::fail(format!("unknown command {other}"))),
        },
        other => return Err(TestCaseError::fail(format!("malformed call {other:?}"))),
    }
    let js = call.to_js();
    for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}", "\n", "\r"] {
        prop_assert!(!js.contains(forbidden), "{:?} in {}", forbidden, js);
    }
    let inner = js
        .strip_prefix("pintrk(")
        .and_then(|rest| rest.strip_suffix(");"))
        .ok_or_else(|| TestCaseError::fail(format!("not a pintrk statement: {js}")))?;
    prop_assert_eq!(
        &structure(&format!("[{}]", mapping_tests::uncomputed(inner)))?,
        &arguments
    );
    Ok(())
}

/// A JSON value as serde_json holds it: keys the tables read and any, values of every type.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![0.0, -0.0, 1.5, 1e21, 5e-324, -1e-7]).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |number| number.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec!["", "0", "</script>", "\u{2028}"]).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// A table converts `value` and the same JSON as text alike, byte for byte.
fn converts_alike<M: Mapping>(table: &M, value: &Value, text: &str) -> Result<(), TestCaseError> {
    let json = Json::parse(text).map_err(|error| TestCaseError::fail(error.to_string()))?;
    let from_value = serde_json::to_string(&table.event_data(value)).expect("serializes");
    let from_text = serde_json::to_string(&table.event_data(json)).expect("serializes");
    prop_assert_eq!(from_value, from_text, "{} table", M::NAME);
    prop_assert_eq!(table.page_event(Some(value)), table.page_event(Some(json)));
    prop_assert_eq!(value.is_truthy(), json.is_truthy());
    Ok(())
}

/// Maps one message with `table`, checking the call it makes.
fn check_message<M: Mapping>(
    table: M,
    settings: Settings,
    text: &str,
) -> Result<(), TestCaseError> {
    let destination = Destination::with_table(table, settings);
    if let Ok(message) = Message::parse(text)
        && let Some(call) = destination.map(&message)
    {
        check_call(&call)?;
    }
    Ok(())
}

/// Values the Conversions API reads, as senders write them, and anything.
fn identity() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            r#"" Jane.Doe@Example.COM ""#,
            r#""+1 (555) 123-4567""#,
            r#""Female""#,
            r#""non binary""#,
            r#""1997-12-26""#,
            r#""19971226""#,
            r#""1997-02-30""#,
            r#""Saint-Étienne""#,
            r#""SW1A 1AA""#,
            r#""94025-1234""#,
            r#""836F82DB99121B3481011F16B49DFA5FBC714A0D1B1B9F784A1EBBBF5B39577F""#,
            r#""?epik=dj0yJnU9&x=1""#,
            r#""https://shop.example/p?epik=a%2Fb#x""#,
            r#""iOS""#,
            r#""android""#,
            r#""en-US""#,
            r#""203.0.113.9""#,
            r#""Mozilla/5.0""#,
            "12345",
            "false",
        ])
        .prop_map(str::to_owned),
        scalar(),
        json(),
    ]
}

/// A JSON object of some of `fields`, each from `value`.
fn object_of(
    fields: &'static [&'static str],
    value: impl Strategy<Value = String> + 'static,
) -> BoxedStrategy<String> {
    prop::collection::vec((prop::sample::select(fields), value), 0..fields.len() + 1)
        .prop_map(|members| {
            let members: Vec<String> = members
                .iter()
                .map(|(key, value)| format!("{}:{value}", quoted(key)))
                .collect();
            format!("{{{}}}", members.join(","))
        })
        .boxed()
}

/// A track or page message with the fields the Conversions API reads: times, a context with
/// an identity, traits, properties with products; each present or not, of the right type or
/// any.
fn conversion_message() -> impl Strategy<Value = String> {
    // Mostly times the API takes, so that most messages make events.
    let time = prop_oneof![
        4 => prop::sample::select(vec![
            "2026-11-28T12:00:00Z",
            "2026-11-28T11:59:59.999+01:00",
            "2026-11-21T12:05:00Z",
        ])
        .prop_map(quoted),
        1 => prop::sample::select(vec![
            "2026-11-20T12:00:00Z",
            "2026-11-28T13:05:01Z",
            "1970-01-01T00:00:00Z",
            "2026-11-28",
            "yesterday",
        ])
        .prop_map(quoted),
        1 => scalar(),
    ];
    let address = object_of(
        &[
            "city",
            "state",
            "postalCode",
            "postal_code",
            "zip",
            "country",
        ],
        identity(),
    );
    let traits = (
        object_of(
            &[
                "email",
                "phone",
                "firstName",
                "first_name",
                "lastName",
                "last_name",
                "gender",
                "birthday",
            ],
            identity(),
        ),
        prop::option::of(address),
    )
        .prop_map(|(traits, address)| match address {
            Some(address) if traits.len() > 2 => {
                format!("{},\"address\":{address}}}", &traits[..traits.len() - 1])
            }
            Some(address) => format!("{{\"address\":{address}}}"),
            None => traits,
        })
        .boxed();
    let device = object_of(&["type", "adTrackingEnabled", "advertisingId"], identity());
    let page = object_of(&["url", "search"], identity());
    // Mostly an IP address and a user agent, which identify the user.
    let client = prop_oneof![
        3 => Just(r#"{"ip":"203.0.113.9","userAgent":"Mozilla/5.0"}"#.to_owned()),
        1 => object_of(&["ip", "userAgent", "locale"], identity()),
    ];
    let context = (
        client,
        prop::option::of(traits.clone()),
        prop::option::of(device),
        prop::option::of(page),
    )
        .prop_map(|(base, traits, device, page)| {
            let mut members = vec![base[1..base.len() - 1].to_owned()];
            for (key, value) in [("traits", traits), ("device", device), ("page", page)] {
                if let Some(value) = value {
                    members.push(format!("{}:{value}", quoted(key)));
                }
            }
            let members: Vec<String> = members
                .into_iter()
                .filter(|member| !member.is_empty())
                .collect();
            format!("{{{}}}", members.join(","))
        });
    let product = object_of(
        &[
            "sku",
            "product_id",
            "price",
            "quantity",
            "name",
            "category",
            "brand",
            "variant",
        ],
        scalar(),
    );
    let properties = (
        object_of(
            &[
                "order_id", "value", "currency", "query", "email", "click_id", "url", "event_id",
                "eid",
            ],
            scalar(),
        ),
        prop::collection::vec(product, 0..4),
    )
        .prop_map(|(properties, products)| {
            let products = format!("\"products\":[{}]", products.join(","));
            if properties.len() > 2 {
                format!("{},{products}}}", &properties[..properties.len() - 1])
            } else {
                format!("{{{products}}}")
            }
        });
    (
        prop::sample::select(vec!["track", "page"]),
        event_name(),
        prop::option::weighted(0.9, scalar()),
        prop::option::weighted(0.8, time.clone()),
        prop::option::of(time),
        prop::option::weighted(0.8, context),
        prop::option::of(traits),
        prop::option::weighted(0.9, prop_oneof![3 => properties, 1 => json()]),
        prop::option::of(scalar()),
    )
        .prop_map(
            |(
                kind,
                event,
                message_id,
                timestamp,
                sent_at,
                context,
                traits,
                properties,
                user_id,
            )| {
                let mut fields = vec![format!(r#""type":"{kind}","event":{}"#, quoted(&event))];
                let optional = [
                    ("messageId", message_id),
                    ("timestamp", timestamp),
                    ("sentAt", sent_at),
                    ("context", context),
                    ("traits", traits),
                    ("properties", properties),
                    ("userId", user_id),
                ];
                for (field, value) in optional {
                    if let Some(value) = value {
                        fields.push(format!("{}:{value}", quoted(field)));
                    }
                }
                format!("{{{}}}", fields.join(","))
            },
        )
}

/// Pinterest's schema, compiled once.
static SCHEMA: LazyLock<Schema> = LazyLock::new(Schema::load);

/// The Conversions API event of a message, if it makes one, is one Pinterest's schema takes;
/// what it reports shows no value.
fn check_conversion<M: Mapping>(
    table: M,
    settings: Settings,
    text: &str,
) -> Result<(), TestCaseError> {
    let destination = Destination::with_table(table, settings);
    let now = UNIX_EPOCH + Duration::from_secs(1_795_867_500);
    let mut converted = String::new();
    let checked = destination
        .prepare(text, &mut converted)
        .map(|message| check_event(destination.conversion(&message, now)));
    let reports: Vec<String> = match checked {
        Ok(checked) => checked.map_err(TestCaseError::fail)?,
        Err(error) => vec![error.to_string()],
    };
    for report in reports {
        for secret in SECRETS.iter().chain(["Jane", "Étienne", "555"].iter()) {
            prop_assert!(!report.contains(secret), "{}", report);
        }
    }
    Ok(())
}

/// A conversion's event is one Pinterest's schema takes, and the tool's writer and serde write
/// it alike: what the conversion reports, or why not.
fn check_event(conversion: Conversion<'_>) -> Result<Vec<String>, String> {
    match conversion {
        Conversion::Event { event, warnings } => {
            // The tool's writer and serde write the same text.
            let mut written = Vec::new();
            event
                .write_json(&mut written)
                .expect("a Vec takes every write");
            if written != serde_json::to_vec(&event).expect("serializes") {
                return Err(format!("the writer and serde disagree on {event:?}"));
            }
            let body = serde_json::json!({"data": [event]});
            match SCHEMA.check_request(&body) {
                Ok(()) => Ok(warnings.iter().map(ToString::to_string).collect()),
                Err(error) => Err(format!("{error}\nfor {body}")),
            }
        }
        Conversion::Unsendable(reason) => Ok(vec![reason.to_string()]),
        Conversion::Skipped(_) => Ok(Vec::new()),
        other => Err(format!("an outcome this test does not know: {other:?}")),
    }
}

proptest! {
    // Failing cases are kept beside this file, in `library_reliability.regressions`.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_messages_make_events_pinterests_schema_takes(
        text in conversion_message(),
        partner_events in any::<bool>(),
        message_ids in any::<bool>(),
    ) {
        let settings = Settings::builder()
            .tid("t")
            .send_partner_events_as_custom(partner_events)
            .map_message_id_to_event_id(message_ids)
            .custom_property("email")
            .build();
        check_conversion(spec::Table, settings.clone(), &text)?;
        check_conversion(boutique::Table, settings.clone(), &text)?;
        check_conversion(studio::Table, settings, &text)?;
    }

    #[test]
    fn a_value_and_its_text_convert_alike_with_every_table(properties in value()) {
        let text = serde_json::to_string(&properties).expect("serializes");
        converts_alike(&spec::Table, &properties, &text)?;
        converts_alike(&boutique::Table, &properties, &text)?;
        converts_alike(&studio::Table, &properties, &text)?;
    }

    #[test]
    fn arbitrary_messages_map_to_well_formed_calls_with_user_tables(
        settings in settings(),
        text in message(),
    ) {
        check_message(boutique::Table, settings.clone(), &text)?;
        check_message(studio::Table, settings, &text)?;
    }

    #[test]
    fn arbitrary_messages_map_to_well_formed_calls(
        settings in settings(),
        text in message(),
    ) {
        let destination = Destination::new(settings);
        match Message::parse(&text) {
            Ok(message) => {
                if let Some(call) = destination.map(&message) {
                    check_call(&call)?;
                }
            }
            Err(error) => {
                let error = error.to_string();
                for secret in SECRETS {
                    prop_assert!(!error.contains(secret), "{}", error);
                }
            }
        }
    }

    #[test]
    fn arbitrary_traits_start_up_with_well_formed_calls(
        settings in settings(),
        traits in json(),
    ) {
        let destination = Destination::new(settings);
        if let Ok(traits) = Json::parse(&traits) {
            for call in destination.initialize(Some(traits)) {
                check_call(&call)?;
            }
        }
    }

    #[test]
    fn damaged_messages_never_panic(
        text in message(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3_u8), 1..6),
    ) {
        let mut bytes = text.into_bytes();
        for (at, byte, how) in damage {
            let index = at.index(bytes.len() + 1);
            match how {
                0 => bytes.insert(index, byte),
                1 if index < bytes.len() => { bytes.remove(index); }
                _ => bytes.truncate(index),
            }
        }
        let destination = Destination::new(Settings::example());
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let mut out = Vec::new();
            match ndjson::map_line(&destination, OutputFormat::Json, text, &mut out) {
                Ok(_) => {
                    let line = String::from_utf8(out).expect("output is UTF-8");
                    structure(line.trim_end())?;
                }
                Err(error) => {
                    let error = error.to_string();
                    for secret in SECRETS {
                        prop_assert!(!error.contains(secret), "{}", error);
                    }
                }
            }
        }
    }

    #[test]
    fn arbitrary_settings_text_never_panics(text in json()) {
        if let Err(error) = Settings::from_json(&text) {
            let error = error.to_string();
            for secret in SECRETS {
                prop_assert!(!error.contains(secret), "{}", error);
            }
        }
    }
}
