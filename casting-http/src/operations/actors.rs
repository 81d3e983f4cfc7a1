//! `/actors`, `/actor-details/{id}`, `/actors/{id}`: each operation a method of [`ActorsApi`]
//! that calls the generic operation of `resource` with [`Actors`].

use casting_core::{
    Actor, ActorId, ActorListParams, CastingService, Created, Error, IdempotencyKey, Principal,
    ResourceKind, Restored, Version,
};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};

use crate::etag::etag;
use crate::operations::resource::{self, Resource};
use crate::operations::responses::{listed, operation_response};
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::bodies::{ActorPatchBody, Changes, NewActorBody};
use crate::wire::conditional::{IfMatchRule, Sent};
use crate::wire::dto::{ActorDeleted, ActorEnvelope, ActorRestored, ActorsPage};
use crate::wire::listing::{
    ActorSortParam, AgeParam, Common, CountParam, CursorParam, GenderParam, IdParam,
    IdempotencyKeyParam,
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
    /// The answers of `GET /actor-details/{id}` and `GET /actors/{id}`.
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

operation_response! {
    /// The answers of `POST /actors/{id}/restore`.
    RestoreActorResponse {
        /// The actor as restored, at the version after its delete's, and what was left out.
        Ok(ActorRestored) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, Unavailable,
    ]
}

/// Actors, for the generic operations.
pub(crate) enum Actors {}

impl Resource for Actors {
    const KIND: ResourceKind = ResourceKind::Actor;
    type Record = Actor;
    type Envelope = ActorEnvelope;
    type Deleted = ActorDeleted;
    type Restored = ActorRestored;
    type NewBody = NewActorBody;
    type PatchBody = ActorPatchBody;

    fn tag(actor: &Actor) -> String {
        etag(Self::KIND, actor.id.get(), actor.revision.version)
    }

    fn envelope(actor: Actor) -> ActorEnvelope {
        ActorEnvelope {
            success: true,
            actor: actor.into(),
        }
    }

    fn deleted(actor: Actor) -> ActorDeleted {
        ActorDeleted {
            success: true,
            deleted: actor.id.get(),
            actor: actor.summary().into(),
        }
    }

    fn restored(restored: Restored<Actor>) -> ActorRestored {
        ActorRestored {
            success: true,
            actor: restored.record.into(),
            left_out: restored.left_out,
        }
    }

    async fn get(service: &CastingService, who: &Principal, id: i64) -> Result<Actor, Error> {
        service.actor(who, ActorId(id)).await
    }

    async fn create(
        service: &CastingService,
        who: &Principal,
        body: NewActorBody,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created<Actor>, Error> {
        service
            .create_actor_with_key(who, body.try_into()?, key)
            .await
    }

    async fn update(
        service: &CastingService,
        who: &Principal,
        id: i64,
        body: ActorPatchBody,
        expected: Option<Version>,
    ) -> Result<Actor, Error> {
        service
            .update_actor(who, ActorId(id), body.try_into()?, expected)
            .await
    }

    async fn delete(
        service: &CastingService,
        who: &Principal,
        id: i64,
        expected: Option<Version>,
    ) -> Result<Actor, Error> {
        service.delete_actor(who, ActorId(id), expected).await
    }

    async fn restore(
        service: &CastingService,
        who: &Principal,
        id: i64,
    ) -> Result<Restored<Actor>, Error> {
        service.restore_actor(who, ActorId(id)).await
    }
}

/// The actor operations.
#[derive(Debug, Clone)]
pub(crate) struct ActorsApi {
    service: CastingService,
    if_match: IfMatchRule,
}

impl ActorsApi {
    /// The operations over `service`, asking writes for `If-Match` as `if_match` says.
    pub(crate) fn new(service: CastingService, if_match: IfMatchRule) -> Self {
        Self { service, if_match }
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
    async fn list_actors(
        &self,
        caller: Caller<op::ListActors>,
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
        query: Utf8Query,
    ) -> ListActorsResponse {
        let list = Common::new(page, per_page, q, after, count);
        let params = ActorListParams {
            list: list.into_params(sort.0.map(|s| s.0)),
            gender: gender.0.into_iter().map(|g| g.0).collect(),
            age_min: age_min.0.map(|a| a.0),
            age_max: age_max.0.map(|a| a.0),
            movie: movie.0.into_iter().map(|id| id.0).collect(),
        };
        let page = self
            .service
            .list_actors_from_params(caller.principal(), &params)
            .await;
        listed::<_, ActorsPage, _>(page, &query)
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
    async fn get_actor_details(
        &self,
        caller: Caller<op::GetActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the actor's current tag.
        #[oai(name = "If-None-Match")]
        if_none_match: Sent,
    ) -> GetActorResponse {
        resource::read::<Actors, _>(&self.service, caller.principal(), id.0.0, &if_none_match).await
    }

    /// Get an actor with their movies (same as /actor-details/{id})
    ///
    /// Requires `get:actor-details`. With `If-None-Match` naming the actor's current `ETag`,
    /// the answer is a 304 without a body.
    #[oai(path = "/actors/:id", method = "get", operation_id = "getActor")]
    async fn get_actor(
        &self,
        caller: Caller<op::GetActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the actor's current tag.
        #[oai(name = "If-None-Match")]
        if_none_match: Sent,
    ) -> GetActorResponse {
        self.get_actor_details(caller, id, if_none_match).await
    }

    /// Create an actor
    ///
    /// Requires `post:actors`. `movies`, when given, must name existing movies. With an
    /// `Idempotency-Key`, a repeat of the same request (same caller, same body) within 24 hours
    /// answers the actor as first created, with `Idempotent-Replayed: true`, and creates
    /// nothing.
    #[oai(path = "/actors", method = "post", operation_id = "createActor")]
    async fn create_actor(
        &self,
        caller: Caller<op::CreateActor>,
        body: StrictJson<NewActorBody>,
        /// Your name for this create (1 to 255 visible ASCII characters, e.g. a UUID), so that
        /// a retry does not create the actor twice.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Sent<IdempotencyKeyParam>,
    ) -> CreateActorResponse {
        resource::create::<Actors, _, _>(
            &self.service,
            caller.principal(),
            &idempotency_key,
            body.0,
        )
        .await
    }

    /// Change an actor
    ///
    /// Requires `patch:actor`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `movies` replaces the whole list of movies. With `If-Match`, the change is
    /// made only if the actor still has that `ETag` (else 412, nothing changed).
    #[oai(path = "/actors/:id", method = "patch", operation_id = "updateActor")]
    async fn update_actor(
        &self,
        caller: Caller<op::UpdateActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<Changes<ActorPatchBody>>,
        /// The actor's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        if_match: Sent,
    ) -> UpdateActorResponse {
        resource::update::<Actors, _>(
            &self.service,
            caller.principal(),
            &self.if_match,
            id.0.0,
            &if_match,
            body.0.0,
        )
        .await
    }

    /// Delete an actor
    ///
    /// Requires `del:actors`. Their links go with them; the movies stay. With `If-Match`,
    /// the actor is deleted only if they still have that `ETag` (else 412, nothing changed).
    #[oai(path = "/actors/:id", method = "delete", operation_id = "deleteActor")]
    async fn delete_actor(
        &self,
        caller: Caller<op::DeleteActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// The actor's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        if_match: Sent,
    ) -> DeleteActorResponse {
        resource::delete::<Actors, _>(
            &self.service,
            caller.principal(),
            &self.if_match,
            id.0.0,
            &if_match,
        )
        .await
    }

    /// Restore a deleted actor
    ///
    /// Requires `post:actors`. Brings the actor back from their delete entry in the trail, with their
    /// id, every field as it was, and their credit (character and billing) in every movie that still exists; a billing position taken since puts them after that movie's current cast. `left_out` names the movies deleted
    /// since. The version is one past the delete's (versions and entity tags of an id never
    /// repeat); the trail gets one `restore` entry. 409 `already_exists` when the actor exists;
    /// 404 when the id was never deleted or their delete entry is no longer kept.
    #[oai(
        path = "/actors/:id/restore",
        method = "post",
        operation_id = "restoreActor"
    )]
    async fn restore_actor(
        &self,
        caller: Caller<op::RestoreActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> RestoreActorResponse {
        resource::restore::<Actors, _>(&self.service, caller.principal(), id.0.0).await
    }
}
