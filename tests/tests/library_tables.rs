//! Two user tables unlike Segment's (other events, properties, products array and custom keys)
//! driving the whole destination: the vectors of `tests/vectors/user-tables.json` through the
//! library and through each table's own tool, and whole outputs as JSON and as script-safe
//! JavaScript.

use mapping_tests::user_tables::{boutique, studio};
use mapping_tests::{
    Output, Vector, assert_all_pass, cli_failures, failures, library_calls_with, read_vectors,
    run_tool, workspace_dir,
};
use pinterest_mapping::ndjson::{self, OutputFormat};
use pinterest_mapping::{Destination, Mapping, Message, Settings};
use serde_json::Value;

fn vectors(table: &str) -> Vec<Vector> {
    let all = read_vectors(&workspace_dir().join("tests/vectors/user-tables.json"));
    let known = ["boutique", "studio"];
    let unknown: Vec<&str> = all
        .iter()
        .map(|vector| vector.table.as_str())
        .filter(|name| !known.contains(name))
        .collect();
    assert!(
        unknown.is_empty(),
        "vectors for unknown tables: {unknown:?}"
    );
    all.into_iter()
        .filter(|vector| vector.table == table)
        .collect()
}

/// The table's own tool, in process.
fn tool<M: Mapping>(table: M) -> impl Fn(&[String], &[u8]) -> Output {
    move |args, stdin| run_tool(table.clone(), &format!("{}-map", M::NAME), args, stdin)
}

/// The table's vectors, at least `at_least` of them, through the library and its tool.
fn check_vectors<M: Mapping>(table: M, at_least: usize) {
    let vectors = vectors(M::NAME);
    assert!(vectors.len() >= at_least, "only {} vectors", vectors.len());
    let library = |vector: &Vector| library_calls_with(table.clone(), vector);
    assert_all_pass(&failures(&vectors, library), vectors.len());
    assert_all_pass(&cli_failures(&vectors, tool(table)), vectors.len());
}

#[test]
fn every_boutique_vector_through_the_library_and_the_tool() {
    check_vectors(boutique::Table, 10);
}

#[test]
fn every_studio_vector_through_the_library_and_the_tool() {
    check_vectors(studio::Table, 6);
}

const MESSAGES: &str = concat!(
    r#"{"type":"track","event":"Basket Checked Out","messageId":"m-1","properties":{"total": 30.50,"voucher":"</script><script>alert(1)</script>","items":[{"sku":"s-1","colour":"\u2028red"}]}}"#,
    "\n",
    r#"{"type":"page","name":"<!--","messageId":"m-2"}"#,
    "\n",
    r#"{"type":"identify","userId":"jane@example.com&x"}"#,
    "\n",
    r#"{"type":"track","event":"Membership Bought","messageId":"m-3","properties":{"price":1.50,"eid":"e-1","passes":[{"code":"C-1","label":"</script>"}]}}"#,
    "\n",
);

const SETTINGS: &str = r#"{"tid":"t-1","mapMessageIdToEventId":true}"#;

/// The lines a table's tool prints for [`MESSAGES`] in `format`.
fn whole_output<M: Mapping>(table: M, format: &str) -> Output {
    let settings = mapping_tests::TempFile::new(".json", SETTINGS.as_bytes());
    let args = [
        "--quiet".to_owned(),
        "--settings".to_owned(),
        settings.arg(),
        "--format".to_owned(),
        format.to_owned(),
    ];
    tool(table)(&args, MESSAGES.as_bytes())
}

#[test]
fn whole_outputs_as_json_keep_values_as_sent() {
    let boutique = whole_output(boutique::Table, "json");
    assert_eq!((boutique.status, boutique.stderr.as_str()), (0, ""));
    assert_eq!(
        boutique.stdout,
        concat!(
            r#"[["track","Checkout",{"value":30.50,"voucher code":"</script><script>alert(1)</script>","event_id":"m-1","line_items":[{"product_id":"s-1","colour":"\u2028red"}]}]]"#,
            "\n",
            r#"[["track","Browse",{"name":"<!--","event_id":"m-2"}]]"#,
            "\n",
            r#"[["set",{"np":"segment","em":"jane@example.com&x"}]]"#,
            "\n",
            // The boutique's item fields are read at the top level when there is no `items`.
            r#"[["track","Membership Bought",{"event_id":"m-3","line_items":[{"product_price":1.50}]}]]"#,
            "\n",
        )
    );
    let studio = whole_output(studio::Table, "json");
    assert_eq!((studio.status, studio.stderr.as_str()), (0, ""));
    assert_eq!(
        studio.stdout,
        concat!(
            r#"[["track","Basket Checked Out",{"event_id":"m-1"}]]"#,
            "\n",
            "[]\n",
            r#"[["set",{"np":"segment","em":"jane@example.com&x"}]]"#,
            "\n",
            r#"[["track","Checkout",{"value":1.50,"event_id":"m-3","line_items":[{"product_id":"C-1","</script>":"</script>"}]}]]"#,
            "\n",
        )
    );
}

#[test]
fn whole_outputs_as_javascript_are_script_safe() {
    let boutique = whole_output(boutique::Table, "js");
    assert_eq!((boutique.status, boutique.stderr.as_str()), (0, ""));
    assert_eq!(
        boutique.stdout,
        concat!(
            r#"pintrk("track", "Checkout", {"value":30.50,"voucher code":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e","event_id":"m-1","line_items":[{"product_id":"s-1","colour":"\u2028red"}]});"#,
            "\n",
            r#"pintrk("track", "Browse", {"name":"\u003c!--","event_id":"m-2"});"#,
            "\n",
            r#"pintrk("set", {"np":"segment","em":"jane@example.com\u0026x"});"#,
            "\n",
            r#"pintrk("track", "Membership Bought", {"event_id":"m-3","line_items":[{"product_price":1.50}]});"#,
            "\n",
        )
    );
    let studio = whole_output(studio::Table, "js");
    assert_eq!(
        studio.stdout,
        concat!(
            r#"pintrk("track", "Basket Checked Out", {"event_id":"m-1"});"#,
            "\n",
            r#"pintrk("set", {"np":"segment","em":"jane@example.com\u0026x"});"#,
            "\n",
            r#"pintrk("track", "Checkout", {"value":1.50,"event_id":"m-3","line_items":[{"product_id":"C-1","\u003c/script\u003e":"\u003c/script\u003e"}]});"#,
            "\n",
        )
    );
}

/// The library, the calls' own writer and serde agree for every message of either table.
#[test]
fn the_library_writes_what_serde_writes_for_every_table() {
    let settings = Settings::from_json(SETTINGS).expect("settings");
    let boutique = Destination::with_table(boutique::Table, settings.clone());
    let studio = Destination::with_table(studio::Table, settings);
    for line in MESSAGES.lines() {
        let message = Message::parse(line).expect("a message");
        for call in [boutique.map(&message), studio.map(&message)]
            .into_iter()
            .flatten()
        {
            assert_eq!(
                serde_json::to_string(&call).expect("serializes"),
                call.to_json()
            );
            let parsed: Value = serde_json::from_str(&call.to_json()).expect("JSON");
            let js = call.to_js();
            let arguments = js
                .strip_prefix("pintrk(")
                .and_then(|rest| rest.strip_suffix(");"))
                .expect("a statement");
            let from_js: Value =
                serde_json::from_str(&format!("[{arguments}]")).expect("the arguments are JSON");
            assert_eq!(from_js, parsed, "{js}");
        }
        let mut out = Vec::new();
        ndjson::map_line(&boutique, OutputFormat::Json, line, &mut out).expect("maps");
        assert_eq!(out.last(), Some(&b'\n'));
    }
}
