//! The destination settings, read and checked as `pinterest-map` reads them.

use std::path::Path;

use mapping_core::Settings;

/// The settings of `--settings` (the JSON itself, or a file holding it), or the built-in
/// example; the warnings are written to standard error, and with `strict` they are an error.
pub(crate) fn load(
    argument: Option<&str>,
    strict: bool,
    program: &str,
    quiet: bool,
) -> Result<Settings, String> {
    let Some(argument) = argument else {
        let settings = Settings::example();
        if !quiet {
            eprintln!(
                "{program}: no --settings: using the built-in example configuration (tag ID {})",
                settings.tid
            );
        }
        return Ok(settings);
    };
    let trimmed = argument.trim_start();
    let (text, name) = if trimmed.starts_with('{') {
        (argument.to_owned(), "--settings".to_owned())
    } else {
        let text = std::fs::read_to_string(Path::new(argument))
            .map_err(|error| format!("cannot read --settings {argument}: {error}"))?;
        (text, argument.to_owned())
    };
    let (settings, warnings) =
        Settings::from_json_with_warnings(&text).map_err(|error| format!("{name}: {error}"))?;
    for warning in &warnings {
        eprintln!("{program}: warning: {name}: {warning}");
    }
    if strict && !warnings.is_empty() {
        return Err(format!(
            "--strict: {} in the settings: nothing was read",
            if warnings.len() == 1 {
                "1 warning".to_owned()
            } else {
                format!("{} warnings", warnings.len())
            }
        ));
    }
    Ok(settings)
}
