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

/// Open event streams one session, and one account, may hold on an instance.
pub const STREAMS_PER_SESSION: usize = 4;
pub const STREAMS_PER_ACCOUNT: usize = 32;

/// How often an open stream checks that its session and user still exist, so a stream
/// outlives neither a sign-out nor its user's removal by more than this.
const RECHECK: Duration = Duration::from_secs(5);

/// The instance's fan-out of changes to open connections.
#[derive(Debug, Clone)]
pub struct Feed {
    sender: broadcast::Sender<Change>,
    /// Open streams per session id and per account, for the caps.
    open: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    /// Set when the server shuts down: open event streams end, so a graceful shutdown
    /// does not wait forever on pages that stay open (they reconnect to the next server).
    closing: tokio::sync::watch::Sender<bool>,
}

impl Feed {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
            open: Default::default(),
            closing: tokio::sync::watch::channel(false).0,
        }
    }

    /// Ends every open event stream of this instance.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Counts a stream for each key unless one is at its cap; the ticket uncounts it when
    /// the stream ends.
    fn admit(&self, keys: [(String, usize); 2]) -> Option<Ticket> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if keys
            .iter()
            .any(|(key, cap)| open.get(key).copied().unwrap_or(0) >= *cap)
        {
            return None;
        }
        for (key, _) in &keys {
            *open.entry(key.clone()).or_default() += 1;
        }
        Some(Ticket {
            open: self.open.clone(),
            keys: keys.map(|(key, _)| key),
        })
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

/// One open stream's place in the counts.
struct Ticket {
    open: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    keys: [String; 2],
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        for key in &self.keys {
            if let Some(count) = open.get_mut(key) {
                *count -= 1;
                if *count == 0 {
                    open.remove(key);
                }
            }
        }
    }
}

/// Whether a stream may go on: its session is still stored and its user still exists.
async fn still_signed_in(
    sessions: &crate::sessions::Sessions,
    svc: &Backshare,
    session: &tower_sessions::session::Id,
    user: &UserId,
) -> bool {
    use tower_sessions::SessionStore;
    matches!(sessions.load(session).await, Ok(Some(_)))
        && matches!(svc.caller(user).await, Ok(Some(_)))
}

/// `GET /api/events` for the signed-in account: "change" events, and a keep-alive. At
/// most [`STREAMS_PER_SESSION`] per session and [`STREAMS_PER_ACCOUNT`] per account (429
/// beyond); a stream ends once its session does (sign-out) or its user is removed.
pub async fn events(
    Extension(svc): Extension<Backshare>,
    Extension(feed): Extension<Feed>,
    Extension(sessions): Extension<crate::sessions::Sessions>,
    session: Session,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    let user: Option<String> = session
        .get(backshare_app::api::USER_KEY)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let user = UserId::from_trusted(user.ok_or(StatusCode::UNAUTHORIZED)?);
    let session_id = session.id().ok_or(StatusCode::UNAUTHORIZED)?;
    let caller = svc
        .caller(&user)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let account = caller.account_id.to_string();
    let ticket = feed
        .admit([
            (format!("session:{session_id}"), STREAMS_PER_SESSION),
            (format!("account:{account}"), STREAMS_PER_ACCOUNT),
        ])
        .ok_or(StatusCode::TOO_MANY_REQUESTS)?;
    let receiver = feed.sender.subscribe();
    // First event: refetch now (a reconnect catches up with what it missed).
    let hello = stream::once(async { Ok(Event::default().event("change").data("connected")) });
    let state = (receiver, account, ticket, tokio::time::interval(RECHECK));
    let changes = stream::unfold(
        state,
        move |(mut receiver, account, ticket, mut recheck)| {
            let (sessions, svc, user) = (sessions.clone(), svc.clone(), user.clone());
            async move {
                loop {
                    let received = tokio::select! {
                        received = receiver.recv() => received,
                        _ = recheck.tick() => {
                            if still_signed_in(&sessions, &svc, &session_id, &user).await {
                                continue;
                            }
                            return None;
                        }
                    };
                    match received {
                        // The global number stays on the server: gaps in it would tell one
                        // tenant how busy the others are.
                        Ok(change) if change.account.as_ref().is_none_or(|a| *a == account) => {
                            let event = Event::default().event("change").data("change");
                            return Some((Ok(event), (receiver, account, ticket, recheck)));
                        }
                        Ok(_) => {}
                        // Fell behind: one event makes the page refetch everything.
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            return Some((
                                Ok(Event::default().event("change").data("lagged")),
                                (receiver, account, ticket, recheck),
                            ))
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
        },
    );
    let mut closing = feed.closing.subscribe();
    let closed = async move {
        let _ = closing.wait_for(|closing| *closing).await;
    };
    let stream = futures::StreamExt::take_until(futures::StreamExt::chain(hello, changes), closed);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
