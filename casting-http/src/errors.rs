//! Every error response, and the one place that decides its HTTP status.
//!
//! Whatever fails — the router (404, 405), JSON and parameter parsing, the body limit, the
//! security scheme, a handler, a panic — ends up as an [`ApiError`] and leaves as the contract's
//! JSON: `{"success": false, "error": 404, "message": "resource not found", "code": "not_found",
//! "details": {}}`. 5xx bodies say nothing internal; their cause goes to the log, once, when the
//! error becomes a response ([`ApiError::into_parts`]), never when it is merely built.

use std::num::NonZeroU32;

use crate::etag::etag;
use casting_core::{AuthError, Claim, Error as CoreError, FieldError, Permission, TokenProblem};
use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use serde_json::{Value, json};

mod body;

pub use body::{Details, ErrorBody};

/// An error on its way out: status, code, details, and the headers RFC 6750 and RFC 9110 want.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    details: Value,
    www_authenticate: Option<Box<str>>,
    allow: Option<Box<str>>,
    /// The current `ETag` of the record a 412 is about.
    etag: Option<Box<str>>,
    /// What went wrong inside, for the log only (5xx).
    cause: Option<Box<str>>,
    /// `Retry-After` of a 429, in seconds (a 503's is [`RETRY_AFTER_SECONDS`]); small, so
    /// the error stays small.
    retry_after: Option<NonZeroU32>,
}

/// What an error becomes on the wire: its status, its body, and the headers it carries.
pub(crate) struct ErrorParts {
    pub(crate) status: StatusCode,
    pub(crate) body: ErrorBody,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) allow: Option<String>,
    /// `Retry-After`, on every 503 and 429.
    pub(crate) retry_after: Option<String>,
    /// The record's current `ETag`, on a 412.
    pub(crate) etag: Option<String>,
}

/// The rule for an id in a path, as a 400 states it (and the path parameter's schema).
pub(crate) const ID_RULE: &str =
    "must be a whole number written in digits only (no sign, no spaces)";

/// The `Retry-After` of every 503, in seconds: long enough for a pool or a key download to
/// recover, short enough that a client does not give up.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 5;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl std::error::Error for ApiError {}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.clone().into_response()
    }
}

/// The original API's message for a status.
fn message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "resource not found",
        405 => "method not allowed",
        409 => "conflict",
        410 => "gone",
        412 => "precondition failed",
        413 => "payload too large",
        422 => "unprocessable",
        428 => "precondition required",
        429 => "too many requests",
        503 => "service unavailable",
        _ => "internal server error",
    }
}

fn fields(errors: &[FieldError]) -> Value {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| json!({ "field": e.field, "message": e.message }))
        .collect();
    json!({ "fields": list })
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, details: Value) -> Self {
        Self {
            status,
            code,
            details,
            www_authenticate: None,
            allow: None,
            etag: None,
            cause: None,
            retry_after: None,
        }
    }

    /// 429 `rate_limited`: over a rate limit; `Retry-After` says when to come back.
    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        let seconds = NonZeroU32::new(u32::try_from(retry_after).unwrap_or(u32::MAX))
            .unwrap_or(NonZeroU32::MIN);
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                json!({ "retry_after": seconds.get() }),
            )
        }
    }

    /// 428 `precondition_required`: the server requires `If-Match` on writes.
    pub(crate) fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            json!({
                "header": "If-Match",
                "reason": "this server requires If-Match on writes: send the ETag of the record \
                           as you last read it, or * to write whatever its version",
            }),
        )
    }

    /// 400 `bad_request` naming the fields at fault (`details.fields`, as the 422s do), with
    /// the same in one sentence (`details.reason`).
    pub(crate) fn bad_fields(errors: Vec<FieldError>) -> Self {
        let reason = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let mut details = fields(&errors);
        details["reason"] = Value::String(reason);
        Self::new(StatusCode::BAD_REQUEST, "bad_request", details)
    }

    /// 404 `not_found` for a path that names nothing.
    pub fn unknown_path() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", json!({}))
    }

    /// 405 `method_not_allowed`, with the `Allow` header listing `allowed`.
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        Self {
            allow: Some(allowed.join(", ").into()),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                json!({ "allowed": allowed }),
            )
        }
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            json!({ "limit_bytes": limit }),
        )
    }

    /// 403 `cors_rejected`: a cross-origin request whose origin, method or headers are not
    /// allowed.
    pub fn cors_rejected(reason: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "cors_rejected",
            json!({ "reason": reason.into() }),
        )
    }

    /// 500 `internal_server_error`: keeps `cause` for the log, shows nothing of it.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string().into()),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_server_error",
                json!({}),
            )
        }
    }

    /// 503 `unavailable`: keeps `cause` for the log, shows nothing of it.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string().into()),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", json!({}))
        }
    }

    /// 401 `authorization_header_missing`: the request carried no credentials.
    pub(crate) fn authorization_missing() -> Self {
        Self::unauthorized(
            "authorization_header_missing",
            "an Authorization header with a bearer token is required",
            false,
        )
    }

    /// 401 `invalid_header`: the `Authorization` header is not `Bearer <token>`.
    pub(crate) fn invalid_authorization() -> Self {
        Self::unauthorized(
            "invalid_header",
            "the Authorization header must be 'Bearer <token>'",
            true,
        )
    }

    fn unauthorized(code: &'static str, description: &str, with_error: bool) -> Self {
        // RFC 6750 §3.1: no error attribute when the request carried no credentials.
        let challenge = if with_error {
            format!(
                r#"Bearer realm="casting", error="invalid_token", error_description="{description}""#
            )
        } else {
            r#"Bearer realm="casting""#.to_owned()
        };
        Self {
            www_authenticate: Some(challenge.into()),
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                code,
                json!({ "reason": description }),
            )
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error as it leaves: logs the cause of a 5xx (the one place that does), and gives the
    /// status, the body (the one place it is built) and the headers. Every error response, from
    /// a handler or from outside one, is made from these parts.
    pub(crate) fn into_parts(self) -> ErrorParts {
        if let Some(cause) = &self.cause {
            if self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE {
                tracing::error!(%cause, "internal server error");
            } else {
                tracing::warn!(%cause, "service unavailable");
            }
        }
        ErrorParts {
            status: self.status,
            body: ErrorBody {
                success: false,
                error: self.status.as_u16(),
                message: message(self.status).to_owned(),
                code: self.code.to_owned(),
                details: Details(self.details),
            },
            www_authenticate: self.www_authenticate.map(Into::into),
            allow: self.allow.map(Into::into),
            etag: self.etag.map(Into::into),
            retry_after: match self.retry_after {
                Some(seconds) => Some(seconds.to_string()),
                None => (self.status == StatusCode::SERVICE_UNAVAILABLE)
                    .then(|| RETRY_AFTER_SECONDS.to_string()),
            },
        }
    }

    /// Classifies an error raised outside our handlers: the router, a parser, a middleware.
    pub fn from_poem(error: &poem::Error) -> Self {
        if let Some(api) = error.downcast_ref::<ApiError>() {
            return api.clone();
        }
        if error
            .downcast_ref::<poem_openapi::error::ParsePathError>()
            .is_some()
        {
            // The only path parameter is an id; poem-openapi names it by position.
            return Self::bad_fields(vec![FieldError::new("id", ID_RULE)]);
        }
        if let Some(param) = error.downcast_ref::<poem_openapi::error::ParseParamError>() {
            let message = if param.reason.contains("integer") {
                "must be a whole number".to_owned()
            } else {
                param.reason.clone()
            };
            return Self::bad_fields(vec![FieldError::new(param.name, message)]);
        }
        if let Some(payload) = error.downcast_ref::<poem_openapi::error::ParseRequestPayloadError>()
        {
            return Self::bad_fields(vec![FieldError::new("body", payload.reason.clone())]);
        }
        if let Some(cors) = error.downcast_ref::<poem::error::CorsError>() {
            return Self::cors_rejected(cors.to_string());
        }
        match error.status() {
            StatusCode::NOT_FOUND => Self::unknown_path(),
            StatusCode::METHOD_NOT_ALLOWED => Self::method_not_allowed(&[]),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(crate::config::BODY_LIMIT),
            // The contract has one answer for a body that is not JSON: 400.
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::bad_fields(vec![FieldError::new(
                "content-type",
                "must be application/json: the body must be JSON",
            )]),
            status if status.is_client_error() => {
                Self::bad_fields(vec![FieldError::new("request", error.to_string())])
            }
            StatusCode::SERVICE_UNAVAILABLE => Self::unavailable(error),
            _ => Self::internal(error),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::Forbidden { permission } => Self::forbidden(permission),
            CoreError::NotFound { kind, id } => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                json!({ "resource": kind, "id": id }),
            ),
            CoreError::BadRequest(errors) => Self::bad_fields(errors),
            CoreError::Invalid(errors) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                fields(&errors),
            ),
            CoreError::UnknownRelations { kind, ids } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                json!({ "unknown_ids": { "resource": kind, "ids": ids } }),
            ),
            CoreError::PreconditionFailed { kind, id, current } => Self {
                etag: Some(etag(kind, id, current).into()),
                ..Self::new(
                    StatusCode::PRECONDITION_FAILED,
                    "precondition_failed",
                    json!({ "resource": kind, "id": id, "current_version": current.get() }),
                )
            },
            CoreError::AlreadyExists { kind, id } => Self::new(
                StatusCode::CONFLICT,
                "already_exists",
                json!({ "resource": kind, "id": id }),
            ),
            CoreError::IdempotencyKeyReused => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                json!({
                    "header": "Idempotency-Key",
                    "reason": "this key was used for a different request; use a new key for \
                               a new request",
                }),
            ),
            CoreError::RequestInProgress => Self::new(
                StatusCode::CONFLICT,
                "request_in_progress",
                json!({
                    "header": "Idempotency-Key",
                    "reason": "a request with this key is still running; retry shortly",
                }),
            ),
            CoreError::CursorExpired { resync } => Self::new(
                StatusCode::GONE,
                "cursor_expired",
                json!({
                    "cursor": casting_core::audit::log::Cursor::at(resync).to_string(),
                    "reason": "entries after this cursor were pruned; read on from `cursor` \
                               (the oldest kept), after resynchronising what you keep",
                }),
            ),
            CoreError::Unavailable(source) => Self::unavailable(&source),
            other => Self::internal(&ErrorChain(&other)),
        }
    }
}

impl ApiError {
    /// 403 `insufficient_permission`, naming the permission.
    pub fn forbidden(permission: Permission) -> Self {
        Self {
            www_authenticate: Some(
                format!(
                    r#"Bearer realm="casting", error="insufficient_scope", scope="{permission}""#
                )
                .into(),
            ),
            ..Self::new(
                StatusCode::FORBIDDEN,
                "insufficient_permission",
                json!({ "permission": permission }),
            )
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidToken(problem) => {
                let description = match problem {
                    TokenProblem::Malformed => "the token is malformed",
                    TokenProblem::Algorithm => "the token's algorithm is not allowed",
                    TokenProblem::Signature => "the token's signature is invalid",
                    TokenProblem::UnknownKey => "the token's signing key is unknown",
                    TokenProblem::NotYetValid => "the token is not valid yet",
                    _ => "the token is invalid",
                };
                Self::unauthorized("invalid_token", description, true)
            }
            AuthError::Expired => {
                Self::unauthorized("token_expired", "the token has expired", true)
            }
            AuthError::InvalidClaim(claim) => Self::unauthorized(
                "invalid_claims",
                match claim {
                    Claim::Audience => "the token's audience is not this API",
                    _ => "the token's issuer is not trusted",
                },
                true,
            ),
            AuthError::Unavailable(source) => Self::unavailable(&ErrorChain(source.as_ref())),
            AuthError::Unrecognized => {
                Self::unauthorized("invalid_token", "the credential is not recognised", true)
            }
            other => Self::internal(&ErrorChain(&other)),
        }
    }
}

/// Shows an error with its sources, for the log.
struct ErrorChain<'a>(&'a (dyn std::error::Error + 'a));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let parts = self.into_parts();
        // As every JSON answer is written: the body's JSON, `application/json`.
        let body = serde_json::to_vec(&parts.body).unwrap_or_default();
        let mut response = Response::builder()
            .status(parts.status)
            .content_type("application/json")
            .body(body);
        let headers = [
            (header::WWW_AUTHENTICATE, parts.www_authenticate),
            (header::ALLOW, parts.allow),
            (header::RETRY_AFTER, parts.retry_after),
            (header::ETAG, parts.etag),
        ];
        for (name, value) in headers {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Log output captured in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").write(bytes)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
        }
    }

    fn logged(run: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, run);
        captured.text()
    }

    #[test]
    fn a_5xx_cause_is_logged_once_when_the_response_leaves_not_when_built() {
        let built = logged(|| {
            let _unused = ApiError::internal(&"disk on fire");
            let _unused = ApiError::unavailable(&"pool exhausted");
        });
        assert_eq!(built, "", "building an error must not log");

        let sent = logged(|| {
            let _ = ApiError::internal(&"disk on fire").into_response();
            let _ = ApiError::unavailable(&"pool exhausted").into_parts();
        });
        assert_eq!(sent.matches("disk on fire").count(), 1, "{sent}");
        assert_eq!(sent.matches("pool exhausted").count(), 1, "{sent}");
        assert!(sent.contains("ERROR") && sent.contains("WARN"), "{sent}");
    }

    #[test]
    fn the_body_never_shows_the_cause() {
        let parts = ApiError::internal(&"password=hunter2").into_parts();
        let body = serde_json::to_string(&parts.body.details.0).expect("json");
        assert_eq!(body, "{}");
        assert_eq!(parts.body.message, "internal server error");
        assert_eq!(parts.body.code, "internal_server_error");
    }
}
