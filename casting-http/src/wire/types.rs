//! Field types whose OpenAPI schema states the contract's rules while parsing accepts any value
//! of the right JSON type: the rules themselves are enforced by casting-core's constructors, so
//! a well-formed but invalid value is a 422 naming the field, not a parser's 400.

use std::borrow::Cow;

use casting_core::ReleaseDate;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use crate::errors::ID_RULE;

macro_rules! passthrough {
    (
        $(#[$doc:meta])* $ty:ident($inner:ty), $json:ident, $schema_name:literal,
        named $named:ty
    ) => {
        $crate::wire::types::passthrough!(@type $(#[$doc])* $ty($inner), $json, $schema_name,
            <$named as $crate::wire::types::NamedSchema>::reference(),
            <$named as $crate::wire::types::NamedSchema>::register);
    };
    (
        $(#[$doc:meta])* $ty:ident($inner:ty), $json:ident, $schema_name:literal,
        $schema:expr
    ) => {
        $crate::wire::types::passthrough!(@type $(#[$doc])* $ty($inner), $json, $schema_name,
            MetaSchemaRef::Inline(Box::new($schema)), |_| {});
    };
    (
        @type $(#[$doc:meta])* $ty:ident($inner:ty), $json:ident, $schema_name:literal,
        $schema_ref:expr, $register:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $ty(pub $inner);

        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                $schema_name.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                $schema_ref
            }

            fn register(registry: &mut poem_openapi::registry::Registry) {
                #[allow(clippy::redundant_closure_call)]
                ($register)(registry);
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                Some(Value::$json(self.0.clone().into()))
            }
        }
    };
}

pub(crate) use passthrough;

/// A schema with a name of its own in the document's components, which every field and
/// parameter of its kind refers to (`$ref`), so a generated client has one type for it.
pub(crate) trait NamedSchema {
    /// The component's name.
    const NAME: &'static str;
    /// The schema.
    fn schema() -> MetaSchema;

    /// Registers the component (once, whoever refers to it first).
    fn register(registry: &mut poem_openapi::registry::Registry)
    where
        Self: Sized + 'static,
    {
        registry.create_schema::<Self, _>(Self::NAME.to_owned(), |_| Self::schema());
    }

    /// A reference to the component.
    fn reference() -> MetaSchemaRef
    where
        Self: Sized,
    {
        MetaSchemaRef::Reference(Self::NAME.to_owned())
    }
}

/// The genders, as the API writes them: `Gender` in the document.
pub(crate) enum GenderSchema {}

impl NamedSchema for GenderSchema {
    const NAME: &'static str = "Gender";

    fn schema() -> MetaSchema {
        MetaSchema {
            description: Some(
                "`Female`, `Male` or `Other`, as answers write them (inputs take any case).",
            ),
            enum_items: ["Female", "Male", "Other"]
                .into_iter()
                .map(|g| Value::String(g.into()))
                .collect(),
            ..MetaSchema::new("string")
        }
    }
}

passthrough!(
    /// A title or a name: trimmed, 1 to 200 characters.
    Text(String),
    String,
    "string_text",
    MetaSchema {
        description: Some("Trimmed; 1 to 200 characters; no control characters."),
        min_length: Some(1),
        max_length: Some(200),
        // Something besides white space (which is trimmed), and no control character anywhere.
        pattern: Some(
            "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
                .into()
        ),
        ..MetaSchema::new("string")
    }
);

passthrough!(
    /// A moment, written in RFC 3339 in UTC (`2026-11-27T21:04:05.123456Z`).
    Timestamp(String),
    String,
    "string_date_time",
    MetaSchema {
        description: Some("RFC 3339, in UTC."),
        format: Some("date-time"),
        example: Some(Value::String("2026-11-27T21:04:05.123456Z".into())),
        ..MetaSchema::new("string")
    }
);

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl Timestamp {
    /// The moment, written as the schema says.
    pub fn of(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

passthrough!(
    /// A release date as bodies send it (the schema only: the core parses the text).
    DateText(String),
    String,
    "string_date_input",
    MetaSchema {
        description: Some(
            "`DD-MM-YYYY` (`08-02-2025` is 8 February 2025), `YYYY-MM-DD`, or as answers write \
             it, `Sat, 08 Feb 2025 00:00:00 GMT` (an IMF-fixdate at midnight GMT, its weekday \
             right), so a record read can be sent back as it is. Any other time or zone is a 400."
        ),
        example: Some(Value::String("08-02-2025".into())),
        // The shape only: a date that does not exist (`31-02-2025`) is still a 400.
        pattern: Some(
            "^([0-9]{2}-[0-9]{2}-[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|\
             (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} \
             (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} 00:00:00 GMT)$"
                .into()
        ),
        ..MetaSchema::new("string")
    }
);

passthrough!(
    /// An age in years, 0 to 150.
    Years(i64),
    Number,
    "integer_years",
    MetaSchema {
        description: Some("Age in years, 0 to 150."),
        minimum: Some(0.0),
        maximum: Some(150.0),
        ..MetaSchema::new_with_format("integer", "int64")
    }
);

passthrough!(
    /// `Female`, `Male` or `Other`, in any case.
    GenderText(String),
    String,
    "string_gender",
    MetaSchema {
        description: Some("`Female`, `Male` or `Other`; any case is accepted, output is capitalised."),
        example: Some(Value::String("Female".into())),
        ..MetaSchema::new("string")
    }
);

/// A gender as the API writes it: `Female`, `Male` or `Other`, capitalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenderName(pub casting_core::Gender);

impl Type for GenderName {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_gender_name".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        GenderSchema::reference()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        GenderSchema::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for GenderName {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let text = string(value).map_err(ParseError::propagate)?;
        casting_core::Gender::parse(&text)
            .map(Self)
            .map_err(|e| ParseError::custom(e.message))
    }
}

impl serde::Serialize for GenderName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl ToJSON for GenderName {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.as_str().to_owned()))
    }
}

/// Only a JSON string: a number is the wrong type, not text (poem-openapi's `String` would
/// accept it).
fn string(value: Option<Value>) -> ParseResult<String> {
    match value {
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(ParseError::expected_type(other)),
        None => Err(ParseError::expected_input()),
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        string(value).map(Self).map_err(ParseError::propagate)
    }
}

impl ParseFromJSON for Text {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        string(value).map(Self).map_err(ParseError::propagate)
    }
}

impl ParseFromJSON for GenderText {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        string(value).map(Self).map_err(ParseError::propagate)
    }
}

passthrough!(
    /// A billing position as a cast body sends it, 1 to 1000000 (the core checks it).
    BillingNumber(i64),
    Number,
    "integer_billing",
    MetaSchema {
        description: Some("A billing position: 1 is top billing; 1 to 1000000."),
        minimum: Some(1.0),
        maximum: Some(1_000_000.0),
        ..MetaSchema::new_with_format("integer", "int64")
    }
);

impl ParseFromJSON for BillingNumber {
    /// Only a JSON integer.
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::Number(number)) => number
                .as_i64()
                .map(Self)
                .ok_or_else(|| ParseError::custom("billing must be a whole number")),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ParseFromJSON for Years {
    /// Only a JSON integer: `"40"` and `40.5` are the wrong type.
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::Number(number)) => match number.as_i64() {
                Some(years) => Ok(Self(years)),
                None => Err(ParseError::custom("age must be a whole number")),
            },
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

macro_rules! int_param {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $min:expr, $max:expr, $description:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty(pub i64);

        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    description: Some($description),
                    minimum: Some($min),
                    maximum: Some($max),
                    ..MetaSchema::new_with_format("integer", "int64")
                }))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromParameter for $ty {
            /// Any whole number: the range is the core's to check, so an out-of-range value
            /// is a 400 naming the parameter with the rule, not a parser's message.
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                value
                    .parse::<i64>()
                    .map(Self)
                    .map_err(|_| poem_openapi::types::ParseError::custom("must be a whole number"))
            }
        }

        impl ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                Some(Value::from(self.0))
            }
        }
    };
}

pub(crate) use int_param;

int_param!(
    /// `page`: from 1 (the schema states the bound; the core checks it).
    PageNumber,
    "integer_page",
    1.0,
    4_294_967_295.0,
    "Page number, from 1."
);

int_param!(
    /// `per_page`: 1 to 100 (the schema states the bounds; the core checks them).
    PageSize,
    "integer_per_page",
    1.0,
    100.0,
    "Page size, 1 to 100 (default 10)."
);

/// An id in a path: ASCII digits only, so `+1`, `-1`, ` 1` and `1.0` are 400s, never a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathId(pub i64);

impl Type for PathId {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "integer_id".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            minimum: Some(1.0),
            ..MetaSchema::new_with_format("integer", "int64")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for PathId {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::custom(ID_RULE));
        }
        value
            .parse::<i64>()
            .map(Self)
            .map_err(|_| ParseError::custom(ID_RULE))
    }
}

/// A release date: reads `DD-MM-YYYY`, `YYYY-MM-DD` or `Sat, 08 Feb 2025 00:00:00 GMT`, writes
/// the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDate(pub ReleaseDate);

impl ApiDate {
    /// The output form: an IMF-fixdate at midnight GMT, as the original API wrote dates
    /// (`Sat, 08 Feb 2025 00:00:00 GMT`); the core's [`ReleaseDate::written`], which also
    /// reads it back.
    pub fn http_date(self) -> String {
        self.0.written()
    }
}

impl Type for ApiDate {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_release_date".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some(
                "Written `Sat, 08 Feb 2025 00:00:00 GMT` (midnight GMT), as the original API \
                 wrote dates. Sent as `DD-MM-YYYY`, `YYYY-MM-DD`, or as written.",
            ),
            example: Some(Value::String("Sat, 08 Feb 2025 00:00:00 GMT".into())),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for ApiDate {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => ReleaseDate::parse(&text)
                .map(Self)
                .map_err(|e| ParseError::custom(e.message)),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl serde::Serialize for ApiDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.http_date())
    }
}

impl ToJSON for ApiDate {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.http_date()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_would_with_the_format_string() {
        let mut day = chrono::NaiveDate::from_ymd_opt(1, 1, 1).expect("date");
        let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("date");
        while day <= last {
            let date = ApiDate(ReleaseDate::try_from(day).expect("in range"));
            assert_eq!(
                date.http_date(),
                day.format("%a, %d %b %Y 00:00:00 GMT").to_string()
            );
            day = day + chrono::Days::new(97);
        }
    }

    #[test]
    fn path_ids_are_digits_only() {
        assert_eq!(PathId::parse_from_parameter("42").unwrap(), PathId(42));
        assert_eq!(PathId::parse_from_parameter("007").unwrap(), PathId(7));
        for bad in [
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.0",
            "0x1",
            "",
            "99999999999999999999",
            "١",
        ] {
            assert!(PathId::parse_from_parameter(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fields_are_strict_about_json_types_and_dates_read_both_forms() {
        for input in ["08-02-2025", "2025-02-08"] {
            let date = ApiDate::parse_from_json(Some(Value::String(input.into()))).unwrap();
            assert_eq!(date.http_date(), "Sat, 08 Feb 2025 00:00:00 GMT");
        }
        let date = ApiDate::parse_from_json(Some(Value::String("01-01-0999".into()))).unwrap();
        assert_eq!(date.http_date(), "Tue, 01 Jan 0999 00:00:00 GMT");
        assert!(Text::parse_from_json(Some(Value::from(7))).is_err());
        assert!(Years::parse_from_json(Some(Value::String("40".into()))).is_err());
        assert!(Years::parse_from_json(Some(Value::from(40.5))).is_err());
        assert_eq!(
            Years::parse_from_json(Some(Value::from(400))).unwrap(),
            Years(400)
        );
        for bad in [
            Value::String("2025/02/08".into()),
            Value::String("31-02-2025".into()),
            Value::from(2000),
            Value::Null,
        ] {
            assert!(ApiDate::parse_from_json(Some(bad)).is_err());
        }
    }
}
