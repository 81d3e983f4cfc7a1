//! The trail as a log (migration 0010; `docs/architecture.md`, "The trail as a log").
//!
//! A write's entries take their row id from a sequence before the write commits, so id order
//! is not commit order. They become readable only once the numbering step ([`number`]) has
//! given them a position (a row of `audit_positions`), after they committed: one step at a
//! time (it locks `log_head`), each in one `REPEATABLE READ` snapshot, giving every entry that
//! committed before that snapshot the next positions, in id order. That order agrees with
//! commit order:
//!
//! - an entry that commits later is not in the snapshot, so it gets a later position: a
//!   reader that has read up to a position never finds a new entry before it;
//! - two writes of one record wait for each other's row lock, and every write inserts its
//!   entries after it holds its locks, so the later one has the higher ids (and both are in
//!   the same snapshot or the earlier one in an earlier step).
//!
//! The step also gives an actor's entries written by movie writes (which share the actor's
//! lock, so none waits for another) their version, from the actor's version in
//! `actor_versions`. Once positioned, an entry never changes: its row is never rewritten, and
//! the whole lists a moved id stands for are rebuilt the same way at every read (`trail.rs`).
//!
//! Which entries wait: those of transactions not older than `log_head.xmin_done` (the `xmin`
//! of the last step's snapshot: every older transaction had ended, so its entries were
//! positioned then) without a position (the `audit_pending` view, over an index on `tx`).
//!
//! Every instance runs the step after its own writes ([`Log::kick`]) and before it reads the
//! log ([`Log::catch_up`], which also positions what a crashed instance left); the step
//! notifies `casting_log`, which every instance waiting for entries listens to.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use casting_core::audit::log::{Cursor, LogPage, LogQuery, LogStart};
use casting_core::{AuditEntry, StoreError, StoreResult as Result};
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool, Row};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history::resource;
use crate::rows::AuditListLine;
use crate::tail::Tail;

/// The channel the numbering step notifies with the newest position (named in [`NUMBER`]).
pub(crate) const CHANNEL: &str = "casting_log";

/// The longest one wait for the log lasts before the reader looks again (and positions what a
/// crashed instance may have left): a lost notification costs at most this. Longer than the
/// 1 s a reader on another instance is woken within, so a test of that tests the notification.
const LOOK_AGAIN: Duration = Duration::from_secs(5);

/// The least time between the starts of two steps an instance runs after its writes: a write
/// after a quiet spell is numbered at once; under a stream of writes, each step numbers what
/// came in the last few milliseconds.
const STEP_EVERY: Duration = Duration::from_millis(10);

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
    tail: Mutex<Tail>,
}

impl Log {
    pub(crate) fn new(pool: PgPool) -> Arc<Self> {
        Arc::new(Self {
            pool,
            newest: watch::Sender::new(0),
            running: AtomicBool::new(false),
            again: AtomicBool::new(false),
            listener: Mutex::new(None),
            tail: Mutex::new(Tail::default()),
        })
    }

    /// Runs the numbering step soon, in the background, after a write committed: steps asked
    /// for while one runs make one more step, [`STEP_EVERY`] after its start.
    pub(crate) fn kick(self: &Arc<Self>) {
        self.again.store(true, Ordering::SeqCst);
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let log = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                log.again.store(false, Ordering::SeqCst);
                let started = tokio::time::Instant::now();
                if let Err(error) = log.step().await {
                    tracing::warn!(%error, "numbering the log failed; the next write or read retries");
                }
                log.running.store(false, Ordering::SeqCst);
                if !log.again.load(Ordering::SeqCst) || log.running.swap(true, Ordering::SeqCst) {
                    return;
                }
                // Writes that keep coming are numbered in steps at most one per STEP_EVERY:
                // each step is a transaction of its own, and back to back they cost the writers
                // a third of their rate (docs/performance.md).
                tokio::time::sleep_until(started + STEP_EVERY).await;
            }
        });
    }

    /// One step, after a write: there is something to position.
    async fn step(&self) -> Result<()> {
        let mut conn = connection(&self.pool).await?;
        let step = number_retrying(&mut conn, self.followed()).await?;
        drop(conn);
        self.took(step);
        Ok(())
    }

    /// Whether a reader waits on this instance: only then does a step bring its entries back
    /// whole, for the tail (decoding them costs the writers when nobody follows).
    fn followed(&self) -> bool {
        self.newest.receiver_count() > 0
    }

    /// Keeps the entries a step of this instance positioned (when it brought them back
    /// whole), and wakes the readers waiting.
    fn took(&self, step: Step) {
        let Some(head) = step.entries.last().map(|entry| entry.id) else {
            return;
        };
        if step.whole {
            self.lock_tail().push(step.entries, Instant::now());
        }
        self.newest.send_if_modified(|newest| raise(newest, head));
    }

    fn lock_tail(&self) -> std::sync::MutexGuard<'_, Tail> {
        self.tail.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Positions every entry that committed before the call: one step, whose snapshot is
    /// taken after the call began (a step started again after another instance's gets a new
    /// one), so entries that commit meanwhile never keep a reader here.
    pub(crate) async fn catch_up(&self) -> Result<()> {
        let mut conn = connection(&self.pool).await?;
        let pending: bool = sqlx::query_scalar(PENDING)
            .fetch_one(&mut *conn)
            .await
            .map_err(from_sqlx)?;
        if !pending {
            return Ok(());
        }
        // Nothing: what was pending had not committed, or another step took it.
        let step = number_retrying(&mut conn, self.followed()).await?;
        drop(conn);
        self.took(step);
        Ok(())
    }

    /// Reads the log: from this instance's tail when it holds what follows the cursor (a
    /// reader woken by this instance's step), else from the database after positioning what
    /// has committed.
    pub(crate) async fn read(&self, query: &LogQuery) -> Result<LogPage> {
        if let LogStart::After(after) = query.start() {
            let page =
                self.lock_tail()
                    .page(after, query.resource(), query.limit(), Instant::now());
            if let Some(mut entries) = page {
                crate::trail::expand(&self.pool, &mut entries).await?;
                return Ok(LogPage::new(entries, Cursor::at(after)));
            }
        }
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
             FROM audit_entries
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
        // The other side of a cast change keeps the moved id: whole lists, rebuilt.
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

/// What one numbering step positioned: every entry, oldest first, when asked for them `whole`;
/// else only the newest (the head).
struct Step {
    entries: Vec<AuditEntry>,
    whole: bool,
}

/// [`number`], started again while another instance's step moved the head since this one's
/// snapshot (a serialization failure).
async fn number_retrying(conn: &mut PgConnection, whole: bool) -> Result<Step> {
    for _ in 0..ATTEMPTS {
        match number(conn, whole).await {
            Ok(step) => {
                sqlx::query("COMMIT")
                    .execute(&mut *conn)
                    .await
                    .map_err(from_sqlx)?;
                return Ok(step);
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

/// One numbering step, in one statement inside a `REPEATABLE READ` transaction: lock the
/// head, give every entry of the snapshot without a position the next ones in id order (an
/// actor's entry without a version the actor's next: after the one before it in this step, or
/// after `actor_versions`), keep each actor's last version, move the head (and `xmin_done` to
/// the snapshot's `xmin`: every older transaction had ended) and notify. Nothing of the entries
/// themselves is rewritten: a position is a narrow row of its own. Gives the entries it
/// positioned, oldest first (none when nothing was waiting), or only the newest unless `whole`.
async fn number(conn: &mut PgConnection, whole: bool) -> Result<Step> {
    let opened = sqlx::raw_sql(OPEN_STEP)
        .fetch_one(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let column = |name| opened.try_get::<i64, _>(name).map_err(from_sqlx);
    let (head, done, xmin, xmax) = (
        column("position")?,
        column("done")?,
        column("xmin")?,
        column("xmax")?,
    );
    let lines: Vec<AuditListLine> = sqlx::query_as(NUMBER)
        .bind(head)
        .bind(done)
        .bind(xmin)
        .bind(xmax)
        .bind(whole)
        .fetch_all(conn)
        .await
        .map_err(from_sqlx)?;
    let mut entries = Vec::with_capacity(lines.len());
    for line in lines {
        entries.extend(line.into_item()?);
    }
    Ok(Step { entries, whole })
}

/// Opens a step, in one round trip: the `REPEATABLE READ` transaction, its planner settings,
/// and the head, locked (the snapshot is taken by that `SELECT`, before the lock). The
/// snapshot's `xmin` and `xmax` bound the transactions whose entries the step may position.
///
/// [`NUMBER`] is prepared once per connection, and its plan is the generic one, made without
/// sequential scans: planning it afresh cost more than running it (1.1 ms against 0.6 ms), and
/// a generic plan made while the trail is small must still scan only recent entries once it
/// is large. No JIT: a disabled scan's cost is far over its threshold, and compiling took
/// 500 ms.
const OPEN_STEP: &str = "
    BEGIN ISOLATION LEVEL REPEATABLE READ;
    SET LOCAL plan_cache_mode = force_generic_plan;
    SET LOCAL enable_seqscan = off;
    SET LOCAL jit = off;
    SELECT position, xmin_done::text::bigint AS done,
           pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
           pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax
    FROM log_head FOR UPDATE";

/// Whether an entry waits for its position: the first one of a transaction not older than
/// `xmin_done` that has none (an index scan in `tx` order that stops at the first).
const PENDING: &str = "
    SELECT EXISTS (
        SELECT 1 FROM log_head AS h
        CROSS JOIN LATERAL (
            SELECT 1 FROM audit_log AS u
            WHERE u.tx >= h.xmin_done
              AND (SELECT p.position FROM audit_positions AS p WHERE p.entry_id = u.id) IS NULL
            ORDER BY u.tx LIMIT 1
        ) AS first
    )";

/// [`number`]'s statement, after the head's lock (`$1` the head, `$2` `xmin_done`, `$3` and
/// `$4` the snapshot's `xmin` and `xmax`), giving the entries it positioned (only the newest
/// unless `$5`). Both bounds of
/// `tx` are given so that the generic plan counts on a narrow range of the trail. An actor's entries in id order fall into runs, each starting at an entry
/// with a version (its own write's) or at the step's start; an entry without one is the run's
/// first version plus its place in the run.
const NUMBER: &str = "
    WITH pending AS (
        SELECT u.id, u.at, u.subject, u.resource, u.resource_id, u.action, u.fields, u.changes,
               u.version,
               row_number() OVER (ORDER BY u.id) AS rank,
               count(u.version) OVER (PARTITION BY u.resource, u.resource_id ORDER BY u.id)
                   AS run
        FROM audit_log AS u
        WHERE u.tx >= $2::bigint::text::xid8 AND u.tx < $4::bigint::text::xid8
          AND (SELECT p.position FROM audit_positions AS p WHERE p.entry_id = u.id) IS NULL
    ), numbered AS (
        SELECT p.id, p.rank, p.at, p.subject, p.resource, p.resource_id, p.action, p.fields,
               p.changes,
               CASE WHEN p.version IS NOT NULL THEN p.version
                    ELSE coalesce(first_value(p.version) OVER run - 1, v.version, 0)
                         + row_number() OVER run
               END AS version
        FROM pending AS p
        LEFT JOIN actor_versions AS v ON p.resource = 'actor' AND v.actor_id = p.resource_id
        WINDOW run AS (PARTITION BY p.resource, p.resource_id, p.run ORDER BY p.id)
    ), placed AS (
        INSERT INTO audit_positions (position, entry_id, version)
        SELECT $1 + n.rank, n.id, n.version FROM numbered AS n
    ), last AS (
        SELECT DISTINCT ON (resource_id) resource_id, version, at, subject
        FROM numbered WHERE resource = 'actor'
        ORDER BY resource_id, id DESC
    ), versions AS (
        INSERT INTO actor_versions (actor_id, version, updated_at, updated_by)
        SELECT resource_id, version, at, subject FROM last
        ON CONFLICT (actor_id) DO UPDATE
        SET version = excluded.version, updated_at = excluded.updated_at,
            updated_by = excluded.updated_by
    ), moved AS (
        UPDATE log_head SET position = $1 + n.count, xmin_done = $3::bigint::text::xid8
        FROM (SELECT count(*) AS count FROM numbered) AS n
        WHERE n.count > 0
        RETURNING log_head.position
    ), notified AS (
        SELECT m.position
        FROM moved AS m, LATERAL (SELECT pg_notify('casting_log', m.position::text)) AS n
    )
    SELECT NULL::bigint AS total, $1 + n.rank AS id, n.at, n.subject, n.resource,
           n.resource_id, n.action, n.fields, n.version, n.changes::text AS changes
    FROM numbered AS n CROSS JOIN notified
    WHERE $5 OR $1 + n.rank = notified.position
    ORDER BY n.rank";
