//! Every reference vector, and every vector of this project's own behaviour catalogue, through
//! the library: settings and message in, the whole list of calls out, keys in order.

use mapping_tests::{
    assert_all_pass, behavior_vectors, failures, library_calls, reference_vectors, same_json,
};

#[test]
fn every_reference_vector_passes_through_the_library() {
    let vectors = reference_vectors();
    assert!(vectors.len() >= 40, "only {} vectors found", vectors.len());
    assert_all_pass(&failures(&vectors, library_calls), vectors.len());
}

#[test]
fn every_behavior_vector_passes_through_the_library() {
    let vectors = behavior_vectors();
    assert!(vectors.len() >= 60, "only {} vectors found", vectors.len());
    assert_all_pass(&failures(&vectors, library_calls), vectors.len());
}

#[test]
fn numbers_compare_by_value_and_everything_else_exactly() {
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    assert!(same_json(
        &json(r#"[1, {"a": 2.0}]"#),
        &json(r#"[1.0, {"a": 2}]"#)
    ));
    assert!(!same_json(&json(r#"[1]"#), &json(r#"["1"]"#)));
    assert!(!same_json(
        &json(r#"{"a": 1}"#),
        &json(r#"{"a": 1, "b": null}"#)
    ));
    assert!(!same_json(&json(r#"[[1, 2]]"#), &json(r#"[[1]]"#)));
    assert!(!same_json(
        &json(r#"{"a": 1, "b": 2}"#),
        &json(r#"{"b": 2, "a": 1}"#)
    ));
}
