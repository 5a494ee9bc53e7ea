//! `pinterest-map`: Segment NDJSON in, Pinterest Tag calls out, with Segment's own table. See
//! `pinterest-map --help`.

fn main() -> std::process::ExitCode {
    pinterest_map::main(pinterest_mapping::spec::Table)
}
