//! What every write does besides itself: stamps new versions of the other side's records
//! whose links it changed, and appends audit entries.

use std::collections::BTreeSet;

use casting_core::{
    ActorId, AuditAction, AuditEntry, Changes, Edit, MovieId, ResourceKind, Version,
};

use crate::state::State;

impl State {
    /// Appends one entry to the audit trail.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn log(
        &mut self,
        edit: &Edit,
        resource: ResourceKind,
        resource_id: i64,
        action: AuditAction,
        fields: &[&str],
        changes: Changes,
        version: Version,
    ) {
        self.trail.append(|id| AuditEntry {
            id,
            at: edit.at,
            subject: edit.by.clone(),
            resource,
            resource_id,
            action,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            changes,
            version,
        });
    }

    /// A new version of each actor whose list of movies a write of `movie` changed (joined
    /// or left); the trail keeps the movie that moved (the lists are rebuilt when it is read).
    pub(crate) fn touch_actors(&mut self, movie: MovieId, ids: &BTreeSet<ActorId>, edit: &Edit) {
        for id in ids {
            let Some(row) = self.actors.get_mut(id) else {
                continue;
            };
            row.revision.changed(edit);
            let version = row.revision.version;
            let changes = Changes::moved("movies", movie.get());
            let (kind, action) = (ResourceKind::Actor, AuditAction::Update);
            self.log(edit, kind, id.get(), action, &["movies"], changes, version);
        }
    }

    /// A new version of each movie whose cast a write of `actor` changed (joined or left);
    /// the trail keeps the actor that moved (the lists are rebuilt when it is read).
    pub(crate) fn touch_movies(&mut self, actor: ActorId, ids: &BTreeSet<MovieId>, edit: &Edit) {
        for id in ids {
            let Some(row) = self.movies.get_mut(id) else {
                continue;
            };
            row.revision.changed(edit);
            let version = row.revision.version;
            let changes = Changes::moved("actors", actor.get());
            let (kind, action) = (ResourceKind::Movie, AuditAction::Update);
            self.log(edit, kind, id.get(), action, &["actors"], changes, version);
        }
    }
}
