//! The bearer security scheme: authentication *and* the operation's permission, checked before
//! any other parameter or the body is read (401, then 403, then 400…).

use std::marker::PhantomData;
use std::sync::Arc;

use casting_core::{Operation, Principal, TokenVerifier};
use poem::http::{HeaderMap, StatusCode, header};
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::errors::ApiError;
use crate::limits::{Limited, Policy, RateLimits, Slot};

/// The security scheme's name in the OpenAPI document.
pub(crate) const SCHEME: &str = "bearerAuth";

/// The verifier, shared with the extractor through request data (attached by
/// [`CastingApi`](crate::CastingApi) to its own operations).
#[derive(Clone)]
pub(crate) struct Verifier(pub(crate) Arc<dyn TokenVerifier>);

/// The operation a handler serves, named by a marker type; its permission comes from core's
/// [`Operation`] table.
pub(crate) trait Required: Send + Sync + 'static {
    /// The operation.
    const OPERATION: Operation;
}

/// One marker type per operation, named as in [`Operation`].
pub(crate) mod op {
    use super::{Operation, Required};

    macro_rules! markers {
        ($($operation:ident),* $(,)?) => {$(
            pub(crate) enum $operation {}
            impl Required for $operation {
                const OPERATION: Operation = Operation::$operation;
            }
        )*};
    }

    markers! {
        ListMovies, GetMovie, CreateMovie, UpdateMovie, DeleteMovie, GetCast, ReplaceCast,
        ListActors, GetActor, CreateActor, UpdateActor, DeleteActor, GetCredits, ListAudit,
    }
}

/// The authenticated caller of the operation `P`, who holds its permission.
pub(crate) struct Caller<P: Required>(Principal, PhantomData<fn() -> P>);

impl<P: Required> Caller<P> {
    /// The caller.
    pub(crate) fn principal(&self) -> &Principal {
        &self.0
    }
}

/// Why the `Authorization` header gave no token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderProblem {
    /// No `Authorization` header.
    Missing,
    /// Not `Bearer <token>`.
    Invalid,
}

impl From<HeaderProblem> for ApiError {
    fn from(problem: HeaderProblem) -> Self {
        match problem {
            HeaderProblem::Missing => ApiError::authorization_missing(),
            HeaderProblem::Invalid => ApiError::invalid_authorization(),
        }
    }
}

/// Reads the token out of the `Authorization` header: exactly one such header, the scheme
/// `Bearer` in any case, one or more spaces, then one token with no whitespace or control
/// characters in it (RFC 6750). This is the only place the header is parsed.
fn bearer_token(headers: &HeaderMap) -> Result<&str, HeaderProblem> {
    let mut all = headers.get_all(header::AUTHORIZATION).iter();
    let header = all.next().ok_or(HeaderProblem::Missing)?;
    if all.next().is_some() {
        // Two credentials: which one a proxy or a log saw is anyone's guess. Refuse both.
        return Err(HeaderProblem::Invalid);
    }
    let header = header.to_str().map_err(|_| HeaderProblem::Invalid)?;
    let (scheme, rest) = header.split_once(' ').ok_or(HeaderProblem::Invalid)?;
    let token = rest.trim_start_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer")
        || token.is_empty()
        || token
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(HeaderProblem::Invalid);
    }
    Ok(token)
}

/// The caller of a request, under the rate limits (`limits.rs`): an address over its budget
/// of failed authentications gets 429 for any token the verifier does not already know to be
/// good, before it is verified; every 401 counts against the address; every caller counts
/// against its subject.
async fn authenticate(request: &Request) -> Result<Principal, ApiError> {
    let Some(verifier) = request.data::<Verifier>() else {
        return Err(ApiError::internal(&"no token verifier in request data"));
    };
    let limits = request.data::<Arc<RateLimits>>();
    let token = bearer_token(request.headers());
    let known = match (limits.and_then(|l| l.refused(request)), &token) {
        (None, _) => None,
        (Some(limited), Ok(token)) => match verifier.0.known_good(token) {
            Some(principal) => Some(principal),
            None => return Err(refused(request, limited, Policy::AuthFailures)),
        },
        (Some(limited), Err(_)) => return Err(refused(request, limited, Policy::AuthFailures)),
    };
    let verified = match (known, token) {
        (Some(principal), _) => Ok(principal),
        (None, Ok(token)) => verifier.0.verify(token).await.map_err(ApiError::from),
        (None, Err(problem)) => Err(ApiError::from(problem)),
    };
    let principal = match verified {
        Ok(principal) => principal,
        Err(error) => {
            if error.status() == StatusCode::UNAUTHORIZED
                && let Some(limits) = limits
            {
                Slot::set(request, limits.failed_request(request));
            }
            return Err(error);
        }
    };
    if let Some(limits) = limits {
        match limits.admit(principal.subject()) {
            Ok(standing) => Slot::set(request, standing),
            Err(limited) => return Err(refused(request, limited, Policy::Subject)),
        }
    }
    Ok(principal)
}

/// A 429 for `limited`, counted and noted for the `RateLimit` headers.
fn refused(request: &Request, limited: Limited, policy: Policy) -> ApiError {
    metrics::counter!("casting_rate_limited_total", "reason" => policy.name()).increment(1);
    Slot::set(request, Some(limited.standing));
    ApiError::rate_limited(limited.retry_after)
}

impl<'a, P: Required> ApiExtractor<'a> for Caller<P> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            SCHEME,
            MetaSecurityScheme {
                ty: "http",
                description: Some(
                    "An Auth0 access token (RS256) whose `permissions` claim holds the \
                     operation's permission. In development, paste a token the server printed.",
                ),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("JWT"),
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _options: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let principal = authenticate(request).await?;
        P::OPERATION
            .authorize(&principal)
            .map_err(|forbidden| ApiError::forbidden(forbidden.permission))?;
        Ok(Caller(principal, PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn token(value: &str) -> Result<String, HeaderProblem> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("header"),
        );
        bearer_token(&headers).map(str::to_owned)
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_one_token() {
        assert_eq!(token("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
        assert_eq!(token("bearer abc").unwrap(), "abc");
        assert_eq!(token("BEARER x").unwrap(), "x");
        assert_eq!(token("Bearer    x").unwrap(), "x");
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearer  ",
            "Bearerx",
            "Token x",
            "Basic dXNlcjpwYXNz",
            "Bearer x y",
            "Bearer x\t",
        ] {
            assert_eq!(token(bad), Err(HeaderProblem::Invalid), "{bad:?}");
        }
        assert_eq!(bearer_token(&HeaderMap::new()), Err(HeaderProblem::Missing));
        let mut two = HeaderMap::new();
        two.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer a"));
        two.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        assert_eq!(bearer_token(&two), Err(HeaderProblem::Invalid));
    }
}
