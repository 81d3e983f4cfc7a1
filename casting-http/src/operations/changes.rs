//! `GET /changes`: the trail as a log that clients follow, oldest first after a cursor, with a
//! long-poll (`wait`).

use std::time::Duration;

use casting_core::audit::log::{Cursor, LOG_LIMIT_MAX, LogQuery};
use casting_core::{CastingService, Error, FieldError, ResourceKind};
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi};

use crate::operations::audit::AuditEntryBody;
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::json::{Json, json_fields};
use crate::wire::listing::{LogCursorParam, LogLimit, ResourceParam, WaitSeconds};
use crate::wire::query::Utf8Query;

/// The longest the server holds a request: under the connection's keep-alive deadline
/// (60 s by default), which also bounds a request that makes no progress.
pub(crate) const HOLD_MAX: Duration = Duration::from_secs(55);

operation_response! {
    /// The answers of `GET /changes`.
    ReadChangesResponse {
        /// The entries after the cursor, oldest first, and the cursor to read on from.
        Ok(ChangesPage)
    }
    errors: [BadRequest, Unauthorized, Forbidden, Gone, PayloadTooLarge, Unavailable]
}

/// Entries of the log after a cursor.
#[derive(Debug, Clone, Object)]
pub struct ChangesPage {
    /// Always `true`.
    pub success: bool,
    /// The entries after the cursor, oldest first (as `GET /audit` writes them).
    pub entries: Vec<AuditEntryBody>,
    /// The cursor to send as `after` next: after the last entry given, or the one sent when
    /// none came. Always present.
    pub next: String,
}

json_fields! {
    ChangesPage { entries, next, success }
}

/// The log operation.
#[derive(Debug, Clone)]
pub(crate) struct ChangesApi {
    service: CastingService,
}

impl ChangesApi {
    /// The operation over `service`.
    pub(crate) fn new(service: CastingService) -> Self {
        Self { service }
    }
}

/// The checked parameters of a read.
fn log_query(
    after: Option<LogCursorParam>,
    limit: Option<LogLimit>,
    resource: Option<ResourceParam>,
    wait: Option<WaitSeconds>,
) -> Result<(LogQuery, Duration), Error> {
    let mut errors = Vec::new();
    let start = match after {
        None => Ok(casting_core::audit::log::LogStart::Oldest),
        Some(LogCursorParam(text)) => Cursor::parse_start(&text, "after"),
    };
    let resource = match resource.as_ref().map(|r| r.0.as_str()) {
        None => None,
        Some("movie") => Some(ResourceKind::Movie),
        Some("actor") => Some(ResourceKind::Actor),
        Some(_) => {
            errors.push(FieldError::new("resource", "must be movie or actor"));
            None
        }
    };
    let wait = match wait.map(|w| w.0) {
        None => Duration::ZERO,
        Some(seconds @ 0..=60) => Duration::from_secs(seconds.unsigned_abs()),
        Some(_) => {
            errors.push(FieldError::new("wait", "must be between 0 and 60 seconds"));
            Duration::ZERO
        }
    };
    let query = start.and_then(|start| LogQuery::new(start, limit.map(|l| l.0), resource));
    match query {
        Ok(query) if errors.is_empty() => Ok((query, wait.min(HOLD_MAX))),
        Ok(_) => Err(Error::BadRequest(errors)),
        Err(error) => {
            errors.insert(0, error);
            Err(Error::BadRequest(errors))
        }
    }
}

/// The log operation.
#[OpenApi(tag = "Tag::Audit")]
impl ChangesApi {
    /// Follow the trail of changes
    ///
    /// Requires `get:audit`. The trail as a log: the entries after the cursor `after`, oldest
    /// first, in an order that agrees with commit order (a reader that has read up to a cursor
    /// never later finds a new entry before it), each entry as `GET /audit` writes it and
    /// never changed once readable. Without `after`, from the oldest entry kept; `after=now`
    /// gives no entries and the newest cursor, to follow from now. Send `next` as `after` to
    /// read on. With `wait`, when nothing follows the cursor, the request is held until an
    /// entry commits (on any instance) or the time passes (at most 55 s).
    #[oai(path = "/changes", method = "get", operation_id = "readChanges")]
    async fn read(
        &self,
        caller: Caller<op::ReadChanges>,
        /// The `next` of the previous read, or `now`; without it, from the oldest entry kept.
        after: Query<Option<LogCursorParam>>,
        /// The most entries to give.
        limit: Query<Option<LogLimit>>,
        /// Only changes of movies, or of actors.
        resource: Query<Option<ResourceParam>>,
        /// Seconds to wait for an entry when none follows the cursor.
        wait: Query<Option<WaitSeconds>>,
        _query: Utf8Query,
    ) -> ReadChangesResponse {
        let read = match log_query(after.0, limit.0, resource.0, wait.0) {
            Ok((query, wait)) => self.service.changes(caller.principal(), &query, wait).await,
            Err(error) => Err(error),
        };
        read.map(|page| {
            ReadChangesResponse::Ok(Json(ChangesPage {
                success: true,
                entries: page.entries.into_iter().map(Into::into).collect(),
                next: page.next.to_string(),
            }))
        })
        .into()
    }
}

/// The limit's schema matches the core's bound.
const _: () = assert!(LOG_LIMIT_MAX == 1000);
