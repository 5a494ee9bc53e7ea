//! Pinterest event types: the nine standard codes, and partner-defined names.

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};

/// Defines [`PinterestEvent`] from the rows of `pinterest_mapping_vocabulary::with_events!`: the standard
/// codes, their names and API names, and `Partner` for any other name.
macro_rules! pinterest_event {
    ({ $($(#[$doc:meta])* $variant:ident => $code:literal as $api:literal,)* }) => {
        /// A Pinterest Tag event type, the second argument of `pintrk('track', …)`.
        ///
        /// The standard codes are the ones Pinterest reports conversions for; any other name is a
        /// *partner-defined* event, usable for audiences only.
        ///
        /// ```
        /// use pinterest_mapping::PinterestEvent;
        ///
        /// assert_eq!(PinterestEvent::AddToCart.as_str(), "AddToCart");
        /// assert_eq!(PinterestEvent::from_name("Checkout"), PinterestEvent::Checkout);
        /// let partner = PinterestEvent::from_name("Newsletter Opened");
        /// assert_eq!(partner.as_str(), "Newsletter Opened");
        /// assert!(!partner.is_standard());
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum PinterestEvent<'a> {
            $($(#[$doc])* $variant,)*
            /// Any other name, sent verbatim.
            Partner(Cow<'a, str>),
        }

        impl<'a> PinterestEvent<'a> {
            /// The standard codes, in Pinterest's documentation order.
            pub const STANDARD: [PinterestEvent<'static>; pinterest_mapping_vocabulary::vocabulary::EVENT_CODES.len()] =
                [$(PinterestEvent::$variant),*];

            /// The exact name Pinterest receives (`"AddToCart"`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(PinterestEvent::$variant => $code,)*
                    PinterestEvent::Partner(name) => name,
                }
            }

            /// The event's name in the Conversions API (`event_name`), for a standard code; a
            /// partner-defined event has none.
            ///
            /// ```
            /// use pinterest_mapping::PinterestEvent;
            ///
            /// assert_eq!(PinterestEvent::AddToCart.api_name(), Some("add_to_cart"));
            /// assert_eq!(PinterestEvent::Signup.api_name(), Some("signup"));
            /// assert_eq!(PinterestEvent::from_name("Newsletter").api_name(), None);
            /// ```
            pub fn api_name(&self) -> Option<&'static str> {
                match self {
                    $(PinterestEvent::$variant => Some($api),)*
                    PinterestEvent::Partner(_) => None,
                }
            }

            /// The same event, owning its name.
            pub fn into_owned(self) -> PinterestEvent<'static> {
                match self {
                    $(PinterestEvent::$variant => PinterestEvent::$variant,)*
                    PinterestEvent::Partner(name) => {
                        PinterestEvent::Partner(Cow::Owned(name.into_owned()))
                    }
                }
            }
        }
    };
}

pinterest_mapping_vocabulary::with_events!(pinterest_event {});

impl<'a> PinterestEvent<'a> {
    /// The event for a name as Pinterest receives it: the standard code it spells exactly
    /// (codes are case-sensitive), otherwise a partner-defined event.
    pub fn from_name(name: impl Into<Cow<'a, str>>) -> Self {
        let name = name.into();
        Self::STANDARD
            .into_iter()
            .find(|standard| standard.as_str() == name)
            .unwrap_or(PinterestEvent::Partner(name))
    }

    /// Whether this is one of the nine standard codes.
    pub fn is_standard(&self) -> bool {
        !matches!(self, PinterestEvent::Partner(_))
    }
}

impl fmt::Display for PinterestEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PinterestEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_codes_round_trip_through_their_names() {
        for standard in PinterestEvent::STANDARD {
            assert!(standard.is_standard());
            assert_eq!(PinterestEvent::from_name(standard.as_str()), standard);
        }
    }

    #[test]
    fn other_names_are_partner_events_verbatim() {
        let event = PinterestEvent::from_name("checkout");
        assert_eq!(event, PinterestEvent::Partner(Cow::Borrowed("checkout")));
        assert_eq!(event.to_string(), "checkout");
        assert_eq!(
            serde_json::to_string(&event.into_owned()).unwrap(),
            "\"checkout\""
        );
    }
}
