//! `/actors`, `/actor-details/{id}`, `/actors/{id}`.

use casting_core::{ActorId, ActorListParams, CastingService, ResourceKind};
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};

use crate::etag::etag;
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::bodies::{ActorPatchBody, Changes, NewActorBody};
use crate::wire::conditional::{expected, idempotency_key, none_match, replayed};
use crate::wire::dto::{ActorDeleted, ActorEnvelope, ActorsPage};
use crate::wire::json::Json;
use crate::wire::listing::{
    ActorSortParam, AgeParam, Common, CountParam, CursorParam, GenderParam, IdParam,
    IdempotencyKeyParam, next_link,
};
use crate::wire::payload::StrictJson;
use crate::wire::query::Utf8Query;
use crate::wire::types::{PageNumber, PageSize, PathId};

operation_response! {
    /// The answers of `GET /actors`.
    ListActorsResponse {
        /// A page of actors, the total that match, and the next page's cursor.
        Ok(ActorsPage) + Link
    }
    errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unavailable]
}

operation_response! {
    /// The answers of `GET /actor-details/{id}`.
    GetActorResponse {
        /// The actor with their movies.
        Ok(ActorEnvelope) + ETag
    }
    errors: [
        NotModified, BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable,
    ]
}

operation_response! {
    /// The answers of `POST /actors`.
    CreateActorResponse {
        /// The actor as created, with their id (or as an earlier request with the same
        /// `Idempotency-Key` created them).
        Ok(ActorEnvelope) + ETag + Replayed
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, Unprocessable, Unavailable,
    ]
}

operation_response! {
    /// The answers of `PATCH /actors/{id}`.
    UpdateActorResponse {
        /// The actor as they now are.
        Ok(ActorEnvelope) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed, PayloadTooLarge,
        Unprocessable, PreconditionRequired, Unavailable,
    ]
}

operation_response! {
    /// The answers of `DELETE /actors/{id}`.
    DeleteActorResponse {
        /// The deleted actor's id, and the actor as they were (the `ETag` is their last).
        Ok(ActorDeleted) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed, PayloadTooLarge,
        PreconditionRequired, Unavailable,
    ]
}

/// The actor operations.
#[derive(Debug, Clone)]
pub(crate) struct ActorsApi {
    service: CastingService,
}

impl ActorsApi {
    /// The operations over `service`.
    pub(crate) fn new(service: CastingService) -> Self {
        Self { service }
    }

    async fn get(
        &self,
        caller: &Caller<op::GetActor>,
        id: i64,
        request: &Request,
    ) -> GetActorResponse {
        self.service
            .actor(caller.principal(), ActorId(id))
            .await
            .map(|actor| {
                let tag = etag(ResourceKind::Actor, id, actor.revision.version);
                if none_match(request, &tag) {
                    GetActorResponse::NotModified(tag)
                } else {
                    GetActorResponse::Ok(Json(envelope(actor)), tag)
                }
            })
            .into()
    }
}

/// The `ETag` of an actor.
fn tag_of(actor: &casting_core::Actor) -> String {
    etag(ResourceKind::Actor, actor.id.get(), actor.revision.version)
}

fn envelope(actor: casting_core::Actor) -> ActorEnvelope {
    ActorEnvelope {
        success: true,
        actor: actor.into(),
    }
}

/// The actor operations.
#[OpenApi(tag = "Tag::Actors")]
impl ActorsApi {
    /// List actors
    ///
    /// Requires `get:actors`. Filters combine with each other and with `q`; a `movie` that
    /// does not exist keeps nothing. Paged by `page` or by `after` (a cursor from `next`, not
    /// with `page`): a cursor page costs the same at any depth, and a walk to `next: null`
    /// sees every actor that existed throughout exactly once. `Link: <…>; rel="next"` repeats
    /// the query with the next cursor. A page past the end is an empty list with the true
    /// `total`.
    #[oai(path = "/actors", method = "get", operation_id = "listActors")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller<op::ListActors>,
        request: &Request,
        /// Page number, from 1. Not with `after`.
        page: Query<Option<PageNumber>>,
        /// Page size, 1 to 100.
        per_page: Query<Option<PageSize>>,
        /// Case-insensitive substring of the name.
        q: Query<Option<String>>,
        /// A gender, repeatable: actors of any of them.
        #[oai(default)]
        gender: Query<Vec<GenderParam>>,
        /// Youngest age kept.
        age_min: Query<Option<AgeParam>>,
        /// Oldest age kept.
        age_max: Query<Option<AgeParam>>,
        /// A movie id, repeatable: actors cast in all of them.
        #[oai(default)]
        movie: Query<Vec<IdParam>>,
        /// The order.
        sort: Query<Option<ActorSortParam>>,
        /// The cursor of the page to start after.
        after: Query<Option<CursorParam>>,
        /// Whether to count the matches.
        count: Query<Option<CountParam>>,
        _utf8: Utf8Query,
    ) -> ListActorsResponse {
        let common = Common {
            page: page.0,
            per_page: per_page.0,
            q: q.0,
            after: after.0,
            count: count.0,
        };
        let params = ActorListParams {
            list: common.into_params(sort.0.map(|s| s.0)),
            gender: gender.0.into_iter().map(|g| g.0).collect(),
            age_min: age_min.0.map(|a| a.0),
            age_max: age_max.0.map(|a| a.0),
            movie: movie.0.into_iter().map(|id| id.0).collect(),
        };
        self.service
            .list_actors_from_params(caller.principal(), &params)
            .await
            .map(|page| {
                let link = page.next.as_deref().map(|next| next_link(request, next));
                ListActorsResponse::Ok(Json(page.into()), link)
            })
            .into()
    }

    /// Get an actor with their movies
    ///
    /// Requires `get:actor-details`. With `If-None-Match` naming the actor's current `ETag`,
    /// the answer is a 304 without a body.
    #[oai(
        path = "/actor-details/:id",
        method = "get",
        operation_id = "getActorDetails"
    )]
    async fn details(
        &self,
        caller: Caller<op::GetActor>,
        request: &Request,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the actor's current tag.
        #[oai(name = "If-None-Match")]
        _if_none_match: Header<Option<String>>,
    ) -> GetActorResponse {
        self.get(&caller, id.0.0, request).await
    }

    /// Get an actor with their movies (same as /actor-details/{id})
    ///
    /// Requires `get:actor-details`. With `If-None-Match` naming the actor's current `ETag`,
    /// the answer is a 304 without a body.
    #[oai(path = "/actors/:id", method = "get", operation_id = "getActor")]
    async fn one(
        &self,
        caller: Caller<op::GetActor>,
        request: &Request,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the actor's current tag.
        #[oai(name = "If-None-Match")]
        _if_none_match: Header<Option<String>>,
    ) -> GetActorResponse {
        self.get(&caller, id.0.0, request).await
    }

    /// Create an actor
    ///
    /// Requires `post:actors`. `movies`, when given, must name existing movies. With an
    /// `Idempotency-Key`, a repeat of the same request (same caller, same body) within 24 hours
    /// answers the actor as first created, with `Idempotent-Replayed: true`, and creates
    /// nothing.
    #[oai(path = "/actors", method = "post", operation_id = "createActor")]
    async fn create(
        &self,
        caller: Caller<op::CreateActor>,
        request: &Request,
        body: StrictJson<NewActorBody>,
        /// Your name for this create (1 to 255 visible ASCII characters, e.g. a UUID), so that
        /// a retry does not create the actor twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency: Header<Option<IdempotencyKeyParam>>,
    ) -> CreateActorResponse {
        let key = match idempotency_key(request) {
            Ok(key) => key,
            Err(refused) => return refused.into(),
        };
        let created = match body.0.try_into() {
            Ok(input) => {
                self.service
                    .create_actor_with_key(caller.principal(), input, key.as_ref())
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        created
            .map(|created| {
                let tag = tag_of(&created.record);
                let replayed = replayed(created.replayed);
                CreateActorResponse::Ok(Json(envelope(created.record)), tag, replayed)
            })
            .into()
    }

    /// Change an actor
    ///
    /// Requires `patch:actor`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `movies` replaces the whole list of movies. With `If-Match`, the change is
    /// made only if the actor still has that `ETag` (else 412, nothing changed).
    #[oai(path = "/actors/:id", method = "patch", operation_id = "updateActor")]
    async fn update(
        &self,
        caller: Caller<op::UpdateActor>,
        request: &Request,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<Changes<ActorPatchBody>>,
        /// The actor's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        _if_match: Header<Option<String>>,
    ) -> UpdateActorResponse {
        let id = id.0.0;
        let expected = match expected(request, ResourceKind::Actor, id) {
            Ok(expected) => expected,
            Err(refused) => return refused.into(),
        };
        let updated = match body.0.0.try_into() {
            Ok(changes) => {
                self.service
                    .update_actor(caller.principal(), ActorId(id), changes, expected)
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        updated
            .map(|actor| {
                let tag = tag_of(&actor);
                UpdateActorResponse::Ok(Json(envelope(actor)), tag)
            })
            .into()
    }

    /// Delete an actor
    ///
    /// Requires `del:actors`. Their links go with them; the movies stay. With `If-Match`,
    /// the actor is deleted only if they still have that `ETag` (else 412, nothing changed).
    #[oai(path = "/actors/:id", method = "delete", operation_id = "deleteActor")]
    async fn delete(
        &self,
        caller: Caller<op::DeleteActor>,
        request: &Request,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// The actor's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        _if_match: Header<Option<String>>,
    ) -> DeleteActorResponse {
        let id = id.0.0;
        let expected = match expected(request, ResourceKind::Actor, id) {
            Ok(expected) => expected,
            Err(refused) => return refused.into(),
        };
        self.service
            .delete_actor(caller.principal(), ActorId(id), expected)
            .await
            .map(|actor| {
                let tag = tag_of(&actor);
                let deleted = ActorDeleted {
                    success: true,
                    deleted: actor.id.get(),
                    actor: actor.summary().into(),
                };
                DeleteActorResponse::Ok(Json(deleted), tag)
            })
            .into()
    }
}
