//! Entity tags and conditional requests (RFC 9110 §8.8.3, §13.1), and the `Idempotency-Key`
//! of creates.
//!
//! A record's tag is strong and names the record and its version: `"m-12-v3"` is movie 12 at
//! version 3, `"a-5-v1"` actor 5 at version 1. `If-Match` (on writes) compares strongly: a
//! weak tag never matches. `If-None-Match` (on reads) compares weakly.

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use casting_core::{IdempotencyKey, ResourceKind, Version};
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaParamIn, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::errors::ApiError;
use crate::etag::version_in;

/// Whether writes must carry `If-Match` (`REQUIRE_IF_MATCH`): one setting, held by every
/// operation that writes and set by [`CastingApi::require_if_match`](crate::CastingApi).
#[derive(Debug, Clone, Default)]
pub(crate) struct IfMatchRule(Arc<AtomicBool>);

impl IfMatchRule {
    /// Makes `If-Match` required on writes, or not.
    pub(crate) fn set(&self, required: bool) {
        self.0.store(required, Ordering::Relaxed);
    }

    /// Whether writes must carry `If-Match`.
    pub(crate) fn required(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// An optional request header as the client sent it, declared in the document exactly as
/// poem-openapi's `Header<Option<S>>` declares it (the name is the parameter's `#[oai(name)]`).
///
/// Bytes that are not visible ASCII read as `Some("")`, where `Header` would read the header as
/// absent: a garbled `If-Match` must never count as no `If-Match`.
pub(crate) struct Sent<S = String>(Option<String>, PhantomData<fn() -> S>);

impl<S> Sent<S> {
    /// The header's value, if it was sent.
    pub(crate) fn value(&self) -> Option<&str> {
        self.0.as_deref()
    }

    #[cfg(test)]
    pub(crate) fn new(value: Option<&str>) -> Self {
        Self(value.map(str::to_owned), PhantomData)
    }
}

impl<'a, S: Type + Send> ApiExtractor<'a> for Sent<S> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    const PARAM_IS_REQUIRED: bool = false;

    type ParamType = Option<S>;
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        S::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Header)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(<Option<S> as Type>::schema_ref())
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        options: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let value = request
            .headers()
            .get(options.name)
            .map(|value| value.to_str().unwrap_or_default().to_owned());
        Ok(Self(value, PhantomData))
    }
}

/// What a write's `If-Match` expects of the record: `None` for any version (`*`, or no header
/// where none is required), else the version to compare with, atomically, in the store.
///
/// A header that names none of this record's versions (another record's tag, a weak tag,
/// anything else) can never match: it expects a version no record reaches, so the store
/// refuses with the current version as for any stale tag. Of several tags naming this record,
/// the newest counts.
pub(crate) fn expected(
    rule: &IfMatchRule,
    if_match: &Sent,
    kind: ResourceKind,
    id: i64,
) -> Result<Option<Version>, ApiError> {
    let Some(header) = if_match.value() else {
        return if rule.required() {
            Err(ApiError::precondition_required())
        } else {
            Ok(None)
        };
    };
    let tags: Vec<&str> = header.split(',').map(str::trim).collect();
    if tags.contains(&"*") {
        return Ok(None);
    }
    let newest = tags
        .iter()
        .filter_map(|tag| version_in(tag, kind, id))
        .max()
        .or(Version::new(i64::MAX));
    Ok(newest)
}

/// Whether a read's `If-None-Match` matches `current` (weak comparison; `*` matches any).
pub(crate) fn none_match(if_none_match: &Sent, current: &str) -> bool {
    if_none_match.value().is_some_and(|header| {
        header
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
    })
}

/// The `Idempotency-Key` of a create, checked: 1 to 255 visible ASCII characters, else a 400
/// naming the header.
pub(crate) fn idempotency_key<S>(header: &Sent<S>) -> Result<Option<IdempotencyKey>, ApiError> {
    header
        .value()
        .map(IdempotencyKey::parse)
        .transpose()
        .map_err(|e| ApiError::bad_fields(vec![e]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> Option<Version> {
        Version::new(n)
    }

    #[test]
    fn if_match_expects_the_named_version_any_or_none_possible() {
        let expect = |header: Option<&[u8]>| {
            let header = header.map(|value| std::str::from_utf8(value).unwrap_or_default());
            expected(
                &IfMatchRule::default(),
                &Sent::new(header),
                ResourceKind::Actor,
                5,
            )
            .unwrap()
        };
        assert_eq!(expect(None), None);
        assert_eq!(expect(Some(b"*")), None);
        assert_eq!(expect(Some(b"\"a-5-v2\"")), v(2));
        assert_eq!(expect(Some(b"\"a-5-v2\", \"a-5-v4\"")), v(4));
        assert_eq!(expect(Some(b"\"m-5-v2\"")), v(i64::MAX));
        assert_eq!(expect(Some(b"garbage")), v(i64::MAX));
        assert_eq!(
            expect(Some(b"\xc3\x97")),
            v(i64::MAX),
            "not ASCII (read as empty): never matches"
        );
    }

    #[test]
    fn a_required_if_match_is_a_428_when_missing() {
        let rule = IfMatchRule::default();
        rule.set(true);
        let refused = expected(&rule, &Sent::new(None), ResourceKind::Movie, 1).unwrap_err();
        assert_eq!(refused.status().as_u16(), 428);
        let any = Sent::new(Some("*"));
        assert_eq!(expected(&rule, &any, ResourceKind::Movie, 1).unwrap(), None);
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let current = "\"m-1-v2\"";
        let matches = |header: Option<&str>| none_match(&Sent::new(header), current);
        assert!(matches(Some("\"m-1-v2\"")));
        assert!(matches(Some("W/\"m-1-v2\"")));
        assert!(matches(Some("\"x\", \"m-1-v2\"")));
        assert!(matches(Some("*")));
        assert!(!matches(Some("\"m-1-v1\"")));
        assert!(!matches(None));
    }
}
