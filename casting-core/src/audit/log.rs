//! The trail read as a log (`GET /changes`): entries oldest first, after a position that a
//! reader keeps. Every entry has one place in one total order that agrees with commit order:
//! a reader that has read up to a position never later finds a new entry at or before it, and
//! an entry, once readable, never changes.

use std::time::Duration;

use crate::audit::{AuditEntry, parse_resource};
use crate::domain::FieldError;
use crate::error::Error;
use crate::model::ResourceKind;

/// The most entries one read of the log gives.
pub const LOG_LIMIT_MAX: u16 = 1_000;
/// How many entries a read gives when it does not say.
pub const LOG_LIMIT_DEFAULT: u16 = 100;
/// The longest a reader may ask to wait for an entry (`wait`).
pub const LOG_WAIT_MAX: Duration = Duration::from_secs(60);
/// The longest a read is held, whatever it asks: under the HTTP server's 60 s keep-alive
/// deadline, which also bounds a request that makes no progress.
pub const LOG_HOLD_MAX: Duration = Duration::from_secs(55);

/// Where a read of the log starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogStart {
    /// At the oldest entry kept.
    Oldest,
    /// After this position (an entry's id): the entries with higher ids.
    After(i64),
    /// After the newest entry: no entries, and the cursor to follow from now.
    Now,
}

/// A position in the log as clients hold it: an opaque cursor string.
///
/// The text is the position in decimal. Clients must not build it: only a `next`, an event id
/// or the `details.cursor` of a 410 is a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cursor(i64);

impl Cursor {
    /// The cursor of `position` (0: before every entry).
    pub const fn at(position: i64) -> Self {
        Self(position)
    }

    /// The position: the id of the last entry read, or 0.
    pub const fn position(self) -> i64 {
        self.0
    }

    /// Reads a cursor a client sent back: a position, or `now`; anything else is a bad request
    /// naming `field`.
    pub fn parse_start(text: &str, field: &'static str) -> Result<LogStart, FieldError> {
        if text == "now" {
            return Ok(LogStart::Now);
        }
        let mangled = || FieldError::new(field, "must be a cursor from this API, or `now`");
        if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(mangled());
        }
        text.parse::<i64>()
            .map(LogStart::After)
            .map_err(|_| mangled())
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What `GET /changes` asks, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogParams {
    /// A cursor, or `now`; absent: from the oldest entry kept.
    pub after: Option<String>,
    /// The most entries to give.
    pub limit: Option<i64>,
    /// `movie` or `actor`.
    pub resource: Option<String>,
    /// Seconds to wait for an entry when none follows the cursor.
    pub wait: Option<i64>,
}

/// What a read of the log asks, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogQuery {
    start: LogStart,
    limit: u16,
    resource: Option<ResourceKind>,
}

impl LogQuery {
    /// A read from `start` of at most `limit` entries (1 to [`LOG_LIMIT_MAX`]), of one kind of
    /// record or both.
    pub fn new(
        start: LogStart,
        limit: Option<i64>,
        resource: Option<ResourceKind>,
    ) -> Result<Self, FieldError> {
        let limit = match limit {
            None => LOG_LIMIT_DEFAULT,
            Some(n) if (1..=i64::from(LOG_LIMIT_MAX)).contains(&n) => n as u16,
            Some(_) => {
                return Err(FieldError::new(
                    "limit",
                    format!("must be between 1 and {LOG_LIMIT_MAX}"),
                ));
            }
        };
        Ok(Self {
            start,
            limit,
            resource,
        })
    }

    /// Checks every parameter of `GET /changes`, naming each one at fault; gives the read and
    /// how long to hold it (at most [`LOG_HOLD_MAX`]).
    pub fn parse(params: &LogParams) -> Result<(Self, Duration), Error> {
        let mut errors = Vec::new();
        let start = match params.after.as_deref() {
            None => LogStart::Oldest,
            Some(text) => Cursor::parse_start(text, "after").unwrap_or_else(|error| {
                errors.push(error);
                LogStart::Oldest
            }),
        };
        let resource = parse_resource(params.resource.as_deref(), &mut errors);
        let wait = match params.wait {
            None => Duration::ZERO,
            Some(seconds) if (0..=LOG_WAIT_MAX.as_secs() as i64).contains(&seconds) => {
                Duration::from_secs(seconds.unsigned_abs())
            }
            Some(_) => {
                errors.push(FieldError::new("wait", "must be between 0 and 60 seconds"));
                Duration::ZERO
            }
        };
        let query = Self::new(start, params.limit, resource).map_err(|error| errors.push(error));
        match query {
            Ok(query) if errors.is_empty() => Ok((query, wait.min(LOG_HOLD_MAX))),
            _ => Err(Error::BadRequest(errors)),
        }
    }

    /// Where the read starts.
    pub fn start(&self) -> LogStart {
        self.start
    }

    /// The most entries it gives.
    pub fn limit(&self) -> u16 {
        self.limit
    }

    /// The kind of record it keeps, or both.
    pub fn resource(&self) -> Option<ResourceKind> {
        self.resource
    }

    /// The same read from `start`.
    pub fn from(self, start: LogStart) -> Self {
        Self { start, ..self }
    }
}

/// What a read of the log gives: entries oldest first, and the cursor to read on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    /// The entries after the start, oldest first (at most the query's limit).
    pub entries: Vec<AuditEntry>,
    /// Where the next read starts: after the last entry given, or the start when none came
    /// (the newest position for [`LogStart::Now`]).
    pub next: Cursor,
}

impl LogPage {
    /// The page of `entries` (oldest first) read after `start`.
    pub fn new(entries: Vec<AuditEntry>, start: Cursor) -> Self {
        let next = entries.last().map_or(start, |e| Cursor::at(e.id));
        Self { entries, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_positions_or_now_and_nothing_else() {
        assert_eq!(Cursor::parse_start("0", "after"), Ok(LogStart::After(0)));
        assert_eq!(Cursor::parse_start("42", "after"), Ok(LogStart::After(42)));
        assert_eq!(Cursor::parse_start("now", "after"), Ok(LogStart::Now));
        for bad in [
            "",
            "-1",
            "+1",
            "1e3",
            "abc",
            "99999999999999999999",
            "1 ",
            "NOW",
        ] {
            assert!(Cursor::parse_start(bad, "after").is_err(), "{bad:?}");
        }
        assert_eq!(Cursor::at(7).to_string(), "7");
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let params = LogParams {
            after: Some("x".into()),
            limit: Some(0),
            resource: Some("cast".into()),
            wait: Some(61),
        };
        let Err(Error::BadRequest(errors)) = LogQuery::parse(&params) else {
            panic!("a bad request");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["after", "resource", "wait", "limit"]);
        let held = LogParams {
            wait: Some(60),
            ..LogParams::default()
        };
        let (query, wait) = LogQuery::parse(&held).unwrap();
        assert_eq!((query.start(), wait), (LogStart::Oldest, LOG_HOLD_MAX));
    }

    #[test]
    fn the_limit_is_checked() {
        assert_eq!(
            LogQuery::new(LogStart::Oldest, None, None).unwrap().limit(),
            100
        );
        assert_eq!(
            LogQuery::new(LogStart::Oldest, Some(1000), None)
                .unwrap()
                .limit(),
            1000
        );
        for bad in [0, -1, 1001] {
            assert!(LogQuery::new(LogStart::Oldest, Some(bad), None).is_err());
        }
    }
}
