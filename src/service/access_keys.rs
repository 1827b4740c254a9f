//! Access keys: "Create access key" on "My Credentials", and what verifying a signed API
//! request needs. A key acts as its user, with that user's role.

use base64::Engine;

use super::*;
use crate::crypto::Secret;
use crate::db::Lock;
use crate::views::{AccessKeyView, NewAccessKey};

/// Keys one user may hold, active or not (as AWS allows two per user: one to rotate to).
pub const ACCESS_KEYS_PER_USER: usize = 2;

/// A key's last use is written at most this often, so a busy script does not turn every
/// read into a write.
const LAST_USED_EVERY_MS: i64 = 60_000;

/// A use of a key after this long unused appears in Activity ("Use access key"), so the
/// account sees when a key it forgot comes back, without a line per request.
const USE_NOTED_AFTER_MS: i64 = 60 * 60_000;

/// The user a signed request acts as, with the key's secret to check the signature.
#[derive(Debug, Clone)]
pub struct SigningKey {
    pub key_id: String,
    pub caller: Caller,
    pub secret: Secret,
    last_used_at: Option<i64>,
}

impl Backshare {
    /// "Create access key": a new key for the calling user, its secret returned this once.
    pub async fn create_access_key(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> ServiceResult<NewAccessKey> {
        let id = format!("BKSH{}", hex::encode_upper(random_bytes::<8>()));
        let secret =
            Secret::new(base64::engine::general_purpose::STANDARD.encode(random_bytes::<30>()));
        let sealed = self.master_key.seal_secret(&secret);
        let mut tx = self.writer.begin().await?;
        tx.lock(&[Lock::account(caller.account_id.as_str())])
            .await?;
        let held = store::access_keys::of_user(&mut *tx, caller.user_id.as_str()).await?;
        if held.len() >= ACCESS_KEYS_PER_USER {
            return Err(
                UserError::Invalid(BadInput::TooManyAccessKeys(ACCESS_KEYS_PER_USER)).into(),
            );
        }
        store::access_keys::insert(&mut *tx, &id, caller.user_id.as_str(), &sealed, millis(now))
            .await?;
        self.note_key(&mut tx, caller, ActivityAction::CreateAccessKey, &id, now)
            .await?;
        tx.commit().await?;
        Ok(NewAccessKey {
            id,
            secret: secret.expose().to_owned(),
        })
    }

    /// The calling user's keys, oldest first.
    pub async fn access_keys(&self, caller: &Caller) -> ServiceResult<Vec<AccessKeyView>> {
        let rows = store::access_keys::of_user(&self.db, caller.user_id.as_str()).await?;
        Ok(rows
            .into_iter()
            .map(|row| AccessKeyView {
                id: row.id,
                active: row.active.0,
                created_at: instant(row.created_at),
                last_used_at: row.last_used_at.map(instant),
            })
            .collect())
    }

    /// "Deactivate": the key stays listed but signs nothing any more.
    pub async fn deactivate_access_key(
        &self,
        caller: &Caller,
        key_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.end_key(caller, key_id, false, now).await
    }

    /// "Delete": the key is gone.
    pub async fn delete_access_key(
        &self,
        caller: &Caller,
        key_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.end_key(caller, key_id, true, now).await
    }

    /// Deactivates or deletes one of the caller's own keys (another user's is not found).
    async fn end_key(
        &self,
        caller: &Caller,
        key_id: &str,
        delete: bool,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        crate::input::check_id(crate::error::Field::AccessKeyId, key_id)?;
        let user = caller.user_id.as_str();
        let mut tx = self.writer.begin().await?;
        let (ended, action) = if delete {
            (
                store::access_keys::delete(&mut *tx, key_id, user).await?,
                ActivityAction::DeleteAccessKey,
            )
        } else {
            (
                store::access_keys::deactivate(&mut *tx, key_id, user).await?,
                ActivityAction::DeactivateAccessKey,
            )
        };
        if !ended {
            return Err(UserError::NotFound(Missing::AccessKey(key_id.to_owned())).into());
        }
        self.note_key(&mut tx, caller, action, key_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user an active key acts as, and its secret; `None` for an unknown or inactive
    /// key (the caller answers both alike). Reads only: [`Backshare::key_used`] notes the
    /// use once the signature is verified.
    pub async fn signing_key(&self, key_id: &str) -> ServiceResult<Option<SigningKey>> {
        if crate::input::check_id(crate::error::Field::AccessKeyId, key_id).is_err() {
            return Ok(None);
        }
        let Some(row) = store::access_keys::signing_key(&self.db, key_id).await? else {
            return Ok(None);
        };
        if !row.active.0 {
            return Ok(None);
        }
        let Some(caller) = self.caller(&UserId::from_trusted(row.user_id)).await? else {
            return Ok(None);
        };
        let secret = self.master_key.open_secret(&row.secret_sealed)?;
        Ok(Some(SigningKey {
            key_id: key_id.to_owned(),
            caller,
            secret,
            last_used_at: row.last_used_at,
        }))
    }

    /// Records a verified use of a key: its "last used", at most once a minute, and a line
    /// in Activity when it had been unused for an hour.
    pub async fn key_used(&self, key: &SigningKey, now: DateTime<Utc>) -> ServiceResult<()> {
        let key_id = key.key_id.as_str();
        let since = key.last_used_at.map(|at| millis(now) - at);
        if since.is_some_and(|ms| ms < LAST_USED_EVERY_MS) {
            return Ok(());
        }
        let mut tx = self.writer.begin().await?;
        store::access_keys::touch(&mut *tx, key_id, millis(now)).await?;
        if since.is_none_or(|ms| ms >= USE_NOTED_AFTER_MS) {
            self.note_key(
                &mut tx,
                &key.caller,
                ActivityAction::UseAccessKey,
                key_id,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn note_key(
        &self,
        conn: &mut crate::db::Conn,
        caller: &Caller,
        action: ActivityAction,
        key_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let line = Line {
            actor: Some(caller),
            action,
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: None,
            detail: String::new(),
            outcome: DONE,
            reason: None,
            note: Some(ActivityNote::AccessKey {
                key: key_id.to_owned(),
                email: caller.email.clone(),
            }),
        };
        activity::record(conn, line, now).await
    }
}

/// Bytes from the operating system's generator.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    bytes
}
