//! Copy grants: server and disk backups copied into the recipient's vault, verified, expired and revoked.

use std::collections::BTreeMap;
use std::sync::Arc;

use backshare::model::PrincipalScope;
use backshare::paging::PageAt;
use backshare::service::NewShare;
use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::{Duration, Utc};

use crate::world::{world, World, ALICE, BOB, BOB_ACCOUNT, CAROL, ORDERS, SECRET_DISK};

const WEB: &str = "sb-acmehq-web-001";

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
    let restores = w.svc.restores(&bob, &PageAt::First).await.unwrap().restores;
    let done = &restores[0];
    assert_eq!(done.project_id.as_str(), "proj-acmeeast-standby");
    assert_eq!(done.status, RestoreStatus::Done, "{:?}", done.failure);
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
    let done = w.newest_restore(BOB).await;
    assert_eq!(done.status, RestoreStatus::Done, "{:?}", done.failure);
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
    let reason = received.copy.unwrap().copy.failure;
    assert_eq!(
        reason,
        Some(backshare::model::TransferFailure::SourceChanged)
    );
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
    let server = w.newest_restore(BOB).await.resource_id;

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
    assert!(revoking
        .restore_blocked
        .unwrap()
        .message
        .contains("cancelled"));
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
    assert!(waiting
        .restore_blocked
        .unwrap()
        .message
        .contains("Choose a vault"));
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
async fn copies_waiting_or_under_way_are_capped_per_account_and_a_refused_accept_changes_nothing() {
    let w = crate::world::world_with_settings(backshare::service::Settings {
        copies_per_account: 1,
        ..Default::default()
    })
    .await;
    w.share_copy("web", WEB, false).await;
    w.share_copy("disk", SECRET_DISK, true).await;
    let (web, web_vaults) = w.invitation_with_vaults("web").await;
    let (disk, disk_vaults) = w.invitation_with_vaults("disk").await;
    w.accept_into(&web, &web_vaults).await.unwrap();
    // One copy is under way: the second accept is refused whole, and stays pending.
    let refused = w.accept_into(&disk, &disk_vaults).await.unwrap_err();
    assert!(matches!(refused, UserError::Busy(_)), "{refused}");
    assert_eq!(refused.http_status(), 429);
    assert!(
        refused.to_string().contains("copies waiting or under way"),
        "{refused}"
    );
    let (still, _) = w.invitation_with_vaults("disk").await;
    assert_eq!(still, disk);
    // Once the first copy is done, the second may start.
    w.copy_all().await;
    w.accept_into(&disk, &disk_vaults).await.unwrap();
}
