//! `--format js` in a real browser: hostile values in every place a value reaches the output
//! (property values and keys, event names, page names, emails, the tag ID, and a table's own
//! custom keys), the generated statements placed in a page after Pinterest's base-code queue
//! stub, loaded in headless Chromium, with Segment's table and with a user's. The queue must
//! hold exactly the calls `--format json` prints, and no injected script may run.
//!
//! Chromium is found at `$CHROMIUM`, else `chromium` on the `PATH` (Debian's package, which
//! `.ci/run` installs). Without it the test shows as ignored in the test summary, and says why
//! on standard error, unless `PINTEREST_BROWSER_TEST=required` (as `.ci/run` sets), where that
//! is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use libtest_mimic::Trial;

use mapping_tests::{TempFile, run_tool};
use pinterest_mapping::Mapping;
use serde_json::Value;

pinterest_mapping::pinterest_mapping! {
    /// A user's table whose custom keys and partner-defined events are themselves hostile.
    mod hostile_keys {
        events { "Products Searched" => Search }
        page {
            category => "</script><script>window.injected.push(12)</script>",
            _        => PageVisit,
        }
        properties {
            "query"    => "</script><script>window.injected.push(10)</script>",
            "order_id" => "<!--<script>",
            "coupon"   => "__proto__",
        }
        products => line_items {
            "name" => "</SCRIPT ><script>window.injected.push(11)</script>",
            "sku"  => product_id,
        }
    }
}

/// Texts that would end the script element, open an HTML comment, end a JavaScript string or
/// line, or otherwise run code if copied into a `<script>` unescaped. The scripts they try to
/// run use no quotes (which the JSON escaping would spoil) and record themselves in
/// `window.injected`.
const HOSTILE: [&str; 14] = [
    "</script><script>window.injected.push(1)</script>",
    "</SCRIPT ><script>window.injected.push(2)</script>",
    "</script/><img src=x onerror=window.injected.push(3)>",
    "<!--<script>",
    "<!-- <script> </script> --><script>window.injected.push(4)</script>",
    "-->]]>",
    "line\u{2028}separator\u{2029}paragraph",
    r#""); window.injected.push(5); (""#,
    "'); window.injected.push(6); ('",
    r#"\"); window.injected.push(7); //"#,
    "`${window.injected.push(8)}`",
    "&lt;/script&gt; &amp; &#x3c;",
    "nul\u{0}and\u{1f}controls\r\n",
    "emoji 🦀 and é",
];

/// Pinterest's base code, without loading its script: `pintrk` queues its calls.
const BASE_CODE: &str = r#"window.injected = [];
window.pintrk = function () { window.pintrk.queue.push(Array.prototype.slice.call(arguments)); };
window.pintrk.queue = [];
window.pintrk.version = "3.0";"#;

/// Writes the queue and the injected scripts' marks into the page as hexadecimal UTF-16
/// units, so that reading them back needs no HTML decoding.
const REPORT: &str = r#"var report = JSON.stringify({queue: window.pintrk.queue, injected: window.injected});
var hex = "";
for (var i = 0; i < report.length; i++) { hex += ("000" + report.charCodeAt(i).toString(16)).slice(-4); }
document.getElementById("report").textContent = hex;"#;

fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// Settings and messages that carry `hostile` everywhere a value reaches the output.
fn hostile_inputs() -> (String, String, String) {
    // A custom property path: its key is written into the event data. No dots, which would
    // make it a nested path.
    // (`window.injected.push(9)`, spelled without dots or quotes.)
    let key = "</script><script>window[String.fromCharCode(105,110,106,101,99,116,101,100)]\
               [String.fromCharCode(112,117,115,104)](9)</script><!--";
    let settings = serde_json::json!({
        "tid": HOSTILE[1],
        "pinterestEventMapping": {"Lead Generated": HOSTILE[2]},
        "pinterestCustomProperties": [key, "__proto__"],
        "useEnhancedMatchLoad": true,
        "mapMessageIdToEventId": true,
    })
    .to_string();
    let traits = serde_json::json!({"email": HOSTILE[3]}).to_string();
    let mut lines = Vec::new();
    for hostile in HOSTILE {
        let value = quoted(hostile);
        lines.extend([
            format!(
                r#"{{"type":"track","event":"Products Searched","messageId":{value},"properties":{{"query":{value}}}}}"#
            ),
            format!(
                r#"{{"type":"track","event":"Order Completed","properties":{{"order_id":{value},"products":[{{"name":{value},"sku":{value}}}],"value":{{{value}:[{value}]}},{}:{value}}}}}"#,
                quoted(key)
            ),
            format!(r#"{{"type":"track","event":{value},"properties":{{}}}}"#),
            r#"{"type":"track","event":"Lead Generated"}"#.to_owned(),
            format!(
                r#"{{"type":"page","name":{value},"category":{value},"properties":{{"event_id":{value}}}}}"#
            ),
            format!(r#"{{"type":"identify","traits":{{"email":{value}}}}}"#),
        ]);
    }
    // `__proto__` as a key: in an object literal it would set the object's prototype rather
    // than make a property. Nested, escaped, in products, as a custom key, in traits.
    lines.extend([
        r#"{"type":"track","event":"Order Completed","properties":{"__proto__":{"__proto__":{"polluted":1},"a":1},"value":{"__pro\u0074o__":{"polluted":2},"b":[{"__proto__" :3}]},"products":[{"sku":{"__proto__":{"polluted":4}}}],"coupon":{"__proto__":6}}}"#.to_owned(),
        r#"{"type":"identify","traits":{"email":{"__proto__":{"polluted":5},"x":"__proto__"}}}"#.to_owned(),
        r#"{"type":"page","name":"p","properties":{"event_id":[{"\u005f_proto__":{"polluted":7}}]}}"#.to_owned(),
    ]);
    (settings, traits, lines.join("\n") + "\n")
}

/// Runs the table's tool in process; its standard output.
fn tool_output<M: Mapping>(table: M, args: &[&str], stdin: &str) -> String {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let output = run_tool(table, "pinterest-map", &args, stdin.as_bytes());
    assert_eq!(output.status, 0, "{}", output.stderr);
    output.stdout
}

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|directory| directory.join("chromium"))
        .find(|candidate| candidate.is_file())
}

/// Loads `page` in headless Chromium; the page's DOM after its scripts ran.
fn load(chromium: &Path, page: &Path, profile: &Path) -> String {
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|error| panic!("{} does not start: {error}", chromium.display()));
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

/// The report the page wrote, decoded.
fn report(dom: &str) -> Value {
    let hex = dom
        .split(r#"<pre id="report">"#)
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no report in the page: {dom}"));
    let units: Vec<u16> = hex
        .as_bytes()
        .chunks(4)
        .map(|unit| {
            std::str::from_utf8(unit)
                .ok()
                .and_then(|unit| u16::from_str_radix(unit, 16).ok())
                .unwrap_or_else(|| panic!("the report did not run: {hex}"))
        })
        .collect();
    let text = String::from_utf16(&units).expect("the report is text");
    serde_json::from_str(&text).expect("the report is JSON")
}

fn main() -> ExitCode {
    let arguments = libtest_mimic::Arguments::from_args();
    let chromium = chromium();
    let required = std::env::var("PINTEREST_BROWSER_TEST").as_deref() == Ok("required");
    let ignored = chromium.is_none() && !required;
    if ignored && !arguments.list {
        eprintln!(
            "browser test ignored: Chromium not found (install Debian's `chromium` package, as \
             .ci/run does, or set CHROMIUM to its path)"
        );
    }
    let trial = Trial::test(
        "hostile_values_cannot_break_out_of_a_script_element",
        move || {
            let chromium = chromium.ok_or(
                "Chromium is required (PINTEREST_BROWSER_TEST=required) and was not found",
            )?;
            check_in_browser(&chromium, pinterest_mapping::spec::Table);
            check_in_browser(&chromium, hostile_keys::Table);
            Ok(())
        },
    )
    .with_ignored_flag(ignored);
    libtest_mimic::run(&arguments, vec![trial]).exit_code()
}

/// The hostile inputs through the table's tool, its JavaScript run in the page.
fn check_in_browser<M: Mapping>(chromium: &Path, table: M) {
    let (settings, traits, input) = hostile_inputs();
    let settings = TempFile::new(".json", settings.as_bytes());
    let args = [
        "-q",
        "--init",
        "--settings",
        &settings.arg(),
        "--traits",
        &traits,
    ];
    let statements = tool_output(
        table.clone(),
        &[&args[..], &["--format", "js"]].concat(),
        &input,
    );
    let json = tool_output(table, &args, &input);
    let expected: Vec<Value> = json
        .lines()
        .flat_map(|line| match serde_json::from_str(line) {
            Ok(Value::Array(calls)) => calls,
            other => panic!("not a list of calls: {other:?}"),
        })
        .collect();
    // Every hostile text is in the output, escaped, as a value or a key.
    assert!(
        expected.len() > 6 * HOSTILE.len(),
        "{} calls",
        expected.len()
    );
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><script>\n{BASE_CODE}\n</script></head>\n\
         <body><pre id=\"report\">the report script did not run</pre>\n\
         <script>\n{statements}</script>\n<script>\n{REPORT}\n</script></body></html>\n"
    );
    let page_file = TempFile::new(".html", page.as_bytes());
    let profile = std::env::temp_dir().join(format!(
        "pinterest-browser-{}-{}",
        std::process::id(),
        M::NAME
    ));
    let dom = load(chromium, page_file.path(), &profile);
    let _ = std::fs::remove_dir_all(&profile);
    let report = report(&dom);
    assert_eq!(
        report["injected"],
        Value::Array(Vec::new()),
        "scripts ran with the {} table",
        M::NAME
    );
    let queue = report["queue"].as_array().expect("the queue is an array");
    assert_eq!(queue.len(), expected.len());
    for (index, (queued, call)) in queue.iter().zip(&expected).enumerate() {
        assert_eq!(queued, call, "call {index} with the {} table", M::NAME);
    }
}
