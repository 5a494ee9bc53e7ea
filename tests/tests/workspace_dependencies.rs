//! What each layer compiles: the library builds neither a command line nor (without `send`)
//! an HTTP client, and the tool builds its HTTP client only with `send`. Read from
//! `cargo tree` on the workspace's lock file.

use std::process::Command;

/// The packages `package` depends on (normal dependencies, build-time ones included), with
/// these features.
fn tree(package: &str, features: &[&str]) -> Vec<String> {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--locked", "--offline", "--edges", "normal,build"])
        .args(["--prefix", "none", "--format", "{p}", "--package", package]);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut names: Vec<String> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The crates of a command line and of an HTTP client (in order of name).
const COMMAND_LINE: [&str; 5] = ["clap", "indicatif", "flate2", "signal-hook", "same-file"];
const HTTP_CLIENT: [&str; 3] = ["ring", "rustls", "ureq"];

fn lacking(names: &[String], crates: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter(|name| crates.contains(&name.as_str()))
        .cloned()
        .collect()
}

#[test]
fn the_library_builds_no_command_line_and_no_http_client_unless_it_sends() {
    let plain = tree("pinterest-mapping", &[]);
    assert!(
        plain.iter().any(|name| name == "pinterest-mapping-macros"),
        "{plain:?}"
    );
    assert_eq!(lacking(&plain, &COMMAND_LINE), Vec::<String>::new());
    assert_eq!(lacking(&plain, &HTTP_CLIENT), Vec::<String>::new());

    let sending = tree("pinterest-mapping", &["send"]);
    assert_eq!(lacking(&sending, &COMMAND_LINE), Vec::<String>::new());
    assert_eq!(
        lacking(&sending, &HTTP_CLIENT),
        HTTP_CLIENT.map(str::to_owned).to_vec()
    );
}

#[test]
fn the_tool_builds_its_http_client_only_with_send() {
    let tool = tree("pinterest-map", &[]);
    assert!(tool.iter().any(|name| name == "clap"), "{tool:?}");
    assert_eq!(lacking(&tool, &HTTP_CLIENT), Vec::<String>::new());
    let sending = tree("pinterest-map", &["send"]);
    assert_eq!(
        lacking(&sending, &HTTP_CLIENT),
        HTTP_CLIENT.map(str::to_owned).to_vec()
    );
}

#[test]
fn the_shared_front_end_layer_draws_no_rendering_or_decompression() {
    let shared = tree("pinterest-cli", &[]);
    assert_eq!(
        lacking(&shared, &["indicatif", "flate2", "same-file", "rdkafka"]),
        Vec::<String>::new()
    );
    assert_eq!(lacking(&shared, &HTTP_CLIENT), Vec::<String>::new());
}
