//! Conversions API events written as JSON directly into a byte buffer, as the tool writes Tag
//! calls: the same text `serde_json` writes for them (a test holds the two together), in a
//! fraction of the time, since strings are checked for escapes eight bytes at a time.

use std::io;

use super::event::{Content, ConversionEvent, CustomData, Decimal, Sha256Hex, UserData};
use crate::json::write::JsonWriter;

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

    /// Appends the event as JSON to a buffer.
    pub(crate) fn append_json(&self, out: &mut Vec<u8>) {
        let mut object = Object::open(out);
        object.plain("event_name", self.event_name.as_str());
        object.plain("action_source", self.action_source.as_str());
        object.integer("event_time", self.event_time);
        object.string("event_id", &self.event_id);
        object.key("user_data");
        self.user_data.write_json(object.out);
        if !self.custom_data.is_empty() {
            object.key("custom_data");
            self.custom_data.write_json(object.out);
        }
        object.optional_string("event_source_url", self.event_source_url.as_deref());
        if let Some(opt_out) = self.opt_out {
            object.plain_value("opt_out", if opt_out { "true" } else { "false" });
        }
        object.optional_string("language", self.language.as_deref());
        object.close();
    }
}

impl UserData<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut object = Object::open(out);
        for (key, digests) in [
            ("em", &self.em),
            ("ph", &self.ph),
            ("fn", &self.r#fn),
            ("ln", &self.ln),
            ("ge", &self.ge),
            ("db", &self.db),
            ("ct", &self.ct),
            ("st", &self.st),
            ("zp", &self.zp),
            ("country", &self.country),
            ("external_id", &self.external_id),
            ("hashed_maids", &self.hashed_maids),
        ] {
            object.digests(key, digests);
        }
        object.optional_string("client_ip_address", self.client_ip_address.as_deref());
        object.optional_string("client_user_agent", self.client_user_agent.as_deref());
        object.optional_string("click_id", self.click_id.as_deref());
        object.close();
    }
}

impl CustomData<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut object = Object::open(out);
        object.optional_string("currency", self.currency.as_deref());
        object.decimal("value", self.value.as_ref());
        if !self.content_ids.is_empty() {
            object.key("content_ids");
            let mut list = List::open(object.out);
            for id in &self.content_ids {
                list.string(id);
            }
            list.close();
        }
        object.optional_string("content_name", self.content_name.as_deref());
        object.optional_string("content_category", self.content_category.as_deref());
        object.optional_string("content_brand", self.content_brand.as_deref());
        if !self.contents.is_empty() {
            object.key("contents");
            let mut list = List::open(object.out);
            for content in &self.contents {
                list.next();
                content.write_json(list.out);
            }
            list.close();
        }
        object.optional_integer("num_items", self.num_items);
        object.optional_string("order_id", self.order_id.as_deref());
        object.optional_string("search_string", self.search_string.as_deref());
        object.optional_string("opt_out_type", self.opt_out_type.as_deref());
        object.decimal("predicted_ltv", self.predicted_ltv.as_ref());
        object.close();
    }
}

impl Content<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut object = Object::open(out);
        object.optional_string("id", self.id.as_deref());
        object.decimal("item_price", self.item_price.as_ref());
        object.optional_integer("quantity", self.quantity);
        object.optional_string("item_name", self.item_name.as_deref());
        object.optional_string("item_category", self.item_category.as_deref());
        object.optional_string("item_brand", self.item_brand.as_deref());
        object.close();
    }
}

/// An object being written: its members, with commas between them.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>) -> Object<'o> {
        out.push(b'{');
        Object { out, empty: true }
    }

    /// A member's key (an identifier of the schema's) and its colon.
    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.writer().plain_key(key);
    }

    fn writer(&mut self) -> JsonWriter<'_> {
        JsonWriter {
            out: self.out,
            script_safe: false,
        }
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        self.writer().string(value);
    }

    fn optional_string(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(key, value);
        }
    }

    /// A string that needs no escape: the schema's own names.
    fn plain(&mut self, key: &str, value: &str) {
        self.key(key);
        self.writer().plain_string(value);
    }

    fn plain_value(&mut self, key: &str, json: &str) {
        self.key(key);
        self.out.extend_from_slice(json.as_bytes());
    }

    fn integer(&mut self, key: &str, value: i64) {
        self.key(key);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    fn optional_integer(&mut self, key: &str, value: Option<i64>) {
        if let Some(value) = value {
            self.integer(key, value);
        }
    }

    fn decimal(&mut self, key: &str, value: Option<&Decimal<'_>>) {
        if let Some(value) = value {
            self.string(key, value.as_str());
        }
    }

    fn digests(&mut self, key: &str, digests: &[Sha256Hex]) {
        if digests.is_empty() {
            return;
        }
        self.key(key);
        let mut list = List::open(self.out);
        for digest in digests {
            list.next();
            // Hexadecimal digits need no escape.
            list.writer().plain_string(digest.as_str());
        }
        list.close();
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

/// An array being written: its elements, with commas between them.
struct List<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> List<'o> {
    fn open(out: &'o mut Vec<u8>) -> List<'o> {
        out.push(b'[');
        List { out, empty: true }
    }

    /// Before an element.
    fn next(&mut self) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
    }

    fn writer(&mut self) -> JsonWriter<'_> {
        JsonWriter {
            out: self.out,
            script_safe: false,
        }
    }

    fn string(&mut self, value: &str) {
        self.next();
        self.writer().string(value);
    }

    fn close(self) {
        self.out.push(b']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::{ActionSource, EventName};

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
