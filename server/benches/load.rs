//! Load figures (`scripts/bench-load.sh`), printed, never asserted:
//! 1. share, accept and reject over HTTP from 64 concurrent connections, against one server
//!    process on SQLite and against two on one PostgreSQL database: operations per second
//!    and error counts;
//! 2. for every paged list (My Shares, a backup's Share List, the share dialog's shares,
//!    Activity, Shared With Me's pending and received tables, the API's listing of sent
//!    invitations), page 1 and a deep page of an account holding 10, 1,000, 10,000 and
//!    100,000 items: the server time (median and p95 of 30 reads) and the SQL statements
//!    one read issues, on the same databases.
//!
//! 3. a sign-in flood: wrong passwords from 64 connections against one server, with the
//!    default throttle and with its thresholds out of reach: answers per second by status
//!    and the server's peak resident memory.
//!
//! 4. the API: create plus accept per second through the RAM endpoint (SigV4-signed) beside
//!    the same flow through the server functions (session), on one SQLite server, and the
//!    time SigV4 verification itself takes per request.
//!
//! PostgreSQL is the server in `BACKSHARE_TEST_POSTGRES` (the script starts one).
//! 5. the write path without HTTP: share, accept and reject through the service, one at a
//!    time (statements and median time of each call) and from 64 tasks.
//!
//! `BENCH_ONLY=api` (or `pages`, `flood`, `writes`, `load`) runs one part.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backshare::db::Backend;
use backshare::ids::UserId;
use backshare::paging::{Cursor, PageAt};
use backshare::service::listings::{InvitationFilter, Side};
use backshare::service::{Backshare, Settings, SharedWithMeAt};
use chrono::Utc;

const CONNECTIONS: usize = 64;
const RUN_FOR: Duration = Duration::from_secs(20);
const ORDERS: &str = "cb-acmehq-orders-001";
const BOB_ACCOUNT: &str = "1840000000000002";
/// What the account holds of each paged list: statements are compared at 10 and 10,000,
/// server times at 1,000 and 100,000.
const PAGE_SIZES: [i64; 4] = [10, 1_000, 10_000, 100_000];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(data: &std::path::Path, database: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_backshare-server"))
        .env("BACKSHARE_DATA_DIR", data)
        .env("DATABASE_URL", database)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        // The API figures measure the server, not the per-key call rate (see `rate`).
        .env("BACKSHARE_API_CALLS_PER_SECOND", "0")
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reply = client
            .post(format!("{base}/api/sign_in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(format!("email={email}&password=backshare-demo"))
            .send()
            .await;
        match reply {
            Ok(reply) if reply.status().is_success() => {
                let cookie = reply.headers()["set-cookie"].to_str().unwrap();
                return cookie.split(';').next().unwrap().to_owned();
            }
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("{base} never let {email} sign in: {other:?}"),
        }
    }
}

#[derive(Default)]
struct Counts {
    shares: AtomicU64,
    answers: AtomicU64,
    errors: AtomicU64,
}

/// An owner the load shares as: a session cookie and the backup it shares.
#[derive(Clone)]
struct Owner {
    cookie: String,
    backup: String,
}

/// One connection's loop: an owner shares a backup with Bob, who accepts the invitation
/// (even rounds) or rejects it (odd rounds). Connection `worker` shares as
/// `owners[worker % owners.len()]`.
async fn user(
    db: backshare::db::Db,
    worker: usize,
    bases: Arc<Vec<String>>,
    owners: Arc<Vec<Owner>>,
    bob: String,
    counts: Arc<Counts>,
    until: Instant,
) {
    let owner = &owners[worker % owners.len()];
    let client = reqwest::Client::new();
    let mut round = 0;
    while Instant::now() < until {
        let base = &bases[(worker + round) % bases.len()];
        round += 1;
        let name = format!("load-{worker}-{round}");
        let body = serde_json::json!({
            "share_name": name, "scope": "AllAccounts",
            "backup_ids": [owner.backup], "principals": [BOB_ACCOUNT],
        });
        let post = |endpoint: &str, cookie: &str| {
            client
                .post(format!("{base}/api/{endpoint}"))
                .header("cookie", cookie.to_owned())
                .header("accept", "application/json")
        };
        let created = post("create_share", &owner.cookie)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let reply = match created {
            Ok(reply) if reply.status().is_success() => reply,
            _ => {
                counts.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        counts.shares.fetch_add(1, Ordering::Relaxed);
        // The invitation's id, as Bob's page would show it (read here, not counted: the
        // figures are of the share, accept and reject calls).
        let share_id: String = reply.json().await.unwrap_or_default();
        let invitation: Option<String> =
            sqlx::query_scalar("SELECT id FROM invitations WHERE share_id = $1")
                .bind(&share_id)
                .fetch_optional(&db)
                .await
                .unwrap_or_default();
        let Some(invitation) = invitation else {
            counts.errors.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let endpoint = if round % 2 == 0 {
            "accept_invitation"
        } else {
            "reject_invitation"
        };
        let answered = post(endpoint, &bob)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("invitation_id={invitation}"))
            .send()
            .await;
        match answered {
            Ok(r) if r.status().is_success() => counts.answers.fetch_add(1, Ordering::Relaxed),
            _ => counts.errors.fetch_add(1, Ordering::Relaxed),
        };
    }
}

/// A fresh database with the demo, the URL it lives at, and a handle on it.
async fn fresh(dir: &std::path::Path, postgres: Option<&str>) -> (String, Backshare) {
    let url = match postgres {
        Some(_) => backshare::db::scratch_url(dir).await,
        None => format!("sqlite://{}", dir.join("backshare.db").display()),
    };
    let db = backshare::db::connect(&url).await.unwrap();
    let svc = Backshare::new(db, dir, Settings::default()).unwrap();
    backshare::demo::seed_if_empty(&svc, Utc::now())
        .await
        .unwrap();
    (url, svc)
}

/// Adds `n` owner accounts, each a copy of Acme HQ's user (same password), project and
/// orders cluster with its backup, returning each owner's email and backup id.
async fn add_owners(svc: &Backshare, n: usize) -> Vec<(String, String)> {
    let mut owners = Vec::new();
    for i in 0..n {
        let account = format!("{:016}", 1_900_000_000_000_000_u64 + i as u64);
        let (email, backup) = (format!("owner{i}@load.example"), format!("cb-load-{i}"));
        let statements: [(&str, &[&str]); 5] = [
            (
                "INSERT INTO accounts (id, name, site) VALUES ($1, 'Load owner', 'international')",
                &[&account],
            ),
            (
                "INSERT INTO projects (id, account_id, name, region)
                 VALUES ('proj-' || $1, $1, 'p', 'ap-southeast-1')",
                &[&account],
            ),
            (
                "INSERT INTO users (id, account_id, email, password_hash, role)
                 SELECT 'user-' || $1, $1, $2, password_hash, 'admin' FROM users WHERE id = 'user-alice'",
                &[&account, &email],
            ),
            (
                "INSERT INTO resources (id, account_id, project_id, region, kind, name, encrypted, size_bytes, sha256, created_at)
                 SELECT 'cl-' || $1, $1, 'proj-' || $1, region, kind, name, encrypted, size_bytes, sha256, created_at
                 FROM resources WHERE id = (SELECT resource_id FROM backups WHERE id = 'cb-acmehq-orders-001')",
                &[&account],
            ),
            (
                "INSERT INTO backups (id, account_id, resource_id, vault_id, region, kind, name, size_bytes, sha256,
                                      encrypted, level, lock_reason, created_at, expires_at, stored_sha256, wrapped_key)
                 SELECT $2, $1, 'cl-' || $1, vault_id, region, kind, name, size_bytes, sha256,
                        encrypted, level, lock_reason, created_at, expires_at, stored_sha256, wrapped_key
                 FROM backups WHERE id = 'cb-acmehq-orders-001'",
                &[&account, &backup],
            ),
        ];
        for (sql, binds) in statements {
            let mut query = sqlx::query(sql);
            for value in binds {
                query = query.bind(*value);
            }
            query.execute(svc.db()).await.unwrap();
        }
        owners.push((email, backup));
    }
    owners
}

/// Share, accept and reject at [`CONNECTIONS`] connections for [`RUN_FOR`], as one owner
/// (Alice) or spread over `spread` owners of their own.
async fn load(postgres: Option<&str>, instances: usize, spread: usize) {
    let dir = tempfile::tempdir_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")).unwrap();
    let (url, svc) = fresh(dir.path(), postgres).await;
    let extra = if spread > 1 {
        add_owners(&svc, spread).await
    } else {
        Vec::new()
    };
    let servers: Vec<(Child, String)> = (0..instances)
        .map(|_| {
            let port = free_port();
            (
                start_server(dir.path(), &url, port),
                format!("http://127.0.0.1:{port}"),
            )
        })
        .collect();
    let bases: Arc<Vec<String>> = Arc::new(servers.iter().map(|(_, b)| b.clone()).collect());
    let client = reqwest::Client::new();
    for base in bases.iter() {
        sign_in(&client, base, "alice@acme.example").await; // waits until it serves
    }
    // Sessions live in the database: one cookie works on every instance.
    let mut owners = Vec::new();
    if extra.is_empty() {
        owners.push(Owner {
            cookie: sign_in(&client, &bases[0], "alice@acme.example").await,
            backup: ORDERS.to_owned(),
        });
    }
    for (email, backup) in extra {
        let cookie = sign_in(&client, &bases[0], &email).await;
        owners.push(Owner { cookie, backup });
    }
    let owners = Arc::new(owners);
    let bob = sign_in(&client, &bases[0], "bob@acme-east.example").await;
    let counts = Arc::new(Counts::default());
    let started = Instant::now();
    let until = started + RUN_FOR;
    let users: Vec<_> = (0..CONNECTIONS)
        .map(|w| {
            tokio::spawn(user(
                svc.db().clone(),
                w,
                bases.clone(),
                owners.clone(),
                bob.clone(),
                counts.clone(),
                until,
            ))
        })
        .collect();
    for u in users {
        u.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    let (shares, answers, errors) = (
        counts.shares.load(Ordering::Relaxed),
        counts.answers.load(Ordering::Relaxed),
        counts.errors.load(Ordering::Relaxed),
    );
    let database = Backend::of(svc.db());
    println!(
        "load {database:?} x{instances}, {}: {CONNECTIONS} connections, {seconds:.1} s: {:.0} ops/s \
         (shares {:.0}/s, accepts and rejects {:.0}/s), errors {errors}",
        if spread > 1 {
            format!("{spread} owners")
        } else {
            "one owner".to_owned()
        },
        (shares + answers) as f64 / seconds,
        shares as f64 / seconds,
        answers as f64 / seconds,
    );
    for (mut child, _) in servers {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Who [`write_round`] acts as: Bob answers, each owner shares its own backup.
struct Writers {
    bob: backshare::service::Caller,
    owners: Vec<(backshare::service::Caller, String)>,
}

/// One round of [`write_figures`]: a share, then its invitation accepted (even `n`) or
/// rejected (odd), with the time of each call.
async fn write_round(
    svc: &Backshare,
    writers: &Writers,
    worker: usize,
    n: usize,
) -> (Duration, Duration) {
    let (owner, backup) = &writers.owners[worker % writers.owners.len()];
    let request = backshare::service::NewShare {
        name: format!("writes-{worker}-{n}"),
        scope: backshare::model::PrincipalScope::AllAccounts,
        backup_ids: vec![backup.clone()],
        principals: vec![BOB_ACCOUNT.to_owned()],
        grant_key: false,
    };
    let started = Instant::now();
    let share = svc.create_share(owner, request, Utc::now()).await.unwrap();
    let shared = started.elapsed();
    let invitation: String = sqlx::query_scalar("SELECT id FROM invitations WHERE share_id = $1")
        .bind(share.as_str())
        .fetch_one(svc.db())
        .await
        .unwrap();
    let started = Instant::now();
    if n.is_multiple_of(2) {
        let vaults = Default::default();
        svc.accept_invitation(&writers.bob, &invitation, &vaults, Utc::now())
            .await
            .unwrap();
    } else {
        svc.reject_invitation(&writers.bob, &invitation, Utc::now())
            .await
            .unwrap();
    }
    (shared, started.elapsed())
}

/// The write path without HTTP, on one database: share then accept or reject through the
/// service, as in [`load`]. First one at a time (the statements and the median time of each
/// call), then from [`CONNECTIONS`] tasks spread over as many owners (operations per second).
/// Beside the HTTP figure, the difference is what the web layer costs.
async fn write_figures(postgres: Option<&str>) {
    let dir = tempfile::tempdir_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")).unwrap();
    let (_, svc) = fresh(dir.path(), postgres).await;
    let owners = add_owners(&svc, CONNECTIONS).await;
    let caller = |user: String| {
        let svc = svc.clone();
        async move {
            svc.caller(&UserId::from_trusted(user))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let bob = caller("user-bob".to_owned()).await;
    let mut callers = Vec::new();
    // The users add_owners made: "user-" and the account's id.
    for (i, (_, backup)) in owners.iter().enumerate() {
        let user = format!("user-{:016}", 1_900_000_000_000_000_u64 + i as u64);
        callers.push((caller(user).await, backup.clone()));
    }
    let writers = Arc::new(Writers {
        bob,
        owners: callers,
    });
    let database = Backend::of(svc.db());
    let (mut shares, mut answers) = (Vec::new(), Vec::new());
    let mut counts = [0u64; 3];
    for n in 0..200 {
        if n < 3 {
            // Statements of a share and its answer, counted on three rounds (the first
            // accepts, the second rejects).
            STATEMENTS.store(0, Ordering::Relaxed);
            COUNTING.store(true, Ordering::Relaxed);
        }
        let (shared, answered) = write_round(&svc, &writers, n, n).await;
        if n < 3 {
            COUNTING.store(false, Ordering::Relaxed);
            if let Some(count) = counts.get_mut(n) {
                *count = STATEMENTS.load(Ordering::Relaxed);
            }
        }
        shares.push(shared);
        answers.push(answered);
    }
    shares.sort();
    answers.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "writes {database:?}, one at a time: share median {:.2} ms, answer median {:.2} ms; \
         statements per share + accept {}, + reject {} (each with the bench's one invitation read)",
        ms(shares[shares.len() / 2]),
        ms(answers[answers.len() / 2]),
        counts[0].max(counts[2]),
        counts[1],
    );
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let until = started + RUN_FOR / 2;
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|worker| {
            let (svc, done, writers) = (svc.clone(), done.clone(), writers.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < until {
                    n += 1;
                    write_round(&svc, &writers, worker, 1_000 + n).await;
                    done.fetch_add(2, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    println!(
        "writes {database:?}, {CONNECTIONS} tasks over {CONNECTIONS} owners: {:.0} ops/s",
        done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
    );
}

/// Gives Alice `count` resource shares of one backup with Bob, each with its invitation
/// (pending), a grant Bob holds, and a line in Alice's activity log, in bulk (the same SQL
/// on both databases). Row `i` is `rs-bulk-i`, `inv-bulk-i`, `gr-bulk-i`, `act-bulk-i`,
/// written at `start + i`; returns `start`.
async fn add_shares(svc: &Backshare, count: i64) -> i64 {
    let start = Utc::now().timestamp_millis() - count;
    let statements = [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO resource_shares (id, owner_account_id, name, scope, created_at)
         SELECT 'rs-bulk-' || i, '1840000000000001', 'bulk-' || i, 'all_accounts', $2 + i FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO share_backups (share_id, backup_id, added_at)
         SELECT 'rs-bulk-' || i, 'cb-acmehq-orders-001', $2 + i FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO share_principals (share_id, kind, principal_id, added_at)
         SELECT 'rs-bulk-' || i, 'account', '1840000000000002', $2 + i FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO share_recipients (share_id, recipient_account_id)
         SELECT 'rs-bulk-' || i, '1840000000000002' FROM n",
        // Rule 9's kept reach (`store::reach`): every bulk share reaches Bob as a whole.
        "INSERT INTO backup_reach (backup_id, account_id, project_id, shares)
         VALUES ('cb-acmehq-orders-001', '1840000000000002', '', $1)
         ON CONFLICT (backup_id, account_id, project_id)
         DO UPDATE SET shares = backup_reach.shares + $1",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO invitations (id, share_id, recipient_account_id, status, created_at, expires_at, owner_account_id)
         SELECT 'inv-bulk-' || i, 'rs-bulk-' || i, '1840000000000002', 'pending', $2 + i, $2 + i + 604800000, '1840000000000001' FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO grants (id, invitation_id, backup_id, recipient_account_id, status, updated_at, granted_at)
         SELECT 'gr-bulk-' || i, 'inv-bulk-' || i, 'cb-acmehq-orders-001', '1840000000000002', 'active', $2 + i, $2 + i FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO activity (id, at, actor_email, owner_account_id, recipient_account_id, share_name, action, detail, outcome)
         SELECT 'act-bulk-' || i, $2 + i, NULL, '1840000000000001', '1840000000000002', 'bulk-' || i, 'Shared backups', '', 'Done' FROM n",
    ];
    for sql in statements {
        let query = sqlx::query(sql).bind(count);
        // Every statement counts to $1; those that write a time start from $2.
        let query = if sql.contains("$2") {
            query.bind(start)
        } else {
            query
        };
        query.execute(svc.db()).await.unwrap();
    }
    start
}

/// Counts the SQL statements sqlx runs while [`COUNTING`] is on (its `sqlx::query` events).
struct StatementCounter;

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if metadata.target() == "sqlx::query" {
            // Asked again on every event, so counting can be switched on and off.
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(
        &self,
        metadata: &tracing::Metadata<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        metadata.target() == "sqlx::query" && COUNTING.load(Ordering::Relaxed)
    }

    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    }
}

/// The statements one run of `read` issues.
async fn statements<F, Fut>(read: F) -> u64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    STATEMENTS.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    read().await;
    COUNTING.store(false, Ordering::Relaxed);
    STATEMENTS.load(Ordering::Relaxed)
}

/// Times `read` (30 runs) and counts its statements (one run); prints both.
async fn figure<F, Fut>(what: &str, read: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let times = time_30(&read).await;
    let count = statements(&read).await;
    println!("{what}: {times}, {count} statements");
}

/// Server time and statements of page 1 and of a deep page (the one after the middle row)
/// of every paged list, for an account holding `count` of each.
async fn page_figures(postgres: Option<&str>, count: i64) {
    let dir = tempfile::tempdir_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")).unwrap();
    let (_, svc) = fresh(dir.path(), postgres).await;
    let start = add_shares(&svc, count).await;
    if postgres.is_some() {
        sqlx::query("ANALYZE").execute(svc.db()).await.unwrap();
    }
    let caller = |user: &'static str| {
        let svc = svc.clone();
        async move {
            svc.caller(&UserId::from_trusted(user))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (alice, bob) = (caller("user-alice").await, caller("user-bob").await);
    let database = Backend::of(svc.db());
    let of = |what: &str, label: &str| format!("{what} {label}, {database:?}, {count} items");
    // Row `middle` of each bulk table, newest first, is where a deep page starts.
    let middle = count / 2 + 1;
    let deep = |prefix: &str| {
        PageAt::Older(Cursor {
            at: start + middle,
            id: format!("{prefix}-bulk-{middle}"),
        })
    };
    let middle_name: String = sqlx::query_scalar(
        "SELECT name FROM resource_shares WHERE owner_account_id = '1840000000000001'
         ORDER BY name LIMIT 1 OFFSET $1",
    )
    .bind(count / 2)
    .fetch_one(svc.db())
    .await
    .unwrap();
    for (label, deep_page) in [("page 1", false), ("a deep page", true)] {
        let at = if deep_page { deep("rs") } else { PageAt::First };
        figure(&of("My Shares", label), || async {
            let page = svc.my_shares(&alice, &at, Utc::now()).await.unwrap();
            assert!(!page.rows.is_empty());
        })
        .await;
        figure(&of("Share List", label), || async {
            let page = svc
                .share_list(&alice, ORDERS, &at, Utc::now())
                .await
                .unwrap();
            assert!(!page.rows.is_empty());
        })
        .await;
        let after = deep_page.then_some(middle_name.as_str());
        figure(&of("share dialog's shares", label), || async {
            let page = svc.share_choices(&alice, "", after).await.unwrap();
            assert!(!page.shares.is_empty());
        })
        .await;
        let at = if deep_page {
            deep("act")
        } else {
            PageAt::First
        };
        figure(&of("Activity", label), || async {
            let page = svc.activity(&alice, &at).await.unwrap();
            assert!(!page.entries.is_empty());
        })
        .await;
        let sent_at = if deep_page {
            deep("inv")
        } else {
            PageAt::First
        };
        figure(&of("API: sent invitations (PRINCIPAL)", label), || async {
            let filter = InvitationFilter::default();
            let page = svc
                .listed_invitations(&alice, Side::Owned, &filter, &sent_at, 50)
                .await
                .unwrap();
            assert!(!page.items.is_empty());
        })
        .await;
        let pending = SharedWithMeAt {
            pending: if deep_page {
                deep("inv")
            } else {
                PageAt::First
            },
            ..SharedWithMeAt::default()
        };
        figure(&of("Shared With Me (pending)", label), || async {
            let page = svc
                .shared_with_me(&bob, &pending, Utc::now())
                .await
                .unwrap();
            assert!(!page.pending.is_empty());
        })
        .await;
        let received = SharedWithMeAt {
            received: if deep_page { deep("gr") } else { PageAt::First },
            ..SharedWithMeAt::default()
        };
        figure(&of("Shared With Me (received)", label), || async {
            let page = svc
                .shared_with_me(&bob, &received, Utc::now())
                .await
                .unwrap();
            assert!(!page.received.is_empty());
        })
        .await;
    }
}

/// Runs `read` 30 times: "median … ms, p95 … ms".
async fn time_30<F, Fut>(read: F) -> String
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        read().await;
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.2} ms, p95 {:.2} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100])
    )
}

/// The server's peak resident memory, from `/proc` (Linux), in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Wrong passwords from 64 connections for 10 s against one server on SQLite: answers
/// per second by status and the server's peak memory, with the default throttle and with
/// the throttle's thresholds out of reach (every attempt runs Argon2; the semaphore of
/// password checks bounds the memory).
async fn sign_in_flood(throttled: bool) {
    let dir = tempfile::tempdir_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")).unwrap();
    let (url, _svc) = fresh(dir.path(), None).await;
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_backshare-server"));
    command
        .env("BACKSHARE_DATA_DIR", dir.path())
        .env("DATABASE_URL", &url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null());
    if !throttled {
        command
            .env("BACKSHARE_SIGN_IN_FAILURES_PER_EMAIL", "1000000000")
            .env("BACKSHARE_SIGN_IN_FAILURES_PER_ADDRESS", "1000000000");
    }
    let mut server = command.spawn().expect("the server binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    sign_in(&client, &base, "alice@acme.example").await; // waits until it serves
    let statuses = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::new()));
    let until = Instant::now() + Duration::from_secs(10);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|w| {
            let (client, base, statuses) = (client.clone(), base.clone(), statuses.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < until {
                    n += 1;
                    let email = if n % 2 == 0 {
                        "alice@acme.example".to_owned()
                    } else {
                        format!("guess{w}-{n}@acme.example")
                    };
                    let status = client
                        .post(format!("{base}/api/sign_in"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("accept", "application/json")
                        .body(format!("email={email}&password=wrong-{n}"))
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    *statuses.lock().unwrap().entry(status).or_insert(0u64) += 1;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    let rss = peak_rss_mib(server.id());
    let statuses = statuses.lock().unwrap().clone();
    let total: u64 = statuses.values().sum();
    println!(
        "sign-in flood ({}), {CONNECTIONS} connections, {seconds:.1} s: {:.0} answers/s {statuses:?}, server peak RSS {rss:.0} MiB",
        if throttled { "default throttle" } else { "thresholds out of reach" },
        total as f64 / seconds,
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// One signed RAM call over HTTP.
async fn ram_call(
    client: &reqwest::Client,
    base: &str,
    key: &(String, String),
    operation: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let body = body.to_string();
    let host = base.trim_start_matches("http://");
    let path = format!("/ram/{operation}");
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("host", host.parse().unwrap());
    let date = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    headers.insert("x-amz-date", date.parse().unwrap());
    let received = backshare_server::sigv4::Received {
        method: "POST",
        path: &path,
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let authorization = backshare_server::sigv4::authorization_for(
        &received,
        &key.0,
        &key.1,
        "ap-southeast-1",
        "ram",
    )
    .unwrap();
    let reply = client
        .post(format!("{base}{path}"))
        .header("x-amz-date", date)
        .header("authorization", authorization)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(
        reply.status().is_success(),
        "{operation}: {}",
        reply.status()
    );
    reply.json().await.unwrap()
}

async fn create_key(client: &reqwest::Client, base: &str, cookie: &str) -> (String, String) {
    let key: serde_json::Value = client
        .post(format!("{base}/api/create_access_key"))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        key["id"].as_str().unwrap().to_owned(),
        key["secret"].as_str().unwrap().to_owned(),
    )
}

/// Create plus accept, per second, for `RUN_FOR / 2` each way, from 8 connections.
async fn api_figures() {
    const TASKS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let (url, svc) = fresh(dir.path(), None).await;
    drop(svc);
    let port = free_port();
    let mut server = start_server(dir.path(), &url, port);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let (alice, bob) = (
        sign_in(&client, &base, "alice@acme.example").await,
        sign_in(&client, &base, "bob@acme-east.example").await,
    );
    let (alice_key, bob_key) = (
        create_key(&client, &base, &alice).await,
        create_key(&client, &base, &bob).await,
    );
    let backup = format!("arn:aws:backshare:ap-southeast-1:1840000000000001:backup/{ORDERS}");
    for through_ram in [true, false] {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let (client, base, done, stop) =
                (client.clone(), base.clone(), done.clone(), stop.clone());
            let (alice, bob, alice_key, bob_key, backup) = (
                alice.clone(),
                bob.clone(),
                alice_key.clone(),
                bob_key.clone(),
                backup.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let name = format!("api-{through_ram}-{task}-{n}");
                    if through_ram {
                        let share = ram_call(&client, &base, &alice_key, "createresourceshare",
                            serde_json::json!({ "name": name, "resourceArns": [backup], "principals": [BOB_ACCOUNT] })).await;
                        let arn = share["resourceShare"]["resourceShareArn"].clone();
                        let found = ram_call(&client, &base, &bob_key, "getresourceshareinvitations",
                            serde_json::json!({ "resourceShareArns": [arn] })).await;
                        let invitation = found["resourceShareInvitations"][0]["resourceShareInvitationArn"].clone();
                        ram_call(&client, &base, &bob_key, "acceptresourceshareinvitation",
                            serde_json::json!({ "resourceShareInvitationArn": invitation })).await;
                    } else {
                        let created = client.post(format!("{base}/api/create_share"))
                            .header("cookie", &alice).header("accept", "application/json")
                            .json(&serde_json::json!({ "share_name": name, "scope": "AllAccounts", "backup_ids": [ORDERS], "principals": [BOB_ACCOUNT] }))
                            .send().await.unwrap();
                        assert!(created.status().is_success());
                        let page: serde_json::Value = client.post(format!("{base}/api/shared_with_me"))
                            .header("cookie", &bob).header("accept", "application/json")
                            .send().await.unwrap().json().await.unwrap();
                        let invitation = page["pending"].as_array().unwrap().iter()
                            .find(|i| i["share_name"] == name.as_str()).unwrap()["id"].as_str().unwrap().to_owned();
                        let accepted = client.post(format!("{base}/api/accept_invitation"))
                            .header("cookie", &bob).header("accept", "application/json")
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(format!("invitation_id={invitation}"))
                            .send().await.unwrap();
                        assert!(accepted.status().is_success(), "{}", accepted.status());
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        let started = Instant::now();
        tokio::time::sleep(RUN_FOR / 2).await;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await.unwrap();
        }
        let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
        let way = if through_ram {
            "RAM endpoint (SigV4)"
        } else {
            "server functions (session)"
        };
        println!(
            "api: create + accept through the {way}, {TASKS} connections: {rate:.0} per second"
        );
    }
    let _ = server.kill();
    let _ = server.wait();

    // SigV4 verification alone: parse, scope and clock, canonical request, HMAC chain.
    let body = serde_json::json!({ "resourceOwner": "SELF", "maxResults": 50 }).to_string();
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("host", "127.0.0.1:3000".parse().unwrap());
    headers.insert("content-type", "application/json".parse().unwrap());
    let now = Utc::now();
    headers.insert(
        "x-amz-date",
        now.format("%Y%m%dT%H%M%SZ").to_string().parse().unwrap(),
    );
    let mut received = backshare_server::sigv4::Received {
        method: "POST",
        path: "/ram/getresourceshares",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let authorization = backshare_server::sigv4::authorization_for(
        &received,
        "BKSHX",
        "secret",
        "ap-southeast-1",
        "ram",
    )
    .unwrap();
    let mut signed = headers.clone();
    signed.insert("authorization", authorization.parse().unwrap());
    received.headers = &signed;
    let rounds = 50_000;
    let started = Instant::now();
    for _ in 0..rounds {
        let auth = backshare_server::sigv4::authorization(&signed).unwrap();
        let date = backshare_server::sigv4::check_scope(&auth, &signed, "ram", now).unwrap();
        backshare_server::sigv4::verify(&received, &auth, &date, "secret").unwrap();
    }
    let each = started.elapsed().as_secs_f64() / f64::from(rounds) * 1e6;
    println!("api: SigV4 verification of one request: {each:.1} µs (CPU, {rounds} rounds), plus the key and its user read by primary key");
}

#[tokio::main]
async fn main() {
    let postgres = std::env::var(backshare::db::TEST_POSTGRES).ok();
    {
        use tracing_subscriber::layer::SubscriberExt;
        let counting = tracing_subscriber::registry().with(StatementCounter);
        tracing::subscriber::set_global_default(counting).unwrap();
    }
    let only = std::env::var("BENCH_ONLY").ok();
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    if runs("api") {
        api_figures().await;
    }
    if !runs("pages") {
        return flood_and_load(postgres.as_deref(), &runs).await;
    }
    for count in PAGE_SIZES {
        page_figures(None, count).await;
    }
    if let Some(pg) = postgres.as_deref() {
        for count in PAGE_SIZES {
            page_figures(Some(pg), count).await;
        }
    }
    flood_and_load(postgres.as_deref(), &runs).await;
}

async fn flood_and_load(postgres: Option<&str>, runs: &dyn Fn(&str) -> bool) {
    if runs("flood") {
        for throttled in [true, false] {
            sign_in_flood(throttled).await;
        }
    }
    if runs("writes") {
        write_figures(None).await;
        if let Some(pg) = postgres {
            write_figures(Some(pg)).await;
        }
    }
    if !runs("load") {
        return;
    }
    for spread in [1, CONNECTIONS] {
        load(None, 1, spread).await;
    }
    match postgres {
        Some(pg) => {
            for spread in [1, CONNECTIONS] {
                load(Some(pg), 2, spread).await;
            }
        }
        None => println!(
            "load on PostgreSQL skipped: set {}",
            backshare::db::TEST_POSTGRES
        ),
    }
}
