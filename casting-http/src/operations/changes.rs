//! `GET /changes`: the trail as a log that clients follow, oldest first after a cursor, with a
//! long-poll (`wait`).

use casting_core::CastingService;
use casting_core::audit::log::{LOG_LIMIT_MAX, LogParams, LogQuery};
use poem::{IntoResponse, Request, Response};
use poem_openapi::ApiResponse;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Query};
use poem_openapi::registry::{MetaMediaType, MetaResponses, MetaSchema, MetaSchemaRef, Registry};

use crate::errors::ApiError;
pub(crate) use crate::operations::events::StreamsEnd;
use crate::operations::events::{EVENT_STREAM, stream, wants_stream};
use crate::operations::responses::operation_response;
use crate::operations::tags::Tag;
use crate::security::{Caller, op};
use crate::wire::json::Json;
use crate::wire::listing::{LogCursorParam, LogLimit, ResourceParam, WaitSeconds};
use crate::wire::query::Utf8Query;
use crate::wire::trail::ChangesPage;

operation_response! {
    /// The answers of `GET /changes`.
    ReadChangesResponse {
        /// The entries after the cursor, oldest first, and the cursor to read on from.
        Ok(ChangesPage)
    }
    errors: [BadRequest, Unauthorized, Forbidden, Gone, PayloadTooLarge, Unavailable]
}

/// What `GET /changes` answers: JSON (entries, or an error), or the event stream.
pub(crate) enum ChangesAnswer {
    /// A JSON answer.
    Json(ReadChangesResponse),
    /// The event stream.
    Stream(Response),
}

impl From<ReadChangesResponse> for ChangesAnswer {
    fn from(answer: ReadChangesResponse) -> Self {
        Self::Json(answer)
    }
}

impl IntoResponse for ChangesAnswer {
    fn into_response(self) -> Response {
        match self {
            Self::Json(answer) => answer.into_response(),
            Self::Stream(response) => response,
        }
    }
}

impl ApiResponse for ChangesAnswer {
    /// The JSON answers, with the stream as a second media type of the 200.
    fn meta() -> MetaResponses {
        let mut meta = ReadChangesResponse::meta();
        for response in &mut meta.responses {
            if response.status == Some(200) {
                response.content.push(MetaMediaType {
                    content_type: EVENT_STREAM,
                    schema: MetaSchemaRef::Inline(Box::new(MetaSchema {
                        description: Some(
                            "With `Accept: text/event-stream`: one event per entry, `id: <the \
                             cursor after it>`, `event: change`, `data: <the entry as JSON, as \
                             in entries>`; a comment line (`:`) every 15 s while nothing comes.",
                        ),
                        ..MetaSchema::new("string")
                    })),
                });
            }
        }
        meta
    }

    fn register(registry: &mut Registry) {
        ReadChangesResponse::register(registry);
    }
}

/// The log operation.
#[derive(Debug, Clone)]
pub(crate) struct ChangesApi {
    service: CastingService,
    streams_end: StreamsEnd,
}

impl ChangesApi {
    /// The operation over `service`; its event streams end when `streams_end` is given.
    pub(crate) fn new(service: CastingService, streams_end: StreamsEnd) -> Self {
        Self {
            service,
            streams_end,
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
    ///
    /// With `Accept: text/event-stream` the same path streams server-sent events: every entry
    /// after the cursor (`Last-Event-ID` wins over `after`), then each new one as it commits,
    /// `wait` aside. Errors (400, 403, 410…) come as JSON before the stream starts.
    #[oai(path = "/changes", method = "get", operation_id = "readChanges")]
    #[allow(clippy::too_many_arguments)]
    async fn read(
        &self,
        caller: Caller<op::ReadChanges>,
        /// The `next` of the previous read, or `now`; without it, from the oldest entry kept.
        after: Query<Option<LogCursorParam>>,
        /// The most entries to give (a stream: to read at a time).
        limit: Query<Option<LogLimit>>,
        /// Only changes of movies, or of actors.
        resource: Query<Option<ResourceParam>>,
        /// Seconds to wait for an entry when none follows the cursor.
        wait: Query<Option<WaitSeconds>>,
        /// A stream's resumption: the `id` of the last event received; wins over `after`.
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<LogCursorParam>>,
        _query: Utf8Query,
        request: &Request,
    ) -> ChangesAnswer {
        if wants_stream(request) {
            let params = LogParams {
                after: last_event_id.0.or(after.0).map(|a| a.0),
                limit: limit.0.map(|l| l.0),
                resource: resource.0.map(|r| r.0),
                wait: None,
            };
            // The first read checks the parameters and the cursor: its errors are JSON.
            let first = self.service.changes(caller.principal(), &params).await;
            return match (first, LogQuery::parse(&params)) {
                (Ok(first), Ok((query, _))) => {
                    let shutdown = self.streams_end.get();
                    ChangesAnswer::Stream(stream(self.service.clone(), query, first, shutdown))
                }
                (Err(error), _) | (_, Err(error)) => {
                    ReadChangesResponse::from(ApiError::from(error)).into()
                }
            };
        }
        let params = LogParams {
            after: after.0.map(|a| a.0),
            limit: limit.0.map(|l| l.0),
            resource: resource.0.map(|r| r.0),
            wait: wait.0.map(|w| w.0),
        };
        let read = self.service.changes(caller.principal(), &params).await;
        let answer: ReadChangesResponse = read
            .map(|page| {
                ReadChangesResponse::Ok(Json(ChangesPage {
                    success: true,
                    entries: page.entries.into_iter().map(Into::into).collect(),
                    next: page.next.to_string(),
                }))
            })
            .into();
        answer.into()
    }
}

/// The limit's schema matches the core's bound.
const _: () = assert!(LOG_LIMIT_MAX == 1000);
