//! What settings accept but a person almost certainly did not mean: Segment ignores unknown keys
//! and sends any event name, so a typo there fails silently unless something says so.

use std::collections::HashMap;
use std::fmt;

use pinterest_mapping_vocabulary::suggest::{closest, closest_within};

use super::Settings;
use crate::table::PinterestEvent;

/// Something in valid settings that looks mistaken. Each names keys and the settings' own
/// event names, never a value of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingsWarning {
    /// A key the destination does not read, ignored.
    UnknownKey {
        /// The key.
        key: String,
        /// The known key it is close to (`Tid` → `tid`), if any.
        suggestion: Option<&'static str>,
    },
    /// `tid` is missing or empty: the destination produces no Tag call at all.
    NoTagId,
    /// A `pinterestEventMapping` value that is not a standard event code but a case slip or
    /// one edit from one (`Chekout`, `signup`): it would be sent as a partner-defined event.
    NearStandardEvent {
        /// The Segment event mapped.
        event: String,
        /// The value it is mapped to.
        value: String,
        /// The standard event meant.
        standard: PinterestEvent<'static>,
    },
    /// A value of another type than the key takes, read as Segment's integration (JavaScript)
    /// reads it, so that the destination behaves as Segment's: an array or a string
    /// `pinterestEventMapping` maps its indices, a string `pinterestCustomProperties` is its
    /// characters, a flag is its truthiness (`"false"` is true).
    ReadAsSegmentDoes {
        /// The key, with the entry inside it when the value is there
        /// (`pinterestCustomProperties[2]`).
        key: String,
        /// What was found (`a number`, `an array of {key, value} objects`).
        found: String,
        /// How Segment's integration reads it, and so how it is read here.
        reading: String,
        /// What was probably meant, when it can be told.
        meant: Option<String>,
    },
    /// A `pinterestEventMapping` entry that never applies: an earlier entry's event name is
    /// the same ignoring case, and the first such entry wins.
    ShadowedEvent {
        /// The Segment event of the entry that never applies.
        event: String,
        /// The Segment event of the earlier entry.
        earlier: String,
    },
}

impl SettingsWarning {
    /// Whether the warning concerns the Pinterest Tag's output only (not the Conversions
    /// API's, which needs no tag ID).
    pub fn is_tag_only(&self) -> bool {
        match self {
            SettingsWarning::NoTagId => true,
            SettingsWarning::ReadAsSegmentDoes { key, .. } => {
                key == "tid" || key == "useEnhancedMatchLoad"
            }
            _ => false,
        }
    }

    pub(super) fn read_as_segment_does(
        key: impl Into<String>,
        found: impl Into<String>,
        reading: impl Into<String>,
        meant: Option<String>,
    ) -> SettingsWarning {
        SettingsWarning::ReadAsSegmentDoes {
            key: key.into(),
            found: found.into(),
            reading: reading.into(),
            meant,
        }
    }
}

impl fmt::Display for SettingsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsWarning::UnknownKey { key, suggestion } => {
                write!(f, "unknown key `{key}`, ignored")?;
                match suggestion {
                    Some(known) => write!(f, ": did you mean `{known}`?"),
                    None => Ok(()),
                }
            }
            SettingsWarning::NoTagId => {
                f.write_str("`tid` is missing or empty: every message will produce no Tag call")
            }
            SettingsWarning::NearStandardEvent {
                event,
                value,
                standard,
            } => write!(
                f,
                "`pinterestEventMapping[{event:?}]` is `{value}`, a partner-defined event: did \
                 you mean the standard event `{}`?",
                standard.as_str()
            ),
            SettingsWarning::ReadAsSegmentDoes {
                key,
                found,
                reading,
                meant,
            } => {
                write!(f, "`{key}` is {found}: {reading}")?;
                match meant {
                    Some(meant) => write!(f, ": did you mean {meant}?"),
                    None => Ok(()),
                }
            }
            SettingsWarning::ShadowedEvent { event, earlier } => write!(
                f,
                "`pinterestEventMapping[{event:?}]` never applies: `pinterestEventMapping\
                 [{earlier:?}]` comes first, and event names match ignoring case"
            ),
        }
    }
}

/// The warnings of the unknown keys of a settings document.
pub(super) fn unknown_keys(keys: &[String]) -> Vec<SettingsWarning> {
    keys.iter()
        .map(|key| SettingsWarning::UnknownKey {
            key: key.clone(),
            suggestion: closest(key, &Settings::KEYS),
        })
        .collect()
}

/// The warnings of the settings' values.
pub(super) fn of_values(settings: &Settings) -> Vec<SettingsWarning> {
    let mut warnings = Vec::new();
    if settings.tag.tid.is_empty() {
        warnings.push(SettingsWarning::NoTagId);
    }
    let codes = PinterestEvent::STANDARD;
    let names = codes.each_ref().map(PinterestEvent::as_str);
    // The first entry of each event name, lowercased as the destination matches them.
    let mut first: HashMap<String, &str> = HashMap::new();
    for (event, value) in &settings.tag.event_mapping {
        match first.get(&event.to_lowercase()) {
            Some(earlier) => warnings.push(SettingsWarning::ShadowedEvent {
                event: event.clone(),
                earlier: (*earlier).to_owned(),
            }),
            None => {
                first.insert(event.to_lowercase(), event);
            }
        }
        if value.is_empty() || PinterestEvent::from_name(value.as_str()).is_standard() {
            continue;
        }
        if let Some(index) = closest_within(value, &names, 1) {
            warnings.push(SettingsWarning::NearStandardEvent {
                event: event.clone(),
                value: value.clone(),
                standard: codes[index].clone(),
            });
        }
    }
    warnings
}
