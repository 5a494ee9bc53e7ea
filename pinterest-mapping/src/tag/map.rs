//! The Tag's mapping of one message: the settings' event mapping, the table, custom
//! properties, `event_id`, line items, and the identify rule. Compiled once per destination
//! ([`TagMapper::new`]); the [`Destination`](crate::Destination) gives it the table.

use std::borrow::Cow;
use std::collections::HashMap;

use super::call::{CallData, CallLineItems, DataValue, PintrkCall, is_plain};
use super::settings::TagSettings;
use crate::json::walk::Lazy;
use crate::json::{Json, JsonValue};
use crate::segment::path::{KeyIndex, LoosePath};
use crate::segment::{Identify, Message, Page, Track};
use crate::table::{EventFields, LineItemField, Mapping, PinterestEvent};

/// The Tag's settings, compiled for mapping messages.
#[derive(Clone, Debug)]
pub(crate) struct TagMapper {
    /// `pinterestEventMapping` keys lowercased (as JavaScript's `toLowerCase`), with values.
    event_mapping: Vec<(String, String)>,
    /// For a long mapping, where the first entry of each lowercased key is.
    event_index: Option<HashMap<String, usize>>,
    /// `pinterestCustomProperties`: each output key, whether it is written without escapes,
    /// and its path in loose normal form.
    custom_properties: Vec<(String, bool, LoosePath)>,
    /// `mapMessageIdToEventId`.
    message_id_as_event_id: bool,
}

impl TagMapper {
    /// The mapper of these settings: `pinterestEventMapping`, `pinterestCustomProperties`,
    /// `mapMessageIdToEventId`.
    pub(crate) fn new(settings: &TagSettings) -> TagMapper {
        let event_mapping: Vec<(String, String)> = settings
            .event_mapping
            .iter()
            .map(|(event, pinterest)| (event.to_lowercase(), pinterest.clone()))
            .collect();
        let event_index = (event_mapping.len() > INDEXED_MAPPING).then(|| {
            let mut index = HashMap::with_capacity(event_mapping.len());
            for (position, (event, _)) in event_mapping.iter().enumerate() {
                index.entry(event.clone()).or_insert(position);
            }
            index
        });
        let custom_properties = settings
            .custom_properties
            .iter()
            .map(|path| (path.clone(), is_plain(path), LoosePath::new(path)))
            .collect();
        TagMapper {
            event_mapping,
            event_index,
            custom_properties,
            message_id_as_event_id: settings.map_message_id_to_event_id,
        }
    }

    /// The call `message` produces with `table`, if any: a message produces at most one.
    pub(crate) fn call<'a, M: Mapping>(
        &'a self,
        table: &M,
        message: &'a Message<'a>,
    ) -> Option<PintrkCall<'a>> {
        match message {
            Message::Track(track) => Some(self.track(table, track)),
            Message::Page(page) => self.page(table, page),
            Message::Identify(identify) => self.identify(identify),
            Message::Other(_) => None,
        }
    }

    /// The Pinterest event for a Segment event name: the settings' event mapping, then the
    /// table, then the name itself as a partner-defined event.
    pub(crate) fn event_for<'a, M: Mapping>(
        &'a self,
        table: &M,
        name: &'a str,
    ) -> PinterestEvent<'a> {
        if let Some(mapped) = self.mapped_event(name) {
            // An empty mapping sends the Segment name unchanged, without consulting the table.
            return if mapped.is_empty() {
                PinterestEvent::Partner(Cow::Borrowed(name))
            } else {
                PinterestEvent::from_name(mapped)
            };
        }
        table
            .event(name)
            .unwrap_or(PinterestEvent::Partner(Cow::Borrowed(name)))
    }

    /// The user mapping's value for `name`: the first key equal to it once both are
    /// lowercased as JavaScript's `toLowerCase` does.
    fn mapped_event(&self, name: &str) -> Option<&str> {
        if let Some(index) = &self.event_index {
            let position = index.get(&name.to_lowercase())?;
            return Some(self.event_mapping[*position].1.as_str());
        }
        let found = if name.is_ascii() {
            // The keys are lowercased already; an ASCII name lowercases byte by byte.
            self.event_mapping
                .iter()
                .find(|(event, _)| event.eq_ignore_ascii_case(name))
        } else {
            let lowercase = name.to_lowercase();
            self.event_mapping
                .iter()
                .find(|(event, _)| *event == lowercase)
        };
        found.map(|(_, mapped)| mapped.as_str())
    }

    fn track<'a, M: Mapping>(&'a self, table: &M, track: &'a Track<'a>) -> PintrkCall<'a> {
        let mut data = CallData::with_capacity(8);
        if let Some(properties) = &track.properties {
            let table_data = table.event_data(properties.as_lazy());
            // Into empty data: a table's keys are distinct.
            for (field, value) in table_data.fields() {
                let plain = field.is_documented() || is_plain(field.as_str());
                data.push_new(field.as_str(), plain, DataValue::Json(value.raw()));
            }
            self.set_event_id_from_message_id(&mut data, track.message_id);
            // Without a `messageId`, the original still creates `event_id` here (holding
            // `undefined`, which is not sent): a custom property `event_id` fills this place.
            let event_id_place = data.len();
            let line_items = line_items(&table_data);
            if !line_items.is_empty() {
                data.set_key("line_items", true, DataValue::LineItems(line_items));
            }
            let index =
                (self.custom_properties.len() > INDEXED_PATHS).then(|| KeyIndex::new(properties));
            for (key, plain, path) in &self.custom_properties {
                let found = match &index {
                    Some(index) => path.find_indexed(index),
                    None => path.find_in(properties),
                };
                if let Some(value) = found.filter(|value| value.is_truthy()) {
                    data.set_key(key, *plain, DataValue::Json(value.raw()));
                }
            }
            if self.message_id_as_event_id && track.message_id.is_none() {
                data.move_key("event_id", event_id_place);
            }
        } else {
            self.set_event_id_from_message_id(&mut data, track.message_id);
        }
        PintrkCall::Track {
            event: self.event_for(table, &track.event),
            data,
        }
    }

    fn page<'a, M: Mapping>(&'a self, table: &M, page: &'a Page<'a>) -> Option<PintrkCall<'a>> {
        let event = table.page_event(page.category)?;
        let mut data = CallData::with_capacity(3);
        match page.name.filter(|name| name.is_truthy()) {
            Some(name) => data.set_key("name", true, DataValue::Json(name)),
            None => data.set_key("name", true, DataValue::Str("")),
        }
        // Exact keys, in this order: the last truthy one wins.
        if let Some(properties) = &page.properties {
            for key in ["event_id", "eid", "eventID"] {
                if let Some(event_id) = properties.get(key).filter(|value| value.is_truthy()) {
                    data.set_key("event_id", true, DataValue::Json(event_id.raw()));
                }
            }
        }
        self.set_event_id_from_message_id(&mut data, page.message_id);
        if let Some(category) = page.category.filter(|category| category.is_truthy()) {
            data.set_key("category", true, DataValue::Json(category));
        }
        Some(PintrkCall::Track { event, data })
    }

    #[allow(clippy::unused_self)] // one method per message type, as the others
    fn identify<'a>(&'a self, identify: &'a Identify<'a>) -> Option<PintrkCall<'a>> {
        let from_traits = identify
            .traits
            .as_ref()
            .and_then(|traits| LoosePath::new("email").find_in(traits))
            .filter(|email| email.is_truthy())
            .map(super::super::json::walk::Lazy::raw);
        let from_user_id = || {
            identify
                .user_id
                .filter(|user_id| user_id.to_str().is_some_and(|text| looks_like_email(&text)))
        };
        let email = from_traits.or_else(from_user_id)?;
        Some(PintrkCall::Set { email })
    }

    /// With `mapMessageIdToEventId`, `event_id` is the message's `messageId`, whatever it
    /// holds; a message without one sends no `event_id`.
    fn set_event_id_from_message_id<'a>(
        &self,
        data: &mut CallData<'a>,
        message_id: Option<Json<'a>>,
    ) {
        if !self.message_id_as_event_id {
            return;
        }
        match message_id {
            Some(message_id) => data.set_key("event_id", true, DataValue::Json(message_id)),
            None => data.remove("event_id"),
        }
    }
}

/// Event mappings longer than this are looked up through a hash index rather than in order.
const INDEXED_MAPPING: usize = 16;

/// With more custom properties than this, a message's properties are indexed by key first.
const INDEXED_PATHS: usize = 8;

/// A table's line items, with their values as sent. One allocation holds them all.
fn line_items<'a, D: EventFields<Lazy<'a>>>(table_data: &D) -> CallLineItems<'a> {
    let items = table_data.line_items();
    let mut line_items = CallLineItems::with_capacity(items.size_hint().0 * LINE_ITEM_SLOTS);
    for item in items {
        match item {
            Some(fields) => line_items.push_item(fields.map(|(field, value)| (field, value.raw()))),
            None => line_items.push_hole(),
        }
    }
    line_items
}

/// Room made for each line item at first: its marker and the documented fields.
const LINE_ITEM_SLOTS: usize = 1 + LineItemField::DOCUMENTED.len();

/// Segment's email test, `/.+@.+\..+/`: unanchored, and `.` matches anything but a line
/// terminator.
fn looks_like_email(text: &str) -> bool {
    text.split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .any(|line| {
            let chars: Vec<char> = line.chars().collect();
            // The earliest `@` with a character before it, and the latest `.` with one after it.
            let at = chars
                .iter()
                .skip(1)
                .position(|c| *c == '@')
                .map(|index| index + 1);
            let dot = chars
                .iter()
                .rev()
                .skip(1)
                .position(|c| *c == '.')
                .map(|index| chars.len() - 2 - index);
            matches!((at, dot), (Some(at), Some(dot)) if dot > at + 1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::spec;

    #[test]
    fn email_test_matches_segments_regular_expression() {
        for email in [
            "a@b.c",
            "someone@example.com",
            "x a@b.c y",
            "@@a@b.c",
            "a@b..",
            "line\na@b.c",
        ] {
            assert!(looks_like_email(email), "{email}");
        }
        for other in [
            "", "a@b", "@b.c", "a@.c", "a@b.", "ab.c", "a\n@b.c", "a@b\n.c", "user-123",
        ] {
            assert!(!looks_like_email(other), "{other}");
        }
    }

    #[test]
    fn a_long_event_mapping_is_looked_up_as_a_short_one_is() {
        let mut event_mapping: Vec<(String, String)> = (0..100)
            .map(|n| (format!("Event {n}"), "Custom".to_owned()))
            .collect();
        event_mapping.insert(10, ("Ünïcode".to_owned(), "Lead".to_owned()));
        event_mapping.insert(20, ("ÜNÏCODE".to_owned(), "Signup".to_owned()));
        event_mapping.push(("Order Completed".to_owned(), String::new()));
        let mapper = TagMapper::new(&TagSettings {
            event_mapping,
            ..TagSettings::default()
        });
        assert!(mapper.event_index.is_some());
        let event_for = |name| mapper.event_for(&spec::Table, name);
        // The first key equal ignoring case wins.
        assert_eq!(event_for("ünïcode"), PinterestEvent::Lead);
        assert_eq!(event_for("EVENT 99"), PinterestEvent::Custom);
        assert_eq!(
            event_for("ORDER COMPLETED"),
            PinterestEvent::Partner("ORDER COMPLETED".into())
        );
        assert_eq!(event_for("Product Added"), PinterestEvent::AddToCart);
    }

    #[test]
    fn event_names_resolve_through_mapping_table_and_fallback() {
        let event_mapping = [
            ("Order Completed".to_owned(), "Custom".to_owned()),
            ("Product Added".to_owned(), String::new()),
            ("İstanbul".to_owned(), "Lead".to_owned()),
        ];
        let mapper = TagMapper::new(&TagSettings {
            event_mapping: event_mapping.to_vec(),
            ..TagSettings::default()
        });
        let event_for = |name| mapper.event_for(&spec::Table, name);
        assert_eq!(event_for("ORDER COMPLETED"), PinterestEvent::Custom);
        // The mapping compares the whole name ignoring case, nothing more.
        assert_eq!(event_for("order_completed"), PinterestEvent::Checkout);
        assert_eq!(
            event_for("product added"),
            PinterestEvent::Partner("product added".into())
        );
        assert_eq!(event_for("Added Product"), PinterestEvent::AddToCart);
        assert_eq!(event_for("i\u{307}stanbul"), PinterestEvent::Lead);
        assert_eq!(
            event_for("Unknown"),
            PinterestEvent::Partner("Unknown".into())
        );
    }
}
