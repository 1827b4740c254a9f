//! The push feed, `GET /api/events`: server-sent events scoped to the signed-in account.
//! One task per instance tails the `changes` table (written in the same transaction as
//! each change, so a page that refetches on an event sees it) and fans the rows out to
//! the connections of the accounts they name; nobody receives another account's events.
//! Browsers reconnect by themselves after a restart or a dropped network, and the first
//! event of every connection tells the page to refetch, so it catches up.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::Extension;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use backshare::ids::UserId;
use backshare::service::Backshare;
use futures::stream::{self, Stream};
use tokio::sync::broadcast;
use tower_sessions::Session;

/// One change: the account whose pages should refresh.
#[derive(Debug, Clone)]
struct Change {
    account: String,
}

/// The instance's fan-out of changes to open connections.
#[derive(Debug, Clone)]
pub struct Feed {
    sender: broadcast::Sender<Change>,
}

impl Feed {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }
}

impl Default for Feed {
    fn default() -> Self {
        Self::new()
    }
}

/// Tails `changes` every 25 ms (an indexed range read, cheap) and publishes what is new,
/// until `stop` fires.
pub async fn tail(svc: Backshare, feed: Feed, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut last = match svc.latest_change().await {
        Ok(seq) => seq,
        Err(error) => {
            tracing::error!(%error, "the push feed cannot read changes");
            0
        }
    };
    let mut every = tokio::time::interval(Duration::from_millis(25));
    loop {
        tokio::select! {
            _ = every.tick() => match svc.changes_after(last, 1_000).await {
                Ok(changes) => {
                    for (seq, account) in changes {
                        last = seq;
                        // Nobody listening is not an error.
                        let _ = feed.sender.send(Change { account });
                    }
                }
                Err(error) => tracing::warn!(%error, "reading changes failed; retrying"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// `GET /api/events` for the signed-in account: "change" events, and a keep-alive.
pub async fn events(
    Extension(svc): Extension<Backshare>,
    Extension(feed): Extension<Feed>,
    session: Session,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    let user: Option<String> = session
        .get(backshare_app::api::USER_KEY)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let user = user.ok_or(StatusCode::UNAUTHORIZED)?;
    let caller = svc
        .caller(&UserId::from_trusted(user))
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let account = caller.account_id.to_string();
    let receiver = feed.sender.subscribe();
    // First event: refetch now (a reconnect catches up with what it missed).
    let hello = stream::once(async { Ok(Event::default().event("change").data("connected")) });
    let changes = stream::unfold((receiver, account), |(mut receiver, account)| async move {
        loop {
            match receiver.recv().await {
                // The global number stays on the server: gaps in it would tell one
                // tenant how busy the others are.
                Ok(change) if change.account == account => {
                    let event = Event::default().event("change").data("change");
                    return Some((Ok(event), (receiver, account)));
                }
                Ok(_) => {}
                // Fell behind: one event makes the page refetch everything.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some((
                        Ok(Event::default().event("change").data("lagged")),
                        (receiver, account),
                    ))
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(futures::StreamExt::chain(hello, changes)).keep_alive(KeepAlive::default()))
}
