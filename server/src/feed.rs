//! The push feed, `GET /api/events`: server-sent events scoped to the signed-in account.
//! One task per instance follows the changes (written in the same transaction as each
//! change, so a page that refetches on an event sees it) — on SQLite by tailing the
//! `changes` table, on PostgreSQL by LISTENing, so a change made through any instance
//! reaches pages connected to every instance — and fans them out to the connections of
//! the accounts they name; nobody receives another account's events.
//! Browsers reconnect by themselves after a restart or a dropped network, and the first
//! event of every connection tells the page to refetch, so it catches up.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::Extension;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use backshare::activity::CHANGES_CHANNEL;
use backshare::db::Backend;
use backshare::ids::UserId;
use backshare::service::Backshare;
use futures::stream::{self, Stream};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use tower_sessions::Session;

/// One change: the account whose pages should refresh, or every account's when changes
/// may have been missed (the PostgreSQL connection dropped and came back).
#[derive(Debug, Clone)]
struct Change {
    account: Option<String>,
}

/// The instance's fan-out of changes to open connections.
#[derive(Debug, Clone)]
pub struct Feed {
    sender: broadcast::Sender<Change>,
    /// Set when the server shuts down: open event streams end, so a graceful shutdown
    /// does not wait forever on pages that stay open (they reconnect to the next server).
    closing: tokio::sync::watch::Sender<bool>,
}

impl Feed {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
            closing: tokio::sync::watch::channel(false).0,
        }
    }

    /// Ends every open event stream of this instance.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Sends a change to this instance's connections (nobody listening is not an error).
    fn publish(&self, account: Option<String>) {
        let _ = self.sender.send(Change { account });
    }
}

impl Default for Feed {
    fn default() -> Self {
        Self::new()
    }
}

/// Follows the changes and publishes them until `stop` fires.
pub async fn follow(svc: Backshare, feed: Feed, stop: tokio::sync::watch::Receiver<bool>) {
    match Backend::of(svc.db()) {
        Backend::Sqlite => tail(svc, feed, stop).await,
        Backend::Postgres => listen(svc, feed, stop).await,
    }
}

/// Tails `changes` every 25 ms (an indexed range read, cheap) and publishes what is new.
async fn tail(svc: Backshare, feed: Feed, mut stop: tokio::sync::watch::Receiver<bool>) {
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
                        feed.publish(Some(account));
                    }
                }
                Err(error) => tracing::warn!(%error, "reading changes failed; retrying"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// LISTENs on PostgreSQL's changes channel: notifications arrive as transactions commit,
/// from every instance. sqlx reconnects a dropped listener by itself; what was sent in the
/// meantime is lost, so every page is told to refetch.
async fn listen(svc: Backshare, feed: Feed, mut stop: tokio::sync::watch::Receiver<bool>) {
    let url = svc.db().connect_options().database_url.to_string();
    let mut listener = loop {
        let attempt = async {
            let mut listener = PgListener::connect(&url).await?;
            listener.listen(CHANGES_CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match attempt.await {
            Ok(listener) => break listener,
            Err(error) => {
                tracing::error!(%error, "the push feed cannot listen; retrying in 1 s");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    };
    loop {
        tokio::select! {
            received = listener.try_recv() => match received {
                Ok(Some(notification)) => feed.publish(Some(notification.payload().to_owned())),
                // The connection dropped; the next call reconnects.
                Ok(None) => feed.publish(None),
                Err(error) => {
                    tracing::warn!(%error, "the push feed lost PostgreSQL; reconnecting");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
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
                Ok(change) if change.account.as_ref().is_none_or(|a| *a == account) => {
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
    let mut closing = feed.closing.subscribe();
    let closed = async move {
        let _ = closing.wait_for(|closing| *closing).await;
    };
    let stream = futures::StreamExt::take_until(futures::StreamExt::chain(hello, changes), closed);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
