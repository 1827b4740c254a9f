//! Keyset pages: My Shares, the dialog's existing shares, Shared With Me, Activity and Backups.

use backshare::model::PrincipalScope;
use backshare::paging::{PageAt, Total};
use backshare::service::NewShare;
use backshare::UserError;
use chrono::{Duration, Utc};

use crate::world::{world, ALICE, BOB, BOB_ACCOUNT, ORDERS};

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
    let summary = w
        .svc
        .share_list(&alice, "cb-old-1", &PageAt::First, Utc::now())
        .await
        .unwrap()
        .backup;
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

#[tokio::test]
async fn a_backups_share_list_comes_in_pages_of_the_shares_holding_it() {
    let w = world().await;
    for i in 1..=55 {
        w.share(ALICE, &format!("orders-{i:02}"), &[ORDERS], &[BOB_ACCOUNT])
            .await
            .unwrap();
    }
    let alice = w.caller(ALICE).await;
    let first = w
        .svc
        .share_list(&alice, ORDERS, &PageAt::First, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        first.rows.len(),
        50,
        "one row a share: Bob is each one's recipient"
    );
    assert_eq!(first.rows[0].share_name, "orders-55", "newest first");
    assert!(first.links.newer.is_none());
    let older = PageAt::parse(first.links.older.as_deref()).unwrap();
    let second = w
        .svc
        .share_list(&alice, ORDERS, &older, Utc::now())
        .await
        .unwrap();
    assert_eq!(second.rows.len(), 5);
    assert_eq!(second.rows.last().unwrap().share_name, "orders-01");
    assert!(second.links.older.is_none());
    let mut shares: Vec<_> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| &r.share_id)
        .collect();
    shares.sort();
    shares.dedup();
    assert_eq!(shares.len(), 55, "every share once");
}

#[tokio::test]
async fn a_vaults_contents_come_in_pages_and_add_up_to_its_usage() {
    let w = world().await;
    let alice = w.caller(ALICE).await;
    let vault: String = sqlx::query_scalar(
        "SELECT vault_id FROM backups WHERE account_id = $1 AND vault_id IS NOT NULL
         ORDER BY vault_id LIMIT 1",
    )
    .bind(alice.account_id.as_str())
    .fetch_one(w.svc.db())
    .await
    .unwrap();
    // 60 more backups kept in that vault, older than the demo's.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
         INSERT INTO backups (id, account_id, resource_id, vault_id, region, kind, name, size_bytes, sha256,
                              encrypted, level, lock_reason, created_at, expires_at, stored_sha256, wrapped_key)
         SELECT 'old-' || i, account_id, resource_id, vault_id, region, kind, 'old ' || i, 1000, sha256,
                encrypted, level, lock_reason, 1000 + i, NULL, stored_sha256, wrapped_key
         FROM backups, n
         WHERE id = (SELECT MIN(id) FROM backups WHERE vault_id = $1)",
    )
    .bind(&vault)
    .execute(w.svc.db())
    .await
    .unwrap();
    let mut items = Vec::new();
    let mut at = PageAt::First;
    let mut pages = 0;
    loop {
        let page = w
            .svc
            .vault_contents(&alice, &vault, &at, Utc::now())
            .await
            .unwrap();
        assert!(page.items.len() <= 50);
        pages += 1;
        items.extend(page.items);
        match page.links.older {
            Some(older) => at = PageAt::parse(Some(&older)).unwrap(),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(
        items.last().unwrap().backup_id.as_str(),
        "old-1",
        "oldest last"
    );
    let mut ids: Vec<_> = items.iter().map(|i| i.backup_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), items.len(), "no item twice");
    let used = w
        .svc
        .vaults(&alice, Utc::now())
        .await
        .unwrap()
        .vaults
        .into_iter()
        .find(|v| v.id == vault)
        .unwrap()
        .used_bytes;
    assert_eq!(used, items.iter().map(|i| i.size_bytes).sum::<i64>());
    // Another account's vault is not found.
    let bob = w.caller(BOB).await;
    let theirs = w
        .svc
        .vault_contents(&bob, &vault, &PageAt::First, Utc::now())
        .await
        .map_err(UserError::from);
    assert!(matches!(theirs, Err(UserError::NotFound(_))));
}
