//! The Conversions API output: its throughput against the Tag output's on the same workload,
//! and `pinterest-map --send` to a local server that answers at once against `--format capi`
//! to `/dev/null`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_pinterest::{AD_ACCOUNT, FakePinterest, Reply, TOKEN};
use pinterest_mapping::ndjson;
use pinterest_mapping::{Destination, Settings};

use crate::{Report, best_by_chunk, drain, fail, map_lines, per_second};

/// The reference time of the age limit: five minutes after the workload's events.
const NOW: &str = "2026-11-28T12:05:00Z";
pub(crate) const NOW_SECONDS: u64 = 1_795_867_500;

/// Whole runs of each command in the sending comparison.
const SEND_ROUNDS: usize = 7;

/// The example settings, with each message's `messageId` as its `event_id`.
pub(crate) fn settings() -> Settings {
    let mut settings = Settings::example();
    settings.tag.map_message_id_to_event_id = true;
    settings
}

/// Conversions API events as `pinterest-map --format capi` writes them, into a buffer drained
/// as the tool's is.
fn convert_lines(destination: &Destination, lines: &[&str], output: &mut Vec<u8>) -> usize {
    let now = UNIX_EPOCH + Duration::from_secs(NOW_SECONDS);
    let mut converted = 0;
    for line in lines {
        if ndjson::convert_line(destination, line, now, output).is_ok() {
            converted += 1;
        }
        drain(output);
    }
    converted
}

pub(crate) fn throughput(report: &mut Report, lines: &[&str]) {
    let destination = Destination::new(settings());
    let mut tag_output = Vec::with_capacity(128 * 1024);
    let mut capi_output = Vec::with_capacity(128 * 1024);
    let mut events = Vec::new();
    // How many lines make an event, measured once: the comparison is fair only if they do.
    let now = UNIX_EPOCH + Duration::from_secs(NOW_SECONDS);
    let mut converted = String::new();
    for line in lines {
        let Ok(message) = destination.prepare(line, &mut converted) else {
            continue;
        };
        if let pinterest_mapping::capi::Conversion::Event { event, .. } =
            destination.conversion(&message, now)
        {
            events.push(event.event_id.into_owned());
        }
    }
    let mut tag = |lines: &[&str]| map_lines(&destination, lines, &mut tag_output);
    let mut capi = |lines: &[&str]| {
        convert_lines(&destination, lines, &mut capi_output);
    };
    let [tag, capi] = best_by_chunk(lines, [&mut tag, &mut capi]);
    let count = lines.len();
    let (tag, capi) = (per_second(count, tag), per_second(count, capi));
    report.section(&format!(
        "7. The Conversions API output ({count} messages, {} events)",
        events.len()
    ));
    report.row(
        "Tag output (`ndjson::map_line`, JSON)",
        format!("{tag:.0} messages/s"),
    );
    report.row(
        "Conversions API output (`ndjson::convert_line`, hashing included)",
        format!("{capi:.0} messages/s"),
    );
    report.target("Conversions API / Tag", capi / tag, "≥", 0.5);
}

/// Runs the tool on `workload` with `args`, standard output to `/dev/null`; its time.
fn run(binary: &Path, args: &[&str], workload: &Path) -> Duration {
    let devnull = std::fs::File::create("/dev/null")
        .unwrap_or_else(|error| fail(Path::new("/dev/null"), &error));
    let started = Instant::now();
    let output = Command::new(binary)
        .args(args)
        .arg(workload)
        .env("PINTEREST_CONVERSION_TOKEN", TOKEN)
        .stdout(devnull)
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|error| fail(binary, &error));
    let elapsed = started.elapsed();
    // Status 1 is expected: some workload messages cannot become events (no identity).
    if output.status.code().is_none_or(|code| code > 1) {
        fail(
            binary,
            &format!(
                "exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
        );
    }
    elapsed
}

pub(crate) fn sending(report: &mut Report, binary: &Path, workload: &Path, events: usize) {
    let fake = FakePinterest::start_quick(|_| Reply::Processed);
    let settings_path = std::env::temp_dir().join(format!(
        "mapping-bench-settings-{}-{}.json",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |time| time.as_nanos())
    ));
    let text = format!(
        r#"{{"tid":"2620795819800","mapMessageIdToEventId":true,"ad_account_id":"{AD_ACCOUNT}"}}"#
    );
    std::fs::write(&settings_path, text).unwrap_or_else(|error| fail(&settings_path, &error));
    let settings = settings_path.display().to_string();
    let url = fake.url();
    // `--send` maps on one thread: so does the output it is measured against.
    let capi_args = [
        "--quiet",
        "--threads",
        "1",
        "--format",
        "capi",
        "--now",
        NOW,
        "--settings",
        &settings,
    ];
    // The local server has no rate limit: the pacing of the real one is not what is measured.
    let send_args = [
        "--quiet",
        "--send",
        "--now",
        NOW,
        "--settings",
        &settings,
        "--api-url",
        &url,
        "--requests-per-minute",
        "10000000",
    ];
    let mut capi = Duration::MAX;
    let mut send = Duration::MAX;
    for _ in 0..SEND_ROUNDS {
        capi = capi.min(run(binary, &capi_args, workload));
        send = send.min(run(binary, &send_args, workload));
    }
    let _ = std::fs::remove_file(&settings_path);
    let requests = fake.requests();
    let sent: usize = requests.iter().map(|request| request.events).sum();
    let (capi, send) = (per_second(events, capi), per_second(events, send));
    report.section("8. Sending (`pinterest-map --send` to a local server that answers at once)");
    report.row(
        "`--format capi FILE > /dev/null`",
        format!("{capi:.0} messages/s"),
    );
    report.row("`--send FILE`", format!("{send:.0} messages/s"));
    report.row(
        "requests and events the server received over every run",
        format!("{} requests, {sent} events", requests.len()),
    );
    report.target("--send / --format capi", send / capi, "≥", 0.5);
}
