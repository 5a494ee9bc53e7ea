//! `shop-map`, the README's user program, as a real executable on the shipped input: whole
//! outputs, exit statuses and errors; and the README holds this very program.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

fn shop_map(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shop-map"))
        .args(args)
        .current_dir(MANIFEST)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shop-map starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin takes the input");
    let output = child.wait_with_output().expect("shop-map runs");
    Output {
        status: output.status.code().expect("an exit status"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// The calls of `events.ndjson`, one line per valid message.
const CALLS: &str = r#"[["track","PageVisit",{"name":"Home"}]]
[["track","ViewCategory",{"name":"Trail shoes","category":"Shoes"}]]
[["track","AddToCart",{"line_items":[{"product_id":"s-1","product_name":"Trail Runner","product_price":89.90,"product_quantity":1}]}]]
[["track","Checkout",{"value":139.80,"currency":"EUR","order_id":"b-7","voucher":"WINTER","line_items":[{"product_id":"s-1","product_name":"Trail Runner","product_price":89.90,"product_quantity":1},{"product_id":"s-9","product_name":"Wool Socks","product_price":24.95,"product_quantity":2}]}]]
[["track","Products Searched",{"search_query":"running shoes"}]]
[["set",{"np":"segment","em":"jane@example.com"}]]
[["track","Signup",{"custom_prop":"newsletter"}]]
[["track","NewsletterJoined",{}]]
[["track","Lead",{"value":"</script><script>alert(1)</script>"}]]
"#;

const ERRORS: &str = "events.ndjson:8: track message has no `event`\n\
                      events.ndjson:9: invalid JSON: expected a value at column 1, found a bare word\n";

#[test]
fn maps_the_shipped_events_and_reports_the_invalid_lines() {
    let output = shop_map(&["--quiet", "events.ndjson"], "");
    assert_eq!(output.stdout, CALLS);
    assert_eq!(output.stderr, ERRORS);
    assert_eq!(output.status, 1, "invalid lines make the status 1");
}

#[test]
fn the_summary_bears_the_programs_name() {
    let output = shop_map(&["events.ndjson"], "");
    assert_eq!(output.stdout, CALLS);
    let summary = output
        .stderr
        .strip_prefix(
            "shop-map: no --settings: using the built-in example configuration \
             (tag ID 2620795819800)\n",
        )
        .and_then(|rest| rest.strip_prefix(ERRORS))
        .expect("the note of the built-in settings, then the errors");
    assert!(
        summary.starts_with("shop-map: 9 messages, 9 calls, 2 errors in "),
        "{summary}"
    );
    assert_eq!(summary.lines().count(), 1);
}

#[test]
fn writes_script_safe_javascript() {
    let output = shop_map(&["-q", "--format", "js", "-"], "{\"type\":\"page\"}\n");
    assert_eq!(
        (
            output.status,
            output.stdout.as_str(),
            output.stderr.as_str()
        ),
        (
            0,
            "pintrk(\"track\", \"PageVisit\", {\"name\":\"\"});\n",
            ""
        )
    );
    let events = std::fs::read_to_string(Path::new(MANIFEST).join("events.ndjson"))
        .expect("the shipped events");
    let output = shop_map(&["-q", "--format", "js"], &events);
    let last = output.stdout.lines().last().expect("calls");
    assert_eq!(
        last,
        r#"pintrk("track", "Lead", {"value":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"});"#
    );
    assert_eq!(output.stdout.lines().count(), 9);
}

#[test]
fn takes_settings_and_the_start_up_calls() {
    let settings = std::env::temp_dir().join(format!("shop-map-{}.json", std::process::id()));
    std::fs::write(
        &settings,
        r#"{"tid":"42","pinterestEventMapping":{"Item Added":"Custom"},"useEnhancedMatchLoad":true,"mapMessageIdToEventId":true}"#,
    )
    .expect("a settings file");
    let input = "{\"type\":\"track\",\"event\":\"item added\",\"messageId\":\"m-1\",\"properties\":{\"total\":3}}\n\
                 {\"type\":\"track\",\"event\":\"Basket Checked Out\",\"messageId\":\"m-2\"}\n";
    let output = shop_map(
        &[
            "-q",
            "--settings",
            settings.to_str().expect("a UTF-8 path"),
            "--init",
            "--traits",
            r#"{"email":"jane@example.com"}"#,
        ],
        input,
    );
    std::fs::remove_file(&settings).expect("the settings file is removed");
    assert_eq!(
        (output.status, output.stderr.as_str()),
        (0, ""),
        "{}",
        output.stderr
    );
    assert_eq!(
        output.stdout,
        "[[\"load\",\"42\",{\"em\":\"jane@example.com\"}],[\"page\"]]\n\
         [[\"track\",\"Custom\",{\"value\":3,\"event_id\":\"m-1\"}]]\n\
         [[\"track\",\"Checkout\",{\"event_id\":\"m-2\"}]]\n"
    );
}

#[test]
fn unusable_arguments_exit_with_status_2_before_any_output() {
    let output = shop_map(
        &["--settings", "no-such-settings.json", "events.ndjson"],
        "",
    );
    assert_eq!((output.status, output.stdout.as_str()), (2, ""));
    assert!(
        output
            .stderr
            .starts_with("shop-map: cannot read settings no-such-settings.json: "),
        "{}",
        output.stderr
    );
    let output = shop_map(&["--format", "xml"], "");
    assert_eq!(
        (
            output.status,
            output.stdout.as_str(),
            output.stderr.as_str()
        ),
        (
            2,
            "",
            "error: invalid value 'xml' for '--format <FORMAT>'\n  [possible values: json, js, capi]\n\n\
             For more information, try '--help'.\n"
        )
    );
    let output = shop_map(&["--no-such-option"], "");
    assert_eq!((output.status, output.stdout.as_str()), (2, ""));
    assert!(
        output
            .stderr
            .contains("\nUsage: shop-map [OPTIONS] [INPUT]...\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn help_and_version_name_the_program_and_its_table() {
    let help = shop_map(&["--help"], "");
    assert_eq!(help.status, 0);
    // Help is wrapped to the terminal's width (100 columns without a terminal).
    let words: Vec<&str> = help.stdout.split_whitespace().collect();
    assert!(
        words.join(" ").starts_with(
            "Map Segment messages to Pinterest Tag calls with the `shop` table, as Segment's \
             Pinterest Tag destination does, and to Pinterest Conversions API events, printed \
             or sent. Reads"
        ),
        "{}",
        help.stdout
    );
    assert!(help.stdout.lines().all(|line| line.chars().count() <= 100));
    assert!(help.stdout.contains("Usage: shop-map [OPTIONS] [INPUT]..."));
    let version = shop_map(&["--version"], "");
    assert_eq!(
        version.stdout,
        format!(
            "shop-map {} (pinterest-map, table `shop`)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// The README's program is this crate's `main.rs`, byte for byte: the README's user
/// program is the one these tests build and run.
#[test]
fn the_readme_holds_this_very_program() {
    let root = Path::new(MANIFEST).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("the README");
    let program =
        std::fs::read_to_string(Path::new(MANIFEST).join("src/main.rs")).expect("main.rs");
    // Not a doctest (`ignore`): its plan is this crate's file, which the README's own
    // crate has not; this test holds it to the program these tests build.
    let block = format!("```rust,ignore\n{program}```\n");
    assert!(
        readme.contains(&block),
        "README.md must hold examples/shop-map/src/main.rs as one ```rust,ignore block"
    );
}
