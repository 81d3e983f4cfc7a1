//! `GET /audit`: the trail of changes, newest first.

use casting_core::{AuditEntry, AuditListParams, CastingService};
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi};

use crate::operations::responses::{listed, operation_response};
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::dto::page;
use crate::wire::json::json_fields;
use crate::wire::listing::{Common, CountParam, CursorParam, IdParam, ResourceParam, SubjectParam};
use crate::wire::query::Utf8Query;
use crate::wire::types::{PageNumber, PageSize, Timestamp};

operation_response! {
    /// The answers of `GET /audit`.
    ListAuditResponse {
        /// A page of the trail, newest first, and the next page's cursor.
        Ok(AuditPage) + Link
    }
    errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unavailable]
}

/// One change of one record.
#[derive(Debug, Clone, Object)]
pub struct AuditEntryBody {
    /// The entry's number: later changes have higher numbers.
    pub id: i64,
    /// When the change happened.
    pub at: Timestamp,
    /// The subject (`sub`) of the token that made it.
    pub subject: String,
    /// `movie` or `actor`.
    pub resource: String,
    /// The record's id.
    pub resource_id: i64,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The fields the change named: every field on a create; the fields sent on an update;
    /// `cast` for a cast replacement; `movies` (`actors`) on the other side of a cast change;
    /// none on a delete.
    pub fields: Vec<String>,
    /// The record's version after the change (after a delete: one past its last).
    pub version: i64,
}

// Keys in alphabetical order, as every answer writes them (`wire::json`).
json_fields! {
    AuditEntryBody { action, at, fields, id, resource, resource_id, subject, version }
}

page! {
    /// One page of the trail.
    AuditPage of AuditEntry {
        /// The entries on this page, newest first.
        entries: AuditEntryBody,
        /// How many entries match, on all pages; `null` with `count=none`.
        total,
        /// The cursor of the next (older) page (send it as `after`); `null` on the last page.
        next,
    }
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: Timestamp::of(entry.at),
            subject: entry.subject,
            resource: entry.resource.to_string(),
            resource_id: entry.resource_id,
            action: entry.action.to_string(),
            fields: entry.fields,
            version: entry.version.get(),
        }
    }
}

/// The audit operation.
#[derive(Debug, Clone)]
pub(crate) struct AuditApi {
    service: CastingService,
}

impl AuditApi {
    /// The operation over `service`.
    pub(crate) fn new(service: CastingService) -> Self {
        Self { service }
    }
}

/// The audit operation.
#[OpenApi(tag = "Tag::Audit")]
impl AuditApi {
    /// List the trail of changes
    ///
    /// Requires `get:audit`. Every change of a movie or an actor (a create, an update, a cast
    /// change seen from both sides, a delete), newest first, with who made it and when.
    /// Filters combine. Paged like the lists, by `page` or by `after`; `Link: <…>; rel="next"`
    /// repeats the query with the next cursor.
    #[oai(path = "/audit", method = "get", operation_id = "listAudit")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        caller: Caller<op::ListAudit>,
        /// Page number, from 1. Not with `after`.
        page: Query<Option<PageNumber>>,
        /// Page size, 1 to 100.
        per_page: Query<Option<PageSize>>,
        /// Only changes of movies, or of actors.
        resource: Query<Option<ResourceParam>>,
        /// Only changes of the record with this id (of either kind unless `resource` says).
        id: Query<Option<IdParam>>,
        /// Only changes made by this subject.
        subject: Query<Option<SubjectParam>>,
        /// The cursor of the page to start after.
        after: Query<Option<CursorParam>>,
        /// Whether to count the matches.
        count: Query<Option<CountParam>>,
        query: Utf8Query,
    ) -> ListAuditResponse {
        let list = Common::new(page, per_page, Query(None), after, count);
        let params = AuditListParams {
            list: list.into_params(None),
            resource: resource.0.map(|r| r.0),
            id: id.0.map(|id| id.0),
            subject: subject.0.map(|s| s.0),
        };
        let page = self.service.audit(caller.principal(), &params).await;
        listed::<_, AuditPage, _>(page, &query)
    }
}
