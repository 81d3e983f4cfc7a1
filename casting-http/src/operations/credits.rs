//! `/movies/{id}/cast` and `/actors/{id}/credits`: who plays whom, in which billing position
//! (the types on the wire are in `wire::credits`).

use casting_core::{ActorId, CastingService, MovieId, ResourceKind};
use poem_openapi::OpenApi;
use poem_openapi::param::Path;

use crate::etag::etag;
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::conditional::{IfMatchRule, Sent, expected};
use crate::wire::credits::{
    CastBody, CastEnvelope, CreditsEnvelope, cast_envelope, credits_envelope,
};
use crate::wire::json::Json;
use crate::wire::payload::StrictJson;
use crate::wire::types::PathId;

operation_response! {
    /// The answers of `GET /movies/{id}/cast`.
    GetCastResponse {
        /// The movie's cast, by billing.
        Ok(cast CastEnvelope) + ETag
    }
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable]
}

operation_response! {
    /// The answers of `PUT /movies/{id}/cast`.
    ReplaceCastResponse {
        /// The cast as stored, by billing.
        Ok(cast CastEnvelope) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed, PayloadTooLarge,
        Unprocessable, PreconditionRequired, Unavailable,
    ]
}

operation_response! {
    /// The answers of `GET /actors/{id}/credits`.
    GetCreditsResponse {
        /// The actor's credits, newest release first.
        Ok(CreditsEnvelope)
    }
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable]
}

/// The credit operations.
#[derive(Debug, Clone)]
pub(crate) struct CreditsApi {
    service: CastingService,
    if_match: IfMatchRule,
}

impl CreditsApi {
    /// The operations over `service`, asking a cast's change for `If-Match` as `if_match` says.
    pub(crate) fn new(service: CastingService, if_match: IfMatchRule) -> Self {
        Self { service, if_match }
    }
}

/// The credit operations.
#[OpenApi(tag = "Tag::Credits")]
impl CreditsApi {
    /// Get a movie's cast with characters and billing
    ///
    /// Requires `get:movie-details`. Ordered by billing, then actor id. The movie's `actors`
    /// list (ids ascending) is the same cast without the credits. The `ETag` is the movie's:
    /// the cast is part of it.
    #[oai(path = "/movies/:id/cast", method = "get", operation_id = "getCast")]
    async fn cast(
        &self,
        caller: Caller<op::GetCast>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> GetCastResponse {
        let movie = MovieId(id.0.0);
        self.service
            .cast(caller.principal(), movie)
            .await
            .map(|cast| {
                let tag = etag(ResourceKind::Movie, movie.get(), cast.version);
                GetCastResponse::Ok(Json(cast_envelope(movie, cast.members)), tag)
            })
            .into()
    }

    /// Replace a movie's cast
    ///
    /// Requires `patch:movie`. Replaces the whole cast, characters and billing included, in
    /// one transaction; `{"cast": []}` empties it. Credits without `billing` come after those
    /// with one, in the order given. An actor given twice, a billing position given twice, or
    /// a bad character is a 422 naming `cast[i].field`; actor ids that name nothing are a 422
    /// listing them. Nothing changes on any error. With `If-Match` (the movie's `ETag`), the
    /// cast is replaced only if the movie still has that version (else 412).
    #[oai(
        path = "/movies/:id/cast",
        method = "put",
        operation_id = "replaceCast"
    )]
    async fn replace(
        &self,
        caller: Caller<op::ReplaceCast>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<CastBody>,
        /// The movie's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        if_match: Sent,
    ) -> ReplaceCastResponse {
        let movie = MovieId(id.0.0);
        let kind = ResourceKind::Movie;
        let expected = match expected(&self.if_match, &if_match, kind, movie.get()) {
            Ok(expected) => expected,
            Err(refused) => return refused.into(),
        };
        let replaced = match body.0.try_into() {
            Ok(input) => {
                self.service
                    .replace_cast(caller.principal(), movie, input, expected)
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        replaced
            .map(|cast| {
                let tag = etag(kind, movie.get(), cast.version);
                ReplaceCastResponse::Ok(Json(cast_envelope(movie, cast.members)), tag)
            })
            .into()
    }

    /// Get an actor's credits
    ///
    /// Requires `get:actor-details`. Every movie the actor is cast in, with the character and
    /// billing, newest release first (then the higher movie id).
    #[oai(
        path = "/actors/:id/credits",
        method = "get",
        operation_id = "getCredits"
    )]
    async fn credits(
        &self,
        caller: Caller<op::GetCredits>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> GetCreditsResponse {
        let actor = ActorId(id.0.0);
        self.service
            .credits(caller.principal(), actor)
            .await
            .map(|credits| GetCreditsResponse::Ok(Json(credits_envelope(actor, credits))))
            .into()
    }
}
