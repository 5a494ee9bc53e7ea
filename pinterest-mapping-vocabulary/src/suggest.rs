//! "Did you mean" for misspelt names, with rustc's rule of thumb: a candidate is close when
//! its case-insensitive edit distance is at most a third of the name's length (at least one).

/// The candidate closest to `name`, if one is close enough. A candidate equal to `name` up to
/// case always qualifies; ties go to the earlier candidate.
///
/// ```
/// use pinterest_mapping_vocabulary::suggest::closest;
///
/// assert_eq!(closest("Chekout", &["Checkout", "Search"]), Some("Checkout"));
/// assert_eq!(closest("Purchase", &["Checkout", "Search"]), None);
/// ```
#[must_use]
pub fn closest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    closest_within(name, candidates, limit).map(|index| candidates[index])
}

/// Where the candidate closest to `name` ignoring case is, within `limit` edits; ties go to
/// the earlier candidate.
#[must_use]
pub fn closest_within(name: &str, candidates: &[&str], limit: usize) -> Option<usize> {
    let folded = name.to_lowercase();
    candidates
        .iter()
        .map(|candidate| edit_distance(&folded, &candidate.to_lowercase()))
        .enumerate()
        .filter(|(_, distance)| *distance <= limit)
        .min_by_key(|(_, distance)| *distance)
        .map(|(index, _)| index)
}

/// Edits between `a` and `b`, in characters, an adjacent transposition counting as one edit
/// (the optimal string alignment distance): `Chekcout` is one slip away from `Checkout`.
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("chekout", "checkout"), 1);
        assert_eq!(edit_distance("serach", "search"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        let codes = ["Checkout", "AddToCart", "Search"];
        assert_eq!(closest("Chekout", &codes), Some("Checkout"));
        assert_eq!(closest("checkout", &codes), Some("Checkout"));
        assert_eq!(closest("addtocart", &codes), Some("AddToCart"));
        assert_eq!(closest("Purchase", &codes), None);
        assert_eq!(
            closest("serach_query", &["search_query", "order_id"]),
            Some("search_query")
        );
        assert_eq!(closest_within("Chekout", &codes, 1), Some(0));
        assert_eq!(closest_within("Chkout", &codes, 1), None);
    }

    #[test]
    fn short_names_allow_one_edit() {
        assert_eq!(closest("pag", &["page", "events"]), Some("page"));
        assert_eq!(closest("pg", &["page"]), None);
    }
}
