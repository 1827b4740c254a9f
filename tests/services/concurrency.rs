//! Racing requests and locks: exactly one answer, limits that hold, and PostgreSQL's per-account locks.

use std::sync::Arc;

use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::Utc;

use crate::world::{extra_accounts, world, world_with, ALICE, BOB, BOB_ACCOUNT, ORDERS};

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

/// A write transaction that ends without committing (a refusal returns early, a client
/// hangs up mid-request, a writer is cancelled right after asking to begin) leaves nothing
/// behind and does not hold the database: the next writer goes through, and a reader sees
/// none of the abandoned rows. On SQLite this exercises the writer's own connection.
#[tokio::test]
async fn an_abandoned_write_transaction_rolls_back_and_frees_the_writer() {
    use backshare::db::Writer;
    let w = world().await;
    let writer = Writer::new(w.svc.db().clone());
    let count = |db: backshare::db::Db| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM changes WHERE account_id = 'abandoned'")
            .fetch_one(&db)
            .await
            .unwrap()
    };
    let insert = "INSERT INTO changes (account_id, at) VALUES ('abandoned', 0)";
    let elsewhere = || writes_at_once(w.svc.db());

    // Dropped after a write, without a commit.
    let mut tx = writer.begin().await.unwrap();
    sqlx::query(insert).execute(&mut *tx).await.unwrap();
    drop(tx);
    elsewhere().await;

    // SQLite: cancelled while its BEGIN waits for another connection's transaction, which
    // then ends, so the BEGIN goes through after nobody waits for it any more.
    if backshare::db::Backend::of(w.svc.db()) == backshare::db::Backend::Sqlite {
        let mut blocker = w.svc.db().acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *blocker)
            .await
            .unwrap();
        let wait = std::time::Duration::from_millis(200);
        let cancelled = tokio::time::timeout(wait, writer.begin()).await;
        assert!(
            cancelled.is_err(),
            "the begin waited for the other transaction"
        );
        sqlx::query("ROLLBACK")
            .execute(&mut *blocker)
            .await
            .unwrap();
        drop(blocker);
        elsewhere().await;
    }

    // The next writer is not kept waiting, and commits on its own.
    let mut tx = tokio::time::timeout(std::time::Duration::from_secs(30), writer.begin())
        .await
        .expect("the writer is free again")
        .unwrap();
    sqlx::query(insert).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        count(w.svc.db().clone()).await,
        1,
        "only the committed row is kept"
    );

    // And a share through the service still goes through after all of that.
    w.share(ALICE, "after abandoned", &[ORDERS], &[BOB_ACCOUNT])
        .await
        .expect("the share is created");
}

/// Another connection writes at once, well within the busy timeout (10 s) it would wait
/// out if a transaction that nobody runs any more still held the database.
async fn writes_at_once(db: &backshare::db::Db) {
    let write =
        sqlx::query("INSERT INTO changes (account_id, at) VALUES ('elsewhere', 0)").execute(db);
    tokio::time::timeout(std::time::Duration::from_secs(5), write)
        .await
        .expect("the database is not held by a transaction nobody runs")
        .unwrap();
}

/// SQLite: a commit that finds another writer waiting sends that writer's `BEGIN` with its
/// `COMMIT`. The waiting writer takes the transaction begun for it and commits in it; a
/// writer that stops waiting first leaves nothing holding the database.
#[tokio::test]
async fn a_transaction_begun_for_the_next_writer_is_taken_by_it_or_ended() {
    use backshare::db::{Backend, Writer};
    let w = world().await;
    if Backend::of(w.svc.db()) != Backend::Sqlite {
        return; // PostgreSQL's writers do not wait for one another
    }
    let writer = Writer::new(w.svc.db().clone());
    let db = w.svc.db().clone();
    let free = || writes_at_once(&db);

    // Taken: B waits while A commits, then writes in the transaction A's commit began.
    let a = writer.begin().await.unwrap();
    let mut b = Box::pin(writer.begin());
    assert!(futures::poll!(&mut b).is_pending(), "B waits for A");
    a.commit().await.unwrap();
    let mut b = b.await.unwrap();
    sqlx::query("INSERT INTO changes (account_id, at) VALUES ('next', 0)")
        .execute(&mut *b)
        .await
        .unwrap();
    b.commit().await.unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE account_id = 'next'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(kept, 1, "the next writer's write is committed");
    free().await;

    // Ended: C stops waiting after A's commit began a transaction for it.
    let a = writer.begin().await.unwrap();
    let mut c = Box::pin(writer.begin());
    assert!(futures::poll!(&mut c).is_pending(), "C waits for A");
    a.commit().await.unwrap();
    drop(c);
    free().await;
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), writer.begin())
        .await
        .expect("the writer is free again")
        .unwrap();
    next.commit().await.unwrap();
}

/// SQLite: a write through another connection (the session store's) waits for the
/// writer's transaction to end instead of polling for the database's lock, and then runs
/// with nothing held, even when that commit found a writer in line behind it.
#[tokio::test]
async fn a_write_beside_the_writer_runs_between_its_transactions() {
    use backshare::db::{Backend, Writer};
    let w = world().await;
    if Backend::of(w.svc.db()) != Backend::Sqlite {
        return;
    }
    let writer = Writer::new(w.svc.db().clone());
    let db = w.svc.db().clone();
    let started = std::sync::atomic::AtomicBool::new(false);
    let a = writer.begin().await.unwrap();
    let mut beside = Box::pin(writer.beside(async {
        started.store(true, std::sync::atomic::Ordering::SeqCst);
        writes_at_once(&db).await
    }));
    assert!(futures::poll!(&mut beside).is_pending());
    assert!(
        !started.load(std::sync::atomic::Ordering::SeqCst),
        "the write beside waits while a transaction holds the writer"
    );
    let mut next = Box::pin(writer.begin());
    assert!(futures::poll!(&mut next).is_pending(), "a writer in line");
    a.commit().await.unwrap();
    beside.await;
    let next = next.await.unwrap();
    next.commit().await.unwrap();
}

/// A request's write runs to its end when the request is dropped half-way (the browser
/// closed, the client timed out): the share is created once, never half.
#[tokio::test]
async fn a_requests_write_finishes_even_when_the_request_is_dropped() {
    use backshare::service::NewShare;
    let w = world().await;
    let caller = w.caller(ALICE).await;
    let request = NewShare {
        name: "kept".into(),
        scope: backshare::model::PrincipalScope::AllAccounts,
        backup_ids: vec![ORDERS.into()],
        principals: vec![BOB_ACCOUNT.into()],
        grant_key: false,
    };
    // Alice's account held by another transaction (on SQLite, the whole database), so the
    // request is surely under way when it is dropped.
    let holder = backshare::db::Writer::new(w.svc.db().clone());
    let mut held = holder.begin().await.unwrap();
    held.lock(&[backshare::db::Lock::account(caller.account_id.as_str())])
        .await
        .unwrap();
    let writing = w.svc.clone().writing(move |svc| async move {
        svc.create_share(&caller, request, chrono::Utc::now()).await
    });
    let wait = std::time::Duration::from_millis(200);
    let dropped = tokio::time::timeout(wait, writing).await;
    assert!(dropped.is_err(), "the write waited for the held account");
    held.commit().await.unwrap();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (shares, invitations): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM resource_shares WHERE name = 'kept'),
                    (SELECT COUNT(*) FROM invitations i JOIN resource_shares s
                     ON s.id = i.share_id WHERE s.name = 'kept')",
        )
        .fetch_one(w.svc.db())
        .await
        .unwrap();
        if shares == 1 {
            assert_eq!(invitations, 1, "the share is written whole");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the dropped request's share was never created"
        );
        tokio::task::yield_now().await;
    }
}
