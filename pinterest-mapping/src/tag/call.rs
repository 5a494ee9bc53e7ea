//! Pinterest Tag calls: the argument lists of `pintrk(…)`, as JSON or as JavaScript statements
//! safe to place inside an HTML `<script>` element.

use std::collections::HashMap;
use std::fmt;
use std::io;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::json::Json;
use crate::json::write::JsonWriter;
use crate::table::{LineItemField, PinterestEvent};

/// One `pintrk` call.
///
/// Serializes to its argument list (`["track","Checkout",{"order_id":"o-1"}]`); [`Self::to_js`]
/// renders the JavaScript statement.
#[derive(Clone, Debug, PartialEq)]
pub enum PintrkCall<'a> {
    /// `pintrk('load', tid)`, or `pintrk('load', tid, {em})` with enhanced match.
    Load {
        /// The Pinterest Tag ID.
        tid: &'a str,
        /// The stored email, when enhanced match is on and one is known.
        email: Option<Json<'a>>,
    },
    /// `pintrk('page')`.
    Page,
    /// `pintrk('set', {np: 'segment', em})`.
    Set {
        /// The user's email, as sent (the tag hashes it).
        email: Json<'a>,
    },
    /// `pintrk('track', event, data)`.
    Track {
        /// The Pinterest event.
        event: PinterestEvent<'a>,
        /// The event data.
        data: CallData<'a>,
    },
}

/// The event data of a track call: an ordered JSON object.
///
/// Setting a key that is already present replaces its value in place, as assigning to a
/// JavaScript object property does.
#[derive(Clone, Debug, Default)]
pub struct CallData<'a> {
    entries: Vec<Entry<'a>>,
    /// Where each key is, once there are many (thousands of custom properties).
    index: Option<HashMap<&'a str, usize>>,
}

/// Keys are found through a hash index from this many entries on.
const INDEXED_ENTRIES: usize = 32;

impl PartialEq for CallData<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Entry<'a> {
    key: &'a str,
    /// Whether the key is written as it is, without escapes in JSON or in scripts: known when
    /// the entry is made, so that writing a call need not check the key again.
    plain: bool,
    value: DataValue<'a>,
}

/// A value in [`CallData`].
#[derive(Clone, Debug, PartialEq)]
pub enum DataValue<'a> {
    /// A Segment value, written as it was sent.
    Json(Json<'a>),
    /// A string of the destination's own, such as the empty name of a page without one.
    Str(&'static str),
    /// The line items a table built from the products.
    LineItems(CallLineItems<'a>),
}

/// The `line_items` of a track call: one entry per product, each the fields the table bound
/// or, for a product that filled none of them, a hole (sent as `null`).
///
/// ```
/// use pinterest_mapping::{Json, LineItemField, CallLineItems};
///
/// let mut items = CallLineItems::default();
/// items.push_item([(LineItemField::ProductId, Json::parse(r#""p-1""#)?)]);
/// items.push_hole();
/// items.push_item([(LineItemField::Custom("colour"), Json::parse(r#""red""#)?)]);
/// assert_eq!(items.len(), 3);
/// assert_eq!(
///     serde_json::to_string(&items)?,
///     r#"[{"product_id":"p-1"},null,{"colour":"red"}]"#
/// );
/// let second = items.iter().nth(1).expect("three items");
/// assert!(second.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallLineItems<'a> {
    /// The items one after another, each a marker followed by its fields: one allocation
    /// for all of them.
    slots: Vec<Slot<'a>>,
    len: usize,
}

#[derive(Clone, Debug, PartialEq)]
enum Slot<'a> {
    /// An item begins; its fields follow.
    Item,
    /// A hole.
    Hole,
    Field(LineItemField, Json<'a>),
}

/// One line item of [`CallLineItems`]: its fields, in the table's order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallLineItem<'s, 'a> {
    fields: &'s [Slot<'a>],
}

impl<'a> CallLineItems<'a> {
    /// Empty, with room for `slots` items and fields in all.
    #[inline]
    pub(crate) fn with_capacity(slots: usize) -> Self {
        CallLineItems {
            slots: Vec::with_capacity(slots),
            len: 0,
        }
    }

    /// Appends an item with these fields.
    #[inline]
    pub fn push_item(&mut self, fields: impl IntoIterator<Item = (LineItemField, Json<'a>)>) {
        self.slots.push(Slot::Item);
        self.slots.extend(
            fields
                .into_iter()
                .map(|(field, value)| Slot::Field(field, value)),
        );
        self.len += 1;
    }

    /// Appends a hole.
    #[inline]
    pub fn push_hole(&mut self) {
        self.slots.push(Slot::Hole);
        self.len += 1;
    }

    /// The number of items, holes included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no item.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items in order; `None` for a hole.
    pub fn iter(&self) -> impl Iterator<Item = Option<CallLineItem<'_, 'a>>> {
        let mut rest = self.slots.as_slice();
        std::iter::from_fn(move || {
            let (first, after) = rest.split_first()?;
            let fields = after
                .iter()
                .position(|slot| !matches!(slot, Slot::Field(..)))
                .unwrap_or(after.len());
            let (fields, next) = after.split_at(fields);
            rest = next;
            Some(matches!(first, Slot::Item).then_some(CallLineItem { fields }))
        })
    }
}

impl<'s, 'a> CallLineItem<'s, 'a> {
    /// The fields, in the table's order.
    pub fn fields(self) -> impl Iterator<Item = (LineItemField, Json<'a>)> + 's {
        self.fields.iter().filter_map(|slot| match slot {
            Slot::Field(field, value) => Some((*field, *value)),
            Slot::Item | Slot::Hole => None,
        })
    }

    /// The value of a field.
    pub fn get(self, field: LineItemField) -> Option<Json<'a>> {
        self.fields()
            .find(|(name, _)| *name == field)
            .map(|(_, value)| value)
    }
}

impl<'a> CallData<'a> {
    /// Empty, with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        CallData {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    /// Sets `key`, in place when present, at the end otherwise.
    pub fn set(&mut self, key: &'a str, value: DataValue<'a>) {
        self.set_key(key, is_plain(key), value);
    }

    /// [`Self::set`] for a key whose plainness ([`is_plain`]) is known.
    pub(crate) fn set_key(&mut self, key: &'a str, plain: bool, value: DataValue<'a>) {
        debug_assert_eq!(plain, is_plain(key));
        match self.position(key) {
            Some(position) => self.entries[position].value = value,
            None => self.push_new(key, plain, value),
        }
    }

    /// Appends a key known to be absent, whose plainness ([`is_plain`]) is known: a table's
    /// fields, into empty data.
    #[inline]
    pub(crate) fn push_new(&mut self, key: &'a str, plain: bool, value: DataValue<'a>) {
        debug_assert!(plain == is_plain(key) && self.get(key).is_none());
        self.entries.push(Entry { key, plain, value });
        match &mut self.index {
            Some(index) => {
                index.insert(key, self.entries.len() - 1);
            }
            None if self.entries.len() >= INDEXED_ENTRIES => self.reindex(),
            None => {}
        }
    }

    /// Where `key` is.
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|entry| entry.key == key),
        }
    }

    /// Builds the index anew, after entries moved.
    fn reindex(&mut self) {
        if self.entries.len() < INDEXED_ENTRIES {
            self.index = None;
            return;
        }
        let index = self.index.get_or_insert_with(HashMap::new);
        index.clear();
        for (position, entry) in self.entries.iter().enumerate() {
            index.insert(entry.key, position);
        }
    }

    /// Moves `key`, if present, to position `index` (or the end, if there are fewer entries).
    pub(crate) fn move_key(&mut self, key: &str, index: usize) {
        if let Some(from) = self.position(key) {
            let entry = self.entries.remove(from);
            self.entries.insert(index.min(self.entries.len()), entry);
            if self.index.is_some() {
                self.reindex();
            }
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Removes `key` if present.
    pub fn remove(&mut self, key: &str) {
        if let Some(position) = self.position(key) {
            self.entries.remove(position);
            if self.index.is_some() {
                self.reindex();
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&DataValue<'a>> {
        self.position(key)
            .map(|position| &self.entries[position].value)
    }

    /// The entries in order.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, &DataValue<'a>)> {
        self.entries.iter().map(|entry| (entry.key, &entry.value))
    }

    /// Whether the object is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether a key needs no escape, in JSON or in a script.
pub(crate) fn is_plain(key: &str) -> bool {
    JsonWriter::is_plain(key)
}

impl Serialize for CallData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for entry in &self.entries {
            map.serialize_entry(entry.key, &entry.value)?;
        }
        map.end()
    }
}

impl Serialize for DataValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DataValue::Json(value) => value.serialize(serializer),
            DataValue::Str(text) => serializer.serialize_str(text),
            DataValue::LineItems(items) => items.serialize(serializer),
        }
    }
}

impl Serialize for CallLineItems<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len))?;
        for item in self.iter() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

impl Serialize for CallLineItem<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (field, value) in self.fields() {
            map.serialize_entry(field.as_str(), &value)?;
        }
        map.end()
    }
}

/// `{"em": email}` or `{"np": "segment", "em": email}`.
struct EmailObject<'a> {
    partner: Option<&'static str>,
    email: Json<'a>,
}

impl Serialize for EmailObject<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1 + usize::from(self.partner.is_some())))?;
        if let Some(partner) = self.partner {
            map.serialize_entry("np", partner)?;
        }
        map.serialize_entry("em", &self.email)?;
        map.end()
    }
}

/// One argument of a call.
enum Argument<'c, 'a> {
    Str(&'c str),
    Email(EmailObject<'a>),
    Data(&'c CallData<'a>),
}

impl Serialize for Argument<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Argument::Str(text) => serializer.serialize_str(text),
            Argument::Email(object) => object.serialize(serializer),
            Argument::Data(data) => data.serialize(serializer),
        }
    }
}

impl<'a> PintrkCall<'a> {
    /// The command: `load`, `page`, `set` or `track`.
    pub fn command(&self) -> &'static str {
        match self {
            PintrkCall::Load { .. } => "load",
            PintrkCall::Page => "page",
            PintrkCall::Set { .. } => "set",
            PintrkCall::Track { .. } => "track",
        }
    }

    fn arguments(&self) -> Vec<Argument<'_, 'a>> {
        let mut arguments = vec![Argument::Str(self.command())];
        match self {
            PintrkCall::Load { tid, email } => {
                arguments.push(Argument::Str(tid));
                if let Some(email) = email {
                    arguments.push(Argument::Email(EmailObject {
                        partner: None,
                        email: *email,
                    }));
                }
            }
            PintrkCall::Page => {}
            PintrkCall::Set { email } => arguments.push(Argument::Email(EmailObject {
                partner: Some("segment"),
                email: *email,
            })),
            PintrkCall::Track { event, data } => {
                arguments.push(Argument::Str(event.as_str()));
                arguments.push(Argument::Data(data));
            }
        }
        arguments
    }

    /// Writes the argument list as JSON: `["track","Checkout",{…}]`, as serde would write it.
    ///
    /// ```
    /// use pinterest_mapping::PintrkCall;
    ///
    /// let mut out = Vec::new();
    /// PintrkCall::Page.write_json(&mut out)?;
    /// assert_eq!(out, br#"["page"]"#);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The writer's.
    pub fn write_json(&self, mut out: impl io::Write) -> io::Result<()> {
        out.write_all(self.to_json().as_bytes())
    }

    /// Writes the JavaScript statement, `pintrk("track", "Checkout", {…});`: see
    /// [`Self::to_js`].
    ///
    /// # Errors
    ///
    /// The writer's.
    pub fn write_js(&self, mut out: impl io::Write) -> io::Result<()> {
        out.write_all(self.to_js().as_bytes())
    }

    /// Appends the argument list as JSON to a buffer.
    pub(crate) fn append_json(&self, out: &mut Vec<u8>) {
        let mut writer = JsonWriter {
            out,
            script_safe: false,
        };
        writer.bytes(b"[");
        self.write_arguments(&mut writer, b",");
        writer.bytes(b"]");
    }

    /// Appends the JavaScript statement to a buffer.
    pub(crate) fn append_js(&self, out: &mut Vec<u8>) {
        let mut writer = JsonWriter {
            out,
            script_safe: true,
        };
        writer.bytes(b"pintrk(");
        self.write_arguments(&mut writer, b", ");
        writer.bytes(b");");
    }

    fn write_arguments(&self, writer: &mut JsonWriter, separator: &[u8]) {
        writer.plain_string(self.command());
        match self {
            PintrkCall::Load { tid, email } => {
                writer.bytes(separator);
                writer.string(tid);
                if let Some(email) = email {
                    writer.bytes(separator);
                    write_email(writer, None, *email);
                }
            }
            PintrkCall::Page => {}
            PintrkCall::Set { email } => {
                writer.bytes(separator);
                write_email(writer, Some("segment"), *email);
            }
            PintrkCall::Track { event, data } => {
                writer.bytes(separator);
                match event {
                    PinterestEvent::Partner(name) => writer.string(name),
                    // The standard codes are identifiers.
                    standard => writer.plain_string(standard.as_str()),
                }
                writer.bytes(separator);
                write_data(writer, data);
            }
        }
    }

    /// The argument list as JSON: `["track","Checkout",{…}]`, as serde would write it.
    ///
    /// ```
    /// use pinterest_mapping::PintrkCall;
    ///
    /// assert_eq!(PintrkCall::Page.to_json(), r#"["page"]"#);
    /// ```
    pub fn to_json(&self) -> String {
        self.rendered(Self::append_json)
    }

    /// The JavaScript statement, `pintrk("track", "Checkout", {…});`.
    ///
    /// Safe inside an HTML `<script>` element whatever the values: `<`, `>` and `&` are written
    /// as `\u003c`, `\u003e` and `\u0026`, and U+2028 and U+2029 as escapes, so no value can
    /// close the element, open a comment, or end a JavaScript line.
    ///
    /// ```
    /// use pinterest_mapping::{PintrkCall, Json};
    ///
    /// let email = Json::parse(r#""</script><script>alert(1)</script>""#)?;
    /// let call = PintrkCall::Set { email };
    /// assert_eq!(
    ///     call.to_js(),
    ///     r#"pintrk("set", {"np":"segment","em":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"});"#
    /// );
    /// # Ok::<(), pinterest_mapping::SyntaxError>(())
    /// ```
    pub fn to_js(&self) -> String {
        self.rendered(Self::append_js)
    }

    fn rendered(&self, write: fn(&Self, &mut Vec<u8>)) -> String {
        let mut buffer = Vec::new();
        write(self, &mut buffer);
        // The writer copies UTF-8 text and adds ASCII.
        String::from_utf8_lossy(&buffer).into_owned()
    }
}

impl Serialize for PintrkCall<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let arguments = self.arguments();
        let mut seq = serializer.serialize_seq(Some(arguments.len()))?;
        for argument in &arguments {
            seq.serialize_element(argument)?;
        }
        seq.end()
    }
}

impl fmt::Display for PintrkCall<'_> {
    /// The JavaScript statement.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_js())
    }
}

fn write_email(writer: &mut JsonWriter, partner: Option<&str>, email: Json) {
    writer.bytes(b"{");
    if let Some(partner) = partner {
        writer.bytes(b"\"np\":");
        writer.string(partner);
        writer.bytes(b",");
    }
    writer.bytes(b"\"em\":");
    writer.raw(email.text());
    writer.bytes(b"}");
}

fn write_data(writer: &mut JsonWriter, data: &CallData) {
    writer.bytes(b"{");
    for (index, Entry { key, plain, value }) in data.entries.iter().enumerate() {
        if index > 0 {
            writer.bytes(b",");
        }
        if *plain {
            writer.plain_key(key);
        } else {
            writer.key(key);
        }
        match value {
            DataValue::Json(raw) => writer.raw(raw.text()),
            DataValue::Str(text) => writer.string(text),
            DataValue::LineItems(items) => write_line_items(writer, items),
        }
    }
    writer.bytes(b"}");
}

/// The line items in one pass over their slots.
fn write_line_items(writer: &mut JsonWriter, items: &CallLineItems) {
    writer.bytes(b"[");
    // Whether an item is open, and whether it has a field yet.
    let (mut open, mut first_field) = (false, true);
    for (index, slot) in items.slots.iter().enumerate() {
        match slot {
            Slot::Item | Slot::Hole => {
                if open {
                    writer.bytes(b"}");
                }
                if index > 0 {
                    writer.bytes(b",");
                }
                open = matches!(slot, Slot::Item);
                if open {
                    writer.bytes(b"{");
                    first_field = true;
                } else {
                    writer.bytes(b"null");
                }
            }
            Slot::Field(field, value) => {
                if !first_field {
                    writer.bytes(b",");
                }
                first_field = false;
                let key = field.as_str();
                // Documented fields are identifiers; a table's custom keys may be anything.
                if field.is_documented() {
                    writer.plain_key(key);
                } else {
                    writer.key(key);
                }
                writer.raw(value.text());
            }
        }
    }
    if open {
        writer.bytes(b"}");
    }
    writer.bytes(b"]");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Json<'_> {
        Json::parse(text).unwrap()
    }

    #[test]
    fn serializes_argument_lists() {
        let email = raw(r#""a@b.co""#);
        let order = raw(r#""o-1""#);
        let mut data = CallData::default();
        data.set("order_id", DataValue::Json(order));
        data.set("name", DataValue::Str(""));
        let calls = [
            PintrkCall::Load {
                tid: "t",
                email: None,
            },
            PintrkCall::Load {
                tid: "t",
                email: Some(email),
            },
            PintrkCall::Page,
            PintrkCall::Set { email },
            PintrkCall::Track {
                event: PinterestEvent::Checkout,
                data,
            },
        ];
        assert_eq!(
            serde_json::to_string(&calls).unwrap(),
            r#"[["load","t"],["load","t",{"em":"a@b.co"}],["page"],["set",{"np":"segment","em":"a@b.co"}],["track","Checkout",{"order_id":"o-1","name":""}]]"#
        );
        let js: Vec<String> = calls.iter().map(PintrkCall::to_js).collect();
        assert_eq!(
            js,
            [
                r#"pintrk("load", "t");"#,
                r#"pintrk("load", "t", {"em":"a@b.co"});"#,
                r#"pintrk("page");"#,
                r#"pintrk("set", {"np":"segment","em":"a@b.co"});"#,
                r#"pintrk("track", "Checkout", {"order_id":"o-1","name":""});"#,
            ]
        );
    }

    #[test]
    fn documented_keys_are_plain_and_custom_keys_are_escaped() {
        use crate::table::DataField;
        let documented = DataField::DOCUMENTED
            .iter()
            .map(|field| field.as_str())
            .chain(LineItemField::DOCUMENTED.iter().map(|field| field.as_str()));
        for key in documented {
            assert!(is_plain(key), "{key}");
        }
        assert!(!is_plain("a\"b") && !is_plain("</") && !is_plain("\u{2028}"));

        let value = raw("1");
        let mut items = CallLineItems::default();
        items.push_item([
            (LineItemField::ProductId, value),
            (LineItemField::Custom("</script>\""), value),
        ]);
        items.push_hole();
        let mut data = CallData::default();
        data.set("line_items", DataValue::LineItems(items));
        let call = PintrkCall::Track {
            event: PinterestEvent::Checkout,
            data,
        };
        assert_eq!(
            call.to_js(),
            r#"pintrk("track", "Checkout", {"line_items":[{"product_id":1,"\u003c/script\u003e\"":1},null]});"#
        );
        assert_eq!(
            call.to_json(),
            r#"["track","Checkout",{"line_items":[{"product_id":1,"</script>\"":1},null]}]"#
        );
        assert_eq!(serde_json::to_string(&call).unwrap(), call.to_json());
    }

    #[test]
    fn set_replaces_in_place_and_remove_drops() {
        let (one, two) = (raw("1"), raw("2"));
        let mut data = CallData::default();
        data.set("a", DataValue::Json(one));
        data.set("b", DataValue::Json(one));
        data.set("a", DataValue::Json(two));
        assert_eq!(serde_json::to_string(&data).unwrap(), r#"{"a":2,"b":1}"#);
        data.remove("a");
        assert_eq!(serde_json::to_string(&data).unwrap(), r#"{"b":1}"#);
    }

    #[test]
    fn raw_values_are_written_as_sent() {
        let value = raw(r#"{"price": 1.50, "text": "\u0041\n"}"#);
        let mut data = CallData::default();
        data.set("v", DataValue::Json(value));
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"v":{"price": 1.50, "text": "\u0041\n"}}"#
        );
    }

    #[test]
    fn js_escapes_everything_that_could_break_out() {
        // Json values carry hostile text as sent, in strings and in keys.
        let hostile = raw("{\"</script>\": \"</script><!-- & \u{2028}\u{2029} \\\" ' \\n\"}");
        let mut data = CallData::default();
        data.set("</script>", DataValue::Json(hostile));
        let call = PintrkCall::Track {
            event: PinterestEvent::Partner("<!--x-->".into()),
            data,
        };
        let js = call.to_js();
        assert_eq!(
            js,
            r#"pintrk("track", "\u003c!--x--\u003e", {"\u003c/script\u003e":{"\u003c/script\u003e": "\u003c/script\u003e\u003c!-- \u0026 \u2028\u2029 \" ' \n"}});"#
        );
        for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}", "\n"] {
            assert!(!js.contains(forbidden), "{forbidden:?} in {js}");
        }
    }
}
