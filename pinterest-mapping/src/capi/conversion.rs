//! A Segment message's Conversions API event, built from the message's Tag call (so that the
//! two carry the same event, data and `event_id`) and from the message's time, context and
//! identity.

use std::borrow::Cow;
use std::time::SystemTime;

use super::custom_data::custom_data;
use super::event::{ActionSource, ConversionEvent, EventName, UserData};
use super::identity::{IdentityValue, is_filled};
use super::time::{TIME_FIELDS, check_age, system_seconds, unix_seconds};
use super::{Conversion, ConversionSettings, FieldWarning, Skip, Unsendable};
use crate::json::Json;
use crate::segment::Message;
use crate::segment::fields::{Found, PathSet};
use crate::table::{PinterestEvent, UserDataSource};
use crate::tag::{DataValue, PintrkCall};

/// The paths of a message the Conversions API reads, compiled once per destination from the
/// table's `user_data` rows and the fixed fields (time, page, device, locale).
#[derive(Clone, Debug)]
pub(crate) struct Sources {
    paths: PathSet,
    /// The `user_data` rows in priority order, each with its path's index.
    identity: Vec<(usize, UserDataSource)>,
    times: [usize; TIME_FIELDS.len()],
    page_url: usize,
    properties_url: usize,
    locale: usize,
    device_type: usize,
    ad_tracking_enabled: usize,
}

impl Sources {
    pub(crate) fn new(rows: &'static [UserDataSource]) -> Sources {
        let mut paths = PathSet::new();
        let identity = rows.iter().map(|row| (paths.add(row.path), *row)).collect();
        let times = TIME_FIELDS.map(|field| paths.add(field));
        Sources {
            identity,
            times,
            page_url: paths.add("context.page.url"),
            properties_url: paths.add("properties.url"),
            locale: paths.add("context.locale"),
            device_type: paths.add("context.device.type"),
            ad_tracking_enabled: paths.add("context.device.adTrackingEnabled"),
            paths,
        }
    }
}

/// The Conversions API event of `message`, whose Tag call (made whether or not the settings
/// have a Tag ID) is `call`, judged at `now`: see
/// [`Destination::conversion`](crate::Destination::conversion).
pub(crate) fn convert<'m>(
    sources: &Sources,
    settings: &ConversionSettings,
    message: &'m Message<'m>,
    call: Option<PintrkCall<'m>>,
    now: SystemTime,
) -> Conversion<'m> {
    let (Message::Track(_) | Message::Page(_)) = message else {
        return Conversion::Skipped(Skip::NotAnEvent);
    };
    let Some(PintrkCall::Track { event, data }) = call else {
        return Conversion::Skipped(Skip::NotAnEvent);
    };
    let event_name = match event_name(&event) {
        Some(name) => name,
        None if settings.send_partner_events_as_custom => EventName::Custom,
        None => return Conversion::Skipped(Skip::PartnerEvent),
    };
    let found = sources.paths.find(message);

    let Some(event_time) = sources
        .times
        .iter()
        .find_map(|index| found[*index].and_then(unix_seconds))
    else {
        return Conversion::Unsendable(Unsendable::NoEventTime);
    };
    if let Err(unsendable) = check_age(event_time, system_seconds(now), settings.max_event_age_days)
    {
        return Conversion::Unsendable(unsendable);
    }

    let mut warnings = Vec::new();
    let user_data = user_data(sources, &found, &mut warnings);
    if !user_data.identifies() {
        return Conversion::Unsendable(Unsendable::NoIdentity);
    }

    let tag_event_id = match data.get("event_id") {
        Some(DataValue::Json(event_id)) => Some(*event_id),
        _ => None,
    };
    let message_id = match message {
        Message::Track(track) => track.message_id,
        Message::Page(page) => page.message_id,
        _ => None,
    };
    let Some(event_id) = id_text(tag_event_id).or_else(|| id_text(message_id)) else {
        return Conversion::Unsendable(Unsendable::NoEventId);
    };

    let page_url = match message {
        Message::Page(_) => found[sources.properties_url].and_then(non_empty_string),
        _ => None,
    };
    let event = ConversionEvent {
        event_name,
        action_source: action_source(found[sources.device_type]),
        event_time,
        event_id,
        custom_data: custom_data(&data, &mut warnings),
        user_data,
        event_source_url: page_url.or_else(|| found[sources.page_url].and_then(non_empty_string)),
        opt_out: found[sources.ad_tracking_enabled]
            .and_then(Json::as_bool)
            .and_then(|enabled| (!enabled).then_some(true)),
        language: found[sources.locale].and_then(language),
    };
    Conversion::Event { event, warnings }
}

/// Defines `event_name` from the rows of `pinterest_mapping_vocabulary::with_events!`: each standard
/// code is the API's event of the same name.
macro_rules! event_name {
    ({ $($(#[$doc:meta])* $variant:ident => $code:literal as $api:literal,)* }) => {
        /// The API's name of a Tag event; `None` for a partner-defined event.
        fn event_name(event: &PinterestEvent<'_>) -> Option<EventName> {
            match event {
                $(PinterestEvent::$variant => Some(EventName::$variant),)*
                PinterestEvent::Partner(_) => None,
            }
        }
    };
}

pinterest_mapping_vocabulary::with_events!(event_name {});

/// `user_data` from the table's rows: for each field, the first row whose value leaves
/// something after normalisation.
fn user_data<'a>(
    sources: &Sources,
    found: &Found<'a>,
    warnings: &mut Vec<FieldWarning>,
) -> UserData<'a> {
    let mut user_data = UserData::default();
    for (index, row) in &sources.identity {
        if is_filled(row.field, &user_data) {
            continue;
        }
        let Some(value) = found[*index].filter(|value| !value.is_null()) else {
            continue;
        };
        let raw: Cow<'_, str> = match value.to_str() {
            Some(text) => text,
            None if value.type_name() == "a number" => Cow::Borrowed(value.text()),
            None => {
                warnings.push(FieldWarning::new(
                    format!("user_data.{}", row.field),
                    format!("`{row}` is {}, not a string", value.type_name()),
                ));
                continue;
            }
        };
        let raw = match row.parameter {
            Some(name) => match query_parameter(&raw, name) {
                Some(parameter) => Cow::Owned(parameter),
                None => continue,
            },
            None => raw,
        };
        if let Some(value) = IdentityValue::new(row.field, raw) {
            value.fill(row.field, &mut user_data);
        }
    }
    user_data
}

/// The parameter `name` of a URL's query (or of a query string), decoded.
fn query_parameter(text: &str, name: &str) -> Option<String> {
    let query = text.split_once('?').map_or(text, |(_, query)| query);
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// An id as the API takes it: a string as it is, anything else as its JSON text; nothing for
/// an empty string or `null`.
fn id_text(value: Option<Json<'_>>) -> Option<Cow<'_, str>> {
    let value = value.filter(|value| !value.is_null())?;
    match value.to_str() {
        Some(text) => (!text.is_empty()).then_some(text),
        None => Some(Cow::Borrowed(value.text())),
    }
}

fn non_empty_string(value: Json<'_>) -> Option<Cow<'_, str>> {
    value.to_str().filter(|text| !text.is_empty())
}

/// `app_ios` or `app_android` for messages from those devices, `web` otherwise.
fn action_source(device_type: Option<Json<'_>>) -> ActionSource {
    match device_type.and_then(Json::to_str) {
        Some(kind) if kind.eq_ignore_ascii_case("ios") => ActionSource::AppIos,
        Some(kind) if kind.eq_ignore_ascii_case("android") => ActionSource::AppAndroid,
        _ => ActionSource::Web,
    }
}

/// The language of a locale (`en-US` → `en`), when it is two ASCII letters.
fn language(locale: Json<'_>) -> Option<Cow<'static, str>> {
    let locale = locale.to_str()?;
    let language = locale.split(['-', '_']).next()?;
    (language.len() == 2 && language.bytes().all(|byte| byte.is_ascii_alphabetic()))
        .then(|| Cow::Owned(language.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_events_and_api_names_agree() {
        for event in PinterestEvent::STANDARD {
            assert_eq!(event_name(&event).map(EventName::as_str), event.api_name());
        }
        assert_eq!(event_name(&PinterestEvent::Partner("x".into())), None);
    }

    #[test]
    fn query_parameters_of_urls_and_query_strings() {
        for (text, expected) in [
            ("?epik=abc&x=1", Some("abc")),
            ("epik=a%2Fb+c", Some("a/b c")),
            ("https://shop.example/p?x=1&epik=z#epik=no", Some("z")),
            ("https://shop.example/p", None),
            ("?EPIK=abc", None),
        ] {
            assert_eq!(query_parameter(text, "epik").as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn ids_are_strings_or_json_text() {
        let id = |text: &'static str| id_text(Some(Json::parse(text).unwrap()));
        assert_eq!(id(r#""m-1""#).as_deref(), Some("m-1"));
        assert_eq!(id("42").as_deref(), Some("42"));
        assert_eq!(id(r#"{"a": 1}"#).as_deref(), Some(r#"{"a": 1}"#));
        assert_eq!(id(r#""""#), None);
        assert_eq!(id("null"), None);
    }

    #[test]
    fn languages_and_sources_from_the_context() {
        let json = |text: &'static str| Json::parse(text).unwrap();
        assert_eq!(language(json(r#""en-US""#)).as_deref(), Some("en"));
        assert_eq!(language(json(r#""FR_ca""#)).as_deref(), Some("fr"));
        assert_eq!(language(json(r#""de""#)).as_deref(), Some("de"));
        assert_eq!(language(json(r#""eng-GB""#)), None);
        assert_eq!(language(json("5")), None);
        assert_eq!(action_source(Some(json(r#""iOS""#))), ActionSource::AppIos);
        assert_eq!(
            action_source(Some(json(r#""ANDROID""#))),
            ActionSource::AppAndroid
        );
        assert_eq!(action_source(Some(json(r#""web""#))), ActionSource::Web);
        assert_eq!(action_source(None), ActionSource::Web);
    }

    #[test]
    fn each_standard_code_is_the_api_event_the_vocabulary_names() {
        for (code, api) in pinterest_mapping_vocabulary::vocabulary::EVENT_API_NAMES {
            let event = PinterestEvent::from_name(*code);
            assert_eq!(event_name(&event).map(EventName::as_str), Some(*api));
            assert_eq!(event.api_name(), Some(*api));
        }
        assert_eq!(event_name(&PinterestEvent::from_name("Newsletter")), None);
    }
}
