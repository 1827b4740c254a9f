//! Signing in, roles, the demo's accounts, safe errors, opt-in sharing and what each account's log shows.

use backshare::demo;
use backshare::error::{Denied, Reason};
use backshare::ids::AccountId;
use backshare::paging::PageAt;
use backshare::rules::Refusal;
use backshare::service::{ServiceError, Settings};
use backshare::UserError;
use chrono::{Duration, Utc};

use crate::world::{
    world, world_with_settings, ALICE, BOB, BOB_ACCOUNT, CAROL, DAN_ACCOUNT, ORDERS, VIC,
};

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
            .authenticate("Alice@Acme.example", demo::DEMO_PASSWORD, None, Utc::now())
            .await
            .unwrap()
            .as_str(),
        ALICE
    );
    let wrong = UserError::from(
        w.svc
            .authenticate("alice@acme.example", "nope", None, Utc::now())
            .await
            .unwrap_err(),
    );
    let unknown = UserError::from(
        w.svc
            .authenticate("nobody@acme.example", "nope", None, Utc::now())
            .await
            .unwrap_err(),
    );
    assert_eq!(wrong, UserError::BadCredentials);
    assert_eq!(unknown, UserError::BadCredentials);
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
    assert!(matches!(
        w.share(VIC, "by-vic", &[ORDERS], &[BOB_ACCOUNT]).await,
        Err(UserError::Forbidden(Denied::Viewer(_)))
    ));
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

#[test]
fn service_errors_for_storage_faults_become_one_safe_sentence() {
    let fault = ServiceError::Corrupt("secret detail".into());
    let shown = UserError::from(fault).to_string();
    assert!(!shown.contains("secret"));
    assert_eq!(shown, UserError::Internal.to_string());
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
    let refused = w
        .svc
        .activity(&w.caller(ALICE).await, &PageAt::First)
        .await
        .unwrap()
        .entries
        .remove(3);
    assert_eq!(
        refused.reason,
        Some(Reason::Refused(Refusal::OtherSite(
            AccountId::from_trusted(DAN_ACCOUNT)
        ))),
        "the refusal is kept typed, for the page to say in its reader's language"
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
async fn with_sharing_opt_in_an_account_shares_only_once_an_operator_enabled_it() {
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
        orders.share_blocked.as_ref().and_then(|p| p.reason.clone()),
        Some(Reason::Refused(Refusal::SharingNotEnabled))
    );
    let preview = w.preview(&alice, &[ORDERS], &[BOB_ACCOUNT]).await;
    assert!(preview
        .problems
        .iter()
        .any(|p| p.reason == Some(Reason::Refused(Refusal::SharingNotEnabled))));

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

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_email_and_per_address_until_the_window_ends() {
    let w = world().await;
    let now = Utc::now();
    let sign_in = |email: &str, password: &str, client: &str, at| {
        let svc = w.svc.clone();
        let (email, password, client) = (email.to_owned(), password.to_owned(), client.to_owned());
        async move {
            svc.authenticate(&email, &password, Some(&client), at)
                .await
                .map_err(UserError::from)
        }
    };
    // Five wrong passwords for Alice: the sixth attempt is refused, the right password too.
    for _ in 0..5 {
        let wrong = sign_in("alice@acme.example", "nope", "10.0.0.1", now).await;
        assert_eq!(wrong, Err(UserError::BadCredentials));
    }
    let throttled = sign_in("alice@acme.example", demo::DEMO_PASSWORD, "10.0.0.2", now).await;
    let Err(UserError::Throttled { retry_after }) = throttled else {
        panic!("not throttled: {throttled:?}");
    };
    assert!((890..=901).contains(&retry_after), "{retry_after} s");
    // An unknown email is throttled the same way, so the answer tells nothing.
    for _ in 0..5 {
        let _ = sign_in("nobody@acme.example", "nope", "10.0.0.3", now).await;
    }
    assert!(matches!(
        sign_in("nobody@acme.example", "nope", "10.0.0.3", now).await,
        Err(UserError::Throttled { .. })
    ));
    // Bob, from a fresh address, is not held up by Alice's window.
    assert!(sign_in(
        "bob@acme-east.example",
        demo::DEMO_PASSWORD,
        "10.0.0.4",
        now
    )
    .await
    .is_ok());
    // Once the window has passed, Alice signs in.
    let later = now + chrono::Duration::minutes(16);
    assert!(
        sign_in("alice@acme.example", demo::DEMO_PASSWORD, "10.0.0.2", later)
            .await
            .is_ok()
    );
    // One address trying many emails is throttled too (50 failures by default).
    for i in 0..50 {
        let _ = sign_in(&format!("guess{i}@acme.example"), "nope", "10.9.9.9", later).await;
    }
    assert!(matches!(
        sign_in(
            "bob@acme-east.example",
            demo::DEMO_PASSWORD,
            "10.9.9.9",
            later
        )
        .await,
        Err(UserError::Throttled { .. })
    ));
}

#[tokio::test]
async fn access_keys_act_as_their_user_are_sealed_capped_and_end_when_deactivated() {
    let w = world().await;
    let (alice, vic) = (w.caller(ALICE).await, w.caller(VIC).await);
    let now = Utc::now();
    let first = w.svc.create_access_key(&alice, now).await.unwrap();
    let second = w.svc.create_access_key(&alice, now).await.unwrap();
    let third = w.svc.create_access_key(&alice, now).await.unwrap_err();
    assert!(
        third.to_string().contains("already have 2 access keys"),
        "{third}"
    );
    // A viewer holds keys too; they act as the viewer, who changes nothing.
    let viewer_key = w.svc.create_access_key(&vic, now).await.unwrap();
    let signing = w.svc.signing_key(&viewer_key.id).await.unwrap().unwrap();
    assert_eq!(signing.caller, vic);

    // The secret verifies; the database holds it sealed, not in the clear.
    let signing = w.svc.signing_key(&first.id).await.unwrap().unwrap();
    assert_eq!(
        (signing.secret.expose(), &signing.caller),
        (first.secret.as_str(), &alice)
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_sealed FROM access_keys")
        .fetch_all(w.svc.db())
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|s| !s.contains(&first.secret) && !s.contains(&second.secret)));

    // Only its user may deactivate or delete a key; another user's attempt finds nothing.
    let refused = w
        .svc
        .delete_access_key(&vic, &first.id, now)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ServiceError::User(UserError::NotFound(_))),
        "{refused}"
    );
    w.svc
        .deactivate_access_key(&alice, &first.id, now)
        .await
        .unwrap();
    assert!(w.svc.signing_key(&first.id).await.unwrap().is_none());
    w.svc
        .delete_access_key(&alice, &second.id, now)
        .await
        .unwrap();
    assert!(w.svc.signing_key(&second.id).await.unwrap().is_none());
    let listed = w.svc.access_keys(&alice).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|k| (k.id.as_str(), k.active))
            .collect::<Vec<_>>(),
        [(first.id.as_str(), false)]
    );

    // The first use shows in Activity and as "last used"; uses within the minute write nothing.
    w.svc.key_used(&signing, now).await.unwrap();
    let signing = w.svc.signing_key(&viewer_key.id).await.unwrap().unwrap();
    w.svc.key_used(&signing, now).await.unwrap();
    let again = w.svc.signing_key(&viewer_key.id).await.unwrap().unwrap();
    w.svc
        .key_used(&again, now + Duration::seconds(5))
        .await
        .unwrap();
    let keys = w.svc.access_keys(&vic).await.unwrap();
    assert_eq!(
        keys[0].last_used_at.map(|t| t.timestamp()),
        Some(now.timestamp())
    );
    let log = w
        .svc
        .activity(&alice, &PageAt::First)
        .await
        .unwrap()
        .entries;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "Create access key",
        "Deactivate access key",
        "Delete access key",
        "Use access key",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|a| **a == "Use access key").count(),
        2
    );
}
