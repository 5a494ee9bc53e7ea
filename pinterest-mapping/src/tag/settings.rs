//! The Tag's settings: the keys of Segment's "Pinterest Tag" destination that the Tag reads.

/// The Pinterest Tag's settings: part of [`Settings`](crate::Settings), which reads them from
/// Segment's JSON under the key names of [`TagSettings::KEYS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagSettings {
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
}

impl TagSettings {
    /// The keys these settings read, as Segment spells them.
    pub const KEYS: [&'static str; 5] = [
        "tid",
        "pinterestEventMapping",
        "pinterestCustomProperties",
        "useEnhancedMatchLoad",
        "mapMessageIdToEventId",
    ];
}
