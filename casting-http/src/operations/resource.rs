//! The operations on one record, written once for every kind of record: read (with
//! `If-None-Match`), create (with `Idempotency-Key`), change and delete (with `If-Match`).
//!
//! A [`Resource`] names what differs between movies and actors: the kind (its `ETag` letter),
//! the service calls, the bodies in and the answers out (`movies::Movies`, `actors::Actors`).
//! Each endpoint is a method of `MoviesApi` or `ActorsApi` that calls one of these.

use std::future::Future;

use casting_core::{
    CastingService, Created, Error as CoreError, IdempotencyKey, Principal, Restored,
};
use casting_core::{ResourceKind, Version};

use crate::errors::ApiError;
use crate::operations::responses::{Replayable, Tagged, Unchanged};
use crate::wire::conditional::{IfMatchRule, Sent, expected, idempotency_key, none_match};

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
    /// The answer of a restore (a create's, and `left_out`).
    type Restored: Send;
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
    /// The answer of a restore.
    fn restored(restored: Restored<Self::Record>) -> Self::Restored;

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
    /// The service's restore.
    fn restore(
        service: &CastingService,
        who: &Principal,
        id: i64,
    ) -> impl Future<Output = Outcome<Restored<Self::Record>>> + Send;
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
    rule: &IfMatchRule,
    id: i64,
    if_match: &Sent,
    body: R::PatchBody,
) -> A
where
    R: Resource,
    A: From<Tagged<R::Envelope>> + From<ApiError>,
{
    let updated = match expected(rule, if_match, R::KIND, id) {
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
    rule: &IfMatchRule,
    id: i64,
    if_match: &Sent,
) -> A
where
    R: Resource,
    A: From<Tagged<R::Deleted>> + From<ApiError>,
{
    let deleted = match expected(rule, if_match, R::KIND, id) {
        Ok(expected) => R::delete(service, who, id, expected).await,
        Err(refused) => return A::from(refused),
    };
    answer::<R, A, _>(deleted, R::deleted)
}

/// `POST /<records>/{id}/restore`: the record as restored, its `ETag`, and the links left
/// out.
pub(crate) async fn restore<R, A>(service: &CastingService, who: &Principal, id: i64) -> A
where
    R: Resource,
    A: From<Tagged<R::Restored>> + From<ApiError>,
{
    match R::restore(service, who, id).await {
        Ok(restored) => A::from(Tagged {
            tag: R::tag(&restored.record),
            body: R::restored(restored),
        }),
        Err(error) => A::from(ApiError::from(error)),
    }
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
