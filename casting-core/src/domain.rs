//! Validated values. Each type can only hold a value that obeys the contract's rules, and its
//! `parse` constructor says which field is wrong and why.

use std::borrow::Cow;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The most characters a title or a name may have, after trimming.
pub const MAX_TEXT_CHARS: usize = 200;
/// The oldest age an actor may have.
pub const MAX_AGE: i64 = 150;

/// One input field that broke a rule: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the contract spells it (`title`, `age`, `page`…).
    pub field: Cow<'static, str>,
    /// Why the value was refused, in a sentence a client can show.
    pub message: Cow<'static, str>,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

fn parse_text(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be blank"));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters (got {chars})"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

macro_rules! text_value {
    ($(#[$doc:meta])* $ty:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(String);

        impl $ty {
            /// Trims `raw` and checks it: 1 to 200 characters, no control characters.
            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                parse_text($field, raw).map(Self)
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $ty {
            type Error = FieldError;
            fn try_from(raw: String) -> Result<Self, FieldError> {
                Self::parse(&raw)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_value!(
    /// A movie's title: trimmed, 1 to 200 characters, no control characters.
    Title,
    "title"
);
text_value!(
    /// An actor's name: trimmed, 1 to 200 characters, no control characters.
    Name,
    "name"
);
text_value!(
    /// The character an actor plays in a movie: trimmed, 1 to 200 characters, no control
    /// characters.
    Character,
    "character"
);

/// An actor's age in years, 0 to 150.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Age(u8);

impl Age {
    /// Checks that `years` is between 0 and 150.
    pub fn parse(years: i64) -> Result<Self, FieldError> {
        match u8::try_from(years) {
            Ok(value) if i64::from(value) <= MAX_AGE => Ok(Self(value)),
            _ => Err(FieldError::new(
                "age",
                format!("must be between 0 and {MAX_AGE} (got {years})"),
            )),
        }
    }

    /// The age in years.
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for Age {
    type Error = FieldError;
    fn try_from(years: i64) -> Result<Self, FieldError> {
        Self::parse(years)
    }
}

impl From<Age> for i64 {
    fn from(age: Age) -> i64 {
        age.get()
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An actor's gender. Parsing ignores case and surrounding spaces; output is capitalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Gender {
    /// `Female`
    Female,
    /// `Male`
    Male,
    /// `Other`
    Other,
}

impl Gender {
    /// Every gender, in the order the contract lists them.
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];

    /// Reads `Female`, `Male` or `Other`, in any case.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|gender| gender.as_str().eq_ignore_ascii_case(raw))
            .ok_or_else(|| FieldError::new("gender", "must be one of Female, Male, Other"))
    }

    /// The capitalised name: `Female`, `Male` or `Other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "Female",
            Gender::Male => "Male",
            Gender::Other => "Other",
        }
    }
}

impl TryFrom<String> for Gender {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse(&raw)
    }
}

impl From<Gender> for String {
    fn from(gender: Gender) -> String {
        gender.as_str().to_owned()
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a release date that cannot be read is told.
pub const DATE_FORMATS: &str = "must be a date written DD-MM-YYYY, YYYY-MM-DD, or as the API \
                                writes it (Sat, 08 Feb 2025 00:00:00 GMT)";

/// The week's days and the year's months as an IMF-fixdate (RFC 9110 §5.6.7) names them.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A movie's release date: a calendar date with a four-digit year (0001 to 9999).
///
/// [`ReleaseDate::parse`] reads the original API's `DD-MM-YYYY` (`08-02-2025` is 8 February 2025),
/// ISO `YYYY-MM-DD`, each with exactly those digit counts, and the form the API writes, an
/// IMF-fixdate at midnight GMT (`Sat, 08 Feb 2025 00:00:00 GMT`, its weekday right), so a
/// client can send back what it read; it rejects impossible dates and any other time or zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "NaiveDate", into = "NaiveDate")]
pub struct ReleaseDate(NaiveDate);

impl ReleaseDate {
    /// Reads `DD-MM-YYYY`, `YYYY-MM-DD` or `Sat, 08 Feb 2025 00:00:00 GMT`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad_format = || FieldError::new("release_date", DATE_FORMATS);
        if raw.len() == 29 {
            return Self::parse_written(raw).ok_or_else(bad_format)?;
        }
        let bytes = raw.as_bytes();
        if bytes.len() != 10 {
            return Err(bad_format());
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            bytes[range].iter().try_fold(0u32, |acc, b| {
                b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
            })
        };
        let (year, month, day) = if bytes[2] == b'-' && bytes[5] == b'-' {
            (digits(6..10), digits(3..5), digits(0..2))
        } else if bytes[4] == b'-' && bytes[7] == b'-' {
            (digits(0..4), digits(5..7), digits(8..10))
        } else {
            return Err(bad_format());
        };
        let (Some(year), Some(month), Some(day)) = (year, month, day) else {
            return Err(bad_format());
        };
        let year = i32::try_from(year).map_err(|_| bad_format())?;
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
            FieldError::new(
                "release_date",
                format!("{raw} is not a date in the calendar"),
            )
        })?;
        Self::try_from(date)
    }

    /// The calendar date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// The date as the API writes it: `Sat, 08 Feb 2025 00:00:00 GMT`.
    pub fn written(self) -> String {
        let date = self.0;
        format!(
            "{}, {:02} {} {:04} 00:00:00 GMT",
            WEEKDAYS[date.weekday().num_days_from_monday() as usize],
            date.day(),
            MONTHS[date.month0() as usize],
            date.year()
        )
    }

    /// An IMF-fixdate at midnight GMT, exactly as [`Self::written`] writes it; `None` when the
    /// shape is another, `Some(Err)` when the shape is right but the date is not (an impossible
    /// date, or a weekday that is not the date's).
    fn parse_written(raw: &str) -> Option<Result<Self, FieldError>> {
        let (weekday, rest) = raw.split_at_checked(3)?;
        let rest = rest.strip_prefix(", ")?;
        let (day, rest) = rest.split_at_checked(2)?;
        let rest = rest.strip_prefix(' ')?;
        let (month, rest) = rest.split_at_checked(3)?;
        let rest = rest.strip_prefix(' ')?;
        let (year, rest) = rest.split_at_checked(4)?;
        if rest != " 00:00:00 GMT" {
            return None;
        }
        let number = |text: &str| {
            text.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| text.parse::<u32>().ok())
                .flatten()
        };
        let weekday = WEEKDAYS.iter().position(|w| *w == weekday)?;
        let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
        let (day, year) = (number(day)?, i32::try_from(number(year)?).ok()?);
        let impossible = || {
            FieldError::new(
                "release_date",
                format!("{raw} is not a date in the calendar"),
            )
        };
        Some(
            NaiveDate::from_ymd_opt(year, month, day)
                .filter(|date| date.weekday().num_days_from_monday() as usize == weekday)
                .ok_or_else(impossible)
                .and_then(Self::try_from),
        )
    }
}

impl TryFrom<NaiveDate> for ReleaseDate {
    type Error = FieldError;
    fn try_from(date: NaiveDate) -> Result<Self, FieldError> {
        if (1..=9999).contains(&date.year()) {
            Ok(Self(date))
        } else {
            Err(FieldError::new(
                "release_date",
                "year must be between 0001 and 9999",
            ))
        }
    }
}

impl From<ReleaseDate> for NaiveDate {
    fn from(date: ReleaseDate) -> NaiveDate {
        date.0
    }
}

impl fmt::Display for ReleaseDate {
    /// ISO `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format("%Y-%m-%d").fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_trimmed() {
        assert_eq!(Title::parse("  Up  ").unwrap().as_str(), "Up");
    }

    #[test]
    fn title_length_edges_count_characters_not_bytes() {
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        assert!(Title::parse("x").is_ok());
        let err = Title::parse(&"é".repeat(201)).unwrap_err();
        assert_eq!(err.field, "title");
        assert!(err.message.contains("200"), "{err}");
        // Spaces around do not count.
        assert!(Title::parse(&format!("  {}  ", "a".repeat(200))).is_ok());
    }

    #[test]
    fn blank_text_is_rejected_with_its_field() {
        for raw in ["", " ", "\t\n "] {
            assert_eq!(Title::parse(raw).unwrap_err().field, "title");
            assert_eq!(Name::parse(raw).unwrap_err().field, "name");
        }
    }

    #[test]
    fn control_characters_are_rejected() {
        assert!(Title::parse("a\0b").is_err());
        assert!(Name::parse("a\u{7}b").is_err());
        assert!(Name::parse("line\nbreak").is_err());
    }

    #[test]
    fn name_edges() {
        assert_eq!(Name::parse(" Ada ").unwrap().as_str(), "Ada");
        assert!(Name::parse(&"n".repeat(200)).is_ok());
        assert!(Name::parse(&"n".repeat(201)).is_err());
    }

    #[test]
    fn age_edges() {
        assert_eq!(Age::parse(0).unwrap().get(), 0);
        assert_eq!(Age::parse(150).unwrap().get(), 150);
        for bad in [-1, 151, 200, 256, i64::MIN, i64::MAX] {
            let err = Age::parse(bad).unwrap_err();
            assert_eq!(err.field, "age");
        }
    }

    #[test]
    fn gender_is_case_insensitive_and_capitalised() {
        for (raw, gender) in [
            ("male", Gender::Male),
            ("MALE", Gender::Male),
            ("Female", Gender::Female),
            (" oThEr ", Gender::Other),
        ] {
            assert_eq!(Gender::parse(raw).unwrap(), gender);
        }
        assert_eq!(Gender::Male.to_string(), "Male");
        for bad in ["", "m", "robot", "males"] {
            assert_eq!(Gender::parse(bad).unwrap_err().field, "gender");
        }
    }

    #[test]
    fn release_date_reads_both_formats() {
        let feb8 = NaiveDate::from_ymd_opt(2025, 2, 8).unwrap();
        assert_eq!(ReleaseDate::parse("08-02-2025").unwrap().date(), feb8);
        assert_eq!(ReleaseDate::parse("2025-02-08").unwrap().date(), feb8);
        assert_eq!(ReleaseDate::parse("29-02-2024").unwrap().date().day(), 29);
        assert!(ReleaseDate::parse("0001-01-01").is_ok());
        assert!(ReleaseDate::parse("31-12-9999").is_ok());
    }

    #[test]
    fn release_date_reads_what_the_api_writes() {
        for (written, iso) in [
            ("Sat, 08 Feb 2025 00:00:00 GMT", "2025-02-08"),
            ("Thu, 29 Feb 2024 00:00:00 GMT", "2024-02-29"),
            ("Mon, 01 Jan 0001 00:00:00 GMT", "0001-01-01"),
            ("Fri, 31 Dec 9999 00:00:00 GMT", "9999-12-31"),
        ] {
            let date = ReleaseDate::parse(written).unwrap();
            assert_eq!(date, ReleaseDate::parse(iso).unwrap(), "{written}");
            assert_eq!(date.written(), written, "it round-trips");
        }
        for bad in [
            "Sat, 08 Feb 2025 00:00:01 GMT",
            "Sat, 08 Feb 2025 00:00:00 UTC",
            "Sat, 08 Feb 2025 00:00:00 +0000",
            "sat, 08 Feb 2025 00:00:00 GMT",
            "Sat, 08 feb 2025 00:00:00 GMT",
            "Sat,  8 Feb 2025 00:00:00 GMT",
            "Sat, 8 Feb 2025 00:00:00 GMT",
            "Saturday, 08 Feb 2025 00:00:00 GMT",
            "Sat, 08 Feb 2025",
        ] {
            assert_eq!(
                ReleaseDate::parse(bad).unwrap_err().message,
                DATE_FORMATS,
                "{bad}"
            );
        }
        // The right shape, but not a day of the calendar: the weekday is wrong, or no such date.
        for impossible in [
            "Fri, 08 Feb 2025 00:00:00 GMT",
            "Sat, 30 Feb 2025 00:00:00 GMT",
        ] {
            let err = ReleaseDate::parse(impossible).unwrap_err();
            assert!(err.message.contains("not a date in the calendar"), "{err}");
        }
    }

    #[test]
    fn release_date_rejects_other_formats_and_impossible_dates() {
        for bad in [
            "2000",
            "2025/02/08",
            "8-2-2025",
            "08-2-2025",
            "2025-2-08",
            "08.02.2025",
            "+2025-02-8",
            "2025-02-08T00:00:00",
            "",
            "aa-bb-cccc",
            "١٢-٠٢-٢٠٢٥",
        ] {
            let err = ReleaseDate::parse(bad).unwrap_err();
            assert_eq!(err.field, "release_date", "{bad}");
        }
        for impossible in [
            "31-02-2025",
            "29-02-2025",
            "2025-13-01",
            "00-01-2025",
            "0000-01-01",
        ] {
            assert!(ReleaseDate::parse(impossible).is_err(), "{impossible}");
        }
    }

    #[test]
    fn serde_goes_through_the_rules() {
        let title: Result<Title, _> = serde_json::from_str("\"   \"");
        assert!(title.is_err());
        let gender: Gender = serde_json::from_str("\"female\"").unwrap();
        assert_eq!(serde_json::to_string(&gender).unwrap(), "\"Female\"");
        let age: Result<Age, _> = serde_json::from_str("151");
        assert!(age.is_err());
    }
}
