//! Real server processes. One killed with SIGKILL in the middle of a copy: after a restart
//! the copy is taken over once its lease lapses and completes exactly once; the vault holds
//! what its usage says and no half-written object is left behind. Two instances on one
//! database: every background job runs exactly once across them, and a change made
//! through one reaches a page connected to the other. With `BACKSHARE_TEST_S3` (and
//! `--features s3`) the test and its servers keep the bytes in a new bucket there.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backshare::ids::UserId;
use backshare::model::PrincipalScope;
use backshare::objects::Scratch;
use backshare::paging::PageAt;
use backshare::service::{Backshare, Caller, NewShare, Settings};
use chrono::Utc;

const WEB: &str = "sb-acmehq-web-001";
const BOB_ACCOUNT: &str = "1840000000000002";
/// Servers on a bucket must be given the master key; the test's own services use it too,
/// so that both open the same wrapped keys.
const MASTER_KEY: &str = "4261636b73686172652074657374206d6173746572206b657920666f72205333";

/// A test's database, bytes and services on them, as the servers it starts will see them.
struct World {
    svc: Backshare,
    url: String,
    bucket: Option<Vec<(&'static str, String)>>,
    dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let db = backshare::db::connect(&url).await.unwrap();
    let Scratch { store, s3: bucket } = backshare::objects::scratch(dir.path()).await;
    let settings = Settings {
        master_key: bucket
            .is_some()
            .then(|| backshare::crypto::Secret::new(MASTER_KEY)),
        ..Settings::default()
    };
    let svc = Backshare::with_objects(db, dir.path(), store, settings).unwrap();
    assert!(backshare::demo::seed_if_empty(&svc, Utc::now())
        .await
        .unwrap());
    World {
        svc,
        url,
        bucket,
        dir,
    }
}

/// Starts the real server binary on the world's data folder, database and bucket: copies
/// at 128 KiB/s (the 512 KiB backup takes about 4 s), jobs held under a lease of `lease`.
fn start_server(world: &World, port: u16, lease: &str) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backshare-server"));
    if let Some(bucket) = &world.bucket {
        command
            .envs(bucket.iter().cloned())
            .env("BACKSHARE_OBJECT_STORE", "s3")
            .env("BACKSHARE_MASTER_KEY", MASTER_KEY);
    }
    command
        .env("BACKSHARE_DATA_DIR", world.dir.path())
        .env("DATABASE_URL", &world.url)
        .env("BACKSHARE_COPY_RATE_LIMIT", "128KiB")
        .env("BACKSHARE_JOB_LEASE", lease)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "backshare")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

/// Polls the database until `check` holds, failing after `limit`.
async fn wait_for(svc: &Backshare, what: &str, limit: Duration, check: &str) -> i64 {
    let deadline = Instant::now() + limit;
    loop {
        let value: Option<i64> = sqlx::query_scalar(check)
            .fetch_optional(svc.db())
            .await
            .unwrap();
        if let Some(value) = value {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn caller(svc: &Backshare, user: &str) -> Caller {
    svc.caller(&UserId::from_trusted(user))
        .await
        .unwrap()
        .unwrap()
}

/// Alice shares her server backup with Bob, who accepts it into the first vault that
/// fits; the copy waits for a worker. Returns that vault's id.
async fn share_web_with_bob_into_a_vault(svc: &Backshare) -> String {
    let (alice, bob) = (
        caller(svc, "user-alice").await,
        caller(svc, "user-bob").await,
    );
    let share = NewShare {
        name: "web".into(),
        scope: PrincipalScope::AllAccounts,
        backup_ids: vec![WEB.into()],
        principals: vec![BOB_ACCOUNT.into()],
        grant_key: false,
    };
    svc.create_share(&alice, share, Utc::now()).await.unwrap();
    let page = svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap();
    let invitation = page.pending.iter().find(|i| i.share_name == "web").unwrap();
    let choice = &invitation.vault_choices[0];
    let vault = choice.options.iter().find(|o| o.refusal.is_none()).unwrap();
    let vaults = [(WEB.to_owned(), vault.vault_id.clone())].into();
    svc.accept_invitation(&bob, invitation.id.as_str(), &vaults, Utc::now())
        .await
        .unwrap();
    vault.vault_id.clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_copy_interrupted_by_sigkill_completes_exactly_once_after_restart() {
    let world = world().await;
    let svc = &world.svc;

    let bob = caller(svc, "user-bob").await;
    let vault = share_web_with_bob_into_a_vault(svc).await;

    // The server copies; it is killed once some bytes are across.
    let port = free_port();
    let mut first = start_server(&world, port, "1s");
    let copied = wait_for(
        svc,
        "the copy to start",
        Duration::from_secs(60),
        "SELECT copied_bytes FROM copies WHERE status = 'copying' AND copied_bytes > 0",
    )
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let status: String = sqlx::query_scalar("SELECT status FROM copies")
        .fetch_one(svc.db())
        .await
        .unwrap();
    assert_eq!(status, "copying", "killed mid-copy after {copied} bytes");

    // Restarted, the server takes the copy over once the lease lapses and finishes it.
    let mut second = start_server(&world, port, "1s");
    let attempts = wait_for(
        svc,
        "the copy to become available",
        Duration::from_secs(60),
        "SELECT attempt FROM copies WHERE status = 'available'",
    )
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    println!("killed after {copied} bytes; available after {attempts} attempts");
    assert_eq!(attempts, 2, "one interrupted attempt, one that finished");

    // Exactly one copy object, equal to the original; no staged upload left over.
    let grant: String = sqlx::query_scalar("SELECT grant_id FROM copies")
        .fetch_one(svc.db())
        .await
        .unwrap();
    let objects = svc.objects();
    assert!(!objects.exists("copies", &format!("{grant}.1")).await);
    assert_eq!(
        objects.get("copies", &format!("{grant}.2")).await.unwrap(),
        objects.get("backups", WEB).await.unwrap()
    );
    assert_eq!(
        objects.list("copies").await.unwrap(),
        vec![format!("{grant}.2")]
    );
    // A local store's staged uploads are files beside the objects, which a listing hides.
    // (The killed attempt's multipart upload in a bucket is left to its lifecycle rule.)
    if world.bucket.is_none() {
        let mut leftovers = Vec::new();
        for entry in std::fs::read_dir(world.dir.path().join("objects/copies")).unwrap() {
            leftovers.push(entry.unwrap().file_name().into_string().unwrap());
        }
        assert_eq!(leftovers, vec![format!("{grant}.2")]);
    }

    // The vault's usage is the sum of what it holds.
    let page = svc.vaults(&bob, Utc::now()).await.unwrap();
    let held = page.vaults.iter().find(|v| v.id == vault).unwrap();
    let contents = svc
        .vault_contents(&bob, &vault, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert_eq!(contents.links.older, None, "one page holds it all");
    let sum: i64 = contents.items.iter().map(|i| i.size_bytes).sum();
    assert_eq!(held.used_bytes, sum);
    assert!(contents
        .items
        .iter()
        .any(|i| i.backup_id.as_str() == WEB && i.status == "Available"));
}

/// Stops a server the way an operator does (SIGTERM): it finishes the round of background
/// work it is in, so whatever it was going to do is done when this returns.
fn stop(mut server: Child) {
    let pid = server.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success(), "kill -TERM {pid}");
    assert!(server.wait().unwrap().success(), "the server stops cleanly");
}

/// Signs in over HTTP and returns the session cookie, retrying while the server starts.
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
            Ok(reply) => {
                assert!(reply.status().is_success(), "sign in as {email}");
                let cookie = reply.headers()["set-cookie"].to_str().unwrap();
                return cookie.split(';').next().unwrap().to_owned();
            }
            Err(error) => {
                assert!(Instant::now() < deadline, "{base} never answered: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Reads the event stream until an event whose data is `data` arrives, failing after 20 s.
async fn next_event(events: &mut reqwest::Response, data: &str) {
    let wanted = format!("data: {data}");
    let mut seen = String::new();
    let read = async {
        while !seen.contains(&wanted) {
            let chunk = events.chunk().await.unwrap().expect("the feed stays open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .unwrap_or_else(|_| panic!("no {wanted:?} event within 20 s"));
}

async fn count(svc: &Backshare, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(svc.db()).await.unwrap()
}

#[tokio::test]
async fn two_instances_on_one_database_run_each_job_once_and_share_the_feed() {
    let world = world().await;
    let svc = &world.svc;
    let (alice, bob) = (
        caller(svc, "user-alice").await,
        caller(svc, "user-bob").await,
    );
    let long_ago = Utc::now() - chrono::Duration::days(8);

    // Work for both instances, due before either starts: an invitation that expired, a
    // revocation past its delay, a copy, a restore.
    let unanswered = NewShare {
        name: "unanswered".into(),
        scope: PrincipalScope::AllAccounts,
        backup_ids: vec!["cb-acmehq-orders-003".into()],
        principals: vec![BOB_ACCOUNT.into()],
        grant_key: false,
    };
    svc.create_share(&alice, unanswered, long_ago)
        .await
        .unwrap();
    let to_bob = NewShare {
        name: "revoked".into(),
        scope: PrincipalScope::AllAccounts,
        backup_ids: vec!["cb-acmehq-orders-001".into()],
        principals: vec![BOB_ACCOUNT.into()],
        grant_key: false,
    };
    let revoked = svc.create_share(&alice, to_bob, long_ago).await.unwrap();
    let page = svc
        .shared_with_me(&bob, &Default::default(), long_ago)
        .await
        .unwrap();
    let invitation = page
        .pending
        .iter()
        .find(|i| i.share_name == "revoked")
        .unwrap();
    svc.accept_invitation(&bob, invitation.id.as_str(), &Default::default(), long_ago)
        .await
        .unwrap();
    svc.cancel_sharing(&alice, revoked.as_str(), BOB_ACCOUNT, long_ago)
        .await
        .unwrap();
    share_web_with_bob_into_a_vault(svc).await;
    svc.restore_backup(&alice, "cb-acmehq-ledger-001", None, Utc::now())
        .await
        .unwrap();

    let (port_a, port_b) = (free_port(), free_port());
    let a = start_server(&world, port_a, "30s");
    let b = start_server(&world, port_b, "30s");
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );

    // A change made through instance A reaches Bob's page connected to instance B.
    let client = reqwest::Client::new();
    let bob_cookie = sign_in(&client, &base_b, "bob@acme-east.example").await;
    let mut bobs_feed = client
        .get(format!("{base_b}/api/events"))
        .header("cookie", &bob_cookie)
        .send()
        .await
        .unwrap();
    assert!(bobs_feed.status().is_success());
    next_event(&mut bobs_feed, "connected").await;
    let alice_cookie = sign_in(&client, &base_a, "alice@acme.example").await;
    let body = serde_json::json!({
        "share_name": "through-a", "scope": "AllAccounts",
        "backup_ids": ["cb-acmehq-orders-003"], "principals": [BOB_ACCOUNT],
    });
    let created = client
        .post(format!("{base_a}/api/create_share"))
        .header("cookie", &alice_cookie)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "{}",
        created.text().await.unwrap()
    );
    next_event(&mut bobs_feed, "change").await;

    // Both instances work until everything is done, then stop (finishing their round).
    wait_for(
        svc,
        "every job to finish",
        Duration::from_secs(60),
        "SELECT 1 FROM copies WHERE status = 'available'
           AND EXISTS (SELECT 1 FROM restores WHERE status = 'done')
           AND EXISTS (SELECT 1 FROM invitations WHERE status = 'expired')
           AND EXISTS (SELECT 1 FROM grants WHERE status = 'revoked')",
    )
    .await;
    // Bob's page is still connected to B: stopping must not wait for it to leave.
    stop(a);
    stop(b);
    drop(bobs_feed);

    // Each job ran once: one attempt, one activity line, one restored resource.
    let lines = |action: &str| format!("SELECT COUNT(*) FROM activity WHERE action = '{action}'");
    assert_eq!(count(svc, &lines("Invitation expired")).await, 1);
    assert_eq!(count(svc, &lines("Revocation finished")).await, 1);
    assert_eq!(count(svc, &lines("Restore finished")).await, 1);
    assert_eq!(count(svc, "SELECT attempt FROM copies").await, 1);
    assert_eq!(count(svc, "SELECT attempt FROM restores").await, 1);
    assert_eq!(
        count(
            svc,
            "SELECT COUNT(*) FROM resources WHERE name LIKE '%(restored)'"
        )
        .await,
        1
    );
}
