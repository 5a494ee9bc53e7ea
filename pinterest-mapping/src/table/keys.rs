//! The run-time side of the matching rules the generated code dispatches on: names put in
//! their normal forms on the stack, with the rules' pieces and the hash of
//! `pinterest_mapping_vocabulary::keys`, which the macro uses for the table's rows.
//!
//! A name is first put in its normal form on the stack, then hashed; generated `match`es on
//! the hash give the candidates, which are confirmed here. A lookup costs the same whatever
//! the size of the table.

pub use pinterest_mapping_vocabulary::keys::table_hash;
use pinterest_mapping_vocabulary::keys::{
    HASH_SEED, LOOSE, hash_finish, hash_mix, is_separator, pack_word,
};

use crate::json::{JsonValue, Key};

/// A name in a table's normal form, in a buffer as long as the table's longest form, so that
/// a longer name is known not to match without more work.
struct NormalName<'b> {
    bytes: &'b mut [u8],
    len: usize,
}

impl<'b> NormalName<'b> {
    /// `name` under Segment's alias rule for events: lowercased, spaces and underscores
    /// removed; cut at the buffer's length. Also the full length of the normal form, and where
    /// the separators stood.
    fn alias(name: &str, buffer: &'b mut [u8]) -> (Self, usize, Separators) {
        let mut normal = NormalName {
            bytes: buffer,
            len: 0,
        };
        let mut full_len = 0;
        let mut separators = Separators::default();
        let mut run = 0;
        let mut push = |byte: u8, run: &mut usize| {
            separators.record(full_len, std::mem::take(run));
            if let Some(slot) = normal.bytes.get_mut(full_len) {
                *slot = byte;
                normal.len += 1;
            }
            full_len += 1;
        };
        if name.is_ascii() {
            for &byte in name.as_bytes() {
                if byte == b' ' || byte == b'_' {
                    run += 1;
                } else {
                    push(byte.to_ascii_lowercase(), &mut run);
                }
            }
        } else {
            let mut utf8 = [0; 4];
            for c in name.chars() {
                if is_separator(c) {
                    run += 1;
                    continue;
                }
                for lower in c.to_lowercase() {
                    for &byte in lower.encode_utf8(&mut utf8).as_bytes() {
                        push(byte, &mut run);
                    }
                }
            }
        }
        separators.record(full_len, run);
        (normal, full_len, separators)
    }

    /// The normal form.
    #[inline]
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Its [`table_hash`].
    #[inline]
    fn hash(&self) -> u64 {
        table_hash(self.as_bytes())
    }
}

/// A property key in a table's normal form, on the stack, as little-endian words of eight
/// bytes padded with zero bytes: `W` words hold the table's longest name, so a longer key is
/// known not to match, and keys are hashed and compared a word at a time.
pub struct KeyName<const W: usize> {
    words: [u64; W],
    len: usize,
}

impl<const W: usize> KeyName<W> {
    /// `key` under the loose key rule (only ASCII letters, digits and `.` count, lowercased),
    /// or `None` when that is longer than the table's names.
    #[inline]
    pub fn loose(key: &str) -> Option<Self> {
        let mut words = [0; W];
        let len = fill_loose(key, &mut words)?;
        Some(KeyName { words, len })
    }

    /// `key` as written, or `None` when it is longer than the table's names.
    #[inline]
    pub fn exact(key: &str) -> Option<Self> {
        let mut words = [0; W];
        fill_exact(key, &mut words)?;
        Some(KeyName {
            words,
            len: key.len(),
        })
    }

    /// The length of the name in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the name is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The name as padded words, as the generated tables hold the names they compare with.
    #[inline]
    pub fn words(&self) -> &[u64; W] {
        &self.words
    }

    /// Whether the name is `words`, a table's name as padded words.
    #[inline]
    pub fn is(&self, words: &[u64; W]) -> bool {
        same_words(&self.words, words)
    }

    /// Its [`table_hash`], a word at a time.
    #[inline]
    pub fn hash(&self) -> u64 {
        hash_words(&self.words, self.len)
    }
}

/// [`KeyName`] for a table whose longest name is too long for the stack: the words are on the
/// heap.
pub struct LongKeyName {
    words: Vec<u64>,
    len: usize,
}

impl LongKeyName {
    /// [`KeyName::loose`], for names of up to `words` words.
    pub fn loose(key: &str, words: usize) -> Option<Self> {
        let mut buffer = vec![0; words];
        let len = fill_loose(key, &mut buffer)?;
        Some(LongKeyName { words: buffer, len })
    }

    /// [`KeyName::exact`], for names of up to `words` words.
    pub fn exact(key: &str, words: usize) -> Option<Self> {
        let mut buffer = vec![0; words];
        fill_exact(key, &mut buffer)?;
        Some(LongKeyName {
            words: buffer,
            len: key.len(),
        })
    }

    /// The length of the name in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the name is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the name is `words`, a table's name as padded words.
    pub fn is(&self, words: &[u64]) -> bool {
        same_words(&self.words, words)
    }

    /// Its [`table_hash`], a word at a time.
    pub fn hash(&self) -> u64 {
        hash_words(&self.words, self.len)
    }
}

/// Fills `words` with `key` under the loose key rule; its length in bytes, or `None` when it
/// does not fit.
#[inline]
fn fill_loose(key: &str, words: &mut [u64]) -> Option<usize> {
    // The word being filled stays in a register; full words are stored.
    let mut word = 0;
    let mut len = 0;
    for &byte in key.as_bytes() {
        let kept = LOOSE[usize::from(byte)];
        if kept != 0 {
            word |= u64::from(kept) << (8 * (len % 8));
            len += 1;
            if len % 8 == 0 {
                *words.get_mut(len / 8 - 1)? = std::mem::take(&mut word);
            }
        }
    }
    if len % 8 != 0 {
        *words.get_mut(len / 8)? = word;
    }
    Some(len)
}

/// Fills `words` with `key` as written; `None` when it does not fit.
#[inline]
fn fill_exact(key: &str, words: &mut [u64]) -> Option<()> {
    let mut chunks = key.as_bytes().chunks_exact(8);
    let mut index = 0;
    for chunk in &mut chunks {
        let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        *words.get_mut(index)? = word;
        index += 1;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        *words.get_mut(index)? = pack_word(rest);
    }
    Some(())
}

/// Word by word, as the words were stored: one wide load of words just stored one by one
/// would stall.
#[inline]
fn same_words(words: &[u64], other: &[u64]) -> bool {
    words.len() == other.len() && words.iter().zip(other).all(|(word, other)| word == other)
}

#[inline]
fn hash_words(words: &[u64], len: usize) -> u64 {
    let used = len.div_ceil(8).min(words.len());
    let hash = words[..used]
        .iter()
        .fold(HASH_SEED, |hash, word| hash_mix(hash, *word));
    hash_finish(hash, len)
}

/// Where the runs of separators stood in a name, by offset in its normal form (a run at
/// offset `k` comes just before the `k`th byte; one at the length comes after the last).
#[derive(Clone, Copy, Debug, Default)]
struct Separators {
    /// Offsets of runs, as bits.
    runs: u64,
    /// Offsets of runs of two separators or more.
    long_runs: u64,
    /// A run stood at offset 64 or beyond, past what the bits hold.
    far: bool,
}

impl Separators {
    fn record(&mut self, offset: usize, run: usize) {
        if run == 0 {
            return;
        }
        let Some(bit) = u32::try_from(offset)
            .ok()
            .and_then(|offset| 1_u64.checked_shl(offset))
        else {
            self.far = true;
            return;
        };
        self.runs |= bit;
        if run > 1 {
            self.long_runs |= bit;
        }
    }

    /// Whether the forward form whose words meet at `bounds` allows these separators: at
    /// most one, and only where words meet or at either end.
    fn fit_forward(self, bounds: u64) -> bool {
        self.long_runs == 0 && self.runs & !bounds == 0
    }

    /// Whether an action-first form of `len` bytes whose words meet at `bounds` allows these
    /// separators as a prefix: only where its words meet, at most one, anything after it.
    fn fit_prefix(self, len: usize, bounds: u64) -> bool {
        let inside = 1_u64
            .checked_shl(u32::try_from(len).unwrap_or(u32::MAX))
            .map_or(u64::MAX, |bit| bit - 1);
        self.long_runs & inside == 0 && self.runs & inside & !bounds == 0
    }
}

/// A table's Segment events, compiled for Segment's alias rule: flat arrays and texts rather
/// than code or slices of slices, so that tables of tens of thousands of events compile in time
/// and memory proportional to their rows.
pub struct AliasTable {
    /// The lowercase words of every event, each event's separated by spaces, one event after
    /// another; [`Self::word_ends`] says where each event's end.
    pub words: &'static str,
    /// Where each event's words end in [`Self::words`].
    pub word_ends: &'static [u32],
    /// The distinct lengths of the action-first forms, ascending.
    pub action_first_lengths: &'static [usize],
    /// How many bytes [`Self::action_first_starts`] hold: four, or fewer when an action-first
    /// form is shorter.
    pub action_first_start_len: usize,
    /// The first bytes of the action-first forms (little-endian, zero-padded), ascending: most
    /// names are ruled out before any prefix is hashed.
    pub action_first_starts: &'static [u32],
    /// The hashes of the forward forms in an open-addressed table: a power-of-two number of
    /// slots, each form's hash in the slot its low bits name or the first free one after it.
    pub forward_slots: &'static [u64],
    /// The event of each slot of [`Self::forward_slots`]; `u32::MAX` for a free slot.
    pub forward_events: &'static [u32],
    /// The same for the action-first forms.
    pub action_first_slots: &'static [u64],
    /// The event of each slot of [`Self::action_first_slots`].
    pub action_first_events: &'static [u32],
    /// Each event's forward form, one after another; [`Self::forward_ends`] says where each
    /// ends.
    pub forward_forms: &'static str,
    /// Where each forward form ends in [`Self::forward_forms`].
    pub forward_ends: &'static [u32],
    /// The offsets where each forward form's words meet, as bits; 0 for a form of 64 bytes or
    /// more, which is checked word by word.
    pub forward_bounds: &'static [u64],
    /// The same for each event's action-first form (empty for one-word events).
    pub action_first_forms: &'static str,
    /// Where each action-first form ends in [`Self::action_first_forms`].
    pub action_first_ends: &'static [u32],
    /// The bounds of each action-first form, as [`Self::forward_bounds`].
    pub action_first_bounds: &'static [u64],
}

impl AliasTable {
    /// The `index`th of the texts in `all` that `ends` delimits.
    fn nth(all: &'static str, ends: &[u32], index: usize) -> Option<&'static str> {
        let start = match index {
            0 => 0,
            _ => *ends.get(index - 1)? as usize,
        };
        all.get(start..*ends.get(index)? as usize)
    }

    /// An event's words, separated by spaces.
    fn words_of(&self, index: usize) -> Option<&'static str> {
        AliasTable::nth(self.words, self.word_ends, index)
    }

    /// An event's forward form and its bounds (`None` for a form checked word by word).
    fn forward_of(&self, index: usize) -> Option<(&'static str, Option<u64>)> {
        let form = AliasTable::nth(self.forward_forms, self.forward_ends, index)?;
        let bounds = *self.forward_bounds.get(index)?;
        Some((form, (bounds != 0).then_some(bounds)))
    }

    /// An event's action-first form and its bounds.
    fn action_first_of(&self, index: usize) -> Option<(&'static str, Option<u64>)> {
        let form = AliasTable::nth(self.action_first_forms, self.action_first_ends, index)?;
        let bounds = *self.action_first_bounds.get(index)?;
        Some((form, (bounds != 0).then_some(bounds)))
    }
}

/// The index of the first event of the table that `name` matches under Segment's alias rule:
///
/// - the forward form, anchored: `^[ _]?order[ _]?completed[ _]?$`, case-insensitively;
/// - the action-first form, as a prefix only: `^[ _]?completed[ _]?order[ _]?`.
///
/// The name is lowercased without separators into a buffer of `N` bytes, `N` being the
/// table's longest form; the whole of it, and its prefixes where an action-first form could
/// end, are hashed and looked up, and candidates are checked against the exact rule.
#[inline]
pub fn lookup_event<const N: usize>(name: &str, table: &AliasTable) -> Option<usize> {
    lookup_in(name, table, &mut [0; N])
}

/// [`lookup_event`] for a table whose longest form, `max_len` bytes, is too long for the
/// stack: the buffer is on the heap.
pub fn lookup_long_event(name: &str, table: &AliasTable, max_len: usize) -> Option<usize> {
    lookup_in(name, table, &mut vec![0; max_len])
}

/// [`lookup_event`] with a buffer as long as the table's longest form.
#[inline]
fn lookup_in(name: &str, table: &AliasTable, buffer: &mut [u8]) -> Option<usize> {
    let max_len = buffer.len();
    let (normal, full_len, separators) = NormalName::alias(name, buffer);
    let mut best = None;
    let bytes = normal.as_bytes();
    if full_len <= max_len {
        for_each_candidate(
            table.forward_slots,
            table.forward_events,
            normal.hash(),
            |index| {
                let matches = match table.forward_of(index) {
                    Some((form, Some(bounds))) if !separators.far => {
                        bytes == form.as_bytes() && separators.fit_forward(bounds)
                    }
                    _ => table
                        .words_of(index)
                        .is_some_and(|words| matches_forward(name, words)),
                };
                keep_earliest(&mut best, index, matches);
            },
        );
    }
    if let Some(start) = bytes.get(..table.action_first_start_len) {
        let mut word = [0; 4];
        word[..start.len()].copy_from_slice(start);
        if table
            .action_first_starts
            .binary_search(&u32::from_le_bytes(word))
            .is_ok()
        {
            for &len in table.action_first_lengths {
                let Some(prefix) = bytes.get(..len) else {
                    break;
                };
                for_each_candidate(
                    table.action_first_slots,
                    table.action_first_events,
                    table_hash(prefix),
                    |index| {
                        let matches = match table.action_first_of(index) {
                            Some((form, Some(bounds))) if !separators.far => {
                                prefix == form.as_bytes() && separators.fit_prefix(len, bounds)
                            }
                            _ => table
                                .words_of(index)
                                .is_some_and(|words| matches_action_first(name, words)),
                        };
                        keep_earliest(&mut best, index, matches);
                    },
                );
            }
        }
    }
    best
}

/// Calls `candidate` with each event whose form has `hash`, from an open-addressed table of
/// [`AliasTable`]: the slots from the one the hash's low bits name to the first free one.
#[inline]
fn for_each_candidate(slots: &[u64], events: &[u32], hash: u64, mut candidate: impl FnMut(usize)) {
    let mask = slots.len().wrapping_sub(1);
    #[allow(clippy::cast_possible_truncation)] // the low bits are the point
    let mut slot = hash as usize & mask;
    // A table has free slots: the probe ends at one.
    for _ in 0..slots.len() {
        match events.get(slot) {
            Some(&u32::MAX) | None => return,
            Some(&event) => {
                if slots[slot] == hash {
                    candidate(event as usize);
                }
            }
        }
        slot = (slot + 1) & mask;
    }
}

/// Keeps the earliest matching candidate: the hash only narrows the search.
fn keep_earliest(best: &mut Option<usize>, index: usize, matches: bool) {
    if matches && best.is_none_or(|best| index < best) {
        *best = Some(index);
    }
}

/// `^[ _]?w1[ _]?w2…[ _]?$`, case-insensitively; `words` separated by spaces.
fn matches_forward(name: &str, words: &str) -> bool {
    strip_words(name, words.split(' ')).is_some_and(str::is_empty)
}

/// `^[ _]?wn[ _]?w1…[ _]?w(n-1)[ _]?` (the last word first), as a prefix; `words` separated
/// by spaces.
fn matches_action_first(name: &str, words: &str) -> bool {
    match words.rsplit_once(' ') {
        Some((rest, action)) => {
            strip_words(name, std::iter::once(action).chain(rest.split(' '))).is_some()
        }
        None => strip_words(name, std::iter::once(words)).is_some(),
    }
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
    if word.is_ascii() {
        // Only ASCII characters lowercase to ASCII ones, but for the Kelvin sign, which the
        // general path below handles.
        if let Some(prefix) = text.as_bytes().get(..word.len())
            && prefix.eq_ignore_ascii_case(word.as_bytes())
        {
            return text.get(word.len()..);
        }
    }
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

/// The top-level properties a conversion matched, by slot (one slot per name the table
/// reads). The first key matching a slot wins, even when its value is falsy; a later repeat of
/// that same key replaces the value, as `JSON.parse` keeps only a repeated key's last value.
///
/// Only matched slots are stored, so a conversion costs what its input holds, whatever the
/// size of the table.
pub struct Matched<'a, V> {
    /// The first few matches, without allocating; most properties match a handful of names.
    inline: [Option<(usize, Key<'a>, V)>; INLINE_MATCHES],
    /// The rest.
    more: Vec<(usize, Key<'a>, V)>,
}

/// Matches kept without allocating.
const INLINE_MATCHES: usize = 8;

impl<'a, V> Matched<'a, V> {
    /// Nothing matched yet.
    pub fn new() -> Self {
        Matched {
            // Slot by slot: a constant array of empty slots would be copied with `memcpy`.
            inline: std::array::from_fn(|_| None),
            more: Vec::new(),
        }
    }

    /// Offers a key that matched `slot`'s name.
    pub fn offer(&mut self, slot: usize, key: Key<'a>, value: V) {
        let matches = self
            .inline
            .iter_mut()
            .map_while(Option::as_mut)
            .chain(self.more.iter_mut());
        for (matched, first, stored) in matches {
            if *matched == slot {
                if *first == key {
                    *stored = value;
                }
                return;
            }
        }
        let entry = (slot, key, value);
        match self.inline.iter_mut().find(|free| free.is_none()) {
            Some(free) => *free = Some(entry),
            None => self.more.push(entry),
        }
    }

    /// The winning value of each matched slot.
    pub fn into_values(self) -> impl Iterator<Item = (usize, V)> {
        self.inline
            .into_iter()
            .map_while(|entry| entry)
            .chain(self.more)
            .map(|(slot, _, value)| (slot, value))
    }
}

impl<V> Default for Matched<'_, V> {
    fn default() -> Self {
        Matched::new()
    }
}

/// The value, when it is present and truthy: only truthy values are copied.
pub fn truthy<'a, V: JsonValue<'a>>(value: Option<V>) -> Option<V> {
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
            let name = KeyName::<2>::loose(key).unwrap();
            assert_eq!(
                name.words(),
                &[u64::from_le_bytes(*b"orderid\0"), 0],
                "{key}"
            );
            assert_eq!(
                (name.len(), name.hash()),
                (7, table_hash(b"orderid")),
                "{key}"
            );
        }
        let dotted = KeyName::<2>::loose("user.Tier").unwrap();
        assert_eq!((dotted.len(), dotted.hash()), (9, table_hash(b"user.tier")));
        assert!(KeyName::<1>::loose("order_id_12").is_none());
        assert!(KeyName::<1>::loose("order_id").is_some());
    }

    #[test]
    fn alias_normal_form_is_cut_at_the_buffer() {
        let mut buffer = [0; 8];
        let (normal, full_len, separators) = NormalName::alias(" Order_Completed ", &mut buffer);
        assert_eq!((normal.as_bytes(), full_len), (&b"ordercom"[..], 14));
        assert_eq!(
            (separators.runs, separators.long_runs),
            ((1 << 0) | (1 << 5) | (1 << 14), 0)
        );
        let (_, _, separators) = NormalName::alias("a  b", &mut [0; 8]);
        assert_eq!((separators.runs, separators.long_runs), (1 << 1, 1 << 1));
        let mut buffer = [0; 32];
        let (normal, full_len, _) = NormalName::alias("CRÈME Brûlée", &mut buffer);
        assert_eq!(
            (normal.as_bytes(), full_len),
            ("crèmebrûlée".as_bytes(), 14)
        );
    }

    #[test]
    fn hash_depends_on_every_byte_and_the_length() {
        assert_eq!(table_hash(b""), 0xa73c_ec6d_aede_3976);
        assert_eq!(table_hash(b"a"), 0xef0d_b2aa_619f_6ae6);
        assert_eq!(table_hash(b"ordercompleted"), 0xaf10_02ff_3577_4175);
        let hashes: Vec<u64> = [
            &b"a"[..],
            b"a\0",
            b"b",
            b"abcdefgh",
            b"abcdefgi",
            b"abcdefghi",
        ]
        .iter()
        .map(|bytes| table_hash(bytes))
        .collect();
        for (index, hash) in hashes.iter().enumerate() {
            assert!(!hashes[index + 1..].contains(hash), "collision at {index}");
        }
        let exact = KeyName::<1>::exact("sku").unwrap();
        assert_eq!(exact.words(), &[u64::from_le_bytes(*b"sku\0\0\0\0\0")]);
        assert_eq!((exact.len(), exact.hash()), (3, table_hash(b"sku")));
        let long = KeyName::<2>::exact("product_id").unwrap();
        let expected = [
            u64::from_le_bytes(*b"product_"),
            u64::from_le_bytes(*b"id\0\0\0\0\0\0"),
        ];
        assert_eq!(
            (long.words(), long.hash()),
            (&expected, table_hash(b"product_id"))
        );
        // A zero byte pads, so exact names are told apart by their lengths too.
        let with_zero = KeyName::<1>::exact("sku\0").unwrap();
        assert_eq!((with_zero.words(), with_zero.len()), (exact.words(), 4));
        assert!(KeyName::<1>::exact("product_id").is_none());
    }

    fn spec_like_matches(name: &str) -> (bool, bool) {
        let words = "order completed";
        (
            matches_forward(name, words),
            matches_action_first(name, words),
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
    fn separator_bits_agree_with_the_word_by_word_rule() {
        let words = "order completed";
        // "ordercompleted": the words meet at 5; the ends are 0 and 14.
        let forward_bounds = 1 | (1 << 5) | (1 << 14);
        // "completedorder": 0, 9, 14.
        let prefix_bounds = 1 | (1 << 9) | (1 << 14);
        let names = [
            "Order Completed",
            "order_completed",
            "OrderCompleted",
            " order completed ",
            "_Order_Completed_",
            "Order  Completed",
            "Order-Completed",
            "Ord er Completed",
            "  Order Completed",
            "Order Completed  ",
            "Completed Order",
            "completed_order",
            "CompletedOrders",
            " Completed Order To Cart",
            "Completed  Order",
            "Completed Or der",
            "Completed Order  x",
            "completedorder__",
        ];
        for name in names {
            let mut buffer = [0; 32];
            let (normal, full_len, separators) = NormalName::alias(name, &mut buffer);
            let bytes = &normal.as_bytes()[..full_len.min(32)];
            let forward = bytes == b"ordercompleted" && separators.fit_forward(forward_bounds);
            assert_eq!(forward, matches_forward(name, words), "forward: {name:?}");
            let prefix =
                bytes.starts_with(b"completedorder") && separators.fit_prefix(14, prefix_bounds);
            assert_eq!(
                prefix,
                matches_action_first(name, words),
                "action first: {name:?}"
            );
        }
    }

    #[test]
    fn case_folding_is_unicode_aware() {
        assert!(matches_forward("CRÈME Brûlée", "crème brûlée"));
        assert!(!matches_forward("crème", "creme"));
    }

    #[test]
    fn matches_keep_the_first_key_and_its_last_repeat() {
        let mut matched = Matched::new();
        matched.offer(3, Key::new("orderId"), 1);
        matched.offer(3, Key::new("order_id"), 2);
        matched.offer(5, Key::new("value"), 7);
        matched.offer(3, Key::new("orderId"), 0);
        let values: Vec<(usize, i32)> = matched.into_values().collect();
        assert_eq!(values, [(3, 0), (5, 7)]);

        // Keys that differ only in lone surrogates are two keys, as in JavaScript.
        let json = Json::parse(r#"{"order\ud800id": 1, "order\udc00id": 2}"#).unwrap();
        let mut matched = Matched::new();
        json.for_each_entry(|key, value| matched.offer(0, key, value));
        let values: Vec<String> = matched
            .into_values()
            .map(|(_, value)| value.text().to_owned())
            .collect();
        assert_eq!(values, ["1"]);

        // Past the inline capacity, matches go on the heap, in order.
        let names: Vec<String> = (0..20).map(|slot| format!("key{slot}")).collect();
        let mut many = Matched::new();
        for (slot, name) in names.iter().enumerate() {
            many.offer(slot, Key::new(name), slot);
        }
        many.offer(15, Key::new("key15"), 150);
        many.offer(15, Key::new("other"), 0);
        let values: Vec<usize> = many.into_values().map(|(_, value)| value).collect();
        let mut expected: Vec<usize> = (0..20).collect();
        expected[15] = 150;
        assert_eq!(values, expected);
    }

    #[test]
    fn truthy_filters_with_javascript_truthiness() {
        let values: Vec<Json> = ["0", "1", "\"\""]
            .iter()
            .map(|text| Json::parse(text).unwrap())
            .collect();
        assert_eq!(truthy(Some(values[0])), None);
        assert_eq!(truthy(Some(values[1])), Some(values[1]));
        assert_eq!(truthy(Some(values[2])), None);
        assert_eq!(truthy::<Json>(None), None);
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
