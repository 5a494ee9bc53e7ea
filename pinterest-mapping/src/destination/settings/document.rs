//! Settings as serde reads and writes them: a document of Segment's keys, read from any
//! self-describing format, then checked key by key into [`Settings`].

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::javascript::MAX_DEPTH;
use super::{ConversionToken, Settings, SettingsError, SettingsWarning};
use crate::json::Json;
use crate::json::write::json_string;

/// A settings document, read but not yet checked.
pub(super) struct Document {
    /// The known keys' values, in the document's order; `Err` with the type found when the
    /// document is not an object.
    entries: Result<Vec<(&'static str, Loose)>, &'static str>,
    /// The unknown keys, in the document's order.
    pub(super) unknown: Vec<String>,
}

/// A value of a known key, of any type, kept for checking and for reading as Segment's
/// integration reads values of other types ([`super::javascript`]).
pub(super) enum Loose {
    Null,
    Bool(bool),
    /// A number, as its shortest decimal text.
    Number(String),
    String(String),
    Array(Vec<Loose>),
    /// Entries in the document's order.
    Object(Vec<(String, Loose)>),
}

impl Loose {
    /// A value as deep as settings read it (a few levels, as a JavaScript string conversion
    /// of nested arrays reaches); deeper containers keep their type only, so that no nesting
    /// costs stack.
    pub(super) fn from_json(json: Json<'_>, depth: usize) -> Loose {
        match json.type_name() {
            "null" => Loose::Null,
            "a boolean" => Loose::Bool(json.as_bool() == Some(true)),
            "a string" => Loose::String(json.to_str().unwrap_or_default().into_owned()),
            "an array" => {
                let mut elements = Vec::new();
                if depth < MAX_DEPTH {
                    json.elements(|element| elements.push(Loose::from_json(element, depth + 1)));
                }
                Loose::Array(elements)
            }
            "an object" => {
                let mut entries = Vec::new();
                if depth < MAX_DEPTH {
                    json.entries(|key, value| {
                        let value = Loose::from_json(value, depth + 1);
                        entries.push((key.to_str_lossy().into_owned(), value));
                    });
                }
                Loose::Object(entries)
            }
            _ => Loose::Number(json.text().to_owned()),
        }
    }

    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::Bool(_) => "a boolean",
            Loose::Number(_) => "a number",
            Loose::String(_) => "a string",
            Loose::Array(_) => "an array",
            Loose::Object(_) => "an object",
        }
    }
}

impl Document {
    /// The document of JSON text the crate's scanner has checked: strings decoded as messages'
    /// are (a lone surrogate escape becoming U+FFFD), numbers kept as written, any depth.
    pub(super) fn from_json(json: Json<'_>) -> Document {
        let mut entries = Vec::new();
        let mut unknown = Vec::new();
        let is_object = json.entries(|key, value| {
            let key = key.to_str_lossy();
            match Settings::KEYS.iter().find(|known| **known == key) {
                Some(known) => entries.push((*known, Loose::from_json(value, 0))),
                None => unknown.push(key.into_owned()),
            }
        });
        if is_object {
            Document {
                entries: Ok(entries),
                unknown,
            }
        } else {
            not_an_object(json.type_name())
        }
    }

    /// Checks every known key's value; the last of a repeated key counts. A value of
    /// Segment's keys of another type than the key's is read as Segment's integration reads
    /// it, with a warning; the Conversions API's keys take their own types only.
    pub(super) fn into_settings(self) -> Result<(Settings, Vec<SettingsWarning>), SettingsError> {
        let entries = self
            .entries
            .map_err(|found| SettingsError::NotAnObject { found })?;
        let mut settings = Settings::default();
        let mut warnings = Vec::new();
        for (key, value) in entries {
            if matches!(value, Loose::Null) {
                settings.reset(key);
                continue;
            }
            match key {
                "tid" => settings.tag.tid = read_tid(value, &mut warnings)?,
                "pinterestEventMapping" => {
                    settings.tag.event_mapping = read_event_mapping(value, &mut warnings);
                }
                "pinterestCustomProperties" => {
                    settings.tag.custom_properties = read_custom_properties(value, &mut warnings);
                }
                "useEnhancedMatchLoad" => {
                    settings.tag.use_enhanced_match_load = read_flag(key, &value, &mut warnings);
                }
                "mapMessageIdToEventId" => {
                    settings.tag.map_message_id_to_event_id = read_flag(key, &value, &mut warnings);
                }
                "disableAutoISOConversion" => {
                    settings.disable_auto_iso_conversion = read_flag(key, &value, &mut warnings);
                }
                "ad_account_id" => settings.conversions.ad_account_id = read_ad_account_id(value)?,
                "conversion_token" => {
                    let token = expect_string(key, value)?;
                    settings.conversions.conversion_token =
                        (!token.is_empty()).then(|| ConversionToken::new(token));
                }
                "maxEventAgeDays" => {
                    settings.conversions.max_event_age_days = read_max_event_age(value)?;
                }
                "sendPartnerEventsAsCustom" => {
                    settings.conversions.send_partner_events_as_custom = expect_bool(key, value)?;
                }
                _ => unreachable!("`{key}` is not in Settings::KEYS"),
            }
        }
        Ok((settings, warnings))
    }
}

impl Settings {
    /// Sets `key` back to its default (the key set to `null`).
    fn reset(&mut self, key: &str) {
        let default = Settings::default();
        match key {
            "tid" => self.tag.tid = default.tag.tid,
            "pinterestEventMapping" => self.tag.event_mapping = default.tag.event_mapping,
            "pinterestCustomProperties" => {
                self.tag.custom_properties = default.tag.custom_properties;
            }
            "useEnhancedMatchLoad" => self.tag.use_enhanced_match_load = false,
            "mapMessageIdToEventId" => self.tag.map_message_id_to_event_id = false,
            "disableAutoISOConversion" => self.disable_auto_iso_conversion = false,
            "ad_account_id" => self.conversions.ad_account_id = default.conversions.ad_account_id,
            "conversion_token" => self.conversions.conversion_token = None,
            "maxEventAgeDays" => {
                self.conversions.max_event_age_days = default.conversions.max_event_age_days;
            }
            "sendPartnerEventsAsCustom" => self.conversions.send_partner_events_as_custom = false,
            _ => {}
        }
    }
}

fn expect_string(key: &str, value: Loose) -> Result<String, SettingsError> {
    match value {
        Loose::String(text) => Ok(text),
        other => Err(wrong_type(key, "a string", other.type_name())),
    }
}

fn expect_bool(key: &str, value: Loose) -> Result<bool, SettingsError> {
    match value {
        Loose::Bool(flag) => Ok(flag),
        other => Err(wrong_type(key, "true or false", other.type_name())),
    }
}

/// `tid`: a string. Segment's integration tests the value's truthiness and sends it as it is:
/// a number is read as its digits, `0` as no tag ID.
fn read_tid(value: Loose, warnings: &mut Vec<SettingsWarning>) -> Result<String, SettingsError> {
    match value {
        Loose::String(text) => Ok(text),
        Loose::Number(_) => {
            let tid = if value.is_truthy() {
                value.to_js_string()
            } else {
                String::new()
            };
            let reading = if tid.is_empty() {
                "Segment's integration reads it as no tag ID".to_owned()
            } else {
                format!("read as the tag ID `{tid}`")
            };
            warnings.push(SettingsWarning::read_as_segment_does(
                "tid",
                "a number",
                reading,
                (!tid.is_empty()).then(|| format!("the string `\"{tid}\"`")),
            ));
            Ok(tid)
        }
        other => Err(wrong_type("tid", "a string", other.type_name())),
    }
}

/// `pinterestEventMapping`: an object of Segment event names and Pinterest events. Segment's
/// integration visits whatever it is given with `for…in` and stops at the first key equal to
/// the event name ignoring case: an array (`[{"key": …, "value": …}]` included) or a string
/// maps its indices (`0`, `1`, …), a number or a boolean nothing. A value that is not a string
/// sends the Segment event name unchanged, as Segment's does for `""`, `null`, `false` and `0`.
fn read_event_mapping(value: Loose, warnings: &mut Vec<SettingsWarning>) -> Vec<(String, String)> {
    const KEY: &str = "pinterestEventMapping";
    match &value {
        Loose::Object(_) => {}
        Loose::Array(elements) => warnings.push(match key_value_pairs(elements) {
            Some(meant) => SettingsWarning::read_as_segment_does(
                KEY,
                "an array of `{key, value}` objects",
                "Segment's integration reads its indices (`0`, `1`, …) as the event names, so \
                 it maps no event of these",
                Some(meant),
            ),
            None => SettingsWarning::read_as_segment_does(
                KEY,
                "an array",
                "Segment's integration reads its indices (`0`, `1`, …) as the event names",
                Some(MAPPING_MEANT.to_owned()),
            ),
        }),
        Loose::String(_) => warnings.push(SettingsWarning::read_as_segment_does(
            KEY,
            "a string",
            "Segment's integration reads the indices of its characters (`0`, `1`, …) as the \
             event names",
            Some(MAPPING_MEANT.to_owned()),
        )),
        other => warnings.push(SettingsWarning::read_as_segment_does(
            KEY,
            other.type_name(),
            "Segment's integration finds no event names in it: every event maps by the table",
            Some(MAPPING_MEANT.to_owned()),
        )),
    }
    let is_object = matches!(value, Loose::Object(_));
    let mut mapping: Vec<(String, String)> = Vec::new();
    // Where each event is in `mapping`.
    let mut positions: HashMap<String, usize> = HashMap::new();
    for (event, pinterest) in value.for_in_entries() {
        let pinterest = match pinterest {
            Loose::String(text) => text,
            other => {
                // An array's elements are named by the warning on the whole array.
                if is_object {
                    warnings.push(SettingsWarning::read_as_segment_does(
                        format!("{KEY}[{event:?}]"),
                        other.type_name(),
                        "not a Pinterest event: the Segment event name is sent unchanged",
                        None,
                    ));
                }
                String::new()
            }
        };
        // A repeated key keeps its first position and its last value, as in `JSON.parse`.
        match positions.get(&event) {
            Some(&position) => mapping[position].1 = pinterest,
            None => {
                positions.insert(event.clone(), mapping.len());
                mapping.push((event, pinterest));
            }
        }
    }
    mapping
}

/// What an event mapping should look like.
const MAPPING_MEANT: &str =
    "an object of event names, such as `{\"Order Completed\": \"Checkout\"}`";

/// The object an array of `{key, value}` objects of strings stands for, as JSON (its first
/// three entries); `None` when the array has another shape.
fn key_value_pairs(elements: &[Loose]) -> Option<String> {
    let pairs = elements
        .iter()
        .map(|element| {
            let Loose::Object(entries) = element else {
                return None;
            };
            let field = |name: &str| {
                entries.iter().rev().find_map(|(key, value)| match value {
                    Loose::String(text) if key == name => Some(text.as_str()),
                    _ => None,
                })
            };
            Some((field("key")?, field("value")?))
        })
        .collect::<Option<Vec<_>>>()?;
    if pairs.is_empty() {
        return None;
    }
    let shown: Vec<String> = pairs
        .iter()
        .take(3)
        .map(|(key, value)| format!("{}: {}", json_string(key), json_string(value)))
        .collect();
    let more = if pairs.len() > 3 { ", …" } else { "" };
    Some(format!("the object `{{{}{more}}}`", shown.join(", ")))
}

/// `pinterestCustomProperties`: an array of property paths. Segment's integration reads
/// `value[0]` to `value[value.length - 1]`, each joined into the path `properties.` + element:
/// a string is its characters, an object its indices up to its `length`, an element of
/// another type its string conversion (`5`, `true`, `[object Object]`, `undefined`).
fn read_custom_properties(value: Loose, warnings: &mut Vec<SettingsWarning>) -> Vec<String> {
    const KEY: &str = "pinterestCustomProperties";
    match &value {
        Loose::Array(_) => {}
        Loose::String(text) => warnings.push(SettingsWarning::read_as_segment_does(
            KEY,
            "a string",
            "Segment's integration reads each of its characters as a property name",
            Some(format!("`[{}]`", comma_separated_names(text))),
        )),
        other => warnings.push(SettingsWarning::read_as_segment_does(
            KEY,
            other.type_name(),
            if matches!(other, Loose::Object(_)) {
                "Segment's integration reads it as an array by its `length` key"
            } else {
                "Segment's integration finds no property names in it"
            },
            Some("an array of property names, such as `[\"plan\"]`".to_owned()),
        )),
    }
    let is_array = matches!(value, Loose::Array(_));
    value
        .indexed_elements()
        .into_iter()
        .enumerate()
        .map(|(index, element)| match element {
            Some(Loose::String(text)) => text,
            Some(other) => {
                let name = other.to_js_string();
                if is_array {
                    warnings.push(SettingsWarning::read_as_segment_does(
                        format!("{KEY}[{index}]"),
                        other.type_name(),
                        format!("Segment's integration reads it as the property name `{name}`"),
                        None,
                    ));
                }
                name
            }
            None => "undefined".to_owned(),
        })
        .collect()
}

/// The comma-separated names of `text`, as a JSON array's elements.
fn comma_separated_names(text: &str) -> String {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(json_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A flag: `true` or `false`. Segment's integration tests any other value's truthiness:
/// `"false"` is true, as every non-empty string is.
fn read_flag(key: &'static str, value: &Loose, warnings: &mut Vec<SettingsWarning>) -> bool {
    if let Loose::Bool(flag) = value {
        return *flag;
    }
    let on = value.is_truthy();
    let (found, spelled) = match value {
        Loose::String(text) => {
            let spelled = match text.trim().to_ascii_lowercase().as_str() {
                "false" | "0" | "no" | "off" => Some(false),
                "true" | "1" | "yes" | "on" => Some(true),
                _ => None,
            };
            let found = if spelled.is_some() {
                format!("the string {}", json_string(text))
            } else {
                "a string".to_owned()
            };
            (found, spelled)
        }
        Loose::Number(_) => (format!("the number {}", value.to_js_string()), Some(on)),
        other => (other.type_name().to_owned(), Some(on)),
    };
    warnings.push(SettingsWarning::read_as_segment_does(
        key,
        found,
        format!("Segment's integration reads it as {on}"),
        Some(spelled.map_or("`true` or `false`".to_owned(), |flag| format!("`{flag}`"))),
    ));
    on
}

/// `ad_account_id`: digits (at most 18), as a string or a number; empty means unset.
fn read_ad_account_id(value: Loose) -> Result<String, SettingsError> {
    let text = match value {
        Loose::String(text) | Loose::Number(text) => text,
        other => {
            return Err(wrong_type(
                "ad_account_id",
                "a string of digits",
                other.type_name(),
            ));
        }
    };
    if text.is_empty() || (text.len() <= 18 && text.bytes().all(|byte| byte.is_ascii_digit())) {
        Ok(text)
    } else {
        Err(SettingsError::Invalid {
            key: "ad_account_id",
            expected: "the ad account's number: digits only, at most 18",
        })
    }
}

/// `maxEventAgeDays`: a whole number of days, 1 to 365.
fn read_max_event_age(value: Loose) -> Result<u32, SettingsError> {
    let Loose::Number(text) = value else {
        return Err(wrong_type(
            "maxEventAgeDays",
            "a number of days",
            value.type_name(),
        ));
    };
    text.parse::<u32>()
        .ok()
        .filter(|days| (1..=365).contains(days))
        .ok_or(SettingsError::Invalid {
            key: "maxEventAgeDays",
            expected: "a whole number of days from 1 to 365",
        })
}

fn wrong_type(key: &str, expected: &'static str, found: &'static str) -> SettingsError {
    SettingsError::WrongType {
        key: key.to_owned(),
        expected,
        found,
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a settings object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut entries = Vec::new();
        let mut unknown = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match Settings::KEYS.iter().find(|known| **known == key) {
                Some(known) => entries.push((*known, map.next_value::<Loose>()?)),
                None => {
                    map.next_value::<IgnoredAny>()?;
                    unknown.push(key);
                }
            }
        }
        Ok(Document {
            entries: Ok(entries),
            unknown,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(not_an_object("an array"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Document, E> {
        Ok(not_an_object("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Document, E> {
        Ok(not_an_object("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Document, E> {
        Ok(not_an_object("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Document, E> {
        Ok(not_an_object("a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Document, E> {
        Ok(not_an_object("a string"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(not_an_object("null"))
    }

    fn visit_none<E: de::Error>(self) -> Result<Document, E> {
        Ok(not_an_object("null"))
    }
}

fn not_an_object(found: &'static str) -> Document {
    Document {
        entries: Err(found),
        unknown: Vec::new(),
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Loose, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Loose, E> {
        Ok(Loose::Number(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Loose, E> {
        Ok(Loose::Number(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Loose, E> {
        Ok(Loose::Number(value.to_string()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Loose, E> {
        Ok(Loose::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Loose, E> {
        Ok(Loose::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Loose, D::Error> {
        Loose::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element()? {
            elements.push(element);
        }
        Ok(Loose::Array(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Loose::Object(entries))
    }
}

/// Reads Segment's settings with the rules of [`Settings::from_json`], from any self-describing
/// format.
impl<'de> Deserialize<'de> for Settings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Settings, D::Error> {
        let (settings, _) = Document::deserialize(deserializer)?
            .into_settings()
            .map_err(de::Error::custom)?;
        Ok(settings)
    }
}

/// Writes Segment's settings JSON, every key, `conversion_token` included when set.
impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("tid", &self.tag.tid)?;
        map.serialize_entry(
            "pinterestEventMapping",
            &EventMapping(&self.tag.event_mapping),
        )?;
        map.serialize_entry("pinterestCustomProperties", &self.tag.custom_properties)?;
        map.serialize_entry("useEnhancedMatchLoad", &self.tag.use_enhanced_match_load)?;
        map.serialize_entry(
            "mapMessageIdToEventId",
            &self.tag.map_message_id_to_event_id,
        )?;
        map.serialize_entry(
            "disableAutoISOConversion",
            &self.disable_auto_iso_conversion,
        )?;
        map.serialize_entry("ad_account_id", &self.conversions.ad_account_id)?;
        if let Some(token) = &self.conversions.conversion_token {
            map.serialize_entry("conversion_token", token.expose())?;
        }
        map.serialize_entry("maxEventAgeDays", &self.conversions.max_event_age_days)?;
        map.serialize_entry(
            "sendPartnerEventsAsCustom",
            &self.conversions.send_partner_events_as_custom,
        )?;
        map.end()
    }
}

/// `pinterestEventMapping`, written as an object in its order.
struct EventMapping<'a>(&'a [(String, String)]);

impl Serialize for EventMapping<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (event, pinterest) in self.0 {
            map.serialize_entry(event, pinterest)?;
        }
        map.end()
    }
}
