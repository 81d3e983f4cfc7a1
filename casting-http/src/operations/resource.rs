//! The operations on one record, written once for every kind of record: read (with
//! `If-None-Match`), create (with `Idempotency-Key`), change and delete (with `If-Match`).
//!
//! A [`Resource`] names what differs between movies and actors: the kind (its `ETag` letter),
//! the service calls, the bodies in and the answers out. [`resource!`] writes one for a kind of
//! record, and [`record_operations!`] writes a resource's `#[OpenApi]` shell around the generic
//! operations: each operation's path, id, docs and responses, exactly as the document shows
//! them. The list, whose filters differ, is written by each resource and handed to the shell.

use std::future::Future;

use casting_core::{CastingService, Created, Error as CoreError, IdempotencyKey, Principal};
use casting_core::{ResourceKind, Version};
use poem::Request;

use crate::errors::ApiError;
use crate::operations::responses::{Replayable, Tagged, Unchanged};
use crate::wire::conditional::{Sent, expected, idempotency_key, none_match};

/// What a service call answers.
type Outcome<T> = Result<T, CoreError>;

/// One kind of record, as the operations see it.
pub(crate) trait Resource: Send + Sync + 'static {
    /// Movie or actor.
    const KIND: ResourceKind;
    /// The record with its relations (`Movie`, `Actor`).
    type Record: Send;
    /// The answer that carries one record (`{"success": true, "movie": …}`).
    type Envelope: Send;
    /// The answer of a delete (`{"success": true, "deleted": id, "movie": …}`).
    type Deleted: Send;
    /// A create's body.
    type NewBody: Send;
    /// A change's body.
    type PatchBody: Send;

    /// The record's `ETag`.
    fn tag(record: &Self::Record) -> String;
    /// The answer carrying `record`.
    fn envelope(record: Self::Record) -> Self::Envelope;
    /// The answer of `record`'s delete.
    fn deleted(record: Self::Record) -> Self::Deleted;

    /// The service's read of one record.
    fn get(
        service: &CastingService,
        who: &Principal,
        id: i64,
    ) -> impl Future<Output = Outcome<Self::Record>> + Send;
    /// The service's create, after the body is checked.
    fn create(
        service: &CastingService,
        who: &Principal,
        body: Self::NewBody,
        key: Option<&IdempotencyKey>,
    ) -> impl Future<Output = Outcome<Created<Self::Record>>> + Send;
    /// The service's change, after the body is checked.
    fn update(
        service: &CastingService,
        who: &Principal,
        id: i64,
        body: Self::PatchBody,
        expected: Option<Version>,
    ) -> impl Future<Output = Outcome<Self::Record>> + Send;
    /// The service's delete.
    fn delete(
        service: &CastingService,
        who: &Principal,
        id: i64,
        expected: Option<Version>,
    ) -> impl Future<Output = Outcome<Self::Record>> + Send;
}

/// `GET /<records>/{id}`: the record and its `ETag`, or a 304 when `If-None-Match` names it.
pub(crate) async fn read<R, A>(
    service: &CastingService,
    who: &Principal,
    id: i64,
    if_none_match: &Sent,
) -> A
where
    R: Resource,
    A: From<Tagged<R::Envelope>> + Unchanged + From<ApiError>,
{
    match R::get(service, who, id).await {
        Ok(record) => {
            let tag = R::tag(&record);
            if none_match(if_none_match, &tag) {
                A::unchanged(tag)
            } else {
                A::from(Tagged {
                    body: R::envelope(record),
                    tag,
                })
            }
        }
        Err(error) => A::from(ApiError::from(error)),
    }
}

/// `POST /<records>`: the `Idempotency-Key` checked first, then the body, then the create.
pub(crate) async fn create<R, A, K>(
    service: &CastingService,
    who: &Principal,
    key: &Sent<K>,
    body: R::NewBody,
) -> A
where
    R: Resource,
    A: From<Replayable<R::Envelope>> + From<ApiError>,
{
    let created = match idempotency_key(key) {
        Ok(key) => R::create(service, who, body, key.as_ref()).await,
        Err(refused) => return A::from(refused),
    };
    match created {
        Ok(created) => A::from(Replayable {
            tag: R::tag(&created.record),
            replayed: created.replayed,
            body: R::envelope(created.record),
        }),
        Err(error) => A::from(ApiError::from(error)),
    }
}

/// `PATCH /<records>/{id}`: `If-Match` first, then the body, then the change.
pub(crate) async fn update<R, A>(
    service: &CastingService,
    who: &Principal,
    request: &Request,
    id: i64,
    if_match: &Sent,
    body: R::PatchBody,
) -> A
where
    R: Resource,
    A: From<Tagged<R::Envelope>> + From<ApiError>,
{
    let updated = match expected(request, if_match, R::KIND, id) {
        Ok(expected) => R::update(service, who, id, body, expected).await,
        Err(refused) => return A::from(refused),
    };
    answer::<R, A, _>(updated, R::envelope)
}

/// `DELETE /<records>/{id}`: `If-Match` first, then the delete; the answer carries the record
/// as it was, and its last `ETag`.
pub(crate) async fn delete<R, A>(
    service: &CastingService,
    who: &Principal,
    request: &Request,
    id: i64,
    if_match: &Sent,
) -> A
where
    R: Resource,
    A: From<Tagged<R::Deleted>> + From<ApiError>,
{
    let deleted = match expected(request, if_match, R::KIND, id) {
        Ok(expected) => R::delete(service, who, id, expected).await,
        Err(refused) => return A::from(refused),
    };
    answer::<R, A, _>(deleted, R::deleted)
}

/// A written record as `body` makes it, with its `ETag`; or the error.
fn answer<R: Resource, A: From<Tagged<B>> + From<ApiError>, B>(
    outcome: Outcome<R::Record>,
    body: fn(R::Record) -> B,
) -> A {
    match outcome {
        Ok(record) => A::from(Tagged {
            tag: R::tag(&record),
            body: body(record),
        }),
        Err(error) => A::from(ApiError::from(error)),
    }
}

/// Writes a [`Resource`] for one kind of record: its marker type, its answers and the service
/// calls it makes (each body checked into the core's input first).
macro_rules! resource {
    (
        $(#[$doc:meta])*
        $name:ident: $record:ident ($id:ident, field $field:ident),
        answers $envelope:ident, $deleted:ident;
        bodies $new:ident, $patch:ident;
        calls $get:ident, $create:ident, $update:ident, $delete:ident;
    ) => {
        $(#[$doc])*
        pub(crate) enum $name {}

        impl $crate::operations::resource::Resource for $name {
            const KIND: casting_core::ResourceKind = casting_core::ResourceKind::$record;
            type Record = casting_core::$record;
            type Envelope = $envelope;
            type Deleted = $deleted;
            type NewBody = $new;
            type PatchBody = $patch;

            fn tag(record: &Self::Record) -> String {
                $crate::etag::etag(Self::KIND, record.id.get(), record.revision.version)
            }

            fn envelope(record: Self::Record) -> $envelope {
                $envelope {
                    success: true,
                    $field: record.into(),
                }
            }

            fn deleted(record: Self::Record) -> $deleted {
                $deleted {
                    success: true,
                    deleted: record.id.get(),
                    $field: record.summary().into(),
                }
            }

            async fn get(
                service: &casting_core::CastingService,
                who: &casting_core::Principal,
                id: i64,
            ) -> Result<Self::Record, casting_core::Error> {
                service.$get(who, casting_core::$id(id)).await
            }

            async fn create(
                service: &casting_core::CastingService,
                who: &casting_core::Principal,
                body: $new,
                key: Option<&casting_core::IdempotencyKey>,
            ) -> Result<casting_core::Created<Self::Record>, casting_core::Error> {
                let input = body.try_into()?;
                service.$create(who, input, key).await
            }

            async fn update(
                service: &casting_core::CastingService,
                who: &casting_core::Principal,
                id: i64,
                body: $patch,
                expected: Option<casting_core::Version>,
            ) -> Result<Self::Record, casting_core::Error> {
                let changes = body.try_into()?;
                service
                    .$update(who, casting_core::$id(id), changes, expected)
                    .await
            }

            async fn delete(
                service: &casting_core::CastingService,
                who: &casting_core::Principal,
                id: i64,
                expected: Option<casting_core::Version>,
            ) -> Result<Self::Record, casting_core::Error> {
                service.$delete(who, casting_core::$id(id), expected).await
            }
        }
    };
}

pub(crate) use resource;

/// Writes a resource's operations: its response enums (one per operation, with the error
/// statuses every resource's operation shares, listed here once), the API type over a
/// service, and its `#[OpenApi]` impl: the list handed in, then the two reads, the create, the
/// change and the delete, each delegating to the generic operation above. Every doc comment
/// given (operations, parameters, success answers) lands in the document as written.
macro_rules! record_operations {
    (
        $(#[$api_doc:meta])*
        $api:ident over $resource:ident, tag $tag:literal;
        answers {
            $(#[$list_doc:meta])*
            list $list_response:ident { $(#[$list_ok:meta])* Ok($page:ty) }
            $(#[$get_doc:meta])*
            get $get_response:ident { $(#[$get_ok:meta])* Ok($envelope:ty) }
            $(#[$create_doc:meta])*
            create $create_response:ident { $(#[$create_ok:meta])* Ok }
            $(#[$update_doc:meta])*
            update $update_response:ident { $(#[$update_ok:meta])* Ok }
            $(#[$delete_doc:meta])*
            delete $delete_response:ident { $(#[$delete_ok:meta])* Ok($deleted:ty) }
        }
        parameters {
            $(#[$id_doc:meta])* id;
            $(#[$none_match_doc:meta])* if_none_match;
            $(#[$key_doc:meta])* idempotency_key;
            $(#[$match_doc:meta])* if_match;
        }
        $(#[$list_op_doc:meta])*
        list $list_path:literal as $list_id:literal by $list_op:ident {
            $(#[$q_doc:meta])*
            q;
            $($filter:tt)*
        }
        sort $sort:ty;
        filtered $params:ident { $($field:ident: $value:expr),* $(,)? } by $list_call:ident;
        $(#[$details_doc:meta])*
        details $details_path:literal as $details_id:literal by $get_op:ident;
        $(#[$one_doc:meta])*
        one $one_path:literal as $one_id:literal;
        $(#[$new_doc:meta])*
        create $create_path:literal as $create_id:literal by $create_op:ident;
        $(#[$patch_doc:meta])*
        update $update_path:literal as $update_id:literal by $update_op:ident;
        $(#[$del_doc:meta])*
        delete $delete_path:literal as $delete_id:literal by $delete_op:ident;
    ) => {
        $crate::operations::responses::operation_response! {
            $(#[$list_doc])*
            $list_response { $(#[$list_ok])* Ok($page) + Link }
            errors: [BadRequest, Unauthorized, Forbidden, PayloadTooLarge, Unavailable]
        }

        $crate::operations::responses::operation_response! {
            $(#[$get_doc])*
            $get_response { $(#[$get_ok])* Ok($envelope) + ETag }
            errors: [
                NotModified, BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge,
                Unavailable,
            ]
        }

        $crate::operations::responses::operation_response! {
            $(#[$create_doc])*
            $create_response { $(#[$create_ok])* Ok($envelope) + ETag + Replayed }
            errors: [
                BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, Unprocessable,
                Unavailable,
            ]
        }

        $crate::operations::responses::operation_response! {
            $(#[$update_doc])*
            $update_response { $(#[$update_ok])* Ok($envelope) + ETag }
            errors: [
                BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed,
                PayloadTooLarge, Unprocessable, PreconditionRequired, Unavailable,
            ]
        }

        $crate::operations::responses::operation_response! {
            $(#[$delete_doc])*
            $delete_response { $(#[$delete_ok])* Ok($deleted) + ETag }
            errors: [
                BadRequest, Unauthorized, Forbidden, NotFound, PreconditionFailed,
                PayloadTooLarge, PreconditionRequired, Unavailable,
            ]
        }

        $(#[$api_doc])*
        #[derive(Debug, Clone)]
        pub(crate) struct $api {
            service: casting_core::CastingService,
        }

        impl $api {
            /// The operations over `service`.
            pub(crate) fn new(service: casting_core::CastingService) -> Self {
                Self { service }
            }
        }

        $(#[$api_doc])*
        #[poem_openapi::OpenApi(tag = $tag)]
        impl $api {
            $(#[$list_op_doc])*
            #[oai(path = $list_path, method = "get", operation_id = $list_id)]
            #[allow(clippy::too_many_arguments)]
            async fn list(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$list_op>,
                /// Page number, from 1. Not with `after`.
                page: poem_openapi::param::Query<Option<$crate::wire::types::PageNumber>>,
                /// Page size, 1 to 100.
                per_page: poem_openapi::param::Query<Option<$crate::wire::types::PageSize>>,
                $(#[$q_doc])*
                q: poem_openapi::param::Query<Option<String>>,
                $($filter)*
                /// The order.
                sort: poem_openapi::param::Query<Option<$sort>>,
                /// The cursor of the page to start after.
                after: poem_openapi::param::Query<Option<$crate::wire::listing::CursorParam>>,
                /// Whether to count the matches.
                count: poem_openapi::param::Query<Option<$crate::wire::listing::CountParam>>,
                query: $crate::wire::query::Utf8Query,
            ) -> $list_response {
                let list = $crate::wire::listing::Common::new(page, per_page, q, after, count);
                let params = casting_core::$params {
                    list: list.into_params(sort.0.map(|s| s.0)),
                    $($field: $value),*
                };
                let page = self.service.$list_call(caller.principal(), &params).await;
                $crate::operations::responses::listed::<_, $page, _>(page, &query)
            }

            $(#[$details_doc])*
            #[oai(path = $details_path, method = "get", operation_id = $details_id)]
            async fn details(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$get_op>,
                $(#[$id_doc])*
                id: poem_openapi::param::Path<$crate::wire::types::PathId>,
                $(#[$none_match_doc])*
                #[oai(name = "If-None-Match")]
                if_none_match: $crate::wire::conditional::Sent,
            ) -> $get_response {
                $crate::operations::resource::read::<$resource, _>(
                    &self.service,
                    caller.principal(),
                    id.0.0,
                    &if_none_match,
                )
                .await
            }

            $(#[$one_doc])*
            #[oai(path = $one_path, method = "get", operation_id = $one_id)]
            async fn one(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$get_op>,
                $(#[$id_doc])*
                id: poem_openapi::param::Path<$crate::wire::types::PathId>,
                $(#[$none_match_doc])*
                #[oai(name = "If-None-Match")]
                if_none_match: $crate::wire::conditional::Sent,
            ) -> $get_response {
                self.details(caller, id, if_none_match).await
            }

            $(#[$new_doc])*
            #[oai(path = $create_path, method = "post", operation_id = $create_id)]
            async fn create(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$create_op>,
                body: $crate::wire::payload::StrictJson<
                    <$resource as $crate::operations::resource::Resource>::NewBody,
                >,
                $(#[$key_doc])*
                #[oai(name = "Idempotency-Key")]
                idempotency_key: $crate::wire::conditional::Sent<
                    $crate::wire::listing::IdempotencyKeyParam,
                >,
            ) -> $create_response {
                $crate::operations::resource::create::<$resource, _, _>(
                    &self.service,
                    caller.principal(),
                    &idempotency_key,
                    body.0,
                )
                .await
            }

            $(#[$patch_doc])*
            #[oai(path = $update_path, method = "patch", operation_id = $update_id)]
            async fn update(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$update_op>,
                request: &poem::Request,
                $(#[$id_doc])*
                id: poem_openapi::param::Path<$crate::wire::types::PathId>,
                body: $crate::wire::payload::StrictJson<
                    $crate::wire::bodies::Changes<
                        <$resource as $crate::operations::resource::Resource>::PatchBody,
                    >,
                >,
                $(#[$match_doc])*
                #[oai(name = "If-Match")]
                if_match: $crate::wire::conditional::Sent,
            ) -> $update_response {
                $crate::operations::resource::update::<$resource, _>(
                    &self.service,
                    caller.principal(),
                    request,
                    id.0.0,
                    &if_match,
                    body.0.0,
                )
                .await
            }

            $(#[$del_doc])*
            #[oai(path = $delete_path, method = "delete", operation_id = $delete_id)]
            async fn delete(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$delete_op>,
                request: &poem::Request,
                $(#[$id_doc])*
                id: poem_openapi::param::Path<$crate::wire::types::PathId>,
                $(#[$match_doc])*
                #[oai(name = "If-Match")]
                if_match: $crate::wire::conditional::Sent,
            ) -> $delete_response {
                $crate::operations::resource::delete::<$resource, _>(
                    &self.service,
                    caller.principal(),
                    request,
                    id.0.0,
                    &if_match,
                )
                .await
            }
        }
    };
}

pub(crate) use record_operations;
