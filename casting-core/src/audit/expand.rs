//! Whole lists from moved ids. A write that links or unlinks records of the other side keeps,
//! in each of their entries, only the one id that joined or left their list
//! ([`FieldValue::Moved`]): the whole lists before and after would cost every such write the
//! size of the list (an actor in 1,000 films: 2,000 ids per new film). A store rebuilds the
//! lists when it answers ([`expand_lists`]), from the record's list now and its newer
//! entries, which the trail always keeps (it drops the oldest first).

use std::collections::{BTreeMap, HashMap};

use crate::audit::AuditEntry;
use crate::audit::changes::FieldValue;
use crate::model::ResourceKind;

/// A record: its kind and id.
pub type RecordKey = (ResourceKind, i64);

/// The list field of a kind of record: a movie's `actors`, an actor's `movies`.
pub const fn list_field(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Movie => "actors",
        ResourceKind::Actor => "movies",
    }
}

/// The records of `page` whose entries keep a moved id, each with the oldest such entry's
/// number: a store fetches their entries from that number on, and their lists now.
pub fn records_to_expand(page: &[AuditEntry]) -> BTreeMap<RecordKey, i64> {
    let mut records = BTreeMap::new();
    for entry in page.iter().filter(|e| moved(e).is_some()) {
        let oldest = records
            .entry((entry.resource, entry.resource_id))
            .or_insert(entry.id);
        *oldest = (*oldest).min(entry.id);
    }
    records
}

/// Rewrites every moved id in `page` as the whole lists before and after.
///
/// `history` holds every entry of the records [`records_to_expand`] names, from the number it
/// gives on (in any order, the page's own entries included or not); `now` holds the list of
/// each of those records that exists (ascending). An entry whose lists cannot be rebuilt
/// keeps its moved id.
pub fn expand_lists(
    page: &mut [AuditEntry],
    history: &[AuditEntry],
    now: &HashMap<RecordKey, Vec<i64>>,
) {
    let wanted = records_to_expand(page);
    let mut by_record: HashMap<RecordKey, Vec<&AuditEntry>> = HashMap::new();
    for entry in history {
        let key = (entry.resource, entry.resource_id);
        if wanted.get(&key).is_some_and(|oldest| entry.id >= *oldest) {
            by_record.entry(key).or_default().push(entry);
        }
    }
    // The list right after each entry that moved an id, walking each record back from now.
    let mut after: HashMap<i64, Vec<i64>> = HashMap::new();
    for (key, mut entries) in by_record {
        entries.sort_by_key(|e| std::cmp::Reverse(e.id));
        entries.dedup_by_key(|e| e.id);
        let field = list_field(key.0);
        let mut list: Option<Vec<i64>> = now.get(&key).cloned();
        for entry in entries {
            let Some(change) = entry.changes.get(field) else {
                // A movie's cast replacement changes its actors without naming them.
                if let Some(Some(FieldValue::Cast(cast))) =
                    entry.changes.get("cast").map(|c| &c.from)
                {
                    let mut actors: Vec<i64> = cast.iter().map(|c| c.actor.get()).collect();
                    actors.sort_unstable();
                    list = Some(actors);
                }
                continue;
            };
            match (&change.from, &change.to) {
                (_, Some(FieldValue::Moved(id))) => {
                    if let Some(current) = list.take() {
                        list = Some(toggled(&current, *id));
                        after.insert(entry.id, current);
                    }
                }
                (Some(FieldValue::Ids(before)), _) => list = Some(before.clone()),
                // A create or a restore: nothing before it.
                (None, _) => list = None,
                _ => {}
            }
        }
    }
    for entry in page.iter_mut() {
        let (Some(id), Some(list)) = (moved(entry), after.get(&entry.id)) else {
            continue;
        };
        let field = list_field(entry.resource);
        let before = toggled(list, id);
        entry.changes.insert(
            field,
            Some(FieldValue::Ids(before)),
            Some(FieldValue::Ids(list.clone())),
        );
    }
}

/// The id an entry moved in its record's list, if it keeps one.
fn moved(entry: &AuditEntry) -> Option<i64> {
    match entry.changes.get(list_field(entry.resource))?.to {
        Some(FieldValue::Moved(id)) => Some(id),
        _ => None,
    }
}

/// `list` (ascending) with `id` added if missing, removed if there.
pub fn toggled(list: &[i64], id: i64) -> Vec<i64> {
    match list.binary_search(&id) {
        Ok(at) => [&list[..at], &list[at + 1..]].concat(),
        Err(at) => [&list[..at], &[id], &list[at..]].concat(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::audit::{AuditAction, Changes};
    use crate::revision::Version;

    fn entry(id: i64, action: AuditAction, changes: Changes) -> AuditEntry {
        AuditEntry {
            id,
            at: Utc::now(),
            subject: "s".into(),
            resource: ResourceKind::Actor,
            resource_id: 7,
            action,
            fields: changes.iter().map(|(f, _)| f.to_owned()).collect(),
            changes,
            version: Version::FIRST,
        }
    }

    fn moved(id: i64, movie: i64) -> AuditEntry {
        let changes = Changes::new().with("movies", None, Some(FieldValue::Moved(movie)));
        entry(id, AuditAction::Update, changes)
    }

    fn lists(entry: &AuditEntry) -> (Option<FieldValue>, Option<FieldValue>) {
        let change = entry.changes.get("movies").expect("movies");
        (change.from.clone(), change.to.clone())
    }

    fn ids(ids: &[i64]) -> Option<FieldValue> {
        Some(FieldValue::Ids(ids.to_vec()))
    }

    #[test]
    fn lists_are_rebuilt_back_from_now_through_every_kind_of_entry() {
        // Created with [1]; joined 2; patched to [2, 5]; left 2; joined 9. Now: [5, 9].
        let created = entry(
            1,
            AuditAction::Create,
            Changes::made([("movies", FieldValue::Ids(vec![1]))]),
        );
        let patched = entry(
            3,
            AuditAction::Update,
            Changes::links("movies", &[1, 2], &[2, 5]),
        );
        let history = vec![created, moved(2, 2), patched, moved(4, 2), moved(5, 9)];
        let mut page = history.clone();
        let now = HashMap::from([((ResourceKind::Actor, 7), vec![5, 9])]);
        expand_lists(&mut page, &history, &now);
        assert_eq!(lists(&page[1]), (ids(&[1]), ids(&[1, 2])));
        assert_eq!(lists(&page[3]), (ids(&[2, 5]), ids(&[5])));
        assert_eq!(lists(&page[4]), (ids(&[5]), ids(&[5, 9])));
        assert_eq!(page[2], history[2], "whole lists stay as they are");
    }

    #[test]
    fn a_deleted_record_starts_from_its_delete_entry() {
        let deleted = entry(
            3,
            AuditAction::Delete,
            Changes::gone([("movies", FieldValue::Ids(vec![4, 6]))]),
        );
        let history = vec![moved(2, 6), deleted];
        let mut page = vec![history[0].clone()];
        expand_lists(&mut page, &history, &HashMap::new());
        assert_eq!(lists(&page[0]), (ids(&[4]), ids(&[4, 6])));
    }

    #[test]
    fn a_movie_walks_back_through_its_cast_replacements() {
        use crate::audit::CastCredit;
        use crate::credit::Billing;
        use crate::model::ActorId;
        let credit = |actor: i64| CastCredit {
            actor: ActorId(actor),
            character: None,
            billing: Billing::FIRST,
        };
        let movie = |mut entry: AuditEntry| {
            entry.resource = ResourceKind::Movie;
            entry
        };
        let joined = movie(entry(2, AuditAction::Update, Changes::moved("actors", 3)));
        let recast = Changes::new().with(
            "cast",
            Some(FieldValue::Cast(vec![credit(3), credit(8)])),
            Some(FieldValue::Cast(vec![credit(5)])),
        );
        let history = vec![joined, movie(entry(3, AuditAction::Update, recast))];
        let mut page = vec![history[0].clone()];
        let now = HashMap::from([((ResourceKind::Movie, 7), vec![5])]);
        expand_lists(&mut page, &history, &now);
        let change = page[0].changes.get("actors").expect("actors");
        assert_eq!(
            (change.from.clone(), change.to.clone()),
            (ids(&[8]), ids(&[3, 8])),
            "the list before the recast, not the list now"
        );
    }

    #[test]
    fn without_what_came_after_the_moved_id_stays() {
        let mut page = vec![moved(2, 6)];
        expand_lists(&mut page, &[], &HashMap::new());
        assert_eq!(lists(&page[0]), (None, Some(FieldValue::Moved(6))));
    }
}
