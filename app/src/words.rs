//! The domain's closed vocabularies as a table shows them, in the page's language.

use backshare::model::{BackupKind, LockReason};

use crate::i18n::*;

/// A backup's kind ("Server backup", …); in English, `BackupKind::label`.
pub fn backup_kind(locale: Locale, kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::ServerBackup => td_string!(locale, common.backup_kind.server_backup),
        BackupKind::DiskBackup => td_string!(locale, common.backup_kind.disk_backup),
        BackupKind::ClusterBackup => td_string!(locale, common.backup_kind.cluster_backup),
        BackupKind::FileBackup => td_string!(locale, common.backup_kind.file_backup),
    }
}

/// A backup's state on "Backups": available, or locked and why (rule 6); in English, the
/// domain's `BackupSummary::status`.
pub fn backup_state(locale: Locale, lock: Option<LockReason>) -> &'static str {
    match lock {
        None => td_string!(locale, common.backup_state.available),
        Some(LockReason::Restoring) => td_string!(locale, common.backup_state.locked_restoring),
        Some(LockReason::ConvertingToLevel2) => {
            td_string!(locale, common.backup_state.locked_converting)
        }
    }
}
