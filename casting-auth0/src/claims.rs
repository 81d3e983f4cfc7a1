//! The claims of an Auth0 access token, and how `jsonwebtoken`'s errors map to ours.

use casting_core::{AuthError as Error, Claim, TokenProblem};
use jsonwebtoken::errors::ErrorKind;
use serde::Deserialize;

/// The claims we read. `iss`, `aud`, `exp` and `nbf` are checked by `jsonwebtoken`'s
/// validation; a claim of the wrong type fails deserialisation, so the token is malformed.
#[derive(Debug, Deserialize)]
pub(crate) struct Claims {
    pub(crate) sub: String,
    /// Seconds since the epoch; required (and checked) by the validation.
    pub(crate) exp: f64,
    /// Seconds since the epoch; fractional values are accepted.
    pub(crate) iat: Option<f64>,
    /// Present only when the API has RBAC with "Add Permissions in the Access Token".
    #[serde(default)]
    pub(crate) permissions: Option<Vec<String>>,
}

/// Our error for a `jsonwebtoken` failure.
pub(crate) fn from_jwt(error: &jsonwebtoken::errors::Error) -> Error {
    match error.kind() {
        ErrorKind::ExpiredSignature => Error::Expired,
        ErrorKind::InvalidIssuer => Error::InvalidClaim(Claim::Issuer),
        ErrorKind::InvalidAudience => Error::InvalidClaim(Claim::Audience),
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => {
            Error::InvalidClaim(Claim::Issuer)
        }
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
            Error::InvalidClaim(Claim::Audience)
        }
        ErrorKind::ImmatureSignature => Error::InvalidToken(TokenProblem::NotYetValid),
        ErrorKind::InvalidSignature | ErrorKind::InvalidRsaKey(_) | ErrorKind::InvalidKeyFormat => {
            Error::InvalidToken(TokenProblem::Signature)
        }
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::MissingAlgorithm
        | ErrorKind::UnsupportedAlgorithm => Error::InvalidToken(TokenProblem::Algorithm),
        _ => Error::InvalidToken(TokenProblem::Malformed),
    }
}
