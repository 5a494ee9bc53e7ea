//! The Conversions API's settings: the keys, as Segment's "Pinterest Conversions API"
//! destination spells them, that the Conversions API output reads.

use super::ConversionToken;

/// The Conversions API's settings: part of [`Settings`](crate::Settings), which reads them
/// from Segment's JSON under the key names of [`ConversionSettings::KEYS`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConversionSettings {
    /// `ad_account_id`: the Pinterest ad account the events are sent to (digits, as Ads
    /// Manager shows it).
    pub ad_account_id: String,
    /// `conversion_token`: the access token, made in Ads Manager. Never printed: its `Debug`
    /// is redacted.
    pub conversion_token: Option<ConversionToken>,
    /// `maxEventAgeDays`: the age beyond which an event is not sent (the API refuses stale
    /// events), in days; [`ConversionSettings::DEFAULT_MAX_EVENT_AGE_DAYS`] by default.
    pub max_event_age_days: u32,
    /// `sendPartnerEventsAsCustom`: send partner-defined events as `custom` events; by default
    /// they reach the Tag only.
    pub send_partner_events_as_custom: bool,
}

impl ConversionSettings {
    /// The default of `maxEventAgeDays`: Pinterest refuses events older than a week.
    pub const DEFAULT_MAX_EVENT_AGE_DAYS: u32 = 7;

    /// The keys these settings read, as Segment spells them.
    pub const KEYS: [&'static str; 4] = [
        "ad_account_id",
        "conversion_token",
        "maxEventAgeDays",
        "sendPartnerEventsAsCustom",
    ];
}

impl Default for ConversionSettings {
    fn default() -> ConversionSettings {
        ConversionSettings {
            ad_account_id: String::new(),
            conversion_token: None,
            max_event_age_days: ConversionSettings::DEFAULT_MAX_EVENT_AGE_DAYS,
            send_partner_events_as_custom: false,
        }
    }
}
