//! The services every server function calls: each command checks who is calling, applies
//! the pure rules and transitions, and persists the outcome in one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::activity::{self, Line, DONE};
use crate::conflict::Conflict;
use crate::crypto::SecretKey;
use crate::db::Db;
use crate::error::{AtCap, BadInput, Denied, Missing, Problem, UserError};
use crate::grant::{Grant, GrantStatus};
use crate::ids::{AccountId, BackupId, InvitationId, PrincipalRef, ShareId, UserId};
use crate::invitation::InvitationStatus;
use crate::model::{
    outcome, ActivityAction, ActivityNote, BackupKind, GoneWhy, LockReason, Role, Site,
};
use crate::objects::ObjectStore;
use crate::paging::{PageAt, PageLinks};
use crate::rules::{self, AccountUsage, BackupFacts, Limits, RecipientFacts, Refusal};
use crate::store;
use crate::views::{
    ActivityPage, AnsweredInvitation, BackupSummary, BackupsPage, Credentials, InvitationView, Me,
    MyShareRow, ProjectView, ReceivedBackup, SharePreview, ShareQuota, ShareStatus, SharedWithMe,
};

/// Deployment settings the services obey.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long an invitation waits for an answer before it expires (7 days by default).
    pub invitation_ttl: Duration,
    /// How long a cancelled reference grant stays revoking (10 minutes by default).
    pub revocation_delay: Duration,
    /// Rule 9's limits; the per-account one can be raised with `raise_cluster_share_limit`.
    pub limits: Limits,
    /// How long a worker holds a copy or a restore without renewing before another
    /// (on this instance or another) may take it over: a worker that died lets it lapse.
    pub job_lease: Duration,
    /// Bytes per second per copy into a vault (0: as fast as the disk goes).
    pub copy_rate_limit: u64,
    /// The master key as 64 hex digits; `None` keeps it in `master.key` in the data folder.
    pub master_key: Option<crate::crypto::Secret>,
    /// Sharing is opt-in: only accounts an operator enabled may share (off by default).
    pub sharing_opt_in: bool,
    /// How failed sign-ins are throttled.
    pub sign_in: SignInThrottle,
    /// Password checks (Argon2, about 19 MiB each) running at once on an instance.
    pub password_checks: usize,
    /// Restores one account may have running at once (the owner's backup stays locked
    /// while a restore of it runs, so this also bounds how long a recipient can hold it).
    pub restores_per_account: u32,
    /// Copies one account may have waiting or under way at once. Workers take copies in
    /// turns across accounts, so this bounds the queue, not a fair share of the workers.
    pub copies_per_account: u32,
}

/// Failed sign-ins allowed per email and per client address within a window; past them
/// sign-in answers 429 until the window, which starts with the first failure, ends.
#[derive(Debug, Clone, Copy)]
pub struct SignInThrottle {
    pub per_email: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            per_email: 5,
            per_address: 50,
            window: Duration::minutes(15),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            invitation_ttl: Duration::days(7),
            revocation_delay: Duration::minutes(10),
            limits: Limits::default(),
            job_lease: Duration::seconds(30),
            copy_rate_limit: 0,
            master_key: None,
            sharing_opt_in: false,
            sign_in: SignInThrottle::default(),
            password_checks: 4,
            restores_per_account: 4,
            copies_per_account: 100,
        }
    }
}

/// A failure inside a service: either something to tell the user, or a fault to log.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    User(#[from] UserError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("object storage: {0}")]
    Storage(#[from] object_store::Error),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("keys: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<Conflict> for ServiceError {
    fn from(conflict: Conflict) -> Self {
        Self::User(UserError::Conflict(conflict))
    }
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        Self::User(UserError::Refused(refusal))
    }
}

impl From<ServiceError> for UserError {
    /// Faults are logged here with their detail; the user gets one short, safe sentence.
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::User(user) => user,
            fault => {
                tracing::error!(error = %fault, "internal error");
                UserError::Internal
            }
        }
    }
}

/// Shorthand for service results.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// How many times a command's transaction runs before a deadlock or serialization failure
/// reaches the caller (as an internal error).
const ATTEMPTS: u32 = 5;

/// Runs a command's transaction again when the database gave up on it for a reason that
/// says nothing about the request (a deadlock PostgreSQL broke, a busy SQLite file), so the
/// user never sees it. `attempt` must start and commit its own transaction.
async fn retrying<T, F, Fut>(mut attempt: F) -> ServiceResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ServiceResult<T>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(ServiceError::Database(error))
                if tries < ATTEMPTS && crate::db::is_retryable(&error) =>
            {
                tracing::info!(%error, tries, "transaction run again");
                // A little jitter, so that the two sides of a deadlock do not meet again.
                let pause = 2_u64.pow(tries) + jitter_ms();
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                tries += 1;
            }
            other => return other,
        }
    }
}

/// 0 to 7 milliseconds, from the clock's low bits (no random crate needed for this).
fn jitter_ms() -> u64 {
    u64::from(Utc::now().timestamp_subsec_nanos() % 8)
}

/// The signed-in user, loaded from the session's user id on every request.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
    pub account_id: AccountId,
    pub account_name: String,
    pub site: Site,
}

impl Caller {
    /// Viewers may see their account's pages but change nothing.
    fn require_change(&self) -> ServiceResult<()> {
        if self.role.may_change() {
            Ok(())
        } else {
            Err(UserError::Forbidden(Denied::Viewer(self.email.clone())).into())
        }
    }
}

/// Everything the server functions and the job worker need, cheap to clone.
#[derive(Debug, Clone)]
pub struct Backshare {
    pub(crate) db: Db,
    /// Starts write transactions (one writer at a time on SQLite, object locks on PostgreSQL).
    writer: crate::db::Writer,
    pub(crate) objects: ObjectStore,
    /// Wraps every account's key (see `crypto`).
    master_key: SecretKey,
    /// Runs password checks a few at a time, so a flood cannot exhaust memory.
    password_checks: crate::password::Checker,
    settings: Settings,
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A new row's id. Version 7: ids grow with time (monotonic within the process), so rows
/// made in the same millisecond still list newest first where a page orders by (time,
/// id); their 74 random bits keep them unguessable.
fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::now_v7().simple())
}

/// One keyset page of rows sorted newest first by (time, id), which `cursor` reads off a
/// row: `read` runs the page's query at a position ([`PageAt::sql`], [`PageAt::cursor`])
/// for one row more than `size`. A page left empty (its rows went meanwhile) is read again
/// as the first page, so a table never strands its reader on an empty page.
pub(crate) async fn keyset_page<R, F, Fut>(
    at: &PageAt,
    size: usize,
    cursor: impl Fn(&R) -> crate::paging::Cursor,
    read: F,
) -> ServiceResult<(Vec<R>, PageLinks)>
where
    F: Fn(PageAt) -> Fut,
    Fut: std::future::Future<Output = ServiceResult<Vec<R>>>,
{
    let mut at = at.clone();
    let (rows, more) = loop {
        let (rows, more) = at.settle(read(at.clone()).await?, size);
        if rows.is_empty() && at != PageAt::First {
            at = PageAt::First;
            continue;
        }
        break (rows, more);
    };
    let links = PageLinks::of(
        &at,
        rows.first().map(&cursor),
        rows.last().map(&cursor),
        more,
    );
    Ok((rows, links))
}

/// Backups per page of "Backups".
pub const BACKUPS_PAGE: usize = 50;

impl Backshare {
    /// Services over an opened database, with bytes in the data folder's object store.
    pub fn new(db: Db, data_dir: &Path, settings: Settings) -> ServiceResult<Self> {
        let objects = ObjectStore::local(data_dir)?;
        Self::with_objects(db, data_dir, objects, settings)
    }

    /// Services with bytes in the given store (an S3 bucket, say); the data folder still
    /// keeps the master key unless the settings carry it.
    pub fn with_objects(
        db: Db,
        data_dir: &Path,
        objects: ObjectStore,
        settings: Settings,
    ) -> ServiceResult<Self> {
        crate::crypto::create_private_dir(data_dir)?;
        let from_settings = settings.master_key.as_ref().map(|key| key.expose());
        let master_key = SecretKey::load_or_create_master(data_dir, from_settings)?;
        let swept = objects.sweep_abandoned_uploads()?;
        if swept > 0 {
            tracing::info!(swept, "removed uploads a previous run left unfinished");
        }
        Ok(Self {
            password_checks: crate::password::Checker::new(settings.password_checks),
            writer: crate::db::Writer::new(db.clone()),
            db,
            objects,
            master_key,
            settings,
        })
    }

    /// Runs `work` on this service, a request whose work is a write (a share, an answer),
    /// where the database's writes run best: see [`crate::db::Writer::run`].
    pub async fn writing<T, Work>(self, work: impl FnOnce(Backshare) -> Work) -> T
    where
        Work: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let writer = self.writer.clone();
        writer.run(work(self)).await
    }

    /// The database, for the session store and the demo.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where this instance's writes queue, for the session store's writes to queue too.
    pub fn writer(&self) -> &crate::db::Writer {
        &self.writer
    }

    /// Where backup and resource bytes live.
    pub fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    /// Checks an email and password from a client address (when known). One refusal for
    /// an unknown email and a wrong password, in the same time; past the throttle's
    /// failures for the email or the address, 429 until its window ends (counted in the
    /// database, so every instance throttles alike).
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> ServiceResult<UserId> {
        let email = email.trim().to_lowercase();
        let throttle = self.settings.sign_in;
        let since = millis(now - throttle.window);
        let email_key = format!("email:{email}");
        let keys = [
            Some((email_key.clone(), throttle.per_email)),
            client.map(|address| (format!("address:{address}"), throttle.per_address)),
        ];
        for (key, allowed) in keys.iter().flatten() {
            let recent = store::sign_ins::recent(&self.db, key, since).await?;
            if let Some(recent) = recent.filter(|r| r.failures >= i64::from(*allowed)) {
                let ends = recent.window_start + throttle.window.num_milliseconds();
                let retry_after = u64::try_from((ends - millis(now)) / 1000 + 1).unwrap_or(1);
                return Err(UserError::Throttled { retry_after }.into());
            }
        }
        let (id, phc) = match store::accounts::credentials(&self.db, &email).await? {
            Some(user) => (Some(user.id), user.password_hash),
            None => (None, crate::password::decoy().to_owned()),
        };
        let password = password.to_owned();
        let matches = self
            .password_checks
            .check(password, phc)
            .await
            .ok_or_else(|| ServiceError::Corrupt("the password check threads stopped".into()))?;
        match (id, matches) {
            (Some(id), true) => {
                store::sign_ins::clear(&self.db, &email_key).await?;
                Ok(UserId::from_trusted(id))
            }
            _ => {
                for (key, _) in keys.iter().flatten() {
                    store::sign_ins::count_failure(&self.db, key, millis(now), since).await?;
                }
                Err(UserError::BadCredentials.into())
            }
        }
    }

    /// Loads the user a session points at; `None` if the user no longer exists.
    pub async fn caller(&self, user_id: &UserId) -> ServiceResult<Option<Caller>> {
        let row = store::accounts::user(&self.db, user_id.as_str()).await?;
        Ok(row.map(|row| Caller {
            user_id: user_id.clone(),
            email: row.email,
            role: row.role,
            account_id: row.account_id,
            account_name: row.name,
            site: row.site,
        }))
    }

    /// The signed-in user for the navigation, with the count of pending invitations.
    pub async fn me(&self, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<Me> {
        let pending =
            store::invitations::pending_count(&self.db, &caller.account_id, millis(now)).await?;
        Ok(Me {
            email: caller.email.clone(),
            role: caller.role,
            account_id: caller.account_id.clone(),
            account_name: caller.account_name.clone(),
            pending_invitations: u32::try_from(pending).unwrap_or(u32::MAX),
            notice: None,
        })
    }

    /// "My Credentials": the account id and its projects per region.
    pub async fn credentials(&self, caller: &Caller) -> ServiceResult<Credentials> {
        let projects = store::accounts::projects(&self.db, &caller.account_id)
            .await?
            .into_iter()
            .map(|p| ProjectView {
                id: p.id,
                name: p.name,
                region: p.region,
            })
            .collect();
        Ok(Credentials {
            account_id: caller.account_id.clone(),
            account_name: caller.account_name.clone(),
            site: caller.site,
            email: caller.email.clone(),
            role: caller.role,
            projects,
        })
    }

    /// The "Backups" page: one keyset page of the account's live backups, newest first,
    /// on the account's index by time.
    pub async fn list_backups(
        &self,
        caller: &Caller,
        at: &PageAt,
        now: DateTime<Utc>,
    ) -> ServiceResult<BackupsPage> {
        let cursor = |row: &store::backups::SummaryRow| crate::paging::Cursor {
            at: row.created_at,
            id: row.facts.id.to_string(),
        };
        let (rows, links) = keyset_page(at, BACKUPS_PAGE, cursor, |at| async move {
            let limit = BACKUPS_PAGE as i64 + 1;
            let page =
                store::backups::summary_page(&self.db, &caller.account_id, millis(now), &at, limit);
            Ok(page.await?)
        })
        .await?;
        let backups = self.backup_summaries(caller, rows).await?;
        Ok(BackupsPage { backups, links })
    }

    /// One live backup of the caller's account as "Backups" shows it, if it is one.
    pub(crate) async fn backup_summary(
        &self,
        caller: &Caller,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<BackupSummary>> {
        let row =
            store::backups::summary(&self.db, &caller.account_id, backup_id, millis(now)).await?;
        let rows = row.into_iter().collect();
        Ok(self.backup_summaries(caller, rows).await?.pop())
    }

    /// Backups as "Backups" shows them.
    async fn backup_summaries(
        &self,
        caller: &Caller,
        rows: Vec<store::backups::SummaryRow>,
    ) -> ServiceResult<Vec<BackupSummary>> {
        let mut conn = self.db.acquire().await?;
        // An account that may not share sees why on every row's "Share Backups".
        let sharing_refused = match self
            .check_sharing_enabled(&mut conn, &caller.account_id)
            .await
        {
            Ok(()) => None,
            Err(ServiceError::User(refusal)) => Some(Problem::from(&refusal)),
            Err(fault) => return Err(fault),
        };
        drop(conn);
        let summaries = rows.into_iter().map(|row| {
            let arn = crate::arn::format(
                crate::arn::Kind::Backup,
                caller.site,
                &row.facts.region,
                caller.account_id.as_str(),
                row.facts.id.as_str(),
            );
            let facts = BackupFacts::from(row.facts);
            BackupSummary {
                arn,
                share_blocked: sharing_refused
                    .clone()
                    .or_else(|| rules::check_shareable(&facts).err().map(Problem::of)),
                restore_blocked: rules::check_restorable(&facts.id, facts.kind, facts.lock)
                    .err()
                    .map(Problem::of),
                lock: facts.lock,
                status: match facts.lock {
                    Some(LockReason::Restoring) => "Locked (restoring)".to_owned(),
                    Some(LockReason::ConvertingToLevel2) => "Locked (converting)".to_owned(),
                    None => "Available".to_owned(),
                },
                encrypted: facts.encrypted,
                id: facts.id,
                name: row.name,
                kind: facts.kind,
                source_resource: row.resource_name,
                region: facts.region,
                size_bytes: row.size_bytes,
                created_at: instant(row.created_at),
                expires_at: row.expires_at.map(instant),
                sharing: row.sharing.0,
            }
        });
        Ok(summaries.collect())
    }

    /// The "Activity" page: what concerns the caller's account, as owner or recipient.
    pub async fn activity(
        &self,
        caller: &Caller,
        at: &crate::paging::PageAt,
    ) -> ServiceResult<ActivityPage> {
        activity::for_account(&self.db, &caller.account_id, at).await
    }

    /// Operator command: raises (or lowers) one account's shared-cluster-backup limit.
    pub async fn set_cluster_share_limit(
        &self,
        account: &AccountId,
        limit: u64,
    ) -> ServiceResult<()> {
        let limit = i64::try_from(limit)
            .ok()
            .filter(|l| *l > 0)
            .ok_or(UserError::Invalid(BadInput::LimitNotPositive))?;
        let mut tx = self.operator_change(account).await?;
        store::accounts::set_cluster_share_limit(&mut tx, account, limit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An operator's change to one account's settings: the account must exist, and the
    /// change is written under its lock, so a share that read the old setting finishes
    /// first.
    async fn operator_change(&self, account: &AccountId) -> ServiceResult<crate::db::WriteTx> {
        if !store::accounts::exists(&self.db, account.as_str()).await? {
            return Err(UserError::NotFound(Missing::Account(account.to_string())).into());
        }
        let mut tx = self.writer.begin().await?;
        tx.lock(&[crate::db::Lock::account(account.as_str())])
            .await?;
        Ok(tx)
    }

    /// Operator command: lets an account share backups while sharing is opt-in, or takes
    /// that away (what it already shares stays shared).
    pub async fn enable_sharing(
        &self,
        account: &AccountId,
        on: bool,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.operator_change(account).await?;
        store::accounts::set_sharing_enabled(&mut tx, account, on, millis(now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the caller's account may share: always, unless the deployment made sharing
    /// opt-in and no operator enabled it for the account.
    async fn check_sharing_enabled(
        &self,
        conn: &mut crate::db::Conn,
        account: &AccountId,
    ) -> ServiceResult<()> {
        if !self.settings.sharing_opt_in {
            return Ok(());
        }
        let enabled = store::accounts::sharing_enabled(conn, account).await?;
        rules::check_sharing_enabled(enabled).map_err(Into::into)
    }

    /// A backup the caller's account owns, as the rules see it. A backup the account
    /// received is refused by rule 7; anything else it may not see is not found.
    async fn owned_backup(
        &self,
        tx: &mut crate::db::Conn,
        caller: &Caller,
        id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<BackupFacts> {
        let row = store::backups::live_facts(&mut *tx, id, millis(now)).await?;
        let not_found = || UserError::NotFound(Missing::Backup(id.to_string()));
        let Some(row) = row else {
            return Err(not_found().into());
        };
        if row.account_id == caller.account_id {
            return Ok(row.facts.into());
        }
        // Rule 7: what an account received cannot be shared onward.
        if store::grants::is_received(tx, id, &caller.account_id).await? {
            Err(Refusal::Received(BackupId::from_trusted(id)).into())
        } else {
            Err(not_found().into())
        }
    }
}

async fn recipient_facts(
    conn: &mut crate::db::Conn,
    account: &AccountId,
) -> ServiceResult<Option<RecipientFacts>> {
    let Some(row) = store::accounts::as_recipient(conn, account).await? else {
        return Ok(None);
    };
    Ok(Some(RecipientFacts {
        account: account.clone(),
        site: row.site,
        regions: row.regions,
    }))
}

mod access_keys;
pub mod client_tokens;
mod copies;
mod feed;
mod invitations;
mod keys;
mod lease;
mod lifecycle;
pub mod listings;
mod my_shares;
mod recipients;
mod resources;
mod restore;
mod shares;

pub use access_keys::{SigningKey, ACCESS_KEYS_PER_USER};
pub use invitations::SharedWithMeAt;
pub use shares::{NewShare, ShareRequest, ShareUpdate};
