//! The destination settings, read and checked as `pinterest-map` reads them.

use std::io;
use std::path::Path;

use mapping_core::Settings;
use mapping_core::cli::parts::read_settings;

/// The settings of `--settings` (the JSON itself, `-` for standard input, or a file holding
/// it), their warnings written to standard error (those about the Tag only when the output is
/// the Tag's), or the built-in example, with a note unless `quiet`.
pub(crate) fn load(
    argument: Option<&str>,
    tag_output: bool,
    program: &str,
    (strict, quiet): (bool, bool),
) -> Result<Settings, String> {
    let Some(argument) = argument else {
        let settings = Settings::example();
        if !quiet {
            say!(
                "{program}: no --settings: using the built-in example configuration (tag ID {})",
                settings.tid
            );
        }
        return Ok(settings);
    };
    read_settings(
        Path::new(argument),
        tag_output,
        program,
        (&mut io::stdin().lock(), &mut io::stderr().lock()),
        strict,
    )
}
