//! sqlx errors turned into the core's errors, with the sqlx error kept as the source.

use casting_core::{Error, FieldError, ResourceKind};
use sqlx::migrate::MigrateError;

/// Classifies a sqlx error: connection trouble is `Unavailable`, a constraint the database
/// enforces is a domain error, anything else is `Internal`.
pub(crate) fn from_sqlx(err: sqlx::Error) -> Error {
    let (code, constraint) = match &err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => return Error::unavailable(err),
        sqlx::Error::Database(db) => (
            db.code().map(|c| c.into_owned()).unwrap_or_default(),
            db.constraint().unwrap_or_default().to_owned(),
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
        // Relation ids are checked under lock before any insert, so this means a writer outside
        // this store raced us; report it as the domain error it is.
        "23503" if constraint.contains("actor_id") => Error::UnknownRelations {
            kind: ResourceKind::Actor,
            ids: Vec::new(),
        },
        "23503" if constraint.contains("movie_id") => Error::UnknownRelations {
            kind: ResourceKind::Movie,
            ids: Vec::new(),
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
