//! Opening the database, SQLite or PostgreSQL, chosen by the URL's scheme.
//!
//! Every statement is written once, in SQL both run (`$1` parameters, Unix-millisecond
//! `BIGINT` timestamps, `TEXT` ids), through sqlx's `Any` driver. What differs lives here:
//! how a write transaction takes its lock, how a flag reads back, and the one migration
//! PostgreSQL needs in its own dialect.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, Migrator};
use sqlx::Executor;

/// The pool every service uses.
pub type Db = sqlx::AnyPool;
/// One connection (or an open transaction, which derefs to one).
pub type Conn = sqlx::AnyConnection;

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
                    // Durability: with WAL, `synchronous = NORMAL` syncs at checkpoints rather
                    // than at every commit. A killed process loses nothing committed; a power
                    // cut or an OS crash may lose the last commits (never corrupts the file).
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        // A SQLite connection is a file handle that cannot drop like a network link: no
        // round trip to test it on every acquire (one hand-off to its thread less).
        .test_before_acquire(backend == Backend::Postgres)
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

/// A write transaction from [`Writer::begin`]. It derefs to its connection, so statements
/// run on `&mut *tx` (while writes are queued, see [`WriteTx::queue_writes`], debug builds
/// panic there instead); [`WriteTx::lock`] takes the objects its checks read. Dropped
/// without [`WriteTx::commit`], it rolls back.
pub struct WriteTx {
    open: Open,
    backend: Backend,
    /// Its writer: who else waits for the connection, when it commits.
    writer: Writer,
    /// The last lock key taken, so that every transaction takes them in one order.
    last_key: Option<i64>,
    /// SQLite, after [`WriteTx::queue_writes`]: writes and moves queued by [`Writes`], sent
    /// together at the next [`WriteTx::flush`] or with the commit.
    queued: Vec<Statement>,
    queueing: bool,
}

/// Where a [`WriteTx`] runs.
enum Open {
    /// SQLite: this instance's writing connection, held until commit or rollback (`None`
    /// once committing).
    Sqlite(Option<Held>),
    /// PostgreSQL: a pooled connection's transaction.
    Postgres(sqlx::Transaction<'static, sqlx::Any>),
}

/// SQLite's writing connection, opened on the first write.
#[derive(Debug, Default)]
struct WriterConnection {
    conn: Option<Conn>,
    /// A transaction may be open on it: from just before `BEGIN` is sent until its
    /// `COMMIT` or `ROLLBACK` is answered. A writer cancelled in between leaves it set.
    maybe_open: bool,
    /// The open transaction was begun by the last writer's commit for the next writer in
    /// line (see [`WriteTx::commit`]), and no writer holds it yet.
    begun_for_next: bool,
    /// Transactions begun by the commit before them, in a row (see [`MAX_CHAINED`]).
    chained: u32,
}

/// At most this many transactions in a row begin with the commit before them; then the
/// database is let go between two, so that a writer of another process, waiting in
/// SQLite's busy handler, has its chance.
const MAX_CHAINED: u32 = 8;

impl WriterConnection {
    /// Ends whatever transaction is open without its changes ("no transaction is
    /// active" is fine: a cancelled `COMMIT` may have gone through). A connection that
    /// cannot roll back is closed, so the next write opens a fresh one.
    async fn rollback(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            match conn.execute("ROLLBACK").await {
                Ok(_) => {}
                Err(error) if error.to_string().contains("no transaction is active") => {}
                Err(error) => {
                    tracing::error!(%error, "rolling back a write transaction failed");
                    self.conn = None;
                }
            }
        }
        self.maybe_open = false;
    }
}

/// The writing connection, held. Let go with a transaction maybe open (a writer that
/// failed, returned early or was cancelled anywhere between `BEGIN` and the answer to
/// its `COMMIT`), it rolls back at once, before the next writer gets the connection, so
/// that the database is not held meanwhile (another process, or the session store's own
/// pool, writes too). Outside a runtime it cannot: the next writer rolls back first.
struct Held(Option<tokio::sync::OwnedMutexGuard<WriterConnection>>);

impl Held {
    fn connection(&mut self) -> &mut WriterConnection {
        self.0.as_mut().expect("held until dropped")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(mut connection) = self.0.take() else {
            return;
        };
        if !connection.maybe_open || connection.begun_for_next {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { connection.rollback().await });
        }
    }
}

/// Starts write transactions.
///
/// - **SQLite** has one writer at a time. This instance writes through one connection of
///   its own, kept open and out of the pool (no pool hand-off per transaction), and its
///   writers queue for it on an in-process mutex, so only one at a time asks SQLite for
///   `BEGIN IMMEDIATE` and nobody spins in SQLite's busy handler (which sleeps 1 ms, then
///   2, 5, 10, … between tries); another process on the same file still waits through
///   `busy_timeout`. Holding the database from the first statement, the checks a
///   transaction makes still hold when it commits.
/// - **PostgreSQL** has no global lock: each transaction takes advisory locks keyed by the
///   objects its checks read ([`Lock`]), so writes wait only for writes to the same things.
#[derive(Clone, Debug)]
pub struct Writer {
    db: Db,
    connection: Arc<tokio::sync::Mutex<WriterConnection>>,
    /// SQLite: writers waiting for the connection (see [`InLine`]).
    in_line: Arc<AtomicUsize>,
    /// SQLite: writes through other connections waiting their turn (see [`Writer::beside`]):
    /// while any waits, no commit begins the next transaction.
    beside: Arc<AtomicUsize>,
}

/// A SQLite writer waiting for the writing connection, counted in [`Writer::in_line`] so
/// that a commit knows someone waits and can begin their transaction with it. A writer
/// cancelled while waiting, if it was the last in line, rolls back a transaction begun for
/// it, so that the database is not held by nobody.
struct InLine<'a>(&'a Writer);

impl<'a> InLine<'a> {
    fn enter(writer: &'a Writer) -> Self {
        writer.in_line.fetch_add(1, Ordering::SeqCst);
        Self(writer)
    }

    /// The writer got the connection: it leaves the line.
    fn served(self) {
        self.0.in_line.fetch_sub(1, Ordering::SeqCst);
        std::mem::forget(self);
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        if self.0.in_line.fetch_sub(1, Ordering::SeqCst) != 1 {
            return; // whoever still waits takes a transaction begun for the line
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // the next writer takes it
        };
        let (connection, in_line) = (self.0.connection.clone(), self.0.in_line.clone());
        runtime.spawn(async move {
            let mut connection = connection.lock_owned().await;
            if connection.begun_for_next && in_line.load(Ordering::SeqCst) == 0 {
                connection.begun_for_next = false;
                connection.rollback().await;
            }
        });
    }
}

impl Writer {
    /// The writer of a pool.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            connection: Arc::new(tokio::sync::Mutex::new(WriterConnection::default())),
            in_line: Arc::default(),
            beside: Arc::default(),
        }
    }

    /// Runs `work`, a request whose work is a write, where this database's write
    /// transactions run best:
    /// - **SQLite**: on a runtime of its own, one thread. A SQLite write transaction holds
    ///   the whole database, and after each of its statements it waits for a thread to go
    ///   on with it; on the runtime serving requests that meant waiting behind other
    ///   requests' work (decoding, rendering), and under load that wait was most of a
    ///   share's time. On its own thread, the next statement follows at once.
    /// - **PostgreSQL**: on the caller's runtime; its writes run side by side on many
    ///   connections.
    ///
    /// The work runs to its end even if the caller stops waiting (a client that hangs up
    /// does not cut a write short); a panic in it resumes in the caller.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        use tracing::Instrument;
        let work = work.in_current_span();
        static WRITES: std::sync::LazyLock<tokio::runtime::Runtime> =
            std::sync::LazyLock::new(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name("sqlite-writes")
                    .enable_all()
                    .build()
                    .expect("a runtime for SQLite's writes starts")
            });
        let running = match Backend::of(&self.db) {
            Backend::Sqlite => WRITES.spawn(work),
            Backend::Postgres => tokio::spawn(work),
        };
        match running.await {
            Ok(done) => done,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => panic!("a write's task stopped: {error}"),
        }
    }

    /// Runs `work`, a write through another connection of this process (the session
    /// store's), in line with this instance's write transactions. On SQLite it runs while
    /// the writing connection holds nothing, so it never waits in SQLite's busy handler
    /// (which polls, sleeping ever longer) while the writer's transactions follow one
    /// another; on PostgreSQL it just runs.
    pub async fn beside<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        if Backend::of(&self.db) != Backend::Sqlite {
            return work.await;
        }
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.beside.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(&self.beside);
        let mut held = Held(Some(self.connection.clone().lock_owned().await));
        drop(waiting);
        let connection = held.connection();
        if connection.maybe_open {
            // Begun for a writer still in line, or left by one that stopped: it begins
            // again after this.
            connection.begun_for_next = false;
            connection.rollback().await;
        }
        work.await
    }

    /// Starts a write transaction (see the type's documentation for what it holds).
    pub async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        let open = match Backend::of(&self.db) {
            Backend::Sqlite => {
                let in_line = InLine::enter(self);
                let mut held = Held(Some(self.connection.clone().lock_owned().await));
                in_line.served();
                let connection = held.connection();
                if std::mem::take(&mut connection.begun_for_next) {
                    return Ok(WriteTx::new(Open::Sqlite(Some(held)), self));
                }
                if connection.maybe_open {
                    connection.rollback().await;
                }
                if connection.conn.is_none() {
                    // Opened like every pooled connection (`connect`'s settings), then
                    // kept by the writer alone.
                    connection.conn = Some(self.db.acquire().await?.detach());
                }
                connection.maybe_open = true;
                let conn = connection.conn.as_mut().expect("opened above");
                if let Err(error) = conn.execute("BEGIN IMMEDIATE").await {
                    connection.maybe_open = false;
                    if !is_retryable(&error) {
                        // Not the database being busy: the connection itself may be
                        // broken, and the next write opens a fresh one.
                        connection.conn = None;
                    }
                    return Err(error);
                }
                Open::Sqlite(Some(held))
            }
            Backend::Postgres => Open::Postgres(self.db.begin().await?),
        };
        Ok(WriteTx::new(open, self))
    }
}

impl WriteTx {
    fn new(open: Open, writer: &Writer) -> Self {
        Self {
            open,
            backend: Backend::of(&writer.db),
            writer: writer.clone(),
            last_key: None,
            queued: Vec::new(),
            queueing: false,
        }
    }

    /// Takes `locks` until the transaction ends, in ascending key order. A transaction takes
    /// its locks in [`Lock`]'s class order, each class's keys in one call; asked out of
    /// order, it panics in debug builds (tests), since that order is what rules deadlocks
    /// out. On SQLite the transaction already holds the whole database: nothing to take.
    pub async fn lock(&mut self, locks: &[Lock]) -> Result<(), sqlx::Error> {
        let mut locks = locks.to_vec();
        locks.sort_by_key(|l| (l.key, l.shared)); // exclusive before shared: it wins the dedup
        locks.dedup_by_key(|l| l.key);
        let Some(first) = locks.first() else {
            return Ok(());
        };
        debug_assert!(
            self.last_key.is_none_or(|last| last < first.key),
            "locks taken out of order: {first:?} after key {:?}",
            self.last_key
        );
        self.last_key = locks.last().map(|l| l.key);
        if self.backend == Backend::Sqlite {
            return Ok(());
        }
        let calls = locks
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let function = if l.shared {
                    "pg_advisory_xact_lock_shared"
                } else {
                    "pg_advisory_xact_lock"
                };
                format!("{function}(${})", i + 1)
            })
            .collect::<Vec<_>>()
            .join(", ");
        // One row's target list is evaluated left to right: the keys are taken in order.
        let sql = format!("SELECT {calls}");
        let mut query = sqlx::query(&sql);
        for l in &locks {
            query = query.bind(l.key);
        }
        query.execute(&mut **self).await?;
        Ok(())
    }

    /// Whether [`Self::lock`] takes anything. On SQLite it does not (the transaction holds
    /// the whole database), so a read done only to know which keys to lock can be skipped.
    pub fn takes_locks(&self) -> bool {
        self.backend != Backend::Sqlite
    }

    /// From here on, SQLite queues this transaction's [`Writes`] until a flush or the
    /// commit. For a transaction whose checks are done: what it still reads, it reads after
    /// [`WriteTx::flush`] (debug builds panic otherwise), and every move it queues
    /// ([`Writes::move_one`]) is of a row this transaction read itself.
    pub fn queue_writes(&mut self) {
        self.queueing = self.backend == Backend::Sqlite;
    }

    /// Sends the queued writes, so that what follows reads them.
    pub async fn flush(&mut self) -> Result<(), sqlx::Error> {
        if let Some(batch) = Statement::joined(std::mem::take(&mut self.queued), None) {
            batch.execute(self.conn()).await?;
        }
        Ok(())
    }

    /// The connection, for statements run now.
    fn conn(&mut self) -> &mut Conn {
        match &mut self.open {
            Open::Sqlite(held) => held
                .as_mut()
                .and_then(|h| h.0.as_mut())
                .and_then(|c| c.conn.as_mut())
                .expect("open until committed"),
            Open::Postgres(tx) => tx,
        }
    }

    /// Commits (and frees this instance's SQLite writing connection). On SQLite the queued
    /// writes and the `COMMIT` go in one call, and when another writer waits for the
    /// connection, the `BEGIN IMMEDIATE` of its transaction too: under load, one call to the
    /// connection's thread less per transaction, while the database is held anyway.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let queued = std::mem::take(&mut self.queued);
        match &mut self.open {
            Open::Sqlite(held) => {
                let mut held = held.take().expect("open until committed");
                let connection = held.connection();
                let next_waits = self.writer.in_line.load(Ordering::SeqCst) > 0
                    && self.writer.beside.load(Ordering::SeqCst) == 0
                    && connection.chained < MAX_CHAINED;
                connection.chained = if next_waits {
                    connection.chained + 1
                } else {
                    0
                };
                let conn = connection.conn.as_mut().expect("opened by begin");
                let writes = queued.len();
                let last = if next_waits {
                    "COMMIT;\nBEGIN IMMEDIATE"
                } else {
                    "COMMIT"
                };
                let commit = Statement::joined(queued, Some(last)).expect("a COMMIT at least");
                match commit.execute_counted(conn).await {
                    Ok(()) => {
                        connection.maybe_open = next_waits;
                        connection.begun_for_next = next_waits;
                        Ok(())
                    }
                    // Committed; only the next writer's `BEGIN` failed: it begins its own
                    // (after a rollback, in case).
                    Err((done, error)) if next_waits && done == writes + 1 => {
                        tracing::warn!(%error, "beginning the next write transaction failed");
                        Ok(())
                    }
                    Err((_, error)) => {
                        connection.rollback().await;
                        Err(error)
                    }
                }
            }
            Open::Postgres(_) => match std::mem::replace(&mut self.open, Open::Sqlite(None)) {
                Open::Postgres(tx) => tx.commit().await,
                Open::Sqlite(_) => unreachable!("matched above"),
            },
        }
    }
}

/// Reads and immediate statements run on the transaction's connection. A write queued
/// before them is not sent yet: reading then would miss it, so debug builds (the tests)
/// panic; [`WriteTx::flush`] first.
impl std::ops::Deref for WriteTx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        debug_assert!(self.queued.is_empty(), "{UNFLUSHED}");
        match &self.open {
            Open::Sqlite(held) => held
                .as_ref()
                .and_then(|h| h.0.as_ref())
                .and_then(|c| c.conn.as_ref())
                .expect("open until committed"),
            Open::Postgres(tx) => tx,
        }
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        debug_assert!(self.queued.is_empty(), "{UNFLUSHED}");
        self.conn()
    }
}

const UNFLUSHED: &str = "a statement on a write transaction with writes queued: flush first";

/// Where a write goes whose result nobody reads: a connection runs it now; a SQLite
/// [`WriteTx`] that [queues](WriteTx::queue_writes) sends its queue in one call (at a flush
/// or with the commit), one hand-off to the connection's thread instead of one per
/// statement, which is what a write transaction's time on SQLite's single writer is mostly
/// made of. PostgreSQL's transaction runs it now (its protocol prepares one statement at a
/// time).
pub trait Writes {
    /// The database the statement is for (its dialect).
    fn backend(&self) -> Backend;
    /// Runs or queues `statement`.
    fn write(
        &mut self,
        statement: Statement,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;
    /// Runs or queues a guarded move: `statement` changes one row only if it is still as
    /// it was read (`… WHERE id = $n AND status = $from`), and says whether it did. A
    /// queueing SQLite transaction has held the whole database since it read the row, so
    /// nothing can have moved it meanwhile: the move is queued, and it did.
    fn move_one(
        &mut self,
        statement: Statement,
    ) -> impl std::future::Future<Output = Result<bool, sqlx::Error>> + Send;
}

impl Writes for Conn {
    fn backend(&self) -> Backend {
        Backend::of_conn(self)
    }
    async fn write(&mut self, statement: Statement) -> Result<(), sqlx::Error> {
        statement.execute(self).await.map(drop)
    }
    async fn move_one(&mut self, statement: Statement) -> Result<bool, sqlx::Error> {
        Ok(statement.execute(self).await?.rows_affected() == 1)
    }
}

impl Writes for WriteTx {
    fn backend(&self) -> Backend {
        self.backend
    }
    async fn write(&mut self, statement: Statement) -> Result<(), sqlx::Error> {
        if self.queueing {
            self.queued.push(statement);
            return Ok(());
        }
        debug_assert!(self.queued.is_empty(), "{UNFLUSHED}");
        statement.execute(self.conn()).await.map(drop)
    }
    async fn move_one(&mut self, statement: Statement) -> Result<bool, sqlx::Error> {
        if self.queueing {
            self.queued.push(statement);
            return Ok(true);
        }
        debug_assert!(self.queued.is_empty(), "{UNFLUSHED}");
        Ok(statement.execute(self.conn()).await?.rows_affected() == 1)
    }
}

/// A statement and its values, built before it runs (so that it can wait in a queue).
/// Parameters are `$1`, `$2`, … as everywhere.
#[derive(Debug, Clone)]
pub struct Statement {
    sql: String,
    values: Vec<Value>,
}

/// A value bound to a [`Statement`].
#[derive(Debug, Clone)]
pub enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(Some(text.to_owned()))
    }
}
impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(Some(text))
    }
}
impl From<Option<&str>> for Value {
    fn from(text: Option<&str>) -> Self {
        Value::Text(text.map(str::to_owned))
    }
}
impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Value::Int(Some(number))
    }
}
impl From<Option<i64>> for Value {
    fn from(number: Option<i64>) -> Self {
        Value::Int(number)
    }
}
impl From<bool> for Value {
    fn from(flag: bool) -> Self {
        Value::Bool(flag)
    }
}

impl Statement {
    /// `sql` with no values bound yet.
    pub fn new(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// Binds the next parameter.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Runs it on `conn`.
    pub async fn execute(self, conn: &mut Conn) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
        self.query().execute(conn).await
    }

    /// The query, its values bound.
    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        self.values
            .iter()
            .fold(sqlx::query(&self.sql), |query, value| match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(number) => query.bind(*number),
                Value::Bool(flag) => query.bind(*flag),
            })
    }

    /// Runs it on `conn`, a statement after another (SQLite), and on failure says how many
    /// had completed: which one failed.
    async fn execute_counted(self, conn: &mut Conn) -> Result<(), (usize, sqlx::Error)> {
        use futures::StreamExt;
        let mut results = conn.fetch_many(self.query());
        let mut done = 0;
        while let Some(result) = results.next().await {
            match result {
                Ok(sqlx::Either::Left(_)) => done += 1,
                Ok(sqlx::Either::Right(_)) => {}
                Err(error) => return Err((done, error)),
            }
        }
        Ok(())
    }

    /// `statements` then `last` as one SQLite text (its connection runs every statement of
    /// a call, parameters numbered across them): each statement's `$n` renumbered after
    /// the values of those before it. `None` when there is nothing to run.
    fn joined(statements: Vec<Statement>, last: Option<&str>) -> Option<Statement> {
        let mut joined = Statement::new(String::new());
        for statement in statements {
            let text = renumbered(&statement.sql, joined.values.len());
            joined.sql.push_str(&text);
            joined.sql.push_str(";\n");
            joined.values.extend(statement.values);
        }
        joined.sql.push_str(last.unwrap_or_default());
        (!joined.sql.is_empty()).then_some(joined)
    }
}

/// `sql` with every parameter `$n` made `$(n + by)`. Our statements carry no `$` in a
/// literal (debug builds check).
fn renumbered(sql: &str, by: usize) -> String {
    debug_assert!(
        sql.split('\'')
            .skip(1)
            .step_by(2)
            .all(|literal| !literal.contains('$')),
        "a `$` inside a literal of {sql}"
    );
    if by == 0 {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// An object a write transaction's checks read, locked until it ends (PostgreSQL).
///
/// **The order.** Classes are taken in this order, never back: the directory membership,
/// accounts, resource shares, backups, invitations, vaults. Within a class, keys ascend.
/// A key is the class in the top byte and a stable 56-bit hash of the id below it, so the
/// order is the same on every instance; two ids with one hash only wait for each other.
/// Row locks a statement takes by itself (an `UPDATE`) come after these.
///
/// | lock | taken by | guards |
/// |---|---|---|
/// | membership, shared | share changes, answers | which accounts a folder reaches |
/// | membership | `place_account` | (the operator moves an account) |
/// | account | share changes, deletes, releases | rule 9's per-account counts, share names |
/// | resource share (shared by answers) | changes of that share | its principals and invitations |
/// | backup (shared by answers) | share changes, restores, deletes, copies | rule 6's lock, rule 9's per-backup count, its grants and copies |
/// | invitation | answers | its single answer |
/// | vault | reservations | its free space |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lock {
    key: i64,
    shared: bool,
}

impl Lock {
    const MEMBERSHIP: u8 = 1;
    const ACCOUNT: u8 = 2;
    const SHARE: u8 = 3;
    const BACKUP: u8 = 4;
    const INVITATION: u8 = 5;
    const VAULT: u8 = 6;

    fn of(class: u8, id: &str, shared: bool) -> Self {
        // FNV-1a: stable across builds and instances (std's hasher is not).
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let key = (i64::from(class) << 56) | (hash >> 8) as i64;
        Self { key, shared }
    }

    /// Directory membership, read: resolving folder principals.
    pub fn membership_read() -> Self {
        Self::of(Self::MEMBERSHIP, "", true)
    }
    /// Directory membership, changed: placing an account.
    pub fn membership_change() -> Self {
        Self::of(Self::MEMBERSHIP, "", false)
    }
    /// An owner account: its per-account limits and its shares' names.
    pub fn account(id: &str) -> Self {
        Self::of(Self::ACCOUNT, id, false)
    }
    /// A resource share being changed.
    pub fn share(id: &str) -> Self {
        Self::of(Self::SHARE, id, false)
    }
    /// A resource share being read by an answer to its invitation.
    pub fn share_read(id: &str) -> Self {
        Self::of(Self::SHARE, id, true)
    }
    /// A backup being changed: its lock, its recipients, its grants and copies.
    pub fn backup(id: &str) -> Self {
        Self::of(Self::BACKUP, id, false)
    }
    /// A backup read by an answer (its grants are made, but nothing of it changes).
    pub fn backup_read(id: &str) -> Self {
        Self::of(Self::BACKUP, id, true)
    }
    /// An invitation being answered.
    pub fn invitation(id: &str) -> Self {
        Self::of(Self::INVITATION, id, false)
    }
    /// A vault whose free space is checked and reserved.
    pub fn vault(id: &str) -> Self {
        Self::of(Self::VAULT, id, false)
    }
}

/// The suffix that locks the rows a `SELECT` reads until the transaction ends: `FOR UPDATE`
/// on PostgreSQL; nothing on SQLite, whose write transaction holds the whole database.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// Whether a database error is one a transaction may simply be run again for: a detected
/// deadlock or a serialization failure (PostgreSQL), or a busy database (SQLite).
pub fn is_retryable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => matches!(e.code().as_deref(), Some("40P01" | "40001" | "5")),
        _ => false,
    }
}

/// A database URL fit for a log line: its password, if any, replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_urls_password_never_reaches_a_log_line() {
        assert_eq!(
            super::without_password(
                "postgres://backshare:s3cret@db.example:5432/prod?sslmode=require"
            ),
            "postgres://backshare:***@db.example:5432/prod?sslmode=require"
        );
        assert_eq!(
            super::without_password("sqlite:///data/backshare.db"),
            "sqlite:///data/backshare.db"
        );
    }

    #[test]
    fn queued_statements_join_with_their_parameters_renumbered_in_order() {
        use super::{Statement, Value};
        let joined = Statement::joined(
            vec![
                Statement::new("INSERT INTO a (x, y) VALUES ($1, $2)")
                    .bind("one")
                    .bind(2),
                Statement::new("UPDATE b SET z = $2 WHERE id = $1 AND w <> $10")
                    .bind("three")
                    .bind(true),
            ],
            Some("COMMIT"),
        )
        .expect("two statements");
        assert_eq!(
            joined.sql,
            "INSERT INTO a (x, y) VALUES ($1, $2);\n\
             UPDATE b SET z = $4 WHERE id = $3 AND w <> $12;\nCOMMIT"
        );
        let values: Vec<String> = joined.values.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(
            values,
            [
                format!("{:?}", Value::from("one")),
                format!("{:?}", Value::from(2)),
                format!("{:?}", Value::from("three")),
                format!("{:?}", Value::from(true)),
            ]
        );
        assert!(
            Statement::joined(Vec::new(), None).is_none(),
            "nothing to send"
        );
    }
}
