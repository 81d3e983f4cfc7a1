//! Lists: one statement gives the page and the total from one snapshot.
//!
//! An unfiltered total comes from `row_counts` (kept exact by triggers, migration 0003); a total
//! under `q` counts the matches, which the trigram indexes of migration 0002 find.
//!
//! Each list has two statements, with and without `q`, so the planner gets a plan fitted to each
//! (a single `$1 IS NULL OR title ILIKE $1` would get one generic plan for both).

use casting_core::{ActorSummary, ListQuery, MovieSummary, Page, StoreResult as Result};
use sqlx::PgPool;
use tracing::instrument;

use crate::error::from_sqlx;
use crate::rows::{ActorListLine, MovieListLine};

const MOVIES: &str = "
    SELECT t.total, m.id, m.title, m.release_date
    FROM (SELECT sum(n)::bigint AS total FROM row_counts WHERE table_name = 'movies') AS t
    LEFT JOIN LATERAL (
        SELECT id, title, release_date FROM movies ORDER BY id LIMIT $1 OFFSET $2
    ) AS m ON true
    ORDER BY m.id";

const MOVIES_Q: &str = "
    SELECT t.total, m.id, m.title, m.release_date
    FROM (SELECT count(*) AS total FROM movies WHERE title ILIKE $3) AS t
    LEFT JOIN LATERAL (
        SELECT id, title, release_date FROM movies WHERE title ILIKE $3
        ORDER BY id LIMIT $1 OFFSET $2
    ) AS m ON true
    ORDER BY m.id";

const ACTORS: &str = "
    SELECT t.total, a.id, a.name, a.age, a.gender
    FROM (SELECT sum(n)::bigint AS total FROM row_counts WHERE table_name = 'actors') AS t
    LEFT JOIN LATERAL (
        SELECT id, name, age, gender FROM actors ORDER BY id LIMIT $1 OFFSET $2
    ) AS a ON true
    ORDER BY a.id";

const ACTORS_Q: &str = "
    SELECT t.total, a.id, a.name, a.age, a.gender
    FROM (SELECT count(*) AS total FROM actors WHERE name ILIKE $3) AS t
    LEFT JOIN LATERAL (
        SELECT id, name, age, gender FROM actors WHERE name ILIKE $3
        ORDER BY id LIMIT $1 OFFSET $2
    ) AS a ON true
    ORDER BY a.id";

/// `q` as an `ILIKE` pattern: `\`, `%` and `_` escaped, then wrapped in `%`.
pub(crate) fn contains_pattern(q: &str) -> String {
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Runs the list statement (`filtered` when the query has `q`) and builds the page: the total
/// from the first line, an item from every line that has one (an empty page is one line of
/// NULLs carrying the total).
async fn fetch_page<L, T>(
    pool: &PgPool,
    query: &ListQuery,
    (plain, filtered): (&'static str, &'static str),
    total_of: impl Fn(&L) -> i64,
    item: impl Fn(L) -> Result<Option<T>>,
) -> Result<Page<T>>
where
    L: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let limit = i64::from(query.per_page());
    let offset = i64::try_from(query.offset()).unwrap_or(i64::MAX);
    let lines: Vec<L> = match query.q() {
        None => sqlx::query_as(plain).bind(limit).bind(offset),
        Some(q) => sqlx::query_as(filtered)
            .bind(limit)
            .bind(offset)
            .bind(contains_pattern(q)),
    }
    .fetch_all(pool)
    .await
    .map_err(from_sqlx)?;

    let total = lines.first().map_or(0, &total_of);
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        items.extend(item(line)?);
    }
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or_default(),
        page: query.page(),
        per_page: query.per_page(),
    })
}

// The search text is never recorded: spans are `debug`, and even there only its presence.
#[instrument(
    level = "debug",
    skip_all,
    fields(page = query.page(), per_page = query.per_page(), q = query.q().is_some()),
    err(level = "debug")
)]
pub(crate) async fn movies(pool: &PgPool, query: &ListQuery) -> Result<Page<MovieSummary>> {
    fetch_page(
        pool,
        query,
        (MOVIES, MOVIES_Q),
        |line: &MovieListLine| line.total,
        MovieListLine::into_item,
    )
    .await
}

// The search text is never recorded: spans are `debug`, and even there only its presence.
#[instrument(
    level = "debug",
    skip_all,
    fields(page = query.page(), per_page = query.per_page(), q = query.q().is_some()),
    err(level = "debug")
)]
pub(crate) async fn actors(pool: &PgPool, query: &ListQuery) -> Result<Page<ActorSummary>> {
    fetch_page(
        pool,
        query,
        (ACTORS, ACTORS_Q),
        |line: &ActorListLine| line.total,
        ActorListLine::into_item,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn patterns_escape_wildcards_and_backslash() {
        assert_eq!(contains_pattern("star"), "%star%");
        assert_eq!(contains_pattern("100%"), "%100\\%%");
        assert_eq!(contains_pattern("a_b"), "%a\\_b%");
        assert_eq!(contains_pattern(r"C:\x"), r"%C:\\x%");
    }
}
