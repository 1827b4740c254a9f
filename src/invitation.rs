//! The invitation state machine (PRODUCT.md §2): `pending` → `accepted` | `rejected` |
//! `expired` (unanswered past its deadline) | `cancelled` (the owner removed the principal
//! first). Every answered state is final.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::conflict::Conflict;

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Rejected,
    Expired,
    Cancelled,
}

#[cfg(feature = "server")]
crate::store::text_column!(InvitationStatus, InvitationStatus::from_word);

impl InvitationStatus {
    /// The word as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored word.
    pub fn from_word(word: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Accepted,
            Self::Rejected,
            Self::Expired,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
    }
}

/// The part of an invitation its transitions depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invitation {
    pub status: InvitationStatus,
    /// After this instant a pending invitation can no longer be answered: it has expired.
    pub expires_at: DateTime<Utc>,
}

impl Invitation {
    /// The recipient accepts. Refused once answered, and once the deadline has passed.
    pub fn accept(self, now: DateTime<Utc>) -> Result<InvitationStatus, Conflict> {
        self.answer(now, InvitationStatus::Accepted)
    }

    /// The recipient rejects. Same preconditions as accepting.
    pub fn reject(self, now: DateTime<Utc>) -> Result<InvitationStatus, Conflict> {
        self.answer(now, InvitationStatus::Rejected)
    }

    /// The deadline passed unanswered. Only a pending invitation past its deadline expires.
    pub fn expire(self, now: DateTime<Utc>) -> Result<InvitationStatus, Conflict> {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => Ok(InvitationStatus::Expired),
            InvitationStatus::Pending => Err(Conflict::InvitationNotDue),
            other => Err(Conflict::InvitationIs(other)),
        }
    }

    /// The owner removed the recipient before it answered.
    pub fn cancel(self) -> Result<InvitationStatus, Conflict> {
        match self.status {
            InvitationStatus::Pending => Ok(InvitationStatus::Cancelled),
            other => Err(Conflict::InvitationIs(other)),
        }
    }

    /// The owner adds the recipient again after it rejected, let the invitation expire,
    /// was cancelled, or had its access revoked: the invitation waits for an answer anew.
    pub fn invite_again(self) -> Result<InvitationStatus, Conflict> {
        match self.status {
            InvitationStatus::Pending => Err(Conflict::InvitationIs(InvitationStatus::Pending)),
            _ => Ok(InvitationStatus::Pending),
        }
    }

    fn answer(
        self,
        now: DateTime<Utc>,
        to: InvitationStatus,
    ) -> Result<InvitationStatus, Conflict> {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => Err(Conflict::InvitationExpired),
            InvitationStatus::Pending => Ok(to),
            other => Err(Conflict::InvitationIs(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use InvitationStatus::*;

    fn at(status: InvitationStatus) -> (Invitation, DateTime<Utc>) {
        let now = Utc::now();
        (
            Invitation {
                status,
                expires_at: now + Duration::days(7),
            },
            now,
        )
    }

    const ANSWERED: [InvitationStatus; 4] = [Accepted, Rejected, Expired, Cancelled];

    #[test]
    fn a_pending_invitation_can_be_accepted() {
        let (inv, now) = at(Pending);
        assert_eq!(inv.accept(now), Ok(Accepted));
    }

    #[test]
    fn a_pending_invitation_can_be_rejected() {
        let (inv, now) = at(Pending);
        assert_eq!(inv.reject(now), Ok(Rejected));
    }

    #[test]
    fn a_pending_invitation_can_be_cancelled_by_the_owner() {
        let (inv, _) = at(Pending);
        assert_eq!(inv.cancel(), Ok(Cancelled));
    }

    #[test]
    fn a_pending_invitation_expires_at_its_deadline_and_not_before() {
        let (inv, now) = at(Pending);
        assert!(inv.expire(now).is_err());
        assert_eq!(inv.expire(inv.expires_at), Ok(Expired));
    }

    #[test]
    fn an_invitation_past_its_deadline_cannot_be_answered() {
        let (inv, _) = at(Pending);
        let late = inv.expires_at;
        assert_eq!(inv.accept(late), Err(Conflict::InvitationExpired));
        assert!(inv.reject(late).is_err());
    }

    #[test]
    fn an_answered_invitation_allows_no_further_transition() {
        for status in ANSWERED {
            let (inv, now) = at(status);
            assert!(inv.accept(now).is_err(), "{status:?} accepted");
            assert!(inv.reject(now).is_err(), "{status:?} rejected");
            assert!(inv.cancel().is_err(), "{status:?} cancelled");
            assert!(inv.expire(inv.expires_at).is_err(), "{status:?} expired");
        }
    }

    #[test]
    fn an_ended_invitation_can_be_sent_again_but_a_pending_one_is_already_waiting() {
        for status in ANSWERED {
            let (inv, _) = at(status);
            assert_eq!(inv.invite_again(), Ok(Pending), "{status:?}");
        }
        assert!(at(Pending).0.invite_again().is_err());
    }

    #[test]
    fn stored_words_read_back() {
        for status in [Pending, Accepted, Rejected, Expired, Cancelled] {
            assert_eq!(InvitationStatus::from_word(status.as_str()), Some(status));
        }
        assert_eq!(InvitationStatus::from_word("maybe"), None);
    }
}
