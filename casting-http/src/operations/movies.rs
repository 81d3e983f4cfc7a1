//! `/movies`, `/movie-details/{id}`, `/movies/{id}`.

use casting_core::{CastingService, MovieId, MovieListParams, ResourceKind};
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};

use crate::etag::etag;
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::bodies::{Changes, MoviePatchBody, NewMovieBody};
use crate::wire::conditional::{expected, idempotency_key, none_match, replayed};
use crate::wire::dto::{MovieDeleted, MovieEnvelope, MoviesPage};
use crate::wire::json::Json;
use crate::wire::listing::{
    Common, CountParam, CursorParam, DateParam, IdParam, IdempotencyKeyParam, MovieSortParam,
    next_link,
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
    /// The answers of `GET /movie-details/{id}`.
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

/// The movie operations.
#[derive(Debug, Clone)]
pub(crate) struct MoviesApi {
    service: CastingService,
}

impl MoviesApi {
    /// The operations over `service`.
    pub(crate) fn new(service: CastingService) -> Self {
        Self { service }
    }

    async fn get(
        &self,
        caller: &Caller<op::GetMovie>,
        id: i64,
        request: &Request,
    ) -> GetMovieResponse {
        self.service
            .movie(caller.principal(), MovieId(id))
            .await
            .map(|movie| {
                let tag = etag(ResourceKind::Movie, id, movie.revision.version);
                if none_match(request, &tag) {
                    GetMovieResponse::NotModified(tag)
                } else {
                    GetMovieResponse::Ok(Json(envelope(movie)), tag)
                }
            })
            .into()
    }
}

/// The `ETag` of a movie.
fn tag_of(movie: &casting_core::Movie) -> String {
    etag(ResourceKind::Movie, movie.id.get(), movie.revision.version)
}

fn envelope(movie: casting_core::Movie) -> MovieEnvelope {
    MovieEnvelope {
        success: true,
        movie: movie.into(),
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
    async fn list(
        &self,
        caller: Caller<op::ListMovies>,
        request: &Request,
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
        _utf8: Utf8Query,
    ) -> ListMoviesResponse {
        let common = Common {
            page: page.0,
            per_page: per_page.0,
            q: q.0,
            after: after.0,
            count: count.0,
        };
        let params = MovieListParams {
            list: common.into_params(sort.0.map(|s| s.0)),
            released_from: released_from.0.map(|d| d.0),
            released_to: released_to.0.map(|d| d.0),
            actor: actor.0.into_iter().map(|id| id.0).collect(),
        };
        self.service
            .list_movies_from_params(caller.principal(), &params)
            .await
            .map(|page| {
                let link = page.next.as_deref().map(|next| next_link(request, next));
                ListMoviesResponse::Ok(Json(page.into()), link)
            })
            .into()
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
    async fn details(
        &self,
        caller: Caller<op::GetMovie>,
        request: &Request,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the movie's current tag.
        #[oai(name = "If-None-Match")]
        _if_none_match: Header<Option<String>>,
    ) -> GetMovieResponse {
        self.get(&caller, id.0.0, request).await
    }

    /// Get a movie with its cast (same as /movie-details/{id})
    ///
    /// Requires `get:movie-details`. With `If-None-Match` naming the movie's current `ETag`,
    /// the answer is a 304 without a body.
    #[oai(path = "/movies/:id", method = "get", operation_id = "getMovie")]
    async fn one(
        &self,
        caller: Caller<op::GetMovie>,
        request: &Request,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// Entity tags from earlier answers: a 304 when one is the movie's current tag.
        #[oai(name = "If-None-Match")]
        _if_none_match: Header<Option<String>>,
    ) -> GetMovieResponse {
        self.get(&caller, id.0.0, request).await
    }

    /// Create a movie
    ///
    /// Requires `post:movies`. `actors`, when given, must name existing actors. With an
    /// `Idempotency-Key`, a repeat of the same request (same caller, same body) within 24 hours
    /// answers the movie as first created, with `Idempotent-Replayed: true`, and creates
    /// nothing.
    #[oai(path = "/movies", method = "post", operation_id = "createMovie")]
    async fn create(
        &self,
        caller: Caller<op::CreateMovie>,
        request: &Request,
        body: StrictJson<NewMovieBody>,
        /// Your name for this create (1 to 255 visible ASCII characters, e.g. a UUID), so that
        /// a retry does not create the movie twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency: Header<Option<IdempotencyKeyParam>>,
    ) -> CreateMovieResponse {
        let key = match idempotency_key(request) {
            Ok(key) => key,
            Err(refused) => return refused.into(),
        };
        let created = match body.0.try_into() {
            Ok(input) => {
                self.service
                    .create_movie_with_key(caller.principal(), input, key.as_ref())
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        created
            .map(|created| {
                let tag = tag_of(&created.record);
                let replayed = replayed(created.replayed);
                CreateMovieResponse::Ok(Json(envelope(created.record)), tag, replayed)
            })
            .into()
    }

    /// Change a movie
    ///
    /// Requires `patch:movie`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `actors` replaces the whole cast. With `If-Match`, the change is made only if
    /// the movie still has that `ETag` (else 412, nothing changed).
    #[oai(path = "/movies/:id", method = "patch", operation_id = "updateMovie")]
    async fn update(
        &self,
        caller: Caller<op::UpdateMovie>,
        request: &Request,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        body: StrictJson<Changes<MoviePatchBody>>,
        /// The movie's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        _if_match: Header<Option<String>>,
    ) -> UpdateMovieResponse {
        let id = id.0.0;
        let expected = match expected(request, ResourceKind::Movie, id) {
            Ok(expected) => expected,
            Err(refused) => return refused.into(),
        };
        let updated = match body.0.0.try_into() {
            Ok(changes) => {
                self.service
                    .update_movie(caller.principal(), MovieId(id), changes, expected)
                    .await
            }
            Err(invalid) => Err(invalid),
        };
        updated
            .map(|movie| {
                let tag = tag_of(&movie);
                UpdateMovieResponse::Ok(Json(envelope(movie)), tag)
            })
            .into()
    }

    /// Delete a movie
    ///
    /// Requires `del:movies`. Its cast links go with it; the actors stay. With `If-Match`,
    /// the movie is deleted only if it still has that `ETag` (else 412, nothing changed).
    #[oai(path = "/movies/:id", method = "delete", operation_id = "deleteMovie")]
    async fn delete(
        &self,
        caller: Caller<op::DeleteMovie>,
        request: &Request,
        /// The movie's id: a positive whole number, in digits.
        id: Path<PathId>,
        /// The movie's `ETag` as you last read it (or `*`: any version).
        #[oai(name = "If-Match")]
        _if_match: Header<Option<String>>,
    ) -> DeleteMovieResponse {
        let id = id.0.0;
        let expected = match expected(request, ResourceKind::Movie, id) {
            Ok(expected) => expected,
            Err(refused) => return refused.into(),
        };
        self.service
            .delete_movie(caller.principal(), MovieId(id), expected)
            .await
            .map(|movie| {
                let tag = tag_of(&movie);
                let deleted = MovieDeleted {
                    success: true,
                    deleted: movie.id.get(),
                    movie: movie.summary().into(),
                };
                DeleteMovieResponse::Ok(Json(deleted), tag)
            })
            .into()
    }
}
