//! Identity values as the Conversions API takes them: each field's normalisation, then SHA-256
//! for the hashed fields. A value that is already a digest (64 hexadecimal digits) is passed
//! through, lowercased.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

use super::event::{Sha256Hex, UserData};
use crate::table::UserDataField;

/// One identity value, ready for `user_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IdentityValue<'a> {
    /// A hashed field's digest.
    Hashed(Sha256Hex),
    /// A field sent as it is.
    Plain(Cow<'a, str>),
}

impl<'a> IdentityValue<'a> {
    /// Normalises `raw` for `field` and hashes it when the field is hashed; `None` when nothing
    /// is left after normalisation (or, for `ge` and `db`, when the value is not one the field
    /// takes).
    pub fn new(field: UserDataField, raw: Cow<'a, str>) -> Option<IdentityValue<'a>> {
        if !field.is_hashed() {
            let trimmed = trim(raw);
            return (!trimmed.is_empty()).then_some(IdentityValue::Plain(trimmed));
        }
        if let Some(digest) = Sha256Hex::from_hex(raw.trim()) {
            return Some(IdentityValue::Hashed(digest));
        }
        let normalised = normalise(field, &raw)?;
        (!normalised.is_empty()).then(|| IdentityValue::Hashed(Sha256Hex::digest(&normalised)))
    }

    /// Puts the value in its field, unless the field has one already (the first source wins).
    /// Returns whether it was put.
    pub fn fill(self, field: UserDataField, user_data: &mut UserData<'a>) -> bool {
        let hashed = |list: &mut Vec<Sha256Hex>, value: IdentityValue| match value {
            IdentityValue::Hashed(digest) if list.is_empty() => {
                list.push(digest);
                true
            }
            _ => false,
        };
        let plain = |slot: &mut Option<Cow<'a, str>>, value: IdentityValue<'a>| match value {
            IdentityValue::Plain(text) if slot.is_none() => {
                *slot = Some(text);
                true
            }
            _ => false,
        };
        match field {
            UserDataField::Em => hashed(&mut user_data.em, self),
            UserDataField::Ph => hashed(&mut user_data.ph, self),
            UserDataField::Fn => hashed(&mut user_data.r#fn, self),
            UserDataField::Ln => hashed(&mut user_data.ln, self),
            UserDataField::Ge => hashed(&mut user_data.ge, self),
            UserDataField::Db => hashed(&mut user_data.db, self),
            UserDataField::Ct => hashed(&mut user_data.ct, self),
            UserDataField::St => hashed(&mut user_data.st, self),
            UserDataField::Zp => hashed(&mut user_data.zp, self),
            UserDataField::Country => hashed(&mut user_data.country, self),
            UserDataField::ExternalId => hashed(&mut user_data.external_id, self),
            UserDataField::HashedMaids => hashed(&mut user_data.hashed_maids, self),
            UserDataField::ClientIpAddress => plain(&mut user_data.client_ip_address, self),
            UserDataField::ClientUserAgent => plain(&mut user_data.client_user_agent, self),
            UserDataField::ClickId => plain(&mut user_data.click_id, self),
        }
    }
}

/// `text` without white space around it, borrowed when `text` is.
fn trim(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) if text.trim().len() == text.len() => Cow::Owned(text),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    }
}

/// Whether `field` has a value already.
pub(crate) fn is_filled(field: UserDataField, user_data: &UserData<'_>) -> bool {
    match field {
        UserDataField::Em => !user_data.em.is_empty(),
        UserDataField::Ph => !user_data.ph.is_empty(),
        UserDataField::Fn => !user_data.r#fn.is_empty(),
        UserDataField::Ln => !user_data.ln.is_empty(),
        UserDataField::Ge => !user_data.ge.is_empty(),
        UserDataField::Db => !user_data.db.is_empty(),
        UserDataField::Ct => !user_data.ct.is_empty(),
        UserDataField::St => !user_data.st.is_empty(),
        UserDataField::Zp => !user_data.zp.is_empty(),
        UserDataField::Country => !user_data.country.is_empty(),
        UserDataField::ExternalId => !user_data.external_id.is_empty(),
        UserDataField::HashedMaids => !user_data.hashed_maids.is_empty(),
        UserDataField::ClientIpAddress => user_data.client_ip_address.is_some(),
        UserDataField::ClientUserAgent => user_data.client_user_agent.is_some(),
        UserDataField::ClickId => user_data.click_id.is_some(),
    }
}

/// A hashed field's value in the form Pinterest hashes it (the form the advertiser's other
/// data is hashed in, so that the two match); `None` for a value the field does not take.
///
/// ```
/// use pinterest_mapping::UserDataField;
/// use pinterest_mapping::capi::normalise;
///
/// assert_eq!(normalise(UserDataField::Em, "  John.Doe@Example.COM ").as_deref(), Some("john.doe@example.com"));
/// assert_eq!(normalise(UserDataField::Ph, "+1 (555) 123-4567").as_deref(), Some("15551234567"));
/// assert_eq!(normalise(UserDataField::Ge, "Female").as_deref(), Some("f"));
/// assert_eq!(normalise(UserDataField::Db, "1997-12-26").as_deref(), Some("19971226"));
/// assert_eq!(normalise(UserDataField::Ge, "unknown"), None);
/// ```
pub fn normalise(field: UserDataField, raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    Some(match field {
        UserDataField::Em
        | UserDataField::Fn
        | UserDataField::Ln
        | UserDataField::St
        | UserDataField::Country
        | UserDataField::HashedMaids => trimmed.to_lowercase(),
        UserDataField::Ph => trimmed
            .chars()
            .filter(char::is_ascii_digit)
            .skip_while(|digit| *digit == '0')
            .collect(),
        UserDataField::Ge => gender(trimmed)?.to_owned(),
        UserDataField::Db => birth_date(trimmed)?,
        UserDataField::Ct => trimmed
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect(),
        UserDataField::Zp => postal_code(trimmed),
        UserDataField::ExternalId => trimmed.to_owned(),
        UserDataField::ClientIpAddress
        | UserDataField::ClientUserAgent
        | UserDataField::ClickId => trimmed.to_owned(),
    })
}

/// `f`, `m` or `n`, from the words people write for them.
fn gender(text: &str) -> Option<&'static str> {
    match text.to_lowercase().as_str() {
        "f" | "female" | "woman" => Some("f"),
        "m" | "male" | "man" => Some("m"),
        "n" | "non-binary" | "nonbinary" | "non binary" => Some("n"),
        _ => None,
    }
}

/// `YYYYMMDD`, from `YYYY-MM-DD`, `YYYYMMDD` or an ISO 8601 timestamp (its date as written);
/// only real calendar dates.
fn birth_date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let shaped = |pattern: &[u8]| {
        bytes.len() >= pattern.len()
            && pattern
                .iter()
                .zip(bytes)
                .all(|(expected, byte)| match expected {
                    b'd' => byte.is_ascii_digit(),
                    other => byte == other,
                })
    };
    let date = if bytes.len() == 8 && shaped(b"dddddddd") {
        NaiveDate::parse_from_str(text, "%Y%m%d").ok()?
    } else if bytes.len() == 10 && shaped(b"dddd-dd-dd") {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?
    } else if shaped(b"dddd-dd-ddTdd:dd") || shaped(b"dddd-dd-dd dd:dd") {
        match DateTime::parse_from_rfc3339(text) {
            Ok(time) => time.date_naive(),
            Err(_) => {
                NaiveDateTime::parse_from_str(&text.replacen(' ', "T", 1), "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()?
                    .date()
            }
        }
    } else {
        return None;
    };
    Some(format!(
        "{:04}{:02}{:02}",
        date.year(),
        date.month(),
        date.day()
    ))
}

/// Digits only for a code of digits with spaces or dashes (`94025-1234`); otherwise letters
/// and digits, lowercased (`SW1A 1AA` → `sw1a1aa`).
fn postal_code(text: &str) -> String {
    let numeric = text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    if numeric {
        text.chars().filter(char::is_ascii_digit).collect()
    } else {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashed(field: UserDataField, raw: &str) -> Option<String> {
        match IdentityValue::new(field, raw.into())? {
            IdentityValue::Hashed(digest) => Some(digest.as_str().to_owned()),
            IdentityValue::Plain(text) => panic!("{field} is hashed, got {text}"),
        }
    }

    /// The worked examples of the Conversions API reference, §4.
    #[test]
    fn the_worked_examples_hash_as_documented() {
        for (field, raw, normalised, digest) in [
            (
                UserDataField::Em,
                "  John.Doe@Example.COM ",
                "john.doe@example.com",
                "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f",
            ),
            (
                UserDataField::Ph,
                "+1 (555) 123-4567",
                "15551234567",
                "d6736136ea896c1bfdc553e0e86e702c70d060d805696ca3e4e9e0961353860a",
            ),
            (
                UserDataField::Ge,
                "Female",
                "f",
                "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111",
            ),
            (
                UserDataField::Db,
                "1997-12-26",
                "19971226",
                "069068313b0b2dd680b9f0b8082228a817fb100433ad1d825ccc4d20123669a8",
            ),
            (
                UserDataField::Ct,
                "Menlo Park",
                "menlopark",
                "0007a3d64c01e23d5075203c5977c14e4f7e01a3fc570686fcc50b5e1dd42685",
            ),
            (
                UserDataField::St,
                "CA",
                "ca",
                "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126",
            ),
            (
                UserDataField::Zp,
                "94025",
                "94025",
                "b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7",
            ),
            (
                UserDataField::Country,
                "US",
                "us",
                "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
            ),
        ] {
            assert_eq!(
                normalise(field, raw).as_deref(),
                Some(normalised),
                "{field}"
            );
            assert_eq!(hashed(field, raw).as_deref(), Some(digest), "{field}");
        }
    }

    #[test]
    fn emails_names_states_countries_and_maids_are_trimmed_and_lowercased() {
        for field in [
            UserDataField::Em,
            UserDataField::Fn,
            UserDataField::Ln,
            UserDataField::St,
            UserDataField::Country,
            UserDataField::HashedMaids,
        ] {
            assert_eq!(
                normalise(field, "\t ÉLISE Ab \n").as_deref(),
                Some("élise ab")
            );
        }
    }

    #[test]
    fn phones_keep_digits_without_leading_zeros() {
        assert_eq!(
            normalise(UserDataField::Ph, "0044 (20) 7946-0000").as_deref(),
            Some("442079460000")
        );
        assert_eq!(normalise(UserDataField::Ph, "000").as_deref(), Some(""));
        assert_eq!(IdentityValue::new(UserDataField::Ph, "ext. -".into()), None);
    }

    #[test]
    fn genders_from_their_words() {
        for (raw, expected) in [
            ("F", Some("f")),
            ("woman", Some("f")),
            (" MALE ", Some("m")),
            ("Man", Some("m")),
            ("n", Some("n")),
            ("Non-Binary", Some("n")),
            ("nonbinary", Some("n")),
            ("non binary", Some("n")),
            ("other", None),
            ("", None),
        ] {
            assert_eq!(
                normalise(UserDataField::Ge, raw).as_deref(),
                expected,
                "{raw}"
            );
        }
    }

    #[test]
    fn birth_dates_from_dates_and_timestamps() {
        for (raw, expected) in [
            ("1997-12-26", Some("19971226")),
            ("19971226", Some("19971226")),
            ("1997-12-26T23:30:00.000Z", Some("19971226")),
            ("1997-12-26T23:30:00-08:00", Some("19971226")),
            ("1997-12-26 23:30:00", Some("19971226")),
            ("1997-02-30", None),
            ("19971326", None),
            ("26/12/1997", None),
            ("1997-12-26x", None),
            ("", None),
        ] {
            assert_eq!(
                normalise(UserDataField::Db, raw).as_deref(),
                expected,
                "{raw}"
            );
        }
    }

    #[test]
    fn cities_lose_spaces_and_punctuation() {
        assert_eq!(
            normalise(UserDataField::Ct, " Saint-Étienne, Loire ").as_deref(),
            Some("saintétienneloire")
        );
    }

    #[test]
    fn postal_codes_of_digits_keep_digits_others_letters_and_digits() {
        for (raw, expected) in [
            ("94025-1234", "940251234"),
            (" 940 25 ", "94025"),
            ("SW1A 1AA", "sw1a1aa"),
            ("K1A-0B1", "k1a0b1"),
        ] {
            assert_eq!(
                normalise(UserDataField::Zp, raw).as_deref(),
                Some(expected),
                "{raw}"
            );
        }
    }

    #[test]
    fn external_ids_keep_their_case() {
        assert_eq!(
            normalise(UserDataField::ExternalId, " User-42 ").as_deref(),
            Some("User-42")
        );
    }

    #[test]
    fn digests_pass_through_lowercased() {
        let upper = "836F82DB99121B3481011F16B49DFA5FBC714A0D1B1B9F784A1EBBBF5B39577F";
        for field in [
            UserDataField::Em,
            UserDataField::ExternalId,
            UserDataField::Ph,
        ] {
            assert_eq!(
                hashed(field, &format!(" {upper} ")),
                Some(upper.to_lowercase())
            );
        }
    }

    #[test]
    fn plain_fields_are_trimmed_not_hashed() {
        assert_eq!(
            IdentityValue::new(UserDataField::ClientIpAddress, " 203.0.113.9 ".into()),
            Some(IdentityValue::Plain("203.0.113.9".into()))
        );
        assert_eq!(
            IdentityValue::new(UserDataField::ClientIpAddress, Cow::Owned(" a ".to_owned())),
            Some(IdentityValue::Plain("a".into()))
        );
        assert_eq!(
            IdentityValue::new(UserDataField::ClickId, "  ".into()),
            None
        );
        assert_eq!(IdentityValue::new(UserDataField::Em, " \t".into()), None);
    }

    #[test]
    fn the_first_value_of_a_field_stays() {
        let mut user_data = UserData::default();
        let first = IdentityValue::new(UserDataField::Em, "a@b.co".into()).unwrap();
        let second = IdentityValue::new(UserDataField::Em, "c@d.co".into()).unwrap();
        assert!(first.clone().fill(UserDataField::Em, &mut user_data));
        assert!(!second.fill(UserDataField::Em, &mut user_data));
        assert!(is_filled(UserDataField::Em, &user_data));
        assert!(!is_filled(UserDataField::Ph, &user_data));
        assert_eq!(user_data.em.len(), 1);
    }
}
