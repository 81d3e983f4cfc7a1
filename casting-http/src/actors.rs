//! `/actors`, `/actor-details/{id}`, `/actors/{id}`.

use casting_core::{ActorId, CastingService, ListParams};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use crate::bodies::{ActorPatchBody, Changes, NewActorBody};
use crate::dto::{ActorDeleted, ActorEnvelope, ActorsPage};
use crate::payload::StrictJson;
use crate::query::Utf8Query;
use crate::responses::operation_response;
use crate::security::{Caller, op};
use crate::tags::Tag;
use crate::types::{PageNumber, PageSize, PathId};

operation_response! {
    /// The answers of `GET /actors`.
    ListActorsResponse {
        /// A page of actors and the total that match.
        Ok(ActorsPage)
    }
    errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unavailable]
}

operation_response! {
    /// The answers of `GET /actor-details/{id}`.
    GetActorResponse {
        /// The actor with their movies.
        Ok(ActorEnvelope)
    }
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable]
}

operation_response! {
    /// The answers of `POST /actors`.
    CreateActorResponse {
        /// The actor as created, with their id.
        Ok(ActorEnvelope)
    }
    errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unprocessable, Unavailable]
}

operation_response! {
    /// The answers of `PATCH /actors/{id}`.
    UpdateActorResponse {
        /// The actor as they now are.
        Ok(ActorEnvelope)
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unprocessable, Unavailable,
    ]
}

operation_response! {
    /// The answers of `DELETE /actors/{id}`.
    DeleteActorResponse {
        /// The deleted actor's id, and the actor as they were.
        Ok(ActorDeleted)
    }
    errors: [BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable]
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

    async fn get(&self, caller: &Caller<op::GetActor>, id: i64) -> GetActorResponse {
        self.service
            .actor(caller.principal(), ActorId(id))
            .await
            .map(|actor| GetActorResponse::Ok(Json(envelope(actor))))
            .into()
    }
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
    /// Requires `get:actors`. Ordered by id; `page` from 1, `per_page` 1 to 100 (default 10);
    /// `q` keeps names containing it, ignoring case. A page past the end is an empty list with
    /// the true `total`.
    #[oai(path = "/actors", method = "get", operation_id = "listActors")]
    async fn list(
        &self,
        caller: Caller<op::ListActors>,
        /// Page number, from 1.
        page: Query<Option<PageNumber>>,
        /// Page size, 1 to 100.
        per_page: Query<Option<PageSize>>,
        /// Case-insensitive substring of the name.
        q: Query<Option<String>>,
        _utf8: Utf8Query,
    ) -> ListActorsResponse {
        let params = ListParams {
            page: page.0.map(|p| p.0),
            per_page: per_page.0.map(|p| p.0),
            q: q.0,
        };
        self.service
            .list_actors(caller.principal(), &params)
            .await
            .map(|page| ListActorsResponse::Ok(Json(page.into())))
            .into()
    }

    /// Get an actor with their movies
    ///
    /// Requires `get:actor-details`.
    #[oai(
        path = "/actor-details/:id",
        method = "get",
        operation_id = "getActorDetails"
    )]
    async fn details(
        &self,
        caller: Caller<op::GetActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> GetActorResponse {
        self.get(&caller, id.0.0).await
    }

    /// Get an actor with their movies (same as /actor-details/{id})
    ///
    /// Requires `get:actor-details`.
    #[oai(path = "/actors/:id", method = "get", operation_id = "getActor")]
    async fn one(
        &self,
        caller: Caller<op::GetActor>,
        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> GetActorResponse {
        self.get(&caller, id.0.0).await
    }

    /// Create an actor
    ///
    /// Requires `post:actors`. `movies`, when given, must name existing movies.
    #[oai(path = "/actors", method = "post", operation_id = "createActor")]
    async fn create(
        &self,
        caller: Caller<op::CreateActor>,
        body: StrictJson<NewActorBody>,
    ) -> CreateActorResponse {
        let created = match body.0.try_into() {
            Ok(input) => self.service.create_actor(caller.principal(), input).await,
            Err(invalid) => Err(invalid),
        };
        created
            .map(|actor| CreateActorResponse::Ok(Json(envelope(actor))))
            .into()
    }

    /// Change an actor
    ///
    /// Requires `patch:actor`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `movies` replaces the whole list of movies.
    #[oai(path = "/actors/:id", method = "patch", operation_id = "updateActor")]
    async fn update(
        &self,
        caller: Caller<op::UpdateActor>,

        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<Changes<ActorPatchBody>>,
    ) -> UpdateActorResponse {
        let updated = match body.0.0.try_into() {
            Ok(changes) => {
                self.service
                    .update_actor(caller.principal(), ActorId(id.0.0), changes)
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        updated
            .map(|actor| UpdateActorResponse::Ok(Json(envelope(actor))))
            .into()
    }

    /// Delete an actor
    ///
    /// Requires `del:actors`. Their links go with them; the movies stay.
    #[oai(path = "/actors/:id", method = "delete", operation_id = "deleteActor")]
    async fn delete(
        &self,
        caller: Caller<op::DeleteActor>,

        /// The actor's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> DeleteActorResponse {
        self.service
            .delete_actor(caller.principal(), ActorId(id.0.0))
            .await
            .map(|actor| {
                DeleteActorResponse::Ok(Json(ActorDeleted {
                    success: true,
                    deleted: actor.id.get(),
                    actor: actor.summary().into(),
                }))
            })
            .into()
    }
}
