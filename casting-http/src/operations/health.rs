//! `GET /health` and `GET /ready`: public, in the spec like every other operation.

use std::time::Duration;

use casting_core::CastingService;
use poem::Request;
use poem_openapi::OpenApi;

use crate::errors::ApiError;
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::wire::dto::Status;
use crate::wire::json::Json;

/// How long `/ready` waits for the store (`HttpConfig::ready_timeout`); attached to the
/// operations as request data by [`CastingApi`](crate::CastingApi).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadyTimeout(pub(crate) Duration);

operation_response! {
    /// The answers of `GET /health`.
    HealthResponse {
        /// The process runs.
        Ok(Status)
    }
    errors: [PayloadTooLarge]
}

operation_response! {
    /// The answers of `GET /ready`.
    ReadyResponse {
        /// The store answered within the ready timeout.
        Ok(Status)
    }
    errors: [PayloadTooLarge, Unavailable]
}

/// The probes.
#[derive(Debug, Clone)]
pub(crate) struct HealthApi {
    service: CastingService,
}

impl HealthApi {
    /// The probes over `service`.
    pub(crate) fn new(service: CastingService) -> Self {
        Self { service }
    }
}

/// The probes.
#[OpenApi(tag = "Tag::Operations")]
impl HealthApi {
    /// Liveness
    ///
    /// Public: no token. 200 while the process runs; it looks at nothing else.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self) -> HealthResponse {
        HealthResponse::Ok(Json(Status::of("ok")))
    }

    /// Readiness
    ///
    /// Public: no token. 200 when the store answers within the ready timeout
    /// (`READY_TIMEOUT_SECS`, 1 s by default), else 503 `unavailable` with `Retry-After`: a
    /// probe with a longer timeout always gets an answer.
    #[oai(path = "/ready", method = "get", operation_id = "ready")]
    async fn ready(&self, request: &Request) -> ReadyResponse {
        let timeout = request
            .data::<ReadyTimeout>()
            .map_or(Duration::from_secs(1), |t| t.0);
        match tokio::time::timeout(timeout, self.service.ready()).await {
            Ok(Ok(())) => ReadyResponse::Ok(Json(Status::of("ready"))),
            Ok(Err(error)) => ApiError::from(error).into(),
            Err(_) => {
                ApiError::unavailable(&format_args!("the store did not answer within {timeout:?}"))
                    .into()
            }
        }
    }
}
