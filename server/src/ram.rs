//! An AWS RAM-compatible endpoint at `/ram`: botocore's `ram` 2018-01-04 model (rest-json,
//! `POST /ram/<operation in lower case>`, JSON bodies with lower-camel-case members),
//! signed with SigV4 (service `ram`) by a Backshare access key. Every operation calls the
//! same domain services as the pages, so nothing can be done here that the console would
//! refuse; errors carry RAM's exception names and the console's sentence.
//!
//! What RAM has words for maps onto Backshare as follows (the README says it for users):
//! - the credential scope's region is the region the call acts in: it must be one of the
//!   account's project regions, and resource share and invitation ARNs carry it; a
//!   backup's ARN carries the backup's own region;
//! - `allowExternalPrincipals` false is the scope "Objects within resource directory";
//! - a principal association is one per recipient account: ASSOCIATING while its
//!   invitation is pending, ASSOCIATED once accepted, DISASSOCIATING while Revoking,
//!   FAILED when rejected or expired;
//! - accepting an invitation that holds server or disk backups accepts it with no vault
//!   chosen: each waits on "Shared With Me" for a vault, as after an automatic accept.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::Extension;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use backshare::arn::{self, Kind};
use backshare::conflict::Conflict;
use backshare::invitation::InvitationStatus;
use backshare::model::{PrincipalScope, Site};
use backshare::paging::PageAt;
use backshare::service::client_tokens::{Claimed, TokenRefusal};
use backshare::service::listings::{InvitationFilter, Listing, ShareFilter, Side, LISTING_MAX};
use backshare::service::{Backshare, Caller, NewShare, ShareUpdate, SigningKey};
use backshare::store::listings::{ListedBackup, ListedInvitation, ListedShare};
use backshare::UserError;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::rate::ApiRate;
use crate::sigv4;

/// Rows a page holds when the request names no `maxResults`.
const DEFAULT_PAGE: usize = 50;

/// The resource type of every resource here, in `Resource.type`.
const BACKUP_TYPE: &str = "backshare:Backup";

/// An error as RAM answers it: a status, the exception's name (botocore reads it from
/// `x-amzn-ErrorType`) and a message.
#[derive(Debug)]
pub struct RamError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds until a throttled caller may try again (`Retry-After`).
    retry_after: Option<u64>,
}

impl RamError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        let status = match code {
            "ServerInternalException" => StatusCode::INTERNAL_SERVER_ERROR,
            "ThrottlingException" => StatusCode::TOO_MANY_REQUESTS,
            "MissingAuthenticationTokenException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException" => StatusCode::FORBIDDEN,
            "UnknownOperationException" => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        };
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// An access key over its call rate (see `rate`), as AWS words it.
    fn throttled(wait: std::time::Duration) -> Self {
        Self {
            retry_after: Some(wait.as_secs_f64().ceil().max(1.0) as u64),
            ..Self::new("ThrottlingException", "Rate exceeded")
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }

    fn malformed(refusal: arn::Malformed) -> Self {
        Self::new("MalformedArnException", refusal.0)
    }
}

impl IntoResponse for RamError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(json!({ "__type": self.code, "message": self.message })),
        )
            .into_response();
        response
            .headers_mut()
            .insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Which exception a domain refusal is, for an operation on invitations or on shares.
fn from_user(error: UserError, on_invitation: bool) -> RamError {
    let message = error.to_string();
    let code = match &error {
        UserError::NotFound(_) if on_invitation => "ResourceShareInvitationArnNotFoundException",
        UserError::NotFound(_) => "UnknownResourceException",
        UserError::Forbidden(_) | UserError::NotSignedIn | UserError::BadCredentials => {
            "OperationNotPermittedException"
        }
        UserError::Refused(refusal) if is_limit(refusal) => "ResourceShareLimitExceededException",
        UserError::Refused(_) => "OperationNotPermittedException",
        UserError::Conflict(Conflict::InvitationIs(InvitationStatus::Accepted)) => {
            "ResourceShareInvitationAlreadyAcceptedException"
        }
        UserError::Conflict(Conflict::InvitationIs(InvitationStatus::Rejected)) => {
            "ResourceShareInvitationAlreadyRejectedException"
        }
        UserError::Conflict(Conflict::InvitationExpired)
        | UserError::Conflict(Conflict::InvitationIs(InvitationStatus::Expired)) => {
            "ResourceShareInvitationExpiredException"
        }
        UserError::Conflict(Conflict::InvitationIs(InvitationStatus::Cancelled)) => {
            "ResourceShareInvitationArnNotFoundException"
        }
        UserError::Conflict(_) => "InvalidStateTransitionException",
        UserError::Invalid(_) => "InvalidParameterException",
        UserError::Busy(_) | UserError::Throttled { .. } => "ThrottlingException",
        UserError::Internal => "ServerInternalException",
    };
    RamError::new(code, message)
}

fn is_limit(refusal: &backshare::rules::Refusal) -> bool {
    use backshare::rules::Refusal::*;
    matches!(
        refusal,
        TooManyAccounts { .. }
            | TooManyProjects { .. }
            | TooManySharedBackups { .. }
            | TooManySharedClusterBackups { .. }
    )
}

type RamResult<T> = Result<T, RamError>;

/// Service errors on share operations.
fn shares<T>(result: backshare::service::ServiceResult<T>) -> RamResult<T> {
    result.map_err(|e| from_user(e.into(), false))
}

/// Service errors on invitation operations.
fn invitations<T>(result: backshare::service::ServiceResult<T>) -> RamResult<T> {
    result.map_err(|e| from_user(e.into(), true))
}

/// Verifies a SigV4-signed request for `service` and returns the key it was signed with
/// and the credential scope's region. Every failure is a 403 that says what to fix but
/// never whether a key exists for some other account. A verified key over its call rate
/// answers 429: only its owner, who holds the secret, can spend its calls.
pub async fn authenticate(
    svc: &Backshare,
    rate: &ApiRate,
    service: &'static str,
    received: &sigv4::Received<'_>,
    now: DateTime<Utc>,
) -> RamResult<(SigningKey, String)> {
    let denied = |e: sigv4::SigError| RamError::new(e.code(), e.to_string());
    let auth = sigv4::authorization(received.headers).map_err(denied)?;
    let amz_date = sigv4::check_scope(&auth, received.headers, service, now).map_err(denied)?;
    let key = svc
        .signing_key(&auth.key_id)
        .await
        .map_err(|e| from_user(e.into(), false))?
        .ok_or_else(|| denied(sigv4::SigError::UnknownKey))?;
    sigv4::verify(received, &auth, &amz_date, key.secret.expose()).map_err(denied)?;
    rate.take(&key.key_id).map_err(RamError::throttled)?;
    if let Err(error) = svc.key_used(&key, now).await {
        tracing::warn!(%error, "recording an access key's use failed");
    }
    Ok((key, auth.region))
}

/// Whether a RAM operation changes something (the rest only read).
fn changes(operation: &str) -> bool {
    matches!(
        operation,
        "createresourceshare"
            | "deleteresourceshare"
            | "associateresourceshare"
            | "disassociateresourceshare"
            | "acceptresourceshareinvitation"
            | "rejectresourceshareinvitation"
    )
}

/// `POST /ram/<operation>` and `DELETE /ram/deleteresourceshare`.
pub async fn endpoint(
    Extension(svc): Extension<Backshare>,
    Extension(rate): Extension<ApiRate>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = Utc::now();
    let received = sigv4::Received::of(&method, &uri, &headers, &body);
    let (key, region) = match authenticate(&svc, &rate, "ram", &received, now).await {
        Ok(signed) => signed,
        Err(error) => return error.into_response(),
    };
    let operation = uri.path().trim_start_matches("/ram/").to_owned();
    let query = uri.query().map(str::to_owned);
    let serve = move |svc: Backshare| async move {
        let call = Call {
            svc: &svc,
            caller: &key.caller,
            region,
            now,
        };
        let result = match call.check_region().await {
            Ok(()) => call.run(&operation, &method, query.as_deref(), &body).await,
            Err(error) => Err(error),
        };
        (operation, result)
    };
    // A change runs where the database's writes run best, its client token's claim and
    // answer with it: it finishes, and its token is answered, even if the client hangs up.
    let (operation, result) = match changes(uri.path().trim_start_matches("/ram/")) {
        true => svc.writing(serve).await,
        false => serve(svc).await,
    };
    match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(error) => {
            if error.status.is_server_error() {
                tracing::error!(operation, message = %error.message, "RAM operation failed");
            }
            error.into_response()
        }
    }
}

/// One verified call: who, in which region.
struct Call<'a> {
    svc: &'a Backshare,
    caller: &'a Caller,
    region: String,
    now: DateTime<Utc>,
}

/// Reads a JSON body into an operation's input (an empty body is `{}`).
fn input<T: DeserializeOwned>(body: &[u8]) -> RamResult<T> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| RamError::invalid(format!("The request body is not valid: {e}.")))
}

/// `maxResults` (1–500) and `nextToken` as a page position.
fn paging(max: Option<i64>, token: Option<&str>) -> RamResult<(usize, PageAt)> {
    let size = match max {
        None => DEFAULT_PAGE,
        Some(n) if (1..=LISTING_MAX as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(RamError::new(
                "InvalidMaxResultsException",
                format!("maxResults must be between 1 and {LISTING_MAX}; it was {n}."),
            ))
        }
    };
    let at = match token {
        None => PageAt::First,
        Some(token) => match PageAt::parse(Some(token)) {
            Ok(at @ PageAt::Older(_)) => at,
            _ => {
                return Err(RamError::new(
                    "InvalidNextTokenException",
                    "The nextToken is not one this endpoint returned.",
                ))
            }
        },
    };
    Ok((size, at))
}

fn next_token<T>(listing: &Listing<T>) -> Option<String> {
    listing.next.as_ref().and_then(PageAt::token)
}

fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CreateResourceShare {
    name: Option<String>,
    resource_arns: Vec<String>,
    principals: Vec<String>,
    allow_external_principals: Option<bool>,
    client_token: Option<String>,
    tags: Vec<Value>,
    permission_arns: Vec<String>,
    sources: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct GetResourceShares {
    resource_share_arns: Vec<String>,
    resource_share_status: Option<String>,
    resource_owner: Option<String>,
    name: Option<String>,
    tag_filters: Vec<Value>,
    next_token: Option<String>,
    max_results: Option<i64>,
    permission_arn: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Associate {
    resource_share_arn: Option<String>,
    resource_arns: Vec<String>,
    principals: Vec<String>,
    client_token: Option<String>,
    sources: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct GetAssociations {
    association_type: Option<String>,
    resource_share_arns: Vec<String>,
    resource_arn: Option<String>,
    principal: Option<String>,
    association_status: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct GetInvitations {
    resource_share_invitation_arns: Vec<String>,
    resource_share_arns: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Answer {
    resource_share_invitation_arn: Option<String>,
    client_token: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ListResources {
    resource_owner: Option<String>,
    principal: Option<String>,
    resource_type: Option<String>,
    resource_arns: Vec<String>,
    resource_share_arns: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ListPrincipals {
    resource_owner: Option<String>,
    resource_arn: Option<String>,
    principals: Vec<String>,
    resource_type: Option<String>,
    resource_share_arns: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

fn required<'v>(value: &'v Option<String>, name: &str) -> RamResult<&'v str> {
    value
        .as_deref()
        .ok_or_else(|| RamError::invalid(format!("{name} is required.")))
}

/// `SELF` or `OTHER-ACCOUNTS`.
fn side(owner: &Option<String>) -> RamResult<Side> {
    match required(owner, "resourceOwner")? {
        "SELF" => Ok(Side::Owned),
        "OTHER-ACCOUNTS" => Ok(Side::Received),
        other => Err(RamError::invalid(format!(
            "resourceOwner must be SELF or OTHER-ACCOUNTS; it was {}.",
            backshare::input::bounded(other, 40)
        ))),
    }
}

impl Call<'_> {
    fn site(&self) -> Site {
        self.caller.site
    }

    /// The call acts in its credential scope's region, which must be one of the account's.
    async fn check_region(&self) -> RamResult<()> {
        let credentials = shares(self.svc.credentials(self.caller).await)?;
        if credentials.projects.iter().any(|p| p.region == self.region) {
            return Ok(());
        }
        let regions: BTreeSet<&str> = credentials
            .projects
            .iter()
            .map(|p| p.region.as_str())
            .collect();
        Err(RamError::new(
            "OperationNotPermittedException",
            format!(
                "Your account has no project in region {}: sign for one of {}.",
                backshare::input::bounded(&self.region, 40),
                regions.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ))
    }

    fn share_arn(&self, owner: &str, id: &str) -> String {
        arn::format(Kind::ResourceShare, self.site(), &self.region, owner, id)
    }

    fn invitation_arn(&self, owner: &str, id: &str) -> String {
        arn::format(Kind::Invitation, self.site(), &self.region, owner, id)
    }

    fn share_ids(&self, arns: &[String]) -> RamResult<Vec<String>> {
        arns.iter()
            .map(|a| arn::parse(Kind::ResourceShare, self.site(), a).map_err(RamError::malformed))
            .collect()
    }

    fn backup_ids(&self, arns: &[String]) -> RamResult<Vec<String>> {
        arns.iter()
            .map(|a| arn::parse(Kind::Backup, self.site(), a).map_err(RamError::malformed))
            .collect()
    }

    fn invitation_id(&self, arn: &str) -> RamResult<String> {
        arn::parse(Kind::Invitation, self.site(), arn).map_err(RamError::malformed)
    }

    fn share_json(&self, share: &ListedShare) -> Value {
        json!({
            "resourceShareArn": self.share_arn(share.owner_account_id.as_str(), share.id.as_str()),
            "name": share.name,
            "owningAccountId": share.owner_account_id.as_str(),
            "allowExternalPrincipals": share.scope == PrincipalScope::AllAccounts,
            "status": "ACTIVE",
            "creationTime": secs(share.created_at),
            "lastUpdatedTime": secs(share.created_at),
            "featureSet": "STANDARD",
        })
    }

    fn invitation_status(&self, invitation: &ListedInvitation) -> &'static str {
        let state = invitation.state.invitation();
        match state.status {
            InvitationStatus::Pending if self.now >= state.expires_at => "EXPIRED",
            InvitationStatus::Pending => "PENDING",
            InvitationStatus::Accepted => "ACCEPTED",
            InvitationStatus::Rejected => "REJECTED",
            InvitationStatus::Expired => "EXPIRED",
            // Withdrawn invitations are not listed; an answer racing the owner reads this.
            InvitationStatus::Cancelled => "REJECTED",
        }
    }

    fn invitation_json(&self, invitation: &ListedInvitation) -> Value {
        let owner = invitation.owner_account_id.as_str();
        json!({
            "resourceShareInvitationArn": self.invitation_arn(owner, invitation.id.as_str()),
            "resourceShareName": invitation.share_name,
            "resourceShareArn": self.share_arn(owner, invitation.share_id.as_str()),
            "senderAccountId": owner,
            "receiverAccountId": invitation.recipient_account_id.as_str(),
            "invitationTimestamp": secs(invitation.created_at),
            "status": self.invitation_status(invitation),
        })
    }

    /// A recipient account's association: what its invitation and grants say.
    fn recipient_json(&self, invitation: &ListedInvitation) -> Value {
        let (status, message) = match self.invitation_status(invitation) {
            "PENDING" => ("ASSOCIATING", "The invitation waits for an answer."),
            "REJECTED" => ("FAILED", "The recipient rejected the invitation."),
            "EXPIRED" => ("FAILED", "The invitation expired unanswered."),
            _ if invitation.revoking.0 && !invitation.holding.0 => (
                "DISASSOCIATING",
                "Sharing was cancelled; access is being revoked.",
            ),
            _ if invitation.holding.0 || invitation.revoking.0 => ("ASSOCIATED", "Accepted."),
            _ => ("DISASSOCIATED", "Sharing ended."),
        };
        json!({
            "resourceShareArn": self.share_arn(invitation.owner_account_id.as_str(), invitation.share_id.as_str()),
            "resourceShareName": invitation.share_name,
            "associatedEntity": invitation.recipient_account_id.as_str(),
            "associationType": "PRINCIPAL",
            "status": status,
            "statusMessage": message,
            "creationTime": secs(invitation.created_at),
            "lastUpdatedTime": secs(invitation.answered_at.unwrap_or(invitation.created_at)),
            "external": true,
        })
    }

    fn backup_arn(&self, backup: &ListedBackup) -> String {
        arn::format(
            Kind::Backup,
            self.site(),
            &backup.region,
            backup.owner_account_id.as_str(),
            backup.backup_id.as_str(),
        )
    }

    fn resource_json(&self, backup: &ListedBackup) -> Value {
        json!({
            "arn": self.backup_arn(backup),
            "type": BACKUP_TYPE,
            "resourceShareArn": self.share_arn(backup.owner_account_id.as_str(), backup.share_id.as_str()),
            "status": if backup.unavailable.0 { "UNAVAILABLE" } else { "AVAILABLE" },
            "creationTime": secs(backup.added_at),
            "lastUpdatedTime": secs(backup.added_at),
            "resourceRegionScope": "REGIONAL",
        })
    }

    fn association_json(
        &self,
        share_arn: &str,
        share_name: &str,
        entity: &str,
        kind: &str,
        status: &str,
    ) -> Value {
        json!({
            "resourceShareArn": share_arn,
            "resourceShareName": share_name,
            "associatedEntity": entity,
            "associationType": kind,
            "status": status,
            "creationTime": secs(self.now.timestamp_millis()),
            "lastUpdatedTime": secs(self.now.timestamp_millis()),
            "external": true,
        })
    }

    async fn owned_share(&self, id: &str) -> RamResult<ListedShare> {
        let filter = ShareFilter {
            name: None,
            share_ids: vec![id.to_owned()],
        };
        let listing = shares(
            self.svc
                .listed_shares(self.caller, Side::Owned, &filter, &PageAt::First, 1)
                .await,
        )?;
        listing.items.into_iter().next().ok_or_else(|| {
            RamError::new(
                "UnknownResourceException",
                "This resource share was not found.",
            )
        })
    }

    async fn received_invitation(&self, id: &str) -> RamResult<ListedInvitation> {
        let listing = invitations(
            self.svc
                .listed_invitations(
                    self.caller,
                    Side::Received,
                    &InvitationFilter {
                        invitation_ids: vec![id.to_owned()],
                        ..InvitationFilter::default()
                    },
                    &PageAt::First,
                    1,
                )
                .await,
        )?;
        listing.items.into_iter().next().ok_or_else(|| {
            RamError::new(
                "ResourceShareInvitationArnNotFoundException",
                "This invitation was not found.",
            )
        })
    }

    /// Runs an operation; one that names a `clientToken` runs once per token (RAM's
    /// idempotency): a retry gets the first answer, another request with it is refused.
    async fn run(
        &self,
        operation: &str,
        method: &Method,
        query: Option<&str>,
        body: &[u8],
    ) -> RamResult<Value> {
        let token = client_token(query, body);
        let Some(token) = token else {
            return self.operation(operation, method, query, body).await;
        };
        // The request as parsed, so a retry that orders its members otherwise is the same.
        let request = serde_json::from_slice::<Value>(body)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned());
        let claimed = self
            .svc
            .claim_token(self.caller, &token, operation, request.as_bytes(), self.now)
            .await;
        match shares(claimed)? {
            Ok(Claimed::Run) => {
                let result = self.operation(operation, method, query, body).await;
                let kept = match &result {
                    Ok(answer) => self.svc.token_answered(self.caller, &token, &answer.to_string()).await,
                    Err(_) => self.svc.token_failed(self.caller, &token).await,
                };
                if let Err(error) = kept {
                    tracing::warn!(%error, "keeping a client token's answer failed");
                }
                result
            }
            Ok(Claimed::Answered(answer)) => serde_json::from_str(&answer)
                .map_err(|e| RamError::new("ServerInternalException", format!("a kept answer is unreadable: {e}"))),
            Err(TokenRefusal::Mismatch) => Err(RamError::new(
                "IdempotentParameterMismatchException",
                "This clientToken was used with a different request: use a new token for a new request.",
            )),
            Err(TokenRefusal::Running) => Err(RamError::new(
                "IdempotentParameterMismatchException",
                "The first request with this clientToken is still running: retry in a moment.",
            )),
        }
    }

    async fn operation(
        &self,
        operation: &str,
        method: &Method,
        query: Option<&str>,
        body: &[u8],
    ) -> RamResult<Value> {
        match (method, operation) {
            (&Method::POST, "createresourceshare") => self.create(input(body)?).await,
            (&Method::POST, "getresourceshares") => self.get_shares(input(body)?).await,
            (&Method::DELETE, "deleteresourceshare") => self.delete(query).await,
            (&Method::POST, "associateresourceshare") => self.associate(input(body)?).await,
            (&Method::POST, "disassociateresourceshare") => self.disassociate(input(body)?).await,
            (&Method::POST, "getresourceshareassociations") => {
                self.associations(input(body)?).await
            }
            (&Method::POST, "getresourceshareinvitations") => {
                self.get_invitations(input(body)?).await
            }
            (&Method::POST, "acceptresourceshareinvitation") => {
                self.answer(input(body)?, true).await
            }
            (&Method::POST, "rejectresourceshareinvitation") => {
                self.answer(input(body)?, false).await
            }
            (&Method::POST, "listpendinginvitationresources") => {
                self.pending_resources(input(body)?).await
            }
            (&Method::POST, "listresources") => self.resources(input(body)?).await,
            (&Method::POST, "listprincipals") => self.principals(input(body)?).await,
            _ => Err(RamError::new(
                "UnknownOperationException",
                format!(
                    "{} /ram/{} is not an operation this endpoint offers.",
                    method,
                    backshare::input::bounded(operation, 60)
                ),
            )),
        }
    }

    async fn create(&self, request: CreateResourceShare) -> RamResult<Value> {
        refuse_unsupported(&request.tags, &request.permission_arns, &request.sources)?;
        let name = required(&request.name, "name")?.to_owned();
        let backup_ids = self.backup_ids(&request.resource_arns)?;
        let share = NewShare {
            name,
            scope: match request.allow_external_principals {
                Some(false) => PrincipalScope::ResourceDirectory,
                _ => PrincipalScope::AllAccounts,
            },
            backup_ids,
            principals: request.principals,
            grant_key: false,
        };
        let id = shares(self.svc.create_share(self.caller, share, self.now).await)?;
        let share = self.owned_share(id.as_str()).await?;
        Ok(json!({ "resourceShare": self.share_json(&share), "clientToken": request.client_token }))
    }

    async fn get_shares(&self, request: GetResourceShares) -> RamResult<Value> {
        let side = side(&request.resource_owner)?;
        let (size, at) = paging(request.max_results, request.next_token.as_deref())?;
        // Every share is ACTIVE, has no tags and grants one permission (use of the backups).
        let none = request
            .resource_share_status
            .as_deref()
            .is_some_and(|s| s != "ACTIVE")
            || !request.tag_filters.is_empty()
            || request.permission_arn.is_some();
        if none {
            return Ok(json!({ "resourceShares": [] }));
        }
        let filter = ShareFilter {
            name: request.name,
            share_ids: self.share_ids(&request.resource_share_arns)?,
        };
        let listing = shares(
            self.svc
                .listed_shares(self.caller, side, &filter, &at, size)
                .await,
        )?;
        Ok(json!({
            "resourceShares": listing.items.iter().map(|s| self.share_json(s)).collect::<Vec<_>>(),
            "nextToken": next_token(&listing),
        }))
    }

    /// Deletes a resource share: sharing ends with every recipient as "Cancel Sharing"
    /// ends it, and the share leaves the lists (`Backshare::delete_share`).
    async fn delete(&self, query: Option<&str>) -> RamResult<Value> {
        let arn = query_param(query, "resourceShareArn")
            .ok_or_else(|| RamError::invalid("resourceShareArn is required."))?;
        let share_id = self.share_ids(&[arn])?.remove(0);
        shares(
            self.svc
                .delete_share(self.caller, &share_id, self.now)
                .await,
        )?;
        Ok(json!({
            "returnValue": true,
            "clientToken": query_param(query, "clientToken"),
        }))
    }

    async fn associate(&self, request: Associate) -> RamResult<Value> {
        refuse_unsupported(&[], &[], &request.sources)?;
        let arn = required(&request.resource_share_arn, "resourceShareArn")?;
        let share_id = self.share_ids(&[arn.to_owned()])?.remove(0);
        let summary = shares(self.svc.share_summary(self.caller, &share_id).await)?;
        let backup_ids = self.backup_ids(&request.resource_arns)?;
        let mut principals: Vec<String> = summary.principals.iter().map(|p| p.id.clone()).collect();
        for principal in &request.principals {
            if !principals.contains(principal) {
                principals.push(principal.clone());
            }
        }
        let update = ShareUpdate {
            share_id: share_id.clone(),
            backup_ids,
            principals,
            grant_key: false,
        };
        shares(self.svc.update_share(self.caller, update, self.now).await)?;
        let share_arn = self.share_arn(self.caller.account_id.as_str(), &share_id);
        let mut associations: Vec<Value> = request
            .principals
            .iter()
            .map(|p| {
                self.association_json(&share_arn, &summary.name, p, "PRINCIPAL", "ASSOCIATING")
            })
            .collect();
        associations.extend(request.resource_arns.iter().map(|r| {
            self.association_json(&share_arn, &summary.name, r, "RESOURCE", "ASSOCIATED")
        }));
        Ok(
            json!({ "resourceShareAssociations": associations, "clientToken": request.client_token }),
        )
    }

    async fn disassociate(&self, request: Associate) -> RamResult<Value> {
        refuse_unsupported(&[], &[], &request.sources)?;
        if !request.resource_arns.is_empty() {
            return Err(RamError::new(
                "OperationNotPermittedException",
                "Removing a backup from a resource share is not offered: disassociate the principals to stop sharing it.",
            ));
        }
        let arn = required(&request.resource_share_arn, "resourceShareArn")?;
        let share_id = self.share_ids(&[arn.to_owned()])?.remove(0);
        let summary = shares(self.svc.share_summary(self.caller, &share_id).await)?;
        let current: Vec<String> = summary.principals.iter().map(|p| p.id.clone()).collect();
        if let Some(unknown) = request.principals.iter().find(|p| !current.contains(p)) {
            return Err(RamError::new(
                "UnknownResourceException",
                format!(
                    "{} is not a principal of this resource share.",
                    backshare::input::bounded(unknown, 128)
                ),
            ));
        }
        let remaining = current
            .into_iter()
            .filter(|p| !request.principals.contains(p))
            .collect();
        let update = ShareUpdate {
            share_id: share_id.clone(),
            backup_ids: Vec::new(),
            principals: remaining,
            grant_key: false,
        };
        shares(self.svc.update_share(self.caller, update, self.now).await)?;
        let share_arn = self.share_arn(self.caller.account_id.as_str(), &share_id);
        let associations: Vec<Value> = request
            .principals
            .iter()
            .map(|p| {
                self.association_json(&share_arn, &summary.name, p, "PRINCIPAL", "DISASSOCIATING")
            })
            .collect();
        Ok(
            json!({ "resourceShareAssociations": associations, "clientToken": request.client_token }),
        )
    }

    async fn associations(&self, request: GetAssociations) -> RamResult<Value> {
        let (size, at) = paging(request.max_results, request.next_token.as_deref())?;
        let share_ids = self.share_ids(&request.resource_share_arns)?;
        let status = request.association_status.as_deref();
        let (items, next): (Vec<Value>, _) =
            match required(&request.association_type, "associationType")? {
                "PRINCIPAL" => {
                    if request.resource_arn.is_some() {
                        return Err(RamError::invalid(
                            "resourceArn applies to RESOURCE associations.",
                        ));
                    }
                    let listing = shares(
                        self.svc
                            .listed_invitations(
                                self.caller,
                                Side::Owned,
                                &InvitationFilter {
                                    invitation_ids: Vec::new(),
                                    share_ids: share_ids.clone(),
                                    recipient: request.principal.clone(),
                                },
                                &at,
                                size,
                            )
                            .await,
                    )?;
                    let next = next_token(&listing);
                    (
                        listing
                            .items
                            .iter()
                            .map(|i| self.recipient_json(i))
                            .collect(),
                        next,
                    )
                }
                "RESOURCE" => {
                    if request.principal.is_some() {
                        return Err(RamError::invalid(
                            "principal applies to PRINCIPAL associations.",
                        ));
                    }
                    let backup_ids =
                        self.backup_ids(&request.resource_arn.into_iter().collect::<Vec<_>>())?;
                    let listing = shares(
                        self.svc
                            .listed_backups(
                                self.caller,
                                Side::Owned,
                                &share_ids,
                                &backup_ids,
                                &at,
                                size,
                            )
                            .await,
                    )?;
                    let next = next_token(&listing);
                    let items = listing
                        .items
                        .iter()
                        .map(|b| {
                            let mut association = self.association_json(
                                &self.share_arn(b.owner_account_id.as_str(), b.share_id.as_str()),
                                &b.share_name,
                                &self.backup_arn(b),
                                "RESOURCE",
                                if b.unavailable.0 {
                                    "DISASSOCIATED"
                                } else {
                                    "ASSOCIATED"
                                },
                            );
                            association["creationTime"] = json!(secs(b.added_at));
                            association["lastUpdatedTime"] = json!(secs(b.added_at));
                            association
                        })
                        .collect();
                    (items, next)
                }
                other => {
                    return Err(RamError::invalid(format!(
                        "associationType must be PRINCIPAL or RESOURCE; it was {}.",
                        backshare::input::bounded(other, 40)
                    )))
                }
            };
        let items: Vec<Value> = items
            .into_iter()
            .filter(|a| status.is_none_or(|s| a["status"] == s))
            .collect();
        Ok(json!({ "resourceShareAssociations": items, "nextToken": next }))
    }

    async fn get_invitations(&self, request: GetInvitations) -> RamResult<Value> {
        let (size, at) = paging(request.max_results, request.next_token.as_deref())?;
        let ids: Vec<String> = request
            .resource_share_invitation_arns
            .iter()
            .map(|a| self.invitation_id(a))
            .collect::<RamResult<_>>()?;
        let share_ids = self.share_ids(&request.resource_share_arns)?;
        let listing = invitations(
            self.svc
                .listed_invitations(
                    self.caller,
                    Side::Received,
                    &InvitationFilter {
                        invitation_ids: ids.clone(),
                        share_ids,
                        recipient: None,
                    },
                    &at,
                    size,
                )
                .await,
        )?;
        if !ids.is_empty() && listing.items.is_empty() {
            return Err(RamError::new(
                "ResourceShareInvitationArnNotFoundException",
                "No invitation with these ARNs was found.",
            ));
        }
        Ok(json!({
            "resourceShareInvitations": listing.items.iter().map(|i| self.invitation_json(i)).collect::<Vec<_>>(),
            "nextToken": next_token(&listing),
        }))
    }

    async fn answer(&self, request: Answer, accept: bool) -> RamResult<Value> {
        let arn = required(
            &request.resource_share_invitation_arn,
            "resourceShareInvitationArn",
        )?;
        let id = self.invitation_id(arn)?;
        let answered = if accept {
            self.svc
                .accept_invitation_vaults_later(self.caller, &id, self.now)
                .await
        } else {
            self.svc.reject_invitation(self.caller, &id, self.now).await
        };
        invitations(answered)?;
        let invitation = self.received_invitation(&id).await?;
        Ok(json!({
            "resourceShareInvitation": self.invitation_json(&invitation),
            "clientToken": request.client_token,
        }))
    }

    async fn pending_resources(&self, request: Answer) -> RamResult<Value> {
        let arn = required(
            &request.resource_share_invitation_arn,
            "resourceShareInvitationArn",
        )?;
        let id = self.invitation_id(arn)?;
        let (invitation, backups) =
            invitations(self.svc.invitation_backups(self.caller, &id).await)?;
        match self.invitation_status(&invitation) {
            "REJECTED" => {
                return Err(RamError::new(
                    "ResourceShareInvitationAlreadyRejectedException",
                    "This invitation was rejected.",
                ))
            }
            "EXPIRED" => {
                return Err(RamError::new(
                    "ResourceShareInvitationExpiredException",
                    "This invitation expired.",
                ))
            }
            _ => {}
        }
        Ok(
            json!({ "resources": backups.iter().map(|b| self.resource_json(b)).collect::<Vec<_>>() }),
        )
    }

    async fn resources(&self, request: ListResources) -> RamResult<Value> {
        let side = side(&request.resource_owner)?;
        check_type(request.resource_type.as_deref())?;
        if request.principal.is_some() {
            return Err(RamError::invalid(
                "Filtering resources by principal is not offered: filter by resourceShareArns.",
            ));
        }
        let (size, at) = paging(request.max_results, request.next_token.as_deref())?;
        let share_ids = self.share_ids(&request.resource_share_arns)?;
        let backup_ids = self.backup_ids(&request.resource_arns)?;
        let listing = shares(
            self.svc
                .listed_backups(self.caller, side, &share_ids, &backup_ids, &at, size)
                .await,
        )?;
        Ok(json!({
            "resources": listing.items.iter().map(|b| self.resource_json(b)).collect::<Vec<_>>(),
            "nextToken": next_token(&listing),
        }))
    }

    async fn principals(&self, request: ListPrincipals) -> RamResult<Value> {
        let side = side(&request.resource_owner)?;
        check_type(request.resource_type.as_deref())?;
        if request.resource_arn.is_some() {
            return Err(RamError::invalid(
                "Filtering principals by resource is not offered: filter by resourceShareArns.",
            ));
        }
        let (size, at) = paging(request.max_results, request.next_token.as_deref())?;
        let share_ids = self.share_ids(&request.resource_share_arns)?;
        let (items, next) = match side {
            Side::Owned => {
                let listing = shares(
                    self.svc
                        .listed_principals(self.caller, &share_ids, &request.principals, &at, size)
                        .await,
                )?;
                let owner = self.caller.account_id.as_str();
                let items: Vec<Value> = listing
                    .items
                    .iter()
                    .map(|p| {
                        json!({
                            "id": p.principal_id,
                            "resourceShareArn": self.share_arn(owner, p.share_id.as_str()),
                            "creationTime": secs(p.added_at),
                            "lastUpdatedTime": secs(p.added_at),
                            "external": true,
                        })
                    })
                    .collect();
                (items, next_token(&listing))
            }
            // The accounts that share with the caller: each share's owner.
            Side::Received => {
                let filter = ShareFilter {
                    name: None,
                    share_ids,
                };
                let listing = shares(
                    self.svc
                        .listed_shares(self.caller, side, &filter, &at, size)
                        .await,
                )?;
                let items: Vec<Value> = listing
                    .items
                    .iter()
                    .filter(|s| request.principals.is_empty() || request.principals.contains(&s.owner_account_id.to_string()))
                    .map(|s| {
                        json!({
                            "id": s.owner_account_id.as_str(),
                            "resourceShareArn": self.share_arn(s.owner_account_id.as_str(), s.id.as_str()),
                            "creationTime": secs(s.listed_at),
                            "lastUpdatedTime": secs(s.listed_at),
                            "external": true,
                        })
                    })
                    .collect();
                (items, next_token(&listing))
            }
        };
        Ok(json!({ "principals": items, "nextToken": next }))
    }
}

/// A query-string parameter, percent-decoded (DeleteResourceShare's members).
fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).ok()?;
    pairs.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// The request's `clientToken`: a JSON member, or DeleteResourceShare's query parameter.
fn client_token(query: Option<&str>, body: &[u8]) -> Option<String> {
    let from_query = query_param(query, "clientToken");
    from_query.or_else(|| {
        serde_json::from_slice::<Value>(body)
            .ok()?
            .get("clientToken")?
            .as_str()
            .map(str::to_owned)
    })
}

/// Tags, permissions and sources have no Backshare meaning: refused, not ignored.
fn refuse_unsupported(tags: &[Value], permissions: &[String], sources: &[String]) -> RamResult<()> {
    if !tags.is_empty() {
        return Err(RamError::invalid(
            "Tags are not offered on resource shares.",
        ));
    }
    if !permissions.is_empty() {
        return Err(RamError::invalid(
            "Permissions are not offered: a resource share grants use of its backups.",
        ));
    }
    if !sources.is_empty() {
        return Err(RamError::invalid("Sources are not offered."));
    }
    Ok(())
}

fn check_type(resource_type: Option<&str>) -> RamResult<()> {
    match resource_type {
        None | Some(BACKUP_TYPE) => Ok(()),
        Some(other) => Err(RamError::new(
            "InvalidResourceTypeException",
            format!(
                "The resource type {} is not offered; the one type is {BACKUP_TYPE}.",
                backshare::input::bounded(other, 60)
            ),
        )),
    }
}
