//! Reading the trail back: moved ids rewritten as whole lists
//! (`casting_core::audit::expand_lists`), from the records' newer entries and their lists now.

use std::collections::HashMap;

use casting_core::audit::{expand_lists, records_to_expand};
use casting_core::{ActorId, AuditEntry, MovieId, ResourceKind};

use crate::state::State;

impl State {
    /// Rewrites the moved ids of `page` as whole lists, from the newer entries of their
    /// records and their lists now.
    pub(crate) fn expand(&self, page: &mut [AuditEntry]) {
        let records = records_to_expand(page);
        let Some(oldest) = records.values().min() else {
            return;
        };
        let history: Vec<AuditEntry> = self
            .trail
            .entries
            .range(oldest..)
            .map(|(_, entry)| entry)
            .filter(|e| records.contains_key(&(e.resource, e.resource_id)))
            .cloned()
            .collect();
        let mut now = HashMap::new();
        for &(kind, id) in records.keys() {
            let list: Option<Vec<i64>> = match kind {
                ResourceKind::Movie => self
                    .movies
                    .get(&MovieId(id))
                    .map(|m| m.cast.keys().map(|a| a.get()).collect()),
                ResourceKind::Actor => self
                    .actors
                    .get(&ActorId(id))
                    .map(|a| a.movies.iter().map(|m| m.get()).collect()),
            };
            if let Some(list) = list {
                now.insert((kind, id), list);
            }
        }
        expand_lists(page, &history, &now);
    }
}
