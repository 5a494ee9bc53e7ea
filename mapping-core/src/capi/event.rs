//! The Conversions API's request, as Rust types that mirror Pinterest's schema: each struct has
//! exactly the keys the API accepts (its objects reject unknown keys with 400), and each value
//! the API's type (`value` a string holding a number, `num_items` an integer, hashed identity
//! fields lowercase SHA-256 digests).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The body of a request: `{"data": [event, …]}`, 1 to 1,000 events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionEvents {
    /// The events.
    pub data: Vec<ConversionEvent>,
}

impl ConversionEvents {
    /// The most events one request may carry.
    pub const MAX_EVENTS: usize = 1_000;
}

/// One conversion event.
///
/// ```
/// use mapping_core::capi::{ActionSource, ConversionEvent, EventName, Sha256Hex, UserData};
///
/// let event = ConversionEvent {
///     event_name: EventName::Checkout,
///     action_source: ActionSource::Web,
///     event_time: 1_700_000_000,
///     event_id: "m-1".to_owned(),
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
pub struct ConversionEvent {
    /// `event_name`.
    pub event_name: EventName,
    /// `action_source`: where the conversion happened.
    pub action_source: ActionSource,
    /// `event_time`: Unix time, in seconds.
    pub event_time: i64,
    /// `event_id`: the key Pinterest deduplicates the Tag's and the API's events by.
    pub event_id: String,
    /// `user_data`: who converted.
    pub user_data: UserData,
    /// `custom_data`: what the conversion was about; omitted when empty.
    #[serde(default, skip_serializing_if = "CustomData::is_empty")]
    pub custom_data: CustomData,
    /// `event_source_url`: the page of a web conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_url: Option<String>,
    /// `opt_out`: whether the user opted out of tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<bool>,
    /// `language`: two-letter ISO 639-1 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
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

/// `user_data`: who converted. Hashed fields hold SHA-256 digests of normalised values.
/// Pinterest requires `em`, `hashed_maids`, or both `client_ip_address` and
/// `client_user_agent` ([`UserData::identifies`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserData {
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
    pub client_ip_address: Option<String>,
    /// The browser's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_agent: Option<String>,
    /// Pinterest's click id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
}

impl UserData {
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
pub struct CustomData {
    /// ISO 4217 currency code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The total value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// The products' ids, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content_ids: Vec<String>,
    /// The name of the page or product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_name: Option<String>,
    /// The category of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_category: Option<String>,
    /// The brand of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_brand: Option<String>,
    /// The products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content>,
    /// The number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_items: Option<i64>,
    /// The order id, which Pinterest also deduplicates by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The search string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_string: Option<String>,
    /// Privacy opt-out flags (`LDP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out_type: Option<String>,
    /// Predicted lifetime value of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_ltv: Option<Decimal>,
}

impl CustomData {
    /// Whether no field is set (then `custom_data` is not sent).
    pub fn is_empty(&self) -> bool {
        *self == CustomData::default()
    }
}

/// One product of `custom_data.contents`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// The product id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The price of one item, before discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Decimal>,
    /// The number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// The product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_name: Option<String>,
    /// The product category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_category: Option<String>,
    /// The product brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_brand: Option<String>,
}

impl Content {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Content::default()
    }
}

/// A number the API takes as a string (`value`, `item_price`): the text of a finite decimal
/// number in JSON's syntax (`"72.39"`, `"1e3"`).
///
/// ```
/// use mapping_core::capi::Decimal;
///
/// assert_eq!(Decimal::new("72.39").map(|d| d.to_string()), Some("72.39".to_owned()));
/// assert!(Decimal::new("$72").is_none() && Decimal::new("1e400").is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Decimal(String);

impl Decimal {
    /// `text` when it is a finite number in JSON's syntax.
    pub fn new(text: &str) -> Option<Decimal> {
        (is_json_number(text) && text.parse::<f64>().is_ok_and(f64::is_finite))
            .then(|| Decimal(text.to_owned()))
    }

    /// The number's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Decimal::new(&text)
            .ok_or_else(|| serde::de::Error::custom("expected a string holding a finite number"))
    }
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
/// use mapping_core::capi::Sha256Hex;
///
/// let digest = Sha256Hex::digest("john.doe@example.com");
/// assert_eq!(digest.as_str(), "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f");
/// assert_eq!(Sha256Hex::from_hex(&digest.as_str().to_uppercase()), Some(digest));
/// assert_eq!(Sha256Hex::from_hex("not a digest"), None);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// The digest of `normalised` (which must already be normalised for its field).
    pub fn digest(normalised: &str) -> Sha256Hex {
        let digest = Sha256::digest(normalised.as_bytes());
        let mut hex = [0_u8; 64];
        // 32 bytes always fill the 64 hex digits.
        let text = base16ct::lower::encode_str(&digest, &mut hex).unwrap_or_default();
        Sha256Hex(text.to_owned())
    }

    /// A digest computed elsewhere: 64 hexadecimal digits, in either case (kept lowercase).
    pub fn from_hex(text: &str) -> Option<Sha256Hex> {
        (text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .then(|| Sha256Hex(text.to_ascii_lowercase()))
    }

    /// The 64 lowercase hexadecimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({})", self.0)
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
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
        for number in ["0", "-0", "72.39", "1e3", "1E-3", "-12.5e+2", "100"] {
            assert!(Decimal::new(number).is_some(), "{number}");
        }
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
        assert_eq!(
            serde_json::to_string(&ActionSource::AppAndroid).unwrap(),
            "\"app_android\""
        );
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
