//! Idempotent API requests: a request that names a client token runs once; a retry with
//! the same token and the same request gets the first answer, and one with the same token
//! but another request is refused.

use sha2::{Digest, Sha256};

use super::*;

/// How long a token's answer is kept.
const KEPT_FOR_MS: i64 = 24 * 60 * 60 * 1000;

/// What a request with a client token should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// Run it; then [`Backshare::token_answered`] (or [`Backshare::token_failed`]).
    Run,
    /// It ran already: this was its answer.
    Answered(String),
}

/// Why a token cannot be used for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    /// The token was used for a different request.
    Mismatch,
    /// The first request with this token is still running.
    Running,
}

impl Backshare {
    /// Claims `token` for the caller's `operation` with this `request` (its bytes, hashed).
    pub async fn claim_token(
        &self,
        caller: &Caller,
        token: &str,
        operation: &str,
        request: &[u8],
        now: DateTime<Utc>,
    ) -> ServiceResult<Result<Claimed, TokenRefusal>> {
        crate::input::check_id(crate::error::Field::ClientToken, token)?;
        let account = caller.account_id.as_str();
        let hash = hex::encode(Sha256::digest(request));
        store::client_tokens::forget_older(&self.db, account, millis(now) - KEPT_FOR_MS).await?;
        // Twice at most: a token released between the claim and the read (its request
        // failed) is claimed again.
        for _ in 0..2 {
            let claimed = store::client_tokens::claim(
                &self.db,
                account,
                token,
                operation,
                &hash,
                millis(now),
            )
            .await?;
            if claimed {
                return Ok(Ok(Claimed::Run));
            }
            let Some(row) = store::client_tokens::load(&self.db, account, token).await? else {
                continue;
            };
            return Ok(if row.operation != operation || row.request_hash != hash {
                Err(TokenRefusal::Mismatch)
            } else {
                match row.response {
                    Some(answer) => Ok(Claimed::Answered(answer)),
                    None => Err(TokenRefusal::Running),
                }
            });
        }
        Ok(Err(TokenRefusal::Running))
    }

    /// Keeps the answer of a request that ran with `token`.
    pub async fn token_answered(
        &self,
        caller: &Caller,
        token: &str,
        answer: &str,
    ) -> ServiceResult<()> {
        store::client_tokens::answer(&self.db, caller.account_id.as_str(), token, answer).await?;
        Ok(())
    }

    /// Lets `token` go: its request failed, and a retry may run.
    pub async fn token_failed(&self, caller: &Caller, token: &str) -> ServiceResult<()> {
        store::client_tokens::release(&self.db, caller.account_id.as_str(), token).await?;
        Ok(())
    }
}
