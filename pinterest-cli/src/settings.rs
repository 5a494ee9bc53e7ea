//! `--settings` and `--traits`: JSON given as the argument itself, `-` for standard input, or a
//! file holding it; read, checked, and the settings' warnings written.

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use pinterest_mapping::{Json, Settings, SettingsError, SyntaxError};

use crate::args::SettingsArgs;
use crate::send::TOKEN_VARIABLE;
use crate::write_whole_line;

/// Why a JSON argument (`--settings`, `--traits`) cannot be used. The texts name the option,
/// the file or standard input, never a value: a `--traits` argument may be personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArgumentError {
    /// `--settings -` and `--traits -` together.
    #[error("--settings and --traits cannot both be read from standard input")]
    StdinTwice,
    /// Standard input could not be read.
    #[error("{option} -: cannot read standard input: {source}")]
    Stdin {
        /// The option.
        option: &'static str,
        /// Why.
        source: io::Error,
    },
    /// The text is not UTF-8.
    #[error("{what} is not valid UTF-8 (byte {byte})")]
    NotUtf8 {
        /// Where the text came from.
        what: String,
        /// The first byte that is not (from 1).
        byte: usize,
    },
    /// Written as JSON (it opens an object, an array or a string), but not valid JSON.
    #[error("{option} is not valid JSON: {}", .error.as_ref().map(ToString::to_string).unwrap_or_default())]
    NotJson {
        /// The option.
        option: &'static str,
        /// What is wrong with it.
        error: Option<SyntaxError>,
    },
    /// A file named by a `--settings` argument could not be read.
    #[error("cannot read {} {}: {source}", .option.trim_start_matches('-'), .path.display())]
    Unreadable {
        /// The option.
        option: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Neither JSON nor a file (for an argument that is not named in messages).
    #[error("{option} is neither JSON nor a file that can be read: {source}")]
    NeitherJsonNorFile {
        /// The option.
        option: &'static str,
        /// Why the file could not be read.
        source: io::Error,
    },
    /// The settings are JSON, but not valid settings.
    #[error("{name}: {error}")]
    Settings {
        /// Where they came from: `--settings`, `--settings -`, or the file.
        name: String,
        /// What is wrong.
        error: SettingsError,
    },
    /// `--strict`, and the settings have warnings.
    #[error("--strict: {} in the settings: nothing was read", crate::counted(*.warnings as u64, "warning"))]
    Strict {
        /// How many.
        warnings: usize,
    },
    /// The traits are JSON, but not an object.
    #[error("{what} a JSON object, found {found}")]
    TraitsNotObject {
        /// Where they came from, as the start of the sentence.
        what: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// The traits of standard input or of a file are not JSON.
    #[error("{what} is not valid JSON: {error}")]
    TraitsNotJson {
        /// Where they came from.
        what: &'static str,
        /// What is wrong.
        error: SyntaxError,
    },
}

/// Where the text of a JSON argument came from.
enum ArgumentSource {
    /// The argument itself.
    Inline,
    /// `-`.
    Stdin,
    File(PathBuf),
}

impl SettingsArgs {
    /// Whether the settings are read from standard input (`--settings -`).
    #[must_use]
    pub fn reads_stdin(&self) -> bool {
        self.settings.as_deref() == Some(Path::new("-"))
    }

    /// The settings of `--settings` ([`read_settings`]), or the built-in example
    /// ([`Settings::example`]) with a note on `stderr` unless `quiet`. `tag_output`: whether
    /// the output is the Tag's (the warnings about the Tag apply).
    ///
    /// # Errors
    ///
    /// As [`read_settings`].
    pub fn load(
        &self,
        tag_output: bool,
        program: &str,
        quiet: bool,
        (stdin, stderr): (&mut dyn Read, &mut dyn Write),
    ) -> Result<Settings, ArgumentError> {
        if let Some(argument) = &self.settings {
            return read_settings(argument, tag_output, program, (stdin, stderr), self.strict);
        }
        let settings = Settings::example();
        if !quiet {
            let _ = write_whole_line(
                stderr,
                format_args!(
                    "{program}: no --settings: using the built-in example configuration (tag ID {})",
                    settings.tag.tid
                ),
            );
        }
        Ok(settings)
    }
}

/// `--settings`: the JSON itself, `-` for standard input, or a file holding it; read,
/// checked, and its warnings written to `stderr` as `PROGRAM: warning: ...` (those about the
/// Tag only when `tag_output`). With `strict`, a warning is an error.
///
/// # Errors
///
/// The settings cannot be read or are invalid, or (`strict`) have warnings.
pub fn read_settings(
    argument: &Path,
    tag_output: bool,
    program: &str,
    (stdin, stderr): (&mut dyn Read, &mut dyn Write),
    strict: bool,
) -> Result<Settings, ArgumentError> {
    let (text, source) = read_json_argument("--settings", argument.as_os_str(), true, stdin)?;
    let name = match &source {
        ArgumentSource::Inline => "--settings".to_owned(),
        ArgumentSource::Stdin => "--settings -".to_owned(),
        ArgumentSource::File(path) => path.display().to_string(),
    };
    let (settings, warnings) =
        Settings::from_json_with_warnings(&text).map_err(|error| ArgumentError::Settings {
            name: name.clone(),
            error,
        })?;
    let mut warnings: Vec<String> = warnings
        .into_iter()
        .filter(|warning| tag_output || !warning.is_tag_only())
        .map(|warning| warning.to_string())
        .collect();
    // A token written in an argument shows in the process list and in the shell's history.
    if matches!(source, ArgumentSource::Inline) && settings.conversions.conversion_token.is_some() {
        warnings.push(format!(
            "`conversion_token` is in the argument itself, where the process list and the \
             shell's history show it: set the environment variable {TOKEN_VARIABLE}, or put \
             the settings in a file"
        ));
    }
    for warning in &warnings {
        let _ = write_whole_line(
            stderr,
            format_args!("{program}: warning: {name}: {warning}"),
        );
    }
    if strict && !warnings.is_empty() {
        return Err(ArgumentError::Strict {
            warnings: warnings.len(),
        });
    }
    Ok(settings)
}

/// `--traits`: JSON, `-` for standard input, or else a file holding JSON; an object either
/// way, returned as its text. The argument is never repeated in a message: it may be personal
/// data.
///
/// # Errors
///
/// The traits cannot be read, or are not a JSON object.
pub fn read_traits(argument: &OsStr, stdin: &mut dyn Read) -> Result<String, ArgumentError> {
    let (text, source) = read_json_argument("--traits", argument, false, stdin)?;
    let what = match source {
        ArgumentSource::Inline => "--traits must be",
        ArgumentSource::Stdin => "standard input for --traits must hold",
        ArgumentSource::File(_) => "the --traits file must hold",
    };
    match Json::parse(&text) {
        Ok(json) if json.is_object() => Ok(text),
        Ok(other) => Err(ArgumentError::TraitsNotObject {
            what,
            found: other.type_name(),
        }),
        Err(error) => Err(ArgumentError::TraitsNotJson {
            what: match source {
                ArgumentSource::Stdin => "standard input for --traits",
                _ => "the --traits file",
            },
            error,
        }),
    }
}

/// The text of a JSON option (`--settings`, `--traits`): the argument itself when it is JSON,
/// standard input for `-`, or else the file it names. A byte-order mark before the JSON is
/// dropped. `show_path`: whether an unreadable file may be named in the error (a `--traits`
/// argument may be personal data: an email written where JSON was meant).
fn read_json_argument(
    option: &'static str,
    argument: &OsStr,
    show_path: bool,
    stdin: &mut dyn Read,
) -> Result<(String, ArgumentSource), ArgumentError> {
    let utf8 = |bytes: Vec<u8>, what: String| {
        String::from_utf8(bytes).map_err(|error| ArgumentError::NotUtf8 {
            what,
            byte: error.utf8_error().valid_up_to() + 1,
        })
    };
    let (text, source) = if argument == "-" {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|source| ArgumentError::Stdin { option, source })?;
        (
            utf8(bytes, format!("standard input for {option}"))?,
            ArgumentSource::Stdin,
        )
    } else {
        let inline = argument
            .to_str()
            .map(|text| text.strip_prefix('\u{feff}').unwrap_or(text));
        match inline.map(|text| (text, Json::parse(text))) {
            Some((text, Ok(_))) => (text.to_owned(), ArgumentSource::Inline),
            inline => match std::fs::read(argument) {
                Ok(bytes) => {
                    let what = if show_path {
                        Path::new(argument).display().to_string()
                    } else {
                        format!("the {option} file")
                    };
                    let text = utf8(bytes, what)?;
                    (text, ArgumentSource::File(PathBuf::from(argument)))
                }
                // Written as JSON, or not a file: the JSON error says what is wrong.
                Err(_)
                    if inline
                        .as_ref()
                        .is_some_and(|(text, _)| looks_like_json(text)) =>
                {
                    let error = inline.and_then(|(_, parsed)| parsed.err());
                    return Err(ArgumentError::NotJson { option, error });
                }
                Err(source) if show_path => {
                    return Err(ArgumentError::Unreadable {
                        option,
                        path: PathBuf::from(argument),
                        source,
                    });
                }
                Err(source) => {
                    return Err(ArgumentError::NeitherJsonNorFile { option, source });
                }
            },
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    Ok((text, source))
}

/// Whether an argument was meant as JSON text rather than a file name: it opens a JSON object,
/// array or string.
fn looks_like_json(argument: &str) -> bool {
    matches!(
        argument
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .as_bytes()
            .first(),
        Some(b'{' | b'[' | b'"')
    )
}
