//! The services against a fresh SQLite database (with the demo) per test: every command as
//! the owner, the recipient, another tenant and a viewer, and every rule the skeleton enforces.
//! PostgreSQL instead with `BACKSHARE_TEST_POSTGRES`; bytes in an S3 bucket of each test's
//! own instead of the data folder with `BACKSHARE_TEST_S3` (and `--features s3`).

use std::collections::BTreeMap;
use std::sync::Arc;

use backshare::demo;
use backshare::ids::AccountId;
use backshare::ids::UserId;
use backshare::model::PrincipalScope;
use backshare::paging::{PageAt, Total};
use backshare::service::{
    Backshare, Caller, NewShare, ServiceError, Settings, ShareRequest, ShareUpdate,
};
use backshare::views::SharePreview;
use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::{Duration, Utc};

const ALICE: &str = "user-alice";
const VIC: &str = "user-vic";
const BOB: &str = "user-bob";
const CAROL: &str = "user-carol";
const BOB_ACCOUNT: &str = "1840000000000002";
const DAN_ACCOUNT: &str = "1860000000000004";
const CAROL_ACCOUNT: &str = "1840000000000003";
const ORDERS: &str = "cb-acmehq-orders-001";

struct World {
    svc: Backshare,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    world_with(backshare::rules::Limits::default()).await
}

impl World {
    async fn caller(&self, user: &str) -> Caller {
        self.svc
            .caller(&UserId::from_trusted(user))
            .await
            .unwrap()
            .expect("demo user exists")
    }

    async fn share(
        &self,
        user: &str,
        name: &str,
        backups: &[&str],
        principals: &[&str],
    ) -> Result<String, UserError> {
        let caller = self.caller(user).await;
        let request = NewShare {
            name: name.into(),
            scope: PrincipalScope::AllAccounts,
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        };
        self.svc
            .create_share(&caller, request, Utc::now())
            .await
            .map(|id| id.to_string())
            .map_err(UserError::from)
    }

    async fn preview(
        &self,
        caller: &Caller,
        backups: &[&str],
        principals: &[&str],
    ) -> SharePreview {
        let request = ShareRequest::New(NewShare {
            name: String::new(),
            scope: PrincipalScope::AllAccounts,
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        });
        self.svc
            .preview_share(caller, &request, Utc::now())
            .await
            .unwrap()
    }

    async fn pending_invitation(&self, user: &str) -> String {
        let caller = self.caller(user).await;
        let page = self
            .svc
            .shared_with_me(&caller, &Default::default(), Utc::now())
            .await
            .unwrap();
        page.pending
            .first()
            .expect("an invitation is pending")
            .id
            .to_string()
    }

    async fn statuses(&self, user: &str) -> Vec<ShareStatus> {
        let caller = self.caller(user).await;
        self.svc
            .my_shares(&caller, &PageAt::First, Utc::now())
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|row| row.status)
            .collect()
    }

    async fn accept(&self, user: &str, invitation: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .accept_invitation(&caller, invitation, &BTreeMap::new(), Utc::now())
            .await
            .map_err(UserError::from)
    }

    async fn reject(&self, user: &str, invitation: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .reject_invitation(&caller, invitation, Utc::now())
            .await
            .map_err(UserError::from)
    }

    async fn cancel(&self, user: &str, share: &str, recipient: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .cancel_sharing(&caller, share, recipient, Utc::now())
            .await
            .map_err(UserError::from)
    }
}

#[tokio::test]
async fn the_demo_is_seeded_once_with_real_bytes() {
    let w = world().await;
    assert!(!demo::seed_if_empty(&w.svc, Utc::now()).await.unwrap());
    let alice = w.caller(ALICE).await;
    let backups = w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups;
    assert!(backups.len() >= 8);
    let orders = backups.iter().find(|b| b.id.as_str() == ORDERS).unwrap();
    assert_eq!(orders.size_bytes, 2 * 1024 * 1024);
    assert!(orders.share_blocked.is_none());
    for blocked in [
        "fb-acmehq-files-001",
        "rp-acmehq-orders-001",
        "cb-acmehq-ledger-001",
        "cb-acmehq-orders-002",
    ] {
        assert!(
            backups
                .iter()
                .find(|b| b.id.as_str() == blocked)
                .unwrap()
                .share_blocked
                .is_some(),
            "{blocked}"
        );
    }
    let creds = w.svc.credentials(&w.caller(BOB).await).await.unwrap();
    assert_eq!(creds.account_id.as_str(), BOB_ACCOUNT);
    assert_eq!(creds.projects[0].region, "ap-southeast-1");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_refusal() {
    let w = world().await;
    assert_eq!(
        w.svc
            .authenticate("Alice@Acme.example", demo::DEMO_PASSWORD)
            .await
            .unwrap()
            .as_str(),
        ALICE
    );
    let wrong = UserError::from(
        w.svc
            .authenticate("alice@acme.example", "nope")
            .await
            .unwrap_err(),
    );
    let unknown = UserError::from(
        w.svc
            .authenticate("nobody@acme.example", "nope")
            .await
            .unwrap_err(),
    );
    assert_eq!(wrong, UserError::BadCredentials);
    assert_eq!(unknown, UserError::BadCredentials);
}

#[tokio::test]
async fn an_invitation_accepted_by_the_recipient_reads_accepted_on_both_sides() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Pending]);
    let alice = w.caller(ALICE).await;
    let backups = w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups;
    assert!(
        backups
            .iter()
            .find(|b| b.id.as_str() == ORDERS)
            .unwrap()
            .sharing
    );
    let bob = w.caller(BOB).await;
    assert_eq!(
        w.svc
            .me(&bob, Utc::now())
            .await
            .unwrap()
            .pending_invitations,
        1
    );

    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();

    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Accepted]);
    let page = w
        .svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap();
    assert!(page.pending.is_empty());
    assert_eq!(page.received.len(), 1);
    assert_eq!(page.received[0].backup_id.as_str(), ORDERS);
    assert_eq!(page.received[0].status, ShareStatus::Accepted);
    assert!(matches!(
        w.accept(BOB, &invitation).await,
        Err(UserError::Conflict(_))
    ));
}

#[tokio::test]
async fn a_rejected_invitation_reads_rejected_and_grants_nothing() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.reject(BOB, &invitation).await.unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Rejected]);
    let page = w
        .svc
        .shared_with_me(&w.caller(BOB).await, &Default::default(), Utc::now())
        .await
        .unwrap();
    assert!(page.pending.is_empty() && page.received.is_empty());
    assert_eq!(page.answered.len(), 1);
    assert_eq!(
        page.answered[0].status,
        ShareStatus::Rejected,
        "the recipient sees it too"
    );
}

#[tokio::test]
async fn cancelling_a_pending_invitation_reads_cancelled() {
    let w = world().await;
    let share = w
        .share(ALICE, "to-east", &[ORDERS], &["proj-acmeeast-sg"])
        .await
        .unwrap();
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Cancelled]);
    let page = w
        .svc
        .shared_with_me(&w.caller(BOB).await, &Default::default(), Utc::now())
        .await
        .unwrap();
    assert!(page.pending.is_empty());
    assert!(matches!(
        w.cancel(ALICE, &share, BOB_ACCOUNT).await,
        Err(UserError::NotFound(_))
    ));
}

#[tokio::test]
async fn cancelling_an_accepted_share_revokes_after_the_delay_exactly_once() {
    let w = world().await;
    let share = w
        .share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Revoking]);
    let bob = w.caller(BOB).await;
    assert_eq!(
        w.svc
            .shared_with_me(&bob, &Default::default(), Utc::now())
            .await
            .unwrap()
            .received[0]
            .status,
        ShareStatus::Revoking
    );

    assert_eq!(
        w.svc.run_due_work(Utc::now()).await.unwrap(),
        0,
        "the delay has not passed"
    );
    let later = Utc::now() + Duration::minutes(11);
    assert_eq!(w.svc.run_due_work(later).await.unwrap(), 1);
    assert_eq!(w.svc.run_due_work(later).await.unwrap(), 0, "done once");
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Revoked]);
    assert!(w
        .svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap()
        .received
        .is_empty());
}

#[tokio::test]
async fn an_unanswered_invitation_expires_and_can_no_longer_be_accepted() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    let later = Utc::now() + Duration::days(7) + Duration::seconds(1);
    assert_eq!(w.svc.run_due_work(later).await.unwrap(), 1);
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Expired]);
    assert!(matches!(
        w.accept(BOB, &invitation).await,
        Err(UserError::Conflict(_))
    ));
}

#[tokio::test]
async fn only_the_invited_account_answers_and_others_do_not_even_see_the_invitation() {
    let w = world().await;
    let share = w
        .share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    assert!(
        matches!(
            w.accept(ALICE, &invitation).await,
            Err(UserError::Forbidden(_))
        ),
        "owner"
    );
    assert!(
        matches!(
            w.accept(CAROL, &invitation).await,
            Err(UserError::NotFound(_))
        ),
        "other tenant"
    );
    assert!(
        matches!(
            w.reject(CAROL, &invitation).await,
            Err(UserError::NotFound(_))
        ),
        "other tenant"
    );
    assert!(matches!(
        w.accept(BOB, "inv-nonexistent").await,
        Err(UserError::NotFound(_))
    ));
    assert!(
        matches!(
            w.cancel(BOB, &share, BOB_ACCOUNT).await,
            Err(UserError::Forbidden(_))
        ),
        "recipient"
    );
    assert!(
        matches!(
            w.cancel(CAROL, &share, BOB_ACCOUNT).await,
            Err(UserError::NotFound(_))
        ),
        "other tenant"
    );
    assert_eq!(
        w.statuses(ALICE).await,
        vec![ShareStatus::Pending],
        "nothing changed"
    );
}

#[tokio::test]
async fn a_viewer_sees_but_changes_nothing() {
    let w = world().await;
    let vic = w.caller(VIC).await;
    assert!(!w
        .svc
        .list_backups(&vic, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups
        .is_empty());
    assert!(
        matches!(w.share(VIC, "by-vic", &[ORDERS], &[BOB_ACCOUNT]).await, Err(UserError::Forbidden(m)) if m.contains("viewer"))
    );
    let share = w
        .share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert!(matches!(
        w.cancel(VIC, &share, BOB_ACCOUNT).await,
        Err(UserError::Forbidden(_))
    ));
    assert_eq!(
        w.svc
            .my_shares(&vic, &PageAt::First, Utc::now())
            .await
            .unwrap()
            .rows
            .len(),
        1,
        "the viewer sees its account's shares"
    );
}

#[tokio::test]
async fn each_rule_refuses_with_its_own_message() {
    use backshare::rules::Refusal;
    let w = world().await;
    let refused = |r: Result<String, UserError>| match r {
        Err(UserError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(matches!(
        refused(
            w.share(ALICE, "a", &["fb-acmehq-files-001"], &[BOB_ACCOUNT])
                .await
        ),
        Refusal::FileBackup(_)
    ));
    assert!(matches!(
        refused(
            w.share(ALICE, "b", &["rp-acmehq-orders-001"], &[BOB_ACCOUNT])
                .await
        ),
        Refusal::CrossRegion(_)
    ));
    assert!(matches!(
        refused(
            w.share(ALICE, "c", &["cb-acmehq-ledger-001"], &[BOB_ACCOUNT])
                .await
        ),
        Refusal::EncryptedCluster(_)
    ));
    assert!(matches!(
        refused(
            w.share(ALICE, "d", &["cb-acmehq-orders-002"], &[BOB_ACCOUNT])
                .await
        ),
        Refusal::Locked { .. }
    ));
    assert!(matches!(
        refused(w.share(ALICE, "e", &[ORDERS], &[DAN_ACCOUNT]).await),
        Refusal::OtherSite(_)
    ));
    assert!(matches!(
        refused(w.share(ALICE, "f", &[ORDERS], &[CAROL_ACCOUNT]).await),
        Refusal::AccountNotInRegion { .. }
    ));
    assert!(matches!(
        refused(w.share(ALICE, "g", &[ORDERS], &["proj-acmehq-eu"]).await),
        Refusal::ProjectInOtherRegion { .. }
    ));
    assert!(matches!(
        refused(w.share(ALICE, "h", &[ORDERS], &["1840000000000001"]).await),
        Refusal::SelfShare
    ));
    assert!(matches!(
        refused(
            w.share(ALICE, "i", &["db-acmehq-data-001"], &[BOB_ACCOUNT])
                .await
        ),
        Refusal::EncryptedWithoutKey(_)
    ));
    // The eu-west-1 backup goes to Partner B, whose only project is there.
    w.share(ALICE, "to-partner", &["cb-acmehq-eu-001"], &[CAROL_ACCOUNT])
        .await
        .unwrap();
    assert!(w
        .statuses(ALICE)
        .await
        .iter()
        .all(|s| *s == ShareStatus::Pending));
}

#[tokio::test]
async fn a_received_backup_cannot_be_shared_onward_and_others_backups_are_not_found() {
    let w = world().await;
    assert!(matches!(
        w.share(BOB, "steal", &[ORDERS], &[CAROL_ACCOUNT]).await,
        Err(UserError::NotFound(_))
    ));
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    assert!(matches!(
        w.share(BOB, "onward", &[ORDERS], &["1840000000000001"])
            .await,
        Err(UserError::Refused(backshare::rules::Refusal::Received(_)))
    ));
}

#[tokio::test]
async fn bad_input_names_what_is_wrong_and_writes_nothing() {
    let w = world().await;
    assert!(
        matches!(w.share(ALICE, "  ", &[ORDERS], &[BOB_ACCOUNT]).await, Err(UserError::Invalid(m)) if m.contains("name"))
    );
    assert!(
        matches!(w.share(ALICE, "x", &[ORDERS], &[]).await, Err(UserError::Invalid(m)) if m.contains("principal"))
    );
    assert!(
        matches!(w.share(ALICE, "x", &[ORDERS], &["12345"]).await, Err(UserError::Invalid(m)) if m.contains("16 digits"))
    );
    assert!(matches!(
        w.share(ALICE, "x", &[ORDERS], &["1840000000009999"]).await,
        Err(UserError::NotFound(_))
    ));
    // A valid principal after a refused one: nothing of the refused request was written.
    assert!(w
        .share(ALICE, "x", &[ORDERS], &[BOB_ACCOUNT, DAN_ACCOUNT])
        .await
        .is_err());
    assert!(w.statuses(ALICE).await.is_empty());
    w.share(ALICE, "x", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert!(
        matches!(w.share(ALICE, "x", &[ORDERS], &[BOB_ACCOUNT]).await, Err(UserError::Invalid(m)) if m.contains("already exists"))
    );
}

#[tokio::test]
async fn racing_accepts_and_rejects_give_each_invitation_exactly_one_answer() {
    let w = Arc::new(world().await);
    for round in 0..5 {
        w.share(ALICE, &format!("race-{round}"), &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
        let invitation = w.pending_invitation(BOB).await;
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (w, invitation) = (Arc::clone(&w), invitation.clone());
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        w.accept(BOB, &invitation).await
                    } else {
                        w.reject(BOB, &invitation).await
                    }
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => ok += 1,
                Err(UserError::Conflict(_)) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(ok, 1, "round {round}");
    }
    let bob = w.caller(BOB).await;
    let received = w
        .svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap()
        .received;
    let accepted = w
        .statuses(ALICE)
        .await
        .iter()
        .filter(|s| **s == ShareStatus::Accepted)
        .count();
    assert_eq!(
        received.len(),
        accepted,
        "one grant per accepted invitation"
    );
}

#[test]
fn service_errors_for_storage_faults_become_one_safe_sentence() {
    let fault = ServiceError::Corrupt("secret detail".into());
    let shown = UserError::from(fault).to_string();
    assert!(!shown.contains("secret"));
    assert_eq!(shown, UserError::Internal.to_string());
}

/// Adds `n` international accounts with a project in ap-southeast-1, returning their ids.
async fn extra_accounts(w: &World, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("{:016}", 1_900_000_000_000_000_u64 + i as u64);
        sqlx::query("INSERT INTO accounts (id, name, site) VALUES ($1, $2, 'international')")
            .bind(&id)
            .bind(format!("Extra {i}"))
            .execute(w.svc.db())
            .await
            .unwrap();
        sqlx::query("INSERT INTO projects (id, account_id, name, region) VALUES ($1, $2, 'p', 'ap-southeast-1')")
            .bind(format!("proj-extra-{i}"))
            .bind(&id)
            .execute(w.svc.db())
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

async fn world_with(limits: backshare::rules::Limits) -> World {
    world_with_settings(Settings {
        limits,
        ..Settings::default()
    })
    .await
}

async fn world_with_settings(settings: Settings) -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let db = backshare::db::connect(&url).await.unwrap();
    let objects = backshare::objects::scratch(dir.path()).await.store;
    let svc = Backshare::with_objects(db, dir.path(), objects, settings).unwrap();
    assert!(demo::seed_if_empty(&svc, Utc::now()).await.unwrap());
    World { svc, _dir: dir }
}

#[tokio::test]
async fn concurrent_shares_of_one_backup_never_exceed_the_account_limit() {
    use backshare::rules::{Limits, Refusal};
    let limit = 5;
    let w = Arc::new(
        world_with(Limits {
            accounts_per_cluster_backup: limit,
            ..Limits::default()
        })
        .await,
    );
    let accounts = extra_accounts(&w, 24).await;
    let tasks: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(i, account)| {
            let (w, account) = (Arc::clone(&w), account.clone());
            tokio::spawn(async move {
                w.share(ALICE, &format!("race-{i}"), &[ORDERS], &[&account])
                    .await
            })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(UserError::Refused(Refusal::TooManyAccounts { limit: l, .. })) if l == limit => {
                refused += 1
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    println!(
        "{} concurrent share requests: {ok} allowed, {refused} refused",
        accounts.len()
    );
    assert_eq!(ok, limit);
    let recipients: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT sr.recipient_account_id) FROM share_recipients sr
         JOIN share_backups sb ON sb.share_id = sr.share_id WHERE sb.backup_id = $1",
    )
    .bind(ORDERS)
    .fetch_one(w.svc.db())
    .await
    .unwrap();
    assert_eq!(recipients, limit as i64, "the limit holds in the database");
}

#[tokio::test]
async fn the_shared_cluster_backup_limit_holds_and_an_operator_can_raise_it() {
    use backshare::rules::{Limits, Refusal};
    let w = world_with(Limits {
        shared_cluster_backups_per_account: 1,
        ..Limits::default()
    })
    .await;
    w.share(ALICE, "first", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    // The same backup again does not count twice.
    w.share(ALICE, "again", &[ORDERS], &["proj-acmeeast-sg"])
        .await
        .unwrap();
    let second = w
        .share(ALICE, "second", &["cb-acmehq-eu-001"], &[CAROL_ACCOUNT])
        .await;
    assert!(matches!(
        second,
        Err(UserError::Refused(Refusal::TooManySharedClusterBackups {
            would_be: 2,
            limit: 1
        }))
    ));
    w.svc
        .set_cluster_share_limit(&AccountId::from_trusted("1840000000000001"), 2)
        .await
        .unwrap();
    w.share(ALICE, "second", &["cb-acmehq-eu-001"], &[CAROL_ACCOUNT])
        .await
        .unwrap();
}

#[tokio::test]
async fn the_shared_backup_limit_of_an_account_holds() {
    use backshare::rules::{Limits, Refusal};
    let w = world_with(Limits {
        shared_backups_per_account: 1,
        ..Limits::default()
    })
    .await;
    w.share(ALICE, "first", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert!(matches!(
        w.share(ALICE, "second", &["cb-acmehq-eu-001"], &[CAROL_ACCOUNT])
            .await,
        Err(UserError::Refused(Refusal::TooManySharedBackups {
            would_be: 2,
            limit: 1
        }))
    ));
}

#[tokio::test]
async fn the_dialogs_preview_lists_every_problem_and_the_quota_left_without_writing() {
    let w = world().await;
    let alice = w.caller(ALICE).await;
    let clean = w.preview(&alice, &[ORDERS], &[BOB_ACCOUNT]).await;
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    assert_eq!(clean.quota.shared_cluster_backups_left, 1_023);
    assert_eq!(clean.quota.shared_backups_left, 999);
    assert_eq!(clean.quota.recipients_left[0].left, 63);

    let messy = w
        .preview(
            &alice,
            &[ORDERS, "rp-acmehq-orders-001"],
            &[BOB_ACCOUNT, DAN_ACCOUNT, "nonsense"],
        )
        .await;
    let all = messy.problems.join("\n");
    assert!(all.contains("cross-region"), "{all}");
    assert!(all.contains("another site"), "{all}");
    assert!(all.contains("is not an account ID"), "{all}");
    assert!(
        w.statuses(ALICE).await.is_empty(),
        "a preview writes nothing"
    );

    let vic = w.caller(VIC).await;
    let by_viewer = w.preview(&vic, &[ORDERS], &[BOB_ACCOUNT]).await;
    assert!(by_viewer.problems[0].contains("viewer"));
}

#[tokio::test]
async fn a_revocation_pending_when_the_server_stops_finishes_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let settings = Settings {
        revocation_delay: Duration::zero(),
        ..Settings::default()
    };
    let objects = backshare::objects::scratch(dir.path()).await.store;
    let share;
    {
        let db = backshare::db::connect(&url).await.unwrap();
        let svc =
            Backshare::with_objects(db.clone(), dir.path(), objects.clone(), settings.clone())
                .unwrap();
        demo::seed_if_empty(&svc, Utc::now()).await.unwrap();
        let w = World {
            svc,
            _dir: tempfile::tempdir().unwrap(),
        };
        share = w
            .share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
        let invitation = w.pending_invitation(BOB).await;
        w.accept(BOB, &invitation).await.unwrap();
        w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
        assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Revoking]);
        db.close().await; // the server stops before its job ran
    }
    let db = backshare::db::connect(&url).await.unwrap();
    let w = World {
        svc: Backshare::with_objects(db, dir.path(), objects, settings).unwrap(),
        _dir: dir,
    };
    assert_eq!(w.svc.run_due_work(Utc::now()).await.unwrap(), 1);
    assert_eq!(w.svc.run_due_work(Utc::now()).await.unwrap(), 0);
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Revoked]);
}

#[tokio::test]
async fn deleting_a_shared_backup_makes_grants_lost_removes_its_bytes_and_recipients_cannot_delete()
{
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();

    let bob = w.caller(BOB).await;
    let by_recipient = w.svc.delete_backup(&bob, ORDERS, Utc::now()).await;
    assert!(
        matches!(by_recipient.map_err(UserError::from), Err(UserError::Forbidden(m)) if m.contains("never delete"))
    );
    let by_viewer = w
        .svc
        .delete_backup(&w.caller(VIC).await, ORDERS, Utc::now())
        .await;
    assert!(matches!(
        by_viewer.map_err(UserError::from),
        Err(UserError::Forbidden(_))
    ));
    let locked = w
        .svc
        .delete_backup(&w.caller(ALICE).await, "cb-acmehq-orders-002", Utc::now())
        .await;
    assert!(
        matches!(locked.map_err(UserError::from), Err(UserError::Refused(r)) if r.to_string().contains("retry later"))
    );

    let alice = w.caller(ALICE).await;
    w.svc
        .delete_backup(&alice, ORDERS, Utc::now())
        .await
        .unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Lost]);
    assert!(w
        .svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap()
        .received
        .is_empty());
    assert!(!w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups
        .iter()
        .any(|b| b.id.as_str() == ORDERS));
    assert!(
        !w.svc.objects().exists("backups", ORDERS).await,
        "the bytes are gone"
    );
    assert!(matches!(
        w.svc
            .delete_backup(&alice, ORDERS, Utc::now())
            .await
            .map_err(UserError::from),
        Err(UserError::NotFound(_))
    ));
}

#[tokio::test]
async fn an_expired_backup_takes_its_recipients_access_with_it() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    let after_expiry = Utc::now() + Duration::days(40);
    assert!(w.svc.run_due_work(after_expiry).await.unwrap() >= 1);
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Lost]);
    assert_eq!(
        w.svc.run_due_work(after_expiry).await.unwrap(),
        0,
        "done once"
    );
}

#[tokio::test]
async fn the_activity_log_shows_each_account_what_concerns_it() {
    let w = world().await;
    let share = w
        .share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert!(w
        .share(ALICE, "to-dan", &[ORDERS], &[DAN_ACCOUNT])
        .await
        .is_err());
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    w.svc
        .run_due_work(Utc::now() + Duration::minutes(11))
        .await
        .unwrap();

    let actions = |entries: Vec<backshare::views::ActivityEntry>| {
        entries
            .into_iter()
            .map(|e| (e.actor, e.action, e.outcome))
            .collect::<Vec<_>>()
    };
    let alice = actions(
        w.svc
            .activity(&w.caller(ALICE).await, &PageAt::First)
            .await
            .unwrap()
            .entries,
    );
    let done = |who: &str, what: &str| (who.to_owned(), what.to_owned(), "Done".to_owned());
    assert_eq!(alice[0], done("System", "Revocation finished"));
    assert_eq!(alice[1], done("alice@acme.example", "Cancelled sharing"));
    assert_eq!(
        alice[2],
        done("bob@acme-east.example", "Accepted invitation")
    );
    assert_eq!(alice[3].1, "Share backups");
    assert!(
        alice[3].2.contains("another site"),
        "the refusal is logged with its reason"
    );
    assert_eq!(alice[4], done("alice@acme.example", "Shared backups"));

    let bob = actions(
        w.svc
            .activity(&w.caller(BOB).await, &PageAt::First)
            .await
            .unwrap()
            .entries,
    );
    assert_eq!(
        bob.len(),
        4,
        "Bob sees his share's lines, not Alice's refused attempt: {bob:?}"
    );
    let carol = w
        .svc
        .activity(&w.caller(CAROL).await, &PageAt::First)
        .await
        .unwrap()
        .entries;
    assert!(carol.is_empty());
}

#[tokio::test]
async fn a_backups_share_list_is_for_its_owner_only() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    w.share(ALICE, "to-partner", &["cb-acmehq-eu-001"], &[CAROL_ACCOUNT])
        .await
        .unwrap();
    let alice = w.caller(ALICE).await;
    let (backup, rows) = w.svc.share_list(&alice, ORDERS, Utc::now()).await.unwrap();
    assert_eq!(backup.id.as_str(), ORDERS);
    assert_eq!(rows.len(), 1, "only this backup's recipients");
    assert_eq!(rows[0].recipient.as_str(), BOB_ACCOUNT);
    assert_eq!(rows[0].status, ShareStatus::Pending);

    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    let bob = w.caller(BOB).await;
    let as_recipient = w
        .svc
        .share_list(&bob, ORDERS, Utc::now())
        .await
        .map_err(UserError::from);
    assert!(matches!(as_recipient, Err(UserError::Forbidden(_))));
    let as_stranger = w
        .svc
        .share_list(&w.caller(CAROL).await, ORDERS, Utc::now())
        .await
        .map_err(UserError::from);
    assert!(matches!(as_stranger, Err(UserError::NotFound(_))));
}

const FOLDER_EAST: &str = "fd-acme-east";
const CLUSTER_2: &str = "cb-acmehq-orders-003";

impl World {
    async fn share_in_directory(
        &self,
        user: &str,
        name: &str,
        backup: &str,
        principals: &[&str],
    ) -> Result<String, UserError> {
        let caller = self.caller(user).await;
        let request = NewShare {
            name: name.into(),
            scope: PrincipalScope::ResourceDirectory,
            backup_ids: vec![backup.into()],
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        };
        self.svc
            .create_share(&caller, request, Utc::now())
            .await
            .map(|id| id.to_string())
            .map_err(UserError::from)
    }

    async fn update(
        &self,
        user: &str,
        share: &str,
        backups: &[&str],
        principals: &[&str],
    ) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        let request = ShareUpdate {
            share_id: share.into(),
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        };
        self.svc
            .update_share(&caller, request, Utc::now())
            .await
            .map_err(UserError::from)
    }

    /// (backup id, status) of what `user`'s account holds on "Shared With Me".
    async fn received(&self, user: &str) -> Vec<(String, ShareStatus)> {
        let caller = self.caller(user).await;
        let page = self
            .svc
            .shared_with_me(&caller, &Default::default(), Utc::now())
            .await
            .unwrap();
        page.received
            .into_iter()
            .map(|r| (r.backup_id.to_string(), r.status))
            .collect()
    }

    async fn pending_count(&self, account: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations WHERE recipient_account_id = $1 AND status = 'pending'",
        )
        .bind(account)
        .fetch_one(self.svc.db())
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn a_folder_principal_invites_every_account_under_it_including_later_ones() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[FOLDER_EAST])
        .await
        .unwrap();
    assert_eq!(
        w.pending_count(BOB_ACCOUNT).await,
        1,
        "Acme East is in East"
    );

    let newcomer = extra_accounts(&w, 1).await.remove(0);
    let newcomer_id = AccountId::parse(&newcomer).unwrap();
    w.svc
        .place_account(&newcomer_id, Some("rd-acme"), Some(FOLDER_EAST), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        w.pending_count(&newcomer).await,
        1,
        "an account added to the folder later is invited"
    );

    // Leaving the folder ends what it was offered.
    w.svc
        .place_account(&newcomer_id, Some("rd-acme"), None, Utc::now())
        .await
        .unwrap();
    assert_eq!(w.pending_count(&newcomer).await, 0);
    let status: String =
        sqlx::query_scalar("SELECT status FROM invitations WHERE recipient_account_id = $1")
            .bind(&newcomer)
            .fetch_one(w.svc.db())
            .await
            .unwrap();
    assert_eq!(status, "cancelled");
}

#[tokio::test]
async fn an_account_joining_a_folder_that_a_rule_keeps_out_is_not_invited_and_the_owner_is_told() {
    let w = world().await;
    w.share(ALICE, "to-east", &[ORDERS], &[FOLDER_EAST])
        .await
        .unwrap();
    // Partner B has no project in ap-southeast-1, the backup's region.
    let partner = AccountId::parse(CAROL_ACCOUNT).unwrap();
    w.svc
        .place_account(&partner, Some("rd-acme"), Some(FOLDER_EAST), Utc::now())
        .await
        .unwrap();
    assert_eq!(w.pending_count(CAROL_ACCOUNT).await, 0);
    let alice = w.caller(ALICE).await;
    let log = w
        .svc
        .activity(&alice, &PageAt::First)
        .await
        .unwrap()
        .entries;
    assert!(
        log.iter().any(
            |e| e.action == "Not invited" && e.outcome.contains("no project in ap-southeast-1")
        ),
        "{log:?}"
    );
}

#[tokio::test]
async fn directory_scope_admits_only_the_directorys_accounts_and_folders() {
    use backshare::rules::Refusal;
    let w = world().await;
    assert!(matches!(
        w.share_in_directory(ALICE, "outside", ORDERS, &[CAROL_ACCOUNT])
            .await,
        Err(UserError::Refused(Refusal::OutsideDirectory { .. }))
    ));
    assert!(matches!(
        w.share_in_directory(ALICE, "project", ORDERS, &["proj-acmeeast-sg"])
            .await,
        Err(UserError::Refused(Refusal::ProjectInDirectoryScope(_)))
    ));
    // Partner B belongs to no directory, so it has no directory scope and no folders.
    assert!(matches!(
        w.share_in_directory(CAROL, "none", "cb-partnerb-orders-001", &[BOB_ACCOUNT])
            .await,
        Err(UserError::Refused(Refusal::NoDirectory))
    ));
    assert!(matches!(
        w.share(
            CAROL,
            "foreign",
            &["cb-partnerb-orders-001"],
            &[FOLDER_EAST]
        )
        .await,
        Err(UserError::Refused(Refusal::ForeignFolder(_)))
    ));
    w.share_in_directory(ALICE, "inside", ORDERS, &[BOB_ACCOUNT, FOLDER_EAST])
        .await
        .unwrap();
    assert_eq!(
        w.pending_count(BOB_ACCOUNT).await,
        1,
        "one invitation per account"
    );
}

#[tokio::test]
async fn with_auto_accept_on_a_directorys_accounts_hold_the_backup_at_once() {
    let w = world().await;
    w.svc.set_auto_accept("rd-acme", true).await.unwrap();
    w.share(ALICE, "auto", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert_eq!(w.pending_count(BOB_ACCOUNT).await, 0);
    assert_eq!(
        w.received(BOB).await,
        vec![(ORDERS.to_owned(), ShareStatus::Accepted)]
    );
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Accepted]);
    // Outside the directory nothing is accepted for the recipient.
    w.share(ALICE, "partner", &[CLUSTER_2], &["1840000000000005"])
        .await
        .unwrap_err();
}

#[tokio::test]
async fn an_existing_share_takes_new_backups_and_principals_and_drops_removed_ones() {
    let w = world().await;
    let share = w
        .share(ALICE, "ops", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();

    // A backup added to an accepted share reaches Bob at once.
    let extra = extra_accounts(&w, 1).await.remove(0);
    w.update(ALICE, &share, &[CLUSTER_2], &[BOB_ACCOUNT, &extra])
        .await
        .unwrap();
    let mut held: Vec<String> = w.received(BOB).await.into_iter().map(|r| r.0).collect();
    held.sort();
    assert_eq!(held, vec![ORDERS.to_owned(), CLUSTER_2.to_owned()]);
    assert_eq!(
        w.pending_count(&extra).await,
        1,
        "the added principal is invited"
    );

    // Removing principals: the pending one is cancelled, the accepted one starts revoking.
    w.update(ALICE, &share, &[], &[]).await.unwrap();
    assert_eq!(w.pending_count(&extra).await, 0);
    assert!(w
        .received(BOB)
        .await
        .iter()
        .all(|(_, status)| *status == ShareStatus::Revoking));

    // Added again, Bob is invited anew and, on accepting, holds both backups again.
    w.update(ALICE, &share, &[], &[BOB_ACCOUNT]).await.unwrap();
    let again = w.pending_invitation(BOB).await;
    assert_eq!(again, invitation, "the same invitation, sent again");
    w.accept(BOB, &again).await.unwrap();
    let received = w.received(BOB).await;
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|(_, s)| *s == ShareStatus::Accepted));
}

#[tokio::test]
async fn only_the_owner_changes_a_share_and_rule_six_holds_for_changes() {
    use backshare::rules::Refusal;
    let w = world().await;
    let share = w
        .share(ALICE, "ops", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert!(matches!(
        w.update(BOB, &share, &[], &[]).await,
        Err(UserError::Forbidden(_))
    ));
    assert!(matches!(
        w.update(CAROL, &share, &[], &[]).await,
        Err(UserError::NotFound(_))
    ));
    assert!(matches!(
        w.update(VIC, &share, &[], &[]).await,
        Err(UserError::Forbidden(m)) if m.contains("viewer")
    ));
    // A converting backup cannot join, and a share holding a locked backup cannot change.
    assert!(matches!(
        w.update(ALICE, &share, &["cb-acmehq-orders-002"], &[BOB_ACCOUNT])
            .await,
        Err(UserError::Refused(Refusal::Locked { .. }))
    ));
    sqlx::query("UPDATE backups SET lock_reason = 'restoring' WHERE id = $1")
        .bind(ORDERS)
        .execute(w.svc.db())
        .await
        .unwrap();
    let refused = w.update(ALICE, &share, &[], &[]).await.unwrap_err();
    assert!(refused.to_string().contains("retry later"), "{refused}");
    assert_eq!(w.pending_count(BOB_ACCOUNT).await, 1, "nothing changed");
}

#[tokio::test]
async fn cancel_sharing_names_the_folder_that_still_covers_a_recipient() {
    let w = world().await;
    let share = w
        .share(ALICE, "east", &[ORDERS], &[FOLDER_EAST, BOB_ACCOUNT])
        .await
        .unwrap();
    let refused = w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap_err();
    assert!(
        matches!(&refused, UserError::Conflict(m) if m.contains(FOLDER_EAST)),
        "{refused}"
    );
    let alice = w.caller(ALICE).await;
    let rows = w
        .svc
        .my_shares(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .rows;
    assert!(rows[0]
        .cancel_blocked
        .as_deref()
        .unwrap()
        .contains(FOLDER_EAST));
    assert_eq!(
        rows[0].principals,
        vec![BOB_ACCOUNT.to_owned(), FOLDER_EAST.to_owned()]
    );
    // Removing the folder in the dialog leaves Bob reached through his account only.
    w.update(ALICE, &share, &[], &[BOB_ACCOUNT]).await.unwrap();
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Cancelled]);
}

#[tokio::test]
async fn cancelling_while_accepting_leaves_one_consistent_outcome() {
    let w = Arc::new(world().await);
    let rounds = 20;
    let mut outcomes = (0, 0);
    for round in 0..rounds {
        let share = w
            .share(ALICE, &format!("race-{round}"), &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
        let invitation = w.pending_invitation(BOB).await;
        let accept = {
            let (w, invitation) = (Arc::clone(&w), invitation.clone());
            tokio::spawn(async move { w.accept(BOB, &invitation).await })
        };
        let cancel = {
            let (w, share) = (Arc::clone(&w), share.clone());
            tokio::spawn(async move { w.cancel(ALICE, &share, BOB_ACCOUNT).await })
        };
        let (accepted, cancelled) = (accept.await.unwrap(), cancel.await.unwrap());
        cancelled.expect("the owner can always cancel");
        let (status, grants): (String, Vec<String>) = (
            sqlx::query_scalar("SELECT status FROM invitations WHERE id = $1")
                .bind(&invitation)
                .fetch_one(w.svc.db())
                .await
                .unwrap(),
            sqlx::query_scalar("SELECT status FROM grants WHERE invitation_id = $1")
                .bind(&invitation)
                .fetch_all(w.svc.db())
                .await
                .unwrap(),
        );
        match accepted {
            // Accepted first: the cancel then started the revocation.
            Ok(()) => {
                assert_eq!(status, "accepted");
                assert_eq!(grants, vec!["revoking".to_owned()]);
                outcomes.0 += 1;
            }
            // Cancelled first: the accept was refused and nothing was granted.
            Err(UserError::Conflict(_)) => {
                assert_eq!(status, "cancelled");
                assert!(grants.is_empty());
                outcomes.1 += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    println!(
        "{rounds} accept/cancel races: {} accepted then revoked, {} cancelled first",
        outcomes.0, outcomes.1
    );
}

impl World {
    async fn restore(&self, user: &str, backup: &str) -> Result<String, UserError> {
        let caller = self.caller(user).await;
        self.svc
            .restore_backup(&caller, backup, None, Utc::now())
            .await
            .map(|id| id.to_string())
            .map_err(UserError::from)
    }

    async fn backup_status(&self, backup: &str) -> String {
        let alice = self.caller(ALICE).await;
        let list = self
            .svc
            .list_backups(&alice, &PageAt::First, Utc::now())
            .await
            .unwrap()
            .backups;
        list.into_iter()
            .find(|b| b.id.as_str() == backup)
            .map(|b| b.status)
            .expect("listed")
    }
}

#[tokio::test]
async fn a_recipient_restores_a_shared_cluster_backup_into_a_verified_new_cluster_that_outlives_the_share(
) {
    use backshare::model::RestoreStatus;
    use backshare::rules::Refusal;
    let w = world().await;
    let share = w
        .share(ALICE, "to-east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    assert!(
        matches!(w.restore(BOB, ORDERS).await, Err(UserError::NotFound(_))),
        "nothing to restore before accepting"
    );
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    w.restore(BOB, ORDERS).await.unwrap();

    // Rule 6 for real: while the restore runs, the backup is locked.
    assert_eq!(w.backup_status(ORDERS).await, "Locked (restoring)");
    assert!(matches!(
        w.cancel(ALICE, &share, BOB_ACCOUNT).await,
        Err(UserError::Refused(Refusal::Locked { .. }))
    ));
    let alice = w.caller(ALICE).await;
    assert!(matches!(
        w.svc.delete_backup(&alice, ORDERS, Utc::now()).await.map_err(UserError::from),
        Err(UserError::Refused(r)) if r.to_string().contains("being restored")
    ));
    // Rule 10: the owner's own use is not affected; it may restore at the same time.
    w.restore(ALICE, ORDERS).await.unwrap();

    assert_eq!(w.svc.run_due_work(Utc::now()).await.unwrap(), 2);
    assert_eq!(w.backup_status(ORDERS).await, "Available");
    let bob = w.caller(BOB).await;
    let restores = w.svc.restores(&bob).await.unwrap();
    assert_eq!(restores.len(), 1, "each account sees its own restores");
    let restored = &restores[0];
    assert_eq!(restored.status, RestoreStatus::Done);
    assert_eq!(restored.project_id.as_str(), "proj-acmeeast-sg");
    let backup_sha: String = sqlx::query_scalar("SELECT sha256 FROM backups WHERE id = $1")
        .bind(ORDERS)
        .fetch_one(w.svc.db())
        .await
        .unwrap();
    assert_eq!(restored.sha256.as_deref(), Some(backup_sha.as_str()));
    let bytes = w
        .svc
        .objects()
        .get("resources", restored.resource_id.as_str())
        .await
        .unwrap();
    let original = w.svc.objects().get("backups", ORDERS).await.unwrap();
    assert_eq!(
        bytes, original,
        "the new cluster's bytes equal the backup's"
    );

    // Cancelled: restore is refused while revoking, with the reason.
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    assert!(matches!(
        w.restore(BOB, ORDERS).await,
        Err(UserError::Conflict(m)) if m.contains("cancelled")
    ));
    let page = w
        .svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap();
    assert!(page.received[0].restore_blocked.is_some());

    // Rule 11: deleting the backup leaves the restored cluster and its bytes in place.
    w.svc
        .delete_backup(&alice, ORDERS, Utc::now())
        .await
        .unwrap();
    assert!(
        w.svc
            .objects()
            .exists("resources", restored.resource_id.as_str())
            .await
    );
    let still: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resources WHERE id = $1")
        .bind(restored.resource_id.as_str())
        .fetch_one(w.svc.db())
        .await
        .unwrap();
    assert_eq!(still, 1);
}

#[tokio::test]
async fn restore_refuses_what_it_cannot_do_with_a_reason() {
    let w = world().await;
    assert!(matches!(
        w.restore(ALICE, "fb-acmehq-files-001").await,
        Err(UserError::Refused(r)) if r.to_string().contains("file backup")
    ));
    assert!(matches!(
        w.restore(ALICE, "cb-acmehq-orders-002").await,
        Err(UserError::Refused(r)) if r.to_string().contains("converting")
    ));
    assert!(matches!(
        w.restore(VIC, ORDERS).await,
        Err(UserError::Forbidden(m)) if m.contains("viewer")
    ));
    assert!(matches!(
        w.restore(CAROL, ORDERS).await,
        Err(UserError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_restore_running_when_the_server_stops_finishes_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let objects = backshare::objects::scratch(dir.path()).await.store;
    {
        let db = backshare::db::connect(&url).await.unwrap();
        let svc =
            Backshare::with_objects(db.clone(), dir.path(), objects.clone(), Settings::default())
                .unwrap();
        demo::seed_if_empty(&svc, Utc::now()).await.unwrap();
        let w = World {
            svc,
            _dir: tempfile::tempdir().unwrap(),
        };
        w.restore(ALICE, ORDERS).await.unwrap();
        db.close().await; // the server stops before its job ran
    }
    let db = backshare::db::connect(&url).await.unwrap();
    let w = World {
        svc: Backshare::with_objects(db, dir.path(), objects, Settings::default()).unwrap(),
        _dir: dir,
    };
    assert_eq!(w.backup_status(ORDERS).await, "Locked (restoring)");
    assert_eq!(w.svc.run_due_work(Utc::now()).await.unwrap(), 1);
    assert_eq!(w.svc.run_due_work(Utc::now()).await.unwrap(), 0);
    assert_eq!(w.backup_status(ORDERS).await, "Available");
    let clusters: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM resources WHERE name LIKE '%(restored)'")
            .fetch_one(w.svc.db())
            .await
            .unwrap();
    assert_eq!(clusters, 1, "restored once");
}

#[tokio::test]
async fn a_pending_invitation_whose_backups_are_all_gone_reads_cancelled() {
    let w = world().await;
    w.share(ALICE, "only-orders", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    w.share(ALICE, "two", &[ORDERS, CLUSTER_2], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let alice = w.caller(ALICE).await;
    w.svc
        .delete_backup(&alice, ORDERS, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        w.pending_count(BOB_ACCOUNT).await,
        1,
        "the share that still holds a backup still waits for Bob"
    );
    let bob = w.caller(BOB).await;
    let page = w
        .svc
        .shared_with_me(&bob, &Default::default(), Utc::now())
        .await
        .unwrap();
    assert_eq!(page.pending[0].share_name, "two");
    assert_eq!(page.answered[0].share_name, "only-orders");
    assert_eq!(page.answered[0].status, ShareStatus::Cancelled);
}

// ---- Copy grants: server and disk backups copied into the recipient's vault (issue 4) ----

const WEB: &str = "sb-acmehq-web-001";
const SECRET_DISK: &str = "db-acmehq-data-001";

impl World {
    /// Alice shares `backup` with Bob in a share of its own, granting the key if asked.
    async fn share_copy(&self, name: &str, backup: &str, grant_key: bool) -> String {
        let caller = self.caller(ALICE).await;
        let request = NewShare {
            name: name.into(),
            scope: PrincipalScope::AllAccounts,
            backup_ids: vec![backup.into()],
            principals: vec![BOB_ACCOUNT.into()],
            grant_key,
        };
        self.svc
            .create_share(&caller, request, Utc::now())
            .await
            .unwrap()
            .to_string()
    }

    /// Bob's pending invitation for `share_name`, with the first vault that qualifies for
    /// each server or disk backup in it.
    async fn invitation_with_vaults(&self, share_name: &str) -> (String, BTreeMap<String, String>) {
        let bob = self.caller(BOB).await;
        let page = self
            .svc
            .shared_with_me(&bob, &Default::default(), Utc::now())
            .await
            .unwrap();
        let inv = page
            .pending
            .into_iter()
            .find(|i| i.share_name == share_name)
            .expect("invitation pending");
        let vaults = inv
            .vault_choices
            .iter()
            .map(|c| {
                let fit = c
                    .options
                    .iter()
                    .find(|o| o.refusal.is_none())
                    .expect("a vault fits");
                (c.backup_id.to_string(), fit.vault_id.clone())
            })
            .collect();
        (inv.id.to_string(), vaults)
    }

    async fn accept_into(
        &self,
        invitation: &str,
        vaults: &BTreeMap<String, String>,
    ) -> Result<(), UserError> {
        let bob = self.caller(BOB).await;
        self.svc
            .accept_invitation(&bob, invitation, vaults, Utc::now())
            .await
            .map_err(UserError::from)
    }

    /// What Bob received of `backup`.
    async fn received_by_bob(&self, backup: &str) -> Option<backshare::views::ReceivedBackup> {
        let bob = self.caller(BOB).await;
        let page = self
            .svc
            .shared_with_me(&bob, &Default::default(), Utc::now())
            .await
            .unwrap();
        page.received
            .into_iter()
            .find(|r| r.backup_id.as_str() == backup)
    }

    async fn bob_vaults(&self) -> backshare::views::VaultsPage {
        let bob = self.caller(BOB).await;
        self.svc.vaults(&bob, Utc::now()).await.unwrap()
    }

    async fn copy_all(&self) {
        self.svc.run_copies(Utc::now()).await.unwrap();
    }
}

#[tokio::test]
async fn a_server_backup_is_accepted_into_a_vault_copied_verified_and_a_server_created_from_the_copy(
) {
    use backshare::model::RestoreStatus;
    let w = world().await;
    w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    // Accepting needs a vault for every server and disk backup.
    let missing = w
        .accept_into(&invitation, &BTreeMap::new())
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("Choose a vault"), "{missing}");
    let used_before = w.bob_vaults().await.received_copy_bytes;
    w.accept_into(&invitation, &vaults).await.unwrap();
    let received = w.received_by_bob(WEB).await.unwrap();
    assert_eq!(received.status, ShareStatus::Copying(0));
    assert!(
        received.restore_blocked.is_some(),
        "not restorable while copying"
    );
    // The space is reserved at once.
    assert_eq!(
        w.bob_vaults().await.received_copy_bytes,
        used_before + received.size_bytes
    );

    w.copy_all().await;
    let received = w.received_by_bob(WEB).await.unwrap();
    assert_eq!(received.status, ShareStatus::Available);
    assert_eq!(received.restore_blocked, None);
    assert_eq!(ShareStatus::Available.label(), "Available");

    // Bob picks the project; one that is not his in the region is refused with the reason.
    let bob = w.caller(BOB).await;
    let elsewhere = w
        .svc
        .restore_backup(&bob, WEB, Some("proj-acmehq-sg"), Utc::now())
        .await
        .map_err(UserError::from)
        .unwrap_err();
    assert!(
        elsewhere
            .to_string()
            .contains("not one of your projects in"),
        "{elsewhere}"
    );
    w.svc
        .restore_backup(&bob, WEB, Some("proj-acmeeast-standby"), Utc::now())
        .await
        .unwrap();
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let restores = w.svc.restores(&bob).await.unwrap();
    let done = &restores[0];
    assert_eq!(done.project_id.as_str(), "proj-acmeeast-standby");
    assert_eq!(done.status, RestoreStatus::Done, "{:?}", done.detail);
    assert!(done.resource_id.as_str().starts_with("srv-"));
    let original = w.svc.objects().get("backups", WEB).await.unwrap();
    let created = w
        .svc
        .objects()
        .get("resources", done.resource_id.as_str())
        .await
        .unwrap();
    assert_eq!(created, original, "the new server holds the backup's bytes");
    // The owner's backup was never locked by the recipient's restore from its own copy.
    assert_eq!(w.backup_status(WEB).await, "Available");
}

#[tokio::test]
async fn an_encrypted_disk_backup_is_shared_only_with_its_key_and_its_copy_stays_encrypted() {
    use backshare::model::RestoreStatus;
    let w = world().await;
    w.share_copy("secret", SECRET_DISK, true).await;
    let (invitation, vaults) = w.invitation_with_vaults("secret").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    w.copy_all().await;
    let received = w.received_by_bob(SECRET_DISK).await.unwrap();
    assert_eq!(received.status, ShareStatus::Available);
    let copy = received.copy.as_ref().unwrap();
    assert!(copy.encrypted);
    // At rest the copy is the sealed bytes, not the disk's plaintext.
    let stored = w
        .svc
        .objects()
        .get("copies", &format!("{}.1", received.grant_id))
        .await
        .unwrap();
    let plaintext = w.svc.objects().get("resources", "res-acmehq-data").await;
    let sealed_original = w.svc.objects().get("backups", SECRET_DISK).await.unwrap();
    assert_eq!(stored, sealed_original);
    if let Ok(plain) = &plaintext {
        assert_ne!(&stored, plain);
    }
    // Bob opens it with the key Alice granted: "Create Disk" gives the plaintext back.
    w.restore(BOB, SECRET_DISK).await.unwrap();
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let bob = w.caller(BOB).await;
    let done = w.svc.restores(&bob).await.unwrap().remove(0);
    assert_eq!(done.status, RestoreStatus::Done, "{:?}", done.detail);
    assert!(done.resource_id.as_str().starts_with("disk-"));
    let created = w
        .svc
        .objects()
        .get("resources", done.resource_id.as_str())
        .await
        .unwrap();
    assert_ne!(created, stored);
    assert_eq!(Some(backshare::objects::sha256_hex(&created)), done.sha256);
}

#[tokio::test]
async fn a_changed_original_fails_verification_with_the_reason_frees_the_space_and_retry_copies_it()
{
    let w = world().await;
    w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    let original = w.svc.objects().get("backups", WEB).await.unwrap();
    let mut damaged = original.clone();
    damaged[100] ^= 0xff;
    w.svc.objects().put("backups", WEB, damaged).await.unwrap();

    w.copy_all().await;
    let received = w.received_by_bob(WEB).await.unwrap();
    assert_eq!(received.status, ShareStatus::Failed);
    let reason = received.copy.unwrap().copy.failure.unwrap();
    assert!(reason.contains("verification failed"), "{reason}");
    assert_eq!(
        w.bob_vaults().await.received_copy_bytes,
        0,
        "a failed copy holds no space"
    );

    w.svc.objects().put("backups", WEB, original).await.unwrap();
    let bob = w.caller(BOB).await;
    w.svc
        .retry_copy(&bob, received.grant_id.as_str(), Utc::now())
        .await
        .unwrap();
    w.copy_all().await;
    assert_eq!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Available
    );
}

#[tokio::test]
async fn accepts_racing_for_the_last_space_of_a_vault_never_overfill_it() {
    let w = Arc::new(world().await);
    let size: i64 = sqlx::query_scalar("SELECT size_bytes FROM backups WHERE id = $1")
        .bind(WEB)
        .fetch_one(w.svc.db())
        .await
        .unwrap();
    // A small vault of Bob's with room for two copies (free space must exceed the size).
    let region: String = sqlx::query_scalar("SELECT region FROM backups WHERE id = $1")
        .bind(WEB)
        .fetch_one(w.svc.db())
        .await
        .unwrap();
    sqlx::query("INSERT INTO vaults (id, account_id, region, kind, name, capacity_bytes) VALUES ('vault-tight', $1, $2, 'server', 'Tight', $3)")
        .bind(BOB_ACCOUNT)
        .bind(&region)
        .bind(size * 5 / 2)
        .execute(w.svc.db())
        .await
        .unwrap();
    let mut invitations = Vec::new();
    for n in 0..8 {
        let name = format!("web-{n}");
        w.share_copy(&name, WEB, false).await;
        let (invitation, _) = w.invitation_with_vaults(&name).await;
        invitations.push(invitation);
    }
    let tasks: Vec<_> = invitations
        .into_iter()
        .map(|invitation| {
            let w = w.clone();
            tokio::spawn(async move {
                let vaults = BTreeMap::from([(WEB.to_owned(), "vault-tight".to_owned())]);
                w.accept_into(&invitation, &vaults).await
            })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => accepted += 1,
            Err(refusal) => assert!(refusal.to_string().contains("free"), "{refusal}"),
        }
    }
    println!("8 concurrent accepts into a vault with room for 2: {accepted} accepted");
    assert_eq!(accepted, 2);
    let tight = w
        .bob_vaults()
        .await
        .vaults
        .into_iter()
        .find(|v| v.id == "vault-tight")
        .unwrap();
    assert!(tight.used_bytes <= tight.capacity_bytes);
    assert_eq!(tight.used_bytes, 2 * size);
}

#[tokio::test]
async fn deleting_the_original_deletes_the_copy_and_frees_the_space_but_the_created_server_stays() {
    let w = world().await;
    w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    w.copy_all().await;
    let received = w.received_by_bob(WEB).await.unwrap();
    let copy_object = format!("{}.1", received.grant_id);
    assert!(w.svc.objects().exists("copies", &copy_object).await);
    w.restore(BOB, WEB).await.unwrap();
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let bob = w.caller(BOB).await;
    let server = w.svc.restores(&bob).await.unwrap().remove(0).resource_id;

    let alice = w.caller(ALICE).await;
    w.svc.delete_backup(&alice, WEB, Utc::now()).await.unwrap();
    w.copy_all().await;
    assert!(w.received_by_bob(WEB).await.is_none());
    assert_eq!(w.bob_vaults().await.received_copy_bytes, 0);
    assert!(!w.svc.objects().exists("copies", &copy_object).await);
    assert!(w.svc.objects().exists("resources", server.as_str()).await);
}

#[tokio::test]
async fn a_copy_whose_worker_died_is_taken_over_once_its_lease_lapses_and_finishes_once() {
    let w = world().await;
    w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    let grant = w.received_by_bob(WEB).await.unwrap().grant_id.to_string();
    // A worker claimed attempt 1 and died after writing part of it.
    sqlx::query(
        "UPDATE copies SET attempt = 1, lease_until = $1, copied_bytes = 10 WHERE grant_id = $2",
    )
    .bind((Utc::now() + Duration::seconds(30)).timestamp_millis())
    .bind(&grant)
    .execute(w.svc.db())
    .await
    .unwrap();
    w.svc
        .objects()
        .put("copies", &format!("{grant}.1"), vec![1, 2, 3])
        .await
        .unwrap();
    // While its lease holds, nobody else takes it.
    assert_eq!(w.svc.run_copies(Utc::now()).await.unwrap(), 0);
    assert!(matches!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Copying(_)
    ));
    // Once it lapses, a new attempt runs, removes the dead one's bytes and finishes.
    assert_eq!(
        w.svc
            .run_copies(Utc::now() + Duration::seconds(31))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Available
    );
    assert!(
        !w.svc
            .objects()
            .exists("copies", &format!("{grant}.1"))
            .await
    );
    assert!(
        w.svc
            .objects()
            .exists("copies", &format!("{grant}.2"))
            .await
    );
    assert_eq!(
        w.svc
            .run_copies(Utc::now() + Duration::seconds(62))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn releasing_a_cluster_takes_its_backups_and_recipients_lose_access_but_restored_clusters_stay(
) {
    let w = world().await;
    let share = w
        .share(ALICE, "orders", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    w.restore(BOB, ORDERS).await.unwrap();
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let bob = w.caller(BOB).await;
    let restored = w.svc.resources(&bob).await.unwrap();
    assert!(restored
        .iter()
        .any(|r| r.restored && r.kind.as_str() == "cluster"));

    let alice = w.caller(ALICE).await;
    let cluster: String = sqlx::query_scalar("SELECT resource_id FROM backups WHERE id = $1")
        .bind(ORDERS)
        .fetch_one(w.svc.db())
        .await
        .unwrap();
    // A viewer and another tenant cannot release it.
    let vic = w.caller(VIC).await;
    assert!(matches!(
        w.svc
            .release_resource(&vic, &cluster, Utc::now())
            .await
            .map_err(UserError::from),
        Err(UserError::Forbidden(_))
    ));
    assert!(matches!(
        w.svc
            .release_resource(&bob, &cluster, Utc::now())
            .await
            .map_err(UserError::from),
        Err(UserError::NotFound(_))
    ));
    // Rule 6: the cluster's level-1 backup is converting, so the release waits.
    let locked = w
        .svc
        .release_resource(&alice, &cluster, Utc::now())
        .await
        .map_err(UserError::from);
    assert!(
        matches!(&locked, Err(UserError::Refused(r)) if r.to_string().contains("converting")),
        "{locked:?}"
    );
    sqlx::query("UPDATE backups SET lock_reason = NULL WHERE resource_id = $1")
        .bind(&cluster)
        .execute(w.svc.db())
        .await
        .unwrap();
    w.svc
        .release_resource(&alice, &cluster, Utc::now())
        .await
        .unwrap();
    assert!(!w
        .svc
        .resources(&alice)
        .await
        .unwrap()
        .iter()
        .any(|r| r.id.as_str() == cluster));
    assert!(w.received_by_bob(ORDERS).await.is_none());
    assert!(
        w.statuses(ALICE).await.contains(&ShareStatus::Lost),
        "{share}"
    );
    assert!(!w.svc.objects().exists("backups", ORDERS).await);
    // What Bob restored from it stays.
    assert_eq!(w.svc.resources(&bob).await.unwrap(), restored);
}

#[tokio::test]
async fn cancelling_a_copied_share_revokes_it_after_the_delay_and_then_deletes_the_copy() {
    let w = world().await;
    let share = w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    w.copy_all().await;
    let grant = w.received_by_bob(WEB).await.unwrap().grant_id.to_string();
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    // Revoking: the copy is still there but cannot be used.
    let revoking = w.received_by_bob(WEB).await.unwrap();
    assert_eq!(revoking.status, ShareStatus::Revoking);
    assert!(revoking.restore_blocked.unwrap().contains("cancelled"));
    w.copy_all().await;
    assert!(
        w.svc
            .objects()
            .exists("copies", &format!("{grant}.1"))
            .await
    );
    // After the revocation delay the grant is Revoked and the copy goes with its space.
    w.svc
        .run_due_work(Utc::now() + Duration::minutes(11))
        .await
        .unwrap();
    w.copy_all().await;
    assert!(w.received_by_bob(WEB).await.is_none());
    assert!(
        !w.svc
            .objects()
            .exists("copies", &format!("{grant}.1"))
            .await
    );
    assert_eq!(w.bob_vaults().await.received_copy_bytes, 0);
    assert!(w.statuses(ALICE).await.contains(&ShareStatus::Revoked));
}

#[tokio::test]
async fn the_owner_creates_a_disk_from_its_own_encrypted_backup_with_its_own_key() {
    use backshare::model::RestoreStatus;
    let w = world().await;
    w.restore(ALICE, SECRET_DISK).await.unwrap();
    assert_eq!(w.backup_status(SECRET_DISK).await, "Locked (restoring)");
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let alice = w.caller(ALICE).await;
    let done = w.svc.restores(&alice).await.unwrap().remove(0);
    assert_eq!(done.status, RestoreStatus::Done, "{:?}", done.detail);
    let created = w
        .svc
        .objects()
        .get("resources", done.resource_id.as_str())
        .await
        .unwrap();
    let sealed = w.svc.objects().get("backups", SECRET_DISK).await.unwrap();
    assert_ne!(
        created, sealed,
        "the backup is stored sealed, the disk holds the plaintext"
    );
    assert_eq!(Some(backshare::objects::sha256_hex(&created)), done.sha256);
    assert_eq!(w.backup_status(SECRET_DISK).await, "Available");
}

#[tokio::test]
async fn a_copy_expires_with_its_original_and_frees_its_space() {
    let w = world().await;
    w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    w.copy_all().await;
    assert_eq!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Available
    );
    let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM backups WHERE id = $1")
        .bind(WEB)
        .fetch_one(w.svc.db())
        .await
        .unwrap();
    let after = chrono::TimeZone::timestamp_millis_opt(&Utc, expires + 1).unwrap();
    w.svc.run_due_work(after).await.unwrap();
    w.svc.run_copies(after).await.unwrap();
    assert!(w.received_by_bob(WEB).await.is_none());
    assert_eq!(w.bob_vaults().await.received_copy_bytes, 0);
    assert!(w.statuses(ALICE).await.contains(&ShareStatus::Lost));
}

#[tokio::test]
async fn a_server_backup_added_after_accepting_waits_for_a_vault_then_copies() {
    let w = world().await;
    let share = w
        .share(ALICE, "grows", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    w.update(ALICE, &share, &[WEB], &[BOB_ACCOUNT])
        .await
        .unwrap();
    // Bob holds it at once, but it needs a vault before anything is copied.
    let waiting = w.received_by_bob(WEB).await.unwrap();
    assert_eq!(waiting.status, ShareStatus::Accepted);
    assert!(waiting.restore_blocked.unwrap().contains("Choose a vault"));
    let choice = waiting.vault_choice.expect("a vault is asked for");
    let vault = choice.options.iter().find(|o| o.refusal.is_none()).unwrap();
    let bob = w.caller(BOB).await;
    let grant = waiting.grant_id.to_string();
    // Someone else's grant, or a vault of another account, is not found.
    let carol = w.caller(CAROL).await;
    assert!(matches!(
        w.svc
            .copy_into_vault(&carol, &grant, &vault.vault_id, Utc::now())
            .await
            .map_err(UserError::from),
        Err(UserError::NotFound(_))
    ));
    assert!(matches!(
        w.svc
            .copy_into_vault(&bob, &grant, "vault-partnerb-servers", Utc::now())
            .await
            .map_err(UserError::from),
        Err(UserError::NotFound(_))
    ));
    w.svc
        .copy_into_vault(&bob, &grant, &vault.vault_id, Utc::now())
        .await
        .unwrap();
    let again = w
        .svc
        .copy_into_vault(&bob, &grant, &vault.vault_id, Utc::now())
        .await;
    assert!(matches!(
        again.map_err(UserError::from),
        Err(UserError::Conflict(_))
    ));
    w.copy_all().await;
    assert_eq!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Available
    );
}

#[tokio::test]
async fn a_recipient_re_added_after_revocation_gets_a_fresh_copy() {
    let w = world().await;
    let share = w.share_copy("web", WEB, false).await;
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    w.copy_all().await;
    let grant = w.received_by_bob(WEB).await.unwrap().grant_id.to_string();
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    w.svc
        .run_due_work(Utc::now() + Duration::minutes(11))
        .await
        .unwrap();
    w.copy_all().await;
    assert!(
        !w.svc
            .objects()
            .exists("copies", &format!("{grant}.1"))
            .await
    );

    // Alice adds Bob again; he accepts into his vault; the copy is made anew.
    w.update(ALICE, &share, &[], &[BOB_ACCOUNT]).await.unwrap();
    let (invitation, vaults) = w.invitation_with_vaults("web").await;
    w.accept_into(&invitation, &vaults).await.unwrap();
    assert!(matches!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Copying(_)
    ));
    w.copy_all().await;
    assert_eq!(
        w.received_by_bob(WEB).await.unwrap().status,
        ShareStatus::Available
    );
    assert!(
        w.svc
            .objects()
            .exists("copies", &format!("{grant}.2"))
            .await
    );
    assert!(w.bob_vaults().await.received_copy_bytes > 0);
}

#[tokio::test]
async fn my_shares_pages_through_resource_shares_newest_first() {
    let w = world().await;
    let alice = w.caller(ALICE).await;
    let start = Utc::now() - Duration::hours(1);
    for n in 0..53 {
        let share = NewShare {
            name: format!("share-{n:02}"),
            scope: PrincipalScope::AllAccounts,
            backup_ids: vec![ORDERS.into()],
            principals: vec![BOB_ACCOUNT.into()],
            grant_key: false,
        };
        // A second apart, so "newest first" is one order.
        w.svc
            .create_share(&alice, share, start + Duration::seconds(n))
            .await
            .unwrap();
    }
    let first = w
        .svc
        .my_shares(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (first.total_shares, first.shares_on_page),
        (Total::Exactly(53), 50)
    );
    assert!(first.links.newer.is_none() && first.links.older.is_some());
    let names = |page: &backshare::views::MySharesPage| {
        let mut names: Vec<String> = page.rows.iter().map(|r| r.share_name.clone()).collect();
        names.dedup();
        names
    };
    assert_eq!(names(&first).len(), 50);
    assert_eq!(names(&first)[0], "share-52", "newest first");
    let older = PageAt::parse(first.links.older.as_deref()).unwrap();
    let second = w.svc.my_shares(&alice, &older, Utc::now()).await.unwrap();
    assert_eq!(second.shares_on_page, 3);
    assert!(second.links.newer.is_some() && second.links.older.is_none());
    assert_eq!(names(&second), ["share-02", "share-01", "share-00"]);
    // "← Newer" from there is the first page again.
    let newer = PageAt::parse(second.links.newer.as_deref()).unwrap();
    let back = w.svc.my_shares(&alice, &newer, Utc::now()).await.unwrap();
    assert_eq!(names(&back), names(&first));
    assert!(back.links.newer.is_none());
    // A cursor the console did not make is refused, naming what is wrong.
    assert!(matches!(
        PageAt::parse(Some("page two")),
        Err(UserError::Invalid(_))
    ));
    // Another tenant's page is its own.
    let bob = w.caller(BOB).await;
    assert_eq!(
        w.svc
            .my_shares(&bob, &PageAt::First, Utc::now())
            .await
            .unwrap()
            .total_shares,
        Total::Exactly(0)
    );
}

/// Adds `n` projects in ap-southeast-1 to one account, returning their ids.
async fn extra_projects(w: &World, account: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("proj-more-{account}-{i}");
        sqlx::query("INSERT INTO projects (id, account_id, name, region) VALUES ($1, $2, 'p', 'ap-southeast-1')")
            .bind(&id)
            .bind(account)
            .execute(w.svc.db())
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn a_server_backup_reaches_ten_projects_of_one_account_and_not_an_eleventh() {
    use backshare::rules::Refusal;
    let w = world().await;
    let projects = extra_projects(&w, BOB_ACCOUNT, 11).await;
    let ten: Vec<&str> = projects[..10].iter().map(String::as_str).collect();
    w.share(ALICE, "ten projects", &["sb-acmehq-web-001"], &ten)
        .await
        .expect("ten projects are within the limit");

    let alice = w.caller(ALICE).await;
    let preview = w.preview(&alice, &["sb-acmehq-web-001"], &[]).await;
    let left = &preview.quota.recipients_left[0];
    assert_eq!((left.left, left.unit.plural()), (0, "projects"));

    let eleventh = w
        .share(
            ALICE,
            "one more",
            &["sb-acmehq-web-001"],
            &[projects[10].as_str()],
        )
        .await;
    assert!(
        matches!(
            eleventh,
            Err(UserError::Refused(Refusal::TooManyProjects {
                would_be: 11,
                limit: 10,
                ..
            }))
        ),
        "{eleventh:?}"
    );
}

#[tokio::test]
async fn with_sharing_opt_in_an_account_shares_only_once_an_operator_enabled_it() {
    use backshare::rules::Refusal;
    let w = world_with_settings(Settings {
        sharing_opt_in: true,
        ..Settings::default()
    })
    .await;
    let alice = w.caller(ALICE).await;

    let refused = w.share(ALICE, "beta", &[ORDERS], &[BOB_ACCOUNT]).await;
    assert!(
        matches!(refused, Err(UserError::Refused(Refusal::SharingNotEnabled))),
        "{refused:?}"
    );
    let backups = w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups;
    let orders = backups.iter().find(|b| b.id.as_str() == ORDERS).unwrap();
    assert_eq!(
        orders.share_blocked.as_deref(),
        Some(Refusal::SharingNotEnabled.to_string().as_str())
    );
    let preview = w.preview(&alice, &[ORDERS], &[BOB_ACCOUNT]).await;
    assert!(preview
        .problems
        .contains(&Refusal::SharingNotEnabled.to_string()));

    w.svc
        .enable_sharing(&alice.account_id, true, Utc::now())
        .await
        .unwrap();
    w.share(ALICE, "beta", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .expect("enabled, Alice shares");
    let backups = w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups;
    let orders = backups.iter().find(|b| b.id.as_str() == ORDERS).unwrap();
    assert_eq!(orders.share_blocked, None);
}

/// PostgreSQL has no global write lock: with Alice's account held by an open transaction,
/// Bob's share goes through, and Alice's own share waits for the lock, then goes through.
/// (SQLite has one writer by design; there the test has nothing to show.)
#[tokio::test]
async fn on_postgresql_two_owners_share_side_by_side_while_one_owners_writes_wait_for_each_other() {
    use backshare::db::{Backend, Lock, Writer};
    let w = Arc::new(world().await);
    if Backend::of(w.svc.db()) != Backend::Postgres {
        return;
    }
    let writer = Writer::new(w.svc.db().clone());
    let mut held = writer.begin().await.unwrap();
    held.lock(&[Lock::account(w.caller(ALICE).await.account_id.as_str())])
        .await
        .unwrap();

    // A global lock would make this wait for `held`: the timeout turns that into a failure.
    let bobs = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        w.share(
            BOB,
            "bob's own",
            &["cb-acmeeast-orders-001"],
            &["1840000000000001"],
        ),
    )
    .await
    .expect("Bob's share does not wait for Alice's lock");
    bobs.expect("Bob's share is created");

    let alices = tokio::spawn({
        let w = w.clone();
        async move { w.share(ALICE, "alice's", &[ORDERS], &[BOB_ACCOUNT]).await }
    });
    // Alice's share is seen waiting on an advisory lock.
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        )
        .fetch_one(w.svc.db())
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(
            !alices.is_finished(),
            "Alice's share did not wait for her own lock"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    held.commit().await.unwrap();
    alices
        .await
        .unwrap()
        .expect("Alice's share goes through once the lock is free");
}

#[tokio::test]
async fn the_dialogs_existing_shares_are_searched_by_name_and_paged_and_only_the_owners() {
    let w = world().await;
    let alice = w.caller(ALICE).await;
    for n in 0..55 {
        w.share(ALICE, &format!("Nightly {n:02}"), &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
    }
    w.share(ALICE, "weekly_100%", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let first = w.svc.share_choices(&alice, "nightly", None).await.unwrap();
    assert_eq!(first.shares.len(), 50);
    assert_eq!(first.shares[0].name, "Nightly 00");
    let second = w
        .svc
        .share_choices(&alice, "nightly", first.next.as_deref())
        .await
        .unwrap();
    let names: Vec<&str> = second.shares.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Nightly 50",
            "Nightly 51",
            "Nightly 52",
            "Nightly 53",
            "Nightly 54"
        ]
    );
    assert_eq!(second.next, None);
    // `%` and `_` are searched as themselves.
    let literal = w.svc.share_choices(&alice, "_100%", None).await.unwrap();
    assert_eq!(literal.shares.len(), 1);
    assert!(w
        .svc
        .share_choices(&alice, "1_0", None)
        .await
        .unwrap()
        .shares
        .is_empty());

    let summary = w
        .svc
        .share_summary(&alice, first.shares[0].id.as_str())
        .await
        .unwrap();
    assert_eq!(summary.principals[0].id, BOB_ACCOUNT);
    assert_eq!(summary.backups[0].0.as_str(), ORDERS);
    // Bob sees none of them, and a summary of Alice's share is not found for him.
    let bob = w.caller(BOB).await;
    assert!(w
        .svc
        .share_choices(&bob, "", None)
        .await
        .unwrap()
        .shares
        .is_empty());
    assert!(matches!(
        w.svc
            .share_summary(&bob, first.shares[0].id.as_str())
            .await
            .map_err(UserError::from),
        Err(UserError::NotFound(_))
    ));
}

#[tokio::test]
async fn shared_with_me_pages_each_table_on_its_own() {
    use backshare::paging::PageAt;
    use backshare::service::SharedWithMeAt;
    let w = world().await;
    for n in 0..53 {
        w.share(ALICE, &format!("pending-{n:02}"), &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
    }
    let bob = w.caller(BOB).await;
    let first = w
        .svc
        .shared_with_me(&bob, &SharedWithMeAt::default(), Utc::now())
        .await
        .unwrap();
    assert_eq!(first.pending.len(), 50);
    assert!(first.pending_links.newer.is_none());
    assert_eq!(
        first.received_links,
        Default::default(),
        "nothing received: no links"
    );
    let older = SharedWithMeAt {
        pending: PageAt::parse(first.pending_links.older.as_deref()).unwrap(),
        ..SharedWithMeAt::default()
    };
    let second = w
        .svc
        .shared_with_me(&bob, &older, Utc::now())
        .await
        .unwrap();
    assert_eq!(second.pending.len(), 3);
    assert!(second.pending_links.older.is_none() && second.pending_links.newer.is_some());
    let seen: std::collections::BTreeSet<String> = first
        .pending
        .iter()
        .chain(&second.pending)
        .map(|i| i.share_name.clone())
        .collect();
    assert_eq!(seen.len(), 53, "every invitation on exactly one page");
    assert!(second.pending.iter().all(|i| !i.backups.is_empty()));
    // Answering the last page's invitations leaves it empty: it reads as the first page.
    for invitation in &second.pending {
        w.svc
            .reject_invitation(&bob, invitation.id.as_str(), Utc::now())
            .await
            .unwrap();
    }
    let again = w
        .svc
        .shared_with_me(&bob, &older, Utc::now())
        .await
        .unwrap();
    assert_eq!(again.pending.len(), 50);
    assert!(again.pending_links.newer.is_none() && again.pending_links.older.is_none());
    assert_eq!(again.answered.len(), 3);
}

#[tokio::test]
async fn activity_pages_through_an_accounts_lines_as_owner_and_as_recipient() {
    let w = world().await;
    for n in 0..30 {
        w.share(ALICE, &format!("log-{n:02}"), &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
    }
    // Bob shares with Alice too, so her log holds lines as owner and as recipient.
    for n in 0..30 {
        w.share(
            BOB,
            &format!("back-{n:02}"),
            &["cb-acmeeast-orders-001"],
            &["1840000000000001"],
        )
        .await
        .unwrap();
    }
    let alice = w.caller(ALICE).await;
    let mut seen = Vec::new();
    let mut at = PageAt::First;
    loop {
        let page = w.svc.activity(&alice, &at).await.unwrap();
        assert!(page.entries.len() <= 50);
        seen.extend(
            page.entries
                .iter()
                .map(|e| (e.at, e.action.clone(), e.share_name.clone())),
        );
        match page.links.older {
            Some(older) => at = PageAt::parse(Some(&older)).unwrap(),
            None => break,
        }
    }
    assert!(seen.len() >= 60, "{} lines", seen.len());
    assert!(
        seen.windows(2).all(|w| w[0].0 >= w[1].0),
        "newest first across pages"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no line on two pages");
    let as_recipient = seen
        .iter()
        .filter(|(_, _, name)| name.as_deref().is_some_and(|n| n.starts_with("back-")))
        .count();
    assert!(
        as_recipient >= 30,
        "{as_recipient} of Bob's shares in Alice's log"
    );
}

#[tokio::test]
async fn backups_come_in_pages_newest_first_and_the_share_list_finds_any_of_them() {
    let w = world().await;
    let alice = w.caller(ALICE).await;
    let before = w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backups
        .len();
    // 60 more of Alice's cluster backups, older than the demo's.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
         INSERT INTO backups (id, account_id, resource_id, vault_id, region, kind, name, size_bytes, sha256,
                              encrypted, level, lock_reason, created_at, expires_at, stored_sha256, wrapped_key)
         SELECT 'cb-old-' || i, account_id, resource_id, vault_id, region, kind, 'old ' || i, size_bytes, sha256,
                encrypted, level, lock_reason, 1000 + i, NULL, stored_sha256, wrapped_key
         FROM backups, n WHERE id = 'cb-acmehq-orders-001'",
    )
    .execute(w.svc.db())
    .await
    .unwrap();
    let first = w
        .svc
        .list_backups(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert_eq!(first.backups.len(), 50);
    assert!(first.links.newer.is_none());
    let older = PageAt::parse(first.links.older.as_deref()).unwrap();
    let second = w
        .svc
        .list_backups(&alice, &older, Utc::now())
        .await
        .unwrap();
    assert_eq!(second.backups.len(), before + 60 - 50);
    assert!(second.links.older.is_none());
    assert_eq!(
        second.backups.last().unwrap().id.as_str(),
        "cb-old-1",
        "oldest last"
    );
    // The Share List tab reads its one backup, wherever it is listed.
    let (summary, _) = w
        .svc
        .share_list(&alice, "cb-old-1", Utc::now())
        .await
        .unwrap();
    assert_eq!(summary.name, "old 1");
    // Bob's page is his own.
    let bob = w.caller(BOB).await;
    let his = w
        .svc
        .list_backups(&bob, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert!(his
        .backups
        .iter()
        .all(|b| !b.id.as_str().starts_with("cb-old-")));
}
