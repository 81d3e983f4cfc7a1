//! The conversion itself, in the caller's transaction: each step's description and its SQL.

use sqlx::PgConnection;

use super::AdoptError;
use super::inspect::Finding;
use crate::schema::MIGRATOR;

/// What an adoption will do, decided from the inspection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Texts to trim: `(movie or actor, id, field, trimmed)`.
    pub(crate) trims: Vec<(&'static str, i64, &'static str, String)>,
    /// Movies to move to `quarantine_movies`.
    pub(crate) quarantine_movies: Vec<i64>,
    /// Actors to move to `quarantine_actors`.
    pub(crate) quarantine_actors: Vec<i64>,
    /// Links that go with them.
    pub(crate) quarantine_links: i64,
    /// The first id the identity columns hand out after adoption.
    pub(crate) next_movie: i64,
    /// The same for actors.
    pub(crate) next_actor: i64,
}

impl Plan {
    /// The plan for `findings` (quarantining the rows that break a rule, if there are any).
    pub(crate) async fn new(
        conn: &mut PgConnection,
        findings: &[Finding],
    ) -> Result<Self, AdoptError> {
        let mut plan = Self::default();
        for finding in findings {
            match (&finding.broken, &finding.trimmed) {
                (Some(_), _) if finding.kind == "movie" => {
                    plan.quarantine_movies.push(finding.id);
                }
                (Some(_), _) => plan.quarantine_actors.push(finding.id),
                (None, Some(trimmed)) => {
                    plan.trims
                        .push((finding.kind, finding.id, finding.field, trimmed.clone()));
                }
                (None, None) => {}
            }
        }
        plan.quarantine_movies.dedup();
        plan.quarantine_actors.dedup();
        plan.quarantine_links = sqlx::query_scalar(
            "SELECT count(*) FROM actors_movies
             WHERE movie_id = ANY($1::int[]) OR actor_id = ANY($2::int[])",
        )
        .bind(ids32(&plan.quarantine_movies))
        .bind(ids32(&plan.quarantine_actors))
        .fetch_one(&mut *conn)
        .await?;
        plan.next_movie = next_id(conn, "movies").await?;
        plan.next_actor = next_id(conn, "actors").await?;
        Ok(plan)
    }

    /// The steps, one line each, as the report prints them.
    pub(crate) fn steps(&self) -> Vec<String> {
        let mut steps = Vec::new();
        if !self.trims.is_empty() {
            let titles = self.trims.iter().filter(|t| t.2 == "title").count();
            let names = self.trims.len() - titles;
            steps.push(format!(
                "trim leading and trailing whitespace from {titles} title(s) and {names} name(s)"
            ));
        }
        if !self.quarantine_movies.is_empty() || !self.quarantine_actors.is_empty() {
            steps.push(format!(
                "move movies {:?} and actors {:?}, and their {} link(s), to quarantine_movies, \
                 quarantine_actors and quarantine_actors_movies",
                self.quarantine_movies, self.quarantine_actors, self.quarantine_links
            ));
        }
        steps.push(format!(
            "movies: id to a bigint identity that continues at {}; title to text; drop index \
             ix_movies_id and sequence movies_id_seq; add the checks of migration 1",
            self.next_movie
        ));
        steps.push(format!(
            "actors: id to a bigint identity that continues at {}; name to text; age to \
             smallint; gender MALE to Male and FEMALE to Female, as text; drop index \
             ix_actors_id, sequence actors_id_seq and type gender_enum; add the checks of \
             migration 1",
            self.next_actor
        ));
        steps.push(
            "actors_movies: rebuilt as migration 1 makes it (bigint ids, primary key (movie_id, \
             actor_id), links deleted with either side, an index on (actor_id, movie_id)), \
             every link kept"
                .to_owned(),
        );
        for migration in MIGRATOR.iter().filter(|m| m.version > 1) {
            steps.push(format!(
                "migration {} ({})",
                migration.version, migration.description
            ));
        }
        let last = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(1);
        steps.push(format!(
            "record migrations 1 to {last} as applied in _sqlx_migrations"
        ));
        steps
    }

    /// Runs every step in `conn`'s transaction.
    pub(crate) async fn apply(&self, conn: &mut PgConnection) -> Result<(), AdoptError> {
        for (kind, id, field, trimmed) in &self.trims {
            let sql = match (*kind, *field) {
                ("movie", _) => "UPDATE movies SET title = $2 WHERE id = $1",
                _ => "UPDATE actors SET name = $2 WHERE id = $1",
            };
            sqlx::query(sql)
                .bind(i32::try_from(*id).unwrap_or_default())
                .bind(trimmed)
                .execute(&mut *conn)
                .await?;
        }
        if !self.quarantine_movies.is_empty() || !self.quarantine_actors.is_empty() {
            sqlx::raw_sql(
                "CREATE TABLE quarantine_movies (LIKE movies);
                 CREATE TABLE quarantine_actors (id integer, name text, age integer, gender text);
                 CREATE TABLE quarantine_actors_movies (LIKE actors_movies);",
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "WITH moved_links AS (
                     DELETE FROM actors_movies
                     WHERE movie_id = ANY($1::int[]) OR actor_id = ANY($2::int[])
                     RETURNING *
                 )
                 INSERT INTO quarantine_actors_movies SELECT * FROM moved_links",
            )
            .bind(ids32(&self.quarantine_movies))
            .bind(ids32(&self.quarantine_actors))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "WITH moved AS (DELETE FROM movies WHERE id = ANY($1::int[]) RETURNING *)
                 INSERT INTO quarantine_movies SELECT * FROM moved",
            )
            .bind(ids32(&self.quarantine_movies))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "WITH moved AS (DELETE FROM actors WHERE id = ANY($1::int[]) RETURNING *)
                 INSERT INTO quarantine_actors SELECT id, name, age, gender::text FROM moved",
            )
            .bind(ids32(&self.quarantine_actors))
            .execute(&mut *conn)
            .await?;
        }
        // The old link table steps aside (its constraints would block the type changes).
        sqlx::raw_sql(
            "ALTER TABLE actors_movies RENAME TO actors_movies_original;
             ALTER TABLE actors_movies_original
                 DROP CONSTRAINT actors_movies_actor_id_fkey,
                 DROP CONSTRAINT actors_movies_movie_id_fkey,
                 DROP CONSTRAINT actors_movies_pkey;",
        )
        .execute(&mut *conn)
        .await?;
        sqlx::raw_sql(
            r#"ALTER TABLE movies ALTER COLUMN id DROP DEFAULT;
               DROP SEQUENCE movies_id_seq;
               DROP INDEX ix_movies_id;
               ALTER TABLE movies ALTER COLUMN id TYPE bigint, ALTER COLUMN title TYPE text;
               ALTER TABLE movies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
               ALTER TABLE movies
                   ADD CONSTRAINT movies_title_check CHECK (
                       char_length(title) BETWEEN 1 AND 200
                       AND title = btrim(title)
                       AND title !~ '[[:cntrl:]]'
                   ),
                   ADD CONSTRAINT movies_release_date_check CHECK (
                       release_date BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'
                   );
               ALTER TABLE actors ALTER COLUMN id DROP DEFAULT;
               DROP SEQUENCE actors_id_seq;
               DROP INDEX ix_actors_id;
               ALTER TABLE actors
                   ALTER COLUMN id TYPE bigint,
                   ALTER COLUMN name TYPE text,
                   ALTER COLUMN age TYPE smallint,
                   ALTER COLUMN gender TYPE text USING (
                       CASE gender::text WHEN 'MALE' THEN 'Male' WHEN 'FEMALE' THEN 'Female' END
                   );
               DROP TYPE gender_enum;
               ALTER TABLE actors ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
               ALTER TABLE actors
                   ADD CONSTRAINT actors_name_check CHECK (
                       char_length(name) BETWEEN 1 AND 200
                       AND name = btrim(name)
                       AND name !~ '[[:cntrl:]]'
                   ),
                   ADD CONSTRAINT actors_age_check CHECK (age BETWEEN 0 AND 150),
                   ADD CONSTRAINT actors_gender_check CHECK (gender IN ('Female', 'Male', 'Other'));
               CREATE TABLE actors_movies (
                   movie_id BIGINT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
                   actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
                   PRIMARY KEY (movie_id, actor_id)
               );
               INSERT INTO actors_movies (movie_id, actor_id)
                   SELECT movie_id, actor_id FROM actors_movies_original;
               DROP TABLE actors_movies_original;
               CREATE INDEX actors_movies_actor_id_movie_id_idx
                   ON actors_movies (actor_id, movie_id);"#,
        )
        .execute(&mut *conn)
        .await?;
        for (table, next) in [("movies", self.next_movie), ("actors", self.next_actor)] {
            sqlx::query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, false)")
                .bind(table)
                .bind(next)
                .execute(&mut *conn)
                .await?;
        }
        for migration in MIGRATOR.iter().filter(|m| m.version > 1) {
            sqlx::raw_sql(migration.sql.clone())
                .execute(&mut *conn)
                .await?;
        }
        sqlx::raw_sql(
            "CREATE TABLE _sqlx_migrations (
                 version BIGINT PRIMARY KEY,
                 description TEXT NOT NULL,
                 installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
                 success BOOLEAN NOT NULL,
                 checksum BYTEA NOT NULL,
                 execution_time BIGINT NOT NULL
             );",
        )
        .execute(&mut *conn)
        .await?;
        for migration in MIGRATOR.iter() {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum,
                                               execution_time)
                 VALUES ($1, $2, TRUE, $3, 0)",
            )
            .bind(migration.version)
            .bind(&*migration.description)
            .bind(&*migration.checksum)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

fn ids32(ids: &[i64]) -> Vec<i32> {
    ids.iter()
        .filter_map(|id| i32::try_from(*id).ok())
        .collect()
}

/// The first id after every id the table's sequence has handed out or the table holds, so no
/// id is ever reused.
async fn next_id(conn: &mut PgConnection, table: &'static str) -> Result<i64, AdoptError> {
    // `table` is one of this module's two constants, never input.
    let sql = format!(
        "SELECT greatest(
             (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END
              FROM {table}_id_seq),
             (SELECT coalesce(max(id), 0) + 1 FROM {table}))"
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(conn)
        .await?)
}
