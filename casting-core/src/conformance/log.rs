//! Checks of the trail read as a log ([`Store::read_log`]): where reads start, and a follower
//! that reads while writers race sees every entry once, in an order where each record's
//! versions run on by one and each value's `from` is the one before's `to`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::*;
use crate::audit::log::{Cursor, LogPage, LogQuery, LogStart};
use crate::audit::{AuditAction, AuditEntry, FieldValue};

async fn read(store: &dyn Store, start: LogStart, limit: i64) -> LogPage {
    let query = LogQuery::new(start, Some(limit), None).expect("test log query is valid");
    store.read_log(&query).await.expect("read_log")
}

/// Every entry from the oldest kept, in pages of `limit`.
async fn read_all(store: &dyn Store, limit: i64) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    let mut start = LogStart::Oldest;
    loop {
        let page = read(store, start, limit).await;
        if page.entries.is_empty() {
            return entries;
        }
        entries.extend(page.entries);
        start = LogStart::After(page.next.position());
    }
}

/// Reads start at the oldest entry, after a cursor, or after the newest (`now`); `next` is
/// the last entry given, or the start when none came; `limit` and `resource` bound a read;
/// the log holds what `list_audit` lists, oldest first.
pub async fn the_log_reads_from_oldest_a_cursor_or_now(store: &dyn Store) {
    let empty = read(store, LogStart::Oldest, 10).await;
    assert!(empty.entries.is_empty());
    let now = read(store, LogStart::Now, 10).await;
    assert!(now.entries.is_empty());

    let movie = add_movie(store, "Logged", &[]).await;
    let actor = add_actor(store, "Lou", &[movie.id]).await;
    plain(store)
        .update_movie(movie.id, patch_title("Logged again"))
        .await
        .expect("update");

    let all = read_all(store, 1000).await;
    let ids: Vec<i64> = all.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    assert!(
        ids.iter().all(|id| *id > now.next.position()),
        "after `now`"
    );
    let mut audit = store
        .list_audit(&query(1, 100, None))
        .await
        .expect("list_audit")
        .items;
    audit.reverse();
    assert_eq!(all, audit, "the log is the trail, oldest first");
    assert_eq!(
        all.len(),
        4,
        "movie create, actor create, the movie's new cast, the title"
    );

    let one = read(store, LogStart::Oldest, 1).await;
    assert_eq!(one.entries, all[..1]);
    assert_eq!(one.next, Cursor::at(all[0].id));
    let rest = read(store, LogStart::After(one.next.position()), 1000).await;
    assert_eq!(rest.entries, all[1..]);
    let last = Cursor::at(all[3].id);
    assert_eq!(rest.next, last);
    let nothing = read(store, LogStart::After(last.position()), 10).await;
    assert!(nothing.entries.is_empty());
    assert_eq!(nothing.next, last, "the cursor given, when nothing came");
    assert_eq!(read(store, LogStart::Now, 10).await.next, last);

    let movies_only = LogQuery::new(LogStart::Oldest, None, Some(ResourceKind::Movie)).unwrap();
    let movies = store.read_log(&movies_only).await.expect("read_log");
    assert!(
        movies
            .entries
            .iter()
            .all(|e| e.resource == ResourceKind::Movie && e.resource_id == movie.id.get())
    );
    assert_eq!(movies.entries.len(), 3);
    let actors_only = LogQuery::new(LogStart::Oldest, None, Some(ResourceKind::Actor)).unwrap();
    let actors = store.read_log(&actors_only).await.expect("read_log");
    assert_eq!(actors.entries.len(), 1);
    assert_eq!(actors.entries[0].resource_id, actor.id.get());
}

/// A reader waiting after the newest entry is woken by the next write (before its timeout),
/// and then reads that write's entries.
pub async fn a_waiting_reader_wakes_for_the_next_entry(store: &dyn Store) {
    let now = read(store, LogStart::Now, 10).await.next;
    let timeout = Duration::from_secs(30);
    let started = std::time::Instant::now();
    // The reader is polled first: it is waiting before the write starts.
    let (page, _) = futures_util::future::join(
        async {
            loop {
                store
                    .wait_for_log(now, timeout)
                    .await
                    .expect("wait_for_log");
                let page = read(store, LogStart::After(now.position()), 10).await;
                if !page.entries.is_empty() || started.elapsed() >= timeout {
                    break page;
                }
            }
        },
        add_movie(store, "Wake up", &[]),
    )
    .await;
    assert_eq!(page.entries.len(), 1, "the create's entry");
    assert!(
        started.elapsed() < timeout,
        "woken by the write, not by the timeout"
    );
}

/// 8 writers race: creates with casts, an actor's own change of their movies, deletes and
/// restores of movies and actors, while a follower reads the log 3 entries at a time. The
/// follower sees every entry exactly once, in the order a full read gives; for every record,
/// versions run on by one in that order, and each field's `from` is the previous entry's `to`.
pub async fn a_follower_sees_every_entry_once_in_order(store: &dyn Store) {
    let mut actors = Vec::new();
    for i in 0..4 {
        actors.push(add_actor(store, &format!("Racer {i}"), &[]).await.id);
    }
    let mut movies = Vec::new();
    for i in 0..3 {
        movies.push(add_movie(store, &format!("Track {i}"), &[]).await.id);
    }
    let start = read(store, LogStart::Oldest, 1000).await;
    let done = AtomicBool::new(false);

    let writer = |w: usize| {
        let (actors, movies) = (actors.clone(), movies.clone());
        async move {
            for round in 0..8 {
                let a = actors[(w + round) % actors.len()];
                let b = actors[(w + round + 1) % actors.len()];
                let m = movies[(w + round) % movies.len()];
                // Refusals (an actor deleted by another writer in between) are part of the
                // race: only what was written must be in the log.
                match w % 4 {
                    0 => {
                        let _ = plain(store)
                            .create_movie(new_movie(&format!("Race {w}-{round}"), &[a, b]))
                            .await;
                    }
                    1 => {
                        let wanted = if round % 2 == 0 { vec![m] } else { vec![] };
                        let _ = plain(store).update_actor(a, patch_movies(&wanted)).await;
                    }
                    2 => {
                        if let Ok(made) = plain(store)
                            .create_movie(new_movie(&format!("Brief {w}-{round}"), &[a]))
                            .await
                        {
                            let _ = plain(store).delete_movie(made.id).await;
                            let _ = store.restore_movie(made.id, &editor()).await;
                        }
                    }
                    _ => {
                        if plain(store).delete_actor(b).await.is_ok() {
                            let _ = store.restore_actor(b, &editor()).await;
                        }
                    }
                }
            }
        }
    };
    let follower = async {
        let mut seen = Vec::new();
        let mut cursor = start.next;
        loop {
            let finished = done.load(Ordering::SeqCst);
            let page = read(store, LogStart::After(cursor.position()), 3).await;
            cursor = page.next;
            let empty = page.entries.is_empty();
            seen.extend(page.entries);
            if finished && empty {
                return seen;
            }
        }
    };
    let writers = async {
        join_all((0..8).map(writer)).await;
        done.store(true, Ordering::SeqCst);
    };
    let (_, seen) = futures_util::future::join(writers, follower).await;

    let all = read_all(store, 1000).await;
    let after_start: Vec<&AuditEntry> = all
        .iter()
        .filter(|e| e.id > start.next.position())
        .collect();
    let seen_refs: Vec<&AuditEntry> = seen.iter().collect();
    assert_eq!(
        seen_refs, after_start,
        "the follower saw the log, each entry once"
    );
    let ids: Vec<i64> = all.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "strictly ascending");
    assert_chained(&all);
}

/// For each record: versions 1, 2, 3… in log order, and each field's `from` the `to` of the
/// previous entry naming it (a delete ends a life, a restore starts the next).
fn assert_chained(entries: &[AuditEntry]) {
    let mut versions: HashMap<(ResourceKind, i64), i64> = HashMap::new();
    let mut values: HashMap<(ResourceKind, i64), HashMap<String, Option<FieldValue>>> =
        HashMap::new();
    for entry in entries {
        let key = (entry.resource, entry.resource_id);
        let version = entry.version.get();
        if let Some(previous) = versions.get(&key) {
            assert_eq!(
                version,
                previous + 1,
                "{key:?}: version {version} after {previous} (entry {})",
                entry.id
            );
        } else {
            assert_eq!(version, 1, "{key:?} starts at 1 (entry {})", entry.id);
        }
        versions.insert(key, version);
        let fields = values.entry(key).or_default();
        if matches!(entry.action, AuditAction::Delete | AuditAction::Restore) {
            fields.clear();
        }
        for (field, change) in entry.changes.iter() {
            if let Some(previous) = fields.get(field) {
                assert_eq!(
                    &change.from, previous,
                    "{key:?} {field}: `from` is not the previous `to` (entry {})",
                    entry.id
                );
            }
            fields.insert(field.to_owned(), change.to.clone());
        }
    }
}
