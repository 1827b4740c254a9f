//! The server process killed with SIGKILL in the middle of a copy: after a restart the copy
//! is taken over once its lease lapses and completes exactly once; the vault holds what
//! its usage says and no half-written object is left behind.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backshare::ids::UserId;
use backshare::model::PrincipalScope;
use backshare::service::{Backshare, NewShare, Settings};
use chrono::Utc;

const WEB: &str = "sb-acmehq-web-001";
const BOB_ACCOUNT: &str = "1840000000000002";

/// Starts the real server binary on the data folder: copies at 128 KiB/s (the 512 KiB
/// backup takes about 4 s) and a 1 s lease, so a dead worker's copy is taken over soon.
fn start_server(data: &Path, database: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_backshare-server"))
        .env("BACKSHARE_DATA_DIR", data)
        .env("DATABASE_URL", database)
        .env("BACKSHARE_COPY_RATE_LIMIT", "128KiB")
        .env("BACKSHARE_COPY_LEASE", "1s")
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_copy_interrupted_by_sigkill_completes_exactly_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let db = backshare::db::connect(&url).await.unwrap();
    let svc = Backshare::new(db, dir.path(), Settings::default()).unwrap();
    assert!(backshare::demo::seed_if_empty(&svc, Utc::now())
        .await
        .unwrap());

    // Alice shares her server backup with Bob; Bob accepts it into his server vault.
    let alice = svc
        .caller(&UserId::from_trusted("user-alice"))
        .await
        .unwrap()
        .unwrap();
    let bob = svc
        .caller(&UserId::from_trusted("user-bob"))
        .await
        .unwrap()
        .unwrap();
    let share = NewShare {
        name: "web".into(),
        scope: PrincipalScope::AllAccounts,
        backup_ids: vec![WEB.into()],
        principals: vec![BOB_ACCOUNT.into()],
        grant_key: false,
    };
    svc.create_share(&alice, share, Utc::now()).await.unwrap();
    let page = svc.shared_with_me(&bob, Utc::now()).await.unwrap();
    let invitation = &page.pending[0];
    let choice = &invitation.vault_choices[0];
    let vault = choice.options.iter().find(|o| o.refusal.is_none()).unwrap();
    let vaults = [(WEB.to_owned(), vault.vault_id.clone())].into();
    svc.accept_invitation(&bob, invitation.id.as_str(), &vaults, Utc::now())
        .await
        .unwrap();

    // The server copies; it is killed once some bytes are across.
    let port = free_port();
    let mut first = start_server(dir.path(), &url, port);
    let copied = wait_for(
        &svc,
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
    let mut second = start_server(dir.path(), &url, port);
    let attempts = wait_for(
        &svc,
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
    let mut leftovers = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("objects/copies")).unwrap() {
        leftovers.push(entry.unwrap().file_name().into_string().unwrap());
    }
    assert_eq!(leftovers, vec![format!("{grant}.2")]);

    // The vault's usage is the sum of what it holds.
    let page = svc.vaults(&bob, Utc::now()).await.unwrap();
    let held = page.vaults.iter().find(|v| v.id == vault.vault_id).unwrap();
    let sum: i64 = held.items.iter().map(|i| i.size_bytes).sum();
    assert_eq!(held.used_bytes, sum);
    assert!(held
        .items
        .iter()
        .any(|i| i.backup_id.as_str() == WEB && i.status == "Available"));
}
