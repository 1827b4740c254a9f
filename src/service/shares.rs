//! Resource shares: creating and changing them, and the rules and limits they meet.

use super::recipients::{directory_of, resolve_principal, Created, ShareRow};
use super::*;
use crate::db::{Lock, WriteTx};
use crate::model::PrincipalScope;
use crate::views::RecipientsLeft;

/// "Create a new resource share", as the share dialog sends it.
#[derive(Debug, Clone)]
pub struct NewShare {
    pub name: String,
    pub scope: PrincipalScope,
    pub backup_ids: Vec<String>,
    /// Account, project or folder ids, as typed.
    pub principals: Vec<String>,
    /// Rule 5: the owner grants the decryption key of the encrypted server and disk
    /// backups being added, so recipients can use their (still encrypted) copies.
    pub grant_key: bool,
}

/// "Select an existing resource share": backups to add to it, and the principals it should
/// have afterwards (the dialog shows the current ones; the owner adds and removes).
#[derive(Debug, Clone)]
pub struct ShareUpdate {
    pub share_id: String,
    pub backup_ids: Vec<String>,
    pub principals: Vec<String>,
    /// As in [`NewShare::grant_key`], for the backups being added.
    pub grant_key: bool,
}

/// Either path of the share dialog.
#[derive(Debug, Clone)]
pub enum ShareRequest {
    New(NewShare),
    Update(ShareUpdate),
}

/// What a share request amounts to once every rule has looked at it.
struct SharePlan {
    /// The share's backups afterwards: those it had and those added, each once.
    backups: Vec<BackupFacts>,
    /// The principals afterwards, each once.
    principals: Vec<PrincipalRef>,
    /// The accounts they reach, the owner left out, each with the project principals that
    /// reach it (rule 9 counts projects for server and disk backups).
    reach: rules::Reach,
    /// The owner grants the decryption key of the encrypted backups being added.
    grant_key: bool,
    /// Every problem found, in order.
    problems: Vec<UserError>,
    quota: ShareQuota,
    /// The backups no share held before: each adds one to the owner's rule 9 usage.
    first_shared: BTreeSet<BackupId>,
}

impl Backshare {
    /// "Create a new resource share": the backups, the principals, one invitation per
    /// recipient account. Every rule is checked before anything is written.
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn create_share(
        &self,
        caller: &Caller,
        request: NewShare,
        now: DateTime<Utc>,
    ) -> ServiceResult<ShareId> {
        let result = retrying(|| self.create_share_checked(caller, &request, now)).await;
        if let Err(ServiceError::User(refusal)) = &result {
            let detail = request.backup_ids.join(", ");
            self.log_refusal(caller, request.name.trim(), detail, refusal, now)
                .await?;
        }
        result
    }

    /// "Select an existing resource share": adds the chosen backups and sets its principals.
    /// Accounts no longer reached lose their invitation or access; accounts newly reached
    /// are invited; accounts that accepted get the added backups at once.
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn update_share(
        &self,
        caller: &Caller,
        request: ShareUpdate,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let result = retrying(|| self.update_share_checked(caller, &request, now)).await;
        if let Err(ServiceError::User(refusal)) = &result {
            if !matches!(refusal, UserError::NotFound(_) | UserError::Forbidden(_)) {
                let detail = request.backup_ids.join(", ");
                self.log_refusal(caller, &request.share_id, detail, refusal, now)
                    .await?;
            }
        }
        result
    }

    /// The owner's own account sees its refused attempts; nobody else does.
    async fn log_refusal(
        &self,
        caller: &Caller,
        share_name: &str,
        detail: String,
        refusal: &UserError,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        // The request is the caller's input: what the log keeps of it is bounded.
        let share_name = crate::input::bounded(share_name, crate::input::MAX_NAME);
        let line = Line {
            actor: Some(caller),
            action: ActivityAction::ShareBackups,
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: Some(&share_name),
            detail: crate::input::bounded(&detail, 300),
            outcome: &refusal.to_string(),
            reason: refusal.reason(),
            note: None,
        };
        let mut conn = self.db.acquire().await?;
        activity::record(&mut *conn, line, now).await
    }

    async fn create_share_checked(
        &self,
        caller: &Caller,
        request: &NewShare,
        now: DateTime<Utc>,
    ) -> ServiceResult<ShareId> {
        caller.require_change()?;
        let name = parse_share_name(&request.name)?;
        check_backup_ids(&request.backup_ids)?;
        if request.backup_ids.is_empty() {
            return Err(UserError::Invalid(BadInput::NoBackups).into());
        }
        let principals = parse_principals(&request.principals)?;
        if principals.is_empty() {
            return Err(UserError::Invalid(BadInput::NoPrincipals).into());
        }

        let mut tx = self.writer.begin().await?;
        // The owner's account guards its limits and share names; the backups their
        // recipient counts and rule 6's lock.
        lock_share_change(&mut tx, caller, None, &request.backup_ids).await?;
        self.check_sharing_enabled(&mut tx, &caller.account_id)
            .await?;
        let used = store::shares::usage_and_limit(&mut tx, &caller.account_id, Some(&name)).await?;
        if used.name_taken.0 {
            return Err(UserError::Invalid(BadInput::ShareNameTaken(name)).into());
        }
        let auto_accepting = used.auto_accepting.0;
        let plan = self
            .plan_share(
                &mut tx,
                caller,
                request.scope,
                None,
                &request.backup_ids,
                request.grant_key,
                &principals,
                Some(used),
                now,
            )
            .await?;
        if let Some(problem) = plan.problems.first() {
            return Err(problem.clone().into());
        }

        let share = ShareRow {
            id: new_id("rs"),
            name,
            owner: caller.account_id.clone(),
            scope: request.scope,
        };
        // Checked, and the last read done: what follows writes, and SQLite sends it with
        // the commit.
        let automatic = match auto_accepting {
            true => {
                let reached = plan.reach.keys();
                store::directories::auto_accepts(&mut tx, &caller.account_id, reached).await?
            }
            false => BTreeSet::new(),
        };
        tx.queue_writes();
        store::shares::insert(&mut tx, &share, millis(now)).await?;
        self.store_plan(&mut tx, caller, &share, &plan, Some(&automatic), now)
            .await?;
        tx.commit().await?;
        tracing::info!(share = %share.id, backups = plan.backups.len(), recipients = plan.reach.len(), "resource share created");
        Ok(ShareId::from_trusted(share.id))
    }

    async fn update_share_checked(
        &self,
        caller: &Caller,
        request: &ShareUpdate,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let principals = parse_principals(&request.principals)?;
        check_backup_ids(&request.backup_ids)?;
        let mut tx = self.writer.begin().await?;
        lock_share_change(
            &mut tx,
            caller,
            Some(&request.share_id),
            &request.backup_ids,
        )
        .await?;
        let share = self.owned_share(&mut tx, caller, &request.share_id).await?;
        caller.require_change()?;
        self.check_sharing_enabled(&mut tx, &caller.account_id)
            .await?;
        let plan = self
            .plan_share(
                &mut tx,
                caller,
                share.scope,
                Some(&share),
                &request.backup_ids,
                request.grant_key,
                &principals,
                None,
                now,
            )
            .await?;
        if let Some(problem) = plan.problems.first() {
            return Err(problem.clone().into());
        }
        self.store_plan(&mut tx, caller, &share, &plan, None, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a checked plan: the share's backups and principals, then the invitations
    /// for the accounts they reach. A share created in this transaction (`created`: its
    /// recipients that accept at once) has no principals, recipients or invitations to
    /// read yet.
    async fn store_plan(
        &self,
        conn: &mut crate::db::WriteTx,
        caller: &Caller,
        share: &ShareRow,
        plan: &SharePlan,
        created: Option<&BTreeSet<AccountId>>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let (backups, principals) = (&plan.backups, &plan.principals);
        let recipients = plan.reach.keys().cloned().collect::<BTreeSet<_>>();
        if created.is_none() {
            store::reach::retract(conn, &share.id).await?;
        }
        for backup in backups {
            let key_granted = plan.grant_key && backup.encrypted;
            store::shares::add_backup(
                conn,
                &share.owner,
                &share.id,
                backup,
                key_granted,
                plan.first_shared.contains(&backup.id),
                millis(now),
            )
            .await?;
        }
        if created.is_none() {
            for old in store::shares::principals(conn, &share.id).await? {
                if !principals.contains(&old) {
                    store::shares::remove_principal(conn, &share.id, &old).await?;
                }
            }
        }
        for principal in principals {
            store::shares::add_principal(conn, &share.id, principal, millis(now)).await?;
        }
        let ids = backups.iter().map(|b| b.id.clone()).collect::<Vec<_>>();
        let new_share = created.map(|automatic| Created {
            backups: ids.as_slice(),
            automatic,
        });
        self.settle_recipients(conn, Some(caller), share, &recipients, new_share, now)
            .await?;
        store::reach::extend(conn, &share.id).await?;
        Ok(())
    }

    /// The dialog's live check: every problem the request would meet, and the quota left
    /// after it. Read-only, so viewers may ask too (their own refusal is listed first).
    pub async fn preview_share(
        &self,
        caller: &Caller,
        request: &ShareRequest,
        now: DateTime<Utc>,
    ) -> ServiceResult<SharePreview> {
        let mut problems = Vec::new();
        if let Err(ServiceError::User(refusal)) = caller.require_change() {
            problems.push(Problem::from(&refusal));
        }
        let (typed, backup_ids, grant_key) = match request {
            ShareRequest::New(new) => (&new.principals, &new.backup_ids, new.grant_key),
            ShareRequest::Update(update) => {
                (&update.principals, &update.backup_ids, update.grant_key)
            }
        };
        // A request over the caps is refused as a whole: its items are not even read.
        check_backup_ids(backup_ids)?;
        crate::input::check_count(crate::error::Items::Principals, typed.len())?;
        let mut principals = Vec::new();
        for text in typed {
            match PrincipalRef::parse(text) {
                Ok(principal) if !principals.contains(&principal) => principals.push(principal),
                Ok(_) => {}
                Err(error) => problems.push(Problem::from(&error)),
            }
        }
        let mut conn = self.db.acquire().await?;
        match self
            .check_sharing_enabled(&mut conn, &caller.account_id)
            .await
        {
            Err(ServiceError::User(refusal)) => problems.push(Problem::from(&refusal)),
            other => other?,
        }
        let (scope, existing) = match request {
            ShareRequest::New(new) => (new.scope, None),
            ShareRequest::Update(update) => {
                let owned = self
                    .owned_share(&mut conn, caller, &update.share_id)
                    .await?;
                (owned.scope, Some(owned))
            }
        };
        let plan = self
            .plan_share(
                &mut conn,
                caller,
                scope,
                existing.as_ref(),
                backup_ids,
                grant_key,
                &principals,
                None,
                now,
            )
            .await?;
        problems.extend(plan.problems.iter().map(Problem::from));
        Ok(SharePreview {
            problems,
            quota: plan.quota,
        })
    }

    /// A resource share the caller's account owns. A recipient learns it may not change
    /// it; anyone else is told it does not exist.
    async fn owned_share(
        &self,
        conn: &mut crate::db::Conn,
        caller: &Caller,
        share_id: &str,
    ) -> ServiceResult<ShareRow> {
        let not_found = || UserError::NotFound(Missing::ResourceShare);
        let Some(share) = store::shares::load_live(&mut *conn, share_id).await? else {
            return Err(not_found().into());
        };
        if share.owner != caller.account_id {
            let invited =
                store::invitations::of_recipient(conn, share_id, &caller.account_id).await?;
            return Err(match invited {
                Some(_) => UserError::Forbidden(Denied::NotShareOwner),
                None => not_found(),
            }
            .into());
        }
        Ok(share)
    }

    /// Checks a request against every rule without writing, collecting each problem so the
    /// dialog can list them all and the command can refuse with the first.
    #[allow(clippy::too_many_arguments)]
    async fn plan_share(
        &self,
        conn: &mut crate::db::Conn,
        caller: &Caller,
        scope: PrincipalScope,
        existing: Option<&ShareRow>,
        backup_ids: &[String],
        grant_key: bool,
        principals: &[PrincipalRef],
        used: Option<store::shares::UsageAndLimit>,
        now: DateTime<Utc>,
    ) -> ServiceResult<SharePlan> {
        let mut problems = Vec::new();
        let mut backups: Vec<BackupFacts> = Vec::new();
        if let Some(share) = existing {
            // Rule 6: a share holding a locked backup cannot have its sharing modified.
            for facts in store::backups::facts_of_share(&mut *conn, &share.id).await? {
                if let Err(refusal) = rules::check_unlocked(&facts) {
                    problems.push(refusal.into());
                }
                backups.push(facts);
            }
        }
        for id in backup_ids {
            match self.owned_backup(conn, caller, id.trim(), now).await {
                Ok(facts) if backups.iter().any(|b| b.id == facts.id) => {}
                Ok(facts) => match rules::check_shareable(&facts)
                    .and_then(|()| rules::check_key_grant(&facts, grant_key))
                {
                    Ok(()) => backups.push(facts),
                    Err(refusal) => problems.push(refusal.into()),
                },
                Err(ServiceError::User(problem)) => problems.push(problem),
                Err(fault) => return Err(fault),
            }
        }

        // Rule 8 needs the owner's directory only for a directory scope or a folder.
        let owner_directory = if rules::scope_reads_directories(scope, principals) {
            directory_of(conn, &caller.account_id).await?
        } else {
            None
        };
        let mut reach = rules::Reach::new();
        for principal in principals {
            let Some(resolved) = resolve_principal(conn, principal).await? else {
                problems.push(UserError::NotFound(match principal {
                    PrincipalRef::Project(id) => Missing::Project(id.to_string()),
                    other => Missing::Account(other.id().to_string()),
                }));
                continue;
            };
            if let Err(refusal) = rules::check_principal_scope(
                scope,
                owner_directory.as_ref(),
                principal,
                resolved.directory.as_deref(),
            ) {
                problems.push(refusal.into());
                continue;
            }
            if let (PrincipalRef::Project(project), Some(region)) = (principal, &resolved.region) {
                for backup in &backups {
                    if let Err(refusal) =
                        rules::check_project_region(project.as_str(), region, backup)
                    {
                        problems.push(refusal.into());
                    }
                }
            }
            let is_folder = matches!(principal, PrincipalRef::Folder(_));
            let mut known = resolved.facts;
            for account in resolved.accounts {
                // A folder that holds the owner's own account shares with the others in it.
                if is_folder && account == caller.account_id {
                    continue;
                }
                let facts = match known.take() {
                    Some(facts) => Some(facts),
                    None => recipient_facts(conn, &account).await?,
                };
                let Some(facts) = facts else {
                    problems.push(UserError::NotFound(Missing::Account(account.to_string())));
                    continue;
                };
                for backup in &backups {
                    if let Err(refusal) =
                        rules::check_recipient(&caller.account_id, caller.site, backup, &facts)
                    {
                        problems.push(refusal.into());
                    }
                }
                let projects = reach.entry(account).or_default();
                if let PrincipalRef::Project(project) = principal {
                    projects.insert(project.as_str().to_owned());
                }
            }
        }

        let (quota, first_shared) = self
            .count_limits(
                conn,
                caller,
                existing,
                &backups,
                &reach,
                used,
                &mut problems,
            )
            .await?;
        Ok(SharePlan {
            backups,
            principals: principals.to_vec(),
            reach,
            grant_key,
            problems,
            quota,
            first_shared,
        })
    }

    /// Rule 9, counted on the connection of the writing transaction. On SQLite that
    /// transaction holds the write lock from its start (`BEGIN IMMEDIATE`), so concurrent
    /// requests count one after the other and no limit can be overshot. Refusals go into
    /// `problems`; the quota left after the request is returned, with the backups no share
    /// held before. `used`: the owner's usage when the caller read it already.
    #[allow(clippy::too_many_arguments)]
    async fn count_limits(
        &self,
        conn: &mut crate::db::Conn,
        caller: &Caller,
        existing: Option<&ShareRow>,
        backups: &[BackupFacts],
        reach: &rules::Reach,
        used: Option<store::shares::UsageAndLimit>,
        problems: &mut Vec<UserError>,
    ) -> ServiceResult<(ShareQuota, BTreeSet<BackupId>)> {
        let mut limits = self.settings.limits;
        let used = match used {
            Some(used) => used,
            None => store::shares::usage_and_limit(conn, &caller.account_id, None).await?,
        };
        if let Some(raised) = used.cluster_limit {
            limits.shared_cluster_backups_per_account = u64::try_from(raised).unwrap_or(0);
        }
        let mut usage = AccountUsage {
            shared_backups: u64::try_from(used.shared).unwrap_or(0),
            shared_cluster_backups: u64::try_from(used.clusters).unwrap_or(0),
        };

        let this_share = existing.map(|s| s.id.as_str());
        let mut recipients_left = Vec::new();
        let mut first_shared = BTreeSet::new();
        for backup in backups {
            // Recipients through the backup's other resource shares, with the project
            // principals that reach them; this share's are replaced by the request's.
            let elsewhere = store::reach::elsewhere(conn, &backup.id, this_share).await?;
            if !backup.shared {
                first_shared.insert(backup.id.clone());
                usage.shared_backups += 1;
                if backup.kind == BackupKind::ClusterBackup {
                    usage.shared_cluster_backups += 1;
                }
            }
            let mut after = reach.clone();
            for reached in elsewhere {
                let projects = after.entry(reached.account).or_default();
                projects.extend(reached.project);
            }
            let count = rules::recipient_count(backup.kind, &after);
            if let Err(refusal) = rules::check_recipient_count(backup, count, &limits) {
                problems.push(refusal.into());
            }
            recipients_left.push(RecipientsLeft {
                backup: backup.id.clone(),
                left: rules::recipients_left(backup, count, &limits),
                unit: rules::RecipientUnit::of(backup.kind),
            });
        }
        if let Err(refusal) = rules::check_account_usage(usage, &limits) {
            problems.push(refusal.into());
        }
        let quota = ShareQuota {
            shared_backups_left: limits
                .shared_backups_per_account
                .saturating_sub(usage.shared_backups),
            shared_cluster_backups_left: limits
                .shared_cluster_backups_per_account
                .saturating_sub(usage.shared_cluster_backups),
            recipients_left,
        };
        Ok((quota, first_shared))
    }

    /// "Cancel Sharing": the owner stops sharing a resource share with one recipient
    /// account, removing the account and project principals that reach it. A pending
    /// invitation is cancelled; an accepted one's grants start revoking. A recipient a
    /// folder principal covers is refused with the way to go instead.
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn cancel_sharing(
        &self,
        caller: &Caller,
        share_id: &str,
        recipient: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let recipient = AccountId::parse(recipient)?;
        retrying(|| self.cancel_sharing_once(caller, share_id, &recipient, now)).await
    }

    async fn cancel_sharing_once(
        &self,
        caller: &Caller,
        share_id: &str,
        recipient: &AccountId,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let (mut tx, share) = self.begin_ending(caller, share_id).await?;
        let mut removed = Vec::new();
        for principal in store::shares::principals(&mut tx, share_id).await? {
            let reaches = resolve_principal(&mut tx, &principal)
                .await?
                .is_some_and(|resolved| resolved.accounts.contains(recipient));
            match &principal {
                PrincipalRef::Folder(folder) if reaches => {
                    return Err(Conflict::CoveredByFolder {
                        recipient: recipient.clone(),
                        folder: folder.clone(),
                    }
                    .into());
                }
                _ if reaches => removed.push(principal),
                _ => {}
            }
        }
        let mut after = store::shares::recipients(&mut tx, share_id).await?;
        if removed.is_empty() && !after.contains(recipient) {
            return Err(UserError::NotFound(Missing::Recipient(recipient.to_string())).into());
        }
        for principal in &removed {
            store::shares::remove_principal(&mut tx, share_id, principal).await?;
        }
        after.remove(recipient);
        self.settle_recipients(&mut tx, Some(caller), &share, &after, None, now)
            .await?;
        store::reach::extend(&mut tx, share_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens the write transaction that ends sharing (Cancel Sharing, deleting a share):
    /// the share's locks, the caller an admin of its owner, and rule 6 (a locked backup's
    /// sharing cannot end). The share's reach is counted out; the caller counts in what is
    /// left of it once its recipients are settled.
    async fn begin_ending(
        &self,
        caller: &Caller,
        share_id: &str,
    ) -> ServiceResult<(WriteTx, ShareRow)> {
        let mut tx = self.writer.begin().await?;
        lock_share_change(&mut tx, caller, Some(share_id), &[]).await?;
        let share = self.owned_share(&mut tx, caller, share_id).await?;
        caller.require_change()?;
        for facts in store::backups::facts_of_share(&mut *tx, share_id).await? {
            rules::check_unlocked(&facts)?;
        }
        store::reach::retract(&mut tx, share_id).await?;
        Ok((tx, share))
    }

    /// Deletes a resource share (RAM's DeleteResourceShare): sharing is cancelled with every
    /// recipient as "Cancel Sharing" does (pending invitations Cancelled, accepted grants
    /// Revoking, rule 6 refusing while a backup is locked), and the share leaves the
    /// dialog and the API's lists. A deleted share is not found any more.
    pub async fn delete_share(
        &self,
        caller: &Caller,
        share_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        retrying(|| self.delete_share_once(caller, share_id, now)).await
    }

    async fn delete_share_once(
        &self,
        caller: &Caller,
        share_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let (mut tx, share) = self.begin_ending(caller, share_id).await?;
        for principal in store::shares::principals(&mut tx, share_id).await? {
            store::shares::remove_principal(&mut tx, share_id, &principal).await?;
        }
        self.settle_recipients(&mut tx, Some(caller), &share, &BTreeSet::new(), None, now)
            .await?;
        // A deleted share reaches nobody: its reach stays counted out.
        store::shares::mark_deleted(&mut tx, share_id, millis(now)).await?;
        let line = Line {
            actor: Some(caller),
            action: ActivityAction::DeletedResourceShare,
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: Some(&share.name),
            detail: String::new(),
            outcome: DONE,
            reason: None,
            note: None,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        tracing::info!(share = %share_id, "resource share deleted");
        Ok(())
    }
}

/// Locks what a share change reads, in [`Lock`]'s order: folder membership (read), the
/// owner's account, the share being changed, then every backup it holds or gains.
async fn lock_share_change(
    tx: &mut WriteTx,
    caller: &Caller,
    share_id: Option<&str>,
    adding: &[String],
) -> ServiceResult<()> {
    let mut locks = vec![
        Lock::membership_read(),
        Lock::account(caller.account_id.as_str()),
    ];
    let Some(share_id) = share_id else {
        // A new share holds no backups yet: every lock in one call (classes ascend).
        locks.extend(adding.iter().map(|id| Lock::backup(id.trim())));
        tx.lock(&locks).await?;
        return Ok(());
    };
    locks.push(Lock::share(share_id));
    tx.lock(&locks).await?;
    // Under the share's lock its set of backups no longer changes.
    let held = if tx.takes_locks() {
        store::shares::backup_ids(tx, share_id).await?
    } else {
        Vec::new()
    };
    let backups = held
        .iter()
        .map(String::as_str)
        .chain(adding.iter().map(|id| id.trim()))
        .map(Lock::backup)
        .collect::<Vec<_>>();
    tx.lock(&backups).await?;
    Ok(())
}

/// The principals as typed, parsed, each once: at most [`crate::input::MAX_ITEMS`].
fn parse_principals(typed: &[String]) -> Result<Vec<PrincipalRef>, UserError> {
    crate::input::check_count(crate::error::Items::Principals, typed.len())?;
    let mut principals = Vec::new();
    for text in typed {
        let principal = PrincipalRef::parse(text)?;
        if !principals.contains(&principal) {
            principals.push(principal);
        }
    }
    Ok(principals)
}

/// The backups of a request: at most [`crate::input::MAX_ITEMS`], each a plausible id.
fn check_backup_ids(ids: &[String]) -> Result<(), UserError> {
    crate::input::check_count(crate::error::Items::Backups, ids.len())?;
    for id in ids {
        crate::input::check_id(crate::error::Field::BackupId, id)?;
    }
    Ok(())
}

/// A share name: 1 to [`crate::input::MAX_NAME`] visible characters after trimming.
fn parse_share_name(input: &str) -> Result<String, UserError> {
    let name = input.trim();
    crate::input::check_visible(crate::error::Field::ResourceShareName, name)?;
    match name.chars().count() {
        0 => Err(UserError::Invalid(BadInput::NoShareName)),
        length if length <= crate::input::MAX_NAME => Ok(name.to_owned()),
        length => Err(UserError::Invalid(BadInput::ShareNameTooLong {
            length,
            limit: crate::input::MAX_NAME,
        })),
    }
}
