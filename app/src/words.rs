//! The domain's closed vocabularies as a table shows them, in the page's language.

use backshare::model::BackupKind;

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
