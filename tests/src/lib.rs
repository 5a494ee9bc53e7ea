//! Helpers shared by the cross-crate test suites: the reference vectors (and this project's
//! own, in the same format), running one through the library, and two user tables.

/// A command running the executable under test, `pinterest-map` or `pinterest-kafka` (the
/// test crate's own build of its `main.rs`), with `argv[0]` the name it is installed under,
/// which its messages bear. Only in an integration test of this crate, where Cargo names it.
#[macro_export]
macro_rules! executable {
    ($name:literal) => {{
        #[allow(unused_mut)]
        let mut command =
            ::std::process::Command::new(env!(concat!("CARGO_BIN_EXE_", $name, "-under-test")));
        #[cfg(unix)]
        ::std::os::unix::process::CommandExt::arg0(&mut command, $name);
        command
    }};
}

/// The path of the executable under test `pinterest-map` or `pinterest-kafka`, for a shell
/// to run it (`exec -a pinterest-map "$0"` in bash).
#[macro_export]
macro_rules! executable_path {
    ($name:literal) => {
        env!(concat!("CARGO_BIN_EXE_", $name, "-under-test"))
    };
}

pub mod catalogue;
pub mod conversion_vectors;
pub mod user_tables;

use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use pinterest_mapping::{Destination, Json, JsonValue, Mapping, PintrkCall, Settings};
use serde_json::Value;

/// One worked example: settings and an input in, the `pintrk` argument lists out.
pub struct Vector {
    /// What it shows.
    pub name: String,
    /// The table it runs with: `spec` unless it names another.
    pub table: String,
    /// The destination settings JSON text.
    pub settings: String,
    /// The message JSON text, keys in their original order; for the destination's start-up,
    /// `None`.
    pub message: Option<String>,
    /// For the start-up: the stored user traits JSON text.
    pub user_traits: String,
    /// The expected calls.
    pub expected: Value,
}

/// The repository: the parent of every member crate, whichever includes this file.
pub fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The reference examples of Segment's behaviour, `tests/vectors/reference.json`.
pub fn reference_vectors() -> Vec<Vector> {
    read_vectors(&workspace_dir().join("tests/vectors/reference.json"))
}

/// This project's vectors, one or more per rule of the reference behaviour.
pub fn behavior_vectors() -> Vec<Vector> {
    read_vectors(&workspace_dir().join("tests/vectors/behavior.json"))
}

/// The reference vectors, then this project's.
pub fn all_vectors() -> Vec<Vector> {
    reference_vectors()
        .into_iter()
        .chain(behavior_vectors())
        .collect()
}

/// Fails with every differing vector listed.
pub fn assert_all_pass(failed: &[String], total: usize) {
    assert!(
        failed.is_empty(),
        "{} of {total} vectors differ:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Reads a vector file with the crate's own JSON type, so that inputs keep their key order
/// (the first matching key wins, so order matters) and their numbers as written.
pub fn read_vectors(path: &Path) -> Vec<Vector> {
    let fail = |error: &dyn std::fmt::Display| -> ! { panic!("{}: {error}", path.display()) };
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| fail(&error));
    let vectors = Json::parse(&text).unwrap_or_else(|error| fail(&error));
    let mut read = Vec::new();
    let is_array = vectors.for_each_element(|vector| {
        let input = vector.get("input");
        let is_initialize = input
            .and_then(|input| input.get("type"))
            .and_then(Json::to_str)
            .as_deref()
            == Some("initialize");
        let text = |json: Option<Json>| json.map_or_else(|| "null".to_owned(), compact);
        let string = |key: &str| vector.get(key).and_then(Json::to_str).map(Cow::into_owned);
        read.push(Vector {
            name: string("name").unwrap_or_default(),
            table: string("table").unwrap_or_else(|| "spec".to_owned()),
            settings: text(vector.get("settings")),
            message: (!is_initialize).then(|| text(input)),
            user_traits: text(input.and_then(|input| input.get("userTraits"))),
            expected: serde_json::from_str(&text(vector.get("expected")))
                .unwrap_or_else(|error| fail(&error)),
        });
    });
    if !is_array {
        fail(&"not an array");
    }
    read
}

/// JSON text on one line: the whitespace between tokens removed, everything else kept.
pub fn compact(json: Json) -> String {
    let mut compact = String::with_capacity(json.text().len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.text().chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        compact.push(c);
    }
    compact
}

/// The calls the library produces for a vector with Segment's table, as JSON.
pub fn library_calls(vector: &Vector) -> Value {
    library_calls_with(pinterest_mapping::spec::Table, vector)
}

/// The calls the library produces for a vector with `table`, as JSON.
pub fn library_calls_with<M: Mapping>(table: M, vector: &Vector) -> Value {
    let settings =
        Settings::from_json(&vector.settings).unwrap_or_else(|error| panic!("settings: {error}"));
    let destination = Destination::with_table(table, settings);
    match &vector.message {
        None => {
            let traits = Json::parse(&vector.user_traits)
                .unwrap_or_else(|error| panic!("userTraits: {error}"));
            to_json(&destination.initialize(Some(traits)))
        }
        Some(text) => {
            let mut converted = String::new();
            let message = destination
                .prepare(text, &mut converted)
                .unwrap_or_else(|error| panic!("message: {error}"));
            let calls: Vec<PintrkCall> = destination.map(&message).into_iter().collect();
            to_json(&calls)
        }
    }
}

/// The calls as JSON. Serialized both with serde and with the calls' own writer, which the
/// tool uses: the two must agree byte for byte.
fn to_json(calls: &[PintrkCall]) -> Value {
    let with_serde = serde_json::to_string(calls)
        .unwrap_or_else(|error| panic!("calls do not serialize: {error}"));
    let mut written = Vec::new();
    pinterest_mapping::ndjson::write_calls(
        pinterest_mapping::ndjson::OutputFormat::Json,
        calls,
        &mut written,
    )
    .expect("a Vec takes every write");
    assert_eq!(
        format!("{with_serde}\n").as_bytes(),
        written,
        "serde and the writer disagree"
    );
    serde_json::from_str(&with_serde).unwrap_or_else(|error| panic!("{error}"))
}

/// Runs each vector through `produce` and lists those whose calls differ.
pub fn failures(vectors: &[Vector], produce: impl Fn(&Vector) -> Value) -> Vec<String> {
    vectors
        .iter()
        .filter_map(|vector| {
            let actual = produce(vector);
            (!same_json(&actual, &vector.expected)).then(|| {
                format!(
                    "{}\n  expected: {}\n  actual:   {actual}",
                    vector.name, vector.expected
                )
            })
        })
        .collect()
}

/// JSON equality with numbers compared by value (`1` equals `1.0`), as the vectors specify,
/// and object keys compared in order: key order is part of the output.
pub fn same_json(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| same_json(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|((left_key, left), (right_key, right))| {
                        left_key == right_key && same_json(left, right)
                    })
        }
        _ => left == right,
    }
}

/// A file in the system's temporary directory (made with `tempfile`), removed when dropped.
pub struct TempFile(tempfile::NamedTempFile);

impl TempFile {
    /// Writes `contents` to a new file whose name ends with `suffix`.
    pub fn new(suffix: &str, contents: &[u8]) -> TempFile {
        use std::io::Write as _;
        let mut file = tempfile::Builder::new()
            .prefix("pinterest-map-test-")
            .suffix(suffix)
            .tempfile()
            .expect("a temporary file");
        file.write_all(contents)
            .and_then(|()| file.flush())
            .unwrap_or_else(|error| panic!("{}: {error}", file.path().display()));
        TempFile(file)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// The file's path, as an argument.
    pub fn arg(&self) -> String {
        self.path().display().to_string()
    }
}

/// Runs `command` (an executable under test, from [`executable!`]) to its end with `stdin`
/// as its standard input, written from another thread so that a large input cannot deadlock
/// against a full output pipe: its status and what it printed. Every test that runs an
/// executable to its end does it through this.
pub fn run_command(mut command: std::process::Command, stdin: &[u8]) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{command:?} starts: {error}"));
    let mut child_stdin = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = child_stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("the executable runs");
    writer.join().expect("the writer thread ends");
    Output {
        status: output
            .status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .expect("an exit status"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// What one run of an executable or of the tool in process printed.
#[derive(Debug)]
pub struct Output {
    /// The exit status.
    pub status: u8,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Standard output's lines, each parsed as JSON.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|error| panic!("output line {line:?}: {error}"))
            })
            .collect()
    }
}

/// Runs a table's tool in process through `pinterest_map::run`, started as `program`,
/// with these arguments and standard input; standard error is not a terminal.
pub fn run_tool<M: Mapping>(table: M, program: &str, args: &[String], stdin: &[u8]) -> Output {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let args = std::iter::once(OsString::from(program)).chain(args.iter().map(OsString::from));
    let status = pinterest_map::run(
        table,
        args,
        pinterest_map::Streams {
            stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            progress: false,
        },
    )
    .code();
    Output {
        status,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Runs every vector through a `pinterest-map` runner, batching the messages that share
/// settings into one run, and lists those whose calls differ.
pub fn cli_failures(vectors: &[Vector], run: impl Fn(&[String], &[u8]) -> Output) -> Vec<String> {
    let mut failed = Vec::new();
    let mut batches: Vec<(&str, Vec<&Vector>)> = Vec::new();
    for vector in vectors {
        if vector.message.is_none() {
            let settings = TempFile::new(".json", vector.settings.as_bytes());
            let args = [
                "--quiet".to_owned(),
                "--settings".to_owned(),
                settings.arg(),
                "--init".to_owned(),
                "--traits".to_owned(),
                vector.user_traits.clone(),
            ];
            let output = run(&args, b"");
            let warnings = settings_warnings(&vector.settings, &settings.arg());
            check_run(
                &output,
                &warnings,
                std::slice::from_ref(&vector),
                &mut failed,
            );
            continue;
        }
        match batches
            .iter_mut()
            .find(|(settings, _)| *settings == vector.settings)
        {
            Some((_, batch)) => batch.push(vector),
            None => batches.push((&vector.settings, vec![vector])),
        }
    }
    for (settings_text, batch) in batches {
        let settings = TempFile::new(".json", settings_text.as_bytes());
        let stdin: String = batch
            .iter()
            .filter_map(|vector| vector.message.as_deref())
            .flat_map(|message| [message, "\n"])
            .collect();
        let output = run(
            &[
                "--quiet".to_owned(),
                "--settings".to_owned(),
                settings.arg(),
            ],
            stdin.as_bytes(),
        );
        let warnings = settings_warnings(settings_text, &settings.arg());
        check_run(&output, &warnings, &batch, &mut failed);
    }
    failed
}

/// What a table's tool warns about the settings `text` in the file `path`: the library's
/// warnings, one line each, after the program's name.
pub fn settings_warnings(text: &str, path: &str) -> String {
    let (_, warnings) =
        Settings::from_json_with_warnings(text).expect("a vector's settings are valid");
    warnings
        .iter()
        .map(|warning| format!("warning: {path}: {warning}\n"))
        .collect()
}

/// Standard error without the program's name before each line.
pub fn without_program(stderr: &str) -> String {
    stderr
        .lines()
        .map(|line| format!("{}\n", line.split_once(": ").map_or(line, |(_, rest)| rest)))
        .collect()
}

fn check_run(output: &Output, warnings: &str, vectors: &[&Vector], failed: &mut Vec<String>) {
    if output.status != 0 || without_program(&output.stderr) != warnings {
        failed.push(format!(
            "{}: status {}, stderr {:?}",
            vectors[0].name, output.status, output.stderr
        ));
        return;
    }
    let expected: Vec<(&str, &Value)> = vectors
        .iter()
        .map(|vector| (vector.name.as_str(), &vector.expected))
        .collect();
    compare_lines(output, &expected, failed);
}

/// Compares a run's output lines, each parsed as JSON, with what each input should give (its
/// name, and the expected JSON), and lists those that differ.
pub fn compare_lines(output: &Output, expected: &[(&str, &Value)], failed: &mut Vec<String>) {
    let lines = output.json_lines();
    if lines.len() != expected.len() {
        failed.push(format!(
            "{}…: {} output lines for {} inputs",
            expected.first().map_or("", |(name, _)| name),
            lines.len(),
            expected.len()
        ));
        return;
    }
    for ((name, expected), actual) in expected.iter().zip(&lines) {
        if !same_json(actual, expected) {
            failed.push(format!(
                "{name}\n  expected: {expected}\n  actual:   {actual}"
            ));
        }
    }
}

/// JavaScript arguments as JSON: the computed keys of the JavaScript output (`["__proto__"]:`,
/// written so that the key makes a property) as plain keys. A `[` that opens a string followed
/// by `]` and `:` is nothing else in valid JSON, so the rewrite is exact.
pub fn uncomputed(arguments: &str) -> String {
    let bytes = arguments.as_bytes();
    let mut out = String::with_capacity(arguments.len());
    let mut index = 0;
    let mut in_string = false;
    while index < bytes.len() {
        let byte = bytes[index];
        if in_string {
            match byte {
                b'\\' => {
                    out.push_str(&arguments[index..index + 2]);
                    index += 2;
                    continue;
                }
                b'"' => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if byte == b'[' && bytes.get(index + 1) == Some(&b'"') {
            let end = string_end(bytes, index + 1);
            let after = arguments[end + 1..].strip_prefix(']');
            if after.is_some_and(|after| after.trim_start().starts_with(':')) {
                out.push_str(&arguments[index + 1..=end]);
                index = end + 2;
                continue;
            }
        }
        let width = arguments[index..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&arguments[index..index + width]);
        index += width;
    }
    out
}

/// Where the string opened at `open` closes.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut index = open + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'"' => return index,
            _ => index += 1,
        }
    }
    bytes.len() - 1
}

/// `GET path` on 127.0.0.1:`port` over HTTP/1.0: the status and the body; `None` while
/// nothing listens there.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn computed_keys_become_plain_keys() {
        assert_eq!(
            super::uncomputed(
                r#""a", {["__proto__"]:{"b":["c"],["__pro\u0074o__"] :1}, "d":"[\"x\"]:"}"#
            ),
            r#""a", {"__proto__":{"b":["c"],"__pro\u0074o__" :1}, "d":"[\"x\"]:"}"#
        );
    }
}
