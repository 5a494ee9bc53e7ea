//! Settings built in code, key by key.

use super::{ConversionToken, Settings};

/// Builds [`Settings`] in code, from the defaults; each method sets one of Segment's keys.
///
/// ```
/// use pinterest_mapping::Settings;
///
/// let settings = Settings::builder()
///     .tid("2620795819800")
///     .map_event("Lead Generated", "Lead")
///     .map_event("User Signed Up", "Signup")
///     .custom_property("plan")
///     .map_message_id_to_event_id(true)
///     .build();
/// assert_eq!(settings.tag.event_mapping.len(), 2);
/// assert!(settings.warnings().is_empty());
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SettingsBuilder {
    settings: Settings,
}

impl SettingsBuilder {
    /// `tid`: the Pinterest Tag ID.
    pub fn tid(mut self, tid: impl Into<String>) -> Self {
        self.settings.tag.tid = tid.into();
        self
    }

    /// One entry of `pinterestEventMapping`: the Segment event `event` is sent as the
    /// Pinterest event `pinterest` (`""`: under its own name). Mapping an event again replaces
    /// its Pinterest event and keeps its place.
    pub fn map_event(mut self, event: impl Into<String>, pinterest: impl Into<String>) -> Self {
        let (event, pinterest) = (event.into(), pinterest.into());
        let mapping = &mut self.settings.tag.event_mapping;
        match mapping.iter_mut().find(|(known, _)| *known == event) {
            Some(entry) => entry.1 = pinterest,
            None => mapping.push((event, pinterest)),
        }
        self
    }

    /// One entry of `pinterestCustomProperties`: a property path copied into the event data
    /// of track calls.
    pub fn custom_property(mut self, path: impl Into<String>) -> Self {
        self.settings.tag.custom_properties.push(path.into());
        self
    }

    /// `useEnhancedMatchLoad`.
    pub fn use_enhanced_match_load(mut self, on: bool) -> Self {
        self.settings.tag.use_enhanced_match_load = on;
        self
    }

    /// `mapMessageIdToEventId`.
    pub fn map_message_id_to_event_id(mut self, on: bool) -> Self {
        self.settings.tag.map_message_id_to_event_id = on;
        self
    }

    /// `disableAutoISOConversion`.
    pub fn disable_auto_iso_conversion(mut self, on: bool) -> Self {
        self.settings.disable_auto_iso_conversion = on;
        self
    }

    /// `ad_account_id`: the ad account the Conversions API's events go to.
    pub fn ad_account_id(mut self, ad_account_id: impl Into<String>) -> Self {
        self.settings.conversions.ad_account_id = ad_account_id.into();
        self
    }

    /// `conversion_token`: the Conversions API's access token.
    pub fn conversion_token(mut self, token: ConversionToken) -> Self {
        self.settings.conversions.conversion_token = Some(token);
        self
    }

    /// `maxEventAgeDays`: from 1 to 365, as the settings JSON takes it; a number outside is
    /// taken as the nearest end of that range.
    pub fn max_event_age_days(mut self, days: u32) -> Self {
        self.settings.conversions.max_event_age_days = days.clamp(1, 365);
        self
    }

    /// `sendPartnerEventsAsCustom`.
    pub fn send_partner_events_as_custom(mut self, on: bool) -> Self {
        self.settings.conversions.send_partner_events_as_custom = on;
        self
    }

    /// The settings.
    pub fn build(self) -> Settings {
        self.settings
    }
}
