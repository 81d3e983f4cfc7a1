//! One `ApiResponse` per operation, listing every status it can return.
//!
//! [`operation_response!`] writes the enum: the success variant (with a `Link` header when
//! written `Ok(T) + Link`, an `ETag` with `+ ETag`, and `Idempotent-Replayed` too with
//! `+ ETag + Replayed`, and a cast's `ETag` (the movie's) with `Ok(cast T) + ETag`), then one
//! variant per status named in its list (`NotModified`: the 304 of a conditional read), each
//! error with the contract's JSON body (and `WWW-Authenticate` on 401 and 403, `ETag` on 412),
//! and `From<ApiError>` so a handler's error becomes the right variant. Each success shape has
//! its outcome type ([`Tagged`], [`Replayable`], [`Listed`]; [`Unchanged`] for the 304), which
//! the enum converts from, so the generic operations (`resource`) answer any resource's enum. The error
//! bodies come from [`ApiError`], the same as for errors raised outside handlers.

/// Writes an operation's response enum; see the module docs.
macro_rules! operation_response {
    (
        $(#[$doc:meta])*
        $name:ident { $(#[$ok_doc:meta])* Ok($ok:ty) }
        errors: [$($error:ident),* $(,)?]
    ) => {
        $crate::operations::responses::operation_response!(@munch
            (body challenge retry_after etag)
            [$(#[$doc])* $name]
            [$(#[$ok_doc])* #[oai(status = 200)] Ok($crate::wire::json::Json<$ok>),]
            []
            $($error)* Internal
        );
    };

    (
        $(#[$doc:meta])*
        $name:ident { $(#[$ok_doc:meta])* Ok($ok:ty) + Link }
        errors: [$($error:ident),* $(,)?]
    ) => {
        impl From<$crate::operations::responses::Listed<$ok>> for $name {
            fn from(listed: $crate::operations::responses::Listed<$ok>) -> Self {
                Self::Ok($crate::wire::json::Json(listed.body), listed.link)
            }
        }
        $crate::operations::responses::operation_response!(@munch
            (body challenge retry_after etag)
            [$(#[$doc])* $name]
            [
                $(#[$ok_doc])*
                #[oai(status = 200)]
                Ok(
                    $crate::wire::json::Json<$ok>,
                    /// `<…&after=…>; rel="next"` (RFC 8288): this request's URL with the next
                    /// page's cursor, when there is a next page.
                    #[oai(header = "Link")]
                    Option<String>,
                ),
            ]
            []
            $($error)* Internal
        );
    };

    (
        $(#[$doc:meta])*
        $name:ident { $(#[$ok_doc:meta])* Ok($ok:ty) + ETag }
        errors: [$($error:ident),* $(,)?]
    ) => {
        impl From<$crate::operations::responses::Tagged<$ok>> for $name {
            fn from(tagged: $crate::operations::responses::Tagged<$ok>) -> Self {
                Self::Ok($crate::wire::json::Json(tagged.body), tagged.tag)
            }
        }
        $crate::operations::responses::operation_response!(@munch
            (body challenge retry_after etag)
            [$(#[$doc])* $name]
            [
                $(#[$ok_doc])*
                #[oai(status = 200)]
                Ok(
                    $crate::wire::json::Json<$ok>,
                    /// The record's strong entity tag (`"m-12-v3"`: movie 12 at version 3): send
                    /// it as `If-Match` to change the record only if nobody changed it since,
                    /// or as `If-None-Match` to read it only if it changed.
                    #[oai(header = "ETag")]
                    String,
                ),
            ]
            []
            $($error)* Internal
        );
    };

    (
        $(#[$doc:meta])*
        $name:ident { $(#[$ok_doc:meta])* Ok($ok:ty) + ETag + Replayed }
        errors: [$($error:ident),* $(,)?]
    ) => {
        impl From<$crate::operations::responses::Replayable<$ok>> for $name {
            fn from(created: $crate::operations::responses::Replayable<$ok>) -> Self {
                let replayed = created.replayed.then(|| "true".to_owned());
                Self::Ok($crate::wire::json::Json(created.body), created.tag, replayed)
            }
        }
        $crate::operations::responses::operation_response!(@munch
            (body challenge retry_after etag)
            [$(#[$doc])* $name]
            [
                $(#[$ok_doc])*
                #[oai(status = 200)]
                Ok(
                    $crate::wire::json::Json<$ok>,
                    /// The new record's strong entity tag (see `If-Match`).
                    #[oai(header = "ETag")]
                    String,
                    /// `true` when this is the stored answer of an earlier request with the same
                    /// `Idempotency-Key`: nothing was created now.
                    #[oai(header = "Idempotent-Replayed")]
                    Option<String>,
                ),
            ]
            []
            $($error)* Internal
        );
    };

    (
        $(#[$doc:meta])*
        $name:ident { $(#[$ok_doc:meta])* Ok(cast $ok:ty) + ETag }
        errors: [$($error:ident),* $(,)?]
    ) => {
        $crate::operations::responses::operation_response!(@munch
            (body challenge retry_after etag)
            [$(#[$doc])* $name]
            [
                $(#[$ok_doc])*
                #[oai(status = 200)]
                Ok(
                    $crate::wire::json::Json<$ok>,
                    /// The movie's strong entity tag: the cast is part of the movie.
                    #[oai(header = "ETag")]
                    String,
                ),
            ]
            []
            $($error)* Internal
        );
    };

    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] BadRequest $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `bad_request`: the body is not JSON or names a key twice, a field has the wrong
            /// type, is `null` or is missing, a date has an unknown format, a path id is not
            /// digits, a query parameter is malformed or not UTF-8, or an update changes nothing.
            /// `details.fields` names each field at fault.
            #[oai(status = 400)]
            BadRequest($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 400 => Self::BadRequest($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Unauthorized $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// No valid token: `authorization_header_missing`, `invalid_header`,
            /// `invalid_token`, `token_expired` or `invalid_claims`.
            #[oai(status = 401)]
            Unauthorized(
                $crate::wire::json::Json<$crate::errors::ErrorBody>,
                /// The RFC 6750 challenge.
                #[oai(header = "WWW-Authenticate")]
                String,
            ),
            /// `rate_limited`: this caller sent more than its share (`RATE_LIMIT_PER_MINUTE`
            /// per token subject), or its address failed authentication too often
            /// (`AUTH_FAILURES_PER_MINUTE`); `Retry-After` says when to come back. Every
            /// answer a limit applies to carries `RateLimit-Policy` and `RateLimit` (IETF
            /// draft-ietf-httpapi-ratelimit-headers).
            #[oai(status = 429)]
            TooManyRequests(
                $crate::wire::json::Json<$crate::errors::ErrorBody>,
                /// Whole seconds to wait before trying again.
                #[oai(header = "Retry-After")]
                String,
            ),
        ] [$($arms)* 401 => Self::Unauthorized($b, $c), 429 => Self::TooManyRequests($b, $r),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Forbidden $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `insufficient_permission`: the token lacks the operation's permission.
            #[oai(status = 403)]
            Forbidden(
                $crate::wire::json::Json<$crate::errors::ErrorBody>,
                /// The RFC 6750 challenge, `error="insufficient_scope"`.
                #[oai(header = "WWW-Authenticate")]
                String,
            ),
        ] [$($arms)* 403 => Self::Forbidden($b, $c),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] NotFound $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `not_found`: no record has this id.
            #[oai(status = 404)]
            NotFound($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 404 => Self::NotFound($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] PayloadTooLarge $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `payload_too_large`: the body is over 64 KiB.
            #[oai(status = 413)]
            PayloadTooLarge($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 413 => Self::PayloadTooLarge($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Unprocessable $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `validation_failed`: a value breaks a rule (blank title, age 200, unknown
            /// gender) or relation ids name nothing; `details` says which. On a create,
            /// also `idempotency_key_reused`: the `Idempotency-Key` was used for another body.
            #[oai(status = 422)]
            Unprocessable($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 422 => Self::Unprocessable($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Unavailable $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `unavailable`: the store cannot be reached, or no signing keys could be had.
            #[oai(status = 503)]
            Unavailable(
                $crate::wire::json::Json<$crate::errors::ErrorBody>,
                /// Seconds to wait before trying again.
                #[oai(header = "Retry-After")]
                String,
            ),
        ] [$($arms)* 503 => Self::Unavailable($b, $r),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) [$(#[$hd:meta])* $name:ident] [$($variants:tt)*] [$($arms:tt)*] NotModified $($rest:ident)*) => {
        impl $crate::operations::responses::Unchanged for $name {
            fn unchanged(tag: String) -> Self {
                Self::NotModified(tag)
            }
        }
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) [$(#[$hd])* $name] [$($variants)*
            /// The record still has the entity tag `If-None-Match` named: no body.
            #[oai(status = 304)]
            NotModified(
                /// The record's entity tag.
                #[oai(header = "ETag")]
                String,
            ),
        ] [$($arms)*] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Conflict $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `request_in_progress`: a request with the same `Idempotency-Key` is still
            /// running; retry shortly for its answer.
            #[oai(status = 409)]
            Conflict($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 409 => Self::Conflict($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Gone $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `cursor_expired`: entries after the cursor were pruned; `details.cursor` is
            /// where reading can go on (the oldest entry kept).
            #[oai(status = 410)]
            Gone($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 410 => Self::Gone($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] PreconditionFailed $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `precondition_failed`: `If-Match` names another version than the record's;
            /// nothing changed. `details.current_version` and `ETag` give the current one.
            #[oai(status = 412)]
            PreconditionFailed(
                $crate::wire::json::Json<$crate::errors::ErrorBody>,
                /// The record's current entity tag.
                #[oai(header = "ETag")]
                String,
            ),
        ] [$($arms)* 412 => Self::PreconditionFailed($b, $e),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] PreconditionRequired $($rest:ident)*) => {
        $crate::operations::responses::operation_response!(@munch ($b $c $r $e) $head [$($variants)*
            /// `precondition_required`: this server requires `If-Match` on writes
            /// (`REQUIRE_IF_MATCH=true`).
            #[oai(status = 428)]
            PreconditionRequired($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)* 428 => Self::PreconditionRequired($b),] $($rest)*);
    };
    (@munch ($b:ident $c:ident $r:ident $e:ident) $head:tt [$($variants:tt)*] [$($arms:tt)*] Internal) => {
        $crate::operations::responses::operation_response!(@emit ($b $c $r $e) $head [$($variants)*
            /// `internal_server_error`: something failed inside; the body says nothing more.
            #[oai(status = 500)]
            Internal($crate::wire::json::Json<$crate::errors::ErrorBody>),
        ] [$($arms)*]);
    };

    (@emit ($b:ident $c:ident $r:ident $e:ident) [$(#[$doc:meta])* $name:ident] [$($variants:tt)*] [$($arms:tt)*]) => {
        $(#[$doc])*
        #[derive(poem_openapi::ApiResponse)]
        pub enum $name {
            $($variants)*
        }

        impl From<$crate::errors::ApiError> for $name {
            #[allow(unused_variables)]
            fn from(error: $crate::errors::ApiError) -> Self {
                let parts = error.into_parts();
                let $c = parts.www_authenticate.unwrap_or_default();
                let $r = parts.retry_after.unwrap_or_default();
                let $e = parts.etag.unwrap_or_default();
                let $b = $crate::wire::json::Json(parts.body);
                match parts.status.as_u16() {
                    $($arms)*
                    _ => Self::Internal($b),
                }
            }
        }

        impl<E: Into<$crate::errors::ApiError>> From<Result<$name, E>> for $name {
            fn from(result: Result<$name, E>) -> Self {
                result.unwrap_or_else(|error| error.into().into())
            }
        }
    };
}

pub(crate) use operation_response;

/// A success with its `ETag`: what a read or a write of one record answers.
pub(crate) struct Tagged<T> {
    /// The body.
    pub(crate) body: T,
    /// The record's entity tag.
    pub(crate) tag: String,
}

/// A create's success: the record with its `ETag`, and whether it is the replay of an earlier
/// request with the same `Idempotency-Key`.
pub(crate) struct Replayable<T> {
    /// The body.
    pub(crate) body: T,
    /// The record's entity tag.
    pub(crate) tag: String,
    /// Whether nothing was created now (`Idempotent-Replayed: true`).
    pub(crate) replayed: bool,
}

/// A page of a list, with the `Link` to the next page when there is one.
pub(crate) struct Listed<T> {
    /// The body.
    pub(crate) body: T,
    /// `<…&after=…>; rel="next"`.
    pub(crate) link: Option<String>,
}

/// A list's answer: the service's page as the list's body, with the `Link` to the next page.
pub(crate) fn listed<T, B, A>(
    page: Result<casting_core::Page<T>, casting_core::Error>,
    query: &crate::wire::query::Utf8Query,
) -> A
where
    B: From<casting_core::Page<T>>,
    A: From<Listed<B>> + From<crate::errors::ApiError>,
{
    match page {
        Ok(page) => {
            let link = page.next.as_deref().map(|next| query.next_link(next));
            A::from(Listed {
                body: B::from(page),
                link,
            })
        }
        Err(error) => A::from(crate::errors::ApiError::from(error)),
    }
}

/// A conditional read's 304: the record still has the tag `If-None-Match` named.
pub(crate) trait Unchanged {
    /// The 304, with the record's tag.
    fn unchanged(tag: String) -> Self;
}
