//! What the store remembers about writes: versions and who made them, the audit trail (bounded:
//! the oldest entries go first), and the idempotency keys of creates (bounded: expired keys go
//! first, then the ones nearest to expiry).

use std::collections::{BTreeMap, HashMap};

use casting_core::audit::log::{Cursor, LogPage, LogQuery, LogStart};
use casting_core::{
    Actor, AuditAction, AuditEntry, Created, Edit, Idempotency, Movie, ResourceKind, StoreError,
    StoreResult as Result,
};
use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// How many audit entries the store keeps when not told otherwise.
pub const DEFAULT_AUDIT_CAPACITY: usize = 100_000;
/// How many idempotency keys the store keeps at most.
pub const KEY_CAPACITY: usize = 100_000;

/// The audit trail: the newest entries, by number, and the newest delete entry kept of each
/// deleted record (what a restore reads).
#[derive(Debug)]
pub(crate) struct Trail {
    pub(crate) entries: BTreeMap<i64, AuditEntry>,
    deletes: HashMap<(ResourceKind, i64), i64>,
    last_id: i64,
    /// The newest entry dropped for the capacity (0: none): a log reader from before it has
    /// missed entries.
    pruned_through: i64,
    capacity: usize,
    /// The newest entry's number, for readers waiting for the next one.
    newest: watch::Sender<i64>,
}

impl Default for Trail {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_AUDIT_CAPACITY)
    }
}

impl Trail {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: BTreeMap::new(),
            deletes: HashMap::new(),
            last_id: 0,
            pruned_through: 0,
            capacity: capacity.max(1),
            newest: watch::Sender::new(0),
        }
    }

    /// Appends an entry, dropping the oldest beyond the capacity (a record whose delete entry
    /// goes can no longer be restored).
    pub(crate) fn append(&mut self, entry: impl FnOnce(i64) -> AuditEntry) {
        self.last_id += 1;
        let entry = entry(self.last_id);
        let record = (entry.resource, entry.resource_id);
        match entry.action {
            AuditAction::Delete => {
                self.deletes.insert(record, entry.id);
            }
            AuditAction::Restore => {
                self.deletes.remove(&record);
            }
            AuditAction::Create | AuditAction::Update => {}
        }
        self.entries.insert(self.last_id, entry);
        self.newest.send_replace(self.last_id);
        while self.entries.len() > self.capacity {
            if let Some((id, gone)) = self.entries.pop_first() {
                self.pruned_through = id;
                let record = (gone.resource, gone.resource_id);
                if self.deletes.get(&record) == Some(&id) {
                    self.deletes.remove(&record);
                }
            }
        }
    }

    /// The newest entry's number, as it moves.
    pub(crate) fn newest(&self) -> watch::Receiver<i64> {
        self.newest.subscribe()
    }

    /// The entries after `after`, oldest first, as a log reads them: at most `limit` of one
    /// kind or both. A start before dropped entries is `CursorExpired`.
    pub(crate) fn read_log(&self, query: &LogQuery) -> Result<LogPage> {
        let after = match query.start() {
            LogStart::Oldest => self.pruned_through,
            LogStart::Now => return Ok(LogPage::new(Vec::new(), Cursor::at(self.last_id))),
            LogStart::After(after) if after < self.pruned_through => {
                return Err(StoreError::CursorExpired {
                    resync: self.pruned_through,
                });
            }
            LogStart::After(after) => after,
        };
        let entries = self
            .entries
            .range(after.saturating_add(1)..)
            .map(|(_, entry)| entry)
            .filter(|entry| query.resource().is_none_or(|kind| entry.resource == kind))
            .take(usize::from(query.limit()))
            .cloned()
            .collect();
        Ok(LogPage::new(entries, Cursor::at(after)))
    }

    /// The newest delete entry kept of a record.
    pub(crate) fn deleted(&self, kind: ResourceKind, id: i64) -> Option<&AuditEntry> {
        let entry = self.deletes.get(&(kind, id))?;
        self.entries.get(entry)
    }
}

/// A create's record, as it was answered, kept under its idempotency key.
#[derive(Debug, Clone)]
pub(crate) enum Kept {
    Movie(Movie),
    Actor(Actor),
}

#[derive(Debug)]
struct KeptCreate {
    request: String,
    expires_at: DateTime<Utc>,
    /// This key's place in [`Keys::by_expiry`].
    order: u64,
    record: Kept,
}

/// A key's slot: the subject, the kind of record and the key.
type Slot = (String, ResourceKind, String);

/// Idempotency keys by (subject, kind of record, key), with an index by expiry so that making
/// room costs a logarithm of the keys kept, not a scan of them.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    map: HashMap<Slot, KeptCreate>,
    /// Every kept key by (expiry, order of keeping): the first is the one to drop first.
    by_expiry: BTreeMap<(DateTime<Utc>, u64), Slot>,
    next_order: u64,
}

impl Keys {
    /// The record kept under `key` for this subject and kind, when the request is the same;
    /// `None` when the key is new or expired.
    pub(crate) fn find(
        &mut self,
        kind: ResourceKind,
        edit: &Edit,
        key: &Idempotency,
    ) -> Result<Option<Kept>> {
        let slot = (edit.by.clone(), kind, key.key.as_str().to_owned());
        let Some(kept) = self.map.get(&slot) else {
            return Ok(None);
        };
        if kept.expires_at <= edit.at {
            self.remove(&slot);
            return Ok(None);
        }
        if kept.request != key.request {
            return Err(StoreError::IdempotencyKeyReused);
        }
        Ok(Some(kept.record.clone()))
    }

    /// Keeps `record` under `key`, making room first when the map is full: expired keys go
    /// first, then the one nearest to expiry (one index look-up each).
    pub(crate) fn keep(
        &mut self,
        kind: ResourceKind,
        edit: &Edit,
        key: &Idempotency,
        record: Kept,
    ) {
        let slot = (edit.by.clone(), kind, key.key.as_str().to_owned());
        self.remove(&slot);
        while let Some(entry) = self.by_expiry.first_entry() {
            let (expires_at, _) = *entry.key();
            if expires_at > edit.at && self.map.len() < KEY_CAPACITY {
                break;
            }
            let oldest = entry.remove();
            self.map.remove(&oldest);
        }
        let order = self.next_order;
        self.next_order += 1;
        self.by_expiry.insert((key.expires_at, order), slot.clone());
        self.map.insert(
            slot,
            KeptCreate {
                request: key.request.clone(),
                expires_at: key.expires_at,
                order,
                record,
            },
        );
    }

    /// Forgets the key in `slot`, if kept.
    fn remove(&mut self, slot: &Slot) {
        if let Some(kept) = self.map.remove(slot) {
            self.by_expiry.remove(&(kept.expires_at, kept.order));
        }
    }

    /// How many keys are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

/// A replayed create of `T`, from what was kept.
pub(crate) fn replayed<T>(record: T) -> Created<T> {
    Created {
        record,
        replayed: true,
    }
}

#[cfg(test)]
mod tests {
    use casting_core::{IdempotencyKey, MovieId, ReleaseDate, Revision, Title};
    use chrono::Duration;

    use super::*;

    fn movie(id: i64) -> Kept {
        Kept::Movie(Movie {
            id: MovieId::from(id),
            title: Title::parse("Kept").expect("title"),
            release_date: ReleaseDate::parse("2000-01-01").expect("date"),
            actors: Vec::new(),
            revision: Revision::created(&Edit::now("s")),
        })
    }

    fn key(text: &str, expires_at: DateTime<Utc>) -> Idempotency {
        Idempotency {
            key: IdempotencyKey::parse(text).expect("key"),
            request: "request".into(),
            expires_at,
        }
    }

    #[test]
    fn a_full_map_drops_expired_keys_then_the_nearest_to_expiry() {
        let now = Utc::now();
        let at = |seconds: i64| Edit {
            at: now + Duration::seconds(seconds),
            ..Edit::now("s")
        };
        let mut keys = Keys::default();
        // A full map, its keys expiring one second apart from second 1 on.
        for i in 1..=KEY_CAPACITY as i64 {
            let expires = now + Duration::seconds(i);
            keys.keep(
                ResourceKind::Movie,
                &at(0),
                &key(&format!("k{i}"), expires),
                movie(i),
            );
        }
        assert_eq!(keys.len(), KEY_CAPACITY);
        let later = now + Duration::days(1);
        let find = |keys: &mut Keys, name: &str| {
            keys.find(ResourceKind::Movie, &at(2), &key(name, later))
                .expect("find")
                .is_some()
        };

        // At second 2, k1 and k2 have expired: they make room, and the rest stay.
        keys.keep(ResourceKind::Movie, &at(2), &key("new", later), movie(0));
        assert_eq!(keys.len(), KEY_CAPACITY - 1, "both expired keys went");
        assert!(!find(&mut keys, "k1") && !find(&mut keys, "k2"));
        keys.keep(ResourceKind::Movie, &at(2), &key("newer", later), movie(0));
        assert_eq!(keys.len(), KEY_CAPACITY);
        // Full, with nothing expired: the key nearest to expiry (k3) makes room.
        keys.keep(ResourceKind::Movie, &at(2), &key("newest", later), movie(0));
        assert_eq!(keys.len(), KEY_CAPACITY);
        assert!(!find(&mut keys, "k3"), "the nearest to expiry went");
        for kept in ["k4", "new", "newer", "newest"] {
            assert!(find(&mut keys, kept), "{kept}");
        }
        assert_eq!(
            keys.by_expiry.len(),
            keys.map.len(),
            "the index follows the map"
        );
    }
}
