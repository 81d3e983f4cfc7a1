//! The trail as a log (migration 0010; `docs/architecture.md`, "The trail as a log").
//!
//! A write's entries take their row id from a sequence before the write commits, so id order
//! is not commit order. They become readable only once the numbering step ([`number`]) has
//! given them a `position`, after they committed: one step at a time (it locks `log_head`),
//! each in one `REPEATABLE READ` snapshot, giving every entry that committed before that
//! snapshot the next positions, in id order. That order agrees with commit order:
//!
//! - an entry that commits later is not in the snapshot, so it gets a later position: a
//!   reader that has read up to a position never finds a new entry before it;
//! - two writes of one record wait for each other's row lock, and every write inserts its
//!   entries after it holds its locks, so the later one has the higher ids (and both are in
//!   the same snapshot or the earlier one in an earlier step).
//!
//! The step also gives an actor's entries written by movie writes (which share the actor's
//! lock, so none waits for another) their version and their whole lists of movies, from the
//! actor's version in `actor_versions` and their links in the same snapshot. Once positioned,
//! an entry never changes.
//!
//! Every instance runs the step after its own writes ([`Log::kick`]) and before it reads the
//! log ([`Log::catch_up`], which also positions what a crashed instance left); the step
//! notifies `casting_log`, which every instance waiting for entries listens to.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use casting_core::audit::log::{Cursor, LogPage, LogQuery, LogStart};
use casting_core::audit::{expand_lists, records_to_expand};
use casting_core::{
    AuditAction, AuditEntry, FieldValue, ResourceKind, StoreError, StoreResult as Result,
};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;
use sqlx::{FromRow, PgConnection, PgPool};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history::resource;
use crate::rows::{AuditListLine, stored_version};

/// The channel the numbering step notifies with the newest position.
pub(crate) const CHANNEL: &str = "casting_log";

/// The longest one wait for the log lasts before the reader looks again (and positions what a
/// crashed instance may have left): a lost notification costs at most this. Longer than the
/// 1 s a reader on another instance is woken within, so a test of that tests the notification.
const LOOK_AGAIN: Duration = Duration::from_secs(5);

/// How many times a step starts again when another instance's step moved the head first.
const ATTEMPTS: usize = 20;

/// The log of one store: the newest position this instance knows of, and the numbering step.
#[derive(Debug)]
pub(crate) struct Log {
    pool: PgPool,
    newest: watch::Sender<i64>,
    running: AtomicBool,
    again: AtomicBool,
    listener: Mutex<Option<JoinHandle<()>>>,
}

impl Log {
    pub(crate) fn new(pool: PgPool) -> Arc<Self> {
        Arc::new(Self {
            pool,
            newest: watch::Sender::new(0),
            running: AtomicBool::new(false),
            again: AtomicBool::new(false),
            listener: Mutex::new(None),
        })
    }

    /// Runs the numbering step soon, in the background, after a write committed: steps asked
    /// for while one runs make one more step.
    pub(crate) fn kick(self: &Arc<Self>) {
        self.again.store(true, Ordering::SeqCst);
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let log = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                log.again.store(false, Ordering::SeqCst);
                if let Err(error) = log.catch_up().await {
                    tracing::warn!(%error, "numbering the log failed; the next write or read retries");
                }
                log.running.store(false, Ordering::SeqCst);
                if !log.again.load(Ordering::SeqCst) || log.running.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
        });
    }

    /// Positions every entry that committed before the call: one step, whose snapshot is
    /// taken after the call began (a step started again after another instance's gets a new
    /// one), so entries that commit meanwhile never keep a reader here.
    pub(crate) async fn catch_up(&self) -> Result<()> {
        let mut conn = connection(&self.pool).await?;
        let pending: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_log WHERE position IS NULL)")
                .fetch_one(&mut *conn)
                .await
                .map_err(from_sqlx)?;
        if !pending {
            return Ok(());
        }
        // `None`: what was pending had not committed, or another step took it.
        if let Some(head) = number_retrying(&mut conn).await? {
            self.newest.send_if_modified(|newest| raise(newest, head));
        }
        Ok(())
    }

    /// Reads the log (after positioning what has committed).
    pub(crate) async fn read(&self, query: &LogQuery) -> Result<LogPage> {
        self.catch_up().await?;
        let mut conn = connection(&self.pool).await?;
        let (head, pruned_through): (i64, i64) =
            sqlx::query_as("SELECT position, pruned_through FROM log_head")
                .fetch_one(&mut *conn)
                .await
                .map_err(from_sqlx)?;
        self.newest.send_if_modified(|newest| raise(newest, head));
        let after = match query.start() {
            LogStart::Oldest => pruned_through,
            LogStart::Now => return Ok(LogPage::new(Vec::new(), Cursor::at(head))),
            LogStart::After(after) if after < pruned_through => {
                return Err(StoreError::CursorExpired {
                    resync: pruned_through,
                });
            }
            LogStart::After(after) => after,
        };
        let lines: Vec<AuditListLine> = sqlx::query_as(
            "SELECT NULL::bigint AS total, position AS id, at, subject, resource, resource_id,
                    action, fields, version, changes::text AS changes
             FROM audit_log
             WHERE position > $1 AND ($2::text IS NULL OR resource = $2)
             ORDER BY position LIMIT $3",
        )
        .bind(after)
        .bind(query.resource().map(resource))
        .bind(i64::from(query.limit()))
        .fetch_all(&mut *conn)
        .await
        .map_err(from_sqlx)?;
        drop(conn);
        let mut entries = Vec::with_capacity(lines.len());
        for line in lines {
            entries.extend(line.into_item()?);
        }
        // Entries from before migration 0010 may keep moved ids.
        crate::trail::expand(&self.pool, &mut entries).await?;
        Ok(LogPage::new(entries, Cursor::at(after)))
    }

    /// Waits until an entry after `after` may be readable, or `timeout` (at most
    /// [`LOOK_AGAIN`]) passes.
    pub(crate) async fn wait(self: &Arc<Self>, after: Cursor, timeout: Duration) -> Result<()> {
        self.listen();
        let mut newest = self.newest.subscribe();
        let _ = tokio::time::timeout(
            timeout.min(LOOK_AGAIN),
            newest.wait_for(|n| *n > after.position()),
        )
        .await;
        Ok(())
    }

    /// Starts listening to [`CHANNEL`], once: every instance's numbering step notifies it.
    fn listen(self: &Arc<Self>) {
        let mut listener = self.listener.lock().unwrap_or_else(PoisonError::into_inner);
        if listener.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        let log = Arc::downgrade(self);
        let pool = self.pool.clone();
        *listener = Some(tokio::spawn(listen(log, pool)));
    }

    /// Stops listening (the pool is closing).
    pub(crate) fn stop(&self) {
        let listener = self.listener.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = listener.as_ref() {
            task.abort();
        }
    }
}

/// Moves `newest` up to `head`; whether it moved.
fn raise(newest: &mut i64, head: i64) -> bool {
    let moved = head > *newest;
    *newest = (*newest).max(head);
    moved
}

/// The listening task: raises the log's newest position on every notification, until the
/// store is gone or its pool closes.
async fn listen(log: Weak<Log>, pool: PgPool) {
    let mut listener = loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => break listener,
                Err(error) => tracing::warn!(%error, "LISTEN failed; readers look again every 5 s"),
            },
            Err(error) => {
                tracing::warn!(%error, "no connection to LISTEN on; readers look again every 5 s")
            }
        }
        if pool.is_closed() || log.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(LOOK_AGAIN).await;
    };
    // What was numbered before the LISTEN took effect has not been notified to this instance.
    catch_up_head(&log, &pool).await;
    loop {
        let received = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await;
        let Some(log) = log.upgrade() else {
            return;
        };
        match received {
            Ok(Ok(notification)) => {
                if let Ok(head) = notification.payload().parse::<i64>() {
                    log.newest.send_if_modified(|newest| raise(newest, head));
                }
            }
            Ok(Err(_)) if pool.is_closed() => return,
            Ok(Err(error)) => {
                // The next `recv` connects and listens again; what was notified meanwhile is
                // lost, so the head is read once that is done.
                tracing::warn!(%error, "the log's notifications stopped; reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
                catch_up_head(&Arc::downgrade(&log), &pool).await;
            }
            // Nothing for a while: look whether the store is still there.
            Err(_) => {}
        }
    }
}

/// Raises the log's newest position to the head in the database: wakes the readers waiting
/// for what may have been numbered while no notification could arrive.
async fn catch_up_head(log: &Weak<Log>, pool: &PgPool) {
    let head: std::result::Result<i64, _> = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(pool)
        .await;
    if let (Ok(head), Some(log)) = (head, log.upgrade()) {
        log.newest.send_if_modified(|newest| raise(newest, head));
    }
}

/// When and by whom a version was made.
type Stamp = (DateTime<Utc>, String);

/// An entry waiting for its position, as the numbering step reads it.
#[derive(Debug, FromRow)]
struct Pending {
    id: i64,
    at: DateTime<Utc>,
    subject: String,
    resource: String,
    resource_id: i64,
    action: String,
    fields: Vec<String>,
    version: Option<i64>,
    changes: String,
}

/// [`number`], started again while another instance's step moved the head since this one's
/// snapshot (a serialization failure): `Some(head)` when it positioned entries.
async fn number_retrying(conn: &mut PgConnection) -> Result<Option<i64>> {
    for _ in 0..ATTEMPTS {
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *conn)
            .await
            .map_err(from_sqlx)?;
        match number(conn).await {
            Ok(head) => {
                sqlx::query("COMMIT")
                    .execute(&mut *conn)
                    .await
                    .map_err(from_sqlx)?;
                return Ok(head);
            }
            Err(error) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                if !serialization_failure(&error) {
                    return Err(error);
                }
            }
        }
    }
    Err(StoreError::unavailable(
        "the log's head kept moving while numbering",
    ))
}

/// Whether `error` is PostgreSQL's "could not serialize access".
fn serialization_failure(error: &StoreError) -> bool {
    let StoreError::Unavailable(source) = error else {
        return false;
    };
    source
        .downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|db| db.code())
        .is_some_and(|code| code == "40001")
}

/// One numbering step, inside a `REPEATABLE READ` transaction: lock the head, give every entry
/// of the snapshot without a position the next ones in id order (an actor's entry without a
/// version the actor's next, and moved ids their whole lists), keep the actors' versions,
/// move the head and notify. `None` when nothing was waiting.
async fn number(conn: &mut PgConnection) -> Result<Option<i64>> {
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head FOR UPDATE")
        .fetch_one(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let pending: Vec<Pending> = sqlx::query_as(
        "SELECT id, at, subject, resource, resource_id, action, fields, version,
                changes::text AS changes
         FROM audit_log WHERE position IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    if pending.is_empty() {
        return Ok(None);
    }
    let unversioned: Vec<bool> = pending.iter().map(|row| row.version.is_none()).collect();
    let mut entries = pending.into_iter().map(entry).collect::<Result<Vec<_>>>()?;
    // Moved ids become whole lists, walked back from the links now over the entries of the
    // same records (all of them here: none of this snapshot has a position).
    let moved: Vec<bool> = entries.iter().map(keeps_moved_id).collect();
    let records = records_to_expand(&entries);
    if !records.is_empty() {
        let now = crate::trail::lists_of(conn, records.keys().copied()).await?;
        let history: Vec<AuditEntry> = entries
            .iter()
            .filter(|e| records.contains_key(&(e.resource, e.resource_id)))
            .cloned()
            .collect();
        expand_lists(&mut entries, &history, &now);
    }

    // Versions: an actor's entry without one is the actor's next.
    let actors: Vec<i64> = entries
        .iter()
        .filter(|e| e.resource == ResourceKind::Actor)
        .map(|e| e.resource_id)
        .collect();
    let known: Vec<(i64, i64)> =
        sqlx::query_as("SELECT actor_id, version FROM actor_versions WHERE actor_id = ANY($1)")
            .bind(&actors)
            .fetch_all(&mut *conn)
            .await
            .map_err(from_sqlx)?;
    // Each actor's last version, and when and by whom it was made if this step made it.
    let mut last: HashMap<i64, (i64, Option<Stamp>)> = known
        .into_iter()
        .map(|(actor, version)| (actor, (version, None)))
        .collect();
    let mut ids = Vec::with_capacity(entries.len());
    let mut positions = Vec::with_capacity(entries.len());
    let mut numbers = Vec::with_capacity(entries.len());
    let mut changes = Vec::with_capacity(entries.len());
    for (at, entry) in entries.iter().enumerate() {
        let mut version = entry.version.get();
        if entry.resource == ResourceKind::Actor {
            let previous = last.get(&entry.resource_id).map_or(0, |(v, _)| *v);
            if unversioned[at] {
                version = previous + 1;
            }
            let stamp = Some((entry.at, entry.subject.clone()));
            last.insert(entry.resource_id, (version, stamp));
        }
        let rewritten = moved[at]
            .then(|| serde_json::to_string(&entry.changes))
            .transpose()
            .map_err(StoreError::internal)?;
        ids.push(entry.id);
        positions.push(head + 1 + at as i64);
        numbers.push(version);
        changes.push(rewritten);
    }
    let new_head = head + entries.len() as i64;
    sqlx::query(
        "UPDATE audit_log AS e
         SET position = u.position, version = u.version,
             changes = coalesce(u.changes::jsonb, e.changes)
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[])
             AS u (id, position, version, changes)
         WHERE e.id = u.id",
    )
    .bind(&ids)
    .bind(&positions)
    .bind(&numbers)
    .bind(&changes)
    .execute(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let made: Vec<(i64, i64, DateTime<Utc>, String)> = last
        .into_iter()
        .filter_map(|(actor, (version, stamp))| stamp.map(|(at, by)| (actor, version, at, by)))
        .collect();
    if !made.is_empty() {
        let actor_ids: Vec<i64> = made.iter().map(|m| m.0).collect();
        let numbers: Vec<i64> = made.iter().map(|m| m.1).collect();
        let ats: Vec<DateTime<Utc>> = made.iter().map(|m| m.2).collect();
        let bys: Vec<&str> = made.iter().map(|m| m.3.as_str()).collect();
        sqlx::query(
            "INSERT INTO actor_versions (actor_id, version, updated_at, updated_by)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[])
             ON CONFLICT (actor_id) DO UPDATE
             SET version = excluded.version, updated_at = excluded.updated_at,
                 updated_by = excluded.updated_by",
        )
        .bind(&actor_ids)
        .bind(&numbers)
        .bind(&ats)
        .bind(&bys)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    }
    sqlx::query("UPDATE log_head SET position = $1")
        .bind(new_head)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(new_head.to_string())
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    Ok(Some(new_head))
}

/// A pending row as an entry (its id the row's; a missing version as 1 until it is given).
fn entry(row: Pending) -> Result<AuditEntry> {
    let resource = match row.resource.as_str() {
        "movie" => ResourceKind::Movie,
        "actor" => ResourceKind::Actor,
        _ => {
            return Err(StoreError::internal(
                "an audit entry names an unknown resource",
            ));
        }
    };
    let action = AuditAction::parse(&row.action)
        .ok_or_else(|| StoreError::internal("an audit entry names an unknown action"))?;
    Ok(AuditEntry {
        id: row.id,
        at: row.at,
        subject: row.subject,
        resource,
        resource_id: row.resource_id,
        action,
        fields: row.fields,
        changes: serde_json::from_str(&row.changes).map_err(StoreError::internal)?,
        version: stored_version(row.version.unwrap_or(1))?,
    })
}

/// Whether an entry keeps a moved id (`{"moved": id}`) that the step rewrites as whole lists.
fn keeps_moved_id(entry: &AuditEntry) -> bool {
    entry
        .changes
        .iter()
        .any(|(_, change)| matches!(change.to, Some(FieldValue::Moved(_))))
}
