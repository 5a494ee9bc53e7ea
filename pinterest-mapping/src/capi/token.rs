//! The Conversions API's access token, which no diagnostic shows.

use std::fmt;

/// A Conversions API access token. Its `Debug` never shows it; [`Self::expose`] does, for the
/// request that needs it.
///
/// ```
/// use pinterest_mapping::ConversionToken;
///
/// let token = ConversionToken::new("pina_secret");
/// assert_eq!(format!("{token:?}"), "ConversionToken(redacted)");
/// assert_eq!(token.expose(), "pina_secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConversionToken(String);

impl ConversionToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> ConversionToken {
        ConversionToken(token.into())
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ConversionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConversionToken(redacted)")
    }
}
