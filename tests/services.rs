//! The services against a fresh SQLite database (with the demo) per test: every command as
//! the owner, the recipient, another tenant and a viewer, and every rule the skeleton enforces.

use std::sync::Arc;

use backshare::demo;
use backshare::ids::UserId;
use backshare::service::{Backshare, Caller, NewShare, ServiceError, Settings};
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
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
        };
        self.svc
            .create_share(&caller, request, Utc::now())
            .await
            .map(|id| id.to_string())
            .map_err(UserError::from)
    }

    async fn pending_invitation(&self, user: &str) -> String {
        let caller = self.caller(user).await;
        let page = self.svc.shared_with_me(&caller, Utc::now()).await.unwrap();
        page.pending
            .first()
            .expect("an invitation is pending")
            .id
            .to_string()
    }

    async fn statuses(&self, user: &str) -> Vec<ShareStatus> {
        let caller = self.caller(user).await;
        self.svc
            .my_shares(&caller, Utc::now())
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.status)
            .collect()
    }

    async fn accept(&self, user: &str, invitation: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .accept_invitation(&caller, invitation, Utc::now())
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
    let backups = w.svc.list_backups(&alice, Utc::now()).await.unwrap();
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
    let backups = w.svc.list_backups(&alice, Utc::now()).await.unwrap();
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
    let page = w.svc.shared_with_me(&bob, Utc::now()).await.unwrap();
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
        .shared_with_me(&w.caller(BOB).await, Utc::now())
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
        .shared_with_me(&w.caller(BOB).await, Utc::now())
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
            .shared_with_me(&bob, Utc::now())
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
        .shared_with_me(&bob, Utc::now())
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
        .list_backups(&vic, Utc::now())
        .await
        .unwrap()
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
        w.svc.my_shares(&vic, Utc::now()).await.unwrap().len(),
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
            w.share(ALICE, "i", &["sb-acmehq-web-001"], &[BOB_ACCOUNT])
                .await
        ),
        Refusal::CopySharingUnavailable(_)
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
        .shared_with_me(&bob, Utc::now())
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
        sqlx::query("INSERT INTO accounts (id, name, site) VALUES (?, ?, 'international')")
            .bind(&id)
            .bind(format!("Extra {i}"))
            .execute(w.svc.db())
            .await
            .unwrap();
        sqlx::query("INSERT INTO projects (id, account_id, name, region) VALUES (?, ?, 'p', 'ap-southeast-1')")
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
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("backshare.db").display());
    let db = backshare::db::connect(&url).await.unwrap();
    let settings = Settings {
        limits,
        ..Settings::default()
    };
    let svc = Backshare::new(db, dir.path(), settings);
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
        "SELECT COUNT(DISTINCT sp.recipient_account_id) FROM share_principals sp
         JOIN share_backups sb ON sb.share_id = sp.share_id WHERE sb.backup_id = ?",
    )
    .bind(ORDERS)
    .fetch_one(w.svc.db())
    .await
    .unwrap();
    assert_eq!(recipients, limit as i64, "the limit holds in the database");
}

#[tokio::test]
async fn the_shared_cluster_backup_limit_holds_and_an_operator_can_raise_it() {
    use backshare::ids::AccountId;
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
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let clean = w
        .svc
        .preview_share(&alice, &ids(&[ORDERS]), &ids(&[BOB_ACCOUNT]), Utc::now())
        .await
        .unwrap();
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    assert_eq!(clean.quota.shared_cluster_backups_left, 1_023);
    assert_eq!(clean.quota.shared_backups_left, 999);
    assert_eq!(clean.quota.recipients_left[0].1, 63);

    let messy = w
        .svc
        .preview_share(
            &alice,
            &ids(&[ORDERS, "rp-acmehq-orders-001"]),
            &ids(&[BOB_ACCOUNT, DAN_ACCOUNT, "nonsense"]),
            Utc::now(),
        )
        .await
        .unwrap();
    let all = messy.problems.join("\n");
    assert!(all.contains("cross-region"), "{all}");
    assert!(all.contains("another site"), "{all}");
    assert!(all.contains("is not an account ID"), "{all}");
    assert!(
        w.statuses(ALICE).await.is_empty(),
        "a preview writes nothing"
    );

    let vic = w.caller(VIC).await;
    let by_viewer = w
        .svc
        .preview_share(&vic, &ids(&[ORDERS]), &ids(&[BOB_ACCOUNT]), Utc::now())
        .await
        .unwrap();
    assert!(by_viewer.problems[0].contains("viewer"));
}

#[tokio::test]
async fn a_revocation_pending_when_the_server_stops_finishes_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("backshare.db").display());
    let settings = Settings {
        revocation_delay: Duration::zero(),
        ..Settings::default()
    };
    let share;
    {
        let db = backshare::db::connect(&url).await.unwrap();
        let svc = Backshare::new(db.clone(), dir.path(), settings.clone());
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
        svc: Backshare::new(db, dir.path(), settings),
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
        matches!(locked.map_err(UserError::from), Err(UserError::Conflict(m)) if m.contains("retry later"))
    );

    let alice = w.caller(ALICE).await;
    w.svc
        .delete_backup(&alice, ORDERS, Utc::now())
        .await
        .unwrap();
    assert_eq!(w.statuses(ALICE).await, vec![ShareStatus::Lost]);
    assert!(w
        .svc
        .shared_with_me(&bob, Utc::now())
        .await
        .unwrap()
        .received
        .is_empty());
    assert!(!w
        .svc
        .list_backups(&alice, Utc::now())
        .await
        .unwrap()
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
    let alice = actions(w.svc.activity(&w.caller(ALICE).await).await.unwrap());
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

    let bob = actions(w.svc.activity(&w.caller(BOB).await).await.unwrap());
    assert_eq!(
        bob.len(),
        4,
        "Bob sees his share's lines, not Alice's refused attempt: {bob:?}"
    );
    let carol = w.svc.activity(&w.caller(CAROL).await).await.unwrap();
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
