//! What recipients keep when the owner's backup goes: deleted, expired or released with its cluster.

use backshare::error::Denied;
use backshare::paging::PageAt;
use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::{Duration, Utc};

use crate::world::{world, ALICE, BOB, BOB_ACCOUNT, CLUSTER_2, ORDERS, VIC};

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
    assert!(matches!(
        by_recipient.map_err(UserError::from),
        Err(UserError::Forbidden(Denied::ReceivedDelete(_)))
    ));
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
    let restored = w
        .svc
        .resources(&bob, &PageAt::First)
        .await
        .unwrap()
        .resources;
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
        .resources(&alice, &PageAt::First)
        .await
        .unwrap()
        .resources
        .iter()
        .any(|r| r.id.as_str() == cluster));
    assert!(w.received_by_bob(ORDERS).await.is_none());
    assert!(
        w.statuses(ALICE).await.contains(&ShareStatus::Lost),
        "{share}"
    );
    assert!(!w.svc.objects().exists("backups", ORDERS).await);
    // What Bob restored from it stays.
    assert_eq!(
        w.svc
            .resources(&bob, &PageAt::First)
            .await
            .unwrap()
            .resources,
        restored
    );
}
