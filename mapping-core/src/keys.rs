//! Run-time halves of the matching rules the generated code dispatches on; the compile-time
//! halves (the same normal forms and hash) live in the macro crate's `keys` module.
//!
//! Generated `match`es switch on a 64-bit FNV-1a hash of a normalised name, then confirm the
//! candidate here, so a lookup costs the same whatever the size of the table.

use crate::json::JsonValue;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

fn fnv_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// The hash of `key` under the loose key rule (only ASCII letters, digits and `.` count,
/// lowercased), or `None` when its normal form is longer than `max_len` bytes and so matches
/// nothing in the table.
pub fn loose_hash(key: &str, max_len: usize) -> Option<u64> {
    let mut hash = FNV_OFFSET;
    let mut len = 0;
    for byte in key.bytes().filter(|byte| is_loose_kept(*byte)) {
        len += 1;
        if len > max_len {
            return None;
        }
        hash = fnv_step(hash, byte.to_ascii_lowercase());
    }
    Some(hash)
}

/// Whether `key` equals `normalized` (already in loose normal form) under the loose key rule.
pub fn loose_eq(key: &str, normalized: &str) -> bool {
    key.bytes()
        .filter(|byte| is_loose_kept(*byte))
        .map(|byte| byte.to_ascii_lowercase())
        .eq(normalized.bytes())
}

fn is_loose_kept(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'.'
}

/// The hash of `key` as written, or `None` when it is longer than `max_len` bytes.
pub fn exact_hash(key: &str, max_len: usize) -> Option<u64> {
    (key.len() <= max_len).then(|| key.bytes().fold(FNV_OFFSET, fnv_step))
}

/// A table's Segment events, compiled for Segment's alias rule.
pub struct AliasTable {
    /// The lowercase words of each event, in table order.
    pub words: &'static [&'static [&'static str]],
    /// Longest alias form, in bytes once lowercased and stripped of separators.
    pub max_len: usize,
    /// The distinct lengths of the action-first forms, ascending.
    pub action_first_lengths: &'static [usize],
    /// Candidates (table indices) whose forward form has this hash.
    pub forward: fn(u64) -> &'static [usize],
    /// Candidates whose action-first form has this hash.
    pub action_first: fn(u64) -> &'static [usize],
}

/// The index of the first event of the table that `name` matches under Segment's alias rule:
///
/// - the forward form, anchored: `^[ _]?order[ _]?completed[ _]?$`, case-insensitively;
/// - the action-first form, as a prefix only: `^[ _]?completed[ _]?order[ _]?`.
///
/// One pass hashes the name lowercased without separators; at each length where an
/// action-first form could end, and at the end, the table's `match`es give candidates, which
/// are then checked against the exact rule.
pub fn lookup_event(name: &str, table: &AliasTable) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut hash = FNV_OFFSET;
    let mut len = 0;
    let mut prefix_lengths = table.action_first_lengths.iter().copied().peekable();
    let mut utf8 = [0; 4];
    for c in name.chars().filter(|c| !is_separator(*c)) {
        for lower in c.to_lowercase() {
            for &byte in lower.encode_utf8(&mut utf8).as_bytes() {
                hash = fnv_step(hash, byte);
                len += 1;
                while prefix_lengths.next_if(|&prefix| prefix < len).is_some() {}
                if prefix_lengths.next_if_eq(&len).is_some() {
                    let candidates = (table.action_first)(hash);
                    consider(&mut best, name, table, candidates, matches_action_first);
                }
            }
        }
        if len > table.max_len {
            // Too long for any forward form, and past every action-first length.
            return best;
        }
    }
    consider(
        &mut best,
        name,
        table,
        (table.forward)(hash),
        matches_forward,
    );
    best
}

/// Keeps the earliest candidate that `name` really matches: the hash only narrows the search.
fn consider(
    best: &mut Option<usize>,
    name: &str,
    table: &AliasTable,
    candidates: &[usize],
    matches: fn(&str, &[&str]) -> bool,
) {
    for &index in candidates {
        let earlier = best.is_none_or(|best| index < best);
        if earlier
            && table
                .words
                .get(index)
                .is_some_and(|words| matches(name, words))
        {
            *best = Some(index);
        }
    }
}

fn is_separator(c: char) -> bool {
    c == ' ' || c == '_'
}

/// `^[ _]?w1[ _]?w2…[ _]?$`, case-insensitively.
fn matches_forward(name: &str, words: &[&str]) -> bool {
    strip_words(name, words.iter().copied()).is_some_and(str::is_empty)
}

/// `^[ _]?wn[ _]?w1…[ _]?w(n-1)[ _]?` (the last word first), as a prefix.
fn matches_action_first(name: &str, words: &[&str]) -> bool {
    let Some((action, rest)) = words.split_last() else {
        return false;
    };
    strip_words(name, std::iter::once(*action).chain(rest.iter().copied())).is_some()
}

/// Strips each word in turn, each surrounded by at most one separator; returns the rest.
fn strip_words<'n, 'w>(name: &'n str, words: impl Iterator<Item = &'w str>) -> Option<&'n str> {
    let mut rest = strip_separator(name);
    for word in words {
        rest = strip_separator(strip_word(rest, word)?);
    }
    Some(rest)
}

fn strip_separator(text: &str) -> &str {
    text.strip_prefix(is_separator).unwrap_or(text)
}

/// Strips `word` (lowercase) from the front of `text`, comparing `text` lowercased.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let mut expected = word.chars();
    let mut rest = text;
    while !expected.as_str().is_empty() {
        let c = rest.chars().next()?;
        for lower in c.to_lowercase() {
            if expected.next() != Some(lower) {
                return None;
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    Some(rest)
}

/// The first top-level key matching one loose name, and its value.
///
/// The first matching key wins, even when its value is falsy; a later repeat of that same key
/// replaces the value, as `JSON.parse` keeps only a repeated key's last value.
pub struct LooseSlot<'v, V: ?Sized> {
    key: Option<&'v str>,
    value: Option<&'v V>,
}

impl<'v, V: ?Sized> LooseSlot<'v, V> {
    /// A slot no key has matched yet.
    pub const EMPTY: Self = LooseSlot {
        key: None,
        value: None,
    };

    /// Offers a key that matched this slot's name.
    pub fn offer(&mut self, key: &'v str, value: &'v V) {
        match self.key {
            None => {
                self.key = Some(key);
                self.value = Some(value);
            }
            Some(first) if first == key => self.value = Some(value),
            Some(_) => {}
        }
    }

    /// The value of the winning key, truthy or not.
    pub fn value(&self) -> Option<&'v V> {
        self.value
    }
}

impl<V: ?Sized> Clone for LooseSlot<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: ?Sized> Copy for LooseSlot<'_, V> {}

/// The value, when it is present and truthy: only truthy values are copied.
pub fn truthy<V: JsonValue + ?Sized>(value: Option<&V>) -> Option<&V> {
    value.filter(|value| value.is_truthy())
}

/// Drops trailing products that produced no line item: the original builds a sparse array,
/// whose holes serialize as `null` except at the end.
pub fn trim_trailing_holes<T>(line_items: &mut Vec<Option<T>>) {
    while line_items.last().is_some_and(Option::is_none) {
        line_items.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Json;

    #[test]
    fn loose_rule_ignores_case_and_punctuation() {
        for key in ["order_id", "orderId", "OrderID", "order-id", " order id "] {
            assert!(loose_eq(key, "orderid"), "{key}");
            assert_eq!(loose_hash(key, 16), loose_hash("orderid", 16), "{key}");
        }
        assert!(!loose_eq("order_ids", "orderid"));
        assert!(!loose_eq("order.id", "orderid"));
        assert!(loose_eq("user.Tier", "user.tier"));
        assert_eq!(loose_hash("orderid", 6), None);
    }

    #[test]
    fn exact_hash_respects_the_length_bound() {
        // FNV-1a reference values, as the macro crate checks them too.
        assert_eq!(exact_hash("a", 1), Some(0xaf63_dc4c_8601_ec8c));
        assert_eq!(exact_hash("foobar", 6), Some(0x8594_4171_f739_67e8));
        assert_eq!(exact_hash("sku", 3), loose_hash("sku", 3));
        assert_eq!(exact_hash("skus", 3), None);
        assert_ne!(exact_hash("sku", 8), exact_hash("SKU", 8));
    }

    fn spec_like_matches(name: &str) -> (bool, bool) {
        let words = ["order", "completed"];
        (
            matches_forward(name, &words),
            matches_action_first(name, &words),
        )
    }

    #[test]
    fn forward_form_is_anchored_with_single_optional_separators() {
        for name in [
            "Order Completed",
            "order_completed",
            "OrderCompleted",
            " order completed ",
            "_Order_Completed_",
        ] {
            assert!(spec_like_matches(name).0, "{name}");
        }
        for name in [
            "Order  Completed",
            "Order-Completed",
            "Order Completed!",
            "Ord er Completed",
            "  Order Completed",
        ] {
            assert!(!spec_like_matches(name).0, "{name}");
        }
    }

    #[test]
    fn action_first_form_is_a_prefix() {
        for name in [
            "Completed Order",
            "completed_order",
            "CompletedOrders",
            " Completed Order To Cart",
        ] {
            assert!(spec_like_matches(name).1, "{name}");
        }
        for name in ["Completed  Order", "Order Completed", "Completed-Order"] {
            assert!(!spec_like_matches(name).1, "{name}");
        }
    }

    #[test]
    fn case_folding_is_unicode_aware() {
        assert!(matches_forward("CRÈME Brûlée", &["crème", "brûlée"]));
        assert!(!matches_forward("crème", &["creme"]));
    }

    #[test]
    fn slots_keep_the_first_key_and_its_last_repeat() {
        let values: Vec<Json> = (0..4)
            .map(|n| Json::parse(&n.to_string()).unwrap().into_owned())
            .collect();
        let mut slot = LooseSlot::EMPTY;
        slot.offer("orderId", &values[1]);
        slot.offer("order_id", &values[2]);
        assert_eq!(slot.value(), Some(&values[1]));
        slot.offer("orderId", &values[0]);
        assert_eq!(slot.value(), Some(&values[0]));
        assert_eq!(truthy(slot.value()), None);
        assert_eq!(truthy(Some(&values[3])), Some(&values[3]));
    }

    #[test]
    fn trailing_holes_are_dropped_inner_ones_kept() {
        let mut items = vec![None, Some(1), None, None];
        trim_trailing_holes(&mut items);
        assert_eq!(items, [None, Some(1)]);
        let mut empty: Vec<Option<u8>> = vec![None];
        trim_trailing_holes(&mut empty);
        assert!(empty.is_empty());
    }
}
