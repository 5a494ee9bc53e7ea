//! The destination's settings, read from Segment's settings JSON with its exact key names (and,
//! for the Conversions API, those of Segment's "Pinterest Conversions API" destination).
//!
//! - [`Settings`]: the values, with serde's `Deserialize` and `Serialize` under Segment's key
//!   names, and [`Settings::builder`];
//! - [`SettingsWarning`]: what is accepted but almost certainly not meant (an unknown key, no
//!   tag ID, a partner-defined event one slip from a standard one);
//! - [`SettingsError`]: what is refused.

mod builder;
mod document;
mod javascript;
mod warnings;

use thiserror::Error;

pub use builder::SettingsBuilder;
use document::Document;
pub use warnings::SettingsWarning;

use crate::capi::ConversionToken;
use crate::json::Json;

/// The destination's settings, as Segment stores them: the Pinterest Tag's, and the
/// Conversions API's.
///
/// Read them from Segment's JSON with [`Settings::from_json`] (or
/// [`Settings::from_json_with_warnings`], which also says what looks mistaken), from any
/// self-describing serde format with `Deserialize` (the same rules), or build them in code with
/// [`Settings::builder`]. `Serialize` writes Segment's JSON back, the token included.
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
/// let built = Settings::builder()
///     .tid("2620795819800")
///     .map_event("Lead Generated", "Lead")
///     .custom_property("plan")
///     .build();
/// assert_eq!(built, settings);
///
/// let error = Settings::from_json(r#"{"tid": true}"#).unwrap_err();
/// assert_eq!(error.to_string(), "`tid` must be a string, found a boolean");
/// # Ok::<(), mapping_core::SettingsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// `tid`: the Pinterest Tag ID. Empty: the destination produces no call at all.
    pub tid: String,
    /// `pinterestEventMapping`: Segment event → Pinterest event, in the settings' key order
    /// (the first key equal to an event name ignoring case wins). A value of `""` sends the
    /// Segment event name unchanged. Settings of another shape are read as Segment's
    /// original reads them, with a warning: an array or a string maps its indices (`["Lead"]`
    /// maps the event `0`), and a value that is not a string is `""`.
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

/// Why settings were refused. Messages name the key, never a value.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The text is not JSON.
    #[error("settings are not valid JSON: {message}")]
    Json {
        /// What is wrong, and where (``expected a value at line 2, column 9, found `}` ``).
        message: String,
    },
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
const EXAMPLE: &str = include_str!("example.json");

impl Settings {
    /// The default of `maxEventAgeDays`: Pinterest refuses events older than a week.
    pub const DEFAULT_MAX_EVENT_AGE_DAYS: u32 = 7;

    /// The keys these settings read, as Segment spells them.
    pub const KEYS: [&'static str; 10] = [
        "tid",
        "pinterestEventMapping",
        "pinterestCustomProperties",
        "useEnhancedMatchLoad",
        "mapMessageIdToEventId",
        "disableAutoISOConversion",
        "ad_account_id",
        "conversion_token",
        "maxEventAgeDays",
        "sendPartnerEventsAsCustom",
    ];

    /// Settings built in code, starting from the defaults.
    pub fn builder() -> SettingsBuilder {
        SettingsBuilder::default()
    }

    /// Reads Segment's settings JSON. Unknown keys are ignored, as Segment ignores them; a
    /// known key set to `null` takes its default; a repeated key keeps its last value, as in
    /// `JSON.parse`. A byte-order mark before the JSON is ignored.
    ///
    /// # Errors
    ///
    /// [`SettingsError`] when the text is not JSON, not an object, or a known key holds a
    /// value of another type or out of its range; the error names the key.
    pub fn from_json(text: &str) -> Result<Settings, SettingsError> {
        Ok(Settings::from_json_with_warnings(text)?.0)
    }

    /// [`Settings::from_json`], with the warnings of what was accepted but looks mistaken:
    /// unknown keys (with the known key meant, when one is close) and those of
    /// [`Settings::warnings`].
    ///
    /// ```
    /// use mapping_core::{Settings, SettingsWarning};
    ///
    /// let (settings, warnings) = Settings::from_json_with_warnings(
    ///     r#"{"Tid": "2620795819800", "pinterestEventMapping": {"Order Completed": "Chekout"}}"#,
    /// )?;
    /// assert_eq!(settings.tid, "");
    /// let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    /// assert_eq!(messages, [
    ///     "unknown key `Tid`, ignored: did you mean `tid`?",
    ///     "`tid` is missing or empty: every message will produce no Tag call",
    ///     "`pinterestEventMapping[\"Order Completed\"]` is `Chekout`, a partner-defined event: \
    ///      did you mean the standard event `Checkout`?",
    /// ]);
    /// # Ok::<(), mapping_core::SettingsError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Settings::from_json`].
    pub fn from_json_with_warnings(
        text: &str,
    ) -> Result<(Settings, Vec<SettingsWarning>), SettingsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // Read as messages are: the same syntax errors, any valid JSON.
        let json = Json::parse(text).map_err(|error| SettingsError::Json {
            message: error.to_string(),
        })?;
        let document = Document::from_json(json);
        let mut warnings = warnings::unknown_keys(&document.unknown);
        let (settings, read_as_segment_does) = document.into_settings()?;
        warnings.extend(read_as_segment_does);
        warnings.extend(settings.warnings());
        Ok((settings, warnings))
    }

    /// What in these settings is valid but looks mistaken: no tag ID, a
    /// `pinterestEventMapping` value that is a case slip or one edit from a standard event code
    /// (it would be sent as a partner-defined event), an event mapped again under a name that
    /// differs only in case (only the first applies).
    pub fn warnings(&self) -> Vec<SettingsWarning> {
        warnings::of_values(self)
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

#[cfg(test)]
mod tests;
