//! [`CastingApi`]: the operations and their OpenAPI document, over one service and one verifier,
//! ready to mount anywhere.

use std::sync::Arc;
use std::time::Duration;

use casting_core::{CastingService, TokenVerifier};
use poem::endpoint::{BoxEndpoint, make_sync};
use poem::web::{Html, Redirect};
use poem::{Endpoint, EndpointExt, IntoEndpoint, Request, Response, Route, get, handler};
use poem_openapi::OpenApiService;

use crate::config::RateLimitConfig;
use crate::document::{self, MountPrefix, Published};
use crate::edge::limits::{RateLimitHeaders, RateLimits};
use crate::edge::middleware::Contract;
use crate::operations::actors::ActorsApi;
use crate::operations::audit::AuditApi;
use crate::operations::changes::{ChangesApi, StreamsEnd};
use crate::operations::credits::CreditsApi;
use crate::operations::health::{HealthApi, ReadyTimeout};
use crate::operations::movies::MoviesApi;
use crate::routes::RouteTable;
use crate::security::{Authentication, BearerScheme, Verifier};
use crate::shutdown::Shutdown;
use crate::wire::conditional::IfMatchRule;

const TITLE: &str = "Casting Agency API";

const DESCRIPTION: &str = "Movies, actors and the cast between them, behind Auth0 tokens with \
role-based permissions. Every operation but the two probes (`/health`, `/ready`) needs a bearer \
token whose `permissions` claim holds the permission the operation names. Errors are JSON: `{\"success\": false, \"error\": <status>, \
\"message\", \"code\", \"details\"}`.";

/// The casting operations with their spec and Swagger UI, over one service and one verifier.
///
/// It stands alone: as an endpoint (`IntoEndpoint`) it checks tokens with its own verifier,
/// limits callers, caps bodies, answers every error in the contract's JSON, and serves its
/// document at `/openapi.json` and `/openapi.yaml` and Swagger UI at `/docs`, so it can be
/// nested under any prefix of another poem application. The document's `servers` names the
/// prefix it is served under, so Swagger UI's "Try it out" calls the nested paths.
/// [`app`](crate::app) adds `/`, CORS, compression, request logging and metrics around it.
///
/// ```
/// use std::sync::Arc;
/// use casting_core::CastingService;
/// use casting_store_memory::MemoryStore;
/// # fn demo(verifier: Arc<dyn casting_core::TokenVerifier>) {
/// let service = CastingService::new(Arc::new(MemoryStore::new()));
/// let api = casting_http::api_service(service, verifier);
/// // Before the API moves into the routes: what the embedder's own endpoints need.
/// let authentication = api.authentication();
/// let spec = api.spec();
/// // GET /casting/movies, /casting/openapi.json, /casting/docs…
/// let routes = poem::Route::new().nest("/casting", api);
/// # let _ = (spec, routes, authentication);
/// # }
/// ```
pub struct CastingApi {
    openapi: OpenApiService<
        (
            MoviesApi,
            ActorsApi,
            CreditsApi,
            AuditApi,
            ChangesApi,
            HealthApi,
        ),
        (),
    >,
    verifier: Arc<dyn TokenVerifier>,
    /// Whether writes must carry `If-Match`, shared with the operations that write.
    if_match: IfMatchRule,
    ready_timeout: Duration,
    limits: Arc<RateLimits>,
    /// The signal that ends event streams, shared with `GET /changes`.
    streams_end: StreamsEnd,
    /// The document as served (poem-openapi's, finished by [`document::finish`]) and its
    /// Swagger UI page.
    published: Arc<Published>,
}

impl std::fmt::Debug for CastingApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CastingApi")
            .field("verifier", &self.verifier)
            .field("require_if_match", &self.if_match.required())
            .finish_non_exhaustive()
    }
}

/// The casting operations over `service`, checking tokens with `verifier`.
pub fn api_service(service: CastingService, verifier: Arc<dyn TokenVerifier>) -> CastingApi {
    let streams_end = StreamsEnd::default();
    let if_match = IfMatchRule::default();
    let openapi = OpenApiService::new(
        (
            MoviesApi::new(service.clone(), if_match.clone()),
            ActorsApi::new(service.clone(), if_match.clone()),
            CreditsApi::new(service.clone(), if_match.clone()),
            AuditApi::new(service.clone()),
            ChangesApi::new(service.clone(), streams_end.clone()),
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
    // linters require. Under a prefix, the prefix is served instead (`document::Published`).
    .server(poem_openapi::ServerObject::new("/").description("The host serving this document"));
    let published = publish(&openapi, None);
    CastingApi {
        openapi,
        published,
        verifier,
        if_match,
        ready_timeout: Duration::from_secs(1),
        limits: Arc::new(RateLimits::new(&RateLimitConfig::default())),
        streams_end,
    }
}

/// The finished document and Swagger UI page of `openapi`, with the embedder's `scheme`.
fn publish<T>(openapi: &OpenApiService<T, ()>, scheme: Option<&BearerScheme>) -> Arc<Published>
where
    T: poem_openapi::OpenApi,
{
    let written = openapi.spec();
    let mut document = document::finish(&written);
    if scheme.is_some() {
        document = document::adapt(&document, None, scheme);
    }
    Arc::new(Published::new(
        document.into(),
        openapi.swagger_ui_html(),
        written,
    ))
}

/// `GET /`: to Swagger UI, under whatever prefix the application is mounted at.
#[handler]
fn index(request: &Request) -> Redirect {
    Redirect::see_other(format!("{}/docs", document::mount_prefix(request)))
}

/// How a path outside the OpenAPI document is mounted.
enum Mount {
    /// At exactly this path.
    At,
    /// This path and everything below it (Swagger UI's assets).
    Nest,
}

impl CastingApi {
    /// The same operations, refusing writes (`PATCH`, `DELETE`, `PUT …/cast`) that carry no
    /// `If-Match` with 428 when `required` (`REQUIRE_IF_MATCH`).
    #[must_use]
    pub fn require_if_match(self, required: bool) -> Self {
        self.if_match.set(required);
        self
    }

    /// The same operations, ending their event streams (`GET /changes`) when `shutdown` is
    /// given (default: never, the client ends them).
    #[must_use]
    pub fn shutdown(self, shutdown: &Shutdown) -> Self {
        self.streams_end.set(shutdown);
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

    /// The same operations, their document describing the bearer credentials as `scheme` says
    /// (for a [`TokenVerifier`] that does not take Auth0 tokens).
    #[must_use]
    pub fn bearer_scheme(mut self, scheme: BearerScheme) -> Self {
        self.published = publish(&self.openapi, Some(&scheme));
        self
    }

    /// Middleware for the embedder's own endpoints: there, [`Authenticated`] gives the caller
    /// as this API's verifier and rate limits see them, and errors leave in the API's shape.
    /// Take it before the API moves into a route.
    ///
    /// [`Authenticated`]: crate::Authenticated
    pub fn authentication(&self) -> Authentication {
        Authentication {
            verifier: Arc::clone(&self.verifier),
            limits: Arc::clone(&self.limits),
        }
    }

    /// The OpenAPI document as JSON (`servers` at the host's root).
    pub fn spec(&self) -> String {
        self.published.root().to_string()
    }

    /// The OpenAPI document as YAML (`servers` at the host's root).
    pub fn spec_yaml(&self) -> String {
        document::to_yaml(self.published.root())
    }

    /// An endpoint serving the document as JSON.
    pub fn spec_endpoint(&self) -> impl Endpoint + 'static {
        let published = Arc::clone(&self.published);
        make_sync(move |request| {
            Response::builder()
                .content_type("application/json")
                .body(published.document(MountPrefix::of(&request)).to_string())
        })
    }

    /// An endpoint serving the document as YAML.
    pub fn spec_endpoint_yaml(&self) -> impl Endpoint + 'static {
        let published = Arc::clone(&self.published);
        make_sync(move |request| {
            Response::builder()
                .content_type("application/x-yaml")
                .header("Content-Disposition", "inline; filename=\"spec.yaml\"")
                .body(document::to_yaml(
                    &published.document(MountPrefix::of(&request)),
                ))
        })
    }

    /// Swagger UI over the document (at `/`, with its OAuth receiver page beside it).
    pub fn swagger_ui(&self) -> impl Endpoint + 'static {
        let published = Arc::clone(&self.published);
        Route::new()
            .at(
                "/",
                make_sync(move |request| Html(published.page(MountPrefix::of(&request)))),
            )
            .at("/oauth-receiver.html", self.openapi.swagger_ui())
    }

    /// The operations, the document and Swagger UI in one router, with its route table
    /// (`/` too, redirecting to Swagger UI, when `with_index`). Errors are not shaped yet: the
    /// caller adds [`Contract`] where it wants it.
    pub(crate) fn router(self, with_index: bool) -> (Route, RouteTable) {
        let mut public: Vec<(&str, Mount, BoxEndpoint<'static, Response>)> = vec![
            (
                "/openapi.json",
                Mount::At,
                get(self.spec_endpoint()).map_to_response().boxed(),
            ),
            (
                "/openapi.yaml",
                Mount::At,
                get(self.spec_endpoint_yaml()).map_to_response().boxed(),
            ),
            (
                "/docs",
                Mount::Nest,
                self.swagger_ui().map_to_response().boxed(),
            ),
        ];
        if with_index {
            public.insert(0, ("/", Mount::At, get(index).map_to_response().boxed()));
        }
        let mut table = RouteTable::from_spec(&self.spec());
        // The operations' own router serves every path of the spec, unstripped.
        let prefixes = table.prefixes();
        let operations = Arc::new(self.operations());
        let mut routes = Route::new();
        for prefix in prefixes {
            routes = routes.nest_no_strip(prefix, Arc::clone(&operations));
        }
        for (path, mount, endpoint) in public {
            table.add_get(path);
            routes = match mount {
                Mount::At => routes.at(path, endpoint),
                Mount::Nest => routes.nest(path, endpoint),
            };
        }
        (routes, table)
    }

    /// The operations with their verifier, without the contract's error shaping.
    fn operations(self) -> impl Endpoint<Output = Response> + 'static {
        self.openapi
            .into_endpoint()
            .data(Verifier(self.verifier))
            .data(ReadyTimeout(self.ready_timeout))
            .data(self.limits)
            .map_to_response()
    }
}

impl IntoEndpoint for CastingApi {
    type Endpoint = BoxEndpoint<'static, Response>;

    fn into_endpoint(self) -> Self::Endpoint {
        let (routes, table) = self.router(false);
        routes
            .with(MountPrefix::layer())
            .with(Contract {
                routes: Arc::new(table),
            })
            .with(RateLimitHeaders)
            .boxed()
    }
}
