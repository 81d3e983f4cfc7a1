//! [`CastingApi`]: the operations and their OpenAPI document, over one service and one verifier,
//! ready to mount anywhere.

use std::sync::Arc;
use std::time::Duration;

use casting_core::{CastingService, TokenVerifier};
use poem::endpoint::BoxEndpoint;
use poem::endpoint::make_sync;
use poem::web::Html;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Response, Route};
use poem_openapi::OpenApiService;

use crate::actors::ActorsApi;
use crate::audit::AuditApi;
use crate::conditional::RequireIfMatch;
use crate::config::RateLimitConfig;
use crate::credits::CreditsApi;
use crate::document;
use crate::health::{HealthApi, ReadyTimeout};
use crate::limits::RateLimits;
use crate::middleware::Contract;
use crate::movies::MoviesApi;
use crate::routes::RouteTable;
use crate::security::Verifier;

const TITLE: &str = "Casting Agency API";

const DESCRIPTION: &str = "Movies, actors and the cast between them, behind Auth0 tokens with \
role-based permissions. Every operation but the two probes (`/health`, `/ready`) needs a bearer \
token whose `permissions` claim holds the permission the operation names. Errors are JSON: `{\"success\": false, \"error\": <status>, \
\"message\", \"code\", \"details\"}`.";

/// The casting operations with their spec, over one service and one verifier.
///
/// It stands alone: as an endpoint (`IntoEndpoint`) it checks tokens with its own verifier,
/// caps bodies, and answers every error in the contract's JSON, so it can be nested under any
/// prefix of another poem application. [`app`](crate::app) adds the spec, Swagger UI, health,
/// CORS and request logging around it.
///
/// ```
/// use std::sync::Arc;
/// use casting_core::CastingService;
/// use casting_store_memory::MemoryStore;
/// # fn demo(verifier: Arc<dyn casting_core::TokenVerifier>) {
/// let service = CastingService::new(Arc::new(MemoryStore::new()));
/// let api = casting_http::api_service(service, verifier);
/// let spec = api.spec();
/// let routes = poem::Route::new().nest("/casting", api);
/// # let _ = (spec, routes);
/// # }
/// ```
pub struct CastingApi {
    openapi: OpenApiService<(MoviesApi, ActorsApi, CreditsApi, AuditApi, HealthApi), ()>,
    verifier: Arc<dyn TokenVerifier>,
    require_if_match: bool,
    ready_timeout: Duration,
    limits: Arc<RateLimits>,
    /// The document as served: poem-openapi's, finished by [`document::finish`].
    document: Arc<str>,
}

impl std::fmt::Debug for CastingApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CastingApi")
            .field("verifier", &self.verifier)
            .field("require_if_match", &self.require_if_match)
            .finish_non_exhaustive()
    }
}

/// The casting operations over `service`, checking tokens with `verifier`.
pub fn api_service(service: CastingService, verifier: Arc<dyn TokenVerifier>) -> CastingApi {
    let openapi = OpenApiService::new(
        (
            MoviesApi::new(service.clone()),
            ActorsApi::new(service.clone()),
            CreditsApi::new(service.clone()),
            AuditApi::new(service.clone()),
            HealthApi::new(service),
        ),
        TITLE,
        env!("CARGO_PKG_VERSION"),
    )
    .description(DESCRIPTION)
    // OpenAPI 3.0 has no SPDX `identifier` (3.1 does): the URL of README's licence section,
    // which names both licences of the expression.
    .license(
        poem_openapi::LicenseObject::new(env!("CARGO_PKG_LICENSE"))
            .url(concat!(env!("CARGO_PKG_REPOSITORY"), "#license")),
    )
    // What OpenAPI assumes when `servers` is empty (the host's root), said explicitly, as
    // linters require.
    .server(poem_openapi::ServerObject::new("/").description("The host serving this document"));
    let document = document::finish(&openapi.spec()).into();
    CastingApi {
        openapi,
        document,
        verifier,
        require_if_match: false,
        ready_timeout: Duration::from_secs(1),
        limits: Arc::new(RateLimits::new(&RateLimitConfig::default())),
    }
}

impl CastingApi {
    /// The same operations, refusing writes (`PATCH`, `DELETE`, `PUT …/cast`) that carry no
    /// `If-Match` with 428 when `required` (`REQUIRE_IF_MATCH`).
    #[must_use]
    pub fn require_if_match(mut self, required: bool) -> Self {
        self.require_if_match = required;
        self
    }

    /// The same operations, with `GET /ready` waiting `timeout` for the store (default 1 s).
    #[must_use]
    pub fn ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }

    /// The same operations, limiting how fast each caller may call and how many failed
    /// authentications each address may make (default: [`RateLimitConfig::default`];
    /// [`RateLimitConfig::off`] turns both off).
    #[must_use]
    pub fn rate_limits(mut self, config: &RateLimitConfig) -> Self {
        self.limits = Arc::new(RateLimits::new(config));
        self
    }

    /// The OpenAPI document as JSON.
    pub fn spec(&self) -> String {
        self.document.to_string()
    }

    /// The OpenAPI document as YAML.
    pub fn spec_yaml(&self) -> String {
        document::to_yaml(&self.document)
    }

    /// An endpoint serving the document as JSON.
    pub fn spec_endpoint(&self) -> impl Endpoint + 'static {
        let spec = self.spec();
        make_sync(move |_| {
            Response::builder()
                .content_type("application/json")
                .body(spec.clone())
        })
    }

    /// An endpoint serving the document as YAML.
    pub fn spec_endpoint_yaml(&self) -> impl Endpoint + 'static {
        let spec = self.spec_yaml();
        make_sync(move |_| {
            Response::builder()
                .content_type("application/x-yaml")
                .header("Content-Disposition", "inline; filename=\"spec.yaml\"")
                .body(spec.clone())
        })
    }

    /// Swagger UI over the document (at `/`, with its OAuth receiver page beside it).
    pub fn swagger_ui(&self) -> impl Endpoint + 'static {
        // poem-openapi writes its own document into the page, verbatim: put ours in its place.
        let html = self
            .openapi
            .swagger_ui_html()
            .replacen(&self.openapi.spec(), &self.document, 1);
        Route::new()
            .at("/", make_sync(move |_| Html(html.clone())))
            .at("/oauth-receiver.html", self.openapi.swagger_ui())
    }

    /// The route table of the operations.
    pub(crate) fn routes(&self) -> RouteTable {
        RouteTable::from_spec(&self.spec())
    }

    /// The operations with their verifier, without the contract's error shaping: for
    /// [`app`](crate::app), which shapes every error of the whole application once.
    pub(crate) fn operations(self) -> impl Endpoint<Output = Response> + 'static {
        self.openapi
            .into_endpoint()
            .data(Verifier(self.verifier))
            .data(RequireIfMatch(self.require_if_match))
            .data(ReadyTimeout(self.ready_timeout))
            .data(self.limits)
            .map_to_response()
    }
}

impl IntoEndpoint for CastingApi {
    type Endpoint = BoxEndpoint<'static, Response>;

    fn into_endpoint(self) -> Self::Endpoint {
        let routes = Arc::new(self.routes());
        self.operations().with(Contract { routes }).boxed()
    }
}
