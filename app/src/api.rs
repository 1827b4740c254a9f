//! The server functions: thin, public HTTP endpoints under `/api/<endpoint>`. Each takes the
//! account from the session (never from its arguments) and lets the domain service decide
//! what that account may see and change.

use backshare::model::PrincipalScope;
use backshare::views;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
// Every server function's arguments derive their JSON Schema (`input_derive`) for the
// API's OpenAPI document (`crate::openapi`).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

/// The session key of the signed-in user, for the push feed's route.
#[cfg(feature = "ssr")]
pub use on_server::{SessionLifetime, SignedBy, NOTICE_KEY, USER_KEY};

#[cfg(feature = "ssr")]
mod on_server {
    use axum::http::{header::ACCEPT, request::Parts, StatusCode};
    use backshare::ids::UserId;
    use backshare::service::{Backshare, Caller};
    use backshare::UserError;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use tower_sessions::Session;

    use crate::error::AppError;

    /// The session key holding the signed-in user's id.
    pub const USER_KEY: &str = "user_id";
    /// The session key of a refused plain form post's sentence, which the page it returns
    /// to shows once (the server's `forms` module puts it there; `me` takes it).
    pub const NOTICE_KEY: &str = "notice";
    /// The session key holding when the user signed in (Unix milliseconds).
    const SIGNED_IN_AT: &str = "signed_in_at";

    /// The caller of a request signed with an access key (SigV4, service `backshare`),
    /// verified by the server before the server function runs; it stands in for a session.
    #[derive(Debug, Clone)]
    pub struct SignedBy(pub Caller);

    /// How long a session may last however active it is; the server provides it.
    #[derive(Debug, Clone, Copy)]
    pub struct SessionLifetime(pub chrono::Duration);

    /// Turns a domain error into the response: its HTTP status for direct callers, its
    /// sentence for the page. Faults were already logged by the service.
    pub fn fail(error: impl Into<UserError>) -> AppError {
        let error = error.into();
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(
                StatusCode::from_u16(error.http_status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let UserError::Throttled { retry_after } = &error {
                if let Ok(value) = retry_after.to_string().parse() {
                    response.insert_header(axum::http::header::RETRY_AFTER, value);
                }
            }
        }
        AppError::from(error)
    }

    fn internal(detail: impl std::fmt::Display) -> AppError {
        tracing::error!(%detail, "server function fault");
        fail(UserError::Internal)
    }

    pub fn service() -> Result<Backshare, AppError> {
        use_context::<Backshare>()
            .ok_or_else(|| internal("the Backshare service is not in context"))
    }

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(internal)
    }

    /// Whether the request comes from a signed-in browser (a page or a plain form), not
    /// from a client signing with an access key.
    pub fn from_a_browser() -> bool {
        use_context::<Parts>().is_some_and(|p| p.extensions.get::<SignedBy>().is_none())
    }

    /// The signed-in caller, loaded fresh from the database on every call.
    pub async fn caller() -> Result<(Backshare, Caller), AppError> {
        let svc = service()?;
        let signed = use_context::<Parts>().and_then(|p| p.extensions.get::<SignedBy>().cloned());
        if let Some(SignedBy(caller)) = signed {
            return Ok((svc, caller));
        }
        let session = session().await?;
        let user_id: Option<String> = session.get(USER_KEY).await.map_err(internal)?;
        let Some(user_id) = user_id else {
            return Err(fail(UserError::NotSignedIn));
        };
        // Past its absolute lifetime a session ends, however active it was.
        let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT).await.map_err(internal)?;
        let lifetime = use_context::<SessionLifetime>()
            .map(|l| l.0)
            .unwrap_or_else(|| chrono::Duration::days(7));
        let age = chrono::Utc::now().timestamp_millis() - signed_in_at.unwrap_or(0);
        if age >= lifetime.num_milliseconds() {
            end_session(&session).await?;
            return Err(fail(UserError::NotSignedIn));
        }
        match svc
            .caller(&UserId::from_trusted(user_id))
            .await
            .map_err(fail)?
        {
            Some(caller) => Ok((svc, caller)),
            None => Err(fail(UserError::NotSignedIn)),
        }
    }

    pub async fn store_user(session: &Session, user: &UserId) -> Result<(), AppError> {
        // A new session id at sign-in, so an id planted before it is worth nothing.
        session.cycle_id().await.map_err(internal)?;
        session
            .insert(USER_KEY, user.as_str())
            .await
            .map_err(internal)?;
        let now = chrono::Utc::now().timestamp_millis();
        session.insert(SIGNED_IN_AT, now).await.map_err(internal)
    }

    pub async fn end_session(session: &Session) -> Result<(), AppError> {
        session.flush().await.map_err(internal)
    }

    /// A form posted by a browser without JavaScript (it wants HTML back, not data).
    pub fn is_plain_form_post() -> bool {
        use_context::<Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false)
    }
}

/// Signs in with email and password; on success the browser goes to "Backups".
#[server(output = crate::wire::Answer, endpoint = "sign_in", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let svc = on_server::service()?;
    let session = on_server::session().await?;
    // The client's address, where the server knows it (it throttles per address too).
    let client = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|info| info.0.ip().to_string());
    let signed_in = svc
        .authenticate(&email, &password, client.as_deref(), chrono::Utc::now())
        .await;
    match signed_in {
        Ok(user) => {
            on_server::store_user(&session, &user).await?;
            leptos_axum::redirect("/backups");
            Ok(())
        }
        // Without JavaScript the sign-in page shows the message from its query.
        Err(backshare::service::ServiceError::User(backshare::UserError::BadCredentials))
            if on_server::is_plain_form_post() =>
        {
            leptos_axum::redirect("/signin?failed=1");
            Ok(())
        }
        Err(error) => Err(on_server::fail(error)),
    }
}

/// Signs out: the session is destroyed on the server and its cookie removed.
#[server(output = crate::wire::Answer, endpoint = "sign_out", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn sign_out() -> Result<(), AppError> {
    let session = on_server::session().await?;
    on_server::end_session(&session).await?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// The signed-in user, or `None` when nobody is signed in.
#[server(output = crate::wire::Answer, endpoint = "me", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn me() -> Result<Option<views::Me>, AppError> {
    match on_server::caller().await {
        Ok((svc, caller)) => {
            let mut me = svc
                .me(&caller, chrono::Utc::now())
                .await
                .map_err(on_server::fail)?;
            // A refusal of a form posted without JavaScript, shown once by the page it
            // returned to (signed requests have no session, and nothing waiting).
            if on_server::from_a_browser() {
                // Read first: removing marks the session changed, and a changed session
                // is written back, which would make every page load a write.
                let session = on_server::session().await?;
                let notice = session
                    .get::<backshare::error::Problem>(on_server::NOTICE_KEY)
                    .await;
                if let Ok(Some(notice)) = notice {
                    if let Err(error) = session
                        .remove::<backshare::error::Problem>(on_server::NOTICE_KEY)
                        .await
                    {
                        tracing::warn!(%error, "a shown notice could not be cleared");
                    }
                    me.notice = Some(notice);
                }
            }
            Ok(Some(me))
        }
        Err(error) if error.is_not_signed_in() => {
            // Asking whether one is signed in is not an error.
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(axum::http::StatusCode::OK);
            }
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// "My Credentials": the account id and the project ids per region.
#[server(output = crate::wire::Answer, endpoint = "credentials", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn credentials() -> Result<views::Credentials, AppError> {
    let (svc, caller) = on_server::caller().await?;
    svc.credentials(&caller).await.map_err(on_server::fail)
}

/// The projects restores may go to; none when they cannot be read (the restore button
/// then offers none, and the page around it still shows).
pub async fn my_projects() -> Result<Vec<views::ProjectView>, AppError> {
    Ok(credentials().await.map(|c| c.projects).unwrap_or_default())
}

/// The "Backups" page.
#[server(output = crate::wire::Answer, endpoint = "list_backups", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn list_backups(
    #[server(default)] at: Option<String>,
) -> Result<views::BackupsPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.list_backups(&caller, &at, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// "Create a new resource share" with the given backups and principals (account, project
/// or folder ids). Returns the new resource share's id. JSON, since it carries lists.
#[server(output = crate::wire::Answer, endpoint = "create_share", input = Json, input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn create_share(
    share_name: String,
    scope: PrincipalScope,
    backup_ids: Vec<String>,
    principals: Vec<String>,
    #[server(default)] grant_key: bool,
) -> Result<String, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let request = backshare::service::NewShare {
        name: share_name,
        scope,
        backup_ids,
        principals,
        grant_key,
    };
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.create_share(&caller, request, now).await })
        .await
        .map(|id| id.to_string())
        .map_err(on_server::fail)
}

/// "Select an existing resource share": adds the backups and sets the principals it has
/// afterwards. Also what "Manage Sharing Relationship" saves.
#[server(output = crate::wire::Answer, endpoint = "update_share", input = Json, input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn update_share(
    share_id: String,
    backup_ids: Vec<String>,
    principals: Vec<String>,
    #[server(default)] grant_key: bool,
) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let request = backshare::service::ShareUpdate {
        share_id,
        backup_ids,
        principals,
        grant_key,
    };
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.update_share(&caller, request, now).await })
        .await
        .map_err(on_server::fail)
}

/// The share dialog's live check: every problem the request would meet, and the quota
/// left after it. For an existing share pass its id (its scope applies). Writes nothing.
#[server(output = crate::wire::Answer, endpoint = "preview_share", input = Json, input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn preview_share(
    share_id: Option<String>,
    scope: PrincipalScope,
    backup_ids: Vec<String>,
    principals: Vec<String>,
    #[server(default)] grant_key: bool,
) -> Result<views::SharePreview, AppError> {
    use backshare::service::{NewShare, ShareRequest, ShareUpdate};
    let (svc, caller) = on_server::caller().await?;
    let request = match share_id {
        Some(share_id) => ShareRequest::Update(ShareUpdate {
            share_id,
            backup_ids,
            principals,
            grant_key,
        }),
        None => ShareRequest::New(NewShare {
            name: String::new(),
            scope,
            backup_ids,
            principals,
            grant_key,
        }),
    };
    svc.preview_share(&caller, &request, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// What the share dialog offers besides the shares: the directory's folders.
#[server(output = crate::wire::Answer, endpoint = "share_options", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn share_options() -> Result<views::ShareOptions, AppError> {
    let (svc, caller) = on_server::caller().await?;
    svc.share_options(&caller).await.map_err(on_server::fail)
}

/// "Select an existing resource share": one page of the account's shares whose names
/// contain `search`, after the name `after`.
#[server(output = crate::wire::Answer, endpoint = "share_choices", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn share_choices(
    #[server(default)] search: String,
    #[server(default)] after: Option<String>,
) -> Result<views::ShareChoices, AppError> {
    let (svc, caller) = on_server::caller().await?;
    svc.share_choices(&caller, &search, after.as_deref())
        .await
        .map_err(on_server::fail)
}

/// The chosen existing resource share, with its backups and principals.
#[server(output = crate::wire::Answer, endpoint = "share_summary", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn share_summary(share_id: String) -> Result<views::ShareSummary, AppError> {
    let (svc, caller) = on_server::caller().await?;
    svc.share_summary(&caller, &share_id)
        .await
        .map_err(on_server::fail)
}

/// "Delete" on one of the account's backups.
#[server(output = crate::wire::Answer, endpoint = "delete_backup", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn delete_backup(backup_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.delete_backup(&caller, &backup_id, now).await })
        .await
        .map_err(on_server::fail)
}

/// The "Activity" page.
#[server(output = crate::wire::Answer, endpoint = "activity", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn activity(
    #[server(default)] at: Option<String>,
) -> Result<views::ActivityPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.activity(&caller, &at).await.map_err(on_server::fail)
}

/// A backup's details page and one page of its "Share List" tab (owner only).
#[server(output = crate::wire::Answer, endpoint = "share_list", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn share_list(
    backup_id: String,
    #[server(default)] at: Option<String>,
) -> Result<views::ShareListPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.share_list(&caller, &backup_id, &at, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// "My Shares", one page: the newest shares, or the page a link of another page names.
#[server(output = crate::wire::Answer, endpoint = "my_shares", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn my_shares(
    #[server(default)] at: Option<String>,
) -> Result<views::MySharesPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.my_shares(&caller, &at, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// "Shared With Me": each table at the page one of its links names (or its newest).
#[server(output = crate::wire::Answer, endpoint = "shared_with_me", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn shared_with_me(
    #[server(default)] pending: Option<String>,
    #[server(default)] received: Option<String>,
    #[server(default)] answered: Option<String>,
) -> Result<views::SharedWithMe, AppError> {
    use backshare::paging::PageAt;
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::service::SharedWithMeAt {
        pending: PageAt::parse(pending.as_deref()).map_err(on_server::fail)?,
        received: PageAt::parse(received.as_deref()).map_err(on_server::fail)?,
        answered: PageAt::parse(answered.as_deref()).map_err(on_server::fail)?,
    };
    svc.shared_with_me(&caller, &at, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// "Accept" on a pending invitation, with a vault per server or disk backup
/// (`vaults[<backup id>]=<vault id>` in the form).
#[server(output = crate::wire::Answer, endpoint = "accept_invitation", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn accept_invitation(
    invitation_id: String,
    vaults: Option<std::collections::BTreeMap<String, String>>,
) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let vaults = vaults.unwrap_or_default();
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move {
        svc.accept_invitation(&caller, &invitation_id, &vaults, now)
            .await
    })
    .await
    .map_err(on_server::fail)
}

/// "Copy" a received server or disk backup that has no vault yet into one.
#[server(output = crate::wire::Answer, endpoint = "copy_into_vault", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn copy_into_vault(grant_id: String, vault_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move {
        svc.copy_into_vault(&caller, &grant_id, &vault_id, now)
            .await
    })
    .await
    .map_err(on_server::fail)
}

/// "Retry" on a failed copy.
#[server(output = crate::wire::Answer, endpoint = "retry_copy", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn retry_copy(grant_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.retry_copy(&caller, &grant_id, now).await })
        .await
        .map_err(on_server::fail)
}

/// The "Vaults" page.
#[server(output = crate::wire::Answer, endpoint = "vaults", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn vaults() -> Result<views::VaultsPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    svc.vaults(&caller, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// One page of a vault's contents, newest first (the page a link of another page names).
#[server(output = crate::wire::Answer, endpoint = "vault_contents", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn vault_contents(
    vault_id: String,
    #[server(default)] at: Option<String>,
) -> Result<views::VaultContentsPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.vault_contents(&caller, &vault_id, &at, chrono::Utc::now())
        .await
        .map_err(on_server::fail)
}

/// "Reject" on a pending invitation.
#[server(output = crate::wire::Answer, endpoint = "reject_invitation", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn reject_invitation(invitation_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.reject_invitation(&caller, &invitation_id, now).await })
        .await
        .map_err(on_server::fail)
}

/// "Access keys" on "My Credentials": the signed-in user's keys.
#[server(output = crate::wire::Answer, endpoint = "access_keys", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn access_keys() -> Result<Vec<views::AccessKeyView>, AppError> {
    let (svc, caller) = on_server::caller().await?;
    svc.access_keys(&caller).await.map_err(on_server::fail)
}

/// "Create access key": the new key's id and secret, shown this once.
#[server(output = crate::wire::Answer, endpoint = "create_access_key", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn create_access_key() -> Result<views::NewAccessKey, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.create_access_key(&caller, now).await })
        .await
        .map_err(on_server::fail)
}

/// "Deactivate": the key signs nothing any more.
#[server(output = crate::wire::Answer, endpoint = "deactivate_access_key", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn deactivate_access_key(key_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.deactivate_access_key(&caller, &key_id, now).await })
        .await
        .map_err(on_server::fail)
}

/// "Delete": the key is gone.
#[server(output = crate::wire::Answer, endpoint = "delete_access_key", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn delete_access_key(key_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.delete_access_key(&caller, &key_id, now).await })
        .await
        .map_err(on_server::fail)
}

/// "Cancel Sharing": stops sharing a resource share with one recipient account.
#[server(output = crate::wire::Answer, endpoint = "cancel_sharing", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn cancel_sharing(share_id: String, recipient: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move {
        svc.cancel_sharing(&caller, &share_id, &recipient, now)
            .await
    })
    .await
    .map_err(on_server::fail)
}

/// "Restore Data to New Cluster" (and "Restore" on the account's own backups): starts a
/// restore into a new cluster in the backup's region. Returns the restore's id.
///
/// A browser is then taken to "Resources", where the restore is followed to its end and the
/// new resource appears (a plain form is redirected there; the page's script navigates).
#[server(output = crate::wire::Answer, endpoint = "restore_backup", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn restore_backup(
    backup_id: String,
    project_id: Option<String>,
) -> Result<String, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let project_id = project_id.filter(|p| !p.is_empty());
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move {
        let project_id = project_id.as_deref();
        svc.restore_backup(&caller, &backup_id, project_id, now)
            .await
    })
    .await
    .map(|id| {
        if on_server::from_a_browser() {
            leptos_axum::redirect("/resources");
        }
        id.to_string()
    })
    .map_err(on_server::fail)
}

/// The account's restores and how each went.
#[server(output = crate::wire::Answer, endpoint = "restores", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn restores(
    #[server(default)] at: Option<String>,
) -> Result<views::RestoresPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.restores(&caller, &at).await.map_err(on_server::fail)
}

/// The "Resources" page: the account's servers, disks and clusters.
#[server(output = crate::wire::Answer, endpoint = "resources", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn resources(
    #[server(default)] at: Option<String>,
) -> Result<views::ResourcesPage, AppError> {
    let (svc, caller) = on_server::caller().await?;
    let at = backshare::paging::PageAt::parse(at.as_deref()).map_err(on_server::fail)?;
    svc.resources(&caller, &at).await.map_err(on_server::fail)
}

/// "Release" on a resource (a cluster's backups go with it).
#[server(output = crate::wire::Answer, endpoint = "release_resource", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn release_resource(resource_id: String) -> Result<(), AppError> {
    let (svc, caller) = on_server::caller().await?;
    let now = chrono::Utc::now();
    svc.writing(move |svc| async move { svc.release_resource(&caller, &resource_id, now).await })
        .await
        .map_err(on_server::fail)
}

/// The "API reference" page: every operation of this API, derived from the server
/// functions' own types (the same as `/api/openapi.json`). Needs no sign-in.
#[server(output = crate::wire::Answer, endpoint = "api_reference", input_derive = (Clone, Serialize, Deserialize, ToSchema))]
pub async fn api_reference() -> Result<Vec<crate::openapi::ApiOperation>, AppError> {
    Ok(crate::openapi::reference())
}
