//! Account keys and backup data keys (rule 5). Each account's key is made on first use and
//! kept wrapped by the master key; an encrypted backup's data key is kept wrapped by its
//! owner's account key, and re-wrapped for a recipient when the owner granted it.

use super::*;
use crate::crypto::{seal, SecretKey};

impl Backshare {
    /// The account's key, made and stored (wrapped) the first time it is needed.
    pub(super) async fn account_key(
        &self,
        conn: &mut crate::db::Conn,
        account: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<SecretKey> {
        if let Some(wrapped) = store::accounts::wrapped_key(conn, account).await? {
            return Ok(self.master_key.unwrap_key(&wrapped)?);
        }
        let key = SecretKey::generate();
        // Two first uses at once: one insert wins and both read the winner back.
        store::accounts::add_key(conn, account, &self.master_key.wrap(&key), millis(now)).await?;
        let wrapped = store::accounts::wrapped_key(conn, account)
            .await?
            .ok_or_else(|| ServiceError::Corrupt(format!("account {account} lost its key")))?;
        Ok(self.master_key.unwrap_key(&wrapped)?)
    }

    /// An encrypted backup's data key, opened with its owner's account key.
    pub(super) async fn backup_data_key(
        &self,
        conn: &mut crate::db::Conn,
        backup: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<SecretKey> {
        let row = store::backups::wrapped_key(&mut *conn, backup).await?;
        let wrapped = row.wrapped_key.ok_or_else(|| {
            ServiceError::Corrupt(format!("encrypted backup {backup} has no data key"))
        })?;
        let account_key = self.account_key(conn, row.account_id.as_str(), now).await?;
        Ok(account_key.unwrap_key(&wrapped)?)
    }

    /// Stores a backup's bytes as a backup is taken: sealed with a fresh data key when the
    /// backup is encrypted. Returns (content SHA-256, stored SHA-256, wrapped data key).
    pub async fn store_backup_bytes(
        &self,
        conn: &mut crate::db::Conn,
        owner: &str,
        backup: &str,
        plain: Vec<u8>,
        encrypted: bool,
        now: DateTime<Utc>,
    ) -> ServiceResult<(String, String, Option<String>)> {
        let content = crate::objects::sha256_hex(&plain);
        if !encrypted {
            let stored = self.objects.put("backups", backup, plain).await?;
            return Ok((content, stored, None));
        }
        let data_key = SecretKey::generate();
        let wrapped = self.account_key(conn, owner, now).await?.wrap(&data_key);
        let stored = self
            .objects
            .put("backups", backup, seal(&data_key, &plain))
            .await?;
        Ok((content, stored, Some(wrapped)))
    }
}
