//! A `serde` serializer writing compact JSON through [`JsonWriter`]: the bytes `serde_json`
//! writes, with strings checked for escapes eight bytes at a time instead of one by one. The
//! Conversions API's event types are written by their derived `Serialize` through it, so their
//! field lists are declared once, on the types, for both writers.
//!
//! Numbers are formatted by `serde_json`'s own [`CompactFormatter`], map keys are taken as
//! `serde_json` takes them (strings, and integers, characters and flags as strings), and
//! `serde_json`'s raw values are copied as they are.

use std::fmt;
use std::io;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::ser::{CompactFormatter, Formatter};

use super::has_special_byte;
use super::write::JsonWriter;

/// Appends `value` as compact JSON to `out`: what `serde_json::to_writer` writes for it.
///
/// # Errors
///
/// A `Serialize` implementation's own error, or a map key that is not a string, a number, a
/// character or a flag. Nothing is written then.
pub(crate) fn append<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    let start = out.len();
    let mut writer = JsonWriter {
        out,
        script_safe: false,
    };
    value.serialize(&mut writer).inspect_err(|_| {
        writer.out.truncate(start);
    })
}

/// Why a value could not be written.
#[derive(Debug)]
pub(crate) struct Error(Box<str>);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error(message.to_string().into())
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Error {
        Error(error.to_string().into())
    }
}

/// Methods of the serializer writing a narrower integer as a wider one.
macro_rules! widened {
    ($($method:ident: $type:ty => $wide:ident,)*) => {$(
        fn $method(self, value: $type) -> Result<(), Error> {
            self.$wide(value.into())
        }
    )*};
}

impl<'w, 'o> ser::Serializer for &'w mut JsonWriter<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'o>;
    type SerializeTuple = Compound<'w, 'o>;
    type SerializeTupleStruct = Compound<'w, 'o>;
    type SerializeTupleVariant = Compound<'w, 'o>;
    type SerializeMap = Compound<'w, 'o>;
    type SerializeStruct = Compound<'w, 'o>;
    type SerializeStructVariant = Compound<'w, 'o>;

    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.bytes(if value { b"true" } else { b"false" });
        Ok(())
    }

    // Narrower integers as the widest of their sign.
    widened!(
        serialize_i8: i8 => serialize_i64,
        serialize_i16: i16 => serialize_i64,
        serialize_i32: i32 => serialize_i64,
        serialize_u8: u8 => serialize_u64,
        serialize_u16: u16 => serialize_u64,
        serialize_u32: u32 => serialize_u64,
    );

    fn serialize_i64(self, value: i64) -> Result<(), Error> {
        Ok(CompactFormatter.write_i64(self.out, value)?)
    }

    fn serialize_i128(self, value: i128) -> Result<(), Error> {
        Ok(CompactFormatter.write_i128(self.out, value)?)
    }

    fn serialize_u64(self, value: u64) -> Result<(), Error> {
        Ok(CompactFormatter.write_u64(self.out, value)?)
    }

    fn serialize_u128(self, value: u128) -> Result<(), Error> {
        Ok(CompactFormatter.write_u128(self.out, value)?)
    }

    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        // Infinities and NaN are not JSON numbers: serde_json writes them as null.
        if value.is_finite() {
            Ok(CompactFormatter.write_f32(self.out, value)?)
        } else {
            self.serialize_unit()
        }
    }

    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        if value.is_finite() {
            Ok(CompactFormatter.write_f64(self.out, value)?)
        } else {
            self.serialize_unit()
        }
    }

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    #[inline(always)]
    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.string(value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq as _;
        let mut list = self.serialize_seq(Some(value.len()))?;
        for byte in value {
            list.serialize_element(byte)?;
        }
        list.end()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.bytes(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.bytes(b"{");
        self.key(variant);
        value.serialize(&mut *self)?;
        self.bytes(b"}");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'o>, Error> {
        Ok(Compound::open(self, b'[', b']'))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'o>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'o>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'o>, Error> {
        Ok(Compound::variant(self, variant, b'[', b']'))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'o>, Error> {
        Ok(Compound::open(self, b'{', b'}'))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'w, 'o>, Error> {
        if name == RAW_VALUE {
            return Ok(Compound::raw(self));
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'o>, Error> {
        Ok(Compound::variant(self, variant, b'{', b'}'))
    }
}

/// An array or object being written: its elements or members, with commas between them.
pub(crate) struct Compound<'w, 'o> {
    writer: &'w mut JsonWriter<'o>,
    empty: bool,
    /// The closing bracket.
    close: u8,
    /// Whether the compound is a variant's value, inside an object to close too.
    in_variant: bool,
    /// Whether the compound is a `serde_json` raw value: its one field's text, copied as it is.
    raw: bool,
}

/// The name `serde_json` gives a raw value, serialized as a struct of one field, its text.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

impl<'w, 'o> Compound<'w, 'o> {
    fn open(writer: &'w mut JsonWriter<'o>, open: u8, close: u8) -> Self {
        writer.out.push(open);
        Compound {
            writer,
            empty: true,
            close,
            in_variant: false,
            raw: false,
        }
    }

    /// A raw value: nothing around its text.
    fn raw(writer: &'w mut JsonWriter<'o>) -> Self {
        Compound {
            writer,
            empty: true,
            close: b'}',
            in_variant: false,
            raw: true,
        }
    }

    /// `{"variant":` and the compound holding the variant's value.
    fn variant(writer: &'w mut JsonWriter<'o>, variant: &str, open: u8, close: u8) -> Self {
        writer.out.push(b'{');
        writer.key(variant);
        Compound {
            in_variant: true,
            ..Compound::open(writer, open, close)
        }
    }

    /// Before an element or a member.
    fn next(&mut self) {
        if !self.empty {
            self.writer.out.push(b',');
        }
        self.empty = false;
    }

    #[inline(always)]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.next();
        value.serialize(&mut *self.writer)
    }

    #[inline(always)]
    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        if self.raw {
            let text = value.serialize(KeyText)?;
            self.writer.bytes(text.as_bytes());
            return Ok(());
        }
        self.next();
        // A struct's field names are identifiers: they need no escape.
        if self.writer.script_safe || has_special_byte(key.as_bytes()) {
            self.writer.key(key);
        } else {
            self.writer.plain_key(key);
        }
        value.serialize(&mut *self.writer)
    }

    fn close(self) {
        if self.raw {
            return;
        }
        self.writer.out.push(self.close);
        if self.in_variant {
            self.writer.out.push(b'}');
        }
    }
}

/// The traits of compounds of elements, one method writing an element.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }

            fn end(self) -> Result<(), Error> {
                self.close();
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.next();
        let text = key.serialize(KeyText)?;
        self.writer.key(&text);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

/// The traits of compounds of named fields.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.member(key, value)
            }

            fn end(self) -> Result<(), Error> {
                self.close();
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// A map key's text, as `serde_json` takes keys: strings, and integers, characters and flags
/// written as strings.
struct KeyText;

/// The error for a key `serde_json` refuses too.
fn not_a_key() -> Error {
    Error("a map key must be a string".into())
}

/// Methods of [`KeyText`] giving a value's text.
macro_rules! key_as_text {
    ($($method:ident: $type:ty,)*) => {$(
        fn $method(self, value: $type) -> Result<String, Error> {
            Ok(value.to_string())
        }
    )*};
}

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    // Integers, characters and flags as their text.
    key_as_text!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
        serialize_char: char,
    );

    fn serialize_f32(self, _value: f32) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_f64(self, _value: f64) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_str(self, value: &str) -> Result<String, Error> {
        Ok(value.to_owned())
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_none(self) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_unit(self) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Error> {
        Err(not_a_key())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_a_key())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_a_key())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_a_key())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_a_key())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_a_key())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(not_a_key())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_a_key())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    fn both<T: Serialize>(value: &T) -> (String, String) {
        let mut out = b"kept".to_vec();
        append(value, &mut out).unwrap();
        (
            String::from_utf8(out).unwrap(),
            format!("kept{}", serde_json::to_string(value).unwrap()),
        )
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(i8),
        Tuple(u8, char),
        Struct { a: Option<f32>, b: () },
    }

    #[derive(Serialize)]
    struct Everything<'a> {
        flags: (bool, bool),
        integers: (i64, u64, i128, u128, i16, u32),
        floats: Vec<f64>,
        text: &'a str,
        #[serde(with = "serde_bytes_as_seq")]
        bytes: &'a [u8],
        shapes: Vec<Shape>,
        keys: BTreeMap<i32, &'a str>,
        named: BTreeMap<&'a str, Option<&'a str>>,
        unit_struct: UnitStruct,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        empty: Vec<u8>,
    }

    #[derive(Serialize)]
    struct UnitStruct;

    mod serde_bytes_as_seq {
        pub(super) fn serialize<S: serde::Serializer>(
            bytes: &[u8],
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(bytes)
        }
    }

    #[test]
    fn writes_what_serde_json_writes_for_every_kind_of_value() {
        let value = Everything {
            flags: (true, false),
            integers: (i64::MIN, u64::MAX, i128::MIN, u128::MAX, -7, 7),
            floats: vec![0.0, -0.0, 1.5, 1e300, f64::NAN, f64::INFINITY, 0.1 + 0.2],
            text: "q\"b\\s/ \n\r\t\u{8}\u{c}\u{1}\u{7f} é \u{2028} </script>&",
            bytes: &[0, 255],
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(-1),
                Shape::Tuple(2, '"'),
                Shape::Struct {
                    a: Some(f32::NEG_INFINITY),
                    b: (),
                },
                Shape::Struct { a: None, b: () },
            ],
            keys: BTreeMap::from([(-1, "a"), (2, "b")]),
            named: BTreeMap::from([("k\"", None), ("", Some("v"))]),
            unit_struct: UnitStruct,
            skipped: None,
            empty: Vec::new(),
        };
        let (written, serde) = both(&value);
        assert_eq!(written, serde);
    }

    #[test]
    fn raw_values_are_copied_as_they_are() {
        let raw = serde_json::value::RawValue::from_string("{ \"a\" :\n[1.50, \"<\"] }".into());
        let value = vec![Some(raw.unwrap())];
        let (written, serde) = both(&value);
        assert_eq!(written, serde);
        assert_eq!(written, "kept[{ \"a\" :\n[1.50, \"<\"] }]");
    }

    #[test]
    fn keys_serde_json_refuses_are_refused_and_nothing_is_written() {
        let mut out = b"kept".to_vec();
        let map = BTreeMap::from([((1, 2), "pair")]);
        let error = append(&map, &mut out).unwrap_err();
        assert_eq!(error.to_string(), "a map key must be a string");
        assert_eq!(out, b"kept");
        assert!(serde_json::to_string(&map).is_err());
    }

    #[test]
    fn a_serialize_error_writes_nothing() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom("no"))
            }
        }
        let mut out = b"kept".to_vec();
        let error = append(&[Some(Fails)], &mut out).unwrap_err();
        assert_eq!(error.to_string(), "no");
        assert_eq!(out, b"kept");
    }
}
