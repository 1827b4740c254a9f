//! The API's listings (see `store::listings`): one keyset page per call, the caller's
//! own rows only. The RAM endpoint turns them into RAM's shapes.

use super::*;
use crate::paging::Cursor;
use crate::store::listings::{ListedBackup, ListedInvitation, ListedPrincipal, ListedShare};

/// The most rows one listing call returns (RAM's `maxResults` allows up to 500).
pub const LISTING_MAX: usize = 500;

/// One page of a listing, and where the next starts (`None`: this is the last).
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next: Option<PageAt>,
}

/// Whose side a listing takes: what the caller's account owns, or what it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Owned,
    Received,
}

/// What the share listings can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ShareFilter {
    pub name: Option<String>,
    pub share_ids: Vec<String>,
}

/// What the invitation listings can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct InvitationFilter {
    pub invitation_ids: Vec<String>,
    pub share_ids: Vec<String>,
    /// The recipient account (the owner's side only).
    pub recipient: Option<String>,
}

/// Reads `size` rows at `at` (one more, to know whether there is a next page).
async fn page<R, Fut>(
    at: &PageAt,
    size: usize,
    cursor: impl Fn(&R) -> Cursor,
    read: impl FnOnce(i64) -> Fut,
) -> ServiceResult<Listing<R>>
where
    Fut: std::future::Future<Output = sqlx::Result<Vec<R>>>,
{
    let size = size.clamp(1, LISTING_MAX);
    let (items, more) = at.settle(read(size as i64 + 1).await?, size);
    let next = items
        .last()
        .filter(|_| more)
        .map(|last| PageAt::Older(cursor(last)));
    Ok(Listing { items, next })
}

fn bounded(ids: &[String]) -> ServiceResult<()> {
    crate::input::check_count(crate::error::Items::Arns, ids.len())?;
    for id in ids {
        crate::input::check_id(crate::error::Field::ArnId, id)?;
    }
    Ok(())
}

impl Backshare {
    /// The caller's resource shares (owned), or those other accounts share with it
    /// (pending or accepted), newest first.
    pub async fn listed_shares(
        &self,
        caller: &Caller,
        side: Side,
        filter: &ShareFilter,
        at: &PageAt,
        size: usize,
    ) -> ServiceResult<Listing<ListedShare>> {
        bounded(&filter.share_ids)?;
        let name = filter.name.as_deref();
        let cursor = |s: &ListedShare| Cursor {
            at: s.listed_at,
            id: s.id.to_string(),
        };
        let account = &caller.account_id;
        let ids = &filter.share_ids;
        page(at, size, cursor, |limit| async move {
            match side {
                Side::Owned => {
                    store::listings::owned_shares(&self.db, account, name, ids, at, limit).await
                }
                Side::Received => {
                    store::listings::received_shares(&self.db, account, name, ids, at, limit).await
                }
            }
        })
        .await
    }

    /// Invitations the caller's account received, or sent for its shares (one per
    /// recipient), newest first.
    pub async fn listed_invitations(
        &self,
        caller: &Caller,
        side: Side,
        filter: &InvitationFilter,
        at: &PageAt,
        size: usize,
    ) -> ServiceResult<Listing<ListedInvitation>> {
        let (invitation_ids, share_ids) = (&filter.invitation_ids, &filter.share_ids);
        let recipient = filter.recipient.as_deref();
        bounded(invitation_ids)?;
        bounded(share_ids)?;
        let cursor = |i: &ListedInvitation| Cursor {
            at: i.created_at,
            id: i.id.to_string(),
        };
        let account = &caller.account_id;
        page(at, size, cursor, |limit| async move {
            match side {
                Side::Received => {
                    store::listings::invitations_received(
                        &self.db,
                        account,
                        invitation_ids,
                        share_ids,
                        at,
                        limit,
                    )
                    .await
                }
                Side::Owned => {
                    store::listings::invitations_sent(
                        &self.db, account, share_ids, recipient, at, limit,
                    )
                    .await
                }
            }
        })
        .await
    }

    /// The backups in the caller's shares (owned), or those it received, newest first.
    pub async fn listed_backups(
        &self,
        caller: &Caller,
        side: Side,
        share_ids: &[String],
        backup_ids: &[String],
        at: &PageAt,
        size: usize,
    ) -> ServiceResult<Listing<ListedBackup>> {
        bounded(share_ids)?;
        bounded(backup_ids)?;
        let cursor = |b: &ListedBackup| Cursor {
            at: b.listed_at,
            id: b.listed_id.clone(),
        };
        let account = &caller.account_id;
        page(at, size, cursor, |limit| async move {
            match side {
                Side::Owned => {
                    store::listings::backups_shared(
                        &self.db, account, share_ids, backup_ids, at, limit,
                    )
                    .await
                }
                Side::Received => {
                    store::listings::backups_received(
                        &self.db, account, share_ids, backup_ids, at, limit,
                    )
                    .await
                }
            }
        })
        .await
    }

    /// The principals of the caller's shares, as typed, newest first.
    pub async fn listed_principals(
        &self,
        caller: &Caller,
        share_ids: &[String],
        principal_ids: &[String],
        at: &PageAt,
        size: usize,
    ) -> ServiceResult<Listing<ListedPrincipal>> {
        bounded(share_ids)?;
        bounded(principal_ids)?;
        let cursor = |p: &ListedPrincipal| Cursor {
            at: p.added_at,
            id: p.listed_id.clone(),
        };
        let account = &caller.account_id;
        page(at, size, cursor, |limit| async move {
            store::listings::principals(&self.db, account, share_ids, principal_ids, at, limit)
                .await
        })
        .await
    }

    /// The backups a pending invitation offers, for its recipient (as "Shared With Me"
    /// shows them before Accept). Another account's invitation is not found.
    pub async fn invitation_backups(
        &self,
        caller: &Caller,
        invitation_id: &str,
    ) -> ServiceResult<(ListedInvitation, Vec<ListedBackup>)> {
        crate::input::check_id(crate::error::Field::InvitationId, invitation_id)?;
        let ids = [invitation_id.to_owned()];
        let found = store::listings::invitations_received(
            &self.db,
            &caller.account_id,
            &ids,
            &[],
            &PageAt::First,
            1,
        )
        .await?;
        let Some(invitation) = found.into_iter().next() else {
            return Err(UserError::NotFound(Missing::Invitation).into());
        };
        let share = [invitation.share_id.to_string()];
        // The owner's side of the share's backups, read for the invited account.
        let backups = store::listings::backups_shared(
            &self.db,
            &invitation.owner_account_id,
            &share,
            &[],
            &PageAt::First,
            LISTING_MAX as i64,
        )
        .await?;
        Ok((invitation, backups))
    }
}
