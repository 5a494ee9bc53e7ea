//! The two matching rules' normal forms and the hash the generated `match`es dispatch on. The
//! macro puts each row of a table in its normal form and hashes it; the runtime does the same
//! to each name it looks up (on the stack, eight bytes at a time, with these same pieces).
//!
//! - Segment's alias rule for event names: case-insensitive, spaces and underscores optional
//!   between words, and the older action-first word order accepted as a prefix.
//! - The loose key rule for properties: only ASCII letters, digits and `.` count, lowercased.

/// The hash the generated `match`es dispatch on: the bytes as little-endian words of eight
/// (the last padded with zero bytes), each mixed in with a few multiplications, then the
/// length.
///
/// ```
/// use pinterest_mapping_vocabulary::keys::{pack_words, table_hash};
///
/// assert_eq!(table_hash(b"ordercompleted"), 0xaf10_02ff_3577_4175);
/// assert_eq!(pack_words(b"sku"), [u64::from_le_bytes(*b"sku\0\0\0\0\0")]);
/// ```
#[must_use]
pub fn table_hash(bytes: &[u8]) -> u64 {
    let mut hash = HASH_SEED;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        hash = hash_mix(
            hash,
            <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes),
        );
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        hash = hash_mix(hash, pack_word(rest));
    }
    hash_finish(hash, bytes.len())
}

/// The hash's starting value.
pub const HASH_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Mixes one little-endian word of eight bytes (zero-padded at the end) into the hash.
#[inline]
#[must_use]
pub fn hash_mix(hash: u64, word: u64) -> u64 {
    (hash ^ word)
        .wrapping_mul(0xff51_afd7_ed55_8ccd)
        .rotate_left(31)
}

/// Mixes in the length of what was hashed, and finishes.
#[inline]
#[must_use]
pub fn hash_finish(hash: u64, len: usize) -> u64 {
    let hash = hash_mix(hash, len as u64);
    hash ^ (hash >> 29)
}

/// The bytes as little-endian words of eight bytes, the last padded with zero bytes: what
/// [`table_hash`] mixes, and what the generated code compares a name with.
#[must_use]
pub fn pack_words(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks(8).map(pack_word).collect()
}

/// At most eight bytes as one little-endian word, padded with zero bytes. Byte by byte with
/// shifts: a copy of a few bytes would cost a call to `memcpy`.
#[inline]
#[must_use]
pub fn pack_word(bytes: &[u8]) -> u64 {
    debug_assert!(bytes.len() <= 8);
    bytes
        .iter()
        .rev()
        .fold(0, |word, byte| (word << 8) | u64::from(*byte))
}

/// Each byte under the loose key rule: ASCII letters lowercased, digits and `.` kept, `0`
/// for the bytes the rule drops.
pub static LOOSE: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        #[allow(clippy::cast_possible_truncation)] // below 256
        let value = byte as u8;
        table[byte] = if value.is_ascii_alphanumeric() || value == b'.' {
            value.to_ascii_lowercase()
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// A property name under the loose key rule: every character other than an ASCII letter,
/// digit or `.` removed, letters lowercased (`orderId`, `Order-ID` → `orderid`).
#[must_use]
pub fn loose(name: &str) -> String {
    name.bytes()
        .map(|byte| LOOSE[usize::from(byte)])
        .filter(|kept| *kept != 0)
        .map(char::from)
        .collect()
}

/// Whether a character separates the words of an event name under the alias rule.
#[must_use]
pub fn is_separator(c: char) -> bool {
    c == ' ' || c == '_'
}

/// Lowercases character by character (not `str::to_lowercase`, whose final-sigma rule looks
/// at neighbours), as the alias rule does.
#[must_use]
pub fn lowercase(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

/// The words of a Segment event name, lowercased; spaces and underscores separate words.
#[must_use]
pub fn event_words(name: &str) -> Vec<String> {
    name.split(is_separator)
        .filter(|word| !word.is_empty())
        .map(lowercase)
        .collect()
}

/// The words in the older action-first order (`Completed Order` for `Order Completed`): the
/// last word moves to the front. Names of one word have no such form.
#[must_use]
pub fn action_first(words: &[String]) -> Option<Vec<String>> {
    let (action, rest) = words.split_last()?;
    if rest.is_empty() {
        return None;
    }
    Some(std::iter::once(action).chain(rest).cloned().collect())
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
        assert_eq!(loose("Ünï"), "n");
    }

    #[test]
    fn hash_depends_on_every_byte_and_the_length() {
        assert_eq!(table_hash(b""), 0xa73c_ec6d_aede_3976);
        assert_eq!(table_hash(b"a"), 0xef0d_b2aa_619f_6ae6);
        assert_eq!(table_hash(b"ordercompleted"), 0xaf10_02ff_3577_4175);
        assert_ne!(table_hash(b"a"), table_hash(b"a\0"));
        // The words and the hash agree: the hash is the fold of the packed words.
        for bytes in [&b""[..], b"a", b"abcdefgh", b"abcdefghi"] {
            let folded = pack_words(bytes).into_iter().fold(HASH_SEED, hash_mix);
            assert_eq!(hash_finish(folded, bytes.len()), table_hash(bytes));
        }
    }
}
