//! Request and response bodies, with the contract's field names.

use casting_core::{
    Actor, ActorChanges, ActorId, ActorInput, ActorSummary, Movie, MovieChanges, MovieId,
    MovieInput, MovieSummary, Page,
};
use poem_openapi::Object;

use crate::types::{ApiDate, GenderText, Text, Years};

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
    /// `Female`, `Male` or `Other`.
    pub gender: String,
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
    /// `Female`, `Male` or `Other`.
    pub gender: String,
    /// Movie ids, ascending.
    pub movies: Vec<i64>,
}

/// One page of movies.
#[derive(Debug, Clone, Object)]
pub struct MoviesPage {
    /// Always `true`.
    pub success: bool,
    /// The movies on this page, ordered by id.
    pub movies: Vec<MovieShort>,
    /// How many movies match, on all pages.
    pub total: u64,
    /// The page number, from 1.
    pub page: u32,
    /// The page size.
    pub per_page: u32,
}

/// One page of actors.
#[derive(Debug, Clone, Object)]
pub struct ActorsPage {
    /// Always `true`.
    pub success: bool,
    /// The actors on this page, ordered by id.
    pub actors: Vec<ActorShort>,
    /// How many actors match, on all pages.
    pub total: u64,
    /// The page number, from 1.
    pub page: u32,
    /// The page size.
    pub per_page: u32,
}

/// One movie.
#[derive(Debug, Clone, Object)]
pub struct MovieEnvelope {
    /// Always `true`.
    pub success: bool,
    /// The movie with its cast.
    pub movie: MovieLong,
}

/// One actor.
#[derive(Debug, Clone, Object)]
pub struct ActorEnvelope {
    /// Always `true`.
    pub success: bool,
    /// The actor with their movies.
    pub actor: ActorLong,
}

/// A deleted movie.
#[derive(Debug, Clone, Object)]
pub struct MovieDeleted {
    /// Always `true`.
    pub success: bool,
    /// The id of the deleted movie.
    pub deleted: i64,
    /// The movie as it was.
    pub movie: MovieShort,
}

/// A deleted actor.
#[derive(Debug, Clone, Object)]
pub struct ActorDeleted {
    /// Always `true`.
    pub success: bool,
    /// The id of the deleted actor.
    pub deleted: i64,
    /// The actor as they were.
    pub actor: ActorShort,
}

/// A movie to create.
#[derive(Debug, Clone, Object)]
pub struct NewMovieBody {
    /// The title: trimmed, 1 to 200 characters.
    pub title: Text,
    /// The release date: `DD-MM-YYYY` (`08-02-2025` is 8 February 2025) or `YYYY-MM-DD`.
    pub release_date: ApiDate,
    /// The cast: ids of existing actors. Unknown ids are a 422 naming them.
    pub actors: Option<Vec<i64>>,
}

/// Changes to a movie: at least one field. Absent fields stay as they are.
#[derive(Debug, Clone, Object)]
pub struct MoviePatchBody {
    /// A new title: trimmed, 1 to 200 characters.
    pub title: Option<Text>,
    /// A new release date: `DD-MM-YYYY` or `YYYY-MM-DD`.
    pub release_date: Option<ApiDate>,
    /// A new cast, replacing the whole old one (`[]` empties it).
    pub actors: Option<Vec<i64>>,
}

/// An actor to create.
#[derive(Debug, Clone, Object)]
pub struct NewActorBody {
    /// The name: trimmed, 1 to 200 characters.
    pub name: Text,
    /// The age in years, 0 to 150.
    pub age: Years,
    /// `Female`, `Male` or `Other`, in any case.
    pub gender: GenderText,
    /// The actor's movies: ids of existing movies. Unknown ids are a 422 naming them.
    pub movies: Option<Vec<i64>>,
}

/// Changes to an actor: at least one field. Absent fields stay as they are.
#[derive(Debug, Clone, Object)]
pub struct ActorPatchBody {
    /// A new name: trimmed, 1 to 200 characters.
    pub name: Option<Text>,
    /// A new age in years, 0 to 150.
    pub age: Option<Years>,
    /// A new gender: `Female`, `Male` or `Other`, in any case.
    pub gender: Option<GenderText>,
    /// New movies, replacing the whole old list (`[]` empties it).
    pub movies: Option<Vec<i64>>,
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
        }
    }
}

impl From<ActorSummary> for ActorShort {
    fn from(actor: ActorSummary) -> Self {
        Self {
            id: actor.id.get(),
            name: actor.name.into(),
            age: actor.age.get(),
            gender: actor.gender.as_str().to_owned(),
        }
    }
}

impl From<Actor> for ActorLong {
    fn from(actor: Actor) -> Self {
        Self {
            id: actor.id.get(),
            name: actor.name.into(),
            age: actor.age.get(),
            gender: actor.gender.as_str().to_owned(),
            movies: actor.movies.into_iter().map(MovieId::get).collect(),
        }
    }
}

impl From<Page<MovieSummary>> for MoviesPage {
    fn from(page: Page<MovieSummary>) -> Self {
        Self {
            success: true,
            movies: page.items.into_iter().map(Into::into).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

impl From<Page<ActorSummary>> for ActorsPage {
    fn from(page: Page<ActorSummary>) -> Self {
        Self {
            success: true,
            actors: page.items.into_iter().map(Into::into).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

impl From<NewMovieBody> for MovieInput {
    fn from(body: NewMovieBody) -> Self {
        Self {
            title: body.title.0,
            release_date: body.release_date.0,
            actors: body
                .actors
                .unwrap_or_default()
                .into_iter()
                .map(ActorId)
                .collect(),
        }
    }
}

impl From<MoviePatchBody> for MovieChanges {
    fn from(body: MoviePatchBody) -> Self {
        Self {
            title: body.title.map(|t| t.0),
            release_date: body.release_date.map(|d| d.0),
            actors: body
                .actors
                .map(|ids| ids.into_iter().map(ActorId).collect()),
        }
    }
}

impl From<NewActorBody> for ActorInput {
    fn from(body: NewActorBody) -> Self {
        Self {
            name: body.name.0,
            age: body.age.0,
            gender: body.gender.0,
            movies: body
                .movies
                .unwrap_or_default()
                .into_iter()
                .map(MovieId)
                .collect(),
        }
    }
}

impl From<ActorPatchBody> for ActorChanges {
    fn from(body: ActorPatchBody) -> Self {
        Self {
            name: body.name.map(|n| n.0),
            age: body.age.map(|a| a.0),
            gender: body.gender.map(|g| g.0),
            movies: body
                .movies
                .map(|ids| ids.into_iter().map(MovieId).collect()),
        }
    }
}
