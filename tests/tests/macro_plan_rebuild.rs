//! A table's tracking plan is a file the crate depends on: Cargo rebuilds the crate when the
//! plan changes, and only then. A crate of its own, built with Cargo as a user builds it (in a
//! target directory of its own under this workspace's, kept between runs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

const PLAN: &str = r#"{"Order Completed": {"properties": {"total": {"type": "number"}}}}"#;

const TABLE: &str = r#"
pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "plan.json")]
    mod shop {
        events { "Order Completed" => Checkout }
        properties { "total" => value }
    }
}

fn main() {
    let _ = shop::event("Order Completed");
}
"#;

/// Builds the crate in `directory`; its output, and whether Cargo compiled the crate itself.
fn build(directory: &Path) -> (Output, bool) {
    let target = Path::new(WORKSPACE).join("target/plan-rebuild");
    let output = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args(["build", "--offline", "--color", "never"])
        .current_dir(directory)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let compiled = stderr.contains("Compiling planned-table");
    (output, compiled)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A crate holding a planned table, depending on this workspace's `pinterest-mapping`, with
/// the workspace's lock file so that it builds offline with the same dependencies.
fn planned_crate() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let root = directory.path().to_owned();
    let mapping = Path::new(WORKSPACE).join("pinterest-mapping");
    let manifest = format!(
        "[package]\nname = \"planned-table\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\npinterest-mapping = {{ path = {:?} }}\n\n[workspace]\n",
        mapping.to_str().expect("a UTF-8 path")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).expect("the manifest");
    std::fs::copy(
        Path::new(WORKSPACE).join("Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .expect("the lock file");
    std::fs::create_dir(root.join("src")).expect("src");
    std::fs::write(root.join("src/main.rs"), TABLE).expect("main.rs");
    std::fs::write(root.join("plan.json"), PLAN).expect("the plan");
    (directory, root)
}

#[test]
fn editing_the_plan_rebuilds_the_table_and_nothing_else_does() {
    let (_directory, root) = planned_crate();
    let (output, _) = build(&root);
    assert!(output.status.success(), "{}", stderr(&output));

    let (output, compiled) = build(&root);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!compiled, "nothing changed, yet:\n{}", stderr(&output));

    // A planned event the table does not map: rebuilt, and warned of.
    std::fs::write(
        root.join("plan.json"),
        r#"{"Order Completed": {"properties": {"total": {"type": "number"}}}, "Signed Up": {}}"#,
    )
    .expect("the plan");
    let (output, compiled) = build(&root);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(compiled, "the plan changed, yet:\n{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "A planned event is mapped by no row of `events` and sent to Pinterest as a partner-defined event, which conversion tracking does not count: \"Signed Up\""
        ),
        "{}",
        stderr(&output)
    );

    // A plan that types `total` as a string: the binding to `value` no longer compiles.
    std::fs::write(
        root.join("plan.json"),
        r#"{"Order Completed": {"properties": {"total": {"type": "string"}}}}"#,
    )
    .expect("the plan");
    let (output, _) = build(&root);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(
            "Segment property \"total\" is a string in the tracking plan `plan.json`, but `value` takes a number"
        ),
        "{}",
        stderr(&output)
    );
}
