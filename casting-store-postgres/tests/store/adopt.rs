//! Adopting the Flask app's database (`casting_store_postgres::adopt`), on real PostgreSQL, a
//! database per test.

use std::process::Command;

use casting_core::{Age, Gender, MovieId, Name, NewActor, NewMovie, ReleaseDate, Store, Title};
use casting_store_postgres::testing::{self, FLASK_SCHEMA};
use casting_store_postgres::{AdoptError, AdoptOptions, PoolSettings, PostgresStore, adopt};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

/// Rows that cover every case: good, to trim, and each rule broken; movie 9 was deleted, so
/// the next movie id is 10.
const ROWS: &str = r"
    INSERT INTO movies (title, release_date) VALUES
        ('Alien', '1979-05-25'),
        ('  Padded Title ', '2000-01-01'),
        ('', '2000-01-01'),
        ('   ', '2000-01-01'),
        (repeat('x', 201), '2000-01-01'),
        (E'Bell\u0007Title', '2000-01-01'),
        ('Far Future', '10000-01-01'),
        ('Ides', '0044-03-15 BC'),
        ('Deleted', '2000-01-01');
    DELETE FROM movies WHERE id = 9;
    INSERT INTO actors (name, age, gender) VALUES
        ('Sigourney Weaver', 40, 'FEMALE'),
        (' Padded Name ', 30, 'MALE'),
        ('', 30, 'MALE'),
        ('Too Old', 200, 'FEMALE'),
        ('Negative', -1, 'MALE'),
        (repeat('n', 201), 30, 'FEMALE');
    INSERT INTO actors_movies (actor_id, movie_id) VALUES
        (1, 1), (2, 1), (1, 2), (2, 2), (1, 3), (4, 1), (5, 7), (6, 8);
";

struct Flask {
    name: String,
    admin: PgConnectOptions,
    pool: PgPool,
}

impl Flask {
    async fn new(rows: &str) -> Option<Self> {
        let (name, admin, options) = testing::empty_database().await?;
        let pool = PoolSettings::default()
            .pool_options()
            .connect_with(options)
            .await
            .expect("connect");
        sqlx::raw_sql(FLASK_SCHEMA)
            .execute(&pool)
            .await
            .expect("schema");
        sqlx::raw_sql(sqlx::AssertSqlSafe(rows.to_owned()))
            .execute(&pool)
            .await
            .expect("rows");
        Some(Self { name, admin, pool })
    }

    /// `pg_dump` of the whole database: schema and data.
    fn dump(&self) -> String {
        let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
        let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
        let out = Command::new("pg_dump")
            .arg("--no-owner")
            .arg(format!("{base}/{}", self.name))
            .output()
            .expect("pg_dump runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // pg_dump 15.14 and later bracket the dump with a random `\restrict` key.
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    async fn finish(self) {
        self.pool.close().await;
        testing::drop_named(&self.admin, &self.name).await;
    }
}

const DRY: AdoptOptions = AdoptOptions {
    apply: false,
    quarantine: false,
};

fn findings() -> Vec<&'static str> {
    vec![
        "schema: the original Flask app's (movies, actors, actors_movies, gender_enum)",
        "rows: 8 movies, 6 actors, 8 links",
        "trim: movie 2 title",
        "breaks a rule: movie 3 title: must not be blank",
        "breaks a rule: movie 4 title: must not be blank",
        "breaks a rule: movie 5 title: must be at most 200 characters (got 201)",
        "breaks a rule: movie 6 title: must not contain control characters",
        "breaks a rule: movie 7 release_date: must be in the years 0001 to 9999 (got 10000-01-01)",
        "breaks a rule: movie 8 release_date: must be in the years 0001 to 9999 (got 0044-03-15 BC)",
        "trim: actor 2 name",
        "breaks a rule: actor 3 name: must not be blank",
        "breaks a rule: actor 4 age: must be between 0 and 150 (got 200)",
        "breaks a rule: actor 5 age: must be between 0 and 150 (got -1)",
        "breaks a rule: actor 6 name: must be at most 200 characters (got 201)",
    ]
}

#[tokio::test]
async fn a_dry_run_reports_line_by_line_and_changes_nothing() {
    let Some(db) = Flask::new(ROWS).await else {
        return;
    };
    let before = db.dump();
    let report = adopt(&db.pool, DRY).await.expect("a report");
    let mut expected = findings();
    expected.push(
        "stop: 10 value(s) break a rule: fix them, or run again with --quarantine to move \
         those rows and their links to quarantine_* tables",
    );
    assert_eq!(report.lines, expected);

    let with_quarantine = AdoptOptions {
        apply: false,
        quarantine: true,
    };
    let report = adopt(&db.pool, with_quarantine).await.expect("a report");
    let mut expected: Vec<String> = findings().into_iter().map(str::to_owned).collect();
    expected.extend([
        "step 1: trim leading and trailing whitespace from 1 title(s) and 1 name(s)".to_owned(),
        "step 2: move movies [3, 4, 5, 6, 7, 8] and actors [3, 4, 5, 6], and their 4 link(s), \
         to quarantine_movies, quarantine_actors and quarantine_actors_movies"
            .to_owned(),
        "step 3: movies: id to a bigint identity that continues at 10; title to text; drop \
         index ix_movies_id and sequence movies_id_seq; add the checks of migration 1"
            .to_owned(),
        "step 4: actors: id to a bigint identity that continues at 7; name to text; age to \
         smallint; gender MALE to Male and FEMALE to Female, as text; drop index ix_actors_id, \
         sequence actors_id_seq and type gender_enum; add the checks of migration 1"
            .to_owned(),
        "step 5: actors_movies: rebuilt as migration 1 makes it (bigint ids, primary key \
         (movie_id, actor_id), links deleted with either side, an index on (actor_id, \
         movie_id)), every link kept"
            .to_owned(),
    ]);
    let migrations: Vec<_> = casting_store_postgres::MIGRATOR.iter().collect();
    for (i, m) in migrations.iter().skip(1).enumerate() {
        expected.push(format!(
            "step {}: migration {} ({})",
            i + 6,
            m.version,
            m.description
        ));
    }
    expected.push(format!(
        "step {}: record migrations 1 to {} as applied in _sqlx_migrations",
        migrations.len() + 5,
        migrations.len()
    ));
    expected.push("dry run: nothing was changed; run again with --apply to do this".to_owned());
    assert_eq!(report.lines, expected);
    assert_eq!(db.dump(), before, "a dry run changes nothing");

    // Applying without quarantine stops, and changes nothing either.
    let stopped = adopt(
        &db.pool,
        AdoptOptions {
            apply: true,
            quarantine: false,
        },
    )
    .await;
    assert!(
        matches!(stopped, Err(AdoptError::RulesBroken(_))),
        "{stopped:?}"
    );
    assert_eq!(db.dump(), before);
    db.finish().await;
}

/// The catalog of this server's schema: columns, constraints, indexes, triggers, functions,
/// types, extensions and the migrations recorded.
async fn catalog(pool: &PgPool) -> Vec<String> {
    let queries = [
        "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                || ' ' || coalesce(column_default, '-') || ' ' || is_identity
                || ' ' || coalesce(identity_generation, '-')
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE 'quarantine%'
         ORDER BY table_name, ordinal_position",
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace
           AND conrelid::regclass::text NOT LIKE 'quarantine%' ORDER BY 1",
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
        "SELECT tgrelid::regclass::text || ' ' || tgname FROM pg_trigger
         WHERE NOT tgisinternal ORDER BY 1",
        "SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace
           AND prokind = 'f' AND proname LIKE 'row_counts%' ORDER BY 1",
        "SELECT typname::text FROM pg_type WHERE typnamespace = 'public'::regnamespace
           AND typtype = 'e' ORDER BY 1",
        "SELECT extname::text FROM pg_extension ORDER BY 1",
        "SELECT sequencename || ' ' || data_type::text || ' ' || start_value
         FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
        "SELECT version || ' ' || description || ' ' || encode(checksum, 'hex')
         FROM _sqlx_migrations ORDER BY version",
    ];
    let mut lines = Vec::new();
    for sql in queries {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql);
        lines.extend(rows);
    }
    lines
}

#[tokio::test]
async fn applied_with_quarantine_it_is_the_migrated_schema_with_every_id_kept() {
    let Some(db) = Flask::new(ROWS).await else {
        return;
    };
    let report = adopt(
        &db.pool,
        AdoptOptions {
            apply: true,
            quarantine: true,
        },
    )
    .await
    .expect("adopted");
    assert_eq!(
        report.lines.last().map(String::as_str),
        Some("applied: the database now has this server's schema; start the server")
    );

    let fresh = testing::fresh().await.expect("a fresh database");
    assert_eq!(catalog(&db.pool).await, catalog(fresh.store.pool()).await);
    fresh.drop_database().await;

    let movies: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, release_date::text FROM movies ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        movies,
        [
            (1, "Alien".into(), "1979-05-25".into()),
            (2, "Padded Title".into(), "2000-01-01".into())
        ]
    );
    let actors: Vec<(i64, String, i16, String)> =
        sqlx::query_as("SELECT id, name, age, gender FROM actors ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        actors,
        [
            (1, "Sigourney Weaver".into(), 40, "Female".into()),
            (2, "Padded Name".into(), 30, "Male".into())
        ]
    );
    let links: Vec<(i64, i64, i32)> =
        sqlx::query_as("SELECT movie_id, actor_id, billing FROM actors_movies ORDER BY 1, 2")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(links, [(1, 1, 1), (1, 2, 2), (2, 1, 1), (2, 2, 2)]);
    let quarantined: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM quarantine_movies), (SELECT count(*) FROM quarantine_actors),
                (SELECT count(*) FROM quarantine_actors_movies)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(quarantined, (6, 4, 4), "nothing is deleted");

    // The store works on it, and new ids continue after the highest the Flask app handed out.
    let store = PostgresStore::new(db.pool.clone());
    store.migrate().await.expect("migrations are all recorded");
    let movie = store
        .create_movie(
            NewMovie::new(
                Title::parse("New").unwrap(),
                ReleaseDate::parse("2025-01-01").unwrap(),
            )
            .with_actors(vec![casting_core::ActorId(1)]),
            &casting_core::Edit::now("test|adopt"),
            None,
        )
        .await
        .unwrap()
        .record;
    assert_eq!(movie.id, MovieId(10));
    let actor = store
        .create_actor(
            NewActor::new(
                Name::parse("New").unwrap(),
                Age::parse(1).unwrap(),
                Gender::Other,
            )
            .with_movies(vec![MovieId(1)]),
            &casting_core::Edit::now("test|adopt"),
            None,
        )
        .await
        .unwrap()
        .record;
    assert_eq!(actor.id.get(), 7);
    assert_eq!(store.get_movie(MovieId(1)).await.unwrap().actors.len(), 3);
    assert_eq!(
        store.list_movies(&Default::default()).await.unwrap().total,
        Some(3)
    );

    // Twice is refused, cleanly.
    assert!(matches!(
        adopt(&db.pool, DRY).await,
        Err(AdoptError::AlreadyAdopted)
    ));
    db.finish().await;
}

#[tokio::test]
async fn a_failure_halfway_leaves_the_database_as_it_was() {
    // A table in the way of the step that sets the old link table aside: by then the texts
    // were trimmed and the bad rows moved, all in the transaction.
    let rows = format!("{ROWS} CREATE TABLE actors_movies_original (x int);");
    let Some(db) = Flask::new(&rows).await else {
        return;
    };
    let before = db.dump();
    let failed = adopt(
        &db.pool,
        AdoptOptions {
            apply: true,
            quarantine: true,
        },
    )
    .await;
    assert!(matches!(failed, Err(AdoptError::Database(_))), "{failed:?}");
    assert_eq!(db.dump(), before, "rolled back, byte for byte");
    db.finish().await;
}

#[tokio::test]
async fn the_server_refuses_an_unadopted_flask_database_naming_adopt() {
    let Some(db) = Flask::new("").await else {
        return;
    };
    let before = db.dump();
    let error = casting_store_postgres::migrate(&db.pool)
        .await
        .expect_err("refused");
    let mut said = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        said.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert!(said.contains("casting-server adopt"), "{said}");
    assert_eq!(db.dump(), before);
    // Another schema is refused by adopt, naming the difference.
    sqlx::raw_sql("ALTER TABLE movies ADD COLUMN rating integer")
        .execute(&db.pool)
        .await
        .unwrap();
    match adopt(&db.pool, DRY).await {
        Err(AdoptError::UnknownSchema(difference)) => {
            assert!(difference.contains("movies.rating"), "{difference}");
        }
        other => panic!("expected UnknownSchema, got {other:?}"),
    }
    db.finish().await;
}
