//! The store's state: the rows of both sides, their links with credits, the id counters, the
//! audit trail and the idempotency keys.

use std::collections::{BTreeMap, BTreeSet};

use casting_core::{
    Actor, ActorId, Age, Billing, Character, Gender, Movie, MovieId, Name, ReleaseDate, Revision,
    StoreError, StoreResult as Result, Title,
};

use crate::history::{Keys, Trail};

#[derive(Debug)]
pub(crate) struct MovieRow {
    pub(crate) title: Title,
    pub(crate) folded: String,
    pub(crate) release_date: ReleaseDate,
    /// The cast: each actor's credit.
    pub(crate) cast: BTreeMap<ActorId, Credit>,
    pub(crate) revision: Revision,
}

/// What a link says beyond the two ids.
#[derive(Debug, Clone)]
pub(crate) struct Credit {
    pub(crate) character: Option<Character>,
    pub(crate) billing: Billing,
}

#[derive(Debug)]
pub(crate) struct ActorRow {
    pub(crate) name: Name,
    pub(crate) folded: String,
    pub(crate) age: Age,
    pub(crate) gender: Gender,
    pub(crate) movies: BTreeSet<MovieId>,
    pub(crate) revision: Revision,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) movies: BTreeMap<MovieId, MovieRow>,
    pub(crate) actors: BTreeMap<ActorId, ActorRow>,
    pub(crate) last_movie_id: i64,
    pub(crate) last_actor_id: i64,
    pub(crate) trail: Trail,
    pub(crate) keys: Keys,
}

impl State {
    pub(crate) fn movie(&self, id: MovieId) -> Result<Movie> {
        let row = self
            .movies
            .get(&id)
            .ok_or_else(|| StoreError::movie_not_found(id))?;
        Ok(Movie {
            id,
            title: row.title.clone(),
            release_date: row.release_date,
            actors: row.cast.keys().copied().collect(),
            revision: row.revision.clone(),
        })
    }

    pub(crate) fn actor(&self, id: ActorId) -> Result<Actor> {
        let row = self
            .actors
            .get(&id)
            .ok_or_else(|| StoreError::actor_not_found(id))?;
        Ok(Actor {
            id,
            name: row.name.clone(),
            age: row.age,
            gender: row.gender,
            movies: row.movies.iter().copied().collect(),
            revision: row.revision.clone(),
        })
    }
}
