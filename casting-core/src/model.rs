//! The catalogue's records as stores keep them, and what the store is asked to write.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{Age, Gender, Name, ReleaseDate, Title};
use crate::revision::{Canonical, Revision};

macro_rules! id_type {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $ty(pub i64);

        impl $ty {
            /// The id as a number.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $ty {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$ty> for i64 {
            fn from(id: $ty) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A movie's id, assigned by the store and never reused.
    MovieId
);
id_type!(
    /// An actor's id, assigned by the store and never reused.
    ActorId
);

/// Which kind of record an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    /// A movie.
    Movie,
    /// An actor.
    Actor,
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceKind::Movie => "movie",
            ResourceKind::Actor => "actor",
        })
    }
}

/// A movie as lists show it: without its cast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovieSummary {
    /// The id.
    pub id: MovieId,
    /// The title.
    pub title: Title,
    /// The release date.
    pub release_date: ReleaseDate,
}

/// A movie with its cast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movie {
    /// The id.
    pub id: MovieId,
    /// The title.
    pub title: Title,
    /// The release date.
    pub release_date: ReleaseDate,
    /// The cast: actor ids, ascending, without repeats.
    pub actors: Vec<ActorId>,
    /// The version, and who made and last changed the movie, when.
    pub revision: Revision,
}

impl Movie {
    /// The movie without its cast.
    pub fn summary(&self) -> MovieSummary {
        MovieSummary {
            id: self.id,
            title: self.title.clone(),
            release_date: self.release_date,
        }
    }
}

/// An actor as lists show them: without their movies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorSummary {
    /// The id.
    pub id: ActorId,
    /// The name.
    pub name: Name,
    /// The age in years.
    pub age: Age,
    /// The gender.
    pub gender: Gender,
}

/// An actor with the movies they are in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The id.
    pub id: ActorId,
    /// The name.
    pub name: Name,
    /// The age in years.
    pub age: Age,
    /// The gender.
    pub gender: Gender,
    /// Movie ids, ascending, without repeats.
    pub movies: Vec<MovieId>,
    /// The version, and who made and last changed the actor, when.
    pub revision: Revision,
}

impl Actor {
    /// The actor without their movies.
    pub fn summary(&self) -> ActorSummary {
        ActorSummary {
            id: self.id,
            name: self.name.clone(),
            age: self.age,
            gender: self.gender,
        }
    }
}

/// A validated movie to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovie {
    /// The title.
    pub title: Title,
    /// The release date.
    pub release_date: ReleaseDate,
    /// The cast; every id must name an existing actor. Repeats are ignored.
    pub actors: Vec<ActorId>,
}

impl NewMovie {
    /// A movie to create, without a cast ([`NewMovie::with_actors`] gives it one). Build
    /// movies this way rather than as a struct literal: a field added later gets its default
    /// here, and no caller changes.
    pub fn new(title: Title, release_date: ReleaseDate) -> Self {
        Self {
            title,
            release_date,
            actors: Vec::new(),
        }
    }

    /// The same movie, with `actors` as its cast.
    #[must_use]
    pub fn with_actors(mut self, actors: impl IntoIterator<Item = ActorId>) -> Self {
        self.actors = actors.into_iter().collect();
        self
    }
}

/// A validated partial change to a movie: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoviePatch {
    /// A new title.
    pub title: Option<Title>,
    /// A new release date.
    pub release_date: Option<ReleaseDate>,
    /// A new cast, replacing the whole old one (`Some(vec![])` empties it).
    pub actors: Option<Vec<ActorId>>,
}

impl MoviePatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.release_date.is_none() && self.actors.is_none()
    }

    /// The names of the fields the patch changes, as the audit trail records them.
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("title", self.title.is_some()),
            ("release_date", self.release_date.is_some()),
            ("actors", self.actors.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// A validated actor to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActor {
    /// The name.
    pub name: Name,
    /// The age.
    pub age: Age,
    /// The gender.
    pub gender: Gender,
    /// The actor's movies; every id must name an existing movie. Repeats are ignored.
    pub movies: Vec<MovieId>,
}

impl NewActor {
    /// An actor to create, in no movie yet ([`NewActor::with_movies`] gives them some). Build
    /// actors this way rather than as a struct literal: a field added later gets its default
    /// here, and no caller changes.
    pub fn new(name: Name, age: Age, gender: Gender) -> Self {
        Self {
            name,
            age,
            gender,
            movies: Vec::new(),
        }
    }

    /// The same actor, in `movies`.
    #[must_use]
    pub fn with_movies(mut self, movies: impl IntoIterator<Item = MovieId>) -> Self {
        self.movies = movies.into_iter().collect();
        self
    }
}

/// A validated partial change to an actor: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorPatch {
    /// A new name.
    pub name: Option<Name>,
    /// A new age.
    pub age: Option<Age>,
    /// A new gender.
    pub gender: Option<Gender>,
    /// New movies, replacing the whole old list (`Some(vec![])` empties it).
    pub movies: Option<Vec<MovieId>>,
}

impl ActorPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.age.is_none() && self.gender.is_none() && self.movies.is_none()
    }

    /// The names of the fields the patch changes, as the audit trail records them.
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("age", self.age.is_some()),
            ("gender", self.gender.is_some()),
            ("movies", self.movies.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The records on this page, in the query's order.
    pub items: Vec<T>,
    /// How many records match the query, on every page; `None` when the query does not count.
    pub total: Option<u64>,
    /// The page number, from 1; `None` when the page follows a cursor.
    pub page: Option<u32>,
    /// The page size asked for.
    pub per_page: u32,
    /// The cursor of the next page; `None` on the last page.
    pub next: Option<String>,
}

fn id_list<T: Into<i64> + Copy>(ids: &[T]) -> String {
    let mut ids: Vec<i64> = ids.iter().map(|id| (*id).into()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl Canonical for NewMovie {
    fn canonical(&self) -> String {
        canonical_pairs(&[
            ("title", self.title.as_str()),
            ("release_date", &self.release_date.to_string()),
            ("actors", &id_list::<ActorId>(&self.actors)),
        ])
    }
}

impl Canonical for NewActor {
    fn canonical(&self) -> String {
        canonical_pairs(&[
            ("name", self.name.as_str()),
            ("age", &self.age.get().to_string()),
            ("gender", self.gender.as_str()),
            ("movies", &id_list::<MovieId>(&self.movies)),
        ])
    }
}

/// `name=value` pairs separated by `\u{1f}`, which no validated text can hold.
fn canonical_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn movie(title: &str, actors: &[i64]) -> NewMovie {
        NewMovie::new(
            Title::parse(title).unwrap(),
            ReleaseDate::parse("2025-02-08").unwrap(),
        )
        .with_actors(actors.iter().copied().map(ActorId))
    }

    #[test]
    fn equal_creates_write_equal_canonical_text() {
        assert_eq!(
            movie("  Same ", &[3, 1, 3]).canonical(),
            movie("Same", &[1, 3]).canonical(),
            "trimmed title, ids as a set"
        );
        assert_ne!(
            movie("Same", &[1]).canonical(),
            movie("Same", &[]).canonical()
        );
        assert_ne!(
            movie("Same", &[]).canonical(),
            movie("Other", &[]).canonical()
        );
        let mut later = movie("Same", &[]);
        later.release_date = ReleaseDate::parse("2025-02-09").unwrap();
        assert_ne!(later.canonical(), movie("Same", &[]).canonical());
    }
}
