//! The bearer security scheme: authentication *and* the operation's permission, checked before
//! any other parameter or the body is read (401, then 403, then 400…).

use std::marker::PhantomData;
use std::sync::Arc;

use casting_core::{Forbidden, Operation, Permission, Principal, TokenVerifier};
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderMap, StatusCode, header};
use poem::{
    Endpoint, EndpointExt, FromRequest, IntoResponse, Middleware, Request, RequestBody, Response,
};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::edge::limits::{Limited, Policy, RateLimitHeaders, RateLimits, Slot};
use crate::errors::ApiError;

/// The security scheme's name in the OpenAPI document.
pub(crate) const SCHEME: &str = "bearerAuth";

/// The security scheme's description unless an embedder gives its own ([`BearerScheme`]).
const AUTH0_SCHEME: &str = "An Auth0 access token (RS256) whose `permissions` claim holds the \
                            operation's permission. In development, paste a token the server \
                            printed.";

/// The verifier, shared with the extractor through request data (attached by
/// [`CastingApi`](crate::CastingApi) to its own operations).
#[derive(Clone)]
pub(crate) struct Verifier(pub(crate) Arc<dyn TokenVerifier>);

/// How the API's bearer credentials are described in its OpenAPI document (the `bearerAuth`
/// security scheme): Auth0 access tokens unless the embedder says otherwise with
/// [`CastingApi::bearer_scheme`](crate::CastingApi::bearer_scheme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerScheme {
    pub(crate) description: String,
    pub(crate) format: Option<String>,
}

impl BearerScheme {
    /// Credentials described by `description` (Markdown), with no `bearerFormat`.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            format: None,
        }
    }

    /// The same, with a `bearerFormat` hint (`JWT`, say).
    #[must_use]
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }
}

/// The verified caller of an embedder's own endpoint: authenticated exactly as the API's
/// operations authenticate (the same `Authorization` parsing, verifier and rate limits), with
/// 401 and 429 in the API's error shape.
///
/// It extracts in endpoints wrapped with
/// [`CastingApi::authentication`](crate::CastingApi::authentication); elsewhere it is a 500.
///
/// ```
/// use casting_core::Permission;
/// use casting_http::{ApiError, Authenticated};
/// use poem::handler;
///
/// /// Who am I? Anyone with a valid token who may read the audit trail.
/// #[handler]
/// fn whoami(caller: Authenticated) -> Result<String, ApiError> {
///     Ok(caller.require(Permission::GetAudit)?.subject().to_owned())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Authenticated(Principal);

impl Authenticated {
    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.0
    }

    /// The caller, if they hold `permission`; else the API's 403, naming it.
    pub fn require(&self, permission: Permission) -> Result<&Principal, ApiError> {
        self.0.require(permission)?;
        Ok(&self.0)
    }

    /// The caller, by value.
    pub fn into_principal(self) -> Principal {
        self.0
    }
}

impl From<Forbidden> for ApiError {
    fn from(forbidden: Forbidden) -> Self {
        ApiError::forbidden(forbidden.permission)
    }
}

impl<'a> FromRequest<'a> for Authenticated {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(authenticate(request).await?))
    }
}

/// Middleware for an embedder's own endpoints beside a nested [`CastingApi`](crate::CastingApi):
/// [`Authenticated`] extracts there with the API's verifier and rate limits, and every error
/// leaves in the API's JSON shape. Made by
/// [`CastingApi::authentication`](crate::CastingApi::authentication).
#[derive(Clone)]
pub struct Authentication {
    pub(crate) verifier: Arc<dyn TokenVerifier>,
    pub(crate) limits: Arc<RateLimits>,
}

impl std::fmt::Debug for Authentication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authentication")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

impl<E: Endpoint + 'static> Middleware<E> for Authentication {
    type Output = BoxEndpoint<'static, Response>;

    fn transform(&self, inner: E) -> Self::Output {
        inner
            .map_to_response()
            .catch_all_error(|error| async move { ApiError::from_poem(&error).into_response() })
            .with(RateLimitHeaders)
            .data(Verifier(Arc::clone(&self.verifier)))
            .data(Arc::clone(&self.limits))
            .boxed()
    }
}

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
        ListMovies, GetMovie, CreateMovie, UpdateMovie, DeleteMovie, RestoreMovie, GetCast,
        ReplaceCast, ListActors, GetActor, CreateActor, UpdateActor, DeleteActor, RestoreActor,
        GetCredits, ListAudit, ReadChanges,
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

/// The caller of a request, under the rate limits (`edge/limits.rs`): an address over its
/// budget of failed authentications gets 429 for any token that is not known to be good (to the
/// verifier, or verified here during the last minute while an address was over budget),
/// before it is verified, beyond a small allowance of verifications a second; every 401 counts
/// against the address; every caller counts against its subject.
async fn authenticate(request: &Request) -> Result<Principal, ApiError> {
    let Some(verifier) = request.data::<Verifier>() else {
        return Err(ApiError::internal(&"no token verifier in request data"));
    };
    let limits = request.data::<Arc<RateLimits>>();
    let token = bearer_token(request.headers());
    let known = match (limits, &token) {
        (Some(limits), token) => match (limits.refused(request), token) {
            (None, _) => None,
            (Some(limited), Ok(token)) => {
                match verifier
                    .0
                    .known_good(token)
                    .or_else(|| limits.remembered(token))
                {
                    Some(principal) => Some(principal),
                    // A few verifications a second still go through: a valid credential new
                    // to this server, behind the same address, gets in within a second.
                    None if limits.may_verify(request) => None,
                    None => return Err(refused(request, limited, Policy::AuthFailures)),
                }
            }
            (Some(limited), Err(_)) => {
                return Err(refused(request, limited, Policy::AuthFailures));
            }
        },
        (None, _) => None,
    };
    let verified = match (known, &token) {
        (Some(principal), _) => Ok(principal),
        (None, Ok(token)) => verifier.0.verify(token).await.map_err(ApiError::from),
        (None, Err(problem)) => Err(ApiError::from(*problem)),
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
        if let Ok(token) = token {
            limits.remember(token, &principal);
        }
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
                description: Some(AUTH0_SCHEME),
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
