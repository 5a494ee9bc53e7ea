//! `pinterest-map` itself on arbitrary standard input: line splitting, byte-order marks, blank
//! lines, invalid UTF-8, the per-line errors. The first byte picks the output format. Beyond
//! not panicking: the run ends with status 0 or 1, every output line is a JSON array of calls
//! (or a `pintrk` statement with nothing that could end a `<script>` element), and every
//! error line names the input and a line number.

#![no_main]

use std::ffi::OsString;

use libfuzzer_sys::fuzz_target;
use mapping_core::Json;
use mapping_core::cli::{self, Streams};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let js = selector % 2 == 1;
    let format = if js { "js" } else { "json" };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let status = cli::run(
        mapping_core::spec::Table,
        ["pinterest-map", "--quiet", "--format", format].map(OsString::from),
        Streams {
            stdin: input,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stderr_is_terminal: false,
        },
    );
    assert!(status <= 1, "status {status}");
    let stdout = std::str::from_utf8(&stdout).expect("output is UTF-8");
    for line in stdout.lines() {
        if js {
            assert!(
                line.starts_with("pintrk(") && line.ends_with(");"),
                "{line}"
            );
            for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}', '\r'] {
                assert!(!line.contains(forbidden), "{forbidden:?} in {line}");
            }
        } else {
            let calls = Json::parse(line).expect("a JSON line");
            assert!(calls.text().starts_with('['), "{line}");
        }
    }
    let stderr = std::str::from_utf8(&stderr).expect("errors are UTF-8");
    for line in stderr.lines() {
        let number = line
            .strip_prefix("<stdin>:")
            .and_then(|rest| rest.split(':').next())
            .and_then(|number| number.parse::<u64>().ok());
        assert!(number.is_some(), "{line}");
    }
    assert_eq!(status == 1, !stderr.is_empty());
});
