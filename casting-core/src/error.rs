//! The errors of the service, the stores and the token verifiers.
//!
//! Nothing here knows HTTP: the front end decides status codes from these variants.

use std::borrow::Cow;
use std::fmt;

use crate::model::ResourceKind;
use crate::rbac::Permission;

/// A boxed error kept as the `source` of [`Error::Unavailable`], [`Error::Internal`] and
/// [`AuthError::Unavailable`], for the log.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What [`Error`] results are called in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

/// The failures of a [`CastingService`](crate::CastingService) or [`Store`](crate::Store) call.
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
    #[error("unknown {kind} ids: {ids:?}")]
    UnknownRelations {
        /// What the ids should have named.
        kind: ResourceKind,
        /// The ids that exist nowhere, ascending.
        ids: Vec<i64>,
    },
    /// The store could not be reached (connection refused, pool exhausted). Worth a retry.
    #[error("store unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else that went wrong inside; the source explains it to the log.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl Error {
    /// A store that could not be reached.
    pub fn unavailable(source: impl Into<BoxError>) -> Self {
        Self::Unavailable(source.into())
    }

    /// An unexpected failure inside.
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

/// Why a caller could not be authenticated: what a [`TokenVerifier`](crate::TokenVerifier) and the
/// `Authorization` header parsing report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The request has no `Authorization` header.
    #[error("authorization header is missing")]
    MissingHeader,
    /// The header is not `Bearer <token>`.
    #[error("authorization header must be 'Bearer <token>'")]
    InvalidHeader,
    /// The token cannot be trusted.
    #[error("invalid token: {0}")]
    InvalidToken(TokenProblem),
    /// The token's `exp` has passed.
    #[error("token expired")]
    Expired,
    /// The issuer or audience is not ours; names the claim.
    #[error("invalid claim: {0}")]
    InvalidClaims(&'static str),
    /// No signing keys could be had (key set download failed): a server-side failure.
    #[error("signing keys unavailable")]
    Unavailable(#[source] BoxError),
}
