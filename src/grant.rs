//! The reference-grant state machine for cluster backups (PRODUCT.md §2): `active` →
//! `revoking` (the owner cancelled; a background job finishes it after the revocation delay;
//! restore is refused meanwhile) → `revoked`; or `lost` when the backup is deleted or
//! expires, or its cluster is released (rule 11).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::conflict::{Conflict, GrantMove};

/// Where a grant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GrantStatus {
    /// Readable and restorable; shown as "Accepted".
    Active,
    /// Cancelled by the owner, finishing after the revocation delay.
    Revoking,
    Revoked,
    Lost,
}

#[cfg(feature = "server")]
crate::store::text_column!(GrantStatus, GrantStatus::from_word);

impl GrantStatus {
    /// The word as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoking => "revoking",
            Self::Revoked => "revoked",
            Self::Lost => "lost",
        }
    }

    /// Reads a stored word.
    pub fn from_word(word: &str) -> Option<Self> {
        [Self::Active, Self::Revoking, Self::Revoked, Self::Lost]
            .into_iter()
            .find(|s| s.as_str() == word)
    }

    /// Whether the recipient still sees the backup on "Shared With Me".
    pub fn is_visible_to_recipient(self) -> bool {
        matches!(self, Self::Active | Self::Revoking)
    }
}

/// A grant as its transitions see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub status: GrantStatus,
    /// When a revoking grant becomes revoked.
    pub revoke_at: Option<DateTime<Utc>>,
}

impl Grant {
    /// A grant as created when the recipient accepts.
    pub fn active() -> Self {
        Self {
            status: GrantStatus::Active,
            revoke_at: None,
        }
    }

    /// The owner cancels: access ends once `delay` has passed (the system task schedule).
    pub fn revoke(self, now: DateTime<Utc>, delay: Duration) -> Result<Grant, Conflict> {
        match self.status {
            GrantStatus::Active => Ok(Grant {
                status: GrantStatus::Revoking,
                revoke_at: Some(now + delay),
            }),
            from => Err(Conflict::Grant {
                from,
                to: GrantMove::Revoke,
            }),
        }
    }

    /// The background job finishes a revocation whose delay has passed.
    pub fn finish_revocation(self, now: DateTime<Utc>) -> Result<Grant, Conflict> {
        match (self.status, self.revoke_at) {
            (GrantStatus::Revoking, Some(at)) if now >= at => Ok(Grant {
                status: GrantStatus::Revoked,
                revoke_at: self.revoke_at,
            }),
            (GrantStatus::Revoking, _) => Err(Conflict::RevocationNotDue),
            (from, _) => Err(Conflict::Grant {
                from,
                to: GrantMove::FinishRevoking,
            }),
        }
    }

    /// The backup is gone (deleted, expired, or its cluster released).
    pub fn lose(self) -> Result<Grant, Conflict> {
        match self.status {
            GrantStatus::Active | GrantStatus::Revoking => Ok(Grant {
                status: GrantStatus::Lost,
                revoke_at: self.revoke_at,
            }),
            from => Err(Conflict::Grant {
                from,
                to: GrantMove::Lose,
            }),
        }
    }

    /// The recipient accepted again after the owner re-added it: a revoking or revoked
    /// grant is active again. A lost backup stays lost.
    pub fn reactivate(self) -> Result<Grant, Conflict> {
        match self.status {
            GrantStatus::Revoking | GrantStatus::Revoked => Ok(Grant::active()),
            from => Err(Conflict::Grant {
                from,
                to: GrantMove::Reactivate,
            }),
        }
    }

    /// Restoring needs an active grant; during revoking it is refused with the reason.
    pub fn check_restorable(self) -> Result<(), Conflict> {
        match self.status {
            GrantStatus::Active => Ok(()),
            GrantStatus::Revoking => Err(Conflict::Revoking),
            from => Err(Conflict::Grant {
                from,
                to: GrantMove::Restore,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(status: GrantStatus, revoke_at: Option<DateTime<Utc>>) -> Grant {
        Grant { status, revoke_at }
    }

    #[test]
    fn an_active_grant_goes_revoking_until_the_delay_passes() {
        let now = Utc::now();
        let revoking = Grant::active().revoke(now, Duration::minutes(10)).unwrap();
        assert_eq!(revoking.status, GrantStatus::Revoking);
        assert_eq!(revoking.revoke_at, Some(now + Duration::minutes(10)));
        assert!(revoking.finish_revocation(now).is_err());
        let revoked = revoking
            .finish_revocation(now + Duration::minutes(10))
            .unwrap();
        assert_eq!(revoked.status, GrantStatus::Revoked);
    }

    #[test]
    fn only_an_active_grant_can_be_revoked() {
        let now = Utc::now();
        for status in [
            GrantStatus::Revoking,
            GrantStatus::Revoked,
            GrantStatus::Lost,
        ] {
            assert!(grant(status, Some(now))
                .revoke(now, Duration::zero())
                .is_err());
        }
    }

    #[test]
    fn only_a_revoking_grant_finishes_revoking() {
        let now = Utc::now();
        for status in [GrantStatus::Active, GrantStatus::Revoked, GrantStatus::Lost] {
            assert!(grant(status, Some(now)).finish_revocation(now).is_err());
        }
    }

    #[test]
    fn active_and_revoking_grants_can_be_lost_and_finished_ones_cannot() {
        let now = Utc::now();
        assert_eq!(Grant::active().lose().unwrap().status, GrantStatus::Lost);
        assert_eq!(
            grant(GrantStatus::Revoking, Some(now))
                .lose()
                .unwrap()
                .status,
            GrantStatus::Lost
        );
        assert!(grant(GrantStatus::Revoked, Some(now)).lose().is_err());
        assert!(grant(GrantStatus::Lost, None).lose().is_err());
    }

    #[test]
    fn a_re_added_recipient_that_accepts_again_is_active_unless_the_backup_was_lost() {
        let now = Utc::now();
        for status in [GrantStatus::Revoking, GrantStatus::Revoked] {
            assert_eq!(
                grant(status, Some(now)).reactivate(),
                Ok(Grant::active()),
                "{status:?}"
            );
        }
        assert!(grant(GrantStatus::Lost, None).reactivate().is_err());
        assert!(Grant::active().reactivate().is_err());
    }

    #[test]
    fn restore_is_refused_while_revoking_with_a_reason() {
        let now = Utc::now();
        assert!(Grant::active().check_restorable().is_ok());
        let err = grant(GrantStatus::Revoking, Some(now))
            .check_restorable()
            .unwrap_err();
        assert!(err.to_string().contains("cancelled"));
        assert!(grant(GrantStatus::Revoked, Some(now))
            .check_restorable()
            .is_err());
        assert!(grant(GrantStatus::Lost, None).check_restorable().is_err());
    }

    #[test]
    fn only_active_and_revoking_grants_stay_on_the_recipients_page() {
        assert!(GrantStatus::Active.is_visible_to_recipient());
        assert!(GrantStatus::Revoking.is_visible_to_recipient());
        assert!(!GrantStatus::Revoked.is_visible_to_recipient());
        assert!(!GrantStatus::Lost.is_visible_to_recipient());
    }
}
