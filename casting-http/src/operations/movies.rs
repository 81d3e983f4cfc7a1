//! `/movies`, `/movie-details/{id}`, `/movies/{id}`: each operation a method of [`MoviesApi`]
//! that calls the generic operation of `resource` with [`Movies`].

use casting_core::{
    CastingService, Created, Error, IdempotencyKey, Movie, MovieId, MovieListParams, Principal,
    ResourceKind, Restored, Version,
};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};

use crate::etag::etag;
use crate::operations::resource::{self, Resource};
use crate::operations::responses::{listed, operation_response};
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::bodies::{Changes, MoviePatchBody, NewMovieBody};
use crate::wire::conditional::{IfMatchRule, Sent};
use crate::wire::dto::{MovieDeleted, MovieEnvelope, MovieRestored, MoviesPage};
use crate::wire::listing::{
    Common, CountParam, CursorParam, DateParam, IdParam, IdempotencyKeyParam, MovieSortParam,
};
use crate::wire::payload::StrictJson;
use crate::wire::query::Utf8Query;
use crate::wire::types::{PageNumber, PageSize, PathId};

operation_response! {
    /// The answers of `GET /movies`.
    ListMoviesResponse {
        /// A page of movies, the total that match, and the next page's cursor.
        Ok(MoviesPage) + Link
    }
    errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unavailable]
}

operation_response! {
    /// The answers of `GET /movie-details/{id}` and `GET /movies/{id}`.
    GetMovieResponse {
        /// The movie with its cast.
        Ok(MovieEnvelope) + ETag
    }
    errors: [
        NotModified, BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unavailable,
    ]
}

operation_response! {
    /// The answers of `POST /movies`.
    CreateMovieResponse {
        /// The movie as created, with its id (or as an earlier request with the same
        /// `Idempotency-Key` created it).
        Ok(MovieEnvelope) + ETag + Replayed
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, Unprocessable, Unavailable,
    ]
}

operation_response! {
    /// The answers of `PATCH /movies/{id}`.
    UpdateMovieResponse {
        /// The movie as it now is.
        Ok(MovieEnvelope) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed, PayloadTooLarge,
        Unprocessable, PreconditionRequired, Unavailable,
    ]
}

operation_response! {
    /// The answers of `DELETE /movies/{id}`.
    DeleteMovieResponse {
        /// The deleted movie's id, and the movie as it was (the `ETag` is its last).
        Ok(MovieDeleted) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed, PayloadTooLarge,
        PreconditionRequired, Unavailable,
    ]
}

operation_response! {
    /// The answers of `POST /movies/{id}/restore`.
    RestoreMovieResponse {
        /// The movie as restored, at the version after its delete's, and what was left out.
        Ok(MovieRestored) + ETag
    }
    errors: [
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, Unavailable,
    ]
}

/// Movies, for the generic operations.
pub(crate) enum Movies {}

impl Resource for Movies {
    const KIND: ResourceKind = ResourceKind::Movie;
    type Record = Movie;
    type Envelope = MovieEnvelope;
    type Deleted = MovieDeleted;
    type Restored = MovieRestored;
    type NewBody = NewMovieBody;
    type PatchBody = MoviePatchBody;

    fn tag(movie: &Movie) -> String {
        etag(Self::KIND, movie.id.get(), movie.revision.version)
    }

    fn envelope(movie: Movie) -> MovieEnvelope {
        MovieEnvelope {
            success: true,
            movie: movie.into(),
        }
    }

    fn deleted(movie: Movie) -> MovieDeleted {
        MovieDeleted {
            success: true,
            deleted: movie.id.get(),
            movie: movie.summary().into(),
        }
    }

    fn restored(restored: Restored<Movie>) -> MovieRestored {
        MovieRestored {
            success: true,
            movie: restored.record.into(),
            left_out: restored.left_out,
        }
    }

    async fn get(service: &CastingService, who: &Principal, id: i64) -> Result<Movie, Error> {
        service.movie(who, MovieId(id)).await
    }

    async fn create(
        service: &CastingService,
        who: &Principal,
        body: NewMovieBody,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created<Movie>, Error> {
        service
            .create_movie_with_key(who, body.try_into()?, key)
            .await
    }

    async fn update(
        service: &CastingService,
        who: &Principal,
        id: i64,
        body: MoviePatchBody,
        expected: Option<Version>,
    ) -> Result<Movie, Error> {
        service
            .update_movie(who, MovieId(id), body.try_into()?, expected)
            .await
    }

    async fn delete(
        service: &CastingService,
        who: &Principal,
        id: i64,
        expected: Option<Version>,
    ) -> Result<Movie, Error> {
        service.delete_movie(who, MovieId(id), expected).await
    }

    async fn restore(
        service: &CastingService,
        who: &Principal,
        id: i64,
    ) -> Result<Restored<Movie>, Error> {
        service.restore_movie(who, MovieId(id)).await
    }
}

/// The movie operations.
#[derive(Debug, Clone)]
pub(crate) struct MoviesApi {
    service: CastingService,
    if_match: IfMatchRule,
}

impl MoviesApi {
    /// The operations over `service`, asking writes for `If-Match` as `if_match` says.
    pub(crate) fn new(service: CastingService, if_match: IfMatchRule) -> Self {
        Self { service, if_match }
    }
}

/// The movie operations.
#[OpenApi(tag = "Tag::Movies")]
impl MoviesApi {
    /// List movies
    ///
    /// Requires `get:movies`. Filters combine with each other and with `q`; an `actor` that
    /// does not exist keeps nothing. Paged by `page` or by `after` (a cursor from `next`, not
    /// with `page`): a cursor page costs the same at any depth, and a walk to `next: null`
    /// sees every movie that existed throughout exactly once. `Link: <…>; rel="next"` repeats
    /// the query with the next cursor. A page past the end is an empty list with the true
    /// `total`.
    #[oai(path = "/movies", method = "get", operation_id = "listMovies")]
    #[allow(clippy::too_many_arguments)]
    async fn list_movies(
        &self,
        caller: Caller<op::ListMovies>,
        /// Page number, from 1. Not with `after`.
        page: Query<Option<PageNumber>>,
        /// Page size, 1 to 100.
        per_page: Query<Option<PageSize>>,
        /// Case-insensitive substring of the title.
        q: Query<Option<String>>,
        /// Earliest release date kept.
        released_from: Query<Option<DateParam>>,
        /// Latest release date kept.
        released_to: Query<Option<DateParam>>,
        /// An actor id, repeatable: movies whose cast holds all of them.
        #[oai(default)]
        actor: Query<Vec<IdParam>>,
        /// The order.
        sort: Query<Option<MovieSortParam>>,
        /// The cursor of the page to start after.
        after: Query<Option<CursorParam>>,
        /// Whether to count the matches.
        count: Query<Option<CountParam>>,
        query: Utf8Query,
    ) -> ListMoviesResponse {
        let list = Common::new(page, per_page, q, after, count);
        let params = MovieListParams {
            list: list.into_params(sort.0.map(|s| s.0)),
            released_from: released_from.0.map(|d| d.0),
            released_to: released_to.0.map(|d| d.0),
            actor: actor.0.into_iter().map(|id| id.0).collect(),
        };
        let page = self
            .service
            .list_movies_from_params(caller.principal(), &params)
            .await;
        listed::<_, MoviesPage, _>(page, &query)
    }

    /// Get a movie with its cast
    ///
    /// Requires `get:movie-details`. With `If-None-Match` naming the movie's current `ETag`,
    /// the answer is a 304 without a body.
    #[oai(
        path = "/movie-details/:id",
        method = "get",
        operation_id = "getMovieDetails"
    )]
    async fn get_movie_details(
        &self,
        caller: Caller<op::GetMovie>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the movie's current tag.
        #[oai(name = "If-None-Match")]
        if_none_match: Sent,
    ) -> GetMovieResponse {
        resource::read::<Movies, _>(&self.service, caller.principal(), id.0.0, &if_none_match).await
    }

    /// Get a movie with its cast (same as /movie-details/{id})
    ///
    /// Requires `get:movie-details`. With `If-None-Match` naming the movie's current `ETag`,
    /// the answer is a 304 without a body.
    #[oai(path = "/movies/:id", method = "get", operation_id = "getMovie")]
    async fn get_movie(
        &self,
        caller: Caller<op::GetMovie>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the movie's current tag.
        #[oai(name = "If-None-Match")]
        if_none_match: Sent,
    ) -> GetMovieResponse {
        self.get_movie_details(caller, id, if_none_match).await
    }

    /// Create a movie
    ///
    /// Requires `post:movies`. `actors`, when given, must name existing actors. With an
    /// `Idempotency-Key`, a repeat of the same request (same caller, same body) within 24 hours
    /// answers the movie as first created, with `Idempotent-Replayed: true`, and creates
    /// nothing.
    #[oai(path = "/movies", method = "post", operation_id = "createMovie")]
    async fn create_movie(
        &self,
        caller: Caller<op::CreateMovie>,
        body: StrictJson<NewMovieBody>,
        /// Your name for this create (1 to 255 visible ASCII characters, e.g. a UUID), so that
        /// a retry does not create the movie twice.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Sent<IdempotencyKeyParam>,
    ) -> CreateMovieResponse {
        resource::create::<Movies, _, _>(
            &self.service,
            caller.principal(),
            &idempotency_key,
            body.0,
        )
        .await
    }

    /// Change a movie
    ///
    /// Requires `patch:movie`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `actors` replaces the whole cast. With `If-Match`, the change is made only if
    /// the movie still has that `ETag` (else 412, nothing changed).
    #[oai(path = "/movies/:id", method = "patch", operation_id = "updateMovie")]
    async fn update_movie(
        &self,
        caller: Caller<op::UpdateMovie>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<Changes<MoviePatchBody>>,
        /// The movie's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        if_match: Sent,
    ) -> UpdateMovieResponse {
        resource::update::<Movies, _>(
            &self.service,
            caller.principal(),
            &self.if_match,
            id.0.0,
            &if_match,
            body.0.0,
        )
        .await
    }

    /// Delete a movie
    ///
    /// Requires `del:movies`. Its cast links go with it; the actors stay. With `If-Match`,
    /// the movie is deleted only if it still has that `ETag` (else 412, nothing changed).
    #[oai(path = "/movies/:id", method = "delete", operation_id = "deleteMovie")]
    async fn delete_movie(
        &self,
        caller: Caller<op::DeleteMovie>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// The movie's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        if_match: Sent,
    ) -> DeleteMovieResponse {
        resource::delete::<Movies, _>(
            &self.service,
            caller.principal(),
            &self.if_match,
            id.0.0,
            &if_match,
        )
        .await
    }

    /// Restore a deleted movie
    ///
    /// Requires `post:movies`. Brings the movie back from its delete entry in the trail, with its
    /// id, every field as it was, and its cast, with each credit's character and billing, of every actor who still exists. `left_out` names the actors deleted
    /// since. The version is one past the delete's (versions and entity tags of an id never
    /// repeat); the trail gets one `restore` entry. 409 `already_exists` when the movie exists;
    /// 404 when the id was never deleted or its delete entry is no longer kept.
    #[oai(
        path = "/movies/:id/restore",
        method = "post",
        operation_id = "restoreMovie"
    )]
    async fn restore_movie(
        &self,
        caller: Caller<op::RestoreMovie>,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
    ) -> RestoreMovieResponse {
        resource::restore::<Movies, _>(&self.service, caller.principal(), id.0.0).await
    }
}
