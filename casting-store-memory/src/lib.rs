//! An in-memory [`Store`] for the casting API: for development, tests and embedding where nothing
//! needs to outlive the process.
//!
//! Every operation takes one short lock and never holds it across an `.await`, so it is correct
//! under concurrent use from many tasks, and each write is checked whole before anything changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use casting_core::{
    Actor, ActorCredit, ActorField, ActorId, ActorPatch, ActorQuery, ActorSummary, CastMember,
    Movie, MovieField, MovieId, MoviePatch, MovieQuery, MovieSummary, NewActor, NewCast, NewMovie,
    Page, ResourceKind, Store, StoreError, StoreResult as Result, UnknownIds,
};

mod cast;
mod list;
mod state;

use list::{Value, page_by_id, page_of};
use state::{ActorRow, MovieRow, State, fold};

/// A store that keeps everything in memory; nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        // Writes check everything before they change anything, so a panic cannot leave the
        // state half-written: a poisoned lock still guards consistent data.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The ids in `wanted` that are not keys of `existing`, or the whole write's error.
fn check_known<K: Ord + Copy + Into<i64>, V>(
    existing: &BTreeMap<K, V>,
    wanted: &[K],
    kind: ResourceKind,
) -> Result<()> {
    let unknown = wanted
        .iter()
        .filter(|id| !existing.contains_key(id))
        .map(|id| (*id).into());
    match UnknownIds::new(unknown) {
        None => Ok(()),
        Some(ids) => Err(StoreError::UnknownRelations { kind, ids }),
    }
}

/// The rows a list must look at: all of them, or, when it is filtered on relations, only
/// those linked to the first related record (whose links the filter then checks in full).
/// A related id that names nothing keeps nothing.
fn candidates<'a, K: Ord + Copy, R, O: Ord, P>(
    rows: &'a BTreeMap<K, R>,
    related: &'a BTreeMap<O, P>,
    wanted: &[O],
    links: impl Fn(&'a P) -> Box<dyn Iterator<Item = &'a K> + 'a>,
) -> Box<dyn Iterator<Item = (&'a K, &'a R)> + 'a> {
    let Some(first) = wanted.first() else {
        return Box::new(rows.iter());
    };
    match related.get(first) {
        None => Box::new(std::iter::empty()),
        Some(other) => Box::new(links(other).filter_map(move |id| rows.get_key_value(id))),
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn list_movies(&self, query: &MovieQuery) -> Result<Page<MovieSummary>> {
        let state = self.read();
        let summary = |id: &MovieId, row: &MovieRow| MovieSummary {
            id: *id,
            title: row.title.clone(),
            release_date: row.release_date,
        };
        if let Some(page) = page_by_id(&state.movies, query, summary) {
            return Ok(page);
        }
        let needle = query.q().map(fold);
        let filter = query.filter();
        let cast = filter.actors();
        let rows = candidates(&state.movies, &state.actors, cast, |actor| {
            Box::new(actor.movies.iter())
        })
        .filter(|(_, row)| {
            needle.as_deref().is_none_or(|n| row.folded.contains(n))
                && filter.keeps(row.release_date)
                && cast.iter().all(|actor| row.cast.contains_key(actor))
        });
        Ok(page_of(
            rows,
            query,
            |(id, row), field| match field {
                MovieField::Id => Value::Int(id.get()),
                MovieField::Title => Value::Text(row.title.as_str()),
                MovieField::ReleaseDate => Value::Date(row.release_date),
            },
            |(id, row)| summary(id, row),
        ))
    }

    async fn get_movie(&self, id: MovieId) -> Result<Movie> {
        self.read().movie(id)
    }

    async fn create_movie(&self, movie: NewMovie) -> Result<Movie> {
        let mut state = self.write();
        check_known(&state.actors, &movie.actors, ResourceKind::Actor)?;
        state.last_movie_id += 1;
        let id = MovieId(state.last_movie_id);
        state.movies.insert(
            id,
            MovieRow {
                folded: fold(movie.title.as_str()),
                title: movie.title,
                release_date: movie.release_date,
                cast: BTreeMap::new(),
            },
        );
        state.set_cast(id, &movie.actors);
        state.movie(id)
    }

    async fn update_movie(&self, id: MovieId, patch: MoviePatch) -> Result<Movie> {
        let mut state = self.write();
        if !state.movies.contains_key(&id) {
            return Err(StoreError::movie_not_found(id));
        }
        if let Some(actors) = &patch.actors {
            check_known(&state.actors, actors, ResourceKind::Actor)?;
        }
        let row = state
            .movies
            .get_mut(&id)
            .ok_or_else(|| StoreError::movie_not_found(id))?;
        if let Some(title) = patch.title {
            row.folded = fold(title.as_str());
            row.title = title;
        }
        if let Some(date) = patch.release_date {
            row.release_date = date;
        }
        if let Some(actors) = patch.actors {
            state.set_cast(id, &actors);
        }
        state.movie(id)
    }

    async fn delete_movie(&self, id: MovieId) -> Result<Movie> {
        let mut state = self.write();
        let movie = state.movie(id)?;
        state.set_cast(id, &[]);
        state.movies.remove(&id);
        Ok(movie)
    }

    async fn get_cast(&self, id: MovieId) -> Result<Vec<CastMember>> {
        self.read().cast_of(id)
    }

    async fn replace_cast(&self, id: MovieId, cast: NewCast) -> Result<Vec<CastMember>> {
        let mut state = self.write();
        if !state.movies.contains_key(&id) {
            return Err(StoreError::movie_not_found(id));
        }
        check_known(&state.actors, &cast.actors(), ResourceKind::Actor)?;
        state.replace_cast(id, &cast);
        state.cast_of(id)
    }

    async fn list_actors(&self, query: &ActorQuery) -> Result<Page<ActorSummary>> {
        let state = self.read();
        let summary = |id: &ActorId, row: &ActorRow| ActorSummary {
            id: *id,
            name: row.name.clone(),
            age: row.age,
            gender: row.gender,
        };
        if let Some(page) = page_by_id(&state.actors, query, summary) {
            return Ok(page);
        }
        let needle = query.q().map(fold);
        let filter = query.filter();
        let movies = filter.movies();
        let rows = candidates(&state.actors, &state.movies, movies, |movie| {
            Box::new(movie.cast.keys())
        })
        .filter(|(_, row)| {
            needle.as_deref().is_none_or(|n| row.folded.contains(n))
                && filter.keeps(row.gender, row.age)
                && movies.iter().all(|movie| row.movies.contains(movie))
        });
        Ok(page_of(
            rows,
            query,
            |(id, row), field| match field {
                ActorField::Id => Value::Int(id.get()),
                ActorField::Name => Value::Text(row.name.as_str()),
                ActorField::Age => Value::Int(row.age.get()),
            },
            |(id, row)| summary(id, row),
        ))
    }

    async fn get_actor(&self, id: ActorId) -> Result<Actor> {
        self.read().actor(id)
    }

    async fn create_actor(&self, actor: NewActor) -> Result<Actor> {
        let mut state = self.write();
        check_known(&state.movies, &actor.movies, ResourceKind::Movie)?;
        state.last_actor_id += 1;
        let id = ActorId(state.last_actor_id);
        state.actors.insert(
            id,
            ActorRow {
                folded: fold(actor.name.as_str()),
                name: actor.name,
                age: actor.age,
                gender: actor.gender,
                movies: BTreeSet::new(),
            },
        );
        state.set_roles(id, &actor.movies);
        state.actor(id)
    }

    async fn update_actor(&self, id: ActorId, patch: ActorPatch) -> Result<Actor> {
        let mut state = self.write();
        if !state.actors.contains_key(&id) {
            return Err(StoreError::actor_not_found(id));
        }
        if let Some(movies) = &patch.movies {
            check_known(&state.movies, movies, ResourceKind::Movie)?;
        }
        let row = state
            .actors
            .get_mut(&id)
            .ok_or_else(|| StoreError::actor_not_found(id))?;
        if let Some(name) = patch.name {
            row.folded = fold(name.as_str());
            row.name = name;
        }
        if let Some(age) = patch.age {
            row.age = age;
        }
        if let Some(gender) = patch.gender {
            row.gender = gender;
        }
        if let Some(movies) = patch.movies {
            state.set_roles(id, &movies);
        }
        state.actor(id)
    }

    async fn delete_actor(&self, id: ActorId) -> Result<Actor> {
        let mut state = self.write();
        let actor = state.actor(id)?;
        state.set_roles(id, &[]);
        state.actors.remove(&id);
        Ok(actor)
    }

    async fn get_credits(&self, id: ActorId) -> Result<Vec<ActorCredit>> {
        self.read().credits_of(id)
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
