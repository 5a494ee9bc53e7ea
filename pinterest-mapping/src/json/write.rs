//! JSON tokens written directly into a byte buffer: the Tag writer's (raw values copied as they
//! were sent, only the destination's own strings escaped) and the [`serializer`](super::serializer)'s.
//! The output equals what `serde_json` writes for the same values, byte for byte.

use std::fmt::Write as _;

use super::{Key, has_special_byte, strings};

/// Writes JSON tokens to `out`; when `script_safe`, also escapes what could end an HTML
/// `<script>` element or a JavaScript line: `<`, `>`, `&`, U+2028 and U+2029.
pub(crate) struct JsonWriter<'o> {
    pub(crate) out: &'o mut Vec<u8>,
    pub(crate) script_safe: bool,
}

impl JsonWriter<'_> {
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// A JSON string holding `text`.
    #[inline]
    pub(crate) fn string(&mut self, text: &str) {
        self.out.push(b'"');
        // Most strings need no escape: that is found inline, eight bytes at a time.
        if !self.script_safe && !has_special_byte(text.as_bytes()) {
            self.out.extend_from_slice(text.as_bytes());
        } else {
            self.escaped(text, true);
        }
        self.out.push(b'"');
    }

    /// An object key and its colon: `"key":`. In a script, `__proto__` is written as a
    /// computed key, `["__proto__"]:`: as a plain key it would set the object's prototype.
    pub(crate) fn key(&mut self, key: &str) {
        if self.script_safe && key == PROTO {
            return self.computed_proto_key();
        }
        self.string(key);
        self.out.push(b':');
    }

    /// A JSON string holding `text`, which needs no escape ([`Self::is_plain`]).
    pub(crate) fn plain_string(&mut self, text: &str) {
        debug_assert!(Self::is_plain(text));
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
    }

    /// A key that needs no escape ([`Self::is_plain`]) and its colon.
    #[inline(always)]
    pub(crate) fn plain_key(&mut self, key: &str) {
        debug_assert!(Self::is_plain(key));
        if self.script_safe && key == PROTO {
            return self.computed_proto_key();
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// Whether `text` is written as it is inside a JSON string, in scripts too.
    pub(crate) fn is_plain(text: &str) -> bool {
        !has_special_byte(text.as_bytes())
            && !text
                .bytes()
                .any(|byte| ESCAPES[usize::from(byte)] & SCRIPT != 0)
    }

    /// Json JSON text, as it is (within its strings, script-safe escapes where asked), except
    /// that line breaks become spaces: output stays one line per message.
    ///
    /// In a script, an object key spelling `__proto__` (escapes included) becomes a computed
    /// key, `["__proto__"]:`, so that evaluating the statement gives the JSON value: as a plain
    /// key of an object literal, `__proto__` sets the object's prototype.
    #[inline(always)]
    pub(crate) fn raw(&mut self, json: &str) {
        if self.script_safe && may_hold_proto_key(json) {
            self.raw_in_script(json);
        } else if self.script_safe || has_line_breaks(json) {
            self.escaped(json, false);
        } else {
            self.out.extend_from_slice(json.as_bytes());
        }
    }

    /// `__proto__` as a computed key and its colon.
    #[cold]
    #[inline(never)]
    fn computed_proto_key(&mut self) {
        self.out.extend_from_slice(br#"["__proto__"]:"#);
    }

    /// [`Self::raw`] in a script, for text that may hold a `__proto__` key.
    #[cold]
    #[inline(never)]
    fn raw_in_script(&mut self, json: &str) {
        // Written up to here.
        let mut written = 0;
        for (open, close, is_key) in strings(json) {
            if is_key && Key::from_json(&json[open + 1..close]) == PROTO {
                self.escaped(&json[written..open], false);
                self.out.push(b'[');
                self.escaped(&json[open..=close], false);
                self.out.push(b']');
                written = close + 1;
            }
        }
        self.escaped(&json[written..], false);
    }

    /// Writes `text`, escaping what JSON strings must escape (when `in_string`) and what
    /// scripts must (when `script_safe`). Plain runs are written whole.
    fn escaped(&mut self, text: &str, in_string: bool) {
        let bytes = text.as_bytes();
        let flags =
            if in_string { STRING } else { BREAK } | if self.script_safe { SCRIPT } else { 0 };
        // Most text needs no escape at all: find the first byte that might, eight bytes at a
        // time for JSON strings, by table for scripts.
        let plain = if flags == STRING {
            !has_special_byte(bytes)
        } else {
            !bytes
                .iter()
                .any(|byte| ESCAPES[usize::from(*byte)] & flags != 0)
        };
        if plain {
            return self.out.extend_from_slice(bytes);
        }
        let mut start = 0;
        let mut index = 0;
        while index < bytes.len() {
            let byte = bytes[index];
            let escape: Option<&[u8]> = match byte {
                b'"' if in_string => Some(b"\\\""),
                b'\\' if in_string => Some(b"\\\\"),
                b'\n' if in_string => Some(b"\\n"),
                b'\r' if in_string => Some(b"\\r"),
                b'\t' if in_string => Some(b"\\t"),
                0x08 if in_string => Some(b"\\b"),
                0x0c if in_string => Some(b"\\f"),
                0x00..0x20 if in_string => None,
                // Outside strings, valid JSON holds line breaks only as whitespace.
                b'\n' | b'\r' => Some(b" "),
                b'<' if self.script_safe => Some(b"\\u003c"),
                b'>' if self.script_safe => Some(b"\\u003e"),
                b'&' if self.script_safe => Some(b"\\u0026"),
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
                0xe2 if self.script_safe && bytes.get(index + 1) == Some(&0x80) => {
                    match bytes.get(index + 2) {
                        Some(0xa8) => Some(b"\\u2028"),
                        Some(0xa9) => Some(b"\\u2029"),
                        _ => {
                            index += 1;
                            continue;
                        }
                    }
                }
                _ => {
                    index += 1;
                    continue;
                }
            };
            self.out.extend_from_slice(&bytes[start..index]);
            let width = if byte == 0xe2 { 3 } else { 1 };
            match escape {
                Some(escape) => self.out.extend_from_slice(escape),
                // Other control characters, as serde_json writes them.
                None => {
                    let mut hex = String::with_capacity(6);
                    let _ = write!(hex, "\\u{byte:04x}");
                    self.out.extend_from_slice(hex.as_bytes());
                }
            }
            index += width;
            start = index;
        }
        self.out.extend_from_slice(&bytes[start..]);
    }
}

/// The key that sets an object's prototype in an object literal.
const PROTO: &str = "__proto__";

/// Whether raw JSON text may hold a `__proto__` key: it is a container holding the name, or a
/// `\u` escape that might spell it.
fn may_hold_proto_key(json: &str) -> bool {
    let bytes = json.as_bytes();
    matches!(bytes.first(), Some(b'{' | b'['))
        && (memchr::memmem::find(bytes, PROTO.as_bytes()).is_some()
            || memchr::memmem::find(bytes, b"\\u").is_some())
}

/// `text` as a JSON string, escaped as `serde_json` escapes it.
pub(crate) fn json_string(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    JsonWriter {
        out: &mut out,
        script_safe: false,
    }
    .string(text);
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Whether raw JSON text holds line breaks. Valid JSON has them only as whitespace between
/// tokens, so only inside containers.
#[inline]
pub(crate) fn has_line_breaks(json: &str) -> bool {
    matches!(json.as_bytes().first(), Some(b'{' | b'['))
        && memchr::memchr2(b'\n', b'\r', json.as_bytes()).is_some()
}

/// [`ESCAPES`] flag: the byte must be escaped in a JSON string.
const STRING: u8 = 1;
/// [`ESCAPES`] flag: the byte must (or, for 0xE2, may) be escaped in a script.
const SCRIPT: u8 = 2;
/// [`ESCAPES`] flag: a line break, written as a space outside strings.
const BREAK: u8 = 4;

/// Which bytes may need an escape, and where.
static ESCAPES: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = STRING;
        byte += 1;
    }
    table[b'\n' as usize] = STRING | BREAK;
    table[b'\r' as usize] = STRING | BREAK;
    table[b'"' as usize] = STRING;
    table[b'\\' as usize] = STRING;
    table[b'<' as usize] = SCRIPT;
    table[b'>' as usize] = SCRIPT;
    table[b'&' as usize] = SCRIPT;
    // The first byte of U+2028 and U+2029 (and of other characters: checked further).
    table[0xe2] = SCRIPT;
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str, script_safe: bool, raw: bool) -> String {
        let mut out = Vec::new();
        let mut writer = JsonWriter {
            out: &mut out,
            script_safe,
        };
        if raw {
            writer.raw(text);
        } else {
            writer.string(text);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for text in [
            "plain",
            "q\"b\\s/",
            "\n\r\t\u{8}\u{c}\u{1}\u{1f}",
            "é ✓ \u{2028}",
            "</script>&",
        ] {
            assert_eq!(
                written(text, false, false),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn script_safe_escapes_markup_and_line_separators() {
        assert_eq!(
            written("</script><!-- & \u{2028}\u{2029} \u{2027}", true, false),
            "\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \u{2027}\""
        );
        assert_eq!(
            written("{\"a\": \"</b> \u{2028}\", \"c\": 1}", true, true),
            "{\"a\": \"\\u003c/b\\u003e \\u2028\", \"c\": 1}"
        );
        assert_eq!(written("{\"a\": \"<\"}", false, true), "{\"a\": \"<\"}");
    }

    #[test]
    fn proto_keys_become_computed_keys_in_scripts() {
        let json = r#"{"__proto__": {"a": "__proto__", "__pro\u0074o__" :[{"__proto__":1}]}, "b": "\"__proto__\":"}"#;
        assert_eq!(
            written(json, true, true),
            r#"{["__proto__"]: {"a": "__proto__", ["__pro\u0074o__"] :[{["__proto__"]:1}]}, "b": "\"__proto__\":"}"#
        );
        assert_eq!(written(json, false, true), json);
        let mut out = Vec::new();
        let mut writer = JsonWriter {
            out: &mut out,
            script_safe: true,
        };
        writer.key("__proto__");
        writer.plain_key("__proto__");
        writer.key("__proto");
        assert_eq!(out, br#"["__proto__"]:["__proto__"]:"__proto":"#);
    }

    #[test]
    fn raw_line_breaks_become_spaces() {
        let json = "{\"a\":\r\n[1,\n2],\t\"b\": \"x\\ny\"}";
        for script_safe in [false, true] {
            assert_eq!(
                written(json, script_safe, true),
                "{\"a\":  [1, 2],\t\"b\": \"x\\ny\"}"
            );
        }
        assert_eq!(written("[1, 2]", false, true), "[1, 2]");
    }
}
