//! The services every server function calls: each command checks who is calling, applies
//! the pure rules and transitions, and persists the outcome in one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sqlx::Row;

use crate::activity::{self, Line, DONE};
use crate::db::Db;
use crate::error::UserError;
use crate::grant::{Grant, GrantStatus};
use crate::ids::{
    AccountId, BackupId, GrantId, InvitationId, PrincipalRef, ProjectId, ShareId, UserId,
};
use crate::invitation::{Invitation, InvitationStatus};
use crate::model::{BackupKind, LockReason, Role, Site};
use crate::objects::ObjectStore;
use crate::rules::{self, AccountUsage, BackupFacts, Limits, RecipientFacts, Refusal};
use crate::views::{
    ActivityEntry, AnsweredInvitation, BackupSummary, Credentials, InvitationView, Me, MyShareRow,
    ProjectView, ReceivedBackup, SharePreview, ShareQuota, ShareStatus, SharedWithMe,
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            invitation_ttl: Duration::days(7),
            revocation_delay: Duration::minutes(10),
            limits: Limits::default(),
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
    Storage(#[from] std::io::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
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
            Err(UserError::Forbidden(format!(
                "{} is a viewer: viewers can see this account's pages but cannot change anything.",
                self.email
            ))
            .into())
        }
    }
}

/// What a share request amounts to once every rule has looked at it.
struct SharePlan {
    /// The shareable backups, each once.
    backups: Vec<BackupFacts>,
    /// Each principal with the account it resolves to.
    resolved: Vec<(PrincipalRef, AccountId)>,
    /// Every problem found, in order.
    problems: Vec<UserError>,
    quota: ShareQuota,
}

/// What the share dialog sends.
#[derive(Debug, Clone)]
pub struct NewShare {
    pub name: String,
    pub backup_ids: Vec<String>,
    pub principals: Vec<String>,
}

/// Everything the server functions and the job worker need, cheap to clone.
#[derive(Debug, Clone)]
pub struct Backshare {
    pub(crate) db: Db,
    pub(crate) objects: ObjectStore,
    settings: Settings,
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn word<T>(parsed: Option<T>, column: &str, value: &str) -> ServiceResult<T> {
    parsed.ok_or_else(|| ServiceError::Corrupt(format!("{column} = {value:?}")))
}

impl Backshare {
    /// Services over an opened database and the data folder's object store.
    pub fn new(db: Db, data_dir: &Path, settings: Settings) -> Self {
        Self {
            db,
            objects: ObjectStore::new(data_dir),
            settings,
        }
    }

    /// The database, for the session store and the demo.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where backup and resource bytes live.
    pub fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    /// Checks an email and password; one refusal for an unknown email and a wrong password.
    #[tracing::instrument(skip(self, password), err(level = "info"))]
    pub async fn authenticate(&self, email: &str, password: &str) -> ServiceResult<UserId> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = ?")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.db)
            .await?;
        let (id, phc) = match row {
            Some(row) => (
                Some(row.get::<String, _>("id")),
                row.get::<String, _>("password_hash"),
            ),
            None => (None, crate::password::decoy().to_owned()),
        };
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || crate::password::verify(&password, &phc))
            .await
            .map_err(|e| ServiceError::Corrupt(format!("password check panicked: {e}")))?;
        match (id, matches) {
            (Some(id), true) => Ok(UserId::from_trusted(id)),
            _ => Err(UserError::BadCredentials.into()),
        }
    }

    /// Loads the user a session points at; `None` if the user no longer exists.
    pub async fn caller(&self, user_id: &UserId) -> ServiceResult<Option<Caller>> {
        let row = sqlx::query(
            "SELECT u.email, u.role, a.id AS account_id, a.name, a.site
             FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = ?",
        )
        .bind(user_id.as_str())
        .fetch_optional(&self.db)
        .await?;
        row.map(|row| {
            let role: String = row.get("role");
            let site: String = row.get("site");
            Ok(Caller {
                user_id: user_id.clone(),
                email: row.get("email"),
                role: word(Role::from_word(&role), "users.role", &role)?,
                account_id: AccountId::from_trusted(row.get::<String, _>("account_id")),
                account_name: row.get("name"),
                site: word(Site::from_word(&site), "accounts.site", &site)?,
            })
        })
        .transpose()
    }

    /// The signed-in user for the navigation, with the count of pending invitations.
    pub async fn me(&self, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<Me> {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations
             WHERE recipient_account_id = ? AND status = 'pending' AND expires_at > ?",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_one(&self.db)
        .await?;
        Ok(Me {
            email: caller.email.clone(),
            role: caller.role,
            account_id: caller.account_id.clone(),
            account_name: caller.account_name.clone(),
            pending_invitations: u32::try_from(pending).unwrap_or(u32::MAX),
        })
    }

    /// "My Credentials": the account id and its projects per region.
    pub async fn credentials(&self, caller: &Caller) -> ServiceResult<Credentials> {
        let projects = sqlx::query(
            "SELECT id, name, region FROM projects WHERE account_id = ? ORDER BY region, id",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .map(|row| ProjectView {
            id: ProjectId::from_trusted(row.get::<String, _>("id")),
            name: row.get("name"),
            region: row.get("region"),
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

    /// The "Backups" page: the account's live backups, newest first.
    pub async fn list_backups(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<BackupSummary>> {
        let rows = sqlx::query(
            "SELECT b.id, b.name, b.kind, b.region, b.size_bytes, b.created_at, b.expires_at,
                    b.lock_reason, r.name AS resource_name, r.encrypted AS cluster_encrypted,
                    EXISTS (SELECT 1 FROM share_backups sb
                            JOIN share_principals sp ON sp.share_id = sb.share_id
                            WHERE sb.backup_id = b.id) AS sharing
             FROM backups b JOIN resources r ON r.id = b.resource_id
             WHERE b.account_id = ? AND b.deleted_at IS NULL
               AND (b.expires_at IS NULL OR b.expires_at > ?)
             ORDER BY b.created_at DESC, b.id",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|row| {
                let facts = backup_facts(&row)?;
                Ok(BackupSummary {
                    share_blocked: rules::check_shareable(&facts).err().map(|r| r.to_string()),
                    status: match facts.lock {
                        Some(LockReason::Restoring) => "Locked (restoring)".to_owned(),
                        Some(LockReason::ConvertingToLevel2) => "Locked (converting)".to_owned(),
                        None => "Available".to_owned(),
                    },
                    id: facts.id,
                    name: row.get("name"),
                    kind: facts.kind,
                    source_resource: row.get("resource_name"),
                    region: facts.region,
                    size_bytes: row.get("size_bytes"),
                    created_at: instant(row.get("created_at")),
                    expires_at: row.get::<Option<i64>, _>("expires_at").map(instant),
                    sharing: row.get::<bool, _>("sharing"),
                })
            })
            .collect()
    }

    /// "Create a new resource share": the backups, the principals, one invitation per
    /// recipient account. Every rule is checked before anything is written.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn create_share(
        &self,
        caller: &Caller,
        request: NewShare,
        now: DateTime<Utc>,
    ) -> ServiceResult<ShareId> {
        let result = self.create_share_checked(caller, &request, now).await;
        if let Err(ServiceError::User(refusal)) = &result {
            // The owner's own account sees its refused attempts; nobody else does.
            let line = Line {
                actor: Some(caller),
                action: "Share backups",
                owner: caller.account_id.as_str(),
                recipient: None,
                share_name: Some(request.name.trim()),
                detail: request.backup_ids.join(", "),
                outcome: &refusal.to_string(),
            };
            let mut conn = self.db.acquire().await?;
            activity::record(&mut conn, line, now).await?;
        }
        result
    }

    async fn create_share_checked(
        &self,
        caller: &Caller,
        request: &NewShare,
        now: DateTime<Utc>,
    ) -> ServiceResult<ShareId> {
        caller.require_change()?;
        let name = parse_share_name(&request.name)?;
        if request.backup_ids.is_empty() {
            return Err(UserError::Invalid("Choose at least one backup to share.".into()).into());
        }
        let mut principals = Vec::new();
        for typed in &request.principals {
            let principal = PrincipalRef::parse(typed)?;
            if !principals.contains(&principal) {
                principals.push(principal);
            }
        }
        if principals.is_empty() {
            return Err(UserError::Invalid(
                "Add at least one principal: the account ID or project ID to share with.".into(),
            )
            .into());
        }

        // SQLite: take the write lock up front so concurrent shares queue instead of failing.
        let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;

        let taken: Option<String> = sqlx::query_scalar(
            "SELECT id FROM resource_shares WHERE owner_account_id = ? AND name = ?",
        )
        .bind(caller.account_id.as_str())
        .bind(&name)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(UserError::Invalid(format!(
                "A resource share named \"{name}\" already exists: choose another name."
            ))
            .into());
        }

        let plan = self
            .plan_share(&mut tx, caller, &request.backup_ids, &principals, now)
            .await?;
        if let Some(problem) = plan.problems.into_iter().next() {
            return Err(problem.into());
        }
        let (backups, resolved) = (plan.backups, plan.resolved);

        let share_id = ShareId::from_trusted(new_id("rs"));
        sqlx::query(
            "INSERT INTO resource_shares (id, owner_account_id, name, scope, created_at)
             VALUES (?, ?, ?, 'all_accounts', ?)",
        )
        .bind(share_id.as_str())
        .bind(caller.account_id.as_str())
        .bind(&name)
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        for backup in &backups {
            sqlx::query(
                "INSERT INTO share_backups (share_id, backup_id, added_at) VALUES (?, ?, ?)",
            )
            .bind(share_id.as_str())
            .bind(backup.id.as_str())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
        let mut invited = BTreeSet::new();
        for (principal, recipient) in &resolved {
            sqlx::query(
                "INSERT INTO share_principals (share_id, kind, principal_id, recipient_account_id, added_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(share_id.as_str())
            .bind(principal.kind())
            .bind(principal.id())
            .bind(recipient.as_str())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            if invited.insert(recipient.clone()) {
                let line = Line {
                    actor: Some(caller),
                    action: "Shared backups",
                    owner: caller.account_id.as_str(),
                    recipient: Some(recipient.as_str()),
                    share_name: Some(&name),
                    detail: backups
                        .iter()
                        .map(|b| b.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    outcome: DONE,
                };
                activity::record(&mut tx, line, now).await?;
                sqlx::query(
                    "INSERT INTO invitations (id, share_id, recipient_account_id, status, created_at, expires_at)
                     VALUES (?, ?, ?, 'pending', ?, ?)",
                )
                .bind(new_id("inv"))
                .bind(share_id.as_str())
                .bind(recipient.as_str())
                .bind(millis(now))
                .bind(millis(now + self.settings.invitation_ttl))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        tracing::info!(share = %share_id, backups = backups.len(), recipients = invited.len(), "resource share created");
        Ok(share_id)
    }

    /// The dialog's live check: every problem the request would meet, and the quota left
    /// after it. Read-only, so viewers may ask too (their own refusal is listed first).
    pub async fn preview_share(
        &self,
        caller: &Caller,
        backup_ids: &[String],
        principals: &[String],
        now: DateTime<Utc>,
    ) -> ServiceResult<SharePreview> {
        let mut problems = Vec::new();
        if let Err(ServiceError::User(refusal)) = caller.require_change() {
            problems.push(refusal.to_string());
        }
        let mut parsed = Vec::new();
        for typed in principals {
            match PrincipalRef::parse(typed) {
                Ok(principal) if !parsed.contains(&principal) => parsed.push(principal),
                Ok(_) => {}
                Err(error) => problems.push(error.to_string()),
            }
        }
        let mut conn = self.db.acquire().await?;
        let plan = self
            .plan_share(&mut conn, caller, backup_ids, &parsed, now)
            .await?;
        problems.extend(plan.problems.iter().map(ToString::to_string));
        Ok(SharePreview {
            problems,
            quota: plan.quota,
        })
    }

    /// Checks a request against every rule without writing, collecting each problem so the
    /// dialog can list them all and `create_share` can refuse with the first.
    async fn plan_share(
        &self,
        conn: &mut sqlx::SqliteConnection,
        caller: &Caller,
        backup_ids: &[String],
        principals: &[PrincipalRef],
        now: DateTime<Utc>,
    ) -> ServiceResult<SharePlan> {
        let mut problems = Vec::new();
        let mut backups: Vec<BackupFacts> = Vec::new();
        for id in backup_ids {
            match self.owned_backup(conn, caller, id.trim(), now).await {
                Ok(facts) if backups.iter().any(|b| b.id == facts.id) => {}
                Ok(facts) => match rules::check_shareable(&facts) {
                    Ok(()) => backups.push(facts),
                    Err(refusal) => problems.push(refusal.into()),
                },
                Err(ServiceError::User(problem)) => problems.push(problem),
                Err(fault) => return Err(fault),
            }
        }

        let mut resolved = Vec::new();
        for principal in principals {
            let recipient = match principal {
                PrincipalRef::Account(account) => account.clone(),
                PrincipalRef::Project(project) => {
                    let row = sqlx::query("SELECT account_id, region FROM projects WHERE id = ?")
                        .bind(project.as_str())
                        .fetch_optional(&mut *conn)
                        .await?;
                    let Some(row) = row else {
                        problems.push(UserError::NotFound(format!("Project {project}")));
                        continue;
                    };
                    let region: String = row.get("region");
                    for backup in &backups {
                        if let Err(refusal) =
                            rules::check_project_region(project.as_str(), &region, backup)
                        {
                            problems.push(refusal.into());
                        }
                    }
                    AccountId::from_trusted(row.get::<String, _>("account_id"))
                }
            };
            let Some(facts) = recipient_facts(conn, &recipient).await? else {
                problems.push(UserError::NotFound(format!("Account {recipient}")));
                continue;
            };
            for backup in &backups {
                if let Err(refusal) =
                    rules::check_recipient(&caller.account_id, caller.site, backup, &facts)
                {
                    problems.push(refusal.into());
                }
            }
            resolved.push((principal.clone(), recipient));
        }

        let recipients: BTreeSet<AccountId> = resolved.iter().map(|(_, r)| r.clone()).collect();
        let quota = self
            .count_limits(conn, caller, &backups, &recipients, &mut problems)
            .await?;
        Ok(SharePlan {
            backups,
            resolved,
            problems,
            quota,
        })
    }

    /// Rule 9, counted on the connection of the writing transaction. On SQLite that
    /// transaction holds the write lock from its start (`BEGIN IMMEDIATE`), so concurrent
    /// requests count one after the other and no limit can be overshot. Refusals go into
    /// `problems`; the quota left after the request is returned.
    async fn count_limits(
        &self,
        conn: &mut sqlx::SqliteConnection,
        caller: &Caller,
        backups: &[BackupFacts],
        recipients: &BTreeSet<AccountId>,
        problems: &mut Vec<UserError>,
    ) -> ServiceResult<ShareQuota> {
        let mut limits = self.settings.limits;
        let raised: Option<i64> = sqlx::query_scalar(
            "SELECT shared_cluster_backups FROM account_limits WHERE account_id = ?",
        )
        .bind(caller.account_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(raised) = raised {
            limits.shared_cluster_backups_per_account = u64::try_from(raised).unwrap_or(0);
        }

        let row = sqlx::query(
            "SELECT COUNT(DISTINCT b.id) AS shared,
                    COUNT(DISTINCT CASE WHEN b.kind = 'cluster_backup' THEN b.id END) AS clusters
             FROM share_backups sb
             JOIN resource_shares s ON s.id = sb.share_id
             JOIN backups b ON b.id = sb.backup_id
             WHERE s.owner_account_id = ?",
        )
        .bind(caller.account_id.as_str())
        .fetch_one(&mut *conn)
        .await?;
        let mut usage = AccountUsage {
            shared_backups: u64::try_from(row.get::<i64, _>("shared")).unwrap_or(0),
            shared_cluster_backups: u64::try_from(row.get::<i64, _>("clusters")).unwrap_or(0),
        };

        let mut recipients_left = Vec::new();
        for backup in backups {
            let existing: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT sp.recipient_account_id
                 FROM share_backups sb JOIN share_principals sp ON sp.share_id = sb.share_id
                 WHERE sb.backup_id = ?",
            )
            .bind(backup.id.as_str())
            .fetch_all(&mut *conn)
            .await?;
            let already_shared: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM share_backups WHERE backup_id = ? LIMIT 1")
                    .bind(backup.id.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
            if already_shared.is_none() {
                usage.shared_backups += 1;
                if backup.kind == BackupKind::ClusterBackup {
                    usage.shared_cluster_backups += 1;
                }
            }
            let after = existing
                .iter()
                .map(|id| AccountId::from_trusted(id.as_str()))
                .chain(recipients.iter().cloned())
                .collect::<BTreeSet<_>>()
                .len() as u64;
            if let Err(refusal) = rules::check_recipient_count(backup, after, &limits) {
                problems.push(refusal.into());
            }
            recipients_left.push((
                backup.id.clone(),
                limits.accounts_per_cluster_backup.saturating_sub(after),
            ));
        }
        if let Err(refusal) = rules::check_account_usage(usage, &limits) {
            problems.push(refusal.into());
        }
        Ok(ShareQuota {
            shared_backups_left: limits
                .shared_backups_per_account
                .saturating_sub(usage.shared_backups),
            shared_cluster_backups_left: limits
                .shared_cluster_backups_per_account
                .saturating_sub(usage.shared_cluster_backups),
            recipients_left,
        })
    }

    /// The "Activity" page: what concerns the caller's account, as owner or recipient.
    pub async fn activity(&self, caller: &Caller) -> ServiceResult<Vec<ActivityEntry>> {
        let mut conn = self.db.acquire().await?;
        activity::for_account(&mut conn, &caller.account_id).await
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
            .ok_or_else(|| UserError::Invalid("The limit must be a positive number.".into()))?;
        let known: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE id = ?")
            .bind(account.as_str())
            .fetch_optional(&self.db)
            .await?;
        if known.is_none() {
            return Err(UserError::NotFound(format!("Account {account}")).into());
        }
        sqlx::query(
            "INSERT INTO account_limits (account_id, shared_cluster_backups) VALUES (?, ?)
             ON CONFLICT (account_id) DO UPDATE SET shared_cluster_backups = excluded.shared_cluster_backups",
        )
        .bind(account.as_str())
        .bind(limit)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// A backup the caller's account owns, as the rules see it. A backup the account
    /// received is refused by rule 7; anything else it may not see is not found.
    async fn owned_backup(
        &self,
        tx: &mut sqlx::SqliteConnection,
        caller: &Caller,
        id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<BackupFacts> {
        let row = sqlx::query(
            "SELECT b.id, b.kind, b.region, b.lock_reason, b.account_id, r.encrypted AS cluster_encrypted
             FROM backups b JOIN resources r ON r.id = b.resource_id
             WHERE b.id = ? AND b.deleted_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > ?)",
        )
        .bind(id)
        .bind(millis(now))
        .fetch_optional(&mut *tx)
        .await?;
        let not_found = || UserError::NotFound(format!("Backup {id}"));
        let Some(row) = row else {
            return Err(not_found().into());
        };
        if row.get::<String, _>("account_id") == caller.account_id.as_str() {
            return backup_facts(&row);
        }
        // Rule 7: what an account received cannot be shared onward.
        let received: Option<String> = sqlx::query_scalar(
            "SELECT id FROM grants WHERE backup_id = ? AND recipient_account_id = ?
             AND status IN ('active', 'revoking')",
        )
        .bind(id)
        .bind(caller.account_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        match received {
            Some(_) => Err(Refusal::Received(BackupId::from_trusted(id)).into()),
            None => Err(not_found().into()),
        }
    }

    /// "My Shares": every backup the account shares, per recipient, with its status.
    pub async fn my_shares(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<MyShareRow>> {
        self.share_rows(caller, None, now).await
    }

    /// A backup's "Share List" tab: each recipient and its status. Only the owner's account
    /// sees it; a recipient may see the backup but not who else received it.
    pub async fn share_list(
        &self,
        caller: &Caller,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<(BackupSummary, Vec<MyShareRow>)> {
        let backup = self
            .list_backups(caller, now)
            .await?
            .into_iter()
            .find(|b| b.id.as_str() == backup_id);
        let Some(backup) = backup else {
            let mut conn = self.db.acquire().await?;
            return Err(match self.owned_backup(&mut conn, caller, backup_id, now).await {
                Err(ServiceError::User(UserError::Refused(Refusal::Received(id)))) => {
                    UserError::Forbidden(format!(
                        "{id} was shared with your account: only its owner sees whom it is shared with."
                    ))
                    .into()
                }
                Err(other) => other,
                Ok(_) => UserError::NotFound(format!("Backup {backup_id}")).into(),
            });
        };
        let rows = self.share_rows(caller, Some(backup_id), now).await?;
        Ok((backup, rows))
    }

    /// Rows of "My Shares", for every backup or for one.
    async fn share_rows(
        &self,
        caller: &Caller,
        backup_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<MyShareRow>> {
        let one_backup = if backup_id.is_some() {
            "AND b.id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT s.id AS share_id, s.name AS share_name, b.id AS backup_id, b.name AS backup_name,
                    i.recipient_account_id, a.name AS recipient_name, i.status,
                    i.expires_at, g.status AS grant_status
             FROM resource_shares s
             JOIN share_backups sb ON sb.share_id = s.id
             JOIN backups b ON b.id = sb.backup_id
             JOIN invitations i ON i.share_id = s.id
             JOIN accounts a ON a.id = i.recipient_account_id
             LEFT JOIN grants g ON g.invitation_id = i.id AND g.backup_id = b.id
             WHERE s.owner_account_id = ? {one_backup}
             ORDER BY s.created_at DESC, s.id, b.id, a.name"
        );
        let mut query = sqlx::query(&sql).bind(caller.account_id.as_str());
        if let Some(id) = backup_id {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.db).await?;
        let principals = self.principals_by_recipient(caller).await?;
        rows.into_iter()
            .map(|row| {
                let share_id = ShareId::from_trusted(row.get::<String, _>("share_id"));
                let recipient =
                    AccountId::from_trusted(row.get::<String, _>("recipient_account_id"));
                let status = displayed_status(&row, now)?;
                let principal = principals
                    .get(&(share_id.clone(), recipient.clone()))
                    .map(|ids| ids.join(", "));
                Ok(MyShareRow {
                    cancellable: principal.is_some()
                        && matches!(status, ShareStatus::Pending | ShareStatus::Accepted),
                    principal: principal.unwrap_or_else(|| recipient.to_string()),
                    share_name: row.get("share_name"),
                    backup_id: BackupId::from_trusted(row.get::<String, _>("backup_id")),
                    backup_name: row.get("backup_name"),
                    recipient_name: row.get("recipient_name"),
                    share_id,
                    recipient,
                    status,
                })
            })
            .collect()
    }

    async fn principals_by_recipient(
        &self,
        caller: &Caller,
    ) -> ServiceResult<BTreeMap<(ShareId, AccountId), Vec<String>>> {
        let rows = sqlx::query(
            "SELECT sp.share_id, sp.recipient_account_id, sp.principal_id
             FROM share_principals sp JOIN resource_shares s ON s.id = sp.share_id
             WHERE s.owner_account_id = ? ORDER BY sp.principal_id",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&self.db)
        .await?;
        let mut map: BTreeMap<_, Vec<String>> = BTreeMap::new();
        for row in rows {
            map.entry((
                ShareId::from_trusted(row.get::<String, _>("share_id")),
                AccountId::from_trusted(row.get::<String, _>("recipient_account_id")),
            ))
            .or_default()
            .push(row.get("principal_id"));
        }
        Ok(map)
    }

    /// "Shared With Me": pending invitations, then what the account received and holds.
    pub async fn shared_with_me(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> ServiceResult<SharedWithMe> {
        let invitations = sqlx::query(
            "SELECT i.id, i.created_at, i.expires_at, s.name AS share_name,
                    s.owner_account_id, a.name AS owner_name
             FROM invitations i
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE i.recipient_account_id = ? AND i.status = 'pending' AND i.expires_at > ?
             ORDER BY i.created_at DESC, i.id",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        let mut pending = Vec::with_capacity(invitations.len());
        for row in invitations {
            let id: String = row.get("id");
            let backups = sqlx::query(
                "SELECT b.id, b.name FROM invitations i
                 JOIN share_backups sb ON sb.share_id = i.share_id
                 JOIN backups b ON b.id = sb.backup_id
                 WHERE i.id = ? AND b.deleted_at IS NULL ORDER BY b.id",
            )
            .bind(&id)
            .fetch_all(&self.db)
            .await?
            .into_iter()
            .map(|b| {
                (
                    BackupId::from_trusted(b.get::<String, _>("id")),
                    b.get("name"),
                )
            })
            .collect();
            pending.push(InvitationView {
                id: InvitationId::from_trusted(id),
                share_name: row.get("share_name"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                backups,
                invited_at: instant(row.get("created_at")),
                expires_at: instant(row.get("expires_at")),
            });
        }

        let received = sqlx::query(
            "SELECT g.id, g.status, b.id AS backup_id, b.name AS backup_name, b.kind, b.region,
                    b.size_bytes, s.name AS share_name, s.owner_account_id, a.name AS owner_name
             FROM grants g
             JOIN backups b ON b.id = g.backup_id
             JOIN invitations i ON i.id = g.invitation_id
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE g.recipient_account_id = ? AND g.status IN ('active', 'revoking')
               AND b.deleted_at IS NULL
             ORDER BY b.created_at DESC, g.id",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .map(|row| {
            let status: String = row.get("status");
            let kind: String = row.get("kind");
            Ok(ReceivedBackup {
                grant_id: GrantId::from_trusted(row.get::<String, _>("id")),
                backup_id: BackupId::from_trusted(row.get::<String, _>("backup_id")),
                backup_name: row.get("backup_name"),
                kind: word(BackupKind::from_word(&kind), "backups.kind", &kind)?,
                region: row.get("region"),
                size_bytes: row.get("size_bytes"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                share_name: row.get("share_name"),
                status: ShareStatus::of(
                    InvitationStatus::Accepted,
                    Some(word(
                        GrantStatus::from_word(&status),
                        "grants.status",
                        &status,
                    )?),
                ),
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;

        let answered = sqlx::query(
            "SELECT i.id, i.status, i.expires_at, COALESCE(i.answered_at, i.expires_at) AS at,
                    s.name AS share_name, s.owner_account_id, a.name AS owner_name
             FROM invitations i
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE i.recipient_account_id = ?
               AND (i.status IN ('rejected', 'expired', 'cancelled')
                    OR (i.status = 'pending' AND i.expires_at <= ?))
             ORDER BY at DESC, i.id LIMIT 50",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(AnsweredInvitation {
                id: InvitationId::from_trusted(row.get::<String, _>("id")),
                status: ShareStatus::of(invitation_status(&row, now)?, None),
                share_name: row.get("share_name"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                at: instant(row.get("at")),
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;
        Ok(SharedWithMe {
            pending,
            received,
            answered,
        })
    }

    /// The recipient accepts: the invitation is answered and a reference grant is created
    /// for every backup in the share, in one transaction.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, true).await
    }

    /// The recipient rejects: the invitation is answered; nothing is granted.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn reject_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, false).await
    }

    async fn answer(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
        accept: bool,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query(
            "SELECT i.status, i.expires_at, i.recipient_account_id, i.share_id, s.owner_account_id,
                    s.name AS share_name
             FROM invitations i JOIN resource_shares s ON s.id = i.share_id WHERE i.id = ?",
        )
        .bind(invitation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let not_found = || UserError::NotFound("This invitation".into());
        let Some(row) = row else {
            return Err(not_found().into());
        };
        let recipient: String = row.get("recipient_account_id");
        let owner: String = row.get("owner_account_id");
        if recipient != caller.account_id.as_str() {
            return Err(if owner == caller.account_id.as_str() {
                UserError::Forbidden("Only the invited account can answer this invitation.".into())
            } else {
                not_found()
            }
            .into());
        }
        caller.require_change()?;
        let invitation = invitation_from_row(&row)?;
        let next = if accept {
            invitation.accept(now)?
        } else {
            invitation.reject(now)?
        };
        let updated = sqlx::query(
            "UPDATE invitations SET status = ?, answered_at = ? WHERE id = ? AND status = ?",
        )
        .bind(next.as_str())
        .bind(millis(now))
        .bind(invitation_id)
        .bind(invitation.status.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(UserError::Conflict(
                "This invitation was answered meanwhile. Reload the page to see its status.".into(),
            )
            .into());
        }
        if next == InvitationStatus::Accepted {
            let share_id: String = row.get("share_id");
            let backups: Vec<String> = sqlx::query_scalar(
                "SELECT sb.backup_id FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
                 WHERE sb.share_id = ? AND b.deleted_at IS NULL",
            )
            .bind(&share_id)
            .fetch_all(&mut *tx)
            .await?;
            let grant = Grant::active();
            for backup in backups {
                sqlx::query(
                    "INSERT INTO grants (id, invitation_id, backup_id, recipient_account_id, status, revoke_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, NULL, ?)",
                )
                .bind(new_id("gr"))
                .bind(invitation_id)
                .bind(&backup)
                .bind(&recipient)
                .bind(grant.status.as_str())
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
            }
        }
        let line = Line {
            actor: Some(caller),
            action: if accept {
                "Accepted invitation"
            } else {
                "Rejected invitation"
            },
            owner: &owner,
            recipient: Some(&recipient),
            share_name: Some(row.get("share_name")),
            detail: String::new(),
            outcome: DONE,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// "Cancel Sharing": the owner removes a recipient account from a resource share. A
    /// pending invitation is cancelled; an accepted one's grants start revoking.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn cancel_sharing(
        &self,
        caller: &Caller,
        share_id: &str,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let recipient = AccountId::parse(recipient)?;
        let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
        let share = sqlx::query("SELECT owner_account_id, name FROM resource_shares WHERE id = ?")
            .bind(share_id)
            .fetch_optional(&mut *tx)
            .await?;
        let not_found = || UserError::NotFound("This resource share".into());
        let Some(share) = share else {
            return Err(not_found().into());
        };
        let owner: String = share.get("owner_account_id");
        let share_name: String = share.get("name");
        if owner != caller.account_id.as_str() {
            let invited: Option<String> = sqlx::query_scalar(
                "SELECT id FROM invitations WHERE share_id = ? AND recipient_account_id = ?",
            )
            .bind(share_id)
            .bind(caller.account_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match invited {
                Some(_) => UserError::Forbidden(
                    "Only the owner of a resource share can cancel its sharing.".into(),
                ),
                None => not_found(),
            }
            .into());
        }
        caller.require_change()?;

        // Rule 6: a locked backup's sharing cannot be cancelled.
        let locked = sqlx::query(
            "SELECT b.id, b.kind, b.region, b.lock_reason, r.encrypted AS cluster_encrypted
             FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
             JOIN resources r ON r.id = b.resource_id
             WHERE sb.share_id = ? AND b.lock_reason IS NOT NULL",
        )
        .bind(share_id)
        .fetch_all(&mut *tx)
        .await?;
        for row in &locked {
            rules::check_unlocked(&backup_facts(row)?)?;
        }

        let removed = sqlx::query(
            "DELETE FROM share_principals WHERE share_id = ? AND recipient_account_id = ?",
        )
        .bind(share_id)
        .bind(recipient.as_str())
        .execute(&mut *tx)
        .await?;
        if removed.rows_affected() == 0 {
            return Err(UserError::NotFound(format!(
                "Account {recipient} as a principal of this resource share"
            ))
            .into());
        }

        let invitation = sqlx::query(
            "SELECT id, status, expires_at FROM invitations WHERE share_id = ? AND recipient_account_id = ?",
        )
        .bind(share_id)
        .bind(recipient.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = invitation {
            let id: String = row.get("id");
            let invitation = invitation_from_row(&row)?;
            match invitation.status {
                InvitationStatus::Pending => {
                    let next = invitation.cancel()?;
                    sqlx::query("UPDATE invitations SET status = ?, answered_at = ? WHERE id = ? AND status = 'pending'")
                        .bind(next.as_str())
                        .bind(millis(now))
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
                InvitationStatus::Accepted => {
                    let revoking = Grant::active().revoke(now, self.settings.revocation_delay)?;
                    sqlx::query(
                        "UPDATE grants SET status = ?, revoke_at = ?, updated_at = ?
                         WHERE invitation_id = ? AND status = 'active'",
                    )
                    .bind(revoking.status.as_str())
                    .bind(revoking.revoke_at.map(millis))
                    .bind(millis(now))
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                }
                InvitationStatus::Rejected
                | InvitationStatus::Expired
                | InvitationStatus::Cancelled => {}
            }
        }
        let line = Line {
            actor: Some(caller),
            action: "Cancelled sharing",
            owner: &owner,
            recipient: Some(recipient.as_str()),
            share_name: Some(&share_name),
            detail: String::new(),
            outcome: DONE,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The background job's work: expire unanswered invitations and finish revocations
    /// whose delay has passed. Each row moves by a conditional update from the state the
    /// pure transition started from, so running this twice, or on two workers, does each
    /// transition once. Returns how many rows moved.
    #[tracing::instrument(skip(self), err)]
    pub async fn run_due_work(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        let mut moved = 0;
        let due_invitations = sqlx::query(
            "SELECT i.id, i.status, i.expires_at, i.recipient_account_id, s.owner_account_id,
                    s.name AS share_name
             FROM invitations i JOIN resource_shares s ON s.id = i.share_id
             WHERE i.status = 'pending' AND i.expires_at <= ? LIMIT 500",
        )
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        for row in due_invitations {
            let next = invitation_from_row(&row)?.expire(now)?;
            let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
            let updated = sqlx::query(
                "UPDATE invitations SET status = ?, answered_at = ? WHERE id = ? AND status = 'pending'",
            )
            .bind(next.as_str())
            .bind(millis(now))
            .bind(row.get::<String, _>("id"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                let line = Line {
                    actor: None,
                    action: "Invitation expired",
                    owner: row.get("owner_account_id"),
                    recipient: Some(row.get("recipient_account_id")),
                    share_name: Some(row.get("share_name")),
                    detail: "It was not answered in time.".into(),
                    outcome: DONE,
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            moved += updated;
        }

        let due_grants = sqlx::query(
            "SELECT g.id, g.revoke_at, g.backup_id, g.recipient_account_id, s.owner_account_id,
                    s.name AS share_name
             FROM grants g
             JOIN invitations i ON i.id = g.invitation_id
             JOIN resource_shares s ON s.id = i.share_id
             WHERE g.status = 'revoking' AND g.revoke_at <= ? LIMIT 500",
        )
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        for row in due_grants {
            let revoked = Grant {
                status: GrantStatus::Revoking,
                revoke_at: row.get::<Option<i64>, _>("revoke_at").map(instant),
            }
            .finish_revocation(now)?;
            let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
            let updated = sqlx::query(
                "UPDATE grants SET status = ?, updated_at = ? WHERE id = ? AND status = 'revoking'",
            )
            .bind(revoked.status.as_str())
            .bind(millis(now))
            .bind(row.get::<String, _>("id"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                let line = Line {
                    actor: None,
                    action: "Revocation finished",
                    owner: row.get("owner_account_id"),
                    recipient: Some(row.get("recipient_account_id")),
                    share_name: Some(row.get("share_name")),
                    detail: row.get("backup_id"),
                    outcome: DONE,
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            moved += updated;
        }

        // Rule 11: a backup that expired takes its recipients' access with it.
        let expired: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT g.backup_id FROM grants g JOIN backups b ON b.id = g.backup_id
             WHERE g.status IN ('active', 'revoking') AND b.expires_at <= ? LIMIT 500",
        )
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        for backup in expired {
            let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
            moved += lose_grants(&mut tx, None, &backup, "the backup expired", now).await?;
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// The owner deletes a backup: it leaves every page, its bytes are removed, and every
    /// recipient's grant becomes Lost (rule 11). Recipients may never delete it (rule 10).
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn delete_backup(
        &self,
        caller: &Caller,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
        let facts = match self.owned_backup(&mut tx, caller, backup_id, now).await {
            Err(ServiceError::User(UserError::Refused(Refusal::Received(id)))) => {
                return Err(UserError::Forbidden(format!(
                    "{id} belongs to the account that shared it: recipients can restore from a shared backup but never delete it."
                ))
                .into())
            }
            other => other?,
        };
        caller.require_change()?;
        if let Some(reason) = facts.lock {
            return Err(UserError::Conflict(format!(
                "{} is locked because {}: it cannot be deleted now. Please retry later.",
                facts.id,
                reason.describe()
            ))
            .into());
        }
        sqlx::query("UPDATE backups SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")
            .bind(millis(now))
            .bind(facts.id.as_str())
            .execute(&mut *tx)
            .await?;
        let lost = lose_grants(
            &mut tx,
            Some(caller),
            facts.id.as_str(),
            "the owner deleted the backup",
            now,
        )
        .await?;
        let line = Line {
            actor: Some(caller),
            action: "Deleted backup",
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: None,
            detail: facts.id.to_string(),
            outcome: DONE,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        self.objects.delete("backups", facts.id.as_str()).await?;
        tracing::info!(backup = %facts.id, lost, "backup deleted");
        Ok(())
    }
}

/// Rule 11: every live grant on `backup` becomes Lost, each by the pure transition and a
/// conditional update from the status it had. Returns how many moved.
async fn lose_grants(
    conn: &mut sqlx::SqliteConnection,
    actor: Option<&Caller>,
    backup: &str,
    why: &str,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let live = sqlx::query(
        "SELECT g.id, g.status, g.revoke_at, g.recipient_account_id, s.owner_account_id,
                s.name AS share_name
         FROM grants g
         JOIN invitations i ON i.id = g.invitation_id
         JOIN resource_shares s ON s.id = i.share_id
         WHERE g.backup_id = ? AND g.status IN ('active', 'revoking')",
    )
    .bind(backup)
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = 0;
    for row in live {
        let status: String = row.get("status");
        let grant = Grant {
            status: word(GrantStatus::from_word(&status), "grants.status", &status)?,
            revoke_at: row.get::<Option<i64>, _>("revoke_at").map(instant),
        };
        let lost = grant.lose()?;
        let updated =
            sqlx::query("UPDATE grants SET status = ?, updated_at = ? WHERE id = ? AND status = ?")
                .bind(lost.status.as_str())
                .bind(millis(now))
                .bind(row.get::<String, _>("id"))
                .bind(grant.status.as_str())
                .execute(&mut *conn)
                .await?
                .rows_affected();
        if updated == 1 {
            let line = Line {
                actor,
                action: "Access lost",
                owner: row.get("owner_account_id"),
                recipient: Some(row.get("recipient_account_id")),
                share_name: Some(row.get("share_name")),
                detail: format!("{backup}: {why}"),
                outcome: DONE,
            };
            activity::record(&mut *conn, line, now).await?;
        }
        moved += updated;
    }
    Ok(moved)
}

/// A share name: 1 to 64 characters after trimming.
fn parse_share_name(input: &str) -> Result<String, UserError> {
    let name = input.trim();
    match name.chars().count() {
        0 => Err(UserError::Invalid("Enter a resource share name.".into())),
        1..=64 => Ok(name.to_owned()),
        n => Err(UserError::Invalid(format!(
            "The resource share name is {n} characters long: use at most 64."
        ))),
    }
}

/// An invitation's status as of `now`: one left unanswered past its deadline reads Expired
/// even before the job has written it.
fn invitation_status(
    row: &sqlx::sqlite::SqliteRow,
    now: DateTime<Utc>,
) -> ServiceResult<InvitationStatus> {
    let invitation = invitation_from_row(row)?;
    Ok(invitation.expire(now).unwrap_or(invitation.status))
}

/// An invitation's state-machine part from a row with `status` and `expires_at`.
fn invitation_from_row(row: &sqlx::sqlite::SqliteRow) -> ServiceResult<Invitation> {
    let status: String = row.get("status");
    Ok(Invitation {
        status: word(
            InvitationStatus::from_word(&status),
            "invitations.status",
            &status,
        )?,
        expires_at: instant(row.get("expires_at")),
    })
}

/// The status a row of "My Shares" shows.
fn displayed_status(
    row: &sqlx::sqlite::SqliteRow,
    now: DateTime<Utc>,
) -> ServiceResult<ShareStatus> {
    let invitation = invitation_status(row, now)?;
    let grant = row
        .get::<Option<String>, _>("grant_status")
        .map(|g| word(GrantStatus::from_word(&g), "grants.status", &g))
        .transpose()?;
    Ok(ShareStatus::of(invitation, grant))
}

fn backup_facts(row: &sqlx::sqlite::SqliteRow) -> ServiceResult<BackupFacts> {
    let kind: String = row.get("kind");
    let lock: Option<String> = row.get("lock_reason");
    Ok(BackupFacts {
        id: BackupId::from_trusted(row.get::<String, _>("id")),
        kind: word(BackupKind::from_word(&kind), "backups.kind", &kind)?,
        region: row.get("region"),
        cluster_encrypted: row.get::<bool, _>("cluster_encrypted"),
        lock: lock
            .map(|l| word(LockReason::from_word(&l), "backups.lock_reason", &l))
            .transpose()?,
    })
}

async fn recipient_facts(
    conn: &mut sqlx::SqliteConnection,
    account: &AccountId,
) -> ServiceResult<Option<RecipientFacts>> {
    let site: Option<String> = sqlx::query_scalar("SELECT site FROM accounts WHERE id = ?")
        .bind(account.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(site) = site else {
        return Ok(None);
    };
    let regions = sqlx::query_scalar("SELECT DISTINCT region FROM projects WHERE account_id = ?")
        .bind(account.as_str())
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(RecipientFacts {
        account: account.clone(),
        site: word(Site::from_word(&site), "accounts.site", &site)?,
        regions,
    }))
}
