//! `pinterest-map`: Segment NDJSON in, Pinterest Tag calls out, with Segment's own table. See
//! `pinterest-map --help`.

fn main() -> std::process::ExitCode {
    mapping_core::cli::main(mapping_core::spec::Table)
}
