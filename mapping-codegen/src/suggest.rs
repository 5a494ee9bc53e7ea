//! "Did you mean" suggestions for misspelt names, with rustc's rule of thumb: a candidate is
//! close when its case-insensitive edit distance is at most a third of the name's length.

/// The candidate closest to `name`, if one is close enough. A candidate equal to `name` up to
/// case always qualifies; ties go to the earlier candidate.
pub fn closest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let folded = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| {
            (
                edit_distance(&folded, &candidate.to_lowercase()),
                *candidate,
            )
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance counted in characters, with adjacent transpositions costing one edit
/// (the optimal string alignment variant): `Chekcout` is one slip away from `Checkout`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rolling rows: two rows back is needed for transpositions.
    let mut before_previous = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before_previous[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
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
    }

    #[test]
    fn short_names_allow_one_edit() {
        assert_eq!(closest("pag", &["page", "events"]), Some("page"));
        assert_eq!(closest("pg", &["page"]), None);
    }
}
