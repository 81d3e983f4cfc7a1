//! Safe concurrent editing: each record's [`Version`] and [`Revision`] (who made it and changed
//! it last, and when), what a write tells the store about itself ([`Edit`]), and idempotent
//! creates ([`IdempotencyKey`], [`Idempotency`], [`Created`]).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;

/// A record's version: 1 when created, one more on every change of the record itself
/// (including its list of movies or actors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(i64);

impl Version {
    /// A new record's version.
    pub const FIRST: Version = Version(1);

    /// The version `n`, when it is at least 1.
    pub fn new(n: i64) -> Option<Self> {
        (n >= 1).then_some(Self(n))
    }

    /// The version as a number.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// The version after this one.
    #[must_use]
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who made a record and who changed it last, when, and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// The version.
    pub version: Version,
    /// When the record was created (for records older than this field: when it was added).
    pub created_at: DateTime<Utc>,
    /// The subject of the token that created it; `None` where unknown.
    pub created_by: Option<String>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// The subject of the token that changed it last; `None` where unknown.
    pub updated_by: Option<String>,
}

impl Revision {
    /// The revision of a record `edit` creates.
    pub fn created(edit: &Edit) -> Self {
        Self {
            version: Version::FIRST,
            created_at: edit.at,
            created_by: Some(edit.by.clone()),
            updated_at: edit.at,
            updated_by: Some(edit.by.clone()),
        }
    }

    /// This revision after `edit` changed the record.
    pub fn changed(&mut self, edit: &Edit) {
        self.version = self.version.next();
        self.updated_at = edit.at;
        self.updated_by = Some(edit.by.clone());
    }
}

/// What a write tells the store about itself: who writes, when, and the version the caller
/// expects the record to have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The subject of the caller's token.
    pub by: String,
    /// When the write happens (the service's clock).
    pub at: DateTime<Utc>,
    /// The version the record must have for the write to go through; `None`: any version.
    /// A store checks it atomically with the write, and refuses with
    /// [`StoreError::PreconditionFailed`](crate::StoreError::PreconditionFailed) otherwise.
    pub expected: Option<Version>,
}

impl Edit {
    /// An edit by `by`, now (to the microsecond, as databases keep time), expecting any
    /// version.
    pub fn now(by: impl Into<String>) -> Self {
        let now = Utc::now();
        Self {
            by: by.into(),
            at: DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now),
            expected: None,
        }
    }

    /// The same edit at another time.
    #[must_use]
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = at;
        self
    }

    /// The same edit, expecting `version` (or any, for `None`).
    #[must_use]
    pub fn expecting(mut self, version: Option<Version>) -> Self {
        self.expected = version;
        self
    }

    /// `Ok` when `current` is what the edit expects; otherwise the version to report.
    pub fn check(&self, current: Version) -> Result<(), Version> {
        match self.expected {
            Some(expected) if expected != current => Err(current),
            _ => Ok(()),
        }
    }
}

/// The longest idempotency key, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// A client's name for one create, so that a retry does not create twice: 1 to 255 visible
/// ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks a key; the error names `Idempotency-Key`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let bad = |message: &'static str| FieldError::new("Idempotency-Key", message);
        if text.is_empty() || text.len() > MAX_IDEMPOTENCY_KEY_CHARS {
            return Err(bad("must be 1 to 255 characters"));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad("must be visible ASCII characters, without spaces"));
        }
        Ok(Self(text.to_owned()))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a keyed create asks the store to keep: the key, the request it stands for, and until
/// when. Keys are scoped to the caller's subject ([`Edit::by`]) and the kind of record created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// The client's key.
    pub key: IdempotencyKey,
    /// The request in one canonical form: a repeat with another request is refused.
    pub request: String,
    /// When the key may be forgotten.
    pub expires_at: DateTime<Utc>,
}

/// A record a create returns, and whether it was made now or by an earlier request with the
/// same idempotency key (then it is the record as that request answered it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created<T> {
    /// The record.
    pub record: T,
    /// `true` when an earlier request with the same key created it.
    pub replayed: bool,
}

impl<T> Created<T> {
    /// A record created by this request.
    pub fn new(record: T) -> Self {
        Self {
            record,
            replayed: false,
        }
    }
}

/// A record a restore brought back, and the links it had that could not come back with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored<T> {
    /// The record, at the version after its delete's.
    pub record: T,
    /// The other side's ids (actors of a movie, movies of an actor) it was linked to when
    /// deleted that have been deleted since, ascending.
    pub left_out: Vec<i64>,
}

/// The canonical form of a validated create, for comparing repeats of a keyed request.
pub trait Canonical {
    /// The create in one canonical text: equal creates write equal text.
    fn canonical(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        assert!(IdempotencyKey::parse("a").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert!(IdempotencyKey::parse("7f9c-retry/1").is_ok());
        for bad in ["", " ", "a b", "é", "tab\t", &"k".repeat(256)] {
            let error = IdempotencyKey::parse(bad).expect_err(bad);
            assert_eq!(error.field, "Idempotency-Key");
        }
    }

    #[test]
    fn an_edit_expecting_nothing_passes_any_version() {
        let edit = Edit::now("auth0|a");
        assert_eq!(edit.check(Version::FIRST), Ok(()));
        let edit = edit.expecting(Version::new(2));
        assert_eq!(edit.check(Version::FIRST), Err(Version::FIRST));
        assert_eq!(edit.check(Version::FIRST.next()), Ok(()));
    }

    #[test]
    fn a_change_bumps_the_version_and_names_the_editor() {
        let first = Edit::now("auth0|a");
        let mut revision = Revision::created(&first);
        assert_eq!(revision.version, Version::FIRST);
        let second = Edit::now("auth0|b");
        revision.changed(&second);
        assert_eq!(revision.version.get(), 2);
        assert_eq!(revision.created_by.as_deref(), Some("auth0|a"));
        assert_eq!(revision.updated_by.as_deref(), Some("auth0|b"));
        assert_eq!(revision.updated_at, second.at);
    }
}
