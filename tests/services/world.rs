//! The shared test world: a fresh database with the demo per test, its users and the helpers the subjects call.

use std::collections::BTreeMap;

use backshare::demo;
use backshare::ids::UserId;
use backshare::model::PrincipalScope;
use backshare::paging::PageAt;
use backshare::service::{Backshare, Caller, NewShare, Settings, ShareRequest, ShareUpdate};
use backshare::views::SharePreview;
use backshare::views::ShareStatus;
use backshare::UserError;
use chrono::Utc;

pub const ALICE: &str = "user-alice";
pub const VIC: &str = "user-vic";
pub const BOB: &str = "user-bob";
pub const CAROL: &str = "user-carol";
pub const BOB_ACCOUNT: &str = "1840000000000002";
pub const DAN_ACCOUNT: &str = "1860000000000004";
pub const CAROL_ACCOUNT: &str = "1840000000000003";
pub const ORDERS: &str = "cb-acmehq-orders-001";
pub const CLUSTER_2: &str = "cb-acmehq-orders-003";
pub const SECRET_DISK: &str = "db-acmehq-data-001";

pub struct World {
    pub svc: Backshare,
    pub _dir: tempfile::TempDir,
}

pub async fn world() -> World {
    world_with(backshare::rules::Limits::default()).await
}

pub async fn world_with(limits: backshare::rules::Limits) -> World {
    world_with_settings(Settings {
        limits,
        ..Settings::default()
    })
    .await
}

pub async fn world_with_settings(settings: Settings) -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let db = backshare::db::connect(&url).await.unwrap();
    let objects = backshare::objects::scratch(dir.path()).await.store;
    let svc = Backshare::with_objects(db, dir.path(), objects, settings).unwrap();
    assert!(demo::seed_if_empty(&svc, Utc::now()).await.unwrap());
    World { svc, _dir: dir }
}

/// Adds `n` international accounts with a project in ap-southeast-1, returning their ids.
pub async fn extra_accounts(w: &World, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("{:016}", 1_900_000_000_000_000_u64 + i as u64);
        sqlx::query("INSERT INTO accounts (id, name, site) VALUES ($1, $2, 'international')")
            .bind(&id)
            .bind(format!("Extra {i}"))
            .execute(w.svc.db())
            .await
            .unwrap();
        sqlx::query("INSERT INTO projects (id, account_id, name, region) VALUES ($1, $2, 'p', 'ap-southeast-1')")
            .bind(format!("proj-extra-{i}"))
            .bind(&id)
            .execute(w.svc.db())
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

impl World {
    pub async fn caller(&self, user: &str) -> Caller {
        self.svc
            .caller(&UserId::from_trusted(user))
            .await
            .unwrap()
            .expect("demo user exists")
    }

    pub async fn share(
        &self,
        user: &str,
        name: &str,
        backups: &[&str],
        principals: &[&str],
    ) -> Result<String, UserError> {
        let caller = self.caller(user).await;
        let request = NewShare {
            name: name.into(),
            scope: PrincipalScope::AllAccounts,
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        };
        self.svc
            .create_share(&caller, request, Utc::now())
            .await
            .map(|id| id.to_string())
            .map_err(UserError::from)
    }

    pub async fn preview(
        &self,
        caller: &Caller,
        backups: &[&str],
        principals: &[&str],
    ) -> SharePreview {
        let request = ShareRequest::New(NewShare {
            name: String::new(),
            scope: PrincipalScope::AllAccounts,
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        });
        self.svc
            .preview_share(caller, &request, Utc::now())
            .await
            .unwrap()
    }

    pub async fn pending_invitation(&self, user: &str) -> String {
        let caller = self.caller(user).await;
        let page = self
            .svc
            .shared_with_me(&caller, &Default::default(), Utc::now())
            .await
            .unwrap();
        page.pending
            .first()
            .expect("an invitation is pending")
            .id
            .to_string()
    }

    pub async fn statuses(&self, user: &str) -> Vec<ShareStatus> {
        let caller = self.caller(user).await;
        self.svc
            .my_shares(&caller, &PageAt::First, Utc::now())
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|row| row.status)
            .collect()
    }

    pub async fn accept(&self, user: &str, invitation: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .accept_invitation(&caller, invitation, &BTreeMap::new(), Utc::now())
            .await
            .map_err(UserError::from)
    }

    pub async fn reject(&self, user: &str, invitation: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .reject_invitation(&caller, invitation, Utc::now())
            .await
            .map_err(UserError::from)
    }

    pub async fn cancel(&self, user: &str, share: &str, recipient: &str) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        self.svc
            .cancel_sharing(&caller, share, recipient, Utc::now())
            .await
            .map_err(UserError::from)
    }

    pub async fn update(
        &self,
        user: &str,
        share: &str,
        backups: &[&str],
        principals: &[&str],
    ) -> Result<(), UserError> {
        let caller = self.caller(user).await;
        let request = ShareUpdate {
            share_id: share.into(),
            backup_ids: backups.iter().map(|s| s.to_string()).collect(),
            principals: principals.iter().map(|s| s.to_string()).collect(),
            grant_key: false,
        };
        self.svc
            .update_share(&caller, request, Utc::now())
            .await
            .map_err(UserError::from)
    }

    /// The newest restore `user`'s account started.
    pub async fn newest_restore(&self, user: &str) -> backshare::views::RestoreView {
        let caller = self.caller(user).await;
        let page = self.svc.restores(&caller, &PageAt::First).await.unwrap();
        page.restores
            .into_iter()
            .next()
            .expect("a restore was started")
    }

    /// Rule 9's reach kept per backup equals the reach counted afresh from the shares.
    pub async fn assert_reach_kept(&self) {
        let kept = backshare::store::reach::kept(self.svc.db()).await.unwrap();
        let counted = backshare::store::reach::recounted(self.svc.db())
            .await
            .unwrap();
        assert_eq!(kept, counted, "the kept reach drifted from the shares");
    }

    /// (backup id, status) of what `user`'s account holds on "Shared With Me".
    pub async fn received(&self, user: &str) -> Vec<(String, ShareStatus)> {
        let caller = self.caller(user).await;
        let page = self
            .svc
            .shared_with_me(&caller, &Default::default(), Utc::now())
            .await
            .unwrap();
        page.received
            .into_iter()
            .map(|r| (r.backup_id.to_string(), r.status))
            .collect()
    }

    pub async fn pending_count(&self, account: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations WHERE recipient_account_id = $1 AND status = 'pending'",
        )
        .bind(account)
        .fetch_one(self.svc.db())
        .await
        .unwrap()
    }

    pub async fn restore(&self, user: &str, backup: &str) -> Result<String, UserError> {
        let caller = self.caller(user).await;
        self.svc
            .restore_backup(&caller, backup, None, Utc::now())
            .await
            .map(|id| id.to_string())
            .map_err(UserError::from)
    }

    pub async fn backup_status(&self, backup: &str) -> String {
        let alice = self.caller(ALICE).await;
        let list = self
            .svc
            .list_backups(&alice, &PageAt::First, Utc::now())
            .await
            .unwrap()
            .backups;
        list.into_iter()
            .find(|b| b.id.as_str() == backup)
            .map(|b| b.status)
            .expect("listed")
    }

    /// What Bob received of `backup`.
    pub async fn received_by_bob(&self, backup: &str) -> Option<backshare::views::ReceivedBackup> {
        let bob = self.caller(BOB).await;
        let page = self
            .svc
            .shared_with_me(&bob, &Default::default(), Utc::now())
            .await
            .unwrap();
        page.received
            .into_iter()
            .find(|r| r.backup_id.as_str() == backup)
    }
}
