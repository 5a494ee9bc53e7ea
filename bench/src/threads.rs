//! `pinterest-map --threads N` against one thread, on the same workload file, in one run.

use std::path::Path;
use std::time::Duration;

use crate::{Report, WHOLE_RUN_ROUNDS, per_second, run_binary};

pub(crate) fn scaling(report: &mut Report, binary: &Path, workload: &Path, events: usize) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut counts = vec![1, 2];
    if cores > 2 {
        counts.push(cores);
    }
    let mut best = vec![Duration::MAX; counts.len()];
    for _ in 0..WHOLE_RUN_ROUNDS {
        for (threads, best) in counts.iter().zip(&mut best) {
            *best = (*best).min(run_binary(binary, *threads, workload).0);
        }
    }
    report.section(&format!(
        "9. Threads (`pinterest-map --threads N FILE > /dev/null`, {cores} cores available)"
    ));
    for (threads, time) in counts.iter().zip(&best) {
        report.row(
            &format!("--threads {threads}"),
            format!("{:.0} events/s", per_second(events, *time)),
        );
    }
    let one = best[0].as_secs_f64();
    report.target(
        "--threads 2 against --threads 1",
        one / best[1].as_secs_f64(),
        "≥",
        1.8,
    );
    if let (Some(threads), Some(time)) = (counts.get(2), best.get(2)) {
        report.row(
            &format!("--threads {threads} against --threads 1"),
            format!("{:.2}", one / time.as_secs_f64()),
        );
    }
}
