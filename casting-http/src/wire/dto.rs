//! Response bodies, with the contract's field names (request bodies are in `bodies`).
//!
//! A field whose type is another schema (`movie: MovieLong`) has a plain comment, not a doc
//! comment: poem-openapi writes a documented reference as `allOf: [{$ref}, {description}]`,
//! which client generators turn into a duplicate model. The referenced schema carries the
//! description.

use casting_core::{Actor, ActorId, ActorSummary, Movie, MovieId, MovieSummary};
use poem_openapi::Object;

use crate::wire::nullable::Nullable;

use crate::wire::json::json_fields;
use crate::wire::types::{ApiDate, GenderName, Timestamp};

// Keys in alphabetical order, as the answers have always been written (`wire::json`).
json_fields! {
    MovieShort { id, release_date, title }
    MovieLong {
        actors, created_at, created_by, id, release_date, title, updated_at, updated_by, version
    }
    ActorShort { age, gender, id, name }
    ActorLong {
        age, created_at, created_by, gender, id, movies, name, updated_at, updated_by, version
    }
    MovieEnvelope { movie, success }
    ActorEnvelope { actor, success }
    MovieDeleted { deleted, movie, success }
    ActorDeleted { actor, deleted, success }
    MovieRestored { left_out, movie, success }
    ActorRestored { actor, left_out, success }
}

/// Writes a page of a list: the items under their own key, with the paging every list shares,
/// and its making from the core's [`Page`](casting_core::Page). Each list names its items, and
/// says what its `total` counts and where `next` leads, in doc comments the document shows.
macro_rules! page {
    (
        $(#[$doc:meta])*
        $name:ident of $item:ty {
            $(#[$items_doc:meta])*
            $items:ident: $short:ty,
            $(#[$total_doc:meta])*
            total,
            $(#[$next_doc:meta])*
            next,
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, poem_openapi::Object)]
        pub struct $name {
            /// Always `true`.
            pub success: bool,
            $(#[$items_doc])*
            pub $items: Vec<$short>,
            $(#[$total_doc])*
            pub total: $crate::wire::nullable::Nullable<u64>,
            /// The page number, from 1; `null` on a page that follows a cursor (`after`).
            pub page: $crate::wire::nullable::Nullable<u32>,
            /// The page size.
            pub per_page: u32,
            $(#[$next_doc])*
            pub next: $crate::wire::nullable::Nullable<String>,
        }

        $crate::wire::json::json_fields! {
            $name { $items, next, page, per_page, success, total }
        }

        impl From<casting_core::Page<$item>> for $name {
            fn from(page: casting_core::Page<$item>) -> Self {
                use $crate::wire::nullable::Nullable;
                Self {
                    success: true,
                    $items: page.items.into_iter().map(Into::into).collect(),
                    total: Nullable(page.total),
                    page: Nullable(page.page),
                    per_page: page.per_page,
                    next: Nullable(page.next),
                }
            }
        }
    };
}

pub(crate) use page;

/// A movie as lists show it.
#[derive(Debug, Clone, Object)]
pub struct MovieShort {
    /// The id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The release date, written `Sat, 08 Feb 2025 00:00:00 GMT`.
    pub release_date: ApiDate,
}

/// A movie with its cast.
#[derive(Debug, Clone, Object)]
pub struct MovieLong {
    /// The id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The release date, written `Sat, 08 Feb 2025 00:00:00 GMT`.
    pub release_date: ApiDate,
    /// The cast: actor ids, ascending.
    pub actors: Vec<i64>,
    /// The version: 1 when created, one more on every change (its cast's included). The
    /// `ETag` header names it.
    pub version: i64,
    /// When the movie was created.
    pub created_at: Timestamp,
    /// Who created it (the token's subject); `null` when unknown (records older than this
    /// field).
    pub created_by: Nullable<String>,
    /// When the movie last changed.
    pub updated_at: Timestamp,
    /// Who changed it last (the token's subject); `null` when unknown.
    pub updated_by: Nullable<String>,
}

/// An actor as lists show them.
#[derive(Debug, Clone, Object)]
pub struct ActorShort {
    /// The id.
    pub id: i64,
    /// The name.
    pub name: String,
    /// The age in years.
    pub age: i64,
    // `Female`, `Male` or `Other`: the `Gender` schema (a plain comment: no `allOf` wrapping).
    pub gender: GenderName,
}

/// An actor with their movies.
#[derive(Debug, Clone, Object)]
pub struct ActorLong {
    /// The id.
    pub id: i64,
    /// The name.
    pub name: String,
    /// The age in years.
    pub age: i64,
    // `Female`, `Male` or `Other`: the `Gender` schema (a plain comment: no `allOf` wrapping).
    pub gender: GenderName,
    /// Movie ids, ascending.
    pub movies: Vec<i64>,
    /// The version: 1 when created, one more on every change (their movies' included). The
    /// `ETag` header names it.
    pub version: i64,
    /// When the actor was created.
    pub created_at: Timestamp,
    /// Who created them (the token's subject); `null` when unknown (records older than this
    /// field).
    pub created_by: Nullable<String>,
    /// When the actor last changed.
    pub updated_at: Timestamp,
    /// Who changed them last (the token's subject); `null` when unknown.
    pub updated_by: Nullable<String>,
}

page! {
    /// One page of movies.
    MoviesPage of MovieSummary {
        /// The movies on this page, in the order asked for (by id unless `sort` says otherwise).
        movies: MovieShort,
        /// How many movies match, on all pages; `null` with `count=none`.
        total,
        /// The cursor of the next page (send it as `after`); `null` on the last page.
        next,
    }
}

page! {
    /// One page of actors.
    ActorsPage of ActorSummary {
        /// The actors on this page, in the order asked for (by id unless `sort` says otherwise).
        actors: ActorShort,
        /// How many actors match, on all pages; `null` with `count=none`.
        total,
        /// The cursor of the next page (send it as `after`); `null` on the last page.
        next,
    }
}

/// One movie.
#[derive(Debug, Clone, Object)]
pub struct MovieEnvelope {
    /// Always `true`.
    pub success: bool,
    // The movie with its cast.
    pub movie: MovieLong,
}

/// One actor.
#[derive(Debug, Clone, Object)]
pub struct ActorEnvelope {
    /// Always `true`.
    pub success: bool,
    // The actor with their movies.
    pub actor: ActorLong,
}

/// A restored movie: a create's answer, and the actors it was cast with that are gone.
#[derive(Debug, Clone, Object)]
pub struct MovieRestored {
    /// Always `true`.
    pub success: bool,
    // The movie as restored, with the cast that could come back.
    pub movie: MovieLong,
    /// The actors of its cast when it was deleted that have been deleted since (ascending):
    /// left out of the restored cast.
    pub left_out: Vec<i64>,
}

/// A restored actor: a create's answer, and the movies they were in that are gone.
#[derive(Debug, Clone, Object)]
pub struct ActorRestored {
    /// Always `true`.
    pub success: bool,
    // The actor as restored, with the movies that could come back.
    pub actor: ActorLong,
    /// The movies they were in when deleted that have been deleted since (ascending): left
    /// out of the restored credits.
    pub left_out: Vec<i64>,
}

/// A deleted movie.
#[derive(Debug, Clone, Object)]
pub struct MovieDeleted {
    /// Always `true`.
    pub success: bool,
    /// The id of the deleted movie.
    pub deleted: i64,
    // The movie as it was.
    pub movie: MovieShort,
}

/// A deleted actor.
#[derive(Debug, Clone, Object)]
pub struct ActorDeleted {
    /// Always `true`.
    pub success: bool,
    /// The id of the deleted actor.
    pub deleted: i64,
    // The actor as they were.
    pub actor: ActorShort,
}

impl From<MovieSummary> for MovieShort {
    fn from(movie: MovieSummary) -> Self {
        Self {
            id: movie.id.get(),
            title: movie.title.into(),
            release_date: ApiDate(movie.release_date),
        }
    }
}

impl From<Movie> for MovieLong {
    fn from(movie: Movie) -> Self {
        Self {
            id: movie.id.get(),
            title: movie.title.into(),
            release_date: ApiDate(movie.release_date),
            actors: movie.actors.into_iter().map(ActorId::get).collect(),
            version: movie.revision.version.get(),
            created_at: Timestamp::of(movie.revision.created_at),
            created_by: Nullable(movie.revision.created_by),
            updated_at: Timestamp::of(movie.revision.updated_at),
            updated_by: Nullable(movie.revision.updated_by),
        }
    }
}

impl From<ActorSummary> for ActorShort {
    fn from(actor: ActorSummary) -> Self {
        Self {
            id: actor.id.get(),
            name: actor.name.into(),
            age: actor.age.get(),
            gender: GenderName(actor.gender),
        }
    }
}

impl From<Actor> for ActorLong {
    fn from(actor: Actor) -> Self {
        Self {
            id: actor.id.get(),
            name: actor.name.into(),
            age: actor.age.get(),
            gender: GenderName(actor.gender),
            movies: actor.movies.into_iter().map(MovieId::get).collect(),
            version: actor.revision.version.get(),
            created_at: Timestamp::of(actor.revision.created_at),
            created_by: Nullable(actor.revision.created_by),
            updated_at: Timestamp::of(actor.revision.updated_at),
            updated_by: Nullable(actor.revision.updated_by),
        }
    }
}

/// A probe's answer.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct Status {
    /// Always `true`.
    pub success: bool,
    /// `ok` (`/health`) or `ready` (`/ready`).
    pub status: String,
}

// Keys in alphabetical order, as every answer writes them (`wire::json`).
json_fields! {
    Status { status, success }
}

impl poem_openapi::types::Example for Status {
    fn example() -> Self {
        Self::of("ok")
    }
}

impl Status {
    /// A probe's answer saying `status`.
    pub(crate) fn of(status: &str) -> Self {
        Self {
            success: true,
            status: status.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use casting_core::{Gender, ReleaseDate};
    use poem_openapi::types::ToJSON;
    use serde::Serialize;

    use super::*;
    use crate::errors::{Details, ErrorBody};
    use crate::wire::trail::{AuditEntryBody, AuditPage, ChangeBody};

    /// The bytes serde writes are the bytes poem-openapi's `ToJSON` tree would have written.
    #[track_caller]
    fn same<T: Serialize + ToJSON>(value: &T) {
        let ours = serde_json::to_string(value).unwrap();
        let theirs = serde_json::to_string(&value.to_json().unwrap()).unwrap();
        assert_eq!(ours, theirs);
    }

    fn stamp() -> Timestamp {
        Timestamp("2026-11-27T21:04:05.123456Z".into())
    }

    fn long_movie(by: Option<&str>) -> MovieLong {
        MovieLong {
            id: 12,
            title: "Title \"quoted\" \u{1F3AC}\n".into(),
            release_date: ApiDate(ReleaseDate::parse("2025-02-08").unwrap()),
            actors: vec![3, 1],
            version: 4,
            created_at: stamp(),
            created_by: Nullable(by.map(str::to_owned)),
            updated_at: stamp(),
            updated_by: Nullable(None),
        }
    }

    fn long_actor() -> ActorLong {
        ActorLong {
            id: 5,
            name: "Zoë".into(),
            age: 40,
            gender: GenderName(Gender::Female),
            movies: vec![],
            version: 1,
            created_at: stamp(),
            created_by: Nullable(Some("auth0|x".into())),
            updated_at: stamp(),
            updated_by: Nullable(Some("auth0|y".into())),
        }
    }

    fn short_movie() -> MovieShort {
        MovieShort {
            id: 1,
            title: "T".into(),
            release_date: ApiDate(ReleaseDate::parse("1999-12-31").unwrap()),
        }
    }

    fn short_actor() -> ActorShort {
        ActorShort {
            id: 2,
            name: "N".into(),
            age: 0,
            gender: GenderName(Gender::Other),
        }
    }

    #[test]
    fn every_answer_is_written_as_poem_openapi_wrote_it() {
        same(&long_movie(Some("auth0|me")));
        same(&long_movie(None));
        same(&long_actor());
        same(&short_movie());
        same(&short_actor());
        same(&MovieEnvelope {
            success: true,
            movie: long_movie(None),
        });
        same(&ActorEnvelope {
            success: true,
            actor: long_actor(),
        });
        same(&MovieDeleted {
            success: true,
            deleted: 1,
            movie: short_movie(),
        });
        same(&MovieRestored {
            success: true,
            movie: long_movie(None),
            left_out: vec![3, 4],
        });
        same(&ActorRestored {
            success: true,
            actor: long_actor(),
            left_out: Vec::new(),
        });
        same(&ActorDeleted {
            success: true,
            deleted: 2,
            actor: short_actor(),
        });
        for (total, page, next) in [(Some(7), Some(1), Some("abc")), (None, None, None)] {
            same(&MoviesPage {
                success: true,
                movies: vec![short_movie(), short_movie()],
                total: Nullable(total),
                page: Nullable(page),
                per_page: 10,
                next: Nullable(next.map(str::to_owned)),
            });
            same(&ActorsPage {
                success: true,
                actors: vec![short_actor()],
                total: Nullable(total),
                page: Nullable(page),
                per_page: 100,
                next: Nullable(next.map(str::to_owned)),
            });
            same(&AuditPage {
                success: true,
                entries: vec![AuditEntryBody {
                    id: 9,
                    at: stamp(),
                    subject: "auth0|s".into(),
                    resource: "movie".into(),
                    resource_id: 3,
                    action: "update".into(),
                    fields: vec!["title".into(), "actors".into()],
                    changes: [
                        ("title", serde_json::json!("Old"), serde_json::json!("New")),
                        ("actors", serde_json::json!(null), serde_json::json!([1, 2])),
                        (
                            "cast",
                            serde_json::json!([{"actor": 1, "billing": 1, "character": null}]),
                            serde_json::json!(null),
                        ),
                    ]
                    .into_iter()
                    .map(|(field, from, to)| (field.to_owned(), ChangeBody { from, to }))
                    .collect(),
                    version: 2,
                }],
                total: Nullable(total),
                page: Nullable(page),
                per_page: 1,
                next: Nullable(next.map(str::to_owned)),
            });
        }
        same(&ErrorBody {
            success: false,
            error: 404,
            message: "resource not found".into(),
            code: "not_found".into(),
            details: Details(serde_json::json!({ "resource": "movie", "id": 7, "b": [1] })),
        });
        same(&Status {
            success: true,
            status: "ok".into(),
        });
    }
}
