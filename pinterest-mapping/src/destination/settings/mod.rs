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

use crate::capi::{ConversionSettings, ConversionToken};
use crate::json::Json;
use crate::tag::TagSettings;

/// The destination's settings, as Segment stores them: the Pinterest Tag's, and the
/// Conversions API's.
///
/// Read them from Segment's JSON with [`Settings::from_json`] (or
/// [`Settings::from_json_with_warnings`], which also says what looks mistaken), from any
/// self-describing serde format with `Deserialize` (the same rules), or build them in code with
/// [`Settings::builder`]. `Serialize` writes Segment's JSON back, the token included.
///
/// ```
/// use pinterest_mapping::Settings;
///
/// let settings = Settings::from_json(r#"{
///     "tid": "2620795819800",
///     "pinterestEventMapping": {"Lead Generated": "Lead"},
///     "pinterestCustomProperties": ["plan"],
///     "someOtherKey": "ignored"
/// }"#)?;
/// assert_eq!(settings.tag.tid, "2620795819800");
/// assert_eq!(settings.tag.event_mapping, [("Lead Generated".to_owned(), "Lead".to_owned())]);
/// assert!(!settings.tag.use_enhanced_match_load);
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
/// # Ok::<(), pinterest_mapping::SettingsError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// The Pinterest Tag's keys.
    pub tag: TagSettings,
    /// The Conversions API's keys.
    pub conversions: ConversionSettings,
    /// `disableAutoISOConversion`: take date strings as they are. By default, as analytics.js
    /// does before any destination sees a message, every string value that looks like an ISO
    /// 8601 date is sent as the date's `toISOString()` (`"2024-01-02"` →
    /// `"2024-01-02T00:00:00.000Z"`); analytics-next's load option of this name turns that
    /// off. See [`crate::segment::dates`]. The destination reads it, before both outputs.
    pub disable_auto_iso_conversion: bool,
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
    /// The keys the destination reads itself, before its outputs.
    const DESTINATION_KEYS: [&'static str; 1] = ["disableAutoISOConversion"];

    /// The keys these settings read, as Segment spells them: the Tag's
    /// ([`TagSettings::KEYS`]), the destination's own, and the Conversions API's
    /// ([`ConversionSettings::KEYS`]).
    pub const KEYS: [&'static str; 10] = concat_keys(&[
        &TagSettings::KEYS,
        &Settings::DESTINATION_KEYS,
        &ConversionSettings::KEYS,
    ]);

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
    /// use pinterest_mapping::{Settings, SettingsWarning};
    ///
    /// let (settings, warnings) = Settings::from_json_with_warnings(
    ///     r#"{"Tid": "2620795819800", "pinterestEventMapping": {"Order Completed": "Chekout"}}"#,
    /// )?;
    /// assert_eq!(settings.tag.tid, "");
    /// let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    /// assert_eq!(messages, [
    ///     "unknown key `Tid`, ignored: did you mean `tid`?",
    ///     "`tid` is missing or empty: every message will produce no Tag call",
    ///     "`pinterestEventMapping[\"Order Completed\"]` is `Chekout`, a partner-defined event: \
    ///      did you mean the standard event `Checkout`?",
    /// ]);
    /// # Ok::<(), pinterest_mapping::SettingsError>(())
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

/// The keys of `parts`, in their order; `N` is their number.
const fn concat_keys<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut keys = [""; N];
    let mut index = 0;
    let mut part = 0;
    while part < parts.len() {
        let mut key = 0;
        while key < parts[part].len() {
            keys[index] = parts[part][key];
            index += 1;
            key += 1;
        }
        part += 1;
    }
    assert!(index == N, "the number of keys");
    keys
}

#[cfg(test)]
mod tests;
