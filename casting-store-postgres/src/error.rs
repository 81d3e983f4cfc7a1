//! sqlx errors turned into the core's [`StoreError`], with the sqlx error kept as the source.

use casting_core::{FieldError, ResourceKind, StoreError as Error, UnknownIds};
use sqlx::migrate::MigrateError;
use sqlx::postgres::PgDatabaseError;

/// Classifies a sqlx error: connection trouble is `Unavailable`, a constraint the database
/// enforces is a domain error, anything else is `Internal`.
pub(crate) fn from_sqlx(err: sqlx::Error) -> Error {
    let (code, constraint, detail) = match &err {
        sqlx::Error::PoolTimedOut => {
            // A request that waited for a connection the whole acquire timeout.
            metrics::counter!("casting_db_pool_timeouts_total").increment(1);
            return Error::unavailable(err);
        }
        sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => return Error::unavailable(err),
        sqlx::Error::Database(db) => (
            db.code().map(|c| c.into_owned()).unwrap_or_default(),
            db.constraint().unwrap_or_default().to_owned(),
            db.try_downcast_ref::<PgDatabaseError>()
                .and_then(PgDatabaseError::detail)
                .map(str::to_owned),
        ),
        _ => return Error::internal(err),
    };
    match code.as_str() {
        // Connection exceptions, shutdowns, too many connections, and transient conflicts that a
        // retry resolves.
        c if c.starts_with("08") => Error::unavailable(err),
        "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01" => Error::unavailable(err),
        // A CHECK constraint mirrors a domain rule: name the field it guards.
        "23514" => Error::Invalid(vec![FieldError::new(
            field_of(&constraint),
            "breaks a rule the database enforces",
        )]),
        // Relation ids are checked before any insert (under lock, except a movie create's
        // actors, which the key itself holds), so this means the record was deleted since, or
        // a writer outside this store raced us; report it as the domain error it is, naming
        // the id PostgreSQL names (or, if it names none, as the internal error it then is).
        "23503" => match foreign_key_violation(&constraint, detail.as_deref()) {
            Some((kind, ids)) => Error::UnknownRelations { kind, ids },
            None => Error::internal(err),
        },
        // Data exceptions: a value the column cannot hold.
        c if c.starts_with("22") => Error::Invalid(vec![FieldError::new(
            "input",
            "holds a value the database cannot store",
        )]),
        _ => Error::internal(err),
    }
}

/// `movies_title_check` -> `title`.
fn field_of(constraint: &str) -> String {
    let field = constraint
        .strip_suffix("_check")
        .unwrap_or(constraint)
        .trim_start_matches("movies_")
        .trim_start_matches("actors_");
    if field.is_empty() {
        "input".to_owned()
    } else {
        field.to_owned()
    }
}

/// The kind and id of a link that named a missing record, from a foreign-key violation on the
/// link table: the constraint names the column, the detail the value
/// (`Key (actor_id)=(42) is not present in table "actors".`).
fn foreign_key_violation(
    constraint: &str,
    detail: Option<&str>,
) -> Option<(ResourceKind, UnknownIds)> {
    let kind = if constraint.contains("actor_id") {
        ResourceKind::Actor
    } else if constraint.contains("movie_id") {
        ResourceKind::Movie
    } else {
        return None;
    };
    let value = detail?.split_once(")=(")?.1.split_once(')')?.0;
    let id = value.parse::<i64>().ok()?;
    Some((kind, UnknownIds::new([id])?))
}

pub(crate) fn from_migrate(err: MigrateError) -> Error {
    match err {
        MigrateError::Execute(err) => from_sqlx(err),
        other => Error::internal(other),
    }
}

/// A stored value that breaks a domain rule: the database was written by someone else.
pub(crate) fn corrupt(err: FieldError) -> Error {
    Error::internal(format!("stored value breaks a domain rule: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_map_to_fields() {
        assert_eq!(field_of("movies_title_check"), "title");
        assert_eq!(field_of("actors_age_check"), "age");
        assert_eq!(field_of("movies_release_date_check"), "release_date");
        assert_eq!(field_of(""), "input");
    }

    #[test]
    fn foreign_key_violations_name_the_missing_id() {
        let (kind, ids) = foreign_key_violation(
            "actors_movies_actor_id_fkey",
            Some(r#"Key (actor_id)=(42) is not present in table "actors"."#),
        )
        .expect("parsed");
        assert_eq!((kind, ids.as_slice()), (ResourceKind::Actor, &[42][..]));
        assert!(foreign_key_violation("actors_movies_movie_id_fkey", None).is_none());
        assert!(foreign_key_violation("other_fkey", Some("Key (x)=(1)")).is_none());
    }

    #[test]
    fn pool_timeouts_are_unavailable() {
        assert!(matches!(
            from_sqlx(sqlx::Error::PoolTimedOut),
            Error::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlx(sqlx::Error::PoolClosed),
            Error::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlx(sqlx::Error::RowNotFound),
            Error::Internal(_)
        ));
    }
}
