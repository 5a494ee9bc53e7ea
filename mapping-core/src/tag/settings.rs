//! The destination's settings, read from Segment's settings JSON with its exact key names (and,
//! for the Conversions API, those of Segment's "Pinterest Conversions API" destination).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use thiserror::Error;

use crate::json::{Json, Key, SyntaxError};

/// The destination's settings, as Segment stores them: the Pinterest Tag's, and the
/// Conversions API's.
///
/// ```
/// use mapping_core::Settings;
///
/// let settings = Settings::from_json(r#"{
///     "tid": "2620795819800",
///     "pinterestEventMapping": {"Lead Generated": "Lead"},
///     "pinterestCustomProperties": ["plan"],
///     "someOtherKey": "ignored"
/// }"#)?;
/// assert_eq!(settings.tid, "2620795819800");
/// assert_eq!(settings.event_mapping, [("Lead Generated".to_owned(), "Lead".to_owned())]);
/// assert!(!settings.use_enhanced_match_load);
///
/// let error = Settings::from_json(r#"{"tid": 2620795819800}"#).unwrap_err();
/// assert_eq!(error.to_string(), "`tid` must be a string, found a number");
/// # Ok::<(), mapping_core::SettingsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `tid`: the Pinterest Tag ID. Empty: the destination produces no call at all.
    pub tid: String,
    /// `pinterestEventMapping`: Segment event → Pinterest event, in the settings' key order
    /// (the first key equal to an event name ignoring case wins). A value of `""` sends the
    /// Segment event name unchanged. An array maps its indices, as Segment's original reads
    /// it: `["Lead"]` maps the event `0`.
    pub event_mapping: Vec<(String, String)>,
    /// `pinterestCustomProperties`: property paths copied into the event data of track calls.
    pub custom_properties: Vec<String>,
    /// `useEnhancedMatchLoad`: add the stored email to the `load` call.
    pub use_enhanced_match_load: bool,
    /// `mapMessageIdToEventId`: send the message's `messageId` as `event_id`.
    pub map_message_id_to_event_id: bool,
    /// `disableAutoISOConversion`: take date strings as they are. By default, as analytics.js
    /// does before any destination sees a message, every string value that looks like an ISO
    /// 8601 date is sent as the date's `toISOString()` (`"2024-01-02"` →
    /// `"2024-01-02T00:00:00.000Z"`); analytics-next's load option of this name turns that
    /// off. See [`crate::segment::dates`].
    pub disable_auto_iso_conversion: bool,
    /// `ad_account_id`: the Pinterest ad account the Conversions API's events are sent to
    /// (digits, as Ads Manager shows it).
    pub ad_account_id: String,
    /// `conversion_token`: the Conversions API's access token, made in Ads Manager. Never
    /// printed: its `Debug` is redacted.
    pub conversion_token: Option<ConversionToken>,
    /// `maxEventAgeDays`: the age beyond which an event is not sent to the Conversions API
    /// (which refuses stale events), in days; 7 by default.
    pub max_event_age_days: u32,
    /// `sendPartnerEventsAsCustom`: send partner-defined events to the Conversions API as
    /// `custom` events; by default they reach the Tag only.
    pub send_partner_events_as_custom: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            tid: String::new(),
            event_mapping: Vec::new(),
            custom_properties: Vec::new(),
            use_enhanced_match_load: false,
            map_message_id_to_event_id: false,
            disable_auto_iso_conversion: false,
            ad_account_id: String::new(),
            conversion_token: None,
            max_event_age_days: Settings::DEFAULT_MAX_EVENT_AGE_DAYS,
            send_partner_events_as_custom: false,
        }
    }
}

/// A Conversions API access token. Its `Debug` and `Display` never show it; [`Self::expose`]
/// does, for the request that needs it.
///
/// ```
/// use mapping_core::ConversionToken;
///
/// let token = ConversionToken::new("pina_secret");
/// assert_eq!(format!("{token:?}"), "ConversionToken(redacted)");
/// assert_eq!(token.expose(), "pina_secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConversionToken(String);

impl ConversionToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> ConversionToken {
        ConversionToken(token.into())
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ConversionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConversionToken(redacted)")
    }
}

/// Why settings were rejected. Messages name the key, never a value.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// The text is not JSON.
    #[error("settings are not valid JSON: {0}")]
    Json(#[from] SyntaxError),
    /// The JSON is not an object.
    #[error("settings must be a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A known key has a value outside what it takes.
    #[error("`{key}` must be {expected}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// What the key takes.
        expected: &'static str,
    },
    /// A known key has a value of the wrong type.
    #[error("`{key}` must be {expected}, found {found}")]
    WrongType {
        /// The key, with the entry inside it when the problem is there
        /// (`pinterestCustomProperties[2]`).
        key: String,
        /// What the key takes.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
}

/// The built-in example configuration, also shipped as `examples/settings.json`.
const EXAMPLE: &str = include_str!("example-settings.json");

impl Settings {
    /// The default of `maxEventAgeDays`: Pinterest refuses events older than a week.
    pub const DEFAULT_MAX_EVENT_AGE_DAYS: u32 = 7;

    /// Reads Segment's settings JSON. Unknown keys are ignored; a known key set to `null` takes
    /// its default; a known key of another type is an error naming the key. A byte-order mark
    /// before the JSON is ignored.
    pub fn from_json(text: &str) -> Result<Settings, SettingsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let json = Json::parse(text)?;
        let mut settings = Settings::default();
        // As in `JSON.parse`, a repeated key keeps its last value.
        let is_object = try_entries(json, |key, value| {
            if value.is_null() {
                return Ok(());
            }
            let key = key.as_str();
            match key.as_ref() {
                "tid" => settings.tid = expect_string(&key, value)?,
                "pinterestEventMapping" => settings.event_mapping = read_event_mapping(value)?,
                "pinterestCustomProperties" => {
                    settings.custom_properties = read_custom_properties(value)?;
                }
                "useEnhancedMatchLoad" => {
                    settings.use_enhanced_match_load = expect_bool(&key, value)?
                }
                "mapMessageIdToEventId" => {
                    settings.map_message_id_to_event_id = expect_bool(&key, value)?;
                }
                "disableAutoISOConversion" => {
                    settings.disable_auto_iso_conversion = expect_bool(&key, value)?;
                }
                "ad_account_id" => settings.ad_account_id = read_ad_account_id(value)?,
                "conversion_token" => {
                    let token = expect_string(&key, value)?;
                    settings.conversion_token =
                        (!token.is_empty()).then(|| ConversionToken::new(token));
                }
                "maxEventAgeDays" => settings.max_event_age_days = read_max_event_age(value)?,
                "sendPartnerEventsAsCustom" => {
                    settings.send_partner_events_as_custom = expect_bool(&key, value)?;
                }
                _ => {}
            }
            Ok(())
        })?;
        if !is_object {
            return Err(SettingsError::NotAnObject {
                found: json.type_name(),
            });
        }
        Ok(settings)
    }

    /// The built-in example configuration: Segment's documented test tag, three user
    /// event mappings (`Lead Generated` → `Lead`, `User Signed Up` → `Signup`,
    /// `Some Custom Event` → `Custom`) and one custom property, `custom_prop`.
    pub fn example() -> Settings {
        match Settings::from_json(EXAMPLE) {
            Ok(settings) => settings,
            // The file is part of the crate and a test parses it.
            Err(error) => unreachable!("the built-in example settings are invalid: {error}"),
        }
    }
}

fn expect_string(key: &str, value: Json<'_>) -> Result<String, SettingsError> {
    value
        .as_str()
        .map(|text| text.into_owned())
        .ok_or_else(|| wrong_type(key, "a string", value))
}

fn expect_bool(key: &str, value: Json<'_>) -> Result<bool, SettingsError> {
    value
        .as_bool()
        .ok_or_else(|| wrong_type(key, "true or false", value))
}

fn read_event_mapping(value: Json<'_>) -> Result<Vec<(String, String)>, SettingsError> {
    let mut mapping: Vec<(String, String)> = Vec::new();
    // Where each event is in `mapping`.
    let mut positions: HashMap<String, usize> = HashMap::new();
    let is_object = try_entries(value, |event, pinterest| {
        let event = event.as_str();
        let pinterest = pinterest.as_str().map(Cow::into_owned).ok_or_else(|| {
            wrong_type(
                &format!("pinterestEventMapping[{event:?}]"),
                "a string",
                pinterest,
            )
        })?;
        // A repeated key keeps its first position and its last value, as in `JSON.parse`.
        match positions.get(event.as_ref()) {
            Some(&position) => mapping[position].1 = pinterest,
            None => {
                positions.insert(event.clone().into_owned(), mapping.len());
                mapping.push((event.into_owned(), pinterest));
            }
        }
        Ok(())
    })?;
    if is_object {
        return Ok(mapping);
    }
    // Segment's original iterates an array's indices: `["Lead"]` maps the event `0`.
    match read_strings("pinterestEventMapping", value)? {
        Some(events) => Ok(events
            .into_iter()
            .enumerate()
            .map(|(index, pinterest)| (index.to_string(), pinterest))
            .collect()),
        None => Err(wrong_type(
            "pinterestEventMapping",
            "an object of event names",
            value,
        )),
    }
}

/// `ad_account_id`: digits (at most 18), as a string or a number; empty means unset.
fn read_ad_account_id(value: Json<'_>) -> Result<String, SettingsError> {
    let text = match value.as_str() {
        Some(text) => text.into_owned(),
        None if value.type_name() == "a number" => value.text().to_owned(),
        None => return Err(wrong_type("ad_account_id", "a string of digits", value)),
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
fn read_max_event_age(value: Json<'_>) -> Result<u32, SettingsError> {
    if value.type_name() != "a number" {
        return Err(wrong_type("maxEventAgeDays", "a number of days", value));
    }
    value
        .text()
        .parse::<u32>()
        .ok()
        .filter(|days| (1..=365).contains(days))
        .ok_or(SettingsError::Invalid {
            key: "maxEventAgeDays",
            expected: "a whole number of days from 1 to 365",
        })
}

fn read_custom_properties(value: Json<'_>) -> Result<Vec<String>, SettingsError> {
    read_strings("pinterestCustomProperties", value)?
        .ok_or_else(|| wrong_type("pinterestCustomProperties", "an array of strings", value))
}

/// The strings of the array `value`, the setting `name`; `Ok(None)` when it is not an array,
/// an error naming the first element that is not a string.
fn read_strings(name: &str, value: Json<'_>) -> Result<Option<Vec<String>>, SettingsError> {
    let mut strings = Vec::new();
    let mut error = None;
    let is_array = value.elements(|element| {
        if error.is_some() {
            return;
        }
        match element.as_str() {
            Some(text) => strings.push(text.into_owned()),
            None => {
                let key = format!("{name}[{}]", strings.len());
                error = Some(wrong_type(&key, "a string", element));
            }
        }
    });
    match error {
        Some(error) => Err(error),
        None => Ok(is_array.then_some(strings)),
    }
}

/// Visits an object's entries until `visit` fails; `Ok(false)` when `value` is not an object.
fn try_entries<'a>(
    value: Json<'a>,
    mut visit: impl FnMut(Key<'a>, Json<'a>) -> Result<(), SettingsError>,
) -> Result<bool, SettingsError> {
    let mut error = None;
    let is_object = value.entries(|key, value| {
        if error.is_none() {
            error = visit(key, value).err();
        }
    });
    error.map_or(Ok(is_object), Err)
}

fn wrong_type(key: &str, expected: &'static str, found: Json<'_>) -> SettingsError {
    SettingsError::WrongType {
        key: key.to_owned(),
        expected,
        found: found.type_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Settings::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn defaults_when_keys_are_absent_or_null() {
        assert_eq!(Settings::from_json("{}").unwrap(), Settings::default());
        let nulls = r#"{"tid":null,"pinterestEventMapping":null,"pinterestCustomProperties":null,
                        "useEnhancedMatchLoad":null,"mapMessageIdToEventId":null}"#;
        assert_eq!(Settings::from_json(nulls).unwrap(), Settings::default());
    }

    #[test]
    fn reads_every_key_and_ignores_unknown_ones() {
        let settings = Settings::from_json(
            r#"{"tid":"t","pinterestEventMapping":{"B":"Lead","a":"Signup","B":"Custom"},
                "pinterestCustomProperties":["x","a.b"],"useEnhancedMatchLoad":true,
                "mapMessageIdToEventId":true,"disableAutoISOConversion":true,"unknown":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(
            settings,
            Settings {
                tid: "t".to_owned(),
                event_mapping: vec![
                    ("B".to_owned(), "Custom".to_owned()),
                    ("a".to_owned(), "Signup".to_owned())
                ],
                custom_properties: vec!["x".to_owned(), "a.b".to_owned()],
                use_enhanced_match_load: true,
                map_message_id_to_event_id: true,
                disable_auto_iso_conversion: true,
                ..Settings::default()
            }
        );
    }

    #[test]
    fn reads_the_conversions_api_keys() {
        let settings = Settings::from_json(
            r#"{"ad_account_id":"549755885175","conversion_token":"pina_x","maxEventAgeDays":3,
                "sendPartnerEventsAsCustom":true}"#,
        )
        .unwrap();
        assert_eq!(settings.ad_account_id, "549755885175");
        assert_eq!(
            settings
                .conversion_token
                .as_ref()
                .map(ConversionToken::expose),
            Some("pina_x")
        );
        assert_eq!(settings.max_event_age_days, 3);
        assert!(settings.send_partner_events_as_custom);
        assert!(!format!("{settings:?}").contains("pina_x"));
        assert_eq!(
            Settings::from_json(r#"{"ad_account_id":549755885175,"conversion_token":""}"#).unwrap(),
            Settings {
                ad_account_id: "549755885175".to_owned(),
                ..Settings::default()
            }
        );
        assert_eq!(Settings::default().max_event_age_days, 7);
        assert_eq!(
            error(r#"{"ad_account_id":"act_123"}"#),
            "`ad_account_id` must be the ad account's number: digits only, at most 18"
        );
        assert_eq!(
            error(r#"{"ad_account_id":"1234567890123456789"}"#),
            "`ad_account_id` must be the ad account's number: digits only, at most 18"
        );
        assert_eq!(
            error(r#"{"ad_account_id":true}"#),
            "`ad_account_id` must be a string of digits, found a boolean"
        );
        assert_eq!(
            error(r#"{"conversion_token":5}"#),
            "`conversion_token` must be a string, found a number"
        );
        for days in ["0", "366", "1.5", "-1"] {
            assert_eq!(
                error(&format!(r#"{{"maxEventAgeDays":{days}}}"#)),
                "`maxEventAgeDays` must be a whole number of days from 1 to 365"
            );
        }
        assert_eq!(
            error(r#"{"maxEventAgeDays":"7"}"#),
            "`maxEventAgeDays` must be a number of days, found a string"
        );
        assert_eq!(
            error(r#"{"sendPartnerEventsAsCustom":"yes"}"#),
            "`sendPartnerEventsAsCustom` must be true or false, found a string"
        );
    }

    #[test]
    fn an_array_event_mapping_maps_its_indices() {
        let settings =
            Settings::from_json(r#"{"pinterestEventMapping":["Lead","Signup"]}"#).unwrap();
        assert_eq!(
            settings.event_mapping,
            [
                ("0".to_owned(), "Lead".to_owned()),
                ("1".to_owned(), "Signup".to_owned())
            ]
        );
        assert_eq!(
            error(r#"{"pinterestEventMapping":["Lead",{"key":"a","value":"Lead"}]}"#),
            "`pinterestEventMapping[1]` must be a string, found an object"
        );
    }

    #[test]
    fn wrong_types_name_the_key() {
        assert_eq!(
            error(r#"{"tid":5}"#),
            "`tid` must be a string, found a number"
        );
        assert_eq!(
            error(r#"{"pinterestEventMapping":"Lead"}"#),
            "`pinterestEventMapping` must be an object of event names, found a string"
        );
        assert_eq!(
            error(r#"{"pinterestEventMapping":{"Lead Generated":true}}"#),
            "`pinterestEventMapping[\"Lead Generated\"]` must be a string, found a boolean"
        );
        assert_eq!(
            error(r#"{"pinterestCustomProperties":"a,b"}"#),
            "`pinterestCustomProperties` must be an array of strings, found a string"
        );
        assert_eq!(
            error(r#"{"pinterestCustomProperties":["a",{}]}"#),
            "`pinterestCustomProperties[1]` must be a string, found an object"
        );
        assert_eq!(
            error(r#"{"useEnhancedMatchLoad":"true"}"#),
            "`useEnhancedMatchLoad` must be true or false, found a string"
        );
        assert_eq!(
            error(r#"{"mapMessageIdToEventId":1}"#),
            "`mapMessageIdToEventId` must be true or false, found a number"
        );
    }

    #[test]
    fn rejects_non_objects_and_invalid_json() {
        assert_eq!(
            error("[]"),
            "settings must be a JSON object, found an array"
        );
        assert_eq!(
            error("{"),
            "settings are not valid JSON: expected a string key at column 2"
        );
    }

    #[test]
    fn the_example_is_valid() {
        let example = Settings::example();
        assert_eq!(example.tid, "2620795819800");
        assert_eq!(example.event_mapping.len(), 3);
        assert_eq!(example.custom_properties, ["custom_prop"]);
    }
}
