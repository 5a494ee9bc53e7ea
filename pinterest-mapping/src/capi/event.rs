//! The Conversions API's request, as Rust types that mirror Pinterest's schema: each struct has
//! exactly the keys the API accepts (its objects reject unknown keys with 400), and each value
//! the API's type (`value` a string holding a number, `num_items` an integer, hashed identity
//! fields lowercase SHA-256 digests). Strings borrow from the message they came from where
//! they can ([`ConversionEvent::into_owned`] keeps an event past it).

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The body of a request: `{"data": [event, …]}`, 1 to 1,000 events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionEvents<'a> {
    /// The events.
    pub data: Vec<ConversionEvent<'a>>,
}

impl ConversionEvents<'_> {
    /// The most events one request may carry.
    pub const MAX_EVENTS: usize = 1_000;
}

/// One conversion event.
///
/// ```
/// use pinterest_mapping::capi::{ActionSource, ConversionEvent, EventName, Sha256Hex, UserData};
///
/// let event = ConversionEvent {
///     event_name: EventName::Checkout,
///     action_source: ActionSource::Web,
///     event_time: 1_700_000_000,
///     event_id: "m-1".into(),
///     user_data: UserData {
///         em: vec![Sha256Hex::digest("jane@example.com")],
///         ..UserData::default()
///     },
///     custom_data: Default::default(),
///     event_source_url: None,
///     opt_out: None,
///     language: None,
/// };
/// assert!(event.user_data.identifies());
/// assert_eq!(
///     serde_json::to_string(&event)?,
///     r#"{"event_name":"checkout","action_source":"web","event_time":1700000000,"event_id":"m-1","user_data":{"em":["8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d"]}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionEvent<'a> {
    /// `event_name`.
    pub event_name: EventName,
    /// `action_source`: where the conversion happened.
    pub action_source: ActionSource,
    /// `event_time`: Unix time, in seconds.
    pub event_time: i64,
    /// `event_id`: the key Pinterest deduplicates the Tag's and the API's events by.
    pub event_id: Cow<'a, str>,
    /// `user_data`: who converted.
    pub user_data: UserData<'a>,
    /// `custom_data`: what the conversion was about; omitted when empty.
    #[serde(default, skip_serializing_if = "CustomData::is_empty")]
    pub custom_data: CustomData<'a>,
    /// `event_source_url`: the page of a web conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<Cow<'a, str>>,
    /// `opt_out`: whether the user opted out of tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<bool>,
    /// `language`: two-letter ISO 639-1 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Cow<'a, str>>,
}

impl ConversionEvent<'_> {
    /// The same event, owning its strings.
    pub fn into_owned(self) -> ConversionEvent<'static> {
        ConversionEvent {
            event_name: self.event_name,
            action_source: self.action_source,
            event_time: self.event_time,
            event_id: owned(self.event_id),
            user_data: self.user_data.into_owned(),
            custom_data: self.custom_data.into_owned(),
            event_source_url: self.event_source_url.map(owned),
            opt_out: self.opt_out,
            language: self.language.map(owned),
        }
    }
}

fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

/// `event_name`: the event types the Conversions API accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum EventName {
    AddPaymentInfo,
    AddToCart,
    AddToWishlist,
    AppInstall,
    Checkout,
    Custom,
    InitiateCheckout,
    Lead,
    PageVisit,
    Search,
    Signup,
    Subscribe,
    ViewCategory,
    ViewContent,
    WatchVideo,
}

impl EventName {
    /// The name as the API spells it (`add_to_cart`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::AddPaymentInfo => "add_payment_info",
            EventName::AddToCart => "add_to_cart",
            EventName::AddToWishlist => "add_to_wishlist",
            EventName::AppInstall => "app_install",
            EventName::Checkout => "checkout",
            EventName::Custom => "custom",
            EventName::InitiateCheckout => "initiate_checkout",
            EventName::Lead => "lead",
            EventName::PageVisit => "page_visit",
            EventName::Search => "search",
            EventName::Signup => "signup",
            EventName::Subscribe => "subscribe",
            EventName::ViewCategory => "view_category",
            EventName::ViewContent => "view_content",
            EventName::WatchVideo => "watch_video",
        }
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `action_source`: where the conversion happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionSource {
    /// `web`.
    Web,
    /// `app_ios`.
    AppIos,
    /// `app_android`.
    AppAndroid,
    /// `offline`: never deduplicated with the Tag.
    Offline,
}

impl ActionSource {
    /// The source as the API spells it (`app_ios`).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionSource::Web => "web",
            ActionSource::AppIos => "app_ios",
            ActionSource::AppAndroid => "app_android",
            ActionSource::Offline => "offline",
        }
    }
}

/// `user_data`: who converted. Hashed fields hold SHA-256 digests of normalised values.
/// Pinterest requires `em`, `hashed_maids`, or both `client_ip_address` and
/// `client_user_agent` ([`UserData::identifies`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserData<'a> {
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub em: Vec<Sha256Hex>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ph: Vec<Sha256Hex>,
    /// First names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub r#fn: Vec<Sha256Hex>,
    /// Last names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ln: Vec<Sha256Hex>,
    /// Genders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ge: Vec<Sha256Hex>,
    /// Dates of birth.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub db: Vec<Sha256Hex>,
    /// Cities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ct: Vec<Sha256Hex>,
    /// States.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub st: Vec<Sha256Hex>,
    /// Postal codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zp: Vec<Sha256Hex>,
    /// Countries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub country: Vec<Sha256Hex>,
    /// The advertiser's user ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_id: Vec<Sha256Hex>,
    /// Mobile advertising ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashed_maids: Vec<Sha256Hex>,
    /// The user's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip_address: Option<Cow<'a, str>>,
    /// The browser's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_agent: Option<Cow<'a, str>>,
    /// Pinterest's click id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_id: Option<Cow<'a, str>>,
}

impl UserData<'_> {
    /// The same identity, owning its strings.
    pub fn into_owned(self) -> UserData<'static> {
        UserData {
            em: self.em,
            ph: self.ph,
            r#fn: self.r#fn,
            ln: self.ln,
            ge: self.ge,
            db: self.db,
            ct: self.ct,
            st: self.st,
            zp: self.zp,
            country: self.country,
            external_id: self.external_id,
            hashed_maids: self.hashed_maids,
            client_ip_address: self.client_ip_address.map(owned),
            client_user_agent: self.client_user_agent.map(owned),
            click_id: self.click_id.map(owned),
        }
    }

    /// Whether Pinterest can match the user: an email, a mobile advertising id, or both an IP
    /// address and a user agent.
    pub fn identifies(&self) -> bool {
        !self.em.is_empty()
            || !self.hashed_maids.is_empty()
            || (self.client_ip_address.is_some() && self.client_user_agent.is_some())
    }
}

/// `custom_data`: what the conversion was about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomData<'a> {
    /// ISO 4217 currency code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Cow<'a, str>>,
    /// The total value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal<'a>>,
    /// The products' ids, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content_ids: Vec<Cow<'a, str>>,
    /// The name of the page or product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_name: Option<Cow<'a, str>>,
    /// The category of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_category: Option<Cow<'a, str>>,
    /// The brand of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_brand: Option<Cow<'a, str>>,
    /// The products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content<'a>>,
    /// The number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_items: Option<i64>,
    /// The order id, which Pinterest also deduplicates by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<Cow<'a, str>>,
    /// The search string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_string: Option<Cow<'a, str>>,
    /// Privacy opt-out flags (`LDP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out_type: Option<Cow<'a, str>>,
    /// Predicted lifetime value of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_ltv: Option<Decimal<'a>>,
}

impl CustomData<'_> {
    /// Whether no field is set (then `custom_data` is not sent).
    pub fn is_empty(&self) -> bool {
        *self == CustomData::default()
    }

    /// The same data, owning its strings.
    pub fn into_owned(self) -> CustomData<'static> {
        CustomData {
            currency: self.currency.map(owned),
            value: self.value.map(Decimal::into_owned),
            content_ids: self.content_ids.into_iter().map(owned).collect(),
            content_name: self.content_name.map(owned),
            content_category: self.content_category.map(owned),
            content_brand: self.content_brand.map(owned),
            contents: self.contents.into_iter().map(Content::into_owned).collect(),
            num_items: self.num_items,
            order_id: self.order_id.map(owned),
            search_string: self.search_string.map(owned),
            opt_out_type: self.opt_out_type.map(owned),
            predicted_ltv: self.predicted_ltv.map(Decimal::into_owned),
        }
    }
}

/// One product of `custom_data.contents`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content<'a> {
    /// The product id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Cow<'a, str>>,
    /// The price of one item, before discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Decimal<'a>>,
    /// The number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// The product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_name: Option<Cow<'a, str>>,
    /// The product category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_category: Option<Cow<'a, str>>,
    /// The product brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_brand: Option<Cow<'a, str>>,
}

impl Content<'_> {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Content::default()
    }

    /// The same product, owning its strings.
    pub fn into_owned(self) -> Content<'static> {
        Content {
            id: self.id.map(owned),
            item_price: self.item_price.map(Decimal::into_owned),
            quantity: self.quantity,
            item_name: self.item_name.map(owned),
            item_category: self.item_category.map(owned),
            item_brand: self.item_brand.map(owned),
        }
    }
}

/// A number the API takes as a string (`value`, `item_price`): the text of a finite decimal
/// number in JSON's syntax (`"72.39"`, `"1e3"`).
///
/// ```
/// use pinterest_mapping::capi::Decimal;
///
/// assert_eq!(Decimal::new("72.39").map(|d| d.to_string()), Some("72.39".to_owned()));
/// assert!(Decimal::new("$72").is_none() && Decimal::new("1e400").is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Decimal<'a>(Cow<'a, str>);

impl<'a> Decimal<'a> {
    /// `text` when it is a finite number in JSON's syntax.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Option<Decimal<'a>> {
        let text = text.into();
        is_finite_json_number(&text).then_some(Decimal(text))
    }

    /// The number's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same number, owning its text.
    pub fn into_owned(self) -> Decimal<'static> {
        Decimal(owned(self.0))
    }
}

impl fmt::Display for Decimal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Decimal::new(text)
            .ok_or_else(|| serde::de::Error::custom("expected a string holding a finite number"))
    }
}

/// Whether `text` is a number in JSON's syntax that a double holds as a finite value. Only a
/// number with an exponent, or hundreds of digits, can be too large: the rest is not parsed.
fn is_finite_json_number(text: &str) -> bool {
    is_json_number(text)
        && ((text.len() < 300 && !text.contains(['e', 'E']))
            || text.parse::<f64>().is_ok_and(f64::is_finite))
}

/// Whether `text` is a number as JSON writes one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at - start
    };
    let integer = digits(&mut at);
    if integer == 0 || (integer > 1 && bytes[at - integer] == b'0') {
        return false;
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        if digits(&mut at) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return false;
        }
    }
    at == bytes.len()
}

/// A SHA-256 digest in lowercase hexadecimal, as the API takes hashed identity fields.
///
/// ```
/// use pinterest_mapping::capi::Sha256Hex;
///
/// let digest = Sha256Hex::digest("john.doe@example.com");
/// assert_eq!(digest.as_str(), "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f");
/// assert_eq!(Sha256Hex::from_hex(&digest.as_str().to_uppercase()), Some(digest));
/// assert_eq!(Sha256Hex::from_hex("not a digest"), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Hex([u8; 64]);

impl Sha256Hex {
    /// The digest of `normalised` (which must already be normalised for its field).
    pub fn digest(normalised: &str) -> Sha256Hex {
        let digest = Sha256::digest(normalised.as_bytes());
        let mut hex = [0_u8; 64];
        // 32 bytes always fill the 64 hex digits exactly.
        let _ = base16ct::lower::encode(&digest, &mut hex);
        Sha256Hex(hex)
    }

    /// A digest computed elsewhere: 64 hexadecimal digits, in either case (kept lowercase).
    pub fn from_hex(text: &str) -> Option<Sha256Hex> {
        let mut hex: [u8; 64] = text.as_bytes().try_into().ok()?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        hex.make_ascii_lowercase();
        Some(Sha256Hex(hex))
    }

    /// The 64 lowercase hexadecimal digits.
    pub fn as_str(&self) -> &str {
        // Hexadecimal digits only, by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({})", self.as_str())
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sha256Hex::from_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("expected 64 hexadecimal digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_json_numbers_that_are_finite() {
        for number in [
            "0", "-0", "72.39", "1e3", "1E-3", "-12.5e+2", "100", "1e308",
        ] {
            assert!(Decimal::new(number).is_some(), "{number}");
        }
        let long = format!("1{}", "0".repeat(400));
        assert!(Decimal::new(long).is_none(), "beyond a double's range");
        for other in [
            "", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", " 1", "1 ",
            "1,000", "$5", "1e400",
        ] {
            assert!(Decimal::new(other).is_none(), "{other}");
        }
    }

    #[test]
    fn event_names_serialize_as_the_api_spells_them() {
        for name in [
            EventName::AddPaymentInfo,
            EventName::AddToCart,
            EventName::AddToWishlist,
            EventName::AppInstall,
            EventName::Checkout,
            EventName::Custom,
            EventName::InitiateCheckout,
            EventName::Lead,
            EventName::PageVisit,
            EventName::Search,
            EventName::Signup,
            EventName::Subscribe,
            EventName::ViewCategory,
            EventName::ViewContent,
            EventName::WatchVideo,
        ] {
            assert_eq!(
                serde_json::to_string(&name).unwrap(),
                format!("\"{}\"", name.as_str())
            );
        }
        for source in [
            ActionSource::Web,
            ActionSource::AppIos,
            ActionSource::AppAndroid,
            ActionSource::Offline,
        ] {
            assert_eq!(
                serde_json::to_string(&source).unwrap(),
                format!("\"{}\"", source.as_str())
            );
        }
    }

    #[test]
    fn unknown_keys_are_refused_when_read() {
        let error = serde_json::from_str::<CustomData>(r#"{"coupon":"MAY"}"#).unwrap_err();
        assert!(
            error.to_string().starts_with("unknown field `coupon`"),
            "{error}"
        );
        let error = serde_json::from_str::<UserData>(r#"{"fn":["a"]}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("expected 64 hexadecimal digits"),
            "{error}"
        );
    }

    #[test]
    fn first_names_are_sent_as_fn() {
        let user_data = UserData {
            r#fn: vec![Sha256Hex::digest("jane")],
            ..UserData::default()
        };
        let text = serde_json::to_string(&user_data).unwrap();
        assert!(text.starts_with(r#"{"fn":[""#), "{text}");
        assert_eq!(serde_json::from_str::<UserData>(&text).unwrap(), user_data);
        assert!(!user_data.identifies());
    }
}
