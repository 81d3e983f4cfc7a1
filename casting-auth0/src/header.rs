//! The checks on a token's JOSE header made before any key is looked up.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casting_core::{AuthError as Error, TokenProblem};
use serde_json::{Map, Value};

fn malformed() -> Error {
    Error::InvalidToken(TokenProblem::Malformed)
}

/// Checks the shape of a token and its header, and returns its `kid`.
///
/// Before any key lookup: the size cap, exactly three non-empty base64url segments, a header
/// that is JSON, `alg` exactly `RS256`, no `crit`, and a non-empty string `kid`. Header
/// fields that name keys (`jwk`, `jku`, `x5u`, `x5c`) are never used: keys come only from the
/// key set.
pub(crate) fn check_token(token: &str, max_bytes: usize) -> Result<String, Error> {
    if token.len() > max_bytes {
        return Err(malformed());
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(malformed());
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(malformed());
    }
    let is_base64 = |segment: &str| {
        segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !is_base64(payload) || !is_base64(signature) {
        return Err(malformed());
    }
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| malformed())?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes).map_err(|_| malformed())?;

    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(Error::InvalidToken(TokenProblem::Algorithm));
    }
    if header.contains_key("crit") {
        return Err(Error::InvalidToken(TokenProblem::Algorithm));
    }
    match header.get("kid").and_then(Value::as_str) {
        Some(kid) if !kid.is_empty() => Ok(kid.to_owned()),
        _ => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn token(header: &str) -> String {
        format!("{}.{}.c2ln", encode(header), encode("{}"))
    }

    #[test]
    fn header_checks() {
        let ok = token(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#);
        assert_eq!(check_token(&ok, 16384).unwrap(), "k1");
        let algorithm = |h: &str| {
            matches!(
                check_token(&token(h), 16384),
                Err(Error::InvalidToken(TokenProblem::Algorithm))
            )
        };
        assert!(algorithm(r#"{"alg":"none","kid":"k1"}"#));
        assert!(algorithm(r#"{"alg":"rs256","kid":"k1"}"#));
        assert!(algorithm(r#"{"alg":"HS256","kid":"k1"}"#));
        assert!(algorithm(r#"{"kid":"k1"}"#));
        assert!(algorithm(r#"{"alg":["RS256"],"kid":"k1"}"#));
        assert!(algorithm(r#"{"alg":"RS256","kid":"k1","crit":["exp"]}"#));
        let malformed = |t: &str| {
            matches!(
                check_token(t, 16384),
                Err(Error::InvalidToken(TokenProblem::Malformed))
            )
        };
        assert!(malformed(&token(r#"{"alg":"RS256"}"#)));
        assert!(malformed(&token(r#"{"alg":"RS256","kid":""}"#)));
        assert!(malformed(&token(r#"{"alg":"RS256","kid":7}"#)));
        assert!(malformed(&token("[1]")));
        assert!(malformed("a.b"));
        assert!(malformed("a.b.c.d"));
        assert!(malformed(&format!("{ok}.")));
        assert!(malformed(&ok.replace(".c2ln", ".")));
        assert!(malformed("!!!.e30.c2ln"));
        assert!(malformed(&ok[..20]));
        assert!(malformed(&format!("{ok}{}", "A".repeat(16384))));
    }
}
