//! Lists: paging (by number or by cursor), counting, `q`, filters and sorting.
//!
//! [`MovieListParams`] and [`ActorListParams`] carry what a caller asked, unchecked; their
//! `parse` gives a [`ListQuery`] that a store can run as it is.

mod cursor;
mod filter;
mod fold;
mod sort;

use crate::domain::{Age, FieldError, Gender, MAX_TEXT_CHARS, ReleaseDate};
use crate::error::Error;
use crate::model::{ActorId, MovieId, Page};

pub use filter::{ActorFilter, Filter, MovieFilter};
pub use fold::fold;
pub use sort::{ActorField, Direction, MovieField, Sort, SortField, SortKey, SortValue, ValueKind};

use cursor::CursorError;

/// The page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 10;
/// The largest page size.
pub const MAX_PER_PAGE: u32 = 100;

/// What a caller asks of any list, unchecked: the query parameters both lists share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// Page number from 1; default 1. Not with `after`.
    pub page: Option<i64>,
    /// Page size, 1 to 100; default 10.
    pub per_page: Option<i64>,
    /// Case-insensitive substring of the title (or name); empty means no filter.
    pub q: Option<String>,
    /// A comma list of fields, `-` for descending (`-release_date,title`); default `id`.
    pub sort: Option<String>,
    /// A cursor from an earlier page's `next`: the page after it. Not with `page`.
    pub after: Option<String>,
    /// `exact` (default) or `none`.
    pub count: Option<String>,
}

/// What a caller asks of the movie list, unchecked: `GET /movies`'s query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovieListParams {
    /// Paging, `q`, sort and count.
    pub list: ListParams,
    /// Earliest release date kept, `DD-MM-YYYY` or `YYYY-MM-DD`.
    pub released_from: Option<String>,
    /// Latest release date kept, `DD-MM-YYYY` or `YYYY-MM-DD`.
    pub released_to: Option<String>,
    /// Actor ids every kept movie's cast holds.
    pub actor: Vec<i64>,
}

/// What a caller asks of the actor list, unchecked: `GET /actors`'s query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorListParams {
    /// Paging, `q`, sort and count.
    pub list: ListParams,
    /// Genders kept (any of them), in any case.
    pub gender: Vec<String>,
    /// Youngest age kept, 0 to 150.
    pub age_min: Option<i64>,
    /// Oldest age kept, 0 to 150.
    pub age_max: Option<i64>,
    /// Movie ids every kept actor is cast in.
    pub movie: Vec<i64>,
}

/// Whether a list counts its matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Count {
    /// `total` is the number of matches on all pages.
    #[default]
    Exact,
    /// No counting: `total` is absent. For clients that only follow cursors.
    Skip,
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Window {
    /// Page `n`, from 1: skips `(n - 1) * per_page` records.
    Page(u32),
    /// The records after this position (one value per sort key).
    After(Vec<SortValue>),
}

/// A checked list query over the records `F` filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery<F: Filter> {
    window: Window,
    per_page: u32,
    q: Option<String>,
    count: Count,
    filter: F,
    sort: Sort<F::Field>,
    /// The cursor fingerprint, computed once (a cursor read and the next page's cursor need it).
    fingerprint: Fingerprint,
}

/// A query's cursor fingerprint, once computed. It is derived from the query, so it takes no
/// part in comparing queries.
#[derive(Debug, Clone, Default)]
struct Fingerprint(std::sync::OnceLock<u64>);

impl PartialEq for Fingerprint {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Fingerprint {}

/// A checked query of the movie list.
pub type MovieQuery = ListQuery<MovieFilter>;
/// A checked query of the actor list.
pub type ActorQuery = ListQuery<ActorFilter>;

impl<F: Filter> Default for ListQuery<F> {
    /// The first page of 10, by id, unfiltered, counted.
    fn default() -> Self {
        Self {
            window: Window::Page(1),
            per_page: DEFAULT_PER_PAGE,
            q: None,
            count: Count::Exact,
            filter: F::default(),
            sort: F::default_sort(),
            fingerprint: Fingerprint::default(),
        }
    }
}

impl<F: Filter> ListQuery<F> {
    /// Checks the paging and `q`. An empty `q` means no filter; a `q` that no title or name
    /// could contain (longer than 200 characters, or with control characters) is refused.
    pub fn new(page: u32, per_page: u32, q: Option<&str>) -> Result<Self, Error> {
        let mut errors = Vec::new();
        if page == 0 {
            errors.push(page_out_of_range());
        }
        let per_page = check_per_page(per_page, &mut errors);
        let q = check_q(q, &mut errors);
        if !errors.is_empty() {
            return Err(Error::BadRequest(errors));
        }
        Ok(Self {
            window: Window::Page(page),
            per_page,
            q,
            ..Self::default()
        })
    }

    /// The same query with these filters (a cursor of the old query no longer fits it).
    pub fn with_filter(mut self, filter: F) -> Self {
        self.filter = filter;
        self.fingerprint = Fingerprint::default();
        self
    }

    /// The same query in this order.
    pub fn with_sort(mut self, sort: Sort<F::Field>) -> Self {
        self.sort = sort;
        self.fingerprint = Fingerprint::default();
        self
    }

    /// The same query, counted or not.
    pub fn with_count(mut self, count: Count) -> Self {
        self.count = count;
        self
    }

    /// The page after `cursor` (a [`Page::next`] of this same query), instead of a page
    /// number. A cursor of another query, or not made by [`ListQuery`], is a `BadRequest`
    /// naming `after`.
    pub fn after(mut self, cursor: &str) -> Result<Self, Error> {
        let position = self
            .decode(cursor)
            .map_err(|e| Error::BadRequest(vec![e]))?;
        self.window = Window::After(position);
        Ok(self)
    }

    pub(crate) fn build(
        list: &ListParams,
        filter: Result<F, Vec<FieldError>>,
    ) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let page = match (list.page, &list.after) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "page",
                    "cannot be given with after: a list is paged by number or by cursor",
                ));
                1
            }
            (page, _) => match page.map(u32::try_from) {
                None => 1,
                Some(Ok(page)) if page >= 1 => page,
                Some(_) => {
                    errors.push(page_out_of_range());
                    1
                }
            },
        };
        let per_page = match list.per_page.map(u32::try_from) {
            None => DEFAULT_PER_PAGE,
            Some(Ok(per_page)) => check_per_page(per_page, &mut errors),
            Some(Err(_)) => check_per_page(0, &mut errors),
        };
        let q = check_q(list.q.as_deref(), &mut errors);
        let sort = match list.sort.as_deref() {
            None => F::default_sort(),
            Some(text) => Sort::parse(text).unwrap_or_else(|e| {
                errors.push(e);
                F::default_sort()
            }),
        };
        let count = match list.count.as_deref() {
            None | Some("exact") => Count::Exact,
            Some("none") => Count::Skip,
            Some(_) => {
                errors.push(FieldError::new("count", "must be exact or none"));
                Count::Exact
            }
        };
        let filter = filter.unwrap_or_else(|mut bad| {
            errors.append(&mut bad);
            F::default()
        });
        if !errors.is_empty() {
            return Err(Error::BadRequest(errors));
        }
        let query = Self {
            window: Window::Page(page),
            per_page,
            q,
            count,
            filter,
            sort,
            fingerprint: Fingerprint::default(),
        };
        match &list.after {
            Some(cursor) => query.after(cursor),
            None => Ok(query),
        }
    }

    /// The page number, from 1; `None` when the page follows a cursor.
    pub fn page(&self) -> Option<u32> {
        match self.window {
            Window::Page(page) => Some(page),
            Window::After(_) => None,
        }
    }

    /// The position the page starts after (one value per sort key), when it follows a cursor.
    pub fn after_values(&self) -> Option<&[SortValue]> {
        match &self.window {
            Window::Page(_) => None,
            Window::After(values) => Some(values),
        }
    }

    /// The page size.
    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// How many records a store should fetch: one more than the page, to learn whether a
    /// next page exists.
    pub fn limit(&self) -> u32 {
        self.per_page + 1
    }

    /// The `q` filter, never empty.
    pub fn q(&self) -> Option<&str> {
        self.q.as_deref()
    }

    /// `q` as stores match it: [`fold`]ed, to be found in the folded title or name.
    pub fn q_folded(&self) -> Option<String> {
        self.q.as_deref().map(fold)
    }

    /// Whether to count the matches.
    pub fn count(&self) -> Count {
        self.count
    }

    /// The filters.
    pub fn filter(&self) -> &F {
        &self.filter
    }

    /// The order.
    pub fn sort(&self) -> &Sort<F::Field> {
        &self.sort
    }

    /// Whether anything but the page narrows the list (`q` or a filter).
    pub fn is_filtered(&self) -> bool {
        self.q.is_some() || !self.filter.is_empty()
    }

    /// How many matching records come before this page (0 after a cursor).
    pub fn offset(&self) -> u64 {
        match self.window {
            Window::Page(page) => u64::from(page - 1) * u64::from(self.per_page),
            Window::After(_) => 0,
        }
    }

    /// The page a store answers: `fetched` holds up to [`limit`](Self::limit) records in
    /// order, from the page's start; one past the page means there is a next page, whose
    /// cursor is then set. `total` is dropped when the query does not count.
    pub fn page_of(
        &self,
        mut fetched: Vec<<F::Field as SortField>::Item>,
        total: Option<u64>,
    ) -> Page<<F::Field as SortField>::Item> {
        let per_page = self.per_page as usize;
        let next = if fetched.len() > per_page {
            fetched.truncate(per_page);
            fetched.last().map(|last| self.cursor_after(last))
        } else {
            None
        };
        Page {
            items: fetched,
            total: match self.count {
                Count::Exact => total,
                Count::Skip => None,
            },
            page: self.page(),
            per_page: self.per_page,
            next,
        }
    }

    /// The cursor of the page that follows `item` under this query.
    pub fn cursor_after(&self, item: &<F::Field as SortField>::Item) -> String {
        cursor::encode(
            F::TAG,
            self.fingerprint(),
            self.sort.keys(),
            &self.sort.values_of(item),
        )
    }

    fn decode(&self, cursor: &str) -> Result<Vec<SortValue>, FieldError> {
        cursor::decode(cursor, F::TAG, self.fingerprint(), self.sort.keys()).map_err(|e| {
            FieldError::new(
                "after",
                match e {
                    CursorError::Mangled => "is not a cursor this server made, or was changed",
                    CursorError::OtherQuery => {
                        "was made for a list with other filters, q or sort than this request's; \
                         send the same ones, or start again without after"
                    }
                },
            )
        })
    }

    /// A stable hash of what a cursor is bound to: the resource, `q`, the filters, the sort.
    fn fingerprint(&self) -> u64 {
        *self
            .fingerprint
            .0
            .get_or_init(|| self.compute_fingerprint())
    }

    fn compute_fingerprint(&self) -> u64 {
        // `\u{1f}` cannot occur in `q` (control characters are refused), so it separates.
        let mut text = format!("{}\u{1f}{}\u{1f}", F::NAME, self.q.as_deref().unwrap_or(""));
        self.filter.write_canonical(&mut text);
        text.push('\u{1f}');
        text.push_str(&self.sort.to_param());
        cursor::fingerprint(&text)
    }
}

impl ListQuery<MovieFilter> {
    /// Checks every parameter of the movie list, naming each one at fault.
    pub fn parse(params: &MovieListParams) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, text: &Option<String>| {
            text.as_deref().and_then(|text| {
                ReleaseDate::parse(text)
                    .map_err(|e| errors.push(FieldError::new(field, e.message)))
                    .ok()
            })
        };
        let from = date("released_from", &params.released_from);
        let to = date("released_to", &params.released_to);
        let actors = ids("actor", &params.actor, &mut errors).map(ActorId);
        let actors: Vec<ActorId> = actors.collect();
        let filter = if errors.is_empty() {
            MovieFilter::new(from, to, actors).map_err(|e| vec![e])
        } else {
            Err(errors)
        };
        Self::build(&params.list, filter)
    }
}

impl ListQuery<ActorFilter> {
    /// Checks every parameter of the actor list, naming each one at fault.
    pub fn parse(params: &ActorListParams) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let mut genders = Vec::new();
        for text in &params.gender {
            match Gender::parse(text) {
                Ok(gender) => genders.push(gender),
                Err(e) => errors.push(FieldError::new("gender", e.message)),
            }
        }
        let mut age = |field: &'static str, years: Option<i64>| {
            years.and_then(|years| {
                Age::parse(years)
                    .map_err(|e| errors.push(FieldError::new(field, e.message)))
                    .ok()
            })
        };
        let age_min = age("age_min", params.age_min);
        let age_max = age("age_max", params.age_max);
        let movies: Vec<MovieId> = ids("movie", &params.movie, &mut errors)
            .map(MovieId)
            .collect();
        errors.dedup();
        let filter = if errors.is_empty() {
            ActorFilter::new(genders, age_min, age_max, movies).map_err(|e| vec![e])
        } else {
            Err(errors)
        };
        Self::build(&params.list, filter)
    }
}

/// The ids, after noting one error for `field` if any is not positive.
fn ids<'a>(
    field: &'static str,
    ids: &'a [i64],
    errors: &mut Vec<FieldError>,
) -> impl Iterator<Item = i64> + 'a {
    if ids.iter().any(|id| *id < 1) {
        errors.push(FieldError::new(field, "must be a positive whole number"));
    }
    ids.iter().copied()
}

/// A page number below 1 or past the last one a list can have (`u32::MAX`).
fn page_out_of_range() -> FieldError {
    FieldError::new("page", format!("must be between 1 and {}", u32::MAX))
}

fn check_per_page(per_page: u32, errors: &mut Vec<FieldError>) -> u32 {
    if (1..=MAX_PER_PAGE).contains(&per_page) {
        per_page
    } else {
        errors.push(FieldError::new(
            "per_page",
            format!("must be between 1 and {MAX_PER_PAGE}"),
        ));
        DEFAULT_PER_PAGE
    }
}

fn check_q(q: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let q = q.filter(|q| !q.is_empty())?;
    if q.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError::new(
            "q",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    } else if q.chars().any(char::is_control) {
        errors.push(FieldError::new("q", "must not contain control characters"));
    }
    Some(q.to_owned())
}

#[cfg(test)]
mod tests;
