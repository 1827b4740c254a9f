//! Answering invitations: accept, reject, cancel, expiry and revocation, as each side sees it.

use backshare::demo;
use backshare::paging::PageAt;
use backshare::service::{Backshare, Settings};
use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::{Duration, Utc};

use crate::world::{world, World, ALICE, BOB, BOB_ACCOUNT, CAROL, ORDERS};

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
