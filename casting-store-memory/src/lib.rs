//! An in-memory [`Store`] for the casting API: for development, tests and embedding where nothing
//! needs to outlive the process.
//!
//! Every operation takes one short lock and never holds it across an `.await`, so it is correct
//! under concurrent use from many tasks, and each write is checked whole before anything changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use casting_core::audit::{ACTOR_FIELDS, CAST_FIELD, MOVIE_FIELDS};
use casting_core::{
    Actor, ActorCredit, ActorField, ActorId, ActorPatch, ActorQuery, ActorSummary, AuditAction,
    AuditEntry, AuditQuery, Cast, Created, Edit, Idempotency, Movie, MovieField, MovieId,
    MoviePatch, MovieQuery, MovieSummary, NewActor, NewCast, NewMovie, Page, ResourceKind,
    Revision, Store, StoreError, StoreResult as Result, UnknownIds, Version,
};

mod cast;
mod edits;
mod history;
mod list;
mod state;

use casting_core::query::fold;
pub use history::{DEFAULT_AUDIT_CAPACITY, KEY_CAPACITY};
use history::{Kept, Trail, replayed};
use list::{Value, page_by_id, page_of};
use state::{ActorRow, MovieRow, State};

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

    /// An empty store whose audit trail keeps the newest `capacity` entries (at least one;
    /// [`DEFAULT_AUDIT_CAPACITY`] otherwise).
    pub fn with_audit_capacity(capacity: usize) -> Self {
        let store = Self::default();
        store.write().trail = Trail::with_capacity(capacity);
        store
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
        let needle = query.q_folded();
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

    async fn create_movie(
        &self,
        movie: NewMovie,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> Result<Created<Movie>> {
        let mut state = self.write();
        if let Some(key) = key
            && let Some(kept) = state.keys.find(ResourceKind::Movie, edit, key)?
        {
            return match kept {
                Kept::Movie(movie) => Ok(replayed(movie)),
                Kept::Actor(_) => Err(StoreError::internal("a movie key kept an actor")),
            };
        }
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
                revision: Revision::created(edit),
            },
        );
        let action = AuditAction::Create;
        state.log(
            edit,
            ResourceKind::Movie,
            id.get(),
            action,
            &MOVIE_FIELDS,
            Version::FIRST,
        );
        let joined = state.set_cast(id, &movie.actors);
        state.touch_actors(&joined, edit);
        let created = state.movie(id)?;
        if let Some(key) = key {
            let kept = Kept::Movie(created.clone());
            state.keys.keep(ResourceKind::Movie, edit, key, kept);
        }
        Ok(Created::new(created))
    }

    async fn update_movie(&self, id: MovieId, patch: MoviePatch, edit: &Edit) -> Result<Movie> {
        let mut state = self.write();
        let version = state.expect_movie(id, edit)?.next();
        let fields = patch.fields();
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
        row.revision.changed(edit);
        state.log(
            edit,
            ResourceKind::Movie,
            id.get(),
            AuditAction::Update,
            &fields,
            version,
        );
        if let Some(actors) = patch.actors {
            let moved = state.set_cast(id, &actors);
            state.touch_actors(&moved, edit);
        }
        state.movie(id)
    }

    async fn delete_movie(&self, id: MovieId, edit: &Edit) -> Result<Movie> {
        let mut state = self.write();
        let version = state.expect_movie(id, edit)?.next();
        let movie = state.movie(id)?;
        state.log(
            edit,
            ResourceKind::Movie,
            id.get(),
            AuditAction::Delete,
            &[],
            version,
        );
        let left = state.set_cast(id, &[]);
        state.touch_actors(&left, edit);
        state.movies.remove(&id);
        Ok(movie)
    }

    async fn get_cast(&self, id: MovieId) -> Result<Cast> {
        self.read().cast_of(id)
    }

    async fn replace_cast(&self, id: MovieId, cast: NewCast, edit: &Edit) -> Result<Cast> {
        let mut state = self.write();
        let version = state.expect_movie(id, edit)?.next();
        check_known(&state.actors, &cast.actors(), ResourceKind::Actor)?;
        if let Some(row) = state.movies.get_mut(&id) {
            row.revision.changed(edit);
        }
        let action = AuditAction::Update;
        state.log(
            edit,
            ResourceKind::Movie,
            id.get(),
            action,
            &[CAST_FIELD],
            version,
        );
        let moved = state.replace_cast(id, &cast);
        state.touch_actors(&moved, edit);
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
        let needle = query.q_folded();
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

    async fn create_actor(
        &self,
        actor: NewActor,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> Result<Created<Actor>> {
        let mut state = self.write();
        if let Some(key) = key
            && let Some(kept) = state.keys.find(ResourceKind::Actor, edit, key)?
        {
            return match kept {
                Kept::Actor(actor) => Ok(replayed(actor)),
                Kept::Movie(_) => Err(StoreError::internal("an actor key kept a movie")),
            };
        }
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
                revision: Revision::created(edit),
            },
        );
        let action = AuditAction::Create;
        state.log(
            edit,
            ResourceKind::Actor,
            id.get(),
            action,
            &ACTOR_FIELDS,
            Version::FIRST,
        );
        let joined = state.set_roles(id, &actor.movies);
        state.touch_movies(&joined, edit);
        let created = state.actor(id)?;
        if let Some(key) = key {
            let kept = Kept::Actor(created.clone());
            state.keys.keep(ResourceKind::Actor, edit, key, kept);
        }
        Ok(Created::new(created))
    }

    async fn update_actor(&self, id: ActorId, patch: ActorPatch, edit: &Edit) -> Result<Actor> {
        let mut state = self.write();
        let version = state.expect_actor(id, edit)?.next();
        let fields = patch.fields();
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
        row.revision.changed(edit);
        state.log(
            edit,
            ResourceKind::Actor,
            id.get(),
            AuditAction::Update,
            &fields,
            version,
        );
        if let Some(movies) = patch.movies {
            let moved = state.set_roles(id, &movies);
            state.touch_movies(&moved, edit);
        }
        state.actor(id)
    }

    async fn delete_actor(&self, id: ActorId, edit: &Edit) -> Result<Actor> {
        let mut state = self.write();
        let version = state.expect_actor(id, edit)?.next();
        let actor = state.actor(id)?;
        state.log(
            edit,
            ResourceKind::Actor,
            id.get(),
            AuditAction::Delete,
            &[],
            version,
        );
        let left = state.set_roles(id, &[]);
        state.touch_movies(&left, edit);
        state.actors.remove(&id);
        Ok(actor)
    }

    async fn get_credits(&self, id: ActorId) -> Result<Vec<ActorCredit>> {
        self.read().credits_of(id)
    }

    async fn list_audit(&self, query: &AuditQuery) -> Result<Page<AuditEntry>> {
        let state = self.read();
        let entries = &state.trail.entries;
        if let Some(page) = page_by_id(entries, query, |_, entry| entry.clone()) {
            return Ok(page);
        }
        let filter = query.filter();
        let rows = entries.values().filter(|entry| filter.keeps(entry));
        Ok(page_of(
            rows,
            query,
            |entry, _| Value::Int(entry.id),
            AuditEntry::clone,
        ))
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
