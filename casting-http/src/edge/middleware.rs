//! The layers around the routes: the body limit and error shaping (inside CORS, so error
//! responses carry CORS headers), and request ids with the access log (outermost).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use casting_core::FieldError;
use poem::http::HeaderValue;
use poem::web::headers::HeaderMapExt;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument;

use crate::config::BODY_LIMIT;
use crate::errors::ApiError;
use crate::routes::RouteTable;

/// The response header (and accepted request header) carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// Caps bodies at [`BODY_LIMIT`] and turns every error into the contract's JSON, with `Allow`
/// on 405s.
pub(crate) struct Contract {
    pub(crate) routes: Arc<RouteTable>,
}

impl<E: Endpoint> Middleware<E> for Contract {
    type Output = ContractEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ContractEndpoint {
            inner,
            routes: Arc::clone(&self.routes),
        }
    }
}

/// The 413 of a body refused before it was read whole: with `Connection: close`, since the
/// rest of the body is never read and the connection cannot carry another request. Without
/// it a client would put the connection back in its pool and its next request on it would
/// fail (RFC 9112, 9.6).
fn unread_body_refused() -> Response {
    let mut response = ApiError::payload_too_large(BODY_LIMIT).into_response();
    response.headers_mut().insert(
        poem::http::header::CONNECTION,
        poem::http::HeaderValue::from_static("close"),
    );
    response
}

pub(crate) struct ContractEndpoint<E> {
    inner: E,
    routes: Arc<RouteTable>,
}

impl<E: Endpoint> Endpoint for ContractEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let declared = request
            .headers()
            .typed_get::<poem::web::headers::ContentLength>()
            .map(|length| length.0);
        match declared {
            Some(length) if length > BODY_LIMIT as u64 => return Ok(unread_body_refused()),
            Some(_) => {}
            // No Content-Length (a chunked body): read it here, within the limit.
            None => match request.take_body().into_bytes_limit(BODY_LIMIT).await {
                Ok(bytes) => request.set_body(bytes),
                Err(poem::error::ReadBodyError::PayloadTooLarge) => {
                    return Ok(unread_body_refused());
                }
                Err(error) => {
                    let error = FieldError::new("body", format!("could not be read: {error}"));
                    return Ok(ApiError::bad_fields(vec![error]).into_response());
                }
            },
        }
        let path = request.uri().path().to_owned();
        match self.inner.call(request).await {
            Ok(response) => Ok(response.into_response()),
            Err(error) => {
                let mut api = ApiError::from_poem(&error);
                if api.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED {
                    api = ApiError::method_not_allowed(&self.routes.methods(&path));
                }
                Ok(api.into_response())
            }
        }
    }
}

/// Gives every request an id (the caller's `x-request-id` when it is sane), logs one line per
/// request (with the route's template, as the metrics name it), and shapes any error that
/// reached this far.
pub(crate) struct Observe {
    pub(crate) routes: Arc<RouteTable>,
}

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ObserveEndpoint {
            inner,
            routes: Arc::clone(&self.routes),
        }
    }
}

pub(crate) struct ObserveEndpoint<E> {
    inner: E,
    routes: Arc<RouteTable>,
}

fn request_id(request: &Request) -> HeaderValue {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let given = request
        .headers()
        .get(REQUEST_ID)
        .filter(|v| {
            let bytes = v.as_bytes();
            !bytes.is_empty()
                && bytes.len() <= 64
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .cloned();
    given.unwrap_or_else(|| {
        let prefix = *PREFIX.get_or_init(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos() ^ std::process::id())
        });
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{prefix:08x}-{n:x}"))
            .unwrap_or_else(|_| HeaderValue::from_static("unknown"))
    })
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> poem::Result<Response> {
        let id = request_id(&request);
        let started = Instant::now();
        let method = request.method().clone();
        // The path only: query strings are the caller's business, and tokens never travel there.
        let path = request.uri().path().to_owned();
        let route = self
            .routes
            .matched(&request)
            .and_then(|i| self.routes.template_at(i))
            .unwrap_or("unmatched");
        let span = tracing::info_span!(
            "request",
            %method,
            %path,
            route,
            request_id = id.to_str().unwrap_or_default()
        );
        let result = self.inner.call(request).instrument(span.clone()).await;
        let mut response = match result {
            Ok(response) => response.into_response(),
            Err(error) => ApiError::from_poem(&error).into_response(),
        };
        response.headers_mut().insert(REQUEST_ID, id);
        let status = response.status().as_u16();
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        span.in_scope(|| {
            tracing::info!(
                status,
                latency_ms = format_args!("{latency_ms:.2}"),
                "served"
            );
        });
        Ok(response)
    }
}
