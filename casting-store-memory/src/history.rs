//! What the store remembers about writes: versions and who made them, the audit trail (bounded:
//! the oldest entries go first), and the idempotency keys of creates (bounded: expired keys go
//! first, then the ones nearest to expiry).

use std::collections::{BTreeMap, HashMap};

use casting_core::{
    Actor, AuditEntry, Created, Edit, Idempotency, Movie, ResourceKind, StoreError,
    StoreResult as Result,
};
use chrono::{DateTime, Utc};

/// How many audit entries the store keeps when not told otherwise.
pub const DEFAULT_AUDIT_CAPACITY: usize = 100_000;
/// How many idempotency keys the store keeps at most.
pub const KEY_CAPACITY: usize = 100_000;

/// The audit trail: the newest entries, by number.
#[derive(Debug)]
pub(crate) struct Trail {
    pub(crate) entries: BTreeMap<i64, AuditEntry>,
    last_id: i64,
    capacity: usize,
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
            last_id: 0,
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn append(&mut self, entry: impl FnOnce(i64) -> AuditEntry) {
        self.last_id += 1;
        self.entries.insert(self.last_id, entry(self.last_id));
        while self.entries.len() > self.capacity {
            self.entries.pop_first();
        }
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
    record: Kept,
}

/// Idempotency keys by (subject, kind of record, key).
#[derive(Debug, Default)]
pub(crate) struct Keys {
    map: HashMap<(String, ResourceKind, String), KeptCreate>,
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
            self.map.remove(&slot);
            return Ok(None);
        }
        if kept.request != key.request {
            return Err(StoreError::IdempotencyKeyReused);
        }
        Ok(Some(kept.record.clone()))
    }

    /// Keeps `record` under `key`, making room first when the map is full.
    pub(crate) fn keep(
        &mut self,
        kind: ResourceKind,
        edit: &Edit,
        key: &Idempotency,
        record: Kept,
    ) {
        if self.map.len() >= KEY_CAPACITY {
            self.map.retain(|_, kept| kept.expires_at > edit.at);
        }
        if self.map.len() >= KEY_CAPACITY {
            let nearest = self
                .map
                .iter()
                .min_by_key(|(_, kept)| kept.expires_at)
                .map(|(slot, _)| slot.clone());
            if let Some(slot) = nearest {
                self.map.remove(&slot);
            }
        }
        self.map.insert(
            (edit.by.clone(), kind, key.key.as_str().to_owned()),
            KeptCreate {
                request: key.request.clone(),
                expires_at: key.expires_at,
                record,
            },
        );
    }
}

/// A replayed create of `T`, from what was kept.
pub(crate) fn replayed<T>(record: T) -> Created<T> {
    Created {
        record,
        replayed: true,
    }
}
