//! Conversions API events written as JSON directly into a byte buffer, as the tool writes Tag
//! calls: their derived `Serialize` (the one list of their fields) drives the crate's own
//! serializer, which writes the text `serde_json` writes for them (tests hold the two together)
//! in a fraction of the time, since strings are checked for escapes eight bytes at a time.

use std::io;

use super::event::ConversionEvent;
use crate::json::serializer;

impl ConversionEvent<'_> {
    /// Writes the event as JSON: exactly what `serde_json` writes for it.
    ///
    /// ```
    /// use pinterest_mapping::capi::{ActionSource, ConversionEvent, EventName, UserData};
    ///
    /// let event = ConversionEvent {
    ///     event_name: EventName::Lead,
    ///     action_source: ActionSource::Web,
    ///     event_time: 1_795_867_200,
    ///     event_id: "m-1".into(),
    ///     user_data: UserData { client_ip_address: Some("203.0.113.9".into()), ..UserData::default() },
    ///     custom_data: Default::default(),
    ///     event_source_url: None,
    ///     opt_out: Some(true),
    ///     language: None,
    /// };
    /// let mut out = Vec::new();
    /// event.write_json(&mut out)?;
    /// assert_eq!(out, serde_json::to_vec(&event)?);
    /// assert_eq!(event.to_json(), serde_json::to_string(&event)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The writer's.
    pub fn write_json(&self, mut out: impl io::Write) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(512);
        self.append_json(&mut buffer);
        out.write_all(&buffer)
    }

    /// The event as JSON: exactly what `serde_json` writes for it.
    pub fn to_json(&self) -> String {
        let mut buffer = Vec::with_capacity(512);
        self.append_json(&mut buffer);
        // The writer copies UTF-8 text and adds ASCII.
        String::from_utf8_lossy(&buffer).into_owned()
    }

    /// Appends the event as JSON to a buffer, through its derived `Serialize`.
    pub(crate) fn append_json(&self, out: &mut Vec<u8>) {
        // Every part of an event is a string, an integer, a flag, or a list or an object of
        // them: serializing one cannot fail.
        let written = serializer::append(self, out);
        debug_assert!(written.is_ok(), "an event failed to serialize: {written:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::{ActionSource, Content, CustomData, Decimal, EventName, Sha256Hex, UserData};

    /// Every field set, strings needing escapes: the writer and serde agree on all of it.
    #[test]
    fn writes_what_serde_writes_with_every_field() {
        let digest = Sha256Hex::digest("x");
        let text = |value: &'static str| Some(value.into());
        let content = Content {
            id: text("p\"1"),
            item_price: Decimal::new("1.50"),
            quantity: Some(2),
            item_name: text("n\u{1}"),
            item_category: text("c\\"),
            item_brand: text("b</"),
        };
        let event = ConversionEvent {
            event_name: EventName::AddToWishlist,
            action_source: ActionSource::AppAndroid,
            event_time: -12,
            event_id: "e\n\u{2028}".into(),
            user_data: UserData {
                em: vec![digest, digest],
                ph: vec![digest],
                r#fn: vec![digest],
                ln: vec![digest],
                ge: vec![digest],
                db: vec![digest],
                ct: vec![digest],
                st: vec![digest],
                zp: vec![digest],
                country: vec![digest],
                external_id: vec![digest],
                hashed_maids: vec![digest],
                client_ip_address: text("::1"),
                client_user_agent: text("UA \u{7f} é"),
                click_id: text("c"),
            },
            custom_data: CustomData {
                currency: text("USD"),
                value: Decimal::new("-1e3"),
                content_ids: vec!["a".into(), "\"".into()],
                content_name: text("name"),
                content_category: text("category"),
                content_brand: text("brand"),
                contents: vec![content.clone(), Content::default(), content],
                num_items: Some(i64::MAX),
                order_id: text("o"),
                search_string: text("s\t"),
                opt_out_type: text("LDP"),
                predicted_ltv: Decimal::new("0"),
            },
            event_source_url: text("https://shop.example/?a=1&b=<2>"),
            opt_out: Some(false),
            language: text("en"),
        };
        let mut written = Vec::new();
        event.append_json(&mut written);
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&event).unwrap()
        );
    }

    #[test]
    fn writes_what_serde_writes_with_no_optional_field() {
        let event = ConversionEvent {
            event_name: EventName::Checkout,
            action_source: ActionSource::Web,
            event_time: 0,
            event_id: "".into(),
            user_data: UserData::default(),
            custom_data: CustomData::default(),
            event_source_url: None,
            opt_out: None,
            language: None,
        };
        let mut written = Vec::new();
        event.append_json(&mut written);
        assert_eq!(written, serde_json::to_vec(&event).unwrap());
    }
}
