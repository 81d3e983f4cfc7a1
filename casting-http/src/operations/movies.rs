//! `/movies`, `/movie-details/{id}`, `/movies/{id}`.

use poem_openapi::param::Query;

use crate::operations::resource::resource;
use crate::operations::shell::record_operations;
use crate::operations::tags::Tag;
use crate::wire::bodies::{MoviePatchBody, NewMovieBody};
use crate::wire::dto::{MovieDeleted, MovieEnvelope, MovieRestored, MoviesPage};
use crate::wire::listing::{DateParam, IdParam, MovieSortParam};

resource! {
    /// Movies, for the generic operations.
    Movies: Movie (MovieId, field movie),
    answers MovieEnvelope, MovieDeleted, MovieRestored;
    bodies NewMovieBody, MoviePatchBody;
    calls movie, create_movie_with_key, update_movie, delete_movie, restore_movie;
}

record_operations! {
    /// The movie operations.
    MoviesApi over Movies, tag "Tag::Movies";
    answers {
        /// The answers of `GET /movies`.
        list ListMoviesResponse {
            /// A page of movies, the total that match, and the next page's cursor.
            Ok(MoviesPage)
        }
        /// The answers of `GET /movie-details/{id}` and `GET /movies/{id}`.
        get GetMovieResponse {
            /// The movie with its cast.
            Ok(MovieEnvelope)
        }
        /// The answers of `POST /movies`.
        create CreateMovieResponse {
            /// The movie as created, with its id (or as an earlier request with the same
            /// `Idempotency-Key` created it).
            Ok
        }
        /// The answers of `PATCH /movies/{id}`.
        update UpdateMovieResponse {
            /// The movie as it now is.
            Ok
        }
        /// The answers of `DELETE /movies/{id}`.
        delete DeleteMovieResponse {
            /// The deleted movie's id, and the movie as it was (the `ETag` is its last).
            Ok(MovieDeleted)
        }
        /// The answers of `POST /movies/{id}/restore`.
        restore RestoreMovieResponse {
            /// The movie as restored, at the version after its delete's, and what was left out.
            Ok(MovieRestored)
        }
    }
    parameters {
        /// The movie's id: a positive whole number, in digits.
        id;
        /// Entity tags from earlier answers: a 304 when one is the movie's current tag.
        if_none_match;
        /// Your name for this create (1 to 255 visible ASCII characters, e.g. a UUID), so that
        /// a retry does not create the movie twice.
        idempotency_key;
        /// The movie's `ETag` as you last read it (or `*`: any version).
        if_match;
    }
    /// List movies
    ///
    /// Requires `get:movies`. Filters combine with each other and with `q`; an `actor` that
    /// does not exist keeps nothing. Paged by `page` or by `after` (a cursor from `next`, not
    /// with `page`): a cursor page costs the same at any depth, and a walk to `next: null`
    /// sees every movie that existed throughout exactly once. `Link: <…>; rel="next"` repeats
    /// the query with the next cursor. A page past the end is an empty list with the true
    /// `total`.
    list "/movies" as "listMovies" by ListMovies {
        /// Case-insensitive substring of the title.
        q;
        /// Earliest release date kept.
        released_from: Query<Option<DateParam>>,
        /// Latest release date kept.
        released_to: Query<Option<DateParam>>,
        /// An actor id, repeatable: movies whose cast holds all of them.
        #[oai(default)]
        actor: Query<Vec<IdParam>>,
    }
    sort MovieSortParam;
    filtered MovieListParams {
        released_from: released_from.0.map(|d| d.0),
        released_to: released_to.0.map(|d| d.0),
        actor: actor.0.into_iter().map(|id| id.0).collect(),
    } by list_movies_from_params;
    /// Get a movie with its cast
    ///
    /// Requires `get:movie-details`. With `If-None-Match` naming the movie's current `ETag`,
    /// the answer is a 304 without a body.
    details "/movie-details/:id" as "getMovieDetails" by GetMovie;
    /// Get a movie with its cast (same as /movie-details/{id})
    ///
    /// Requires `get:movie-details`. With `If-None-Match` naming the movie's current `ETag`,
    /// the answer is a 304 without a body.
    one "/movies/:id" as "getMovie";
    /// Create a movie
    ///
    /// Requires `post:movies`. `actors`, when given, must name existing actors. With an
    /// `Idempotency-Key`, a repeat of the same request (same caller, same body) within 24 hours
    /// answers the movie as first created, with `Idempotent-Replayed: true`, and creates
    /// nothing.
    create "/movies" as "createMovie" by CreateMovie;
    /// Change a movie
    ///
    /// Requires `patch:movie`. Send any non-empty subset of the fields; absent fields stay as
    /// they are; `actors` replaces the whole cast. With `If-Match`, the change is made only if
    /// the movie still has that `ETag` (else 412, nothing changed).
    update "/movies/:id" as "updateMovie" by UpdateMovie;
    /// Delete a movie
    ///
    /// Requires `del:movies`. Its cast links go with it; the actors stay. With `If-Match`,
    /// the movie is deleted only if it still has that `ETag` (else 412, nothing changed).
    delete "/movies/:id" as "deleteMovie" by DeleteMovie;
    /// Restore a deleted movie
    ///
    /// Requires `post:movies`. Brings the movie back from its delete entry in the trail, with its
    /// id, every field as it was, and its cast, with each credit's character and billing, of every actor who still exists. `left_out` names the actors deleted
    /// since. The version is one past the delete's (versions and entity tags of an id never
    /// repeat); the trail gets one `restore` entry. 409 `already_exists` when the movie exists;
    /// 404 when the id was never deleted or its delete entry is no longer kept.
    restore "/movies/:id/restore" as "restoreMovie" by RestoreMovie;
}
