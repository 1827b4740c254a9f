//! Push-feed latency: from the owner's action (a new resource share for Bob) to Bob's open
//! page showing it (his feed event arrives, then his "Shared With Me" refetch lists the new
//! invitation), over 100 actions, in process against the real router, services and SQLite.
//! Prints p50 and p95; asserts nothing about time. Run with `scripts/bench-feed.sh`.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backshare_server::{feed, open, router, Config};
use clap::Parser;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use serde_json::json;
use tower::ServiceExt;

const ACTIONS: usize = 100;

async fn call(
    app: &Router,
    cookie: Option<&str>,
    endpoint: &str,
    body: String,
    json: bool,
) -> (StatusCode, String, Option<String>) {
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::ACCEPT, "application/json")
        .header(
            header::CONTENT_TYPE,
            if json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            },
        );
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned(), cookie)
}

async fn sign_in(app: &Router, email: &str) -> String {
    let (status, body, cookie) = call(
        app,
        None,
        "sign_in",
        format!("email={email}&password=backshare-demo"),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cookie.expect("a session cookie")
}

/// Waits for the next "change" event on an open feed.
async fn next_change(body: &mut Body) {
    loop {
        let frame = body.frame().await.expect("the feed stays open").unwrap();
        if let Ok(data) = frame.into_data() {
            if String::from_utf8_lossy(&data).contains("event: change") {
                return;
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = backshare::db::scratch_url(dir.path()).await;
    let config = Config::parse_from([
        "backshare-server",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &url,
        "--demo",
    ]);
    let svc = open(&config).await.unwrap();
    let options = LeptosOptions::builder().output_name("backshare").build();
    let feed = feed::Feed::new();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(feed::follow(svc.clone(), feed.clone(), stopped));
    let app = router(svc, feed, options, backshare_server::guard::Web::default())
        .await
        .unwrap();

    let alice = sign_in(&app, "alice@acme.example").await;
    let bob = sign_in(&app, "bob@acme-east.example").await;
    let request = Request::get("/api/events")
        .header(header::COOKIE, bob.clone())
        .body(Body::empty())
        .unwrap();
    let mut bobs_feed = app.clone().oneshot(request).await.unwrap().into_body();
    next_change(&mut bobs_feed).await; // "connected"

    let mut took = Vec::with_capacity(ACTIONS);
    for n in 0..ACTIONS {
        let name = format!("latency-{n}");
        let share = json!({ "share_name": name, "scope": "AllAccounts", "backup_ids": ["cb-acmehq-orders-001"], "principals": ["1840000000000002"] });
        let started = Instant::now();
        let (status, body, _) =
            call(&app, Some(&alice), "create_share", share.to_string(), true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Bob's page: the event arrives, the page refetches and shows the invitation.
        loop {
            next_change(&mut bobs_feed).await;
            let (_, page, _) = call(&app, Some(&bob), "shared_with_me", String::new(), false).await;
            if page.contains(&name) {
                break;
            }
        }
        took.push(started.elapsed());
    }
    took.sort();
    println!(
        "owner's action -> recipient's open page shows it, {ACTIONS} actions (in process, SQLite, feed tail every 25 ms):"
    );
    println!(
        "  p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        percentile(&took, 0.50).as_secs_f64() * 1e3,
        percentile(&took, 0.95).as_secs_f64() * 1e3,
        took.last().unwrap().as_secs_f64() * 1e3
    );
}
