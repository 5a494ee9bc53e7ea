//! The benchmark targets, in one run: `cargo run --profile dist -p mapping-bench` (the
//! distribution profile: one code unit and fat LTO, as the executables it measures).
//!
//! 1. Throughput of the mapper against two floors measured in the same run: parsing every
//!    line into `IgnoredAny` (validate), and into `serde_json::Value` and back (round trip).
//! 2. `pinterest-map` end to end, file to `/dev/null`, against the in-process mapper.
//! 3. Table scaling: a 1,000-event and a 200-property table against the spec table.
//! 4. Peak resident memory of `pinterest-map` on 200,000 events against 10,000, as its
//!    summary reports it.
//! 5. Compile-time cost: a clean build of `pinterest-mapping-macros`, the expansion of the 1,000-event
//!    table, and rustc on crates of a 10,000- and a 50,000-event table (linear growth).
//! 6. Settings and messages at scale: 100,000 event mappings, 100,000 custom properties
//!    against as many properties, a 100,000-segment path in a message nested as deep, each
//!    against a tenth of the size (linear work takes ten times as long, quadratic a hundred).
//! 7. The Conversions API output (hashing included) against the Tag output, in process.
//! 8. `pinterest-map --send` to a local server that answers at once against `--format capi`
//!    to `/dev/null`, best of 7 whole runs each, interleaved.
//! 9. `pinterest-map --threads 2` against `--threads 1`, and every available core where
//!    there are more than two.
//! 10. `pinterest-kafka` against a consume-and-produce passthrough on the same client and
//!     broker (Tansu), directly and over TLS; one worker with `--metrics` against one without;
//!     and two workers against one.
//! 11. The library's writers against `serde_json` writing the same bytes through the types'
//!     `Serialize` (a measure, no target).
//!
//! Ratios are computed within the run, between measures taken the same way: for the
//! throughput and table figures, the sum over chunks of 2,000 items of the best of 11
//! interleaved rounds (so that a shared machine's other load stays out of the ratios); for
//! end to end, the best of 21 whole runs of the executable against the best of 21 whole passes
//! in process, interleaved. Prints a Markdown report and exits with status 1 when a target is missed.

mod conversions;
mod kafka;
mod scale;
mod serialization;
mod tables;
mod threads;

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pinterest_mapping::ndjson::{self, OutputFormat};

use pinterest_mapping::{Destination, Message, Settings, spec};

// The large tables, compiled by the macro from `tables.rs` by the build script.
include!(concat!(env!("OUT_DIR"), "/large_tables.rs"));

const SEED: u32 = 7;
const EVENTS: usize = 200_000;
const SMALL_EVENTS: usize = 10_000;
const ROUNDS: usize = 11;
/// Rounds of the end-to-end comparison: whole runs cannot be cut into short chunks, so they
/// need more rounds for the best of each to be an undisturbed one.
const WHOLE_RUN_ROUNDS: usize = 21;

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let events = if quick { 20_000 } else { EVENTS };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut report = Report::default();
    let _ = writeln!(report.text, "{}", machine());

    let workload = workload(&root, events);
    let text = std::fs::read_to_string(&workload).unwrap_or_else(|error| fail(&workload, &error));
    let lines: Vec<&str> = text.lines().collect();
    let bytes = text.len();

    // `--only N`: one section, for iterating on it.
    let only: Option<u32> = std::env::args()
        .skip_while(|arg| arg != "--only")
        .nth(1)
        .and_then(|number| number.parse().ok());
    let wanted = |section: u32| only.is_none_or(|only| only == section);
    if wanted(1) {
        throughput(&mut report, &lines, bytes);
    }
    if wanted(2) {
        end_to_end(&mut report, &root, &workload, &lines, events);
    }
    if wanted(3) {
        table_scaling(&mut report, &lines);
    }
    if wanted(4) {
        let small = self::workload(&root, SMALL_EVENTS);
        memory(&mut report, &root, &workload, &small, events);
    }
    if wanted(5) {
        compile_time(&mut report, &root, quick);
    }
    if wanted(6) {
        scale::settings_and_paths(&mut report);
    }
    if wanted(7) {
        conversions::throughput(&mut report, &lines);
    }
    if wanted(8) {
        conversions::sending(&mut report, &release_binary(&root), &workload, events);
    }
    if wanted(9) {
        threads::scaling(&mut report, &release_binary(&root), &workload, events);
    }
    if wanted(10) {
        kafka::throughput(&mut report, &release_worker(&root), &lines);
    }
    if wanted(11) {
        serialization::writers(&mut report, &lines);
    }

    print!("{}", report.text);
    if report.missed > 0 {
        eprintln!("{} target(s) missed", report.missed);
        std::process::exit(1);
    }
}

#[derive(Default)]
struct Report {
    text: String,
    missed: usize,
}

impl Report {
    fn section(&mut self, title: &str) {
        let _ = write!(
            self.text,
            "\n## {title}\n\n| measure | figure |\n|---|---|\n"
        );
    }

    fn row(&mut self, measure: &str, figure: impl std::fmt::Display) {
        let _ = writeln!(self.text, "| {measure} | {figure} |");
    }

    fn target(&mut self, name: &str, value: f64, comparison: &str, bound: f64) {
        let met = match comparison {
            "≥" => value >= bound,
            _ => value <= bound,
        };
        if !met {
            self.missed += 1;
        }
        let verdict = if met { "met" } else { "**MISSED**" };
        self.row(
            &format!("target: {name} {comparison} {bound}"),
            format!("{value:.2}, {verdict}"),
        );
    }
}

fn fail(path: &Path, error: &dyn std::fmt::Display) -> ! {
    eprintln!("{}: {error}", path.display());
    std::process::exit(2);
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "# Benchmark run\n\nMachine: {cpu}, {cores} cores available; {rustc}; one thread where a section names no other."
    )
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the directory the
/// benchmark runs in, as Cargo reads it), else the workspace's `target/`. The benchmark's data
/// goes there too, never into the repository's files.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(directory) if !directory.is_empty() => {
            let directory = PathBuf::from(directory);
            if directory.is_absolute() {
                directory
            } else {
                std::env::current_dir()
                    .unwrap_or_else(|error| fail(&directory, &error))
                    .join(directory)
            }
        }
        _ => root.join("target"),
    }
}

/// The workload file of `gen_events.py N SEED`, generated once under the target directory's
/// `bench/`.
fn workload(root: &Path, events: usize) -> PathBuf {
    let directory = target_dir(root).join("bench");
    let path = directory.join(format!("events-{events}-{SEED}.ndjson"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&directory).unwrap_or_else(|error| fail(&directory, &error));
    let script = root.join("bench/gen_events.py");
    let file = std::fs::File::create(&path).unwrap_or_else(|error| fail(&path, &error));
    let status = Command::new("python3")
        .arg(&script)
        .args([events.to_string(), SEED.to_string()])
        .stdout(file)
        .status()
        .unwrap_or_else(|error| fail(&script, &error));
    if !status.success() {
        let _ = std::fs::remove_file(&path);
        fail(&script, &format!("exited with {status}"));
    }
    path
}

/// The best time of `ROUNDS` rounds of each measure, rounds interleaved.
fn best_of<const N: usize>(mut measures: [&mut dyn FnMut(); N]) -> [Duration; N] {
    let mut best = [Duration::MAX; N];
    for _ in 0..ROUNDS {
        for (measure, best) in measures.iter_mut().zip(&mut best) {
            let started = Instant::now();
            measure();
            *best = (*best).min(started.elapsed());
        }
    }
    best
}

/// A measure over a chunk of items.
type Measure<'m, T> = dyn FnMut(&[T]) + 'm;

/// Lines per chunk of [`best_by_chunk`]: a few milliseconds of work, short enough for
/// some of the rounds to run undisturbed on a shared machine.
const CHUNK: usize = 2_000;

/// For each chunk of `items`, the best of `ROUNDS` interleaved rounds of each measure; the
/// sum of those bests. Comparing sums of per-chunk bests keeps other tenants' load out of
/// the ratios.
fn best_by_chunk<T, const N: usize>(
    items: &[T],
    mut measures: [&mut Measure<'_, T>; N],
) -> [Duration; N] {
    let mut total = [Duration::ZERO; N];
    for chunk in items.chunks(CHUNK) {
        let mut best = [Duration::MAX; N];
        for _ in 0..ROUNDS {
            for (measure, best) in measures.iter_mut().zip(&mut best) {
                let started = Instant::now();
                measure(chunk);
                *best = (*best).min(started.elapsed());
            }
        }
        for (total, best) in total.iter_mut().zip(best) {
            *total += best;
        }
    }
    total
}

fn per_second(count: usize, time: Duration) -> f64 {
    count as f64 / time.as_secs_f64()
}

/// A reusable output buffer, emptied at the size at which `pinterest-map` flushes its own,
/// so writing costs what it costs the tool.
fn drain(sink: &mut Vec<u8>) {
    if sink.len() >= 64 * 1024 {
        black_box(&sink);
        sink.clear();
    }
}

/// The mapper as `pinterest-map` runs it: each line's calls as one JSON line, into a buffer
/// drained as the tool's is.
fn map_lines(destination: &Destination, lines: &[&str], output: &mut Vec<u8>) {
    for line in lines {
        let _ = black_box(ndjson::map_line(
            destination,
            OutputFormat::Json,
            line,
            output,
        ));
        drain(output);
    }
}

fn benchmark_settings() -> Settings {
    // Segment's example: three user mappings and a custom property.
    Settings::example()
}

fn throughput(report: &mut Report, lines: &[&str], bytes: usize) {
    let destination = Destination::new(benchmark_settings());
    let mut sink = Vec::with_capacity(128 * 1024);
    let mut validate = |lines: &[&str]| {
        for line in lines {
            let _ = black_box(serde_json::from_str::<serde::de::IgnoredAny>(line));
        }
    };
    let mut round_trip = |lines: &[&str]| {
        for line in lines {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
                let _ = serde_json::to_writer(&mut sink, &value);
                sink.push(b'\n');
                drain(&mut sink);
            }
        }
    };
    let mut output = Vec::with_capacity(128 * 1024);
    let mut mapper = |lines: &[&str]| map_lines(&destination, lines, &mut output);
    let [validate, round_trip, mapper] =
        best_by_chunk(lines, [&mut validate, &mut round_trip, &mut mapper]);
    let count = lines.len();
    let (validate, round_trip, mapper) = (
        per_second(count, validate),
        per_second(count, round_trip),
        per_second(count, mapper),
    );
    report.section(&format!(
        "1. Throughput ({count} events, {:.1} MB, `gen_events.py {count} {SEED}`)",
        bytes as f64 / 1e6
    ));
    report.row(
        "validate floor (`IgnoredAny`)",
        format!("{validate:.0} events/s"),
    );
    report.row(
        "round-trip floor (`Value` and back)",
        format!("{round_trip:.0} events/s"),
    );
    report.row(
        "mapper (`ndjson::map_line`, JSON output)",
        format!("{mapper:.0} events/s"),
    );
    report.target("mapper / validate floor", mapper / validate, "≥", 0.5);
    report.target("mapper / round-trip floor", mapper / round_trip, "≥", 2.0);
}

/// The profile the benchmark's executables are built with, as they are distributed: one code
/// unit and fat LTO (run the benchmark itself with it too: `cargo run --profile dist`).
const PROFILE: &str = "dist";

/// Builds `pinterest-map`, with its sender; returns its path.
fn release_binary(root: &Path) -> PathBuf {
    release_build(root, "pinterest-map", &["--features", "send"])
}

/// Builds `pinterest-kafka`; returns its path.
fn release_worker(root: &Path) -> PathBuf {
    release_build(root, "pinterest-kafka", &[])
}

/// Builds the binary of `package` (named as the package) with [`PROFILE`]; returns its path.
fn release_build(root: &Path, package: &str, extra: &[&str]) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "--profile",
            PROFILE,
            "-p",
            package,
            "--bin",
            package,
        ])
        .args(extra)
        .status()
        .unwrap_or_else(|error| fail(root, &error));
    if !status.success() {
        fail(root, &format!("cargo build of {package} failed"));
    }
    let binary = target_dir(root).join(PROFILE).join(package);
    if !binary.is_file() {
        fail(&binary, &"not found after the build");
    }
    binary
}

/// Runs `pinterest-map` on a file on `threads` threads, output to `/dev/null`; returns the
/// time and the peak resident memory in MiB that its summary reports.
fn run_binary(binary: &Path, threads: usize, input: &Path) -> (Duration, f64) {
    let devnull = std::fs::File::create("/dev/null")
        .unwrap_or_else(|error| fail(Path::new("/dev/null"), &error));
    let started = Instant::now();
    let output = Command::new(binary)
        .args(["--threads", &threads.to_string()])
        .arg(input)
        .stdout(devnull)
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|error| fail(binary, &error));
    let elapsed = started.elapsed();
    let summary = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        fail(binary, &format!("exited with {}: {summary}", output.status));
    }
    let peak = summary
        .split("peak memory ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|mib| mib.parse().ok())
        .unwrap_or_else(|| fail(binary, &format!("no peak memory in the summary: {summary}")));
    (elapsed, peak)
}

fn end_to_end(report: &mut Report, root: &Path, workload: &Path, lines: &[&str], events: usize) {
    let binary = release_binary(root);
    let destination = Destination::new(benchmark_settings());
    let mut output = Vec::with_capacity(128 * 1024);
    let mut in_process = Duration::MAX;
    let mut executable = Duration::MAX;
    for _ in 0..WHOLE_RUN_ROUNDS {
        let started = Instant::now();
        map_lines(&destination, lines, &mut output);
        in_process = in_process.min(started.elapsed());
        executable = executable.min(run_binary(&binary, 1, workload).0);
    }
    let (in_process, executable) = (
        per_second(events, in_process),
        per_second(events, executable),
    );
    report.section("2. End to end (`pinterest-map --threads 1 FILE > /dev/null`)");
    report.row(
        "pinterest-map, reading the file",
        format!("{executable:.0} events/s"),
    );
    report.row(
        "the mapper in process, one whole pass over lines in memory",
        format!("{in_process:.0} events/s"),
    );
    report.target(
        "loss to I/O and plumbing",
        1.0 - executable / in_process,
        "≤",
        0.15,
    );
}

fn table_scaling(report: &mut Report, lines: &[&str]) {
    let messages: Vec<Message> = lines
        .iter()
        .filter_map(|line| Message::parse(line).ok())
        .collect();
    let names: Vec<&str> = messages
        .iter()
        .filter_map(|message| match message {
            Message::Track(track) => Some(track.event()),
            _ => None,
        })
        .collect();
    // Parsed into trees first, so that the conversions are measured without the scanning.
    let properties: Vec<serde_json::Value> = messages
        .iter()
        .filter_map(|message| match message {
            Message::Track(track) => Some(
                track
                    .properties()
                    .and_then(|properties| serde_json::from_str(properties.text()).ok())
                    .unwrap_or_default(),
            ),
            _ => None,
        })
        .collect();
    let [spec_lookup, large_lookup] = best_by_chunk(
        &names,
        [
            &mut |names: &[&str]| {
                for name in names {
                    drop(black_box(spec::event(black_box(name))));
                }
            },
            &mut |names: &[&str]| {
                for name in names {
                    drop(black_box(large_events::event(black_box(name))));
                }
            },
        ],
    );
    let [spec_conversion, large_conversion] = best_by_chunk(
        &properties,
        [
            &mut |properties: &[serde_json::Value]| {
                for properties in properties {
                    drop(black_box(spec::event_data(black_box(properties))));
                }
            },
            &mut |properties: &[serde_json::Value]| {
                for properties in properties {
                    drop(black_box(large_properties::event_data(black_box(
                        properties,
                    ))));
                }
            },
        ],
    );
    let nanos = |time: Duration, count: usize| time.as_nanos() as f64 / count as f64;
    report.section(&format!(
        "3. Table scaling ({} track events of the workload)",
        names.len()
    ));
    report.row(
        "`event()`, spec table (5 events)",
        format!("{:.1} ns", nanos(spec_lookup, names.len())),
    );
    report.row(
        &format!("`event()`, {} events", tables::LARGE_EVENT_COUNT),
        format!("{:.1} ns", nanos(large_lookup, names.len())),
    );
    report.row(
        "`event_data()`, spec table (5 properties + 8 product fields)",
        format!("{:.1} ns", nanos(spec_conversion, properties.len())),
    );
    report.row(
        &format!(
            "`event_data()`, {} properties + 8 product fields",
            tables::LARGE_PROPERTY_COUNT
        ),
        format!("{:.1} ns", nanos(large_conversion, properties.len())),
    );
    report.target(
        "large / spec lookup time",
        large_lookup.as_secs_f64() / spec_lookup.as_secs_f64(),
        "≤",
        2.0,
    );
    report.target(
        "large / spec conversion time",
        large_conversion.as_secs_f64() / spec_conversion.as_secs_f64(),
        "≤",
        2.0,
    );
}

fn memory(report: &mut Report, root: &Path, workload: &Path, small: &Path, events: usize) {
    let binary = release_binary(root);
    report.section("4. Peak resident memory of pinterest-map");
    for threads in [1, 2] {
        let (_, small_rss) = run_binary(&binary, threads, small);
        let (_, large_rss) = run_binary(&binary, threads, workload);
        report.row(
            &format!("{SMALL_EVENTS} events, --threads {threads}"),
            format!("{small_rss:.1} MiB"),
        );
        report.row(
            &format!("{events} events, --threads {threads}"),
            format!("{large_rss:.1} MiB"),
        );
        report.target(
            &format!("ratio, --threads {threads}"),
            large_rss / small_rss,
            "≤",
            1.2,
        );
    }
}

/// Event tables of these sizes are compiled by rustc, each against the first.
const COMPILED_TABLES: [usize; 2] = [10_000, 50_000];

/// The time rustc takes for a user crate of one large event table, as a user's debug build
/// compiles it (the macro's expansion included; the dependencies built already), for each of
/// [`COMPILED_TABLES`]: the time should grow with the rows, not with their square.
fn tables_compiled(report: &mut Report, root: &Path) {
    let krate = target_dir(root).join("bench/table-crate");
    let source = krate.join("src");
    std::fs::create_dir_all(&source).unwrap_or_else(|error| fail(&source, &error));
    let manifest = format!(
        "[package]\nname = \"table-crate\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\npinterest-mapping = {{ path = {:?} }}\n\n[workspace]\n",
        root.join("pinterest-mapping")
    );
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).unwrap_or_else(|error| fail(path, &error));
    };
    write(&krate.join("Cargo.toml"), &manifest);
    let library = source.join("lib.rs");
    let build = |table: &str| {
        write(
            &library,
            &format!(
                "//! A benchmark table.\npinterest_mapping::pinterest_mapping! {{\n    {table}\n}}\n"
            ),
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let started = Instant::now();
        let status = Command::new(cargo)
            .current_dir(&krate)
            .args(["build", "--quiet", "--target-dir"])
            .arg(krate.join("target"))
            // A clean compile of the crate, as in a first build or CI.
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .unwrap_or_else(|error| fail(&krate, &error));
        if !status.success() {
            fail(&krate, &"the table crate does not build");
        }
        started.elapsed()
    };
    // The dependencies, once.
    build(&tables::events_table("warm_up", 5));
    let times: Vec<f64> = COMPILED_TABLES
        .iter()
        .map(|count| {
            let seconds = build(&tables::events_table("table", *count)).as_secs_f64();
            report.row(
                &format!("rustc on a crate of a {count}-event table (debug build)"),
                format!("{seconds:.1} s"),
            );
            seconds
        })
        .collect();
    let [small, large] = COMPILED_TABLES;
    #[allow(clippy::cast_precision_loss)] // small counts
    let rows = large as f64 / small as f64;
    report.target(
        &format!("{large} against {small} events (linear: {rows:.0})"),
        times[1] / times[0],
        "≤",
        rows * 1.3,
    );
}

/// Planned events in the plan the large events table is checked against.
const PLAN_EVENT_COUNT: usize = 2_000;

/// A tracking plan of [`PLAN_EVENT_COUNT`] events for `table`, a map of event names to JSON
/// Schemas: the table's events, each defining the spec's properties and product fields, and
/// as many more events as it takes.
fn plan_for(table: &str) -> String {
    let products = serde_json::json!({
        "type": "array",
        "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "product_id": {"type": "string"},
            "sku": {"type": "string"}, "category": {"type": "string"},
            "variant": {"type": "string"}, "price": {"type": "number"},
            "quantity": {"type": "integer"}, "brand": {"type": "string"}
        }}
    });
    let schema = serde_json::json!({"type": "object", "properties": {
        "query": {"type": "string"}, "order_id": {"type": "string"},
        "coupon": {"type": "string"}, "value": {"type": "number"},
        "currency": {"type": "string"}, "products": products
    }});
    let events = table
        .split_once("events {")
        .and_then(|(_, rest)| rest.split_once('}'))
        .map_or("", |(rows, _)| rows);
    let mut plan = serde_json::Map::new();
    for name in events
        .lines()
        .filter_map(|line| line.trim().strip_prefix('"')?.split_once("\" =>"))
        .map(|(name, _)| name.to_owned())
        .chain((1..).map(|number| format!("Planned Event {number}")))
        .take(PLAN_EVENT_COUNT)
    {
        plan.insert(name, schema.clone());
    }
    serde_json::Value::Object(plan).to_string()
}

fn compile_time(report: &mut Report, root: &Path, quick: bool) {
    report.section("5. Compile-time cost");
    for (name, table) in [
        (
            format!("{}-event", tables::LARGE_EVENT_COUNT),
            tables::large_events_table(),
        ),
        (
            format!("{}-property", tables::LARGE_PROPERTY_COUNT),
            tables::large_properties_table(),
        ),
    ] {
        let tokens: proc_macro2::TokenStream = table
            .parse()
            .unwrap_or_else(|error| fail(Path::new(&name), &error));
        let mut expand = || {
            drop(black_box(pinterest_mapping_codegen::expand_table(
                black_box(tokens.clone()),
            )))
        };
        let [expansion] = best_of([&mut expand]);
        let milliseconds = expansion.as_secs_f64() * 1e3;
        report.row(
            &format!("expansion of the {name} table"),
            format!("{milliseconds:.1} ms"),
        );
        report.target(
            &format!("expansion of the {name} table, ms"),
            milliseconds,
            "≤",
            100.0,
        );
    }
    // The large events table against a plan of twice as many events, every row planned.
    let table = tables::large_events_table();
    let plan = plan_for(&table);
    let tokens: proc_macro2::TokenStream = table
        .parse()
        .unwrap_or_else(|error| fail(Path::new("plan"), &error));
    let mut expand = || {
        drop(black_box(
            pinterest_mapping_codegen::expand_table_with_plan(
                black_box(tokens.clone()),
                black_box(&plan),
            ),
        ))
    };
    let [expansion] = best_of([&mut expand]);
    let milliseconds = expansion.as_secs_f64() * 1e3;
    let name = format!(
        "{}-event table against a {}-event plan",
        tables::LARGE_EVENT_COUNT,
        PLAN_EVENT_COUNT
    );
    report.row(
        &format!("expansion of the {name} (reading the plan included)"),
        format!("{milliseconds:.1} ms"),
    );
    report.target(
        &format!("expansion of the {name}, ms"),
        milliseconds,
        "≤",
        100.0,
    );
    if quick {
        report.row(
            "clean build of pinterest-mapping-macros",
            "skipped (--quick)",
        );
        report.row("tables compiled by rustc", "skipped (--quick)");
        return;
    }
    tables_compiled(report, root);
    let target_dir = target_dir(root).join("bench/clean-build");
    let _ = std::fs::remove_dir_all(&target_dir);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "pinterest-mapping-macros",
            "--target-dir",
        ])
        .arg(&target_dir)
        .status()
        .unwrap_or_else(|error| fail(root, &error));
    let elapsed = started.elapsed();
    let _ = std::fs::remove_dir_all(&target_dir);
    if !status.success() {
        fail(root, &"clean build of pinterest-mapping-macros failed");
    }
    report.row(
        "clean release build of pinterest-mapping-macros and its dependencies",
        format!("{:.1} s", elapsed.as_secs_f64()),
    );
}
