//! `pinterest-kafka`: Segment's table, as a Kafka stream worker.

fn main() -> std::process::ExitCode {
    pinterest_kafka::main(pinterest_mapping::spec::Table)
}
