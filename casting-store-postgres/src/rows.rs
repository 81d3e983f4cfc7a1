//! The rows the statements return, decoded by name (`#[derive(FromRow)]`) and checked against
//! the domain rules on the way out: a stored value that breaks one is an internal error (the
//! database was written by someone else), never a panic.

use casting_core::{
    Actor, ActorId, ActorSummary, Age, Gender, Movie, MovieId, MovieSummary, Name, ReleaseDate,
    StoreResult as Result, Title,
};
use chrono::NaiveDate;
use sqlx::FromRow;

use crate::error::corrupt;

/// A movie's own columns.
#[derive(Debug, FromRow)]
pub(crate) struct MovieRow {
    pub(crate) title: String,
    pub(crate) release_date: NaiveDate,
}

impl MovieRow {
    /// The movie with `id` and its cast (ascending actor ids).
    pub(crate) fn into_movie(self, id: i64, actors: Vec<i64>) -> Result<Movie> {
        Ok(Movie {
            id: MovieId(id),
            title: Title::parse(&self.title).map_err(corrupt)?,
            release_date: ReleaseDate::try_from(self.release_date).map_err(corrupt)?,
            actors: actors.into_iter().map(ActorId).collect(),
        })
    }
}

/// A movie's columns with its cast, as the detail statement reads them.
#[derive(Debug, FromRow)]
pub(crate) struct MovieDetailRow {
    #[sqlx(flatten)]
    pub(crate) movie: MovieRow,
    pub(crate) actors: Vec<i64>,
}

/// An actor's own columns.
#[derive(Debug, FromRow)]
pub(crate) struct ActorRow {
    pub(crate) name: String,
    pub(crate) age: i16,
    pub(crate) gender: String,
}

impl ActorRow {
    /// The actor with `id`, without their movies.
    pub(crate) fn into_summary(self, id: i64) -> Result<ActorSummary> {
        Ok(ActorSummary {
            id: ActorId(id),
            name: Name::parse(&self.name).map_err(corrupt)?,
            age: Age::parse(i64::from(self.age)).map_err(corrupt)?,
            gender: Gender::parse(&self.gender).map_err(corrupt)?,
        })
    }

    /// The actor with `id` and their movies (ascending movie ids).
    pub(crate) fn into_actor(self, id: i64, movies: Vec<i64>) -> Result<Actor> {
        let summary = self.into_summary(id)?;
        Ok(Actor {
            id: summary.id,
            name: summary.name,
            age: summary.age,
            gender: summary.gender,
            movies: movies.into_iter().map(MovieId).collect(),
        })
    }
}

/// An actor's columns with their movies, as the detail statement reads them.
#[derive(Debug, FromRow)]
pub(crate) struct ActorDetailRow {
    #[sqlx(flatten)]
    pub(crate) actor: ActorRow,
    pub(crate) movies: Vec<i64>,
}

/// What a create statement returns: the new id, or NULL when a linked record was missing (then
/// nothing was written), and the linked ids that were found (and locked).
#[derive(Debug, FromRow)]
pub(crate) struct CreatedRow {
    pub(crate) id: Option<i64>,
    pub(crate) found: Vec<i64>,
}

/// One line of a movie list: the total (NULL when not counted), and a movie unless the page is empty (then the line is
/// all NULLs but the total).
#[derive(Debug, FromRow)]
pub(crate) struct MovieListLine {
    pub(crate) total: Option<i64>,
    pub(crate) id: Option<i64>,
    pub(crate) title: Option<String>,
    pub(crate) release_date: Option<NaiveDate>,
}

impl MovieListLine {
    /// The movie on this line, if there is one.
    pub(crate) fn into_item(self) -> Result<Option<MovieSummary>> {
        let (Some(id), Some(title), Some(release_date)) = (self.id, self.title, self.release_date)
        else {
            return Ok(None);
        };
        let movie = MovieRow {
            title,
            release_date,
        }
        .into_movie(id, Vec::new())?;
        Ok(Some(movie.summary()))
    }
}

/// One line of an actor list, like [`MovieListLine`].
#[derive(Debug, FromRow)]
pub(crate) struct ActorListLine {
    pub(crate) total: Option<i64>,
    pub(crate) id: Option<i64>,
    pub(crate) name: Option<String>,
    pub(crate) age: Option<i16>,
    pub(crate) gender: Option<String>,
}

impl ActorListLine {
    /// The actor on this line, if there is one.
    pub(crate) fn into_item(self) -> Result<Option<ActorSummary>> {
        let (Some(id), Some(name), Some(age), Some(gender)) =
            (self.id, self.name, self.age, self.gender)
        else {
            return Ok(None);
        };
        ActorRow { name, age, gender }.into_summary(id).map(Some)
    }
}
