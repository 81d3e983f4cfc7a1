//! Cursors: where a list page ended, bound to the query that made it.
//!
//! A cursor is URL-safe base64 (no padding) of: a format byte, the resource, a 64-bit
//! fingerprint of the query's `q`, filters and sort, the last record's value under each sort
//! key, and a 32-bit checksum of all of that. The checksum catches a mangled cursor; the
//! fingerprint catches a cursor sent with another query than the one that made it. Neither is a
//! secret: a client that forges a cursor only chooses where its own list starts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Datelike, NaiveDate};

use crate::domain::{MAX_TEXT_CHARS, ReleaseDate};
use crate::query::sort::{SortField, SortKey, SortValue, ValueKind};

const FORMAT: u8 = 1;
/// The longest cursor accepted, in characters: a sort on a 200-character title with three keys
/// stays well under it.
const MAX_CHARS: usize = 2048;

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CursorError {
    /// Not a cursor this server made, or changed since.
    Mangled,
    /// A cursor made for another resource, `q`, filter or sort.
    OtherQuery,
}

/// FNV-1a, 64 bits: stable across builds and platforms, which `std`'s hashers are not.
pub(crate) fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn checksum(bytes: &[u8]) -> [u8; 4] {
    let hash = bytes.iter().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
    });
    hash.to_be_bytes()
}

/// The cursor after a record with `values` (one per key of `keys`).
pub(crate) fn encode<F: SortField>(
    kind: u8,
    print: u64,
    keys: &[SortKey<F>],
    values: &[SortValue],
) -> String {
    let mut bytes = vec![FORMAT, kind];
    bytes.extend_from_slice(&print.to_be_bytes());
    for (key, value) in keys.iter().zip(values) {
        match (key.field.kind(), value) {
            (ValueKind::Int, SortValue::Int(n)) => bytes.extend_from_slice(&n.to_be_bytes()),
            (ValueKind::Date, SortValue::Date(date)) => {
                bytes.extend_from_slice(&date.date().num_days_from_ce().to_be_bytes());
            }
            (ValueKind::Text, SortValue::Text(text)) => {
                // Titles and names are at most 200 characters, so at most 800 bytes.
                let len = u16::try_from(text.len()).unwrap_or(u16::MAX);
                bytes.extend_from_slice(&len.to_be_bytes());
                bytes.extend_from_slice(&text.as_bytes()[..usize::from(len)]);
            }
            // A field's value always has the field's kind; `values_of` made it.
            _ => bytes.extend_from_slice(&0i64.to_be_bytes()),
        }
    }
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The values a cursor holds, if it is whole and was made for this resource and fingerprint.
pub(crate) fn decode<F: SortField>(
    text: &str,
    kind: u8,
    print: u64,
    keys: &[SortKey<F>],
) -> Result<Vec<SortValue>, CursorError> {
    if text.len() > MAX_CHARS {
        return Err(CursorError::Mangled);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| CursorError::Mangled)?;
    let Some((body, sum)) = bytes.split_last_chunk::<4>() else {
        return Err(CursorError::Mangled);
    };
    if checksum(body) != *sum {
        return Err(CursorError::Mangled);
    }
    let mut reader = Reader(body);
    if reader.take::<1>()? != [FORMAT] {
        return Err(CursorError::Mangled);
    }
    let tag = reader.take::<1>()?[0];
    let made_for = u64::from_be_bytes(reader.take::<8>()?);
    if tag != kind || made_for != print {
        return Err(CursorError::OtherQuery);
    }
    let mut values = Vec::with_capacity(keys.len());
    for key in keys {
        values.push(match key.field.kind() {
            ValueKind::Int => SortValue::Int(i64::from_be_bytes(reader.take::<8>()?)),
            ValueKind::Date => {
                let days = i32::from_be_bytes(reader.take::<4>()?);
                NaiveDate::from_num_days_from_ce_opt(days)
                    .and_then(|date| ReleaseDate::try_from(date).ok())
                    .map(SortValue::Date)
                    .ok_or(CursorError::Mangled)?
            }
            ValueKind::Text => {
                let len = u16::from_be_bytes(reader.take::<2>()?);
                let text = reader.slice(usize::from(len))?;
                let text = std::str::from_utf8(text).map_err(|_| CursorError::Mangled)?;
                if !could_be_stored(text) {
                    return Err(CursorError::Mangled);
                }
                SortValue::Text(text.to_owned())
            }
        });
    }
    if !reader.0.is_empty() {
        return Err(CursorError::Mangled);
    }
    Ok(values)
}

/// Whether `text` could be a stored title or name (at most 200 characters, no control
/// characters, NUL included): what this server writes into a cursor. Anything else was forged,
/// and must not reach a store (PostgreSQL refuses a NUL in text outright).
fn could_be_stored(text: &str) -> bool {
    text.chars().count() <= MAX_TEXT_CHARS && !text.chars().any(char::is_control)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn slice(&mut self, len: usize) -> Result<&'a [u8], CursorError> {
        if self.0.len() < len {
            return Err(CursorError::Mangled);
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(head)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], CursorError> {
        let head = self.slice(N)?;
        head.try_into().map_err(|_| CursorError::Mangled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::sort::{MovieField, Sort};

    fn keys(text: &str) -> Vec<SortKey<MovieField>> {
        Sort::<MovieField>::parse(text).unwrap().keys().to_vec()
    }

    #[test]
    fn round_trips_every_kind() {
        let keys = keys("title,-release_date");
        let values = vec![
            SortValue::Text("Ça & co — 🎬".into()),
            SortValue::Date(ReleaseDate::parse("0001-01-01").unwrap()),
            SortValue::Int(i64::MAX),
        ];
        let cursor = encode(1, 42, &keys, &values);
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode(&cursor, 1, 42, &keys), Ok(values));
    }

    #[test]
    fn another_query_or_resource_is_told_apart_from_mangling() {
        let keys = keys("id");
        let cursor = encode(1, 7, &keys, &[SortValue::Int(5)]);
        assert_eq!(decode(&cursor, 1, 8, &keys), Err(CursorError::OtherQuery));
        assert_eq!(decode(&cursor, 2, 7, &keys), Err(CursorError::OtherQuery));
        for bad in [
            "",
            "x",
            "!!!!",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &"A".repeat(5000),
        ] {
            assert_eq!(
                decode(bad, 1, 7, &keys),
                Err(CursorError::Mangled),
                "{bad:?}"
            );
        }
        // Every single-character change is caught.
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in 0..cursor.len() {
            for c in alphabet.chars() {
                let mut changed = cursor.clone();
                changed.replace_range(i..=i, &c.to_string());
                if changed != cursor {
                    assert!(decode(&changed, 1, 7, &keys).is_err());
                }
            }
        }
    }

    #[test]
    fn a_forged_text_value_is_mangled() {
        // Whole cursors (the checksum is right) whose text no title or name could hold.
        let keys = keys("title");
        for forged in ["a\0b", "\0", "tab\there", &"x".repeat(MAX_TEXT_CHARS + 1)] {
            let cursor = encode(
                1,
                7,
                &keys,
                &[SortValue::Text(forged.into()), SortValue::Int(1)],
            );
            assert_eq!(
                decode(&cursor, 1, 7, &keys),
                Err(CursorError::Mangled),
                "{forged:?}"
            );
        }
        let longest = "é".repeat(MAX_TEXT_CHARS);
        let cursor = encode(
            1,
            7,
            &keys,
            &[SortValue::Text(longest.clone()), SortValue::Int(1)],
        );
        assert_eq!(
            decode(&cursor, 1, 7, &keys),
            Ok(vec![SortValue::Text(longest), SortValue::Int(1)])
        );
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
