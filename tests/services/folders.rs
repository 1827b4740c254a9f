//! Folder and directory principals: invitations that follow folder membership, directory scope and auto-accept.

use backshare::conflict::Conflict;
use backshare::ids::AccountId;
use backshare::model::PrincipalScope;
use backshare::paging::PageAt;
use backshare::service::NewShare;
use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::Utc;

use crate::world::{
    extra_accounts, world, World, ALICE, BOB, BOB_ACCOUNT, CAROL, CAROL_ACCOUNT, CLUSTER_2, ORDERS,
};

const FOLDER_EAST: &str = "fd-acme-east";

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
    w.assert_reach_kept().await;

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
    w.assert_reach_kept().await;
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
async fn cancel_sharing_names_the_folder_that_still_covers_a_recipient() {
    let w = world().await;
    let share = w
        .share(ALICE, "east", &[ORDERS], &[FOLDER_EAST, BOB_ACCOUNT])
        .await
        .unwrap();
    let refused = w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap_err();
    assert!(
        matches!(&refused, UserError::Conflict(Conflict::CoveredByFolder { folder, .. }) if folder.as_str() == FOLDER_EAST),
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
        .as_ref()
        .unwrap()
        .message
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
