//! What every write does besides itself: stamps new versions of the other side's records
//! whose links it changed, and appends audit entries.

use std::collections::BTreeSet;

use casting_core::{ActorId, AuditAction, AuditEntry, Edit, MovieId, ResourceKind, Version};

use crate::state::State;

impl State {
    /// Appends one entry to the audit trail.
    pub(crate) fn log(
        &mut self,
        edit: &Edit,
        resource: ResourceKind,
        resource_id: i64,
        action: AuditAction,
        fields: &[&str],
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
            version,
        });
    }

    /// A new version of each actor whose list of movies a movie write changed.
    pub(crate) fn touch_actors(&mut self, ids: &BTreeSet<ActorId>, edit: &Edit) {
        for id in ids {
            let Some(row) = self.actors.get_mut(id) else {
                continue;
            };
            row.revision.changed(edit);
            let version = row.revision.version;
            self.log(
                edit,
                ResourceKind::Actor,
                id.get(),
                AuditAction::Update,
                &["movies"],
                version,
            );
        }
    }

    /// A new version of each movie whose cast an actor write changed.
    pub(crate) fn touch_movies(&mut self, ids: &BTreeSet<MovieId>, edit: &Edit) {
        for id in ids {
            let Some(row) = self.movies.get_mut(id) else {
                continue;
            };
            row.revision.changed(edit);
            let version = row.revision.version;
            self.log(
                edit,
                ResourceKind::Movie,
                id.get(),
                AuditAction::Update,
                &["actors"],
                version,
            );
        }
    }
}
