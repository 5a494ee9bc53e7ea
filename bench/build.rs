//! Writes the large tables as `pinterest_mapping!` invocations for the scaling benchmarks.

#[path = "src/tables.rs"]
mod tables;

fn main() {
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let source = format!(
        "pinterest_mapping::pinterest_mapping! {{\n    {}\n}}\n\npinterest_mapping::pinterest_mapping! {{\n    {}\n}}\n",
        tables::large_events_table(),
        tables::large_properties_table()
    );
    std::fs::write(
        std::path::Path::new(&out_dir).join("large_tables.rs"),
        source,
    )
    .expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=src/tables.rs");
    println!("cargo::rerun-if-changed=../pinterest-mapping/src/table/spec_table.rs");
}
