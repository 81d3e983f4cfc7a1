//! The rows the statements return, decoded by name (`#[derive(FromRow)]`) and checked against
//! the domain rules on the way out: a stored value that breaks one is an internal error (the
//! database was written by someone else), never a panic.

use casting_core::{
    Actor, ActorId, ActorSummary, Age, AuditAction, AuditEntry, Gender, Movie, MovieId,
    MovieSummary, Name, ReleaseDate, ResourceKind, Revision, StoreError, StoreResult as Result,
    Title, Version,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use crate::error::corrupt;

/// A record's version and who made and changed it, when.
#[derive(Debug, FromRow)]
pub(crate) struct RevisionRow {
    pub(crate) version: i64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) created_by: Option<String>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) updated_by: Option<String>,
}

impl RevisionRow {
    pub(crate) fn into_revision(self) -> Result<Revision> {
        Ok(Revision {
            version: stored_version(self.version)?,
            created_at: self.created_at,
            created_by: self.created_by,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

/// A version as stored (the column's CHECK keeps it positive).
pub(crate) fn stored_version(version: i64) -> Result<Version> {
    Version::new(version).ok_or_else(|| StoreError::internal("a stored version is not positive"))
}

/// A movie's own columns.
#[derive(Debug, FromRow)]
pub(crate) struct MovieRow {
    pub(crate) title: String,
    pub(crate) release_date: NaiveDate,
}

impl MovieRow {
    /// The movie with `id`, without its cast.
    pub(crate) fn into_summary(self, id: i64) -> Result<MovieSummary> {
        Ok(MovieSummary {
            id: MovieId(id),
            title: Title::parse(&self.title).map_err(corrupt)?,
            release_date: ReleaseDate::try_from(self.release_date).map_err(corrupt)?,
        })
    }
}

/// A movie's columns with its revision.
#[derive(Debug, FromRow)]
pub(crate) struct MovieRecordRow {
    #[sqlx(flatten)]
    pub(crate) movie: MovieRow,
    #[sqlx(flatten)]
    pub(crate) revision: RevisionRow,
}

impl MovieRecordRow {
    /// The movie with `id` and its cast (ascending actor ids).
    pub(crate) fn into_movie(self, id: i64, actors: Vec<i64>) -> Result<Movie> {
        let summary = self.movie.into_summary(id)?;
        Ok(Movie {
            id: summary.id,
            title: summary.title,
            release_date: summary.release_date,
            actors: actors.into_iter().map(ActorId).collect(),
            revision: self.revision.into_revision()?,
        })
    }
}

/// A movie's columns with its revision and cast, as the detail statement reads them.
#[derive(Debug, FromRow)]
pub(crate) struct MovieDetailRow {
    #[sqlx(flatten)]
    pub(crate) movie: MovieRecordRow,
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
}

/// An actor's columns with their revision.
#[derive(Debug, FromRow)]
pub(crate) struct ActorRecordRow {
    #[sqlx(flatten)]
    pub(crate) actor: ActorRow,
    #[sqlx(flatten)]
    pub(crate) revision: RevisionRow,
}

impl ActorRecordRow {
    /// The actor with `id` and their movies (ascending movie ids).
    pub(crate) fn into_actor(self, id: i64, movies: Vec<i64>) -> Result<Actor> {
        let summary = self.actor.into_summary(id)?;
        Ok(Actor {
            id: summary.id,
            name: summary.name,
            age: summary.age,
            gender: summary.gender,
            movies: movies.into_iter().map(MovieId).collect(),
            revision: self.revision.into_revision()?,
        })
    }
}

/// An actor's columns with their revision and movies, as the detail statement reads them.
#[derive(Debug, FromRow)]
pub(crate) struct ActorDetailRow {
    #[sqlx(flatten)]
    pub(crate) actor: ActorRecordRow,
    pub(crate) movies: Vec<i64>,
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
        MovieRow {
            title,
            release_date,
        }
        .into_summary(id)
        .map(Some)
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

/// One line of the audit trail, like [`MovieListLine`].
#[derive(Debug, FromRow)]
pub(crate) struct AuditListLine {
    pub(crate) total: Option<i64>,
    pub(crate) id: Option<i64>,
    pub(crate) at: Option<DateTime<Utc>>,
    pub(crate) subject: Option<String>,
    pub(crate) resource: Option<String>,
    pub(crate) resource_id: Option<i64>,
    pub(crate) action: Option<String>,
    pub(crate) fields: Option<Vec<String>>,
    pub(crate) version: Option<i64>,
    /// The `changes` column as JSON text.
    pub(crate) changes: Option<String>,
}

impl AuditListLine {
    /// The entry on this line, if there is one.
    pub(crate) fn into_item(self) -> Result<Option<AuditEntry>> {
        let (
            Some(id),
            Some(at),
            Some(subject),
            Some(resource),
            Some(resource_id),
            Some(action),
            Some(fields),
            Some(version),
            Some(changes),
        ) = (
            self.id,
            self.at,
            self.subject,
            self.resource,
            self.resource_id,
            self.action,
            self.fields,
            self.version,
            self.changes,
        )
        else {
            return Ok(None);
        };
        let resource = match resource.as_str() {
            "movie" => ResourceKind::Movie,
            "actor" => ResourceKind::Actor,
            _ => {
                return Err(StoreError::internal(
                    "an audit entry names an unknown resource",
                ));
            }
        };
        let action = AuditAction::parse(&action)
            .ok_or_else(|| StoreError::internal("an audit entry names an unknown action"))?;
        Ok(Some(AuditEntry {
            id,
            at,
            subject,
            resource,
            resource_id,
            action,
            fields,
            changes: serde_json::from_str(&changes).map_err(StoreError::internal)?,
            version: stored_version(version)?,
        }))
    }
}
