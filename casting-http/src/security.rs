//! The bearer security scheme: authentication *and* the operation's permission, checked before
//! any other parameter or the body is read (401, then 403, then 400…).

use std::marker::PhantomData;
use std::sync::Arc;

use casting_core::auth::bearer_token;
use casting_core::{AuthError, Permission, Principal, TokenVerifier};
use poem::http::header;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::errors::ApiError;

/// The security scheme's name in the OpenAPI document.
pub const SCHEME: &str = "bearerAuth";

/// The verifier, shared with the extractor through request data.
#[derive(Clone)]
pub(crate) struct Verifier(pub(crate) Arc<dyn TokenVerifier>);

/// A permission an operation requires, named by a marker type.
pub trait Required: Send + Sync + 'static {
    /// The permission.
    const PERMISSION: Permission;
}

macro_rules! markers {
    ($($marker:ident => $permission:ident,)*) => {$(
        #[doc = concat!("Requires `", stringify!($permission), "`.")]
        pub enum $marker {}
        impl Required for $marker {
            const PERMISSION: Permission = Permission::$permission;
        }
    )*};
}

markers! {
    GetMovies => GetMovies,
    GetMovieDetails => GetMovieDetails,
    PostMovies => PostMovies,
    PatchMovie => PatchMovie,
    DeleteMovies => DeleteMovies,
    GetActors => GetActors,
    GetActorDetails => GetActorDetails,
    PostActors => PostActors,
    PatchActor => PatchActor,
    DeleteActors => DeleteActors,
}

/// The authenticated caller of an operation that requires `P`.
pub struct Caller<P: Required>(pub Principal, PhantomData<fn() -> P>);

impl<P: Required> Caller<P> {
    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.0
    }
}

async fn authenticate(request: &Request) -> Result<Principal, ApiError> {
    let Some(verifier) = request.data::<Verifier>() else {
        return Err(ApiError::internal(&"no token verifier in request data"));
    };
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingHeader)?;
    let header = header.to_str().map_err(|_| AuthError::InvalidHeader)?;
    let token = bearer_token(header)?;
    Ok(verifier.0.verify(token).await?)
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
        if !principal.has(P::PERMISSION) {
            return Err(ApiError::forbidden(P::PERMISSION).into());
        }
        Ok(Caller(principal, PhantomData))
    }
}
