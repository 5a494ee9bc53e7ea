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

/// 64-bit FNV-1a, the hash the generated `match`es dispatch on.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
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
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
