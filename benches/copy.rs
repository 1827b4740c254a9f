//! Copy throughput: a 1 GiB server backup shared, accepted into a vault and copied by the
//! real copy job (streamed through object_store, SHA-256 on the way, read back and
//! verified), beside `cp` + `sha256sum` of the same file on the same disk, in one run.
//! Run with `scripts/bench-copy.sh` (or `cargo bench --features server --bench copy`).
//! With `BACKSHARE_TEST_S3` (`scripts/bench-copy.sh --s3`: moto on loopback) the backup and
//! its copy live in a new bucket there; `cp` still copies the file on the local disk.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use backshare::ids::UserId;
use backshare::model::PrincipalScope;
use backshare::service::{Backshare, NewShare, Settings};
use chrono::Utc;
use sha2::{Digest, Sha256};

const GIB: u64 = 1 << 30;
const BACKUP: &str = "sb-bench-1g";

/// Writes `size` pseudo-random bytes (incompressible, like a real disk image) and returns
/// their SHA-256.
fn write_object(path: &Path, size: u64) -> String {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = std::io::BufWriter::with_capacity(8 << 20, std::fs::File::create(path).unwrap());
    let mut hasher = Sha256::new();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut chunk = vec![0u8; 8 << 20];
    let mut left = size;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(chunk.len() as u64) as usize;
        hasher.update(&chunk[..n]);
        file.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    file.into_inner().unwrap().sync_all().unwrap();
    hex::encode(hasher.finalize())
}

fn mib_per_s(bytes: u64, seconds: f64) -> f64 {
    bytes as f64 / (1 << 20) as f64 / seconds
}

#[tokio::main]
async fn main() {
    let size = std::env::var("BENCH_COPY_BYTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(GIB);
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "target".into()))
        .unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let db = backshare::db::connect(&url).await.unwrap();
    let scratch = backshare::objects::scratch(dir.path()).await;
    let store = match &scratch.s3 {
        Some(bucket) => {
            let endpoint = bucket.iter().find(|(name, _)| *name == "AWS_ENDPOINT");
            format!("S3 at {}", endpoint.unwrap().1)
        }
        None => "same disk".to_owned(),
    };
    let svc = Backshare::with_objects(db, dir.path(), scratch.store, Settings::default()).unwrap();
    backshare::demo::seed_if_empty(&svc, Utc::now())
        .await
        .unwrap();

    let source = dir.path().join("objects/backups").join(BACKUP);
    let sha256 = write_object(&source, size);
    if scratch.s3.is_some() {
        // Uploaded whole (not timed); the file stays for cp to copy.
        let bytes = std::fs::read(&source).unwrap();
        svc.objects().put("backups", BACKUP, bytes).await.unwrap();
    }
    let db = svc.db();
    sqlx::query("UPDATE vaults SET capacity_bytes = $1 WHERE kind = 'server'")
        .bind(4 * size as i64)
        .execute(db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO backups (id, account_id, resource_id, vault_id, region, kind, name, size_bytes,
                              sha256, stored_sha256, encrypted, created_at)
         SELECT $1, account_id, resource_id, vault_id, region, kind, '1 GiB bench', $2, $3, $4, FALSE, created_at
         FROM backups WHERE id = 'sb-acmehq-web-001'",
    )
    .bind(BACKUP)
    .bind(size as i64)
    .bind(&sha256)
    .bind(&sha256)
    .execute(db)
    .await
    .unwrap();

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
        name: "bench".into(),
        scope: PrincipalScope::AllAccounts,
        backup_ids: vec![BACKUP.into()],
        principals: vec!["1840000000000002".into()],
        grant_key: false,
    };
    svc.create_share(&alice, share, Utc::now()).await.unwrap();
    let page = svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap();
    let invitation = &page.pending[0];
    let vault = invitation.vault_choices[0]
        .options
        .iter()
        .find(|o| o.refusal.is_none())
        .expect("a vault fits")
        .vault_id
        .clone();
    let vaults = [(BACKUP.to_owned(), vault)].into();
    svc.accept_invitation(&bob, invitation.id.as_str(), &vaults, Utc::now())
        .await
        .unwrap();

    let started = Instant::now();
    let finished = svc.run_copies(Utc::now()).await.unwrap();
    let copy_job = started.elapsed().as_secs_f64();
    assert_eq!(finished, 1);
    let page = svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap();
    let status = page
        .received
        .iter()
        .find(|r| r.backup_id.as_str() == BACKUP)
        .unwrap()
        .status;
    assert_eq!(status.label(), "Available");

    let target = dir.path().join("cp-target");
    let started = Instant::now();
    assert!(Command::new("cp")
        .arg(&source)
        .arg(&target)
        .status()
        .unwrap()
        .success());
    let cp = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let out = Command::new("sha256sum").arg(&target).output().unwrap();
    let sum = started.elapsed().as_secs_f64();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&sha256));

    println!(
        "copy of {:.2} GiB, this machine (Backshare: {store}; cp: same disk):",
        size as f64 / GIB as f64
    );
    println!(
        "  Backshare copy job (stream + SHA-256 + read-back verify): {copy_job:.2} s, {:.0} MiB/s",
        mib_per_s(size, copy_job)
    );
    println!(
        "  cp + sha256sum:                                          {:.2} s, {:.0} MiB/s (cp {cp:.2} s, sha256sum {sum:.2} s)",
        cp + sum,
        mib_per_s(size, cp + sum)
    );
}
