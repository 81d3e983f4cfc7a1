//! What a database holds: whose schema, how many rows, and which rows break a rule.

use casting_core::{Age, Name, Title};
use sqlx::PgConnection;

use super::AdoptError;

/// The original Flask app's columns, as `information_schema.columns` describes them:
/// `(table, column, data type, default)`.
const ORIGINAL: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "actors",
        "id",
        "integer",
        Some("nextval('actors_id_seq'::regclass)"),
    ),
    ("actors", "name", "character varying", None),
    ("actors", "age", "integer", None),
    ("actors", "gender", "gender_enum", None),
    ("actors_movies", "actor_id", "integer", None),
    ("actors_movies", "movie_id", "integer", None),
    (
        "movies",
        "id",
        "integer",
        Some("nextval('movies_id_seq'::regclass)"),
    ),
    ("movies", "title", "character varying", None),
    ("movies", "release_date", "date", None),
];

/// Whose schema a database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schema {
    /// The original Flask app's tables, exactly.
    Original,
    /// This server's: its migrations have run.
    Ours,
    /// Neither table set: an empty database.
    Empty,
}

/// Which schema the database holds, or why it is neither.
pub(crate) async fn schema(conn: &mut PgConnection) -> Result<Schema, AdoptError> {
    let (ours, movies): (bool, bool) = sqlx::query_as(
        "SELECT to_regclass('_sqlx_migrations') IS NOT NULL, to_regclass('movies') IS NOT NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    if ours {
        return Ok(Schema::Ours);
    }
    let columns: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text,
                CASE WHEN data_type = 'USER-DEFINED' THEN udt_name::text ELSE data_type::text END,
                column_default::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = current_schema()
           AND table_name IN ('movies', 'actors', 'actors_movies')
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await?;
    if columns.is_empty() && !movies {
        return Ok(Schema::Empty);
    }
    let found: Vec<(&str, &str, &str, Option<&str>)> = columns
        .iter()
        .map(|(t, c, ty, d, _)| (t.as_str(), c.as_str(), ty.as_str(), d.as_deref()))
        .collect();
    if found != ORIGINAL {
        let differences: Vec<String> = ORIGINAL
            .iter()
            .filter(|want| !found.contains(want))
            .map(|(t, c, ty, _)| format!("expected {t}.{c} {ty}"))
            .chain(
                found
                    .iter()
                    .filter(|got| !ORIGINAL.contains(got))
                    .map(|(t, c, ty, _)| format!("found {t}.{c} {ty}")),
            )
            .collect();
        let differences = if differences.is_empty() {
            "the columns are in another order".to_owned()
        } else {
            differences.join("; ")
        };
        return Err(AdoptError::UnknownSchema(differences));
    }
    if let Some((table, column, ..)) = columns.iter().find(|c| c.4 != "NO") {
        return Err(AdoptError::UnknownSchema(format!(
            "{table}.{column} allows NULL"
        )));
    }
    let labels: Vec<String> = sqlx::query_scalar(
        "SELECT e.enumlabel::text FROM pg_enum AS e JOIN pg_type AS t ON t.oid = e.enumtypid
         WHERE t.typname = 'gender_enum' ORDER BY e.enumsortorder",
    )
    .fetch_all(&mut *conn)
    .await?;
    if labels != ["MALE", "FEMALE"] {
        return Err(AdoptError::UnknownSchema(format!(
            "gender_enum holds {labels:?}, not [\"MALE\", \"FEMALE\"]"
        )));
    }
    Ok(Schema::Original)
}

/// A row that breaks a rule, or whose text only needs trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// `movie` or `actor`.
    pub(crate) kind: &'static str,
    /// The row's id.
    pub(crate) id: i64,
    /// The field.
    pub(crate) field: &'static str,
    /// `None`: the value only needs trimming, to `trimmed`. `Some`: the rule it breaks.
    pub(crate) broken: Option<String>,
    /// The trimmed text (for a field that only needs trimming).
    pub(crate) trimmed: Option<String>,
}

/// Every finding, movies then actors, each by id then field.
pub(crate) async fn findings(conn: &mut PgConnection) -> Result<Vec<Finding>, AdoptError> {
    let mut findings = Vec::new();
    // Only rows that can break a rule are read: any edge, length or control character.
    let suspects = "char_length({c}) NOT BETWEEN 1 AND 200 OR {c} ~ '[[:cntrl:]]'
                    OR {c} ~ '^[[:space:]]' OR {c} ~ '[[:space:]]$'
                    OR {c} ~ '^[^[:alnum:][:punct:]]' OR {c} ~ '[^[:alnum:][:punct:]]$'";
    let titles: Vec<(i32, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, title FROM movies WHERE {} ORDER BY id",
        suspects.replace("{c}", "title")
    )))
    .fetch_all(&mut *conn)
    .await?;
    let dates: Vec<(i32, String)> = sqlx::query_as(
        "SELECT id, release_date::text FROM movies
         WHERE release_date NOT BETWEEN DATE '0001-01-01' AND DATE '9999-12-31' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let names: Vec<(i32, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, name FROM actors WHERE {} ORDER BY id",
        suspects.replace("{c}", "name")
    )))
    .fetch_all(&mut *conn)
    .await?;
    let ages: Vec<(i32, i32)> =
        sqlx::query_as("SELECT id, age FROM actors WHERE age NOT BETWEEN 0 AND 150 ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;

    let text = |kind, id: i32, field, raw: &str, parsed: Result<String, String>| match parsed {
        Ok(clean) if clean == raw => None,
        Ok(clean) => Some(Finding {
            kind,
            id: i64::from(id),
            field,
            broken: None,
            trimmed: Some(clean),
        }),
        Err(rule) => Some(Finding {
            kind,
            id: i64::from(id),
            field,
            broken: Some(rule),
            trimmed: None,
        }),
    };
    let mut movies: Vec<Finding> = titles
        .iter()
        .filter_map(|(id, raw)| {
            let parsed = Title::parse(raw)
                .map(|t| t.as_str().to_owned())
                .map_err(|e| e.message.into_owned());
            text("movie", *id, "title", raw, parsed)
        })
        .collect();
    movies.extend(dates.iter().map(|(id, date)| Finding {
        kind: "movie",
        id: i64::from(*id),
        field: "release_date",
        broken: Some(format!("must be in the years 0001 to 9999 (got {date})")),
        trimmed: None,
    }));
    movies.sort_by_key(|f| f.id);
    let mut actors: Vec<Finding> = names
        .iter()
        .filter_map(|(id, raw)| {
            let parsed = Name::parse(raw)
                .map(|n| n.as_str().to_owned())
                .map_err(|e| e.message.into_owned());
            text("actor", *id, "name", raw, parsed)
        })
        .collect();
    actors.extend(ages.iter().filter_map(|(id, age)| {
        Age::parse(i64::from(*age)).err().map(|e| Finding {
            kind: "actor",
            id: i64::from(*id),
            field: "age",
            broken: Some(e.message.into_owned()),
            trimmed: None,
        })
    }));
    actors.sort_by_key(|f| f.id);
    findings.extend(movies);
    findings.extend(actors);
    Ok(findings)
}

/// Row counts: movies, actors, links.
pub(crate) async fn counts(conn: &mut PgConnection) -> Result<(i64, i64, i64), AdoptError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM movies), (SELECT count(*) FROM actors),
                (SELECT count(*) FROM actors_movies)",
    )
    .fetch_one(conn)
    .await?)
}
