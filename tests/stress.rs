//! A stress test of the invariants: many concurrent clients issue randomised operations
//! (share, change a share's backups and principals, accept into a vault, reject, cancel,
//! delete a share, the background lifecycle, page reads) against one database, SQLite or
//! PostgreSQL (`BACKSHARE_TEST_POSTGRES`); afterwards every limit holds, the counts kept
//! for rule 9 equal the counts from the shares, every invitation was answered at most once
//! and reads as its answer, and every vault's usage equals what it holds and fits in it.
//! Prints the figures.
//! `BACKSHARE_STRESS_OPS` sets the number of operations (10,000 by default).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use backshare::ids::UserId;
use backshare::model::PrincipalScope;
use backshare::paging::PageAt;
use backshare::rules::Limits;
use backshare::service::{Backshare, Caller, NewShare, ServiceError, Settings, ShareUpdate};
use chrono::{Duration, Utc};

const CLIENTS: usize = 16;
const RECIPIENTS: usize = 8;
const WEB: &str = "sb-acmehq-web-001";
const BACKUPS: [&str; 4] = [
    "cb-acmehq-orders-001",
    "cb-acmehq-orders-003",
    "cb-acmehq-ledger-001",
    WEB,
];
/// Room for two copies of the 512 KiB server backup: vaults fill up.
const VAULT_CAPACITY: i64 = 1_200_000;
const LIMITS: Limits = Limits {
    projects_per_copy_backup: 5,
    accounts_per_cluster_backup: 8,
    shared_backups_per_account: 1_000,
    shared_cluster_backups_per_account: 1_024,
};

fn account(i: usize) -> String {
    format!("{:016}", 1_950_000_000_000_000_u64 + i as u64)
}

/// Up to three random principals: recipient accounts, or (one in four) their one project.
fn principals(rng: &mut fastrand::Rng) -> Vec<String> {
    (0..rng.usize(1..=3))
        .map(|_| {
            let id = account(rng.usize(..RECIPIENTS));
            if rng.u32(0..4) == 0 {
                format!("proj-{id}")
            } else {
                id
            }
        })
        .collect()
}

/// A share's principals changed at random: some of its own kept, and accounts (or their
/// projects) it never invited added. An account invited before gets the same invitation
/// sent again (which the answers' invariants tell apart by when it was sent); keeping to
/// new ones keeps most invitations to one sending.
async fn changed_principals(svc: &Backshare, share: &str, rng: &mut fastrand::Rng) -> Vec<String> {
    let current: Vec<String> =
        sqlx::query_scalar("SELECT principal_id FROM share_principals WHERE share_id = $1")
            .bind(share)
            .fetch_all(svc.db())
            .await
            .unwrap();
    let invited: Vec<String> =
        sqlx::query_scalar("SELECT recipient_account_id FROM invitations WHERE share_id = $1")
            .bind(share)
            .fetch_all(svc.db())
            .await
            .unwrap();
    let mut kept: Vec<String> = current.into_iter().filter(|_| rng.bool()).collect();
    for added in principals(rng) {
        let account = added.trim_start_matches("proj-");
        if !invited.iter().any(|a| a == account) {
            kept.push(added);
        }
    }
    kept
}

/// A random live resource share of Alice's, if she has one.
async fn some_share(svc: &Backshare) -> Option<String> {
    sqlx::query_scalar(
        "SELECT id FROM resource_shares WHERE deleted_at IS NULL ORDER BY random() LIMIT 1",
    )
    .fetch_optional(svc.db())
    .await
    .unwrap()
}

/// Recipient accounts in the demo's region, each with a user, a project and a small vault.
async fn add_recipients(svc: &Backshare) {
    for i in 0..RECIPIENTS {
        let id = account(i);
        let statements = [
            "INSERT INTO accounts (id, name, site) VALUES ($1, 'Stress ' || $1, 'international')",
            "INSERT INTO projects (id, account_id, name, region) VALUES ('proj-' || $1, $1, 'p', 'ap-southeast-1')",
            "INSERT INTO users (id, account_id, email, password_hash, role) VALUES ('user-' || $1, $1, $1 || '@stress.example', '-', 'admin')",
        ];
        for sql in statements {
            sqlx::query(sql).bind(&id).execute(svc.db()).await.unwrap();
        }
        sqlx::query(
            "INSERT INTO vaults (id, account_id, region, kind, name, capacity_bytes)
             VALUES ('vault-' || $1, $1, 'ap-southeast-1', 'server', 'small', $2)",
        )
        .bind(&id)
        .bind(VAULT_CAPACITY)
        .execute(svc.db())
        .await
        .unwrap();
    }
}

async fn caller(svc: &Backshare, user: &str) -> Caller {
    svc.caller(&UserId::from_trusted(user))
        .await
        .unwrap()
        .unwrap()
}

#[derive(Default)]
struct Tally {
    ok: u64,
    refused: u64,
    errors: Vec<String>,
    /// Successful answers per sending of an invitation (its id, and when it was sent):
    /// (accepted?) in order.
    answers: HashMap<(String, i64), Vec<bool>>,
}

impl Tally {
    fn count<T>(&mut self, what: &str, outcome: &Result<T, ServiceError>) {
        match outcome {
            Ok(_) => self.ok += 1,
            Err(ServiceError::User(_)) => self.refused += 1,
            Err(error) => self.errors.push(format!("{what}: {error}")),
        }
    }
}

/// A random pending invitation: (id, when it was sent, recipient account, whether its
/// share holds WEB).
async fn pending_invitation(svc: &Backshare) -> Option<((String, i64), String, bool)> {
    let row: Option<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT i.id, i.created_at, i.recipient_account_id,
                (SELECT COUNT(*) FROM share_backups sb WHERE sb.share_id = i.share_id AND sb.backup_id = $1)
         FROM invitations i WHERE i.status = 'pending' ORDER BY random() LIMIT 1",
    )
    .bind(WEB)
    .fetch_optional(svc.db())
    .await
    .unwrap();
    row.map(|(id, sent, account, web)| ((id, sent), account, web > 0))
}

/// When the invitation was last sent.
async fn sent_at(svc: &Backshare, invitation: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT created_at FROM invitations WHERE id = $1")
        .bind(invitation)
        .fetch_optional(svc.db())
        .await
        .unwrap()
}

async fn client(svc: Backshare, alice: Caller, seed: u64, ops: usize, tally: Arc<Mutex<Tally>>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for op in 0..ops {
        let now = Utc::now();
        match rng.u32(0..100) {
            0..=29 => {
                let mut backups: Vec<String> = BACKUPS
                    .iter()
                    .filter(|_| rng.bool())
                    .map(|b| b.to_string())
                    .collect();
                if backups.is_empty() {
                    backups.push(BACKUPS[rng.usize(..BACKUPS.len())].to_owned());
                }
                let principals = principals(&mut rng);
                let share = NewShare {
                    name: format!("s-{seed}-{op}"),
                    scope: PrincipalScope::AllAccounts,
                    backup_ids: backups,
                    principals,
                    grant_key: false,
                };
                let outcome = svc.create_share(&alice, share, now).await;
                tally.lock().unwrap().count("create_share", &outcome);
            }
            30..=74 => {
                let Some((invitation, recipient, web)) = pending_invitation(&svc).await else {
                    // Nothing to answer yet: the owner looks at the page instead.
                    let outcome = svc.my_shares(&alice, &PageAt::First, now).await;
                    tally.lock().unwrap().count("read", &outcome);
                    continue;
                };
                let who = caller(&svc, &format!("user-{recipient}")).await;
                let accept = rng.u32(0..100) < 70;
                let outcome = if accept {
                    let vaults: BTreeMap<String, String> = if web {
                        [(WEB.to_owned(), format!("vault-{recipient}"))].into()
                    } else {
                        BTreeMap::new()
                    };
                    svc.accept_invitation(&who, &invitation.0, &vaults, now)
                        .await
                } else {
                    svc.reject_invitation(&who, &invitation.0, now).await
                };
                // The answer is of the sending read above only if the invitation was not
                // answered, cancelled and sent again meanwhile (by other clients): an answer
                // that may be of a later sending is left out of the tally.
                let same_sending = match &outcome {
                    Ok(()) => sent_at(&svc, &invitation.0).await == Some(invitation.1),
                    Err(_) => false,
                };
                let mut tally = tally.lock().unwrap();
                if same_sending {
                    tally.answers.entry(invitation).or_default().push(accept);
                }
                tally.count("answer", &outcome);
            }
            75..=86 => {
                let target: Option<(String, String)> = sqlx::query_as(
                    "SELECT share_id, recipient_account_id FROM invitations
                     WHERE status IN ('pending', 'accepted') ORDER BY random() LIMIT 1",
                )
                .fetch_optional(svc.db())
                .await
                .unwrap();
                let outcome = match target {
                    Some((share, recipient)) => {
                        svc.cancel_sharing(&alice, &share, &recipient, now).await
                    }
                    None => svc.my_shares(&alice, &PageAt::First, now).await.map(|_| ()),
                };
                tally.lock().unwrap().count("cancel_sharing", &outcome);
            }
            87..=91 => {
                let outcome = svc.run_due_work(now).await;
                tally.lock().unwrap().count("run_due_work", &outcome);
            }
            92..=94 => {
                let outcome = match some_share(&svc).await {
                    Some(share_id) => {
                        let backup = BACKUPS[rng.usize(..BACKUPS.len())].to_owned();
                        let principals = changed_principals(&svc, &share_id, &mut rng).await;
                        let update = ShareUpdate {
                            share_id,
                            backup_ids: if rng.bool() { vec![backup] } else { Vec::new() },
                            principals,
                            grant_key: false,
                        };
                        svc.update_share(&alice, update, now).await
                    }
                    None => Ok(()),
                };
                tally.lock().unwrap().count("update_share", &outcome);
            }
            95 => {
                let outcome = match some_share(&svc).await {
                    Some(share) => svc.delete_share(&alice, &share, now).await,
                    None => Ok(()),
                };
                tally.lock().unwrap().count("delete_share", &outcome);
            }
            _ => {
                let who = caller(&svc, &format!("user-{}", account(rng.usize(..RECIPIENTS)))).await;
                let outcome = match rng.u32(0..3) {
                    0 => svc.my_shares(&alice, &PageAt::First, now).await.map(|_| ()),
                    1 => svc
                        .shared_with_me(&who, &Default::default(), now)
                        .await
                        .map(|_| ()),
                    _ => svc.vaults(&who, now).await.map(|_| ()),
                };
                tally.lock().unwrap().count("read", &outcome);
            }
        }
    }
}

/// Every invariant, as sentences naming what broke (empty: all hold).
async fn violations(svc: &Backshare, tally: &Tally) -> Vec<String> {
    let mut found = Vec::new();
    // Rule 9: recipients per backup.
    let per_backup: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT b.id, b.kind, COUNT(DISTINCT sr.recipient_account_id)
         FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
         JOIN share_recipients sr ON sr.share_id = sb.share_id
         GROUP BY b.id, b.kind",
    )
    .fetch_all(svc.db())
    .await
    .unwrap();
    for (backup, kind, recipients) in per_backup {
        let limit = if kind == "cluster_backup" {
            LIMITS.accounts_per_cluster_backup
        } else {
            LIMITS.projects_per_copy_backup
        };
        if recipients as u64 > limit {
            found.push(format!(
                "{backup} reaches {recipients} accounts, limit {limit}"
            ));
        }
    }
    // Rule 9: each account's usage as kept on its row is the usage counted from its shares.
    let drifted: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.id, a.shared_backups, a.shared_cluster_backups,
                (SELECT COUNT(DISTINCT b.id) FROM share_backups sb
                 JOIN resource_shares s ON s.id = sb.share_id
                 JOIN backups b ON b.id = sb.backup_id WHERE s.owner_account_id = a.id),
                (SELECT COUNT(DISTINCT b.id) FROM share_backups sb
                 JOIN resource_shares s ON s.id = sb.share_id
                 JOIN backups b ON b.id = sb.backup_id
                 WHERE s.owner_account_id = a.id AND b.kind = 'cluster_backup')
         FROM accounts a",
    )
    .fetch_all(svc.db())
    .await
    .unwrap();
    for (account, kept, kept_clusters, counted, counted_clusters) in drifted {
        if (kept, kept_clusters) != (counted, counted_clusters) {
            found.push(format!(
                "{account} keeps {kept} shared backups ({kept_clusters} clusters), \
                 its shares hold {counted} ({counted_clusters})"
            ));
        }
    }
    // Rule 9: each backup's reach as kept (`backup_reach`) is the reach counted from its
    // shares.
    let kept = backshare::store::reach::kept(svc.db()).await.unwrap();
    let counted = backshare::store::reach::recounted(svc.db()).await.unwrap();
    if kept != counted {
        found.push(format!(
            "the kept reach of backups drifted from their shares: kept {kept:?}, counted {counted:?}"
        ));
    }
    // Each sending of an invitation answered at most once, and the last sending reads as
    // its answer. (Grants of an earlier sending stay, revoking or revoked, when the owner
    // invites the account again: only active ones say "accepted".)
    for ((invitation, sent), answers) in &tally.answers {
        if answers.len() > 1 {
            found.push(format!(
                "{invitation} sent at {sent} was answered {} times",
                answers.len()
            ));
        }
        let (status, sent_last, grants, active): (String, i64, i64, i64) = sqlx::query_as(
            "SELECT status, created_at,
                    (SELECT COUNT(*) FROM grants g WHERE g.invitation_id = i.id),
                    (SELECT COUNT(*) FROM grants g WHERE g.invitation_id = i.id
                                                     AND g.status = 'active')
             FROM invitations i WHERE id = $1",
        )
        .bind(invitation)
        .fetch_one(svc.db())
        .await
        .unwrap();
        if sent_last != *sent {
            continue; // sent again since: the later sending's own answers are checked
        }
        let accepted = answers[0];
        if accepted && (grants == 0 || !matches!(status.as_str(), "accepted" | "cancelled")) {
            found.push(format!(
                "{invitation} accepted but reads {status} with {grants} grants"
            ));
        }
        if !accepted && (active > 0 || status != "rejected") {
            found.push(format!(
                "{invitation} rejected but reads {status} with {active} active grants"
            ));
        }
    }
    let unanswered_with_grants: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations i WHERE i.status IN ('pending', 'rejected', 'expired')
           AND EXISTS (SELECT 1 FROM grants g WHERE g.invitation_id = i.id AND g.status = 'active')",
    )
    .fetch_one(svc.db())
    .await
    .unwrap();
    if unanswered_with_grants > 0 {
        found.push(format!(
            "{unanswered_with_grants} unaccepted invitations hold active grants"
        ));
    }
    // Every vault: usage is what it holds, and fits.
    for i in 0..RECIPIENTS {
        let who = caller(svc, &format!("user-{}", account(i))).await;
        for vault in svc.vaults(&who, Utc::now()).await.unwrap().vaults {
            let held: i64 = vault_items(svc, &who, &vault.id)
                .await
                .iter()
                .map(|item| item.size_bytes)
                .sum();
            if vault.used_bytes != held {
                found.push(format!(
                    "{} uses {} but holds {held}",
                    vault.id, vault.used_bytes
                ));
            }
            if vault.used_bytes > vault.capacity_bytes {
                found.push(format!(
                    "{} holds {} of {}",
                    vault.id, vault.used_bytes, vault.capacity_bytes
                ));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_random_operations_from_concurrent_clients_break_no_invariant() {
    let ops: usize = std::env::var("BACKSHARE_STRESS_OPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let database = backshare::db::Backend::of_url(&url);
    let db = backshare::db::connect(&url).await.unwrap();
    let settings = Settings {
        limits: LIMITS,
        // Invitations expire while clients answer them; cancellations revoke at once.
        invitation_ttl: Duration::seconds(5),
        revocation_delay: Duration::zero(),
        ..Settings::default()
    };
    let svc = Backshare::new(db, dir.path(), settings).unwrap();
    backshare::demo::seed_if_empty(&svc, Utc::now())
        .await
        .unwrap();
    add_recipients(&svc).await;
    let alice = caller(&svc, "user-alice").await;

    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let share = ops / CLIENTS + usize::from(c < ops % CLIENTS);
            tokio::spawn(client(
                svc.clone(),
                alice.clone(),
                c as u64,
                share,
                tally.clone(),
            ))
        })
        .collect();
    for c in clients {
        c.await.unwrap();
    }
    let elapsed = started.elapsed();
    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    let violations = violations(&svc, &tally).await;
    println!(
        "stress ({database:?}): {} operations from {CLIENTS} clients in {:.1} s ({} done, {} refused, {} errors); {} invitations answered; violations: {}",
        tally.ok + tally.refused + tally.errors.len() as u64,
        elapsed.as_secs_f64(),
        tally.ok,
        tally.refused,
        tally.errors.len(),
        tally.answers.len(),
        violations.len(),
    );
    assert!(
        tally.errors.is_empty(),
        "errors: {:#?}",
        &tally.errors[..tally.errors.len().min(10)]
    );
    assert!(violations.is_empty(), "violations: {violations:#?}");
    assert!(
        tally.ok > 0 && tally.refused > 0,
        "the mix both succeeds and is refused"
    );
}

/// Everything a vault holds, read page by page.
async fn vault_items(
    svc: &Backshare,
    who: &Caller,
    vault: &str,
) -> Vec<backshare::views::VaultItem> {
    let mut items = Vec::new();
    let mut at = PageAt::First;
    loop {
        let page = svc
            .vault_contents(who, vault, &at, Utc::now())
            .await
            .unwrap();
        items.extend(page.items);
        match page.links.older {
            Some(older) => at = PageAt::parse(Some(&older)).unwrap(),
            None => return items,
        }
    }
}
