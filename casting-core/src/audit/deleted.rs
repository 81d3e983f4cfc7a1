//! A deleted record as its delete entry keeps it ([`DeletedMovie`], [`DeletedActor`]): what
//! the entry's changes are made from, and what a restore reads back.

use crate::audit::changes::{
    CastCredit, Change, Changes, FieldValue, RoleCredit, gender_value, text,
};
use crate::domain::{Age, Gender, Name, ReleaseDate, Title};
use crate::model::{ActorId, MovieId};

/// The fields a movie's delete (and restore) entry names.
pub const DELETED_MOVIE_FIELDS: [&str; 4] = ["title", "release_date", "actors", "cast"];
/// The fields an actor's delete (and restore) entry names.
pub const DELETED_ACTOR_FIELDS: [&str; 5] = ["name", "age", "gender", "movies", "credits"];

/// A movie's every field, with its whole cast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedMovie {
    /// The title.
    pub title: Title,
    /// The release date.
    pub release_date: ReleaseDate,
    /// The cast, credits included.
    pub cast: Vec<CastCredit>,
}

impl DeletedMovie {
    /// The actors of the cast, ascending.
    pub fn actors(&self) -> Vec<ActorId> {
        let mut actors: Vec<ActorId> = self.cast.iter().map(|c| c.actor).collect();
        actors.sort_unstable();
        actors
    }

    /// Each field's value ([`DELETED_MOVIE_FIELDS`]).
    pub fn values(&self) -> [(&'static str, FieldValue); 4] {
        [
            ("title", text(&self.title)),
            ("release_date", FieldValue::Date(self.release_date)),
            ("actors", FieldValue::ids(&self.actors())),
            ("cast", FieldValue::cast(self.cast.clone())),
        ]
    }

    /// The movie as its delete entry's `changes` keep it; `None` when they do not hold it
    /// (an entry written before the trail kept values).
    pub fn from_deleted(changes: &Changes) -> Option<Self> {
        Some(Self {
            title: Title::parse(as_text(before(changes, "title")?)?).ok()?,
            release_date: match before(changes, "release_date")? {
                FieldValue::Date(date) => *date,
                _ => return None,
            },
            cast: match before(changes, "cast")? {
                FieldValue::Cast(cast) => cast.clone(),
                _ => return None,
            },
        })
    }
}

/// An actor's every field, with all their credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedActor {
    /// The name.
    pub name: Name,
    /// The age.
    pub age: Age,
    /// The gender.
    pub gender: Gender,
    /// Their credits, by movie.
    pub credits: Vec<RoleCredit>,
}

impl DeletedActor {
    /// Their movies, ascending.
    pub fn movies(&self) -> Vec<MovieId> {
        let mut movies: Vec<MovieId> = self.credits.iter().map(|c| c.movie).collect();
        movies.sort_unstable();
        movies
    }

    /// Each field's value ([`DELETED_ACTOR_FIELDS`]).
    pub fn values(&self) -> [(&'static str, FieldValue); 5] {
        [
            ("name", text(&self.name)),
            ("age", FieldValue::Number(self.age.get())),
            ("gender", gender_value(self.gender)),
            ("movies", FieldValue::ids(&self.movies())),
            ("credits", FieldValue::credits(self.credits.clone())),
        ]
    }

    /// The actor as their delete entry's `changes` keep them; `None` when they do not hold
    /// them (an entry written before the trail kept values).
    pub fn from_deleted(changes: &Changes) -> Option<Self> {
        Some(Self {
            name: Name::parse(as_text(before(changes, "name")?)?).ok()?,
            age: match before(changes, "age")? {
                FieldValue::Number(age) => Age::parse(*age).ok()?,
                _ => return None,
            },
            gender: Gender::parse(as_text(before(changes, "gender")?)?).ok()?,
            credits: match before(changes, "credits")? {
                FieldValue::Credits(credits) => credits.clone(),
                _ => return None,
            },
        })
    }
}

/// The value `field` had before the change.
fn before<'a>(changes: &'a Changes, field: &str) -> Option<&'a FieldValue> {
    changes
        .get(field)
        .and_then(|Change { from, .. }| from.as_ref())
}

fn as_text(value: &FieldValue) -> Option<&str> {
    match value {
        FieldValue::Text(text) => Some(text),
        _ => None,
    }
}
