//! Amazon Resource Names for what the API names: resource shares, invitations and
//! backups, in the six-part shape the AWS tools accept,
//! `arn:<partition>:<service>:<region>:<account>:<type>/<id>`. The partition follows the
//! account's site (`aws`, or `aws-cn` for the China site), as Terraform's ARN check wants.

use crate::model::Site;

/// What an ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ResourceShare,
    Invitation,
    Backup,
}

impl Kind {
    fn service(self) -> &'static str {
        match self {
            Self::ResourceShare | Self::Invitation => "ram",
            Self::Backup => "backshare",
        }
    }

    fn resource_type(self) -> &'static str {
        match self {
            Self::ResourceShare => "resource-share",
            Self::Invitation => "resource-share-invitation",
            Self::Backup => "backup",
        }
    }
}

/// The ARN partition of a site.
pub fn partition(site: Site) -> &'static str {
    match site {
        Site::International => "aws",
        Site::China => "aws-cn",
    }
}

/// The ARN of `id`, of account `account`, in `region`.
pub fn format(kind: Kind, site: Site, region: &str, account: &str, id: &str) -> String {
    format!(
        "arn:{}:{}:{region}:{account}:{}/{id}",
        partition(site),
        kind.service(),
        kind.resource_type()
    )
}

/// Why an ARN was refused, in words for the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

/// The id in an ARN of `kind` in `site`'s partition. The region and account parts are
/// checked for shape only: which thing the id names, and whether the caller may see it,
/// is the services' to decide.
pub fn parse(kind: Kind, site: Site, arn: &str) -> Result<String, Malformed> {
    let refused = || {
        Malformed(format!(
            "The ARN {} is malformed: expected arn:{}:{}:<region>:<account>:{}/<id>.",
            crate::input::bounded(arn, 200),
            partition(site),
            kind.service(),
            kind.resource_type()
        ))
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", part, service, region, account, resource] = parts[..] else {
        return Err(refused());
    };
    let (resource_type, id) = resource.split_once('/').ok_or_else(refused)?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if part != partition(site)
        || service != kind.service()
        || resource_type != kind.resource_type()
        || !plain(region)
        || !plain(account)
        || !plain(id)
    {
        return Err(refused());
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_read_back_and_others_are_refused_naming_the_shape() {
        let arn = format(
            Kind::ResourceShare,
            Site::International,
            "ap-southeast-1",
            "1840000000000001",
            "rs-1",
        );
        assert_eq!(
            arn,
            "arn:aws:ram:ap-southeast-1:1840000000000001:resource-share/rs-1"
        );
        assert_eq!(
            parse(Kind::ResourceShare, Site::International, &arn).unwrap(),
            "rs-1"
        );
        let cn = format(
            Kind::Backup,
            Site::China,
            "cn-north-1",
            "1860000000000004",
            "cb-1",
        );
        assert_eq!(
            cn,
            "arn:aws-cn:backshare:cn-north-1:1860000000000004:backup/cb-1"
        );
        assert_eq!(parse(Kind::Backup, Site::China, &cn).unwrap(), "cb-1");
        for bad in [
            "rs-1",
            "arn:aws:ram:ap-southeast-1:1840000000000001:resource-share-invitation/rs-1",
            "arn:aws-cn:ram:ap-southeast-1:1840000000000001:resource-share/rs-1",
            "arn:aws:ram:ap-southeast-1:1840000000000001:resource-share/",
            "arn:aws:ram:ap-southeast-1:1840000000000001:resource-share/a/b",
            "arn:aws:ram::1840000000000001:resource-share/rs-1",
        ] {
            let refusal = parse(Kind::ResourceShare, Site::International, bad).unwrap_err();
            assert!(
                refusal
                    .0
                    .contains("arn:aws:ram:<region>:<account>:resource-share/<id>"),
                "{bad}"
            );
        }
    }
}
