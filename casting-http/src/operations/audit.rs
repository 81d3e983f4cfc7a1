//! `GET /audit`: the trail of changes, newest first.

use casting_core::{AuditListParams, CastingService};
use poem_openapi::OpenApi;
use poem_openapi::param::Query;

use crate::operations::responses::{listed, operation_response};
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::listing::{Common, CountParam, CursorParam, IdParam, ResourceParam, SubjectParam};
use crate::wire::query::Utf8Query;
use crate::wire::trail::AuditPage;
use crate::wire::types::{PageNumber, PageSize};

operation_response! {
    /// The answers of `GET /audit`.
    ListAuditResponse {
        /// A page of the trail, newest first, and the next page's cursor.
        Ok(AuditPage) + Link
    }
    errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unavailable]
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
    /// change seen from both sides, a delete, a restore), newest first, with who made it and
    /// when, and each field's value before and after.
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
