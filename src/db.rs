//! Opening the database, SQLite or PostgreSQL, chosen by the URL's scheme.
//!
//! Every statement is written once, in SQL both run (`$1` parameters, Unix-millisecond
//! `BIGINT` timestamps, `TEXT` ids), through sqlx's `Any` driver. What differs lives here:
//! how a write transaction takes its lock, how a flag reads back, and the one migration
//! PostgreSQL needs in its own dialect.

use std::borrow::Cow;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, Migrator};
use sqlx::{Executor, Row};

/// The pool every service uses.
pub type Db = sqlx::AnyPool;
/// One connection (or an open transaction, which derefs to one).
pub type Conn = sqlx::AnyConnection;
/// A write transaction from [`begin_write`].
pub type WriteTx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database a pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names: `postgres://` or `postgresql://`, anything else is SQLite.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The backend of an open pool.
    pub fn of(db: &Db) -> Self {
        Self::of_url(db.connect_options().database_url.as_str())
    }

    /// The backend of an open connection.
    pub fn of_conn(conn: &Conn) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Opens the database at `url` (a SQLite file is created when missing) and applies every
/// pending migration.
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url);
    let url = match backend {
        // `mode=rwc` creates the file; foreign keys are on by default in sqlx.
        Backend::Sqlite if !url.contains("mode=") => {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}mode=rwc")
        }
        _ => url.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets pages read while a share is being written; the busy timeout
                    // makes concurrent writers wait for each other instead of failing.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON")
                        .await?;
                }
                Ok(())
            })
        })
        .acquire_timeout(Duration::from_secs(30))
        .connect(&url)
        .await?;
    migrator(backend).run(&pool).await?;
    Ok(pool)
}

/// The migrations in `migrations/`, with PostgreSQL's own text for the few that use
/// SQLite-only syntax (`migrations-postgres/`, same version numbers).
fn migrator(backend: Backend) -> Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    if backend == Backend::Postgres {
        let overrides: &[(i64, &'static str)] = &[(
            20261123000006,
            include_str!("../migrations-postgres/20261123000006_changes.sql"),
        )];
        let migrations = migrator
            .migrations
            .iter()
            .map(|m| match overrides.iter().find(|(v, _)| *v == m.version) {
                Some((_, sql)) => Migration::new(
                    m.version,
                    m.description.clone(),
                    m.migration_type,
                    Cow::Borrowed(sql),
                    m.no_tx,
                ),
                None => m.clone(),
            })
            .collect::<Vec<_>>();
        migrator.migrations = Cow::Owned(migrations);
    }
    migrator
}

/// Starts a transaction that writes: it holds the database's write lock from its first
/// statement, so the checks it makes still hold when it commits (two accepts racing for
/// the last space of a vault cannot both pass). SQLite: `BEGIN IMMEDIATE`. PostgreSQL: one
/// transaction-scoped advisory lock, taken by every writer, which gives the same order.
pub async fn begin_write(db: &Db) -> Result<WriteTx, sqlx::Error> {
    match Backend::of(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// The advisory lock key every PostgreSQL write transaction takes ("BKSH").
const WRITE_LOCK: i64 = 0x424b_5348;

/// Reading rows the same way on both databases.
pub trait RowExt {
    /// A boolean column or expression: PostgreSQL returns a boolean, SQLite an integer.
    fn flag(&self, column: &str) -> bool;
}

impl RowExt for AnyRow {
    fn flag(&self, column: &str) -> bool {
        self.try_get::<bool, _>(column)
            .or_else(|_| self.try_get::<i64, _>(column).map(|n| n != 0))
            .unwrap_or_else(|error| panic!("column {column} is not a flag: {error}"))
    }
}

/// The variable naming a PostgreSQL server for the test suites and benchmarks, as
/// `postgres://user:password@host:port` (no database: each test creates its own).
pub const TEST_POSTGRES: &str = "BACKSHARE_TEST_POSTGRES";

/// A database of its own for one test or benchmark: a new database on the server named by
/// [`TEST_POSTGRES`] when it is set, otherwise a SQLite file in `dir`.
pub async fn scratch_url(dir: &std::path::Path) -> String {
    match std::env::var(TEST_POSTGRES) {
        Ok(server) if !server.is_empty() => {
            let server = server.trim_end_matches('/');
            let name = format!("backshare_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin =
                <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres"))
                    .await
                    .unwrap_or_else(|e| panic!("{TEST_POSTGRES}={server}: cannot connect: {e}"));
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
            format!("{server}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("backshare.db").display()),
    }
}
