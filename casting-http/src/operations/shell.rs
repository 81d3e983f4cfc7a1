//! `record_operations!`: a resource's `#[OpenApi]` shell around the generic operations of
//! `resource`: each operation's path, id, docs and responses, exactly as the document shows
//! them, and the list with the filters the resource gives it.

/// Writes a resource's operations: its response enums (one per operation, with the error
/// statuses every resource's operation shares, listed here once), the API type over a
/// service, and its `#[OpenApi]` impl: the list handed in, then the two reads, the create, the
/// change, the delete and the restore, each delegating to the generic operation above. Every doc comment
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
            $(#[$restore_doc:meta])*
            restore $restore_response:ident { $(#[$restore_ok:meta])* Ok($restored:ty) }
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
        $(#[$back_doc:meta])*
        restore $restore_path:literal as $restore_id:literal by $restore_op:ident;
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

        $crate::operations::responses::operation_response! {
            $(#[$restore_doc])*
            $restore_response { $(#[$restore_ok])* Ok($restored) + ETag }
            errors: [
                BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge,
                Unavailable,
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

            $(#[$back_doc])*
            #[oai(path = $restore_path, method = "post", operation_id = $restore_id)]
            async fn restore(
                &self,
                caller: $crate::security::Caller<$crate::security::op::$restore_op>,
                $(#[$id_doc])*
                id: poem_openapi::param::Path<$crate::wire::types::PathId>,
            ) -> $restore_response {
                $crate::operations::resource::restore::<$resource, _>(
                    &self.service,
                    caller.principal(),
                    id.0.0,
                )
                .await
            }
        }
    };
}

pub(crate) use record_operations;
