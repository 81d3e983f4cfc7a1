//! The catalogue's records as stores keep them, and what the store is asked to write.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{Age, Gender, Name, ReleaseDate, Title};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
