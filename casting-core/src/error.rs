//! The errors at each boundary of the core, as variants callers branch on.
//!
//! - [`Error`]: what a [`CastingService`](crate::CastingService) call reports.
//! - [`StoreError`]: exactly what a [`Store`](crate::Store) may report; it becomes an [`Error`]
//!   in one place (`From<StoreError> for Error`).
//! - [`AuthError`]: why a [`TokenVerifier`](crate::TokenVerifier) refused a token.
//!
//! Nothing here knows HTTP: the front end decides status codes from these variants.

use std::fmt;

use serde::Serialize;

use crate::domain::FieldError;
use crate::model::ResourceKind;
use crate::rbac::{Forbidden, Permission};
use crate::revision::Version;

/// A boxed error kept as the `source` of the `Unavailable` and `Internal` variants, for the log.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What [`Error`] results are called in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Relation ids that name no record: never empty, ascending, without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UnknownIds(Vec<i64>);

impl UnknownIds {
    /// The ids, sorted and deduplicated; `None` when there are none, so an
    /// "unknown ids" error can never name nothing.
    pub fn new(ids: impl IntoIterator<Item = i64>) -> Option<Self> {
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        (!ids.is_empty()).then_some(Self(ids))
    }

    /// The ids, ascending.
    pub fn as_slice(&self) -> &[i64] {
        &self.0
    }
}

impl fmt::Display for UnknownIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// The failures of a [`CastingService`](crate::CastingService) call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller is authenticated but lacks this permission.
    #[error("missing permission {permission}")]
    Forbidden {
        /// The permission the operation needs.
        permission: Permission,
    },
    /// No movie or actor has this id.
    #[error("{kind} {id} not found")]
    NotFound {
        /// Movie or actor.
        kind: ResourceKind,
        /// The id that was asked for.
        id: i64,
    },
    /// The request itself cannot be used: bad paging, an update that changes nothing.
    #[error("bad request: {}", list(.0))]
    BadRequest(Vec<FieldError>),
    /// Well-formed input that breaks a domain rule: a blank title, an age of 200.
    #[error("invalid input: {}", list(.0))]
    Invalid(Vec<FieldError>),
    /// Relation ids that name no existing movie or actor. Nothing was written.
    #[error("unknown {kind} ids: {ids}")]
    UnknownRelations {
        /// What the ids should have named.
        kind: ResourceKind,
        /// The ids that exist nowhere.
        ids: UnknownIds,
    },
    /// The record's version is not the one the write expected (`If-Match`). Nothing changed.
    #[error("{kind} {id} is at version {current}, not the one expected")]
    PreconditionFailed {
        /// Movie or actor.
        kind: ResourceKind,
        /// The record's id.
        id: i64,
        /// The version it has now.
        current: Version,
    },
    /// A restore of a record that exists. Nothing changed.
    #[error("{kind} {id} already exists")]
    AlreadyExists {
        /// Movie or actor.
        kind: ResourceKind,
        /// The record's id.
        id: i64,
    },
    /// A read of the log from a position whose following entries were pruned (retention,
    /// or a store's bound). `resync` is where reading can start again (the oldest kept).
    #[error("the log was pruned past the cursor")]
    CursorExpired {
        /// The log position to read on from (after the newest entry pruned).
        resync: i64,
    },
    /// An idempotency key was sent again with another request than the one it was first
    /// used for. Nothing changed.
    #[error("idempotency key reused for another request")]
    IdempotencyKeyReused,
    /// An earlier request with the same idempotency key is still running. Worth a retry.
    #[error("a request with this idempotency key is still running")]
    RequestInProgress,
    /// The store could not be reached (connection refused, pool exhausted). Worth a retry.
    #[error("store unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else that went wrong inside; the source explains it to the log.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl From<Forbidden> for Error {
    fn from(Forbidden { permission }: Forbidden) -> Self {
        Self::Forbidden { permission }
    }
}

/// A typed query part that did not check out ([`MovieFilter::new`](crate::MovieFilter::new),
/// [`Sort::parse`](crate::Sort::parse)) is a bad request naming its parameter, so a query can
/// be built with `?` throughout.
impl From<FieldError> for Error {
    fn from(error: FieldError) -> Self {
        Error::BadRequest(vec![error])
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { kind, id } => Self::NotFound { kind, id },
            StoreError::UnknownRelations { kind, ids } => Self::UnknownRelations { kind, ids },
            StoreError::Invalid(errors) => Self::Invalid(errors),
            StoreError::PreconditionFailed { kind, id, current } => {
                Self::PreconditionFailed { kind, id, current }
            }
            StoreError::AlreadyExists { kind, id } => Self::AlreadyExists { kind, id },
            StoreError::CursorExpired { resync } => Self::CursorExpired { resync },
            StoreError::IdempotencyKeyReused => Self::IdempotencyKeyReused,
            StoreError::RequestInProgress => Self::RequestInProgress,
            StoreError::Unavailable(source) => Self::Unavailable(source),
            StoreError::Internal(source) => Self::Internal(source),
        }
    }
}

/// What a [`Store`](crate::Store) may report: nothing about permissions or requests, only about
/// the records and the store itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No movie or actor has this id.
    #[error("{kind} {id} not found")]
    NotFound {
        /// Movie or actor.
        kind: ResourceKind,
        /// The id that was asked for.
        id: i64,
    },
    /// Relation ids that name no existing movie or actor. Nothing was written.
    #[error("unknown {kind} ids: {ids}")]
    UnknownRelations {
        /// What the ids should have named.
        kind: ResourceKind,
        /// The ids that exist nowhere.
        ids: UnknownIds,
    },
    /// A value the store refuses although it passed the core's validation (a database CHECK).
    #[error("invalid input: {}", list(.0))]
    Invalid(Vec<FieldError>),
    /// The record's version is not the one the write expected (`If-Match`). Nothing changed.
    #[error("{kind} {id} is at version {current}, not the one expected")]
    PreconditionFailed {
        /// Movie or actor.
        kind: ResourceKind,
        /// The record's id.
        id: i64,
        /// The version it has now.
        current: Version,
    },
    /// A restore of a record that exists. Nothing changed.
    #[error("{kind} {id} already exists")]
    AlreadyExists {
        /// Movie or actor.
        kind: ResourceKind,
        /// The record's id.
        id: i64,
    },
    /// A read of the log from a position whose following entries were pruned (retention,
    /// or a store's bound). `resync` is where reading can start again (the oldest kept).
    #[error("the log was pruned past the cursor")]
    CursorExpired {
        /// The log position to read on from (after the newest entry pruned).
        resync: i64,
    },
    /// An idempotency key was sent again with another request than the one it was first
    /// used for. Nothing changed.
    #[error("idempotency key reused for another request")]
    IdempotencyKeyReused,
    /// An earlier request with the same idempotency key is still running. Worth a retry.
    #[error("a request with this idempotency key is still running")]
    RequestInProgress,
    /// The store could not be reached (connection refused, pool exhausted). Worth a retry.
    #[error("store unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else that went wrong inside; the source explains it to the log.
    #[error("internal store error")]
    Internal(#[source] BoxError),
}

impl StoreError {
    /// A store that could not be reached.
    pub fn unavailable(source: impl Into<BoxError>) -> Self {
        Self::Unavailable(source.into())
    }

    /// An unexpected failure inside the store.
    pub fn internal(source: impl Into<BoxError>) -> Self {
        Self::Internal(source.into())
    }

    /// A missing movie.
    pub fn movie_not_found(id: impl Into<i64>) -> Self {
        Self::NotFound {
            kind: ResourceKind::Movie,
            id: id.into(),
        }
    }

    /// A missing actor.
    pub fn actor_not_found(id: impl Into<i64>) -> Self {
        Self::NotFound {
            kind: ResourceKind::Actor,
            id: id.into(),
        }
    }
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a token was refused as invalid (an [`AuthError::InvalidToken`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenProblem {
    /// Not a well-formed JWT: segments, base64, JSON, size or claim types.
    Malformed,
    /// The header names an algorithm other than RS256, or a forbidden header field.
    Algorithm,
    /// The signature does not match the key.
    Signature,
    /// No key in the key set has the token's `kid`.
    UnknownKey,
    /// `nbf` or `iat` lies in the future.
    NotYetValid,
}

impl fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenProblem::Malformed => "malformed token",
            TokenProblem::Algorithm => "algorithm not allowed",
            TokenProblem::Signature => "bad signature",
            TokenProblem::UnknownKey => "unknown signing key",
            TokenProblem::NotYetValid => "token not yet valid",
        })
    }
}

/// A registered claim whose value is not the one this API trusts (an
/// [`AuthError::InvalidClaim`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Claim {
    /// `iss`: the token was issued by someone else (or says nothing).
    Issuer,
    /// `aud`: the token was issued for another API (or for none).
    Audience,
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Claim::Issuer => "iss",
            Claim::Audience => "aud",
        })
    }
}

/// Why a [`TokenVerifier`](crate::TokenVerifier) refused a token. Reading the token out of a
/// request is the front end's business; this covers the token alone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token cannot be trusted.
    #[error("invalid token: {0}")]
    InvalidToken(TokenProblem),
    /// The token's `exp` has passed.
    #[error("token expired")]
    Expired,
    /// The issuer or audience is not ours.
    #[error("invalid claim: {0}")]
    InvalidClaim(Claim),
    /// No signing keys could be had (key set download failed): a server-side failure.
    #[error("signing keys unavailable")]
    Unavailable(#[source] BoxError),
    /// The credential is simply not one the verifier knows: the refusal of a verifier whose
    /// credentials are not signed tokens (an unknown API key, a revoked session).
    #[error("credential not recognised")]
    Unrecognized,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_are_never_empty_and_always_sorted() {
        assert_eq!(UnknownIds::new([]), None);
        let ids = UnknownIds::new([9, 3, 9, 1]).expect("non-empty");
        assert_eq!(ids.as_slice(), [1, 3, 9]);
        assert_eq!(ids.to_string(), "[1, 3, 9]");
    }

    #[test]
    fn store_errors_keep_their_meaning_in_the_service_error() {
        let ids = UnknownIds::new([4]).expect("non-empty");
        let error = Error::from(StoreError::UnknownRelations {
            kind: ResourceKind::Actor,
            ids: ids.clone(),
        });
        assert!(matches!(
            error,
            Error::UnknownRelations { kind: ResourceKind::Actor, ids: got } if got == ids
        ));
        assert!(matches!(
            Error::from(StoreError::movie_not_found(7)),
            Error::NotFound {
                kind: ResourceKind::Movie,
                id: 7
            }
        ));
        assert!(matches!(
            Error::from(StoreError::unavailable("down")),
            Error::Unavailable(_)
        ));
    }
}
