//! Opening the database: the file is created when missing, migrations run at start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

/// The pool every service uses. One alias, so moving to another database touches one place.
pub type Db = sqlx::SqlitePool;

/// Opens (creating if needed) the database at `url` and applies every pending migration.
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        // WAL lets pages read while a share is being written; the busy timeout makes
        // concurrent writers wait for each other instead of failing.
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}
