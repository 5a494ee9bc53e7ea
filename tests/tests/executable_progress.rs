//! The progress bar of `pinterest-map`, on a pseudo-terminal whose screen a terminal emulator
//! renders: drawn on standard error during a long run, never inside an output line or a
//! message, cleared at the end and on Ctrl-C, never drawn when standard output is the same
//! terminal, with `TERM=dumb`, or when standard error is not a terminal.

#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mapping_tests::executable;
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{Winsize, tcsetwinsize};

/// Text only the progress bar writes (the summary counts `N messages`).
const BAR: &str = "messages read";

/// Rows of the emulated screen: enough to hold everything a run writes.
const ROWS: u16 = 200;

fn message(n: usize) -> String {
    format!(r#"{{"type":"track","event":"Order Completed","properties":{{"order_id":"o-{n}"}}}}"#)
}

fn call(n: usize) -> String {
    format!(r#"[["track","Checkout",{{"order_id":"o-{n}"}}]]"#)
}

/// A pseudo-terminal of `columns`: its controlling side, and a handle on the terminal.
fn pty(columns: u16) -> (File, File) {
    let controller = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&controller).expect("grantpt");
    unlockpt(&controller).expect("unlockpt");
    let name = ptsname(&controller, Vec::new()).expect("its name");
    let terminal = File::options()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a path"))
        .expect("the terminal opens");
    tcsetwinsize(
        &terminal,
        Winsize {
            ws_row: ROWS,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        },
    )
    .expect("the window size is set");
    (File::from(controller), terminal)
}

/// Where the tool's standard output goes.
enum Stdout {
    Pipe,
    Terminal,
}

/// What a run showed: everything written to the terminal, the screen it left, and standard
/// output when it was a pipe.
struct Shown {
    written: String,
    screen: String,
    stdout: String,
}

/// Runs the tool with standard error on a terminal of `columns`, feeding it `count` messages
/// (every 1000th an invalid line) over more than a second, so that the bar appears; with
/// `interrupt`, it gets SIGINT once all are fed, its input still open.
fn run(columns: u16, stdout: Stdout, term: &str, count: usize, interrupt: bool) -> Shown {
    let (mut controller, terminal) = pty(columns);
    let mut command = executable!("pinterest-map");
    command
        .args(["--settings", r#"{"tid":"t"}"#])
        .env("TERM", term)
        .stdin(Stdio::piped())
        .stderr(terminal.try_clone().expect("a second handle"));
    match stdout {
        Stdout::Pipe => command.stdout(Stdio::piped()),
        Stdout::Terminal => command.stdout(terminal.try_clone().expect("a third handle")),
    };
    let mut child = command.spawn().expect("pinterest-map starts");
    // The tool holds the terminal's only handles now: the reader below ends when it ends.
    drop(command);
    drop(terminal);
    // The terminal's output, read until the tool has closed it.
    let reader = std::thread::spawn(move || {
        let mut written = Vec::new();
        let mut buffer = [0; 4096];
        // Reading fails (EIO) once no process holds the terminal.
        while let Ok(read) = controller.read(&mut buffer) {
            if read == 0 {
                break;
            }
            written.extend_from_slice(&buffer[..read]);
        }
        written
    });
    let stdout_reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut text = String::new();
            stdout.read_to_string(&mut text).expect("stdout is UTF-8");
            text
        })
    });
    feed(&mut child, count, interrupt);
    let status = child.wait().expect("the tool ends");
    let written = reader.join().expect("the reader ends");
    let size = |count: u16| NonZeroU16::new(count).expect("a screen has a size");
    let mut screen = vt100::Parser::new(size(ROWS), size(columns), 0);
    screen.process(&written);
    let stdout = stdout_reader.map_or_else(String::new, |reader| reader.join().expect("read"));
    if interrupt {
        assert_eq!(status.code(), None, "ended by the signal");
    } else {
        assert_eq!(status.code(), Some(1), "the invalid lines make status 1");
    }
    Shown {
        written: String::from_utf8_lossy(&written).into_owned(),
        screen: screen.screen().contents(),
        stdout,
    }
}

/// Writes `count` messages in 30 bursts over 1.5 seconds, then closes the input, or with
/// `interrupt` sends SIGINT instead.
fn feed(child: &mut Child, count: usize, interrupt: bool) {
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let bursts = 30;
    for burst in 0..bursts {
        let lines: String = (burst * count / bursts..(burst + 1) * count / bursts)
            .map(|n| {
                if n % 1000 == 999 {
                    "not json\n".to_owned()
                } else {
                    message(n) + "\n"
                }
            })
            .collect();
        stdin.write_all(lines.as_bytes()).expect("the tool reads");
        std::thread::sleep(Duration::from_millis(50));
    }
    if interrupt {
        // The bar is on screen and the tool waits for input.
        std::thread::sleep(Duration::from_millis(300));
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
    }
    drop(stdin);
}

/// The lines a run of `count` messages writes: its calls, and its errors.
fn expected(count: usize) -> (String, Vec<String>) {
    let mut calls = String::new();
    let mut errors = Vec::new();
    for n in 0..count {
        if n % 1000 == 999 {
            errors.push(format!(
                "<stdin>:{}: invalid JSON: expected a value at column 1, found a bare word",
                n + 1
            ));
        } else {
            calls.push_str(&call(n));
            calls.push('\n');
        }
    }
    (calls, errors)
}

/// The screen's lines, without trailing blanks and empty lines.
fn lines(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_bar_is_drawn_apart_from_every_message_and_cleared_at_the_end() {
    for columns in [120, 30] {
        let count = 60_000;
        let shown = run(columns, Stdout::Pipe, "xterm", count, false);
        let (calls, errors) = expected(count);
        assert_eq!(shown.stdout, calls, "{columns} columns");
        assert!(
            shown.written.contains(BAR),
            "the bar was drawn: {columns} columns"
        );
        // The screen as the run left it: each error on lines of its own, then the summary;
        // nothing of the bar.
        let screen = lines(&shown.screen).join("");
        let messages: String = errors.concat();
        assert!(
            screen.starts_with(&messages),
            "{columns} columns:\n{}",
            shown.screen
        );
        let summary = &screen[messages.len()..];
        assert!(
            summary.starts_with("pinterest-map: 59940 messages, 59940 calls, 60 errors in "),
            "{columns} columns:\n{}",
            shown.screen
        );
        assert!(
            !screen.contains(BAR),
            "{columns} columns:\n{}",
            shown.screen
        );
    }
}

#[test]
fn ctrl_c_clears_the_bar() {
    let shown = run(80, Stdout::Pipe, "xterm", 60_000, true);
    assert!(shown.written.contains(BAR), "the bar was drawn");
    let screen = lines(&shown.screen);
    // The signal finds the tool waiting for input, which ends it at once; or, on a loaded
    // machine, still mapping what it read, which it writes out first, with the summary.
    let stopped = screen
        .iter()
        .position(|line| *line == "pinterest-map: stopped by SIGINT")
        .unwrap_or_else(|| panic!("no stop message:\n{}", shown.screen));
    let after = &screen[stopped + 1..];
    assert!(
        after.is_empty()
            || (after.len() == 1
                && after[0].starts_with("pinterest-map: ")
                && after[0].contains(" messages, ")),
        "{}",
        shown.screen
    );
    assert!(!shown.screen.contains(BAR), "{}", shown.screen);
}

#[test]
fn no_bar_on_the_terminal_of_the_output_nor_with_term_dumb() {
    let count = 60_000;
    let (calls, errors) = expected(count);
    // Standard output on the same terminal: its lines are the calls, the errors and the
    // summary, whole, and nothing else.
    let shown = run(120, Stdout::Terminal, "xterm", count, false);
    assert!(!shown.written.contains(BAR), "no bar");
    let mut written: Vec<&str> = shown.written.split("\r\n").collect();
    assert_eq!(written.pop(), Some(""));
    let summary = written.pop().unwrap_or_default();
    assert!(
        summary.starts_with("pinterest-map: 59940 messages, "),
        "{summary}"
    );
    let mut expected: Vec<String> = calls.lines().map(str::to_owned).collect();
    expected.extend(errors.iter().cloned());
    let mut written: Vec<String> = written.into_iter().map(str::to_owned).collect();
    expected.sort();
    written.sort();
    assert_eq!(written, expected);

    let dumb = run(120, Stdout::Pipe, "dumb", count, false);
    assert!(!dumb.written.contains(BAR), "no bar with TERM=dumb");
    assert_eq!(dumb.stdout, calls);
}

#[test]
fn no_bar_when_standard_error_is_not_a_terminal() {
    let mut child = executable!("pinterest-map")
        .args(["--settings", r#"{"tid":"t"}"#])
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pinterest-map starts");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).expect("stderr is UTF-8");
        text
    });
    feed(&mut child, 60_000, false);
    assert_eq!(child.wait().expect("the tool ends").code(), Some(1));
    let stderr = reader.join().expect("read");
    assert!(!stderr.contains(BAR), "{stderr}");
    assert_eq!(stderr.lines().count(), 61, "60 errors and the summary");
}
