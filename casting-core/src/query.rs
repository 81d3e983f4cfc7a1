//! Paging and filtering of lists.

use crate::domain::FieldError;
use crate::domain::MAX_TEXT_CHARS;
use crate::error::Error;

/// The page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 10;
/// The largest page size.
pub const MAX_PER_PAGE: u32 = 100;

/// What a caller asks of a list, unchecked: the query string of `GET /movies`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// Page number from 1; default 1.
    pub page: Option<i64>,
    /// Page size, 1 to 100; default 10.
    pub per_page: Option<i64>,
    /// Case-insensitive substring of the title (or name); empty means no filter.
    pub q: Option<String>,
}

/// A checked list query: page from 1, page size 1 to 100, an optional filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    page: u32,
    per_page: u32,
    q: Option<String>,
}

impl Default for ListQuery {
    /// The first page of 10, unfiltered.
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            q: None,
        }
    }
}

impl ListQuery {
    /// Checks the paging and the filter. An empty `q` means no filter; a `q` that no title or
    /// name could contain (longer than 200 characters, or with control characters) is refused.
    pub fn new(page: u32, per_page: u32, q: Option<&str>) -> Result<Self, Error> {
        let mut errors = Vec::new();
        if page == 0 {
            errors.push(FieldError::new("page", "must be at least 1"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError::new(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        let q = q.filter(|q| !q.is_empty());
        if let Some(q) = q {
            if q.chars().count() > MAX_TEXT_CHARS {
                errors.push(FieldError::new(
                    "q",
                    format!("must be at most {MAX_TEXT_CHARS} characters"),
                ));
            } else if q.chars().any(char::is_control) {
                errors.push(FieldError::new("q", "must not contain control characters"));
            }
        }
        if !errors.is_empty() {
            return Err(Error::BadRequest(errors));
        }
        Ok(Self {
            page,
            per_page,
            q: q.map(str::to_owned),
        })
    }

    /// Checks what a caller asked for, filling in the defaults.
    pub fn parse(params: &ListParams) -> Result<Self, Error> {
        let number = |value: Option<i64>, default: u32, field: &'static str| {
            let value = value.unwrap_or(i64::from(default));
            u32::try_from(value)
                .map_err(|_| Error::BadRequest(vec![FieldError::new(field, "is out of range")]))
        };
        let page = number(params.page, 1, "page")?;
        let per_page = number(params.per_page, DEFAULT_PER_PAGE, "per_page")?;
        Self::new(page, per_page, params.q.as_deref())
    }

    /// The page number, from 1.
    pub fn page(&self) -> u32 {
        self.page
    }

    /// The page size.
    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// The filter, never empty.
    pub fn q(&self) -> Option<&str> {
        self.q.as_deref()
    }

    /// How many records come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad_fields(result: Result<ListQuery, Error>) -> Vec<String> {
        match result {
            Err(Error::BadRequest(errors)) => errors.into_iter().map(|e| e.field.into()).collect(),
            other => panic!("expected BadRequest, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_page_one_of_ten() {
        let query = ListQuery::parse(&ListParams::default()).unwrap();
        assert_eq!((query.page(), query.per_page(), query.q()), (1, 10, None));
        assert_eq!(query, ListQuery::default());
        assert_eq!(query.offset(), 0);
    }

    #[test]
    fn bounds() {
        assert!(ListQuery::new(1, 1, None).is_ok());
        assert!(ListQuery::new(1, 100, None).is_ok());
        assert!(ListQuery::new(u32::MAX, 100, None).is_ok());
        assert_eq!(bad_fields(ListQuery::new(0, 10, None)), ["page"]);
        assert_eq!(bad_fields(ListQuery::new(1, 0, None)), ["per_page"]);
        assert_eq!(bad_fields(ListQuery::new(1, 101, None)), ["per_page"]);
        assert_eq!(
            bad_fields(ListQuery::new(0, 101, None)),
            ["page", "per_page"]
        );
        let params = |page, per_page| ListParams {
            page,
            per_page,
            q: None,
        };
        assert_eq!(
            bad_fields(ListQuery::parse(&params(Some(-1), None))),
            ["page"]
        );
        assert_eq!(
            bad_fields(ListQuery::parse(&params(Some(i64::MAX), None))),
            ["page"]
        );
        assert_eq!(
            bad_fields(ListQuery::parse(&params(None, Some(-5)))),
            ["per_page"]
        );
    }

    #[test]
    fn offset_does_not_overflow() {
        let query = ListQuery::new(u32::MAX, 100, None).unwrap();
        assert_eq!(query.offset(), (u64::from(u32::MAX) - 1) * 100);
        assert_eq!(ListQuery::new(3, 25, None).unwrap().offset(), 50);
    }

    #[test]
    fn q_rules() {
        assert_eq!(ListQuery::new(1, 10, Some("")).unwrap().q(), None);
        assert_eq!(ListQuery::new(1, 10, Some(" a ")).unwrap().q(), Some(" a "));
        assert!(ListQuery::new(1, 10, Some(&"q".repeat(200))).is_ok());
        assert_eq!(
            bad_fields(ListQuery::new(1, 10, Some(&"q".repeat(201)))),
            ["q"]
        );
        assert_eq!(bad_fields(ListQuery::new(1, 10, Some("a\0b"))), ["q"]);
    }
}
