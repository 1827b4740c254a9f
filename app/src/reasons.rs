//! The domain's typed refusals, said in the page's language. The matches are exhaustive,
//! so a new refusal in the domain does not build until it is translated; in English each
//! sentence is exactly the domain's own (`Display`), which scripts read as `message`.

use backshare::conflict::{Conflict, CopyMove, EndedFor, GrantMove};
use backshare::copy::VaultRefusal;
use backshare::error::{AtCap, BadInput, Denied, Field, Items, Missing, Problem, Reason};
use backshare::grant::GrantStatus;
use backshare::invitation::InvitationStatus;
use backshare::model::{
    ActivityNote, CopyStatus, GoneWhy, LockReason, ResourceKind, TransferFailure,
};
use backshare::rules::{LockedAction, Refusal};

use crate::i18n::*;

/// Any typed reason.
pub fn reason(locale: Locale, reason: &Reason) -> String {
    match reason {
        Reason::Refused(refused) => refusal(locale, refused),
        Reason::Conflict(conflicting) => conflict(locale, conflicting),
        Reason::Throttled { retry_after } => {
            let minutes = retry_after.div_ceil(60);
            td_string!(locale, common.throttled, minutes)
        }
        Reason::Failed(failure) => transfer_failure(locale, *failure),
        Reason::NotFound(missing) => self::missing(locale, missing),
        Reason::Forbidden(denied) => self::denied(locale, denied),
        Reason::Invalid(bad) => bad_input(locale, bad),
        Reason::Busy(cap) => at_cap(locale, cap),
    }
}

/// What an Activity line's detail says beyond ids.
pub fn activity_note(locale: Locale, note: &ActivityNote) -> String {
    let gone = |why: &GoneWhy| match why {
        GoneWhy::Expired => td_string!(locale, activity.gone_why.expired),
        GoneWhy::Deleted => td_string!(locale, activity.gone_why.deleted),
        GoneWhy::Released => td_string!(locale, activity.gone_why.released),
    };
    match note {
        ActivityNote::AccessKey { key, email } => {
            td_string!(locale, activity.note.access_key, key, email)
        }
        ActivityNote::NotAnsweredInTime => {
            td_string!(locale, activity.note.not_answered_in_time).to_owned()
        }
        ActivityNote::BackupGone { backup, why } => {
            let why = gone(why);
            td_string!(locale, activity.note.backup_gone, backup, why)
        }
        ActivityNote::ShareEmptied { backup, why } => {
            let why = gone(why);
            td_string!(locale, activity.note.share_emptied, backup, why)
        }
        ActivityNote::LeftFolder => td_string!(locale, activity.note.left_folder).to_owned(),
        ActivityNote::AutoAccepted => td_string!(locale, activity.note.auto_accepted).to_owned(),
        ActivityNote::ReachedThrough(principal) => {
            td_string!(locale, activity.note.reached_through, principal)
        }
        ActivityNote::ReleasedWith { resource, backups } => {
            td_string!(locale, activity.note.released_with, resource, backups)
        }
        ActivityNote::RestoreInto {
            backup,
            resource,
            project,
        } => td_string!(
            locale,
            activity.note.restore_into,
            backup,
            resource,
            project
        ),
        ActivityNote::RestoredInto { backup, resource } => {
            td_string!(locale, activity.note.restored_into, backup, resource)
        }
    }
}

/// Why a copy or a restore failed.
pub fn transfer_failure(locale: Locale, failure: TransferFailure) -> String {
    match failure {
        TransferFailure::SourceGone => td_string!(locale, refusals.failure.source_gone),
        TransferFailure::Storage => td_string!(locale, refusals.failure.storage),
        TransferFailure::SourceChanged => td_string!(locale, refusals.failure.source_changed),
        TransferFailure::WrittenMismatch => {
            td_string!(locale, refusals.failure.written_mismatch)
        }
        TransferFailure::Unreadable => td_string!(locale, refusals.failure.unreadable),
        TransferFailure::Undecryptable => td_string!(locale, refusals.failure.undecryptable),
        TransferFailure::Fault => td_string!(locale, refusals.failure.fault),
    }
    .to_owned()
}

/// What was not found.
pub fn missing(locale: Locale, missing: &Missing) -> String {
    match missing {
        Missing::Backup(id) => td_string!(locale, refusals.missing.backup, id),
        Missing::ResourceShare => td_string!(locale, refusals.missing.resource_share).to_owned(),
        Missing::Invitation => td_string!(locale, refusals.missing.invitation).to_owned(),
        Missing::AccessKey(id) => td_string!(locale, refusals.missing.access_key, id),
        Missing::Account(id) => td_string!(locale, refusals.missing.account, id),
        Missing::Project(id) => td_string!(locale, refusals.missing.project, id),
        Missing::Recipient(id) => td_string!(locale, refusals.missing.recipient, id),
        Missing::Resource(id) => td_string!(locale, refusals.missing.resource, id),
        Missing::Directory(id) => td_string!(locale, refusals.missing.directory, id),
        Missing::Vault(id) => td_string!(locale, refusals.missing.vault, id),
        Missing::ReceivedBackup => td_string!(locale, refusals.missing.received_backup).to_owned(),
        Missing::Copy => td_string!(locale, refusals.missing.copy).to_owned(),
    }
}

/// Why the caller may not do what it asked.
pub fn denied(locale: Locale, denied: &Denied) -> String {
    match denied {
        Denied::Viewer(email) => td_string!(locale, refusals.denied.viewer, email),
        Denied::ReceivedSharing(backup) => {
            td_string!(locale, refusals.denied.received_sharing, backup)
        }
        Denied::ReceivedDelete(backup) => {
            td_string!(locale, refusals.denied.received_delete, backup)
        }
        Denied::NotShareOwner => td_string!(locale, refusals.denied.not_share_owner).to_owned(),
        Denied::NotInvitee => td_string!(locale, refusals.denied.not_invitee).to_owned(),
    }
}

fn field(locale: Locale, field: Field) -> &'static str {
    match field {
        Field::ResourceShareName => td_string!(locale, refusals.field.resource_share_name),
        Field::BackupId => td_string!(locale, refusals.field.backup_id),
        Field::Principal => td_string!(locale, refusals.field.principal),
        Field::AccessKeyId => td_string!(locale, refusals.field.access_key_id),
        Field::InvitationId => td_string!(locale, refusals.field.invitation_id),
        Field::ArnId => td_string!(locale, refusals.field.arn_id),
        Field::ClientToken => td_string!(locale, refusals.field.client_token),
    }
}

fn items(locale: Locale, items: Items) -> &'static str {
    match items {
        Items::Backups => td_string!(locale, refusals.items.backups),
        Items::Principals => td_string!(locale, refusals.items.principals),
        Items::Arns => td_string!(locale, refusals.items.arns),
    }
}

fn resource_kind(locale: Locale, kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Server => td_string!(locale, refusals.bad_input.kind.server),
        ResourceKind::Disk => td_string!(locale, refusals.bad_input.kind.disk),
        ResourceKind::Cluster => td_string!(locale, refusals.bad_input.kind.cluster),
    }
}

/// Input that cannot be used.
pub fn bad_input(locale: Locale, bad: &BadInput) -> String {
    match bad {
        BadInput::HiddenCharacter { field, code } => {
            let (field, code) = (self::field(locale, *field), format!("{code:04X}"));
            td_string!(locale, refusals.bad_input.hidden_character, field, code)
        }
        BadInput::IdTooLong {
            field,
            length,
            limit,
        } => {
            let field = self::field(locale, *field);
            td_string!(locale, refusals.bad_input.id_too_long, field, length, limit)
        }
        BadInput::TooManyItems {
            items,
            count,
            limit,
        } => {
            let items = self::items(locale, *items);
            td_string!(
                locale,
                refusals.bad_input.too_many_items,
                count,
                items,
                limit
            )
        }
        BadInput::NotAccountId(text) => td_string!(locale, refusals.bad_input.not_account_id, text),
        BadInput::NotProjectId(text) => td_string!(locale, refusals.bad_input.not_project_id, text),
        BadInput::NotFolderId(text) => td_string!(locale, refusals.bad_input.not_folder_id, text),
        BadInput::NoPrincipal => td_string!(locale, refusals.bad_input.no_principal).to_owned(),
        BadInput::NoBackups => td_string!(locale, refusals.bad_input.no_backups).to_owned(),
        BadInput::NoPrincipals => td_string!(locale, refusals.bad_input.no_principals).to_owned(),
        BadInput::NoShareName => td_string!(locale, refusals.bad_input.no_share_name).to_owned(),
        BadInput::ShareNameTooLong { length, limit } => {
            td_string!(
                locale,
                refusals.bad_input.share_name_too_long,
                length,
                limit
            )
        }
        BadInput::ShareNameTaken(name) => {
            td_string!(locale, refusals.bad_input.share_name_taken, name)
        }
        BadInput::SearchTooLong(limit) => {
            td_string!(locale, refusals.bad_input.search_too_long, limit)
        }
        BadInput::TooManyAccessKeys(limit) => {
            td_string!(locale, refusals.bad_input.too_many_access_keys, limit)
        }
        BadInput::NotYourProject {
            project,
            region,
            kind,
        } => {
            let kind = resource_kind(locale, *kind);
            td_string!(
                locale,
                refusals.bad_input.not_your_project,
                project,
                region,
                kind
            )
        }
        BadInput::NoProjectInRegion { region, kind } => {
            let kind = resource_kind(locale, *kind);
            td_string!(
                locale,
                refusals.bad_input.no_project_in_region,
                region,
                kind
            )
        }
        BadInput::NoVaultChosen { name, backup } => {
            td_string!(locale, refusals.bad_input.no_vault_chosen, name, backup)
        }
        BadInput::PagePosition => td_string!(locale, refusals.bad_input.page_position).to_owned(),
        BadInput::LimitNotPositive => {
            td_string!(locale, refusals.bad_input.limit_not_positive).to_owned()
        }
        BadInput::FolderNotInDirectory { folder, directory } => {
            td_string!(
                locale,
                refusals.bad_input.folder_not_in_directory,
                folder,
                directory
            )
        }
    }
}

/// A per-account cap already used in full.
pub fn at_cap(locale: Locale, cap: &AtCap) -> String {
    match cap {
        AtCap::Restores(cap) => td_string!(locale, refusals.at_cap.restores, cap),
        AtCap::Copies(cap) => td_string!(locale, refusals.at_cap.copies, cap),
    }
}

/// A problem the share dialog's check lists: typed ones in `locale`, the rest as the
/// server said them.
pub fn problem(locale: Locale, problem: &Problem) -> String {
    match &problem.reason {
        Some(typed) => reason(locale, typed),
        None => problem.message.clone(),
    }
}

/// A sharing rule's refusal.
pub fn refusal(locale: Locale, refusal: &Refusal) -> String {
    match refusal {
        Refusal::FileBackup(backup) => td_string!(locale, refusals.file_backup, backup),
        Refusal::FileBackupRestore(backup) => {
            td_string!(locale, refusals.file_backup_restore, backup)
        }
        Refusal::EncryptedWithoutKey(backup) => {
            td_string!(locale, refusals.encrypted_without_key, backup)
        }
        Refusal::AccountNotInRegion {
            account,
            region,
            backup,
        } => td_string!(
            locale,
            refusals.account_not_in_region,
            account,
            region,
            backup
        ),
        Refusal::ProjectInOtherRegion {
            project,
            backup,
            region,
            ..
        } => td_string!(
            locale,
            refusals.project_in_other_region,
            project,
            region,
            backup
        ),
        Refusal::OtherSite(account) => td_string!(locale, refusals.other_site, account),
        Refusal::CrossRegion(backup) => td_string!(locale, refusals.cross_region, backup),
        Refusal::EncryptedCluster(backup) => {
            td_string!(locale, refusals.encrypted_cluster, backup)
        }
        Refusal::Locked { backup, reason } => {
            let reason = lock_reason(locale, reason);
            td_string!(locale, refusals.locked, backup, reason)
        }
        Refusal::Received(backup) => td_string!(locale, refusals.received, backup),
        Refusal::SelfShare => td_string!(locale, refusals.self_share).to_owned(),
        Refusal::NoDirectory => td_string!(locale, refusals.no_directory).to_owned(),
        Refusal::OutsideDirectory { account, directory } => {
            td_string!(locale, refusals.outside_directory, account, directory)
        }
        Refusal::ProjectInDirectoryScope(project) => {
            td_string!(locale, refusals.project_in_directory_scope, project)
        }
        Refusal::ForeignFolder(folder) => td_string!(locale, refusals.foreign_folder, folder),
        Refusal::TooManyAccounts {
            backup,
            would_be,
            limit,
        } => td_string!(locale, refusals.too_many_accounts, backup, would_be, limit),
        Refusal::TooManyProjects {
            backup,
            would_be,
            limit,
        } => td_string!(locale, refusals.too_many_projects, backup, would_be, limit),
        Refusal::LockedAgainst {
            backup,
            reason,
            action,
        } => {
            let reason = lock_reason(locale, reason);
            match action {
                LockedAction::Delete => td_string!(locale, refusals.locked_delete, backup, reason),
                LockedAction::ReleaseCluster => {
                    td_string!(locale, refusals.locked_release, backup, reason)
                }
                LockedAction::Restore => {
                    td_string!(locale, refusals.locked_restore, backup, reason)
                }
            }
        }
        Refusal::SharingNotEnabled => td_string!(locale, refusals.sharing_not_enabled).to_owned(),
        Refusal::TooManySharedBackups { would_be, limit } => {
            td_string!(locale, refusals.too_many_shared_backups, would_be, limit)
        }
        Refusal::TooManySharedClusterBackups { would_be, limit } => {
            td_string!(
                locale,
                refusals.too_many_shared_cluster_backups,
                would_be,
                limit
            )
        }
    }
}

/// Why a backup is locked. The refusal carries the domain's clause (`LockReason::describe`);
/// any other text is shown as it came.
fn lock_reason(locale: Locale, reason: &str) -> String {
    if reason == LockReason::Restoring.describe() {
        td_string!(locale, refusals.lock.restoring).to_owned()
    } else if reason == LockReason::ConvertingToLevel2.describe() {
        td_string!(locale, refusals.lock.converting).to_owned()
    } else {
        reason.to_owned()
    }
}

/// A change the current state rules out.
pub fn conflict(locale: Locale, conflict: &Conflict) -> String {
    match conflict {
        Conflict::InvitationIs(status) => {
            let state = invitation_state(locale, *status);
            td_string!(locale, refusals.invitation_is, state)
        }
        Conflict::InvitationNotDue => td_string!(locale, refusals.invitation_not_due).to_owned(),
        Conflict::InvitationExpired => td_string!(locale, refusals.invitation_expired).to_owned(),
        Conflict::AnsweredMeanwhile => td_string!(locale, refusals.answered_meanwhile).to_owned(),
        Conflict::Grant { from, to } => {
            let (from, to) = (grant_status(locale, *from), grant_move(locale, *to));
            td_string!(locale, refusals.grant, from, to)
        }
        Conflict::RevocationNotDue => td_string!(locale, refusals.revocation_not_due).to_owned(),
        Conflict::Revoking => td_string!(locale, refusals.revoking).to_owned(),
        Conflict::Copy { from, to } => {
            let (from, to) = (copy_status(locale, *from), copy_move(locale, *to));
            td_string!(locale, refusals.copy, from, to)
        }
        Conflict::CopyInProgress { percent } => {
            td_string!(locale, refusals.copy_in_progress, percent)
        }
        Conflict::CopyFailed => td_string!(locale, refusals.copy_failed).to_owned(),
        Conflict::CopyDeleted => td_string!(locale, refusals.copy_deleted).to_owned(),
        Conflict::NoCopyYet => td_string!(locale, refusals.no_copy_yet).to_owned(),
        Conflict::PreviousCopyRemoving => {
            td_string!(locale, refusals.previous_copy_removing).to_owned()
        }
        Conflict::AlreadyCopied => td_string!(locale, refusals.already_copied).to_owned(),
        Conflict::ShareEnded(what) => {
            let what = match what {
                EndedFor::Copy => td_string!(locale, refusals.ended_for.copy),
                EndedFor::RetryCopy => td_string!(locale, refusals.ended_for.retry_copy),
            };
            td_string!(locale, refusals.share_ended, what)
        }
        Conflict::KeyNotGranted(backup) => td_string!(locale, refusals.key_not_granted, backup),
        Conflict::Vault(refusal) => vault_refusal(locale, refusal),
        Conflict::CoveredByFolder { recipient, folder } => {
            td_string!(locale, refusals.covered_by_folder, recipient, folder)
        }
    }
}

/// Why a vault cannot take a copy.
pub fn vault_refusal(locale: Locale, refusal: &VaultRefusal) -> String {
    match refusal {
        VaultRefusal::NotCopied { backup } => td_string!(locale, refusals.vault_not_copied, backup),
        VaultRefusal::OtherKind {
            vault,
            vault_kind,
            backup,
            backup_kind,
        } => td_string!(
            locale,
            refusals.vault_other_kind,
            vault,
            vault_kind,
            backup,
            backup_kind
        ),
        VaultRefusal::OtherRegion {
            vault,
            vault_region,
            backup,
            region,
        } => td_string!(
            locale,
            refusals.vault_other_region,
            vault,
            vault_region,
            backup,
            region
        ),
        VaultRefusal::NotEnoughSpace {
            vault,
            free,
            backup,
            needed,
        } => td_string!(
            locale,
            refusals.vault_not_enough_space,
            vault,
            free,
            backup,
            needed
        ),
    }
}

fn invitation_state(locale: Locale, status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => td_string!(locale, refusals.invitation.pending),
        InvitationStatus::Accepted => td_string!(locale, refusals.invitation.accepted),
        InvitationStatus::Rejected => td_string!(locale, refusals.invitation.rejected),
        InvitationStatus::Expired => td_string!(locale, refusals.invitation.expired),
        InvitationStatus::Cancelled => td_string!(locale, refusals.invitation.cancelled),
    }
}

fn grant_status(locale: Locale, status: GrantStatus) -> &'static str {
    match status {
        GrantStatus::Active => td_string!(locale, refusals.grant_status.active),
        GrantStatus::Revoking => td_string!(locale, refusals.grant_status.revoking),
        GrantStatus::Revoked => td_string!(locale, refusals.grant_status.revoked),
        GrantStatus::Lost => td_string!(locale, refusals.grant_status.lost),
    }
}

fn grant_move(locale: Locale, to: GrantMove) -> &'static str {
    match to {
        GrantMove::Revoke => td_string!(locale, refusals.grant_move.revoke),
        GrantMove::FinishRevoking => td_string!(locale, refusals.grant_move.finish_revoking),
        GrantMove::Lose => td_string!(locale, refusals.grant_move.lose),
        GrantMove::Reactivate => td_string!(locale, refusals.grant_move.reactivate),
        GrantMove::Restore => td_string!(locale, refusals.grant_move.restore),
    }
}

fn copy_status(locale: Locale, status: CopyStatus) -> &'static str {
    match status {
        CopyStatus::Copying => td_string!(locale, refusals.copy_status.copying),
        CopyStatus::Available => td_string!(locale, refusals.copy_status.available),
        CopyStatus::Failed => td_string!(locale, refusals.copy_status.failed),
        CopyStatus::Deleting => td_string!(locale, refusals.copy_status.deleting),
        CopyStatus::Deleted => td_string!(locale, refusals.copy_status.deleted),
    }
}

fn copy_move(locale: Locale, to: CopyMove) -> &'static str {
    match to {
        CopyMove::Finish => td_string!(locale, refusals.copy_move.finish),
        CopyMove::Retry => td_string!(locale, refusals.copy_move.retry),
        CopyMove::Discard => td_string!(locale, refusals.copy_move.discard),
    }
}

#[cfg(test)]
mod tests {
    use backshare::ids::{AccountId, BackupId, FolderId};

    use super::*;

    fn backup() -> BackupId {
        BackupId::from_trusted("cb-acmehq-orders-001")
    }

    /// One of every refusal (and of every word inside one).
    fn refusals() -> Vec<Refusal> {
        let account = || AccountId::from_trusted("1840000000000002");
        let mut all = vec![
            Refusal::FileBackup(backup()),
            Refusal::FileBackupRestore(backup()),
            Refusal::EncryptedWithoutKey(backup()),
            Refusal::AccountNotInRegion {
                account: account(),
                region: "eu-central-1".into(),
                backup: backup(),
            },
            Refusal::ProjectInOtherRegion {
                project: "proj-x".into(),
                project_region: "us-east-1".into(),
                backup: backup(),
                region: "eu-central-1".into(),
            },
            Refusal::OtherSite(account()),
            Refusal::CrossRegion(backup()),
            Refusal::EncryptedCluster(backup()),
            Refusal::Received(backup()),
            Refusal::SelfShare,
            Refusal::NoDirectory,
            Refusal::OutsideDirectory {
                account: account(),
                directory: "Acme".into(),
            },
            Refusal::ProjectInDirectoryScope("proj-x".into()),
            Refusal::ForeignFolder("fd-x".into()),
            Refusal::TooManyAccounts {
                backup: backup(),
                would_be: 65,
                limit: 64,
            },
            Refusal::TooManyProjects {
                backup: backup(),
                would_be: 11,
                limit: 10,
            },
            Refusal::SharingNotEnabled,
            Refusal::TooManySharedBackups {
                would_be: 1001,
                limit: 1000,
            },
            Refusal::TooManySharedClusterBackups {
                would_be: 1025,
                limit: 1024,
            },
        ];
        for lock in [LockReason::Restoring, LockReason::ConvertingToLevel2] {
            let reason = lock.describe().to_owned();
            all.push(Refusal::Locked {
                backup: backup(),
                reason: reason.clone(),
            });
            for action in [
                LockedAction::Delete,
                LockedAction::ReleaseCluster,
                LockedAction::Restore,
            ] {
                all.push(Refusal::LockedAgainst {
                    backup: backup(),
                    reason: reason.clone(),
                    action,
                });
            }
        }
        all
    }

    fn conflicts() -> Vec<Conflict> {
        let mut all = vec![
            Conflict::InvitationNotDue,
            Conflict::InvitationExpired,
            Conflict::AnsweredMeanwhile,
            Conflict::RevocationNotDue,
            Conflict::Revoking,
            Conflict::CopyInProgress { percent: 42 },
            Conflict::CopyFailed,
            Conflict::CopyDeleted,
            Conflict::NoCopyYet,
            Conflict::PreviousCopyRemoving,
            Conflict::AlreadyCopied,
            Conflict::ShareEnded(EndedFor::Copy),
            Conflict::ShareEnded(EndedFor::RetryCopy),
            Conflict::KeyNotGranted(backup()),
            Conflict::CoveredByFolder {
                recipient: AccountId::from_trusted("1840000000000002"),
                folder: FolderId::from_trusted("fd-acme-east"),
            },
            Conflict::Vault(VaultRefusal::NotCopied { backup: backup() }),
            Conflict::Vault(VaultRefusal::OtherKind {
                vault: "v-1".into(),
                vault_kind: "server".into(),
                backup: backup(),
                backup_kind: "disk backup".into(),
            }),
            Conflict::Vault(VaultRefusal::OtherRegion {
                vault: "v-1".into(),
                vault_region: "us-east-1".into(),
                backup: backup(),
                region: "eu-central-1".into(),
            }),
            Conflict::Vault(VaultRefusal::NotEnoughSpace {
                vault: "v-1".into(),
                free: "1.0 GiB".into(),
                backup: backup(),
                needed: "2.0 GiB".into(),
            }),
        ];
        for status in [
            InvitationStatus::Pending,
            InvitationStatus::Accepted,
            InvitationStatus::Rejected,
            InvitationStatus::Expired,
            InvitationStatus::Cancelled,
        ] {
            all.push(Conflict::InvitationIs(status));
        }
        for from in [
            GrantStatus::Active,
            GrantStatus::Revoking,
            GrantStatus::Revoked,
            GrantStatus::Lost,
        ] {
            for to in [
                GrantMove::Revoke,
                GrantMove::FinishRevoking,
                GrantMove::Lose,
                GrantMove::Reactivate,
                GrantMove::Restore,
            ] {
                all.push(Conflict::Grant { from, to });
            }
        }
        for from in [
            CopyStatus::Copying,
            CopyStatus::Available,
            CopyStatus::Failed,
            CopyStatus::Deleting,
            CopyStatus::Deleted,
        ] {
            for to in [CopyMove::Finish, CopyMove::Retry, CopyMove::Discard] {
                all.push(Conflict::Copy { from, to });
            }
        }
        all
    }

    /// In Chinese: a sentence of its own, with every value filled in.
    fn translated(english: &str, chinese: &str) {
        assert_ne!(chinese, english);
        assert!(!chinese.contains("{{"), "{chinese}");
        assert!(
            chinese
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{chinese}"
        );
    }

    /// One of every other typed error: what was not found, what is denied, input that
    /// cannot be used, and the per-account caps.
    fn other_reasons() -> Vec<Reason> {
        let id = || "x-1".to_owned();
        let mut all = vec![
            Missing::Backup(id()),
            Missing::ResourceShare,
            Missing::Invitation,
            Missing::AccessKey(id()),
            Missing::Account(id()),
            Missing::Project(id()),
            Missing::Recipient(id()),
            Missing::Resource(id()),
            Missing::Directory(id()),
            Missing::Vault(id()),
            Missing::ReceivedBackup,
            Missing::Copy,
        ]
        .into_iter()
        .map(Reason::NotFound)
        .collect::<Vec<_>>();
        all.extend(
            [
                Denied::Viewer("vic@acme.example".into()),
                Denied::ReceivedSharing(id()),
                Denied::ReceivedDelete(id()),
                Denied::NotShareOwner,
                Denied::NotInvitee,
            ]
            .map(Reason::Forbidden),
        );
        let mut bad = vec![
            BadInput::NotAccountId("12".into()),
            BadInput::NotProjectId("p".into()),
            BadInput::NotFolderId("f".into()),
            BadInput::NoPrincipal,
            BadInput::NoBackups,
            BadInput::NoPrincipals,
            BadInput::NoShareName,
            BadInput::ShareNameTooLong {
                length: 65,
                limit: 64,
            },
            BadInput::ShareNameTaken("orders".into()),
            BadInput::SearchTooLong(64),
            BadInput::TooManyAccessKeys(2),
            BadInput::NoVaultChosen {
                name: "web".into(),
                backup: id(),
            },
            BadInput::PagePosition,
            BadInput::LimitNotPositive,
            BadInput::FolderNotInDirectory {
                folder: "fd-x".into(),
                directory: "rd-x".into(),
            },
        ];
        for field in [
            Field::ResourceShareName,
            Field::BackupId,
            Field::Principal,
            Field::AccessKeyId,
            Field::InvitationId,
            Field::ArnId,
            Field::ClientToken,
        ] {
            bad.push(BadInput::HiddenCharacter {
                field,
                code: 0x200b,
            });
            bad.push(BadInput::IdTooLong {
                field,
                length: 129,
                limit: 128,
            });
        }
        for items in [Items::Backups, Items::Principals, Items::Arns] {
            bad.push(BadInput::TooManyItems {
                items,
                count: 101,
                limit: 100,
            });
        }
        for kind in [
            ResourceKind::Server,
            ResourceKind::Disk,
            ResourceKind::Cluster,
        ] {
            bad.push(BadInput::NotYourProject {
                project: "proj-x".into(),
                region: "eu-west-1".into(),
                kind,
            });
            bad.push(BadInput::NoProjectInRegion {
                region: "eu-west-1".into(),
                kind,
            });
        }
        all.extend(bad.into_iter().map(Reason::Invalid));
        all.extend([AtCap::Restores(4), AtCap::Copies(100)].map(Reason::Busy));
        all.extend(
            [
                TransferFailure::SourceGone,
                TransferFailure::Storage,
                TransferFailure::SourceChanged,
                TransferFailure::WrittenMismatch,
                TransferFailure::Unreadable,
                TransferFailure::Undecryptable,
                TransferFailure::Fault,
            ]
            .map(Reason::Failed),
        );
        all
    }

    #[test]
    fn every_activity_note_reads_in_english_as_the_domain_says_it_and_in_chinese_as_its_own() {
        let id = || "x-1".to_owned();
        let mut notes = vec![
            ActivityNote::AccessKey {
                key: id(),
                email: "alice@acme.example".into(),
            },
            ActivityNote::NotAnsweredInTime,
            ActivityNote::LeftFolder,
            ActivityNote::AutoAccepted,
            ActivityNote::ReachedThrough("fd-acme-east".into()),
            ActivityNote::ReleasedWith {
                resource: id(),
                backups: "cb-1, cb-2".into(),
            },
            ActivityNote::RestoreInto {
                backup: id(),
                resource: "orders (restored)".into(),
                project: "proj-x".into(),
            },
            ActivityNote::RestoredInto {
                backup: id(),
                resource: "orders (restored)".into(),
            },
        ];
        for why in [GoneWhy::Expired, GoneWhy::Deleted, GoneWhy::Released] {
            notes.push(ActivityNote::BackupGone { backup: id(), why });
            notes.push(ActivityNote::ShareEmptied { backup: id(), why });
        }
        for note in notes {
            let english = activity_note(Locale::en, &note);
            assert_eq!(english, note.to_string());
            translated(&english, &activity_note(Locale::zh, &note));
        }
    }

    #[test]
    fn every_refusal_reads_in_english_as_the_domain_says_it_and_in_chinese_as_its_own() {
        for refusal in refusals() {
            let english = super::refusal(Locale::en, &refusal);
            assert_eq!(english, refusal.to_string());
            translated(&english, &super::refusal(Locale::zh, &refusal));
        }
        for conflict in conflicts() {
            let english = super::conflict(Locale::en, &conflict);
            assert_eq!(english, conflict.to_string());
            translated(&english, &super::conflict(Locale::zh, &conflict));
        }
        for other in other_reasons() {
            let english = super::reason(Locale::en, &other);
            let domain = match &other {
                Reason::NotFound(m) => m.to_string(),
                Reason::Forbidden(d) => d.to_string(),
                Reason::Invalid(b) => b.to_string(),
                Reason::Busy(c) => c.to_string(),
                Reason::Failed(f) => f.to_string(),
                _ => unreachable!(),
            };
            assert_eq!(english, domain);
            translated(&english, &super::reason(Locale::zh, &other));
        }
    }
}
