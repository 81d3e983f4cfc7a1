//! [`MemoryStore`]: the state behind one lock, and its `impl Store`.

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use async_trait::async_trait;
use casting_core::audit::CAST_FIELD;
use casting_core::audit::log::{Cursor, LogPage, LogQuery};
use casting_core::{
    Actor, ActorCredit, ActorField, ActorId, ActorPatch, ActorQuery, ActorSummary, AuditAction,
    AuditEntry, AuditQuery, Cast, Changes, Created, Edit, FieldValue, Idempotency, Movie,
    MovieField, MovieId, MoviePatch, MovieQuery, MovieSummary, NewActor, NewCast, NewMovie, Page,
    ResourceKind, Restored, Store, StoreResult as Result,
};

use crate::history::Trail;
use crate::list::{Value, page_by_id, page_of};
use crate::side::{Actors, Movies, Side, check_links};
use crate::state::{ActorRow, MovieRow, State};
use crate::writes;

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
    /// [`DEFAULT_AUDIT_CAPACITY`](crate::DEFAULT_AUDIT_CAPACITY) otherwise).
    pub fn with_audit_capacity(capacity: usize) -> Self {
        let store = Self::default();
        store.write().trail = Trail::with_capacity(capacity);
        store
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, State> {
        // Writes check everything before they change anything, so a panic cannot leave the
        // state half-written: a poisoned lock still guards consistent data.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
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
        writes::create::<Movies>(&mut self.write(), movie, edit, key)
    }

    async fn update_movie(&self, id: MovieId, patch: MoviePatch, edit: &Edit) -> Result<Movie> {
        writes::update::<Movies>(&mut self.write(), id, patch, edit)
    }

    async fn delete_movie(&self, id: MovieId, edit: &Edit) -> Result<Movie> {
        writes::delete::<Movies>(&mut self.write(), id, edit)
    }

    async fn restore_movie(&self, id: MovieId, edit: &Edit) -> Result<Restored<Movie>> {
        writes::restore::<Movies>(&mut self.write(), id, edit)
    }

    async fn get_cast(&self, id: MovieId) -> Result<Cast> {
        self.read().cast_of(id)
    }

    async fn replace_cast(&self, id: MovieId, cast: NewCast, edit: &Edit) -> Result<Cast> {
        let mut state = self.write();
        let version = Movies::expect(&mut state, id, edit)?.next();
        check_links::<Movies>(&state, &cast.actors())?;
        let before = state.movie_snapshot(id).map(|movie| movie.cast);
        if let Some(row) = state.movies.get_mut(&id) {
            row.revision.changed(edit);
        }
        let moved = state.replace_cast(id, &cast);
        let after = state.movie_snapshot(id).map(|movie| movie.cast);
        let changes = Changes::new().with(
            CAST_FIELD,
            before.map(FieldValue::cast),
            after.map(FieldValue::cast),
        );
        let (kind, action) = (ResourceKind::Movie, AuditAction::Update);
        state.log(
            edit,
            kind,
            id.get(),
            action,
            &[CAST_FIELD],
            changes,
            version,
        );
        state.touch_actors(id, &moved, edit);
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
        writes::create::<Actors>(&mut self.write(), actor, edit, key)
    }

    async fn update_actor(&self, id: ActorId, patch: ActorPatch, edit: &Edit) -> Result<Actor> {
        writes::update::<Actors>(&mut self.write(), id, patch, edit)
    }

    async fn delete_actor(&self, id: ActorId, edit: &Edit) -> Result<Actor> {
        writes::delete::<Actors>(&mut self.write(), id, edit)
    }

    async fn restore_actor(&self, id: ActorId, edit: &Edit) -> Result<Restored<Actor>> {
        writes::restore::<Actors>(&mut self.write(), id, edit)
    }

    async fn get_credits(&self, id: ActorId) -> Result<Vec<ActorCredit>> {
        self.read().credits_of(id)
    }

    async fn list_audit(&self, query: &AuditQuery) -> Result<Page<AuditEntry>> {
        let state = self.read();
        let entries = &state.trail.entries;
        if let Some(mut page) = page_by_id(entries, query, |_, entry| entry.clone()) {
            state.expand(&mut page.items);
            return Ok(page);
        }
        let filter = query.filter();
        let rows = entries.values().filter(|entry| filter.keeps(entry));
        let mut page = page_of(
            rows,
            query,
            |entry, _| Value::Int(entry.id),
            AuditEntry::clone,
        );
        state.expand(&mut page.items);
        Ok(page)
    }

    async fn read_log(&self, query: &LogQuery) -> Result<LogPage> {
        let state = self.read();
        let mut page = state.trail.read_log(query)?;
        state.expand(&mut page.entries);
        Ok(page)
    }

    async fn wait_for_log(&self, after: Cursor, timeout: Duration) -> Result<()> {
        let mut newest = self.read().trail.newest();
        // Whatever the outcome, the caller reads the log again.
        let _ = tokio::time::timeout(timeout, newest.wait_for(|n| *n > after.position())).await;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}
