//! Creating and changing shares: the rules, bad input, the limits, the dialog's preview and a backup's share list.

use backshare::error::{BadInput, Denied};
use backshare::ids::AccountId;
use backshare::paging::PageAt;
use backshare::views::{ShareListPage, ShareStatus};
use backshare::UserError;
use chrono::Utc;

use crate::world::{
    extra_accounts, world, world_with, World, ALICE, BOB, BOB_ACCOUNT, CAROL, CAROL_ACCOUNT,
    CLUSTER_2, DAN_ACCOUNT, ORDERS, VIC,
};

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
    assert!(matches!(
        w.share(ALICE, "  ", &[ORDERS], &[BOB_ACCOUNT]).await,
        Err(UserError::Invalid(BadInput::NoShareName))
    ));
    assert!(matches!(
        w.share(ALICE, "x", &[ORDERS], &[]).await,
        Err(UserError::Invalid(BadInput::NoPrincipals))
    ));
    assert!(matches!(
        w.share(ALICE, "x", &[ORDERS], &["12345"]).await,
        Err(UserError::Invalid(BadInput::NotAccountId(_)))
    ));
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
    assert!(matches!(
        w.share(ALICE, "x", &[ORDERS], &[BOB_ACCOUNT]).await,
        Err(UserError::Invalid(BadInput::ShareNameTaken(_)))
    ));
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
    let all: Vec<&str> = messy.problems.iter().map(|p| p.message.as_str()).collect();
    let all = all.join("\n");
    assert!(all.contains("cross-region"), "{all}");
    assert!(all.contains("another site"), "{all}");
    assert!(all.contains("is not an account ID"), "{all}");
    assert!(
        w.statuses(ALICE).await.is_empty(),
        "a preview writes nothing"
    );

    let vic = w.caller(VIC).await;
    let by_viewer = w.preview(&vic, &[ORDERS], &[BOB_ACCOUNT]).await;
    assert!(by_viewer.problems[0].message.contains("viewer"));
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
    let ShareListPage { backup, rows, .. } = w
        .svc
        .share_list(&alice, ORDERS, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert_eq!(backup.id.as_str(), ORDERS);
    assert_eq!(rows.len(), 1, "only this backup's recipients");
    assert_eq!(rows[0].recipient.as_str(), BOB_ACCOUNT);
    assert_eq!(rows[0].status, ShareStatus::Pending);

    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    let bob = w.caller(BOB).await;
    let as_recipient = w
        .svc
        .share_list(&bob, ORDERS, &PageAt::First, Utc::now())
        .await
        .map_err(UserError::from);
    assert!(matches!(as_recipient, Err(UserError::Forbidden(_))));
    let as_stranger = w
        .svc
        .share_list(&w.caller(CAROL).await, ORDERS, &PageAt::First, Utc::now())
        .await
        .map_err(UserError::from);
    assert!(matches!(as_stranger, Err(UserError::NotFound(_))));
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
        Err(UserError::Forbidden(Denied::Viewer(_)))
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

/// Rule 9 counts a backup's recipients from the reach kept per backup: a share being
/// changed counts its own reach once (as the request has it), and what it gave up or
/// kept is what the next share is counted against.
#[tokio::test]
async fn changing_a_share_counts_its_own_reach_once_and_the_next_share_against_it() {
    use backshare::rules::Refusal;
    let w = world().await;
    let web = "sb-acmehq-web-001";
    let projects = extra_projects(&w, BOB_ACCOUNT, 11).await;
    let ids = |range: std::ops::Range<usize>| {
        projects[range]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    };
    let share = w.share(ALICE, "ten projects", &[web], &ids(0..10)).await;
    let share = share.expect("ten projects are within the limit");
    // The same share with the eleventh project in place of the first still reaches ten.
    w.update(ALICE, &share, &[], &ids(1..11))
        .await
        .expect("a share's own reach is not counted twice");
    // The first project is free again, but a second share reaching it makes eleven.
    let again = w.share(ALICE, "one more", &[web], &ids(0..1)).await;
    assert!(
        matches!(
            again,
            Err(UserError::Refused(Refusal::TooManyProjects {
                would_be: 11,
                limit: 10,
                ..
            }))
        ),
        "{again:?}"
    );
    // Cancelling Bob on the first share frees all ten.
    w.cancel(ALICE, &share, BOB_ACCOUNT).await.unwrap();
    w.share(ALICE, "one more", &[web], &ids(0..1))
        .await
        .expect("the cancelled share reaches nobody");
    w.assert_reach_kept().await;
}

#[tokio::test]
async fn requests_over_the_caps_and_names_with_hidden_characters_are_refused_whole() {
    let w = world().await;
    let many: Vec<String> = (0..101).map(|i| format!("18400000000{i:05}")).collect();
    let principals: Vec<&str> = many.iter().map(String::as_str).collect();
    let refused = w
        .share(ALICE, "many", &[ORDERS], &principals)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("101 principals"), "{refused}");
    let backups: Vec<String> = (0..101).map(|i| format!("cb-{i}")).collect();
    let backups: Vec<&str> = backups.iter().map(String::as_str).collect();
    let refused = w
        .share(ALICE, "many", &backups, &[BOB_ACCOUNT])
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("101 backups"), "{refused}");
    let refused = w
        .share(ALICE, "orders\u{202E}east", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("U+202E"), "{refused}");
    let long = "x".repeat(200);
    let refused = w
        .share(ALICE, "long id", &[long.as_str()], &[BOB_ACCOUNT])
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("at most 128"), "{refused}");
    // Nothing was made.
    let alice = w.caller(ALICE).await;
    let page = w
        .svc
        .my_shares(&alice, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert!(page.rows.is_empty());
}

#[tokio::test]
async fn a_deleted_share_cancels_every_recipient_and_leaves_the_dialog_and_the_lists() {
    use backshare::service::listings::{ShareFilter, Side};
    let w = world().await;
    let extra = extra_accounts(&w, 1).await.remove(0);
    let share = w
        .share(ALICE, "ops", &[ORDERS], &[BOB_ACCOUNT, extra.as_str()])
        .await
        .unwrap();
    let invitation = w.pending_invitation(BOB).await;
    w.accept(BOB, &invitation).await.unwrap();
    let delete = |user: &'static str| {
        let (w, share) = (&w, share.clone());
        async move {
            let caller = w.caller(user).await;
            w.svc
                .delete_share(&caller, &share, Utc::now())
                .await
                .map_err(UserError::from)
        }
    };

    // Only the owner's admins delete: the recipient and the viewer are told so, anyone
    // else finds nothing.
    assert!(matches!(delete(BOB).await, Err(UserError::Forbidden(_))));
    assert!(matches!(
        delete(VIC).await,
        Err(UserError::Forbidden(Denied::Viewer(_)))
    ));
    assert!(matches!(delete(CAROL).await, Err(UserError::NotFound(_))));
    // Rule 6: while a backup is being restored, its sharing cannot end.
    let lock = |reason: Option<&'static str>| {
        sqlx::query("UPDATE backups SET lock_reason = $1 WHERE id = $2")
            .bind(reason)
            .bind(ORDERS)
            .execute(w.svc.db())
    };
    lock(Some("restoring")).await.unwrap();
    let refused = delete(ALICE).await.unwrap_err();
    assert!(refused.to_string().contains("retry later"), "{refused}");
    assert_eq!(w.pending_count(&extra).await, 1, "nothing changed");
    lock(None).await.unwrap();

    delete(ALICE).await.unwrap();
    assert_eq!(
        w.pending_count(&extra).await,
        0,
        "the pending invitation is cancelled"
    );
    let held = w.received(BOB).await;
    assert!(!held.is_empty() && held.iter().all(|(_, s)| *s == ShareStatus::Revoking));

    // Gone from the dialog's choices and the API's list; not found for any change.
    let alice = w.caller(ALICE).await;
    let choices = w.svc.share_choices(&alice, "ops", None).await.unwrap();
    assert!(choices.shares.is_empty());
    let listed = w
        .svc
        .listed_shares(
            &alice,
            Side::Owned,
            &ShareFilter::default(),
            &PageAt::First,
            50,
        )
        .await
        .unwrap();
    assert!(listed.items.iter().all(|s| s.id.to_string() != share));
    assert!(matches!(
        w.update(ALICE, &share, &[], &[BOB_ACCOUNT]).await,
        Err(UserError::NotFound(_))
    ));
    assert!(matches!(delete(ALICE).await, Err(UserError::NotFound(_))));
}
