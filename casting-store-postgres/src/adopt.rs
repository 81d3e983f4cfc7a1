//! Adopting the original Flask app's database: inspect it, report what would change, and
//! convert it in place, in one transaction, to exactly the schema this crate's migrations make,
//! keeping every id and link.
//!
//! ```no_run
//! # async fn run(pool: sqlx::PgPool) -> Result<(), casting_store_postgres::AdoptError> {
//! use casting_store_postgres::{AdoptOptions, adopt};
//!
//! let report = adopt(&pool, AdoptOptions::default()).await?; // a dry run: nothing changes
//! println!("{report}");
//! let done = adopt(&pool, AdoptOptions { apply: true, quarantine: true }).await?;
//! println!("{done}");
//! # Ok(())
//! # }
//! ```

mod convert;
mod inspect;

use std::fmt;

use sqlx::PgPool;

use convert::Plan;
use inspect::Schema;

/// What [`adopt`] is asked to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdoptOptions {
    /// Convert the database; without it, only report.
    pub apply: bool,
    /// Move rows that break a rule (and their links) to `quarantine_*` tables instead of
    /// stopping.
    pub quarantine: bool,
}

/// What [`adopt`] found and did (or would do), one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The lines, in order: the schema, the counts, each finding, the steps, the outcome.
    pub lines: Vec<String>,
    /// Whether the database was converted.
    pub applied: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Why a database was not adopted. Nothing was changed in any case.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// This server's migrations already manage the database: there is nothing to adopt.
    #[error(
        "the database already has this server's schema (its migrations have run); start the server"
    )]
    AlreadyAdopted,
    /// The database holds no `movies` table: the server creates its schema itself.
    #[error(
        "the database holds no tables of the Flask app; start the server, which creates its own"
    )]
    NothingToAdopt,
    /// The tables are neither the original's schema nor this server's.
    #[error("the tables are not the Flask app's schema: {0}")]
    UnknownSchema(String),
    /// Rows break a rule and `quarantine` was not asked for.
    #[error("rows break a rule; fix them, or adopt with quarantine:\n{0}")]
    RulesBroken(Report),
    /// The database failed; the transaction was rolled back.
    #[error("the database failed, and nothing was changed: {0}")]
    Database(#[from] sqlx::Error),
}

/// Inspects the database at `pool` and, with `options.apply`, converts the original Flask
/// app's schema to this server's in one transaction (see the module docs and
/// docs/deployment.md). The report lists the schema found, the row counts, every row that
/// needs trimming or breaks a rule, the steps, and the outcome.
pub async fn adopt(pool: &PgPool, options: AdoptOptions) -> Result<Report, AdoptError> {
    let mut tx = pool.begin().await?;
    let outcome = run(&mut tx, options).await;
    // The transaction ends here, at once, whatever happened: a dropped transaction would
    // hold its locks until the connection is next used.
    match outcome {
        Ok(report) if options.apply && report.applied => {
            tx.commit().await?;
            Ok(report)
        }
        outcome => {
            tx.rollback().await?;
            outcome
        }
    }
}

async fn run(tx: &mut sqlx::PgConnection, options: AdoptOptions) -> Result<Report, AdoptError> {
    match inspect::schema(tx).await? {
        Schema::Ours => return Err(AdoptError::AlreadyAdopted),
        Schema::Empty => return Err(AdoptError::NothingToAdopt),
        Schema::Original => {}
    }
    // Nothing else may write while the rows are read and converted.
    sqlx::query("LOCK TABLE movies, actors, actors_movies IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let (movies, actors, links) = inspect::counts(tx).await?;
    let findings = inspect::findings(tx).await?;
    let mut lines = vec![
        "schema: the original Flask app's (movies, actors, actors_movies, gender_enum)".to_owned(),
        format!("rows: {movies} movies, {actors} actors, {links} links"),
    ];
    for finding in &findings {
        lines.push(match &finding.broken {
            Some(rule) => format!(
                "breaks a rule: {} {} {}: {rule}",
                finding.kind, finding.id, finding.field
            ),
            None => format!("trim: {} {} {}", finding.kind, finding.id, finding.field),
        });
    }
    let broken = findings.iter().filter(|f| f.broken.is_some()).count();
    if broken > 0 && !options.quarantine {
        lines.push(format!(
            "stop: {broken} value(s) break a rule: fix them, or run again with --quarantine to \
             move those rows and their links to quarantine_* tables"
        ));
        let report = Report {
            lines,
            applied: false,
        };
        return if options.apply {
            Err(AdoptError::RulesBroken(report))
        } else {
            Ok(report)
        };
    }
    let plan = Plan::new(tx, &findings).await?;
    for (i, step) in plan.steps().into_iter().enumerate() {
        lines.push(format!("step {}: {step}", i + 1));
    }
    if !options.apply {
        lines.push("dry run: nothing was changed; run again with --apply to do this".to_owned());
        return Ok(Report {
            lines,
            applied: false,
        });
    }
    plan.apply(tx).await?;
    lines.push("applied: the database now has this server's schema; start the server".to_owned());
    Ok(Report {
        lines,
        applied: true,
    })
}
