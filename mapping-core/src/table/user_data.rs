//! The `user_data` section of a table: where the Conversions API's identity fields come from in
//! a Segment message.

use std::fmt;

/// An identity field of the Conversions API's `user_data`, which a table's `user_data` rows
/// target.
///
/// ```
/// use mapping_core::UserDataField;
///
/// assert_eq!(UserDataField::Em.as_str(), "em");
/// assert!(UserDataField::Em.is_hashed());
/// assert!(!UserDataField::ClientIpAddress.is_hashed());
/// assert_eq!(UserDataField::from_name("external_id"), Some(UserDataField::ExternalId));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserDataField {
    /// `em`: email addresses, hashed.
    Em,
    /// `ph`: phone numbers, hashed.
    Ph,
    /// `fn`: first names, hashed.
    Fn,
    /// `ln`: last names, hashed.
    Ln,
    /// `ge`: genders (`f`, `m`, `n`), hashed.
    Ge,
    /// `db`: dates of birth (`YYYYMMDD`), hashed.
    Db,
    /// `ct`: cities, hashed.
    Ct,
    /// `st`: states, hashed.
    St,
    /// `zp`: postal codes, hashed.
    Zp,
    /// `country`: country codes, hashed.
    Country,
    /// `external_id`: the advertiser's user ids, hashed.
    ExternalId,
    /// `hashed_maids`: mobile advertising ids, hashed.
    HashedMaids,
    /// `client_ip_address`: the user's IP address, sent as it is.
    ClientIpAddress,
    /// `client_user_agent`: the browser's user agent, sent as it is.
    ClientUserAgent,
    /// `click_id`: Pinterest's click id (the `_epik` cookie or `epik` parameter), sent as it is.
    ClickId,
}

impl UserDataField {
    /// Every identity field, in the order the Conversions API documents them here.
    pub const ALL: [UserDataField; 15] = [
        UserDataField::Em,
        UserDataField::Ph,
        UserDataField::Fn,
        UserDataField::Ln,
        UserDataField::Ge,
        UserDataField::Db,
        UserDataField::Ct,
        UserDataField::St,
        UserDataField::Zp,
        UserDataField::Country,
        UserDataField::ExternalId,
        UserDataField::HashedMaids,
        UserDataField::ClientIpAddress,
        UserDataField::ClientUserAgent,
        UserDataField::ClickId,
    ];

    /// The key exactly as the Conversions API receives it.
    pub fn as_str(self) -> &'static str {
        match self {
            UserDataField::Em => "em",
            UserDataField::Ph => "ph",
            UserDataField::Fn => "fn",
            UserDataField::Ln => "ln",
            UserDataField::Ge => "ge",
            UserDataField::Db => "db",
            UserDataField::Ct => "ct",
            UserDataField::St => "st",
            UserDataField::Zp => "zp",
            UserDataField::Country => "country",
            UserDataField::ExternalId => "external_id",
            UserDataField::HashedMaids => "hashed_maids",
            UserDataField::ClientIpAddress => "client_ip_address",
            UserDataField::ClientUserAgent => "client_user_agent",
            UserDataField::ClickId => "click_id",
        }
    }

    /// The field named `name`, as the API spells it.
    pub fn from_name(name: &str) -> Option<UserDataField> {
        Self::ALL.into_iter().find(|field| field.as_str() == name)
    }

    /// Whether the API takes the field as SHA-256 digests (an array of them) rather than as a
    /// plain string.
    pub fn is_hashed(self) -> bool {
        !matches!(
            self,
            UserDataField::ClientIpAddress
                | UserDataField::ClientUserAgent
                | UserDataField::ClickId
        )
    }
}

impl fmt::Display for UserDataField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of a table's `user_data` section: `"context.traits.email" => em`, or
/// `"context.page.search?epik" => click_id` for a query parameter of the URL or query string
/// found at a path.
///
/// ```
/// use mapping_core::{Mapping, UserDataField, spec};
///
/// let first = &spec::Table.user_data()[0];
/// assert_eq!((first.path, first.parameter, first.field), ("context.traits.email", None, UserDataField::Em));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserDataSource {
    /// The path in the Segment message: keys separated by dots, exact (`context.traits.email`).
    pub path: &'static str,
    /// The query parameter read from the value at the path, if the row names one.
    pub parameter: Option<&'static str>,
    /// The identity field it feeds.
    pub field: UserDataField,
}

impl fmt::Display for UserDataSource {
    /// The row's source as written in the table: `context.page.search?epik`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path)?;
        match self.parameter {
            Some(parameter) => write!(f, "?{parameter}"),
            None => Ok(()),
        }
    }
}
