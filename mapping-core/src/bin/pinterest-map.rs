//! `pinterest-map`: Segment NDJSON in, Pinterest Tag calls out. See `pinterest-map --help`.

use std::io::IsTerminal;
use std::process::ExitCode;

use mapping_core::cli::{self, Streams};

fn main() -> ExitCode {
    let stderr = std::io::stderr();
    let streams = Streams {
        stdin: std::io::stdin().lock(),
        stdout: std::io::stdout().lock(),
        stderr_is_terminal: stderr.is_terminal(),
        stderr: stderr.lock(),
    };
    ExitCode::from(cli::run(std::env::args_os(), streams))
}
