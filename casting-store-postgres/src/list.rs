//! Lists: one statement, built for the query at hand, gives the page and the total from one
//! snapshot.
//!
//! - The page is a keyset page after a cursor (`(title, id) > ($1, $2)`, served by the
//!   `(column, id)` indexes of migration 0004 whatever the depth), or `OFFSET` for a page number.
//! - Text sorts and compares `COLLATE "C"` (by code point), as the memory store does and
//!   whatever the database's locale.
//! - An unfiltered total comes from `row_counts` (migration 0003); a filtered total counts the
//!   matches; `count=none` counts nothing.
//! - Only the conditions the query has are written, so the planner sees each shape as it is
//!   (a `$1 IS NULL OR …` would get one generic plan for all of them).
//!
//! docs/performance.md shows the plan each shape gets, and what it costs at a million rows.

use casting_core::{
    ActorField, ActorFilter, ActorSummary, AuditEntry, AuditField, AuditFilter, Count, Direction,
    Filter, ListQuery, MovieField, MovieFilter, MovieSummary, Page, Sort, SortField, SortValue,
    StoreResult as Result,
};
use sqlx::{PgPool, Postgres, QueryBuilder};
use tracing::instrument;

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history::resource;
use crate::rows::{ActorListLine, AuditListLine, MovieListLine};

type Sql = QueryBuilder<Postgres>;

/// How one kind of list reads its table; the table is always aliased `m`.
pub(crate) trait Listing: Filter {
    /// The table.
    const TABLE: &'static str;
    /// The columns a list line holds, after the total.
    const COLUMNS: &'static str;
    /// The column `q` searches: the folded title or name (migration 0007).
    const SEARCHED: &'static str;
    /// Whether [`Self::SEARCHED`] holds folded text, matched with `LIKE` and the folded `q`
    /// (titles and names); otherwise it is matched with `ILIKE` and `q` as given (subjects).
    const FOLDED: bool = true;
    /// Whether `row_counts` (migration 0003) counts the table.
    const ROW_COUNTS: bool = true;
    /// A sort field as an SQL expression.
    fn column(field: Self::Field) -> &'static str;
    /// Binds a cursor value of `field`, typed as the column is.
    fn bind(sql: &mut Sql, field: Self::Field, value: &SortValue);
    /// Writes ` AND …` for each filter that is set.
    fn push_conditions(&self, sql: &mut Sql);
}

impl Listing for MovieFilter {
    const TABLE: &'static str = "movies";
    const COLUMNS: &'static str = "m.id, m.title, m.release_date";
    const SEARCHED: &'static str = "m.title_folded";

    fn column(field: MovieField) -> &'static str {
        match field {
            MovieField::Id => "m.id",
            MovieField::Title => "m.title COLLATE \"C\"",
            MovieField::ReleaseDate => "m.release_date",
        }
    }

    fn bind(sql: &mut Sql, _field: MovieField, value: &SortValue) {
        bind_value(sql, value);
    }

    fn push_conditions(&self, sql: &mut Sql) {
        if let Some(from) = self.released_from() {
            sql.push(" AND m.release_date >= ").push_bind(from.date());
        }
        if let Some(to) = self.released_to() {
            sql.push(" AND m.release_date <= ").push_bind(to.date());
        }
        let actors: Vec<i64> = self.actors().iter().map(|a| a.get()).collect();
        if !actors.is_empty() {
            let len = actors.len() as i64;
            sql.push(" AND m.id IN (SELECT movie_id FROM actors_movies WHERE actor_id = ANY(")
                .push_bind(actors)
                .push(") GROUP BY movie_id HAVING count(*) = ")
                .push_bind(len)
                .push(")");
        }
    }
}

impl Listing for ActorFilter {
    const TABLE: &'static str = "actors";
    const COLUMNS: &'static str = "m.id, m.name, m.age, m.gender";
    const SEARCHED: &'static str = "m.name_folded";

    fn column(field: ActorField) -> &'static str {
        match field {
            ActorField::Id => "m.id",
            ActorField::Name => "m.name COLLATE \"C\"",
            ActorField::Age => "m.age",
        }
    }

    fn bind(sql: &mut Sql, field: ActorField, value: &SortValue) {
        match (field, value) {
            // `age` is a smallint: a smallint parameter keeps the comparison on its index. A
            // forged cursor's age out of range sorts past every age, as it would compare.
            (ActorField::Age, SortValue::Int(years)) => {
                let years =
                    i16::try_from(*years).unwrap_or(if *years < 0 { i16::MIN } else { i16::MAX });
                sql.push_bind(years);
            }
            _ => bind_value(sql, value),
        }
    }

    fn push_conditions(&self, sql: &mut Sql) {
        if !self.genders().is_empty() {
            let genders: Vec<String> = self.genders().iter().map(|g| g.to_string()).collect();
            sql.push(" AND m.gender = ANY(")
                .push_bind(genders)
                .push(")");
        }
        if let Some(min) = self.age_min() {
            sql.push(" AND m.age >= ").push_bind(min.get() as i16);
        }
        if let Some(max) = self.age_max() {
            sql.push(" AND m.age <= ").push_bind(max.get() as i16);
        }
        let movies: Vec<i64> = self.movies().iter().map(|m| m.get()).collect();
        if !movies.is_empty() {
            let len = movies.len() as i64;
            sql.push(" AND m.id IN (SELECT actor_id FROM actors_movies WHERE movie_id = ANY(")
                .push_bind(movies)
                .push(") GROUP BY actor_id HAVING count(*) = ")
                .push_bind(len)
                .push(")");
        }
    }
}

impl Listing for AuditFilter {
    const TABLE: &'static str = "audit_entries";
    // Only entries with their place in the log (`audit_entries`, `log.rs`); an entry's public
    // number is its position, and `m.position` again so that the outer statement orders by it.
    const COLUMNS: &'static str = "m.position AS id, m.at, m.subject, m.resource, m.resource_id, \
         m.action, m.fields, m.version, m.changes::text AS changes, m.position";
    const SEARCHED: &'static str = "m.subject";
    const FOLDED: bool = false;
    const ROW_COUNTS: bool = false;

    fn column(_field: AuditField) -> &'static str {
        "m.position"
    }

    fn bind(sql: &mut Sql, _field: AuditField, value: &SortValue) {
        bind_value(sql, value);
    }

    fn push_conditions(&self, sql: &mut Sql) {
        match (self.resource(), self.id()) {
            (Some(kind), _) => {
                sql.push(" AND m.resource = ").push_bind(resource(kind));
            }
            // Both kinds, so that the `(resource, resource_id, id)` index serves the id.
            (None, Some(_)) => {
                sql.push(" AND m.resource IN ('movie', 'actor')");
            }
            (None, None) => {}
        }
        if let Some(id) = self.id() {
            sql.push(" AND m.resource_id = ").push_bind(id);
        }
        if let Some(subject) = self.subject() {
            sql.push(" AND m.subject = ").push_bind(subject.to_owned());
        }
    }
}

fn bind_value(sql: &mut Sql, value: &SortValue) {
    match value {
        SortValue::Int(n) => sql.push_bind(*n),
        SortValue::Text(text) => sql.push_bind(text.clone()),
        SortValue::Date(date) => sql.push_bind(date.date()),
    };
}

/// `q` (folded) as a `LIKE` pattern: `\`, `%` and `_` escaped, then wrapped in `%`.
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

/// ` AND …` for `q` and the filters: what decides whether a record is in the list at all.
fn push_matches<F: Listing>(sql: &mut Sql, query: &ListQuery<F>) {
    if F::FOLDED {
        if let Some(q) = query.q_folded() {
            sql.push(" AND ")
                .push(F::SEARCHED)
                .push(" LIKE ")
                .push_bind(contains_pattern(&q));
        }
    } else if let Some(q) = query.q() {
        sql.push(" AND ")
            .push(F::SEARCHED)
            .push(" ILIKE ")
            .push_bind(contains_pattern(q));
    }
    query.filter().push_conditions(sql);
}

fn push_order<F: Listing>(sql: &mut Sql, sort: &Sort<F::Field>) {
    for (i, key) in sort.keys().iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push(F::column(key.field)).push(match key.direction {
            Direction::Ascending => " ASC",
            Direction::Descending => " DESC",
        });
    }
}

/// ` AND` the records strictly after `values` in the sort's order. When every key runs one
/// way, a row comparison, which an index on the keys answers as a range; otherwise the first
/// key's bound (for the index) and the expanded comparison.
fn push_after<F: Listing>(sql: &mut Sql, sort: &Sort<F::Field>, values: &[SortValue]) {
    let keys = sort.keys();
    let beyond = |direction| match direction {
        Direction::Ascending => " > ",
        Direction::Descending => " < ",
    };
    if let Some(direction) = sort.uniform_direction() {
        sql.push(" AND (");
        for (i, key) in keys.iter().enumerate() {
            sql.push(if i > 0 { ", " } else { "" })
                .push(F::column(key.field));
        }
        sql.push(")").push(beyond(direction)).push("(");
        for (i, (key, value)) in keys.iter().zip(values).enumerate() {
            sql.push(if i > 0 { ", " } else { "" });
            F::bind(sql, key.field, value);
        }
        sql.push(")");
        return;
    }
    let first = keys[0];
    sql.push(" AND ")
        .push(F::column(first.field))
        .push(match first.direction {
            Direction::Ascending => " >= ",
            Direction::Descending => " <= ",
        });
    F::bind(sql, first.field, &values[0]);
    // k1 > v1 OR (k1 = v1 AND (k2 > v2 OR (k2 = v2 AND k3 > v3)))
    sql.push(" AND ");
    let last = keys.len() - 1;
    for (i, (key, value)) in keys.iter().zip(values).enumerate() {
        sql.push("(")
            .push(F::column(key.field))
            .push(beyond(key.direction));
        F::bind(sql, key.field, value);
        if i < last {
            sql.push(" OR (").push(F::column(key.field)).push(" = ");
            F::bind(sql, key.field, value);
            sql.push(" AND ");
        }
    }
    for i in 0..keys.len() {
        sql.push(if i < last { "))" } else { ")" });
    }
}

/// The whole statement: `total` on every line, then the page's records (one line of NULLs
/// but the total when the page is empty).
fn statement<F: Listing>(query: &ListQuery<F>) -> Sql {
    statement_after(String::new(), query)
}

/// [`statement`] after `prefix` (an `EXPLAIN …`).
fn statement_after<F: Listing>(prefix: String, query: &ListQuery<F>) -> Sql {
    let mut sql = Sql::new(prefix);
    sql.push("SELECT t.total, ");
    sql.push(F::COLUMNS).push(" FROM (SELECT ");
    match (query.count(), query.is_filtered()) {
        (Count::Skip, _) => {
            sql.push("NULL::bigint");
        }
        (Count::Exact, false) if F::ROW_COUNTS => {
            sql.push("(SELECT sum(n)::bigint FROM row_counts WHERE table_name = '")
                .push(F::TABLE)
                .push("')");
        }
        (Count::Exact, _) => {
            sql.push("(SELECT count(*) FROM ")
                .push(F::TABLE)
                .push(" AS m WHERE true");
            push_matches(&mut sql, query);
            sql.push(")");
        }
    }
    sql.push(" AS total) AS t LEFT JOIN LATERAL (SELECT ")
        .push(F::COLUMNS)
        .push(" FROM ")
        .push(F::TABLE)
        .push(" AS m WHERE true");
    push_matches(&mut sql, query);
    if let Some(values) = query.after_values() {
        push_after::<F>(&mut sql, query.sort(), values);
    }
    sql.push(" ORDER BY ");
    push_order::<F>(&mut sql, query.sort());
    sql.push(" LIMIT ").push_bind(i64::from(query.limit()));
    if query.offset() > 0 {
        let offset = i64::try_from(query.offset()).unwrap_or(i64::MAX);
        sql.push(" OFFSET ").push_bind(offset);
    }
    sql.push(") AS m ON true ORDER BY ");
    push_order::<F>(&mut sql, query.sort());
    sql
}

/// Runs the statement and builds the page. Search text and filter values are never recorded:
/// the span is `debug`, and even there holds only the shape of the query.
#[instrument(
    name = "list",
    level = "debug",
    skip_all,
    fields(table = F::TABLE, page = query.page(), per_page = query.per_page(),
           filtered = query.is_filtered(), sort = %query.sort().to_param(),
           after = query.after_values().is_some()),
    err(level = "debug")
)]
async fn fetch_page<F, L>(
    pool: &PgPool,
    query: &ListQuery<F>,
    total_of: impl Fn(&L) -> Option<i64>,
    item: impl Fn(L) -> Result<Option<<F::Field as SortField>::Item>>,
) -> Result<Page<<F::Field as SortField>::Item>>
where
    F: Listing,
    L: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut sql = statement(query);
    let mut conn = connection(pool).await?;
    let lines: Vec<L> = sql
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let total = lines
        .first()
        .and_then(&total_of)
        .map(|total| u64::try_from(total).unwrap_or_default());
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        items.extend(item(line)?);
    }
    Ok(query.page_of(items, total))
}

/// The plan PostgreSQL runs a list with, as `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)` prints it.
#[cfg(feature = "testing")]
pub(crate) async fn explain<F: Listing>(
    pool: &PgPool,
    query: &ListQuery<F>,
) -> std::result::Result<Vec<String>, sqlx::Error> {
    let mut sql = statement_after(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) ".to_owned(),
        query,
    );
    sql.build_query_scalar().fetch_all(pool).await
}

/// A page of movies.
pub(crate) async fn movies(
    pool: &PgPool,
    query: &ListQuery<MovieFilter>,
) -> Result<Page<MovieSummary>> {
    fetch_page(
        pool,
        query,
        |l: &MovieListLine| l.total,
        MovieListLine::into_item,
    )
    .await
}

/// A page of actors.
pub(crate) async fn actors(
    pool: &PgPool,
    query: &ListQuery<ActorFilter>,
) -> Result<Page<ActorSummary>> {
    fetch_page(
        pool,
        query,
        |l: &ActorListLine| l.total,
        ActorListLine::into_item,
    )
    .await
}

/// A page of the audit trail, newest first.
pub(crate) async fn audit(
    pool: &PgPool,
    query: &ListQuery<AuditFilter>,
) -> Result<Page<AuditEntry>> {
    let mut page = fetch_page(
        pool,
        query,
        |l: &AuditListLine| l.total,
        AuditListLine::into_item,
    )
    .await?;
    crate::trail::expand(pool, &mut page.items).await?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use casting_core::{MovieQuery, Sort};

    use super::*;

    #[test]
    fn patterns_escape_wildcards_and_backslash() {
        assert_eq!(contains_pattern("star"), "%star%");
        assert_eq!(contains_pattern("100%"), "%100\\%%");
        assert_eq!(contains_pattern("a_b"), "%a\\_b%");
        assert_eq!(contains_pattern(r"C:\x"), r"%C:\\x%");
    }

    fn sql_of(query: &MovieQuery) -> String {
        statement(query).into_string()
    }

    #[test]
    fn statements_hold_only_what_the_query_has() {
        let plain = sql_of(&MovieQuery::default());
        assert!(plain.contains("row_counts"), "{plain}");
        assert!(
            !plain.contains("LIKE") && !plain.contains("OFFSET"),
            "{plain}"
        );

        let first = MovieQuery::default().with_sort(Sort::parse("-title").unwrap());
        let next = first.cursor_after(&casting_core::MovieSummary {
            id: casting_core::MovieId(4),
            title: casting_core::Title::parse("T").unwrap(),
            release_date: casting_core::ReleaseDate::parse("2000-01-01").unwrap(),
        });
        let after = sql_of(&first.clone().after(&next).unwrap());
        assert!(
            after.contains(r#"AND (m.title COLLATE "C", m.id) < ($1, $2)"#),
            "{after}"
        );

        let mixed = MovieQuery::default().with_sort(Sort::parse("title,-release_date").unwrap());
        let next = mixed.cursor_after(&casting_core::MovieSummary {
            id: casting_core::MovieId(4),
            title: casting_core::Title::parse("T").unwrap(),
            release_date: casting_core::ReleaseDate::parse("2000-01-01").unwrap(),
        });
        let mixed = sql_of(&mixed.clone().after(&next).unwrap());
        assert!(
            mixed.contains(
                r#"AND m.title COLLATE "C" >= $1 AND (m.title COLLATE "C" > $2 OR (m.title COLLATE "C" = $3 AND (m.release_date < $4 OR (m.release_date = $5 AND (m.id < $6)))))"#
            ),
            "{mixed}"
        );
        let uncounted = sql_of(
            &MovieQuery::new(3, 10, None)
                .unwrap()
                .with_count(Count::Skip),
        );
        assert!(uncounted.contains("NULL::bigint") && uncounted.contains("OFFSET"));
    }
}
