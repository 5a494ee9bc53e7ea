//! Source text of the large tables the scaling benchmarks compile: shared by the build script,
//! which feeds them to the macro, and by the expansion-time benchmark.

/// Segment's spec table, as the library declares it: the large tables begin with its rows.
const SPEC_TABLE: &str = include_str!("../../pinterest-mapping/src/table/spec_table.rs");

/// The rows of the spec table's section that opens with `opening` (`events {`), as written,
/// each on its own line.
fn spec_rows(opening: &str) -> &'static str {
    let start = SPEC_TABLE
        .find(opening)
        .unwrap_or_else(|| panic!("the spec table has a section `{opening}`"))
        + opening.len();
    let end = start
        + SPEC_TABLE[start..]
            .find("\n        }")
            .expect("the section closes");
    &SPEC_TABLE[start..end]
}

/// The spec table's products section, whole.
fn spec_products() -> String {
    let opening = "products => line_items {";
    format!("\n        {opening}{}\n        }}", spec_rows(opening))
}

/// The number of rows in the spec table's section that opens with `opening`.
fn spec_row_count(opening: &str) -> usize {
    spec_rows(opening).matches("=>").count()
}

/// Events in the large table.
pub const LARGE_EVENT_COUNT: usize = 1_000;
/// Properties in the large table.
pub const LARGE_PROPERTY_COUNT: usize = 200;

/// A table of [`LARGE_EVENT_COUNT`] events: the spec's, then `Feature 3 Viewed`-like names.
pub fn large_events_table() -> String {
    events_table("large_events", LARGE_EVENT_COUNT)
}

/// A table `module` of `count` events (at least the spec's): the spec's, then
/// `Feature 3 Viewed`-like names, each distinct under Segment's alias rule.
pub fn events_table(module: &str, count: usize) -> String {
    const OBJECTS: [&str; 10] = [
        "Feature",
        "Report",
        "Invoice",
        "Dashboard",
        "Widget",
        "Campaign",
        "Voucher",
        "Plan",
        "Workspace",
        "Project",
    ];
    const ACTIONS: [&str; 10] = [
        "Viewed", "Created", "Updated", "Deleted", "Shared", "Exported", "Archived", "Restored",
        "Opened", "Closed",
    ];
    const TARGETS: [&str; 5] = [
        "Lead",
        "Signup",
        "Custom",
        "\"FeatureUsed\"",
        "\"ReportEvent\"",
    ];
    let mut rows = String::from(spec_rows("events {"));
    let names = (1..).flat_map(|number| {
        OBJECTS.iter().flat_map(move |object| {
            ACTIONS
                .iter()
                .map(move |action| format!("{object} {number} {action}"))
        })
    });
    for (index, name) in names
        .take(count.saturating_sub(spec_row_count("events {")))
        .enumerate()
    {
        rows.push_str(&format!(
            "\n            \"{name}\" => {},",
            TARGETS[index % TARGETS.len()]
        ));
    }
    format!(
        "/// {count} events.\n    pub mod {module} {{\n        events {{{rows}\n        }}{}\n    }}",
        spec_products()
    )
}

/// A table of [`LARGE_PROPERTY_COUNT`] properties: the spec's, then custom keys.
pub fn large_properties_table() -> String {
    let mut rows = String::from(spec_rows("properties {"));
    for index in 0..LARGE_PROPERTY_COUNT - spec_row_count("properties {") {
        rows.push_str(&format!(
            "\n            \"attribute_{index}\" => \"attribute_{index}\","
        ));
    }
    format!(
        "/// {LARGE_PROPERTY_COUNT} properties.\n    pub mod large_properties {{\n        properties {{{rows}\n        }}{}\n    }}",
        spec_products()
    )
}
