//! The `user_data` section of a table: where the Conversions API's identity fields come from in
//! a Segment message.

use std::fmt;

/// Defines [`UserDataField`] from the rows of `pinterest_mapping_vocabulary::with_user_data_fields!`.
macro_rules! user_data_field {
    ({ $($(#[$doc:meta])* $variant:ident => $field:literal $kind:ident,)* }) => {
        /// An identity field of the Conversions API's `user_data`, which a table's `user_data` rows
        /// target.
        ///
        /// ```
        /// use pinterest_mapping::UserDataField;
        ///
        /// assert_eq!(UserDataField::Em.as_str(), "em");
        /// assert!(UserDataField::Em.is_hashed());
        /// assert!(!UserDataField::ClientIpAddress.is_hashed());
        /// assert_eq!(UserDataField::from_name("external_id"), Some(UserDataField::ExternalId));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum UserDataField {
            $($(#[$doc])* $variant,)*
        }

        impl UserDataField {
            /// Every identity field, in the order the Conversions API documents them here.
            pub const ALL: [UserDataField; pinterest_mapping_vocabulary::vocabulary::USER_DATA_FIELDS.len()] =
                [$(UserDataField::$variant),*];

            /// The key exactly as the Conversions API receives it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(UserDataField::$variant => $field,)*
                }
            }

            /// Whether the API takes the field as SHA-256 digests (an array of them) rather
            /// than as a plain string.
            pub fn is_hashed(self) -> bool {
                match self {
                    $(UserDataField::$variant => user_data_field!(@hashed $kind),)*
                }
            }
        }
    };
    (@hashed hashed) => { true };
    (@hashed plain) => { false };
}

pinterest_mapping_vocabulary::with_user_data_fields!(user_data_field {});

impl UserDataField {
    /// The field named `name`, as the API spells it.
    pub fn from_name(name: &str) -> Option<UserDataField> {
        Self::ALL.into_iter().find(|field| field.as_str() == name)
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
/// use pinterest_mapping::{Mapping, UserDataField, spec};
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
