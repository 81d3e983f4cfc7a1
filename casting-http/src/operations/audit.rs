//! `GET /audit`: the trail of changes, newest first.

use casting_core::{AuditEntry, AuditListParams, CastingService, Page};
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi};

use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::json::Json;
use crate::wire::listing::{
    Common, CountParam, CursorParam, IdParam, ResourceParam, SubjectParam, next_link,
};
use crate::wire::nullable::Nullable;
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

/// One page of the trail.
#[derive(Debug, Clone, Object)]
pub struct AuditPage {
    /// Always `true`.
    pub success: bool,
    /// The entries on this page, newest first.
    pub entries: Vec<AuditEntryBody>,
    /// How many entries match, on all pages; `null` with `count=none`.
    pub total: Nullable<u64>,
    /// The page number, from 1; `null` on a page that follows a cursor (`after`).
    pub page: Nullable<u32>,
    /// The page size.
    pub per_page: u32,
    /// The cursor of the next (older) page (send it as `after`); `null` on the last page.
    pub next: Nullable<String>,
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

impl From<Page<AuditEntry>> for AuditPage {
    fn from(page: Page<AuditEntry>) -> Self {
        Self {
            success: true,
            entries: page.items.into_iter().map(Into::into).collect(),
            total: Nullable(page.total),
            page: Nullable(page.page),
            per_page: page.per_page,
            next: Nullable(page.next),
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
        request: &Request,
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
        _utf8: Utf8Query,
    ) -> ListAuditResponse {
        let common = Common {
            page: page.0,
            per_page: per_page.0,
            q: None,
            after: after.0,
            count: count.0,
        };
        let params = AuditListParams {
            list: common.into_params(None),
            resource: resource.0.map(|r| r.0),
            id: id.0.map(|id| id.0),
            subject: subject.0.map(|s| s.0),
        };
        self.service
            .audit(caller.principal(), &params)
            .await
            .map(|page| {
                let link = page.next.as_deref().map(|next| next_link(request, next));
                ListAuditResponse::Ok(Json(page.into()), link)
            })
            .into()
    }
}
