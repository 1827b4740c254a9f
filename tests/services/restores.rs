//! Restores: a recipient's new cluster from a shared backup, refusals, restarts and the owner's own encrypted disk.

use backshare::conflict::Conflict;
use backshare::demo;
use backshare::error::Denied;
use backshare::paging::PageAt;
use backshare::service::{Backshare, Settings};
use backshare::UserError;
use chrono::Utc;

use crate::world::{
    world, World, ALICE, BOB, BOB_ACCOUNT, CAROL, CLUSTER_2, ORDERS, SECRET_DISK, VIC,
};

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
    let restores = w.svc.restores(&bob, &PageAt::First).await.unwrap().restores;
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
        Err(UserError::Conflict(Conflict::Revoking))
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
        Err(UserError::Forbidden(Denied::Viewer(_)))
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

/// A restore from bytes that changed since the backup was taken fails with the typed
/// reason, on "Restores" and in the owner's Activity (said in the reader's language).
#[tokio::test]
async fn a_restore_from_changed_bytes_fails_with_its_reason_in_restores_and_activity() {
    use backshare::error::Reason;
    use backshare::model::{ActivityNote, RestoreStatus, TransferFailure};
    let w = world().await;
    let mut damaged = w.svc.objects().get("backups", ORDERS).await.unwrap();
    damaged[10] ^= 0xff;
    w.svc
        .objects()
        .put("backups", ORDERS, damaged)
        .await
        .unwrap();
    w.restore(ALICE, ORDERS).await.unwrap();
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let alice = w.caller(ALICE).await;
    let failed = w.newest_restore(ALICE).await;
    assert_eq!(failed.status, RestoreStatus::Failed);
    assert_eq!(failed.failure, Some(TransferFailure::SourceChanged));
    let line = w
        .svc
        .activity(&alice, &PageAt::First)
        .await
        .unwrap()
        .entries
        .remove(0);
    assert_eq!(line.outcome, TransferFailure::SourceChanged.sentence());
    assert_eq!(
        line.reason,
        Some(Reason::Failed(TransferFailure::SourceChanged))
    );
    // The detail is typed too; its English is what scripts read.
    let note = line
        .note
        .expect("a restore's line names what it restored into");
    assert!(
        matches!(&note, ActivityNote::RestoredInto { backup, .. } if backup == ORDERS),
        "{note:?}"
    );
    assert_eq!(line.detail, note.to_string());
}

#[tokio::test]
async fn the_owner_creates_a_disk_from_its_own_encrypted_backup_with_its_own_key() {
    use backshare::model::RestoreStatus;
    let w = world().await;
    w.restore(ALICE, SECRET_DISK).await.unwrap();
    assert_eq!(w.backup_status(SECRET_DISK).await, "Locked (restoring)");
    w.svc.run_due_work(Utc::now()).await.unwrap();
    let done = w.newest_restore(ALICE).await;
    assert_eq!(done.status, RestoreStatus::Done, "{:?}", done.failure);
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
async fn another_tenants_backup_is_not_found_before_any_rule_speaks_and_restores_are_capped() {
    let w = world().await;
    // Alice's file backup: she is told why not; to Bob it reads as one that does not exist.
    let files = "fb-acmehq-files-001";
    assert!(matches!(
        w.restore(ALICE, files).await,
        Err(UserError::Refused(_))
    ));
    let theirs = w.restore(BOB, files).await.unwrap_err();
    let missing = w.restore(BOB, "fb-none").await.unwrap_err();
    assert!(matches!(theirs, UserError::NotFound(_)), "{theirs}");
    assert_eq!(
        theirs.to_string(),
        missing.to_string().replace("fb-none", files)
    );
    // Four restores may run at once per account; the fifth waits for one to finish.
    for _ in 0..4 {
        w.restore(ALICE, ORDERS).await.unwrap();
    }
    let fifth = w.restore(ALICE, ORDERS).await.unwrap_err();
    assert!(matches!(fifth, UserError::Busy(_)), "{fifth}");
    assert!(fifth.to_string().contains("4 restores running"), "{fifth}");
    assert_eq!(fifth.http_status(), 429);
    // Another account is not held up by Alice's.
    w.share(ALICE, "to-east", &[CLUSTER_2], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    assert!(w.restore(BOB, CLUSTER_2).await.is_ok());
    // Once they finish, Alice may start more.
    w.svc.run_restores(Utc::now()).await.unwrap();
    assert!(w.restore(ALICE, ORDERS).await.is_ok());
}

#[tokio::test]
async fn the_restore_worker_takes_accounts_in_turns() {
    let w = world().await;
    // Alice queues four restores before Bob queues one.
    for _ in 0..4 {
        w.restore(ALICE, ORDERS).await.unwrap();
    }
    w.share(ALICE, "to-east", &[CLUSTER_2], &[BOB_ACCOUNT])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    let bobs = w.restore(BOB, CLUSTER_2).await.unwrap();
    // A worker with room for two takes Alice's oldest and Bob's, not two of Alice's.
    let next = backshare::store::restores::waiting(w.svc.db(), Utc::now().timestamp_millis(), 2)
        .await
        .unwrap();
    assert_eq!(next.len(), 2);
    assert!(
        next.contains(&bobs),
        "Bob waits behind all of Alice's: {next:?}"
    );
}
