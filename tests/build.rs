//! Writes `long_names.rs`: a table whose event name and property are 300 KB long, more than
//! a small thread's whole stack. Too large to keep in the repository as source.

use std::path::PathBuf;

/// The length of the long names.
const LONG: usize = 300 * 1024;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("Cargo sets OUT_DIR"));
    let event = "Long ".repeat(LONG / 5);
    let property = "p".repeat(LONG);
    let source = format!(
        "pinterest_mapping::pinterest_mapping! {{
    /// A table with names longer than a small thread's stack.
    pub mod long_names {{
        events {{
            \"{event}\" => Lead,
            \"Order Completed\" => Checkout,
        }}
        properties {{
            \"{property}\" => value,
            \"total\" => value,
        }}
        products => line_items {{
            \"{property}\" => product_id,
        }}
    }}
}}

/// The long event name.
pub const LONG_EVENT_LEN: usize = {};
",
        event.len()
    );
    std::fs::write(out.join("long_names.rs"), source).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}
