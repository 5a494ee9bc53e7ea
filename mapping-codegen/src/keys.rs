//! Compile-time halves of the two matching rules, whose run-time halves live in
//! `mapping_core::__private::keys`: both sides must compute the same normalised forms and the
//! same hashes, and the pass tests prove that they do.
//!
//! - Segment's alias rule for event names: case-insensitive, spaces and underscores optional
//!   between words, and the older action-first word order accepted as a prefix.
//! - The loose key rule for properties: only ASCII letters, digits and `.` count, lowercased.

/// The words of a Segment event name, lowercased; spaces and underscores separate words.
pub fn event_words(name: &str) -> Vec<String> {
    name.split([' ', '_'])
        .filter(|word| !word.is_empty())
        .map(lowercase)
        .collect()
}

/// The words in the older action-first order (`Completed Order` for `Order Completed`): the
/// last word moves to the front. Names of one word have no such form.
pub fn action_first(words: &[String]) -> Option<Vec<String>> {
    let (action, rest) = words.split_last()?;
    if rest.is_empty() {
        return None;
    }
    Some(std::iter::once(action).chain(rest).cloned().collect())
}

/// Lowercases character by character (not `str::to_lowercase`, whose final-sigma rule looks at
/// neighbours), as the run time does.
pub fn lowercase(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

/// A property name under the loose key rule: every character other than an ASCII letter, digit
/// or `.` removed, letters lowercased (`orderId`, `Order-ID` → `orderid`).
pub fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The hash the generated `match`es dispatch on. Must equal `mapping_core`'s `table_hash`.
pub fn table_hash(bytes: &[u8]) -> u64 {
    let mix = |hash: u64, word: u64| {
        (hash ^ word)
            .wrapping_mul(0xff51_afd7_ed55_8ccd)
            .rotate_left(31)
    };
    let hash = words(bytes).into_iter().fold(0x9e37_79b9_7f4a_7c15, mix);
    let hash = mix(hash, bytes.len() as u64);
    hash ^ (hash >> 29)
}

/// The bytes as little-endian words of eight bytes, the last padded with zero bytes.
pub fn words(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|chunk| {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_single_and_repeated_separators() {
        assert_eq!(event_words("Order Completed"), ["order", "completed"]);
        assert_eq!(event_words(" order__completed_"), ["order", "completed"]);
        assert_eq!(event_words("Sign-Up"), ["sign-up"]);
    }

    #[test]
    fn moves_the_action_to_the_front() {
        let words = event_words("Product List Filtered");
        assert_eq!(
            action_first(&words).unwrap(),
            ["filtered", "product", "list"]
        );
        assert_eq!(action_first(&event_words("Signup")), None);
    }

    #[test]
    fn loose_keeps_letters_digits_and_dots() {
        assert_eq!(loose("Order-ID"), "orderid");
        assert_eq!(loose("address.City"), "address.city");
        assert_eq!(loose("--"), "");
    }

    #[test]
    fn hash_matches_the_reference_values() {
        // `mapping_core` checks the same values: both halves must hash alike.
        assert_eq!(table_hash(b""), 0xa73c_ec6d_aede_3976);
        assert_eq!(table_hash(b"a"), 0xef0d_b2aa_619f_6ae6);
        assert_eq!(table_hash(b"ordercompleted"), 0xaf10_02ff_3577_4175);
        assert_ne!(table_hash(b"a"), table_hash(b"a\0"));
    }
}
