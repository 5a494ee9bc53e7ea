//! Settings as serde reads and writes them: a document of Segment's keys, read from any
//! self-describing format, then checked key by key into [`Settings`].

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{ConversionToken, Settings, SettingsError};
use crate::json::Json;

/// A settings document, read but not yet checked.
pub(super) struct Document {
    /// The known keys' values, in the document's order; `Err` with the type found when the
    /// document is not an object.
    entries: Result<Vec<(&'static str, Loose)>, &'static str>,
    /// The unknown keys, in the document's order.
    pub(super) unknown: Vec<String>,
}

/// A value of a known key, of any type, kept for checking.
enum Loose {
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
    /// A value as deep as settings read them (a key's array or object, and its entries);
    /// deeper containers keep their type only, so that no nesting costs stack.
    fn from_json(json: Json<'_>, depth: usize) -> Loose {
        match json.type_name() {
            "null" => Loose::Null,
            "a boolean" => Loose::Bool(json.as_bool() == Some(true)),
            "a string" => Loose::String(json.as_str().unwrap_or_default().into_owned()),
            "an array" => {
                let mut elements = Vec::new();
                if depth == 0 {
                    json.elements(|element| elements.push(Loose::from_json(element, 1)));
                }
                Loose::Array(elements)
            }
            "an object" => {
                let mut entries = Vec::new();
                if depth == 0 {
                    json.entries(|key, value| {
                        entries.push((key.as_str().into_owned(), Loose::from_json(value, 1)));
                    });
                }
                Loose::Object(entries)
            }
            _ => Loose::Number(json.text().to_owned()),
        }
    }

    fn type_name(&self) -> &'static str {
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
            let key = key.as_str();
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

    /// Checks every known key's value; the last of a repeated key counts.
    pub(super) fn into_settings(self) -> Result<Settings, SettingsError> {
        let entries = self
            .entries
            .map_err(|found| SettingsError::NotAnObject { found })?;
        let mut settings = Settings::default();
        for (key, value) in entries {
            if matches!(value, Loose::Null) {
                settings.reset(key);
                continue;
            }
            match key {
                "tid" => settings.tid = expect_string(key, value)?,
                "pinterestEventMapping" => settings.event_mapping = read_event_mapping(value)?,
                "pinterestCustomProperties" => match value {
                    Loose::Array(elements) => settings.custom_properties = strings(key, elements)?,
                    other => return Err(wrong_type(key, "an array of strings", other.type_name())),
                },
                "useEnhancedMatchLoad" => {
                    settings.use_enhanced_match_load = expect_bool(key, value)?
                }
                "mapMessageIdToEventId" => {
                    settings.map_message_id_to_event_id = expect_bool(key, value)?;
                }
                "disableAutoISOConversion" => {
                    settings.disable_auto_iso_conversion = expect_bool(key, value)?;
                }
                "ad_account_id" => settings.ad_account_id = read_ad_account_id(value)?,
                "conversion_token" => {
                    let token = expect_string(key, value)?;
                    settings.conversion_token =
                        (!token.is_empty()).then(|| ConversionToken::new(token));
                }
                "maxEventAgeDays" => settings.max_event_age_days = read_max_event_age(value)?,
                "sendPartnerEventsAsCustom" => {
                    settings.send_partner_events_as_custom = expect_bool(key, value)?;
                }
                _ => unreachable!("`{key}` is not in Settings::KEYS"),
            }
        }
        Ok(settings)
    }
}

impl Settings {
    /// Sets `key` back to its default (the key set to `null`).
    fn reset(&mut self, key: &str) {
        let default = Settings::default();
        match key {
            "tid" => self.tid = default.tid,
            "pinterestEventMapping" => self.event_mapping = default.event_mapping,
            "pinterestCustomProperties" => self.custom_properties = default.custom_properties,
            "useEnhancedMatchLoad" => self.use_enhanced_match_load = false,
            "mapMessageIdToEventId" => self.map_message_id_to_event_id = false,
            "disableAutoISOConversion" => self.disable_auto_iso_conversion = false,
            "ad_account_id" => self.ad_account_id = default.ad_account_id,
            "conversion_token" => self.conversion_token = None,
            "maxEventAgeDays" => self.max_event_age_days = default.max_event_age_days,
            "sendPartnerEventsAsCustom" => self.send_partner_events_as_custom = false,
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

fn read_event_mapping(value: Loose) -> Result<Vec<(String, String)>, SettingsError> {
    let entries = match value {
        Loose::Object(entries) => entries,
        // Segment's original iterates an array's indices: `["Lead"]` maps the event `0`.
        Loose::Array(elements) => {
            return Ok(strings("pinterestEventMapping", elements)?
                .into_iter()
                .enumerate()
                .map(|(index, pinterest)| (index.to_string(), pinterest))
                .collect());
        }
        other => {
            return Err(wrong_type(
                "pinterestEventMapping",
                "an object of event names",
                other.type_name(),
            ));
        }
    };
    let mut mapping: Vec<(String, String)> = Vec::with_capacity(entries.len());
    // Where each event is in `mapping`.
    let mut positions: HashMap<String, usize> = HashMap::new();
    for (event, pinterest) in entries {
        let pinterest = match pinterest {
            Loose::String(text) => text,
            other => {
                return Err(wrong_type(
                    &format!("pinterestEventMapping[{event:?}]"),
                    "a string",
                    other.type_name(),
                ));
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
    Ok(mapping)
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

/// The strings of an array, the setting `name`; an error names the first element that is not a
/// string.
fn strings(name: &str, elements: Vec<Loose>) -> Result<Vec<String>, SettingsError> {
    elements
        .into_iter()
        .enumerate()
        .map(|(index, element)| match element {
            Loose::String(text) => Ok(text),
            other => Err(wrong_type(
                &format!("{name}[{index}]"),
                "a string",
                other.type_name(),
            )),
        })
        .collect()
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
        Document::deserialize(deserializer)?
            .into_settings()
            .map_err(de::Error::custom)
    }
}

/// Writes Segment's settings JSON, every key, `conversion_token` included when set.
impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("tid", &self.tid)?;
        map.serialize_entry("pinterestEventMapping", &EventMapping(&self.event_mapping))?;
        map.serialize_entry("pinterestCustomProperties", &self.custom_properties)?;
        map.serialize_entry("useEnhancedMatchLoad", &self.use_enhanced_match_load)?;
        map.serialize_entry("mapMessageIdToEventId", &self.map_message_id_to_event_id)?;
        map.serialize_entry(
            "disableAutoISOConversion",
            &self.disable_auto_iso_conversion,
        )?;
        map.serialize_entry("ad_account_id", &self.ad_account_id)?;
        if let Some(token) = &self.conversion_token {
            map.serialize_entry("conversion_token", token.expose())?;
        }
        map.serialize_entry("maxEventAgeDays", &self.max_event_age_days)?;
        map.serialize_entry(
            "sendPartnerEventsAsCustom",
            &self.send_partner_events_as_custom,
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
