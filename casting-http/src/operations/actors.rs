//! `/actors`, `/actor-details/{id}`, `/actors/{id}`.

use poem_openapi::param::Query;

use crate::operations::resource::resource;
use crate::operations::shell::record_operations;
use crate::operations::tags::Tag;
use crate::wire::bodies::{ActorPatchBody, NewActorBody};
use crate::wire::dto::{ActorDeleted, ActorEnvelope, ActorRestored, ActorsPage};
use crate::wire::listing::{ActorSortParam, AgeParam, GenderParam, IdParam};

resource! {
    /// Actors, for the generic operations.
    Actors: Actor (ActorId, field actor),
    answers ActorEnvelope, ActorDeleted, ActorRestored;
    bodies NewActorBody, ActorPatchBody;
    calls actor, create_actor_with_key, update_actor, delete_actor, restore_actor;
}

record_operations! {
    /// The actor operations.
    ActorsApi over Actors, tag "Tag::Actors";
    answers {
        /// The answers of `GET /actors`.
        list ListActorsResponse {
            /// A page of actors, the total that match, and the next page's cursor.
            Ok(ActorsPage)
        }
        /// The answers of `GET /actor-details/{id}` and `GET /actors/{id}`.
        get GetActorResponse {
            /// The actor with their movies.
            Ok(ActorEnvelope)
        }
        /// The answers of `POST /actors`.
        create CreateActorResponse {
            /// The actor as created, with their id (or as an earlier request with the same
            /// `Idempotency-Key` created them).
            Ok
        }
        /// The answers of `PATCH /actors/{id}`.
        update UpdateActorResponse {
            /// The actor as they now are.
            Ok
        }
        /// The answers of `DELETE /actors/{id}`.
        delete DeleteActorResponse {
            /// The deleted actor's id, and the actor as they were (the `ETag` is their last).
            Ok(ActorDeleted)
        }
        /// The answers of `POST /actors/{id}/restore`.
        restore RestoreActorResponse {
            /// The actor as restored, at the version after its delete's, and what was left out.
            Ok(ActorRestored)
        }
    }
    parameters {
        /// The actor's id: a positive whole number, in digits.
        id;
        /// Entity tags from earlier answers: a 304 when one is the actor's current tag.
        if_none_match;
        /// Your name for this create (1 to 255 visible ASCII characters, e.g. a UUID), so that
        /// a retry does not create the actor twice.
        idempotency_key;
        /// The actor's `ETag` as you last read it (or `*`: any version).
        if_match;
    }
    /// List actors
    ///
    /// Requires `get:actors`. Filters combine with each other and with `q`; a `movie` that
    /// does not exist keeps nothing. Paged by `page` or by `after` (a cursor from `next`, not
    /// with `page`): a cursor page costs the same at any depth, and a walk to `next: null`
    /// sees every actor that existed throughout exactly once. `Link: <…>; rel="next"` repeats
    /// the query with the next cursor. A page past the end is an empty list with the true
    /// `total`.
    list "/actors" as "listActors" by ListActors {
        /// Case-insensitive substring of the name.
        q;
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
    }
    sort ActorSortParam;
    filtered ActorListParams {
        gender: gender.0.into_iter().map(|g| g.0).collect(),
        age_min: age_min.0.map(|a| a.0),
        age_max: age_max.0.map(|a| a.0),
        movie: movie.0.into_iter().map(|id| id.0).collect(),
    } by list_actors_from_params;
    /// Get an actor with their movies
    ///
    /// Requires `get:actor-details`. With `If-None-Match` naming the actor's current `ETag`,
    /// the answer is a 304 without a body.
    details "/actor-details/:id" as "getActorDetails" by GetActor;
    /// Get an actor with their movies (same as /actor-details/{id})
    ///
    /// Requires `get:actor-details`. With `If-None-Match` naming the actor's current `ETag`,
    /// the answer is a 304 without a body.
    one "/actors/:id" as "getActor";
    /// Create an actor
    ///
    /// Requires `post:actors`. `movies`, when given, must name existing movies. With an
    /// `Idempotency-Key`, a repeat of the same request (same caller, same body) within 24 hours
    /// answers the actor as first created, with `Idempotent-Replayed: true`, and creates
    /// nothing.
    create "/actors" as "createActor" by CreateActor;
    /// Change an actor
    ///
    /// Requires `patch:actor`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `movies` replaces the whole list of movies. With `If-Match`, the change is
    /// made only if the actor still has that `ETag` (else 412, nothing changed).
    update "/actors/:id" as "updateActor" by UpdateActor;
    /// Delete an actor
    ///
    /// Requires `del:actors`. Their links go with them; the movies stay. With `If-Match`,
    /// the actor is deleted only if they still have that `ETag` (else 412, nothing changed).
    delete "/actors/:id" as "deleteActor" by DeleteActor;
    /// Restore a deleted actor
    ///
    /// Requires `post:actors`. Brings the actor back from their delete entry in the trail, with their
    /// id, every field as it was, and their credit (character and billing) in every movie that still exists; a billing position taken since puts them after that movie's current cast. `left_out` names the movies deleted
    /// since. The version is one past the delete's (versions and entity tags of an id never
    /// repeat); the trail gets one `restore` entry. 409 `already_exists` when the actor exists;
    /// 404 when the id was never deleted or their delete entry is no longer kept.
    restore "/actors/:id/restore" as "restoreActor" by RestoreActor;
}
