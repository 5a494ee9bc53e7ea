//! The Kafka client of the quick start (`examples/kafka-quickstart.sh`): produces NDJSON lines
//! to a topic, keyed by each message's user, and reads a topic back.
//!
//! ```text
//! kafka-client produce BROKERS TOPIC < messages.ndjson
//! kafka-client read BROKERS TOPIC COUNT
//! ```
//!
//! `read` prints each message as a line: its key, a tab, its value; and, when it has headers,
//! a tab and the headers as `name=value` separated by `; `. It waits for COUNT messages (two
//! minutes at most), then a second more for any beyond them.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["produce", brokers, topic] => produce(brokers, topic),
        ["read", brokers, topic, count] => match count.parse() {
            Ok(count) => read(brokers, topic, count),
            Err(_) => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: kafka-client produce BROKERS TOPIC < NDJSON | kafka-client read BROKERS TOPIC COUNT"
    );
    ExitCode::from(2)
}

/// Each line of standard input a message, keyed by its `userId` (else `anonymousId`, else its
/// line number), so that each user's messages keep their order.
fn produce(brokers: &str, topic: &str) -> ExitCode {
    let mut messages = Vec::new();
    for (number, line) in std::io::stdin().lock().lines().enumerate() {
        let Ok(line) = line else {
            eprintln!("kafka-client: standard input is not UTF-8 text");
            return ExitCode::from(1);
        };
        if line.trim().is_empty() {
            continue;
        }
        let user = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|message| {
                ["userId", "anonymousId"]
                    .iter()
                    .find_map(|field| message.get(field)?.as_str().map(str::to_owned))
            });
        let key = user.unwrap_or_else(|| format!("line-{}", number + 1));
        messages.push((key, Some(line.into_bytes())));
    }
    let landed = kafka_broker::produce(brokers, topic, &messages);
    eprintln!(
        "kafka-client: {} messages produced to {topic}",
        landed.len()
    );
    ExitCode::SUCCESS
}

fn read(brokers: &str, topic: &str, count: usize) -> ExitCode {
    let messages = kafka_broker::read(brokers, topic, count, Duration::from_secs(1));
    let mut out = std::io::stdout().lock();
    for message in &messages {
        let mut line = format!(
            "{}\t{}",
            message.key.as_deref().unwrap_or_default(),
            String::from_utf8_lossy(&message.value)
        );
        if !message.headers.is_empty() {
            let mut headers: Vec<String> = message
                .headers
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            headers.sort();
            line.push('\t');
            line.push_str(&headers.join("; "));
        }
        if writeln!(out, "{line}").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    if messages.len() < count {
        eprintln!(
            "kafka-client: {} of {count} messages in {topic}",
            messages.len()
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
