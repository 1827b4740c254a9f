//! Sign-in sessions, kept in the same database as everything else: tower-sessions' own
//! SQLite or PostgreSQL store, picked by the database URL.

use async_trait::async_trait;
use backshare::db::{Backend, Db, Writer};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The session store for the database the services use. Its writes queue with the
/// services' ([`Writer::beside`]): on SQLite a sign-in or a renewal under a steady load of
/// shares then waits its turn instead of polling for the database's lock.
#[derive(Clone, Debug)]
pub struct Sessions {
    store: Store,
    writer: Writer,
}

/// `$call` on the store, whichever kind it is.
macro_rules! on_store {
    ($store:expr, |$s:ident| $call:expr) => {
        match $store {
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
}

/// tower-sessions' store for the database's kind.
#[derive(Clone, Debug)]
enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// Opens the store on its own small pool (the stores need a typed one) and creates its
    /// table when missing.
    pub async fn open(db: &Db, writer: Writer) -> anyhow::Result<Self> {
        let url = db.connect_options().database_url.to_string();
        let store = match Backend::of(db) {
            Backend::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options.busy_timeout(std::time::Duration::from_secs(10)))
                    .await?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                Store::Sqlite(store)
            }
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(8)
                    .connect(&url)
                    .await?;
                let store = PostgresStore::new(pool);
                store.migrate().await?;
                Store::Postgres(store)
            }
        };
        Ok(Self { store, writer })
    }

    /// Deletes sessions whose idle timeout passed (a signed-out browser's, or one that
    /// was left), so the table holds only live ones.
    pub async fn delete_expired(&self) -> session_store::Result<()> {
        use tower_sessions::ExpiredDeletion;
        self.writer
            .beside(async { on_store!(&self.store, |store| store.delete_expired().await) })
            .await
    }
}

#[async_trait]
impl tower_sessions::SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.writer
            .beside(async { on_store!(&self.store, |store| store.create(record).await) })
            .await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.writer
            .beside(async { on_store!(&self.store, |store| store.save(record).await) })
            .await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(&self.store, |store| store.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.writer
            .beside(async { on_store!(&self.store, |store| store.delete(id).await) })
            .await
    }
}

/// The session key holding when its idle timeout was last renewed (Unix milliseconds).
const RENEWED_AT: &str = "renewed_at";

/// How often activity renews a session's idle timeout: a tenth of it, at most a minute.
/// Between renewals the stored expiry stays put, so a session ends between 90 % and 100 %
/// of the idle timeout after its last request, for one store write per renewal instead of
/// one per request.
pub fn renewal_interval(idle: std::time::Duration) -> std::time::Duration {
    (idle / 10).min(std::time::Duration::from_secs(60))
}

/// Renews a signed-in session's idle timeout as it is used: tower-sessions saves a session
/// (with a new expiry, `Expiry::OnInactivity`) only when it changed, so a session in
/// constant use would otherwise end its idle timeout after signing in. Static files pass
/// without loading the session.
pub async fn renew_on_activity(
    axum::extract::State(interval): axum::extract::State<std::time::Duration>,
    session: tower_sessions::Session,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !request.uri().path().starts_with("/pkg/") {
        renew(&session, interval).await;
    }
    next.run(request).await
}

async fn renew(session: &tower_sessions::Session, interval: std::time::Duration) {
    let signed_in = matches!(
        session.get::<String>(backshare_app::api::USER_KEY).await,
        Ok(Some(_))
    );
    if !signed_in {
        return;
    }
    let now = chrono::Utc::now().timestamp_millis();
    let renewed = session.get::<i64>(RENEWED_AT).await.ok().flatten();
    let due = renewed.is_none_or(|at| now - at >= interval.as_millis() as i64);
    if due {
        if let Err(error) = session.insert(RENEWED_AT, now).await {
            tracing::error!(%error, "renewing a session's idle timeout failed");
        }
    }
}
