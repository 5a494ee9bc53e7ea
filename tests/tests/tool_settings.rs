//! Settings checked as the table is: `pinterest-map` warns about what the settings accept but
//! look mistaken, `--strict` refuses them, the built-in configuration is announced, and the
//! settings come from a file, standard input or the argument itself.

use mapping_tests::{Output, TempFile, run_tool};

fn run(args: &[&str], stdin: &str) -> Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    run_tool(
        pinterest_mapping::spec::Table,
        "pinterest-map",
        &args,
        stdin.as_bytes(),
    )
}

const ORDER: &str =
    r#"{"type":"track","event":"Order Completed","properties":{"order_id":"o-1","value":5}}"#;
const SIGNUP: &str = r#"{"type":"track","event":"Signed Up"}"#;

/// The mistakes of a first configuration: a key in the wrong case, a misspelt key, a standard
/// event misspelt and one in the wrong case.
const TYPOS: &str = r#"{"Tid":"2620795819800","pinterestEventMaping":{},"pinterestEventMapping":{"Order Completed":"Chekout","Signed Up":"signup"}}"#;

fn typo_warnings(source: &str) -> String {
    format!(
        "pinterest-map: warning: {source}: unknown key `Tid`, ignored: did you mean `tid`?\n\
         pinterest-map: warning: {source}: unknown key `pinterestEventMaping`, ignored: did you \
         mean `pinterestEventMapping`?\n\
         pinterest-map: warning: {source}: `tid` is missing or empty: every message will produce \
         no Tag call\n\
         pinterest-map: warning: {source}: `pinterestEventMapping[\"Order Completed\"]` is \
         `Chekout`, a partner-defined event: did you mean the standard event `Checkout`?\n\
         pinterest-map: warning: {source}: `pinterestEventMapping[\"Signed Up\"]` is `signup`, a \
         partner-defined event: did you mean the standard event `Signup`?\n"
    )
}

#[test]
fn typos_in_the_settings_are_warned_about_and_the_run_goes_on() {
    let settings = TempFile::new(".json", TYPOS.as_bytes());
    let output = run(
        &["-q", "--settings", &settings.arg()],
        &format!("{ORDER}\n"),
    );
    assert_eq!(output.status, 0);
    assert_eq!(output.stdout, "[]\n", "no tag ID: no call, as Segment does");
    assert_eq!(output.stderr, typo_warnings(&settings.arg()));
}

#[test]
fn the_tag_id_is_not_needed_for_conversions_api_events() {
    let settings = TempFile::new(
        ".json",
        br#"{"pinterestEventMapping":{"Order Completed":"Chekout"}}"#,
    );
    let output = run(
        &["-q", "--format", "capi", "--settings", &settings.arg()],
        "",
    );
    assert_eq!(output.status, 0);
    assert_eq!(
        output.stderr,
        format!(
            "pinterest-map: warning: {}: `pinterestEventMapping[\"Order Completed\"]` is \
             `Chekout`, a partner-defined event: did you mean the standard event `Checkout`?\n",
            settings.arg()
        )
    );
}

#[test]
fn strict_refuses_settings_with_warnings_before_reading_anything() {
    let settings = TempFile::new(".json", TYPOS.as_bytes());
    let output = run(
        &["--strict", "--settings", &settings.arg()],
        &format!("{ORDER}\n"),
    );
    assert_eq!(output.status, 2);
    assert_eq!(output.stdout, "");
    assert_eq!(
        output.stderr,
        typo_warnings(&settings.arg())
            + "pinterest-map: --strict: 5 warnings in the settings: nothing was read\n"
    );
    let one = TempFile::new(".json", br#"{"tid":"1","x":1}"#);
    let output = run(&["--strict", "--settings", &one.arg()], ORDER);
    assert_eq!(output.status, 2);
    assert!(
        output
            .stderr
            .ends_with("pinterest-map: --strict: 1 warning in the settings: nothing was read\n"),
        "{}",
        output.stderr
    );
    // Clean settings pass.
    let clean = TempFile::new(".json", br#"{"tid":"1"}"#);
    let output = run(&["-q", "--strict", "--settings", &clean.arg()], ORDER);
    assert_eq!((output.status, output.stderr.as_str()), (0, ""));
    assert_eq!(output.stdout.lines().count(), 1);
}

#[test]
fn the_built_in_configuration_is_announced_with_its_tag_id() {
    let output = run(&[], ORDER);
    assert_eq!(output.status, 0);
    assert!(
        output.stderr.starts_with(
            "pinterest-map: no --settings: using the built-in example configuration (tag ID \
             2620795819800)\npinterest-map: 1 message, 1 call, 0 errors in "
        ),
        "{}",
        output.stderr
    );
    let quiet = run(&["-q"], ORDER);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, output.stdout);
}

#[test]
fn settings_come_from_standard_input_or_the_argument_itself() {
    let events = TempFile::new(".ndjson", format!("{ORDER}\n{SIGNUP}\n").as_bytes());
    let settings = r#"{"tid":"t-1","pinterestEventMapping":{"Signed Up":"Signup"}}"#;
    let file = TempFile::new(".json", settings.as_bytes());
    let from_file = run(
        &["-q", "--init", "--settings", &file.arg(), &events.arg()],
        "",
    );
    assert_eq!(from_file.status, 0, "{}", from_file.stderr);
    assert_eq!(
        from_file.stdout,
        "[[\"load\",\"t-1\"],[\"page\"]]\n\
         [[\"track\",\"Checkout\",{\"order_id\":\"o-1\",\"value\":5}]]\n\
         [[\"track\",\"Signup\",{}]]\n"
    );
    let from_stdin = run(
        &["-q", "--init", "--settings", "-", &events.arg()],
        settings,
    );
    assert_eq!(
        (
            from_stdin.status,
            from_stdin.stderr.as_str(),
            from_stdin.stdout.as_str()
        ),
        (0, "", from_file.stdout.as_str())
    );
    let inline = run(&["-q", "--init", "--settings", settings, &events.arg()], "");
    assert_eq!(
        (
            inline.status,
            inline.stderr.as_str(),
            inline.stdout.as_str()
        ),
        (0, "", from_file.stdout.as_str())
    );
    // Warnings and errors name where the settings came from.
    let output = run(&["-q", "--settings", r#"{"Tid":"1"}"#, &events.arg()], "");
    assert!(
        output
            .stderr
            .starts_with("pinterest-map: warning: --settings: unknown key `Tid`"),
        "{}",
        output.stderr
    );
    let output = run(&["-q", "--settings", "-", &events.arg()], r#"{"tid":true}"#);
    assert_eq!(
        (output.status, output.stderr.as_str()),
        (
            2,
            "pinterest-map: --settings -: `tid` must be a string, found a boolean\n"
        )
    );
    let output = run(&["-q", "--settings", r#"{"tid":"#, &events.arg()], "");
    assert_eq!(
        (output.status, output.stderr.as_str()),
        (
            2,
            "pinterest-map: --settings is not valid JSON: expected a value at column 8, found the end of the text\n"
        )
    );
}

#[test]
fn standard_input_serves_one_purpose() {
    for (args, message) in [
        (
            &["--settings", "-"][..],
            "pinterest-map: --settings - reads standard input: name the INPUT files to map\n",
        ),
        (
            &["--settings", "-", "-"][..],
            "pinterest-map: --settings - reads standard input: name the INPUT files to map\n",
        ),
        (
            &["--init", "--traits", "-"][..],
            "pinterest-map: --traits - reads standard input: name the INPUT files to map\n",
        ),
        (
            &[
                "--init",
                "--traits",
                "-",
                "--settings",
                "-",
                "events.ndjson",
            ][..],
            "pinterest-map: --settings and --traits cannot both be read from standard input\n",
        ),
    ] {
        let output = run(args, "{}");
        assert_eq!(
            (
                output.status,
                output.stdout.as_str(),
                output.stderr.as_str()
            ),
            (2, "", message),
            "{args:?}"
        );
    }
    let events = TempFile::new(".ndjson", b"");
    let output = run(
        &["-q", "--init", "--traits", "-", &events.arg()],
        r#"{"email":"jane@example.com"}"#,
    );
    assert_eq!(output.status, 0, "{}", output.stderr);
    assert_eq!(
        output.stdout, "[[\"load\",\"2620795819800\"],[\"page\"]]\n",
        "the example settings do not use enhanced match"
    );
}

#[test]
fn a_multi_line_file_is_reported_by_line_and_column_with_what_was_found() {
    let settings = TempFile::new(
        ".json",
        b"{\n  \"tid\": \"2620795819800\",\n  \"pinterestCustomProperties\": [\"plan\",]\n}\n",
    );
    let output = run(&["--settings", &settings.arg()], ORDER);
    assert_eq!(
        (output.status, output.stderr),
        (
            2,
            format!(
                "pinterest-map: {}: settings are not valid JSON: expected a value at line 3, \
                 column 40, found `]`\n",
                settings.arg()
            )
        )
    );
    let traits = TempFile::new(".json", b"{\n  \"email\": 'a@b.c'\n}\n");
    let output = run(
        &[
            "--settings",
            r#"{"tid":"1"}"#,
            "--init",
            "--traits",
            &traits.arg(),
        ],
        "",
    );
    assert_eq!(
        (output.status, output.stderr),
        (
            2,
            "pinterest-map: the --traits file is not valid JSON: expected a value at line 2, \
             column 12, found `'` (JSON strings take double quotes)\n"
                .to_owned()
        )
    );
}
