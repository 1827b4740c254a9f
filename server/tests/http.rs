//! The HTTP surface as a browser or script sees it: every server function called as
//! anonymous, as another tenant, as a viewer, as the recipient and as the owner, and the
//! session cookie's promises.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use backshare_server::guard::Web;
use backshare_server::{open, router, Config};
use clap::Parser;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use serde_json::{json, Value};
use tower::ServiceExt;

const ORDERS: &str = "cb-acmehq-orders-001";
const BOB_ACCOUNT: &str = "1840000000000002";

struct TestServer {
    app: Router,
    _dir: tempfile::TempDir,
    /// Stops the push feed's tail task when the test ends.
    _stop: tokio::sync::watch::Sender<bool>,
}

async fn server() -> TestServer {
    server_with(Web::default()).await
}

/// A test server whose web surface has these settings.
async fn server_with(web: Web) -> TestServer {
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
    let feed = backshare_server::feed::Feed::new();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(backshare_server::feed::follow(
        svc.clone(),
        feed.clone(),
        stopped,
    ));
    let app = router(svc, feed, options, web).await.unwrap();
    TestServer {
        app,
        _dir: dir,
        _stop: stop,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

impl TestServer {
    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Calls the RAM endpoint signed with an access key, dated `at`.
    async fn ram(
        &self,
        key: (&str, &str),
        method: &str,
        operation: &str,
        body: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Reply {
        let target = format!("/ram/{operation}");
        self.signed(
            key,
            "ap-southeast-1",
            "ram",
            method,
            &target,
            body,
            "application/json",
            at,
        )
        .await
    }

    /// A RAM call signed for another region.
    async fn signed_in_region(
        &self,
        key: (&str, &str),
        region: &str,
        method: &str,
        target: &str,
        body: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Reply {
        self.signed(
            key,
            region,
            "ram",
            method,
            target,
            body,
            "application/json",
            at,
        )
        .await
    }

    /// A request signed with an access key (SigV4) for `service` in `region`, dated `at`.
    #[allow(clippy::too_many_arguments)]
    async fn signed(
        &self,
        key: (&str, &str),
        region: &str,
        service: &str,
        method: &str,
        target: &str,
        body: &str,
        content_type: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Reply {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("host", "backshare.test".parse().unwrap());
        headers.insert(
            "x-amz-date",
            at.format("%Y%m%dT%H%M%SZ").to_string().parse().unwrap(),
        );
        headers.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        headers.insert(header::ACCEPT, "application/json".parse().unwrap());
        let received = backshare_server::sigv4::Received {
            method,
            path,
            query,
            headers: &headers,
            body: body.as_bytes(),
        };
        let authorization =
            backshare_server::sigv4::authorization_for(&received, key.0, key.1, region, service)
                .unwrap();
        let mut request = Request::builder().method(method).uri(target);
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        request = request.header(header::AUTHORIZATION, authorization);
        self.send(request.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    /// Calls a URL-encoded server function, as `fetch` from the page does.
    async fn call(&self, cookie: Option<&str>, endpoint: &str, form: &str) -> Reply {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    async fn create_share(
        &self,
        cookie: Option<&str>,
        name: &str,
        backup: &str,
        principal: &str,
    ) -> Reply {
        let body = json!({ "share_name": name, "scope": "AllAccounts", "backup_ids": [backup], "principals": [principal] });
        self.json_call(cookie, "create_share", body).await
    }

    /// Calls a server function that takes JSON (those with list arguments).
    async fn json_call(&self, cookie: Option<&str>, endpoint: &str, body: Value) -> Reply {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    async fn page(&self, cookie: Option<&str>, path: &str) -> Reply {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Signs in and returns the `Cookie` header value for the new session.
    async fn sign_in(&self, email: &str) -> String {
        let reply = self
            .call(
                None,
                "sign_in",
                &format!("email={email}&password=backshare-demo"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let set_cookie = reply
            .headers
            .get(header::SET_COOKIE)
            .expect("a session cookie")
            .to_str()
            .unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    }
}

/// The sentence a refused call carries.
fn message(reply: &Reply) -> String {
    reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn anonymous_callers_are_refused_everywhere_and_asked_to_sign_in() {
    let s = server().await;
    for endpoint in [
        "credentials",
        "list_backups",
        "my_shares",
        "shared_with_me",
        "activity",
        "share_options",
        "share_choices",
        "restores",
    ] {
        let reply = s.call(None, endpoint, "").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{endpoint}");
        assert!(
            message(&reply).contains("Please sign in"),
            "{endpoint}: {}",
            reply.body
        );
    }
    for (endpoint, form) in [
        ("accept_invitation", "invitation_id=inv-x"),
        ("reject_invitation", "invitation_id=inv-x"),
        ("cancel_sharing", "share_id=rs-x&recipient=1840000000000002"),
        ("restore_backup", "backup_id=cb-acmehq-orders-001"),
        ("share_summary", "share_id=rs-x"),
    ] {
        assert_eq!(
            s.call(None, endpoint, form).await.status,
            StatusCode::UNAUTHORIZED,
            "{endpoint}"
        );
    }
    assert_eq!(
        s.create_share(None, "x", ORDERS, BOB_ACCOUNT).await.status,
        StatusCode::UNAUTHORIZED
    );
    let preview =
        json!({ "scope": "AllAccounts", "backup_ids": [ORDERS], "principals": [BOB_ACCOUNT] });
    assert_eq!(
        s.json_call(None, "preview_share", preview).await.status,
        StatusCode::UNAUTHORIZED
    );
    let list = s
        .call(None, "share_list", &format!("backup_id={ORDERS}"))
        .await;
    assert_eq!(list.status, StatusCode::UNAUTHORIZED);
    let me = s.call(None, "me", "").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json(), Value::Null);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_read_the_same() {
    let s = server().await;
    let wrong = s
        .call(None, "sign_in", "email=alice@acme.example&password=wrong")
        .await;
    let unknown = s
        .call(None, "sign_in", "email=nobody@acme.example&password=wrong")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (wrong.status, wrong.body.clone()),
        (unknown.status, unknown.body)
    );
    assert_eq!(message(&wrong), "The email or password is not correct.");
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax_and_sign_out_destroys_the_session() {
    let s = server().await;
    let reply = s
        .call(
            None,
            "sign_in",
            "email=alice@acme.example&password=backshare-demo",
        )
        .await;
    let set_cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        s.call(Some(&cookie), "me", "").await.json()["email"],
        "alice@acme.example"
    );

    assert_eq!(
        s.call(Some(&cookie), "sign_out", "").await.status,
        StatusCode::OK
    );
    // The old cookie is worth nothing now, even if a browser kept it.
    assert_eq!(s.call(Some(&cookie), "me", "").await.json(), Value::Null);
    assert_eq!(
        s.call(Some(&cookie), "list_backups", "").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn each_caller_gets_what_it_may_and_nothing_more() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let vic = s.sign_in("vic@acme.example").await;
    let bob = s.sign_in("bob@acme-east.example").await;
    let carol = s.sign_in("carol@partner.example").await;

    // Create: viewer forbidden, another tenant cannot see the backup, owner succeeds.
    let by_vic = s
        .create_share(Some(&vic), "by-vic", ORDERS, BOB_ACCOUNT)
        .await;
    assert_eq!(by_vic.status, StatusCode::FORBIDDEN);
    assert!(message(&by_vic).contains("viewer"), "{}", by_vic.body);
    assert_eq!(
        s.create_share(Some(&carol), "steal", ORDERS, BOB_ACCOUNT)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let created = s
        .create_share(Some(&alice), "to-east", ORDERS, BOB_ACCOUNT)
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let share_id = created.json().as_str().unwrap().to_owned();
    let refused = s
        .create_share(Some(&alice), "to-dan", ORDERS, "1860000000000004")
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        message(&refused).contains("another site"),
        "{}",
        refused.body
    );

    // Changing the share: only its owner; a recipient is told so, a stranger sees nothing.
    let edit = json!({ "share_id": share_id, "backup_ids": [], "principals": [] });
    assert_eq!(
        s.json_call(Some(&bob), "update_share", edit.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.json_call(Some(&carol), "update_share", edit.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.json_call(Some(&vic), "update_share", edit).await.status,
        StatusCode::FORBIDDEN
    );
    // Restoring another tenant's backup, or one not yet accepted: not found.
    let restore = format!("backup_id={ORDERS}");
    assert_eq!(
        s.call(Some(&bob), "restore_backup", &restore).await.status,
        StatusCode::NOT_FOUND
    );

    // A preview of another tenant's backup reveals nothing but "not found".
    let peek =
        json!({ "scope": "AllAccounts", "backup_ids": [ORDERS], "principals": [BOB_ACCOUNT] });
    let peek = s.json_call(Some(&carol), "preview_share", peek).await;
    assert_eq!(peek.status, StatusCode::OK);
    assert_eq!(
        peek.json()["problems"][0]["message"],
        format!("Backup {ORDERS} was not found.")
    );

    // The viewer sees the share; another tenant sees none of it.
    assert_eq!(
        s.call(Some(&vic), "my_shares", "").await.json()["rows"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.call(Some(&carol), "my_shares", "").await.json()["rows"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        s.call(Some(&carol), "shared_with_me", "").await.json()["pending"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let page = s.call(Some(&bob), "shared_with_me", "").await.json();
    let invitation = page["pending"][0]["id"].as_str().unwrap().to_owned();
    let form = format!("invitation_id={invitation}");

    // Answer: only the recipient.
    assert_eq!(
        s.call(Some(&carol), "accept_invitation", &form)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&carol), "reject_invitation", &form)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&alice), "accept_invitation", &form)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.call(Some(&vic), "accept_invitation", &form).await.status,
        StatusCode::FORBIDDEN
    );
    let accepted = s.call(Some(&bob), "accept_invitation", &form).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(
        s.call(Some(&bob), "reject_invitation", &form).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        s.call(Some(&alice), "my_shares", "").await.json()["rows"][0]["status"],
        "Accepted"
    );

    // Cancel: only the owner, and not its viewer.
    let cancel = format!("share_id={share_id}&recipient={BOB_ACCOUNT}");
    assert_eq!(
        s.call(Some(&carol), "cancel_sharing", &cancel).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&bob), "cancel_sharing", &cancel).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.call(Some(&vic), "cancel_sharing", &cancel).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.call(Some(&alice), "my_shares", "").await.json()["rows"][0]["status"],
        "Accepted",
        "nothing changed"
    );
    assert_eq!(
        s.call(Some(&alice), "cancel_sharing", &cancel).await.status,
        StatusCode::OK
    );
    assert_eq!(
        s.call(Some(&alice), "my_shares", "").await.json()["rows"][0]["status"],
        "Revoking"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_server_function_from_its_types() {
    let s = server().await;
    let reply = s.page(None, "/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every registered server function is an operation, and nothing else is.
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let documented: std::collections::BTreeSet<String> =
        doc["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(documented, registered);
    println!("OpenAPI document: {} operations", documented.len());

    // The arguments come from the function's signature, the encoding from its codec.
    let create = &doc["paths"]["/api/create_share"]["post"];
    assert_eq!(create["operationId"], "create_share");
    let body = &create["requestBody"]["content"]["application/json"]["schema"];
    let required: Vec<&str> = body["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"share_name") && required.contains(&"principals"));
    assert!(
        !required.contains(&"grant_key"),
        "grant_key has a default: {body}"
    );
    assert!(create["description"]
        .as_str()
        .unwrap()
        .contains("Create a new resource share"));
    let reject = &doc["paths"]["/api/reject_invitation"]["post"]["requestBody"]["content"];
    assert!(
        reject["application/x-www-form-urlencoded"]["schema"]["properties"]["invitation_id"]
            .is_object()
    );
    // Results refer to named schemas that the document carries.
    let page = doc["paths"]["/api/my_shares"]["post"]["responses"]["200"]["content"]
        ["application/json"]["schema"]
        .to_string();
    for reference in page.split("#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{name} is referred to but not in the document"
        );
    }
    assert!(doc["components"]["schemas"]["Error"]["properties"]["code"].is_object());
    assert_eq!(
        doc["paths"]["/api/cancel_sharing"]["post"]["responses"]["409"]["content"]
            ["application/json"]["schema"]["$ref"],
        "#/components/schemas/Error"
    );
    // Signed-in operations name both ways of signing in; sign-in itself names none.
    assert_eq!(
        doc["paths"]["/api/vaults"]["post"]["security"],
        json!([{ "session": [] }, { "accessKey": [] }])
    );
    assert!(doc["paths"]["/api/sign_in"]["post"]["security"].is_null());

    // The reference page renders the same operations, signed in or not.
    let reference = s.page(None, "/api-reference").await;
    assert_eq!(reference.status, StatusCode::OK);
    assert!(reference.body.contains("POST /api/restore_backup"));
    assert!(reference.body.contains("invitation_id"));
    for returns in [
        "list of AccessKeyView",
        "Me or null",
        "SharedWithMe",
        "nothing",
    ] {
        assert!(
            reference.body.contains(returns),
            "the page names no {returns}"
        );
    }
    assert!(!reference.body.contains("Serialized arguments"));
}

#[tokio::test]
async fn pages_render_on_the_server_and_signed_out_visitors_are_sent_to_sign_in() {
    let s = server().await;
    let signin = s.page(None, "/signin").await;
    assert_eq!(signin.status, StatusCode::OK);
    assert!(signin.body.contains("Sign in") && signin.body.contains("name=\"password\""));

    let backups = s.page(None, "/backups").await;
    assert_eq!(backups.status, StatusCode::FOUND, "{}", backups.body);
    assert_eq!(backups.headers.get(header::LOCATION).unwrap(), "/signin");

    let alice = s.sign_in("alice@acme.example").await;
    let backups = s.page(Some(&alice), "/backups").await;
    assert_eq!(backups.status, StatusCode::OK);
    assert!(backups.body.contains(ORDERS));
    let credentials = s.page(Some(&alice), "/credentials").await;
    assert!(
        credentials.body.contains("1840000000000001")
            && credentials.body.contains("proj-acmehq-eu")
    );
}

/// The `lang` of the page's `<html>` element.
fn html_lang(page: &str) -> Option<&str> {
    let tag = &page[page.find("<html")?..];
    let tag = &tag[..tag.find('>')?];
    let value = &tag[tag.find("lang=\"")? + 6..];
    Some(&value[..value.find('"')?])
}

#[tokio::test]
async fn the_page_speaks_the_browsers_language_until_the_header_chooses_another() {
    let s = server().await;
    let visit = |languages: Option<&'static str>, cookie: Option<&'static str>| {
        let mut request = Request::get("/signin").header(header::HOST, "127.0.0.1:3000");
        if let Some(languages) = languages {
            request = request.header(header::ACCEPT_LANGUAGE, languages);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::empty()).unwrap()
    };
    // A new visitor: the browser's language, when it is one offered; else English.
    let chinese = s.send(visit(Some("zh-CN,zh;q=0.9,en;q=0.8"), None)).await;
    assert_eq!(html_lang(&chinese.body), Some("zh"), "{}", chinese.body);
    assert!(
        chinese.body.contains("登录"),
        "the sign-in page is not in Chinese"
    );
    let english = s.send(visit(Some("en-GB,en;q=0.9"), None)).await;
    assert_eq!(html_lang(&english.body), Some("en"));
    let neither = s.send(visit(Some("fr-FR"), None)).await;
    assert_eq!(html_lang(&neither.body), Some("en"));
    assert_eq!(html_lang(&s.send(visit(None, None)).await.body), Some("en"));

    // The header's choice: kept in a cookie for every path, back to the page it was made on.
    let choose = |lang: &str, origin: &str| {
        Request::post("/language")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, origin)
            .header(header::REFERER, format!("{origin}/shared-with-me?at=x"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("lang={lang}")))
            .unwrap()
    };
    let chosen = s.send(choose("zh", "http://127.0.0.1:3000")).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    assert_eq!(
        chosen.headers.get(header::LOCATION).unwrap(),
        "/shared-with-me?at=x"
    );
    let cookie = chosen
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("backshare_lang=zh;"), "{cookie}");
    assert!(
        cookie.contains("Path=/") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=")
    );
    // The choice outweighs the browser's language.
    let kept = s
        .send(visit(Some("en-US"), Some("backshare_lang=zh")))
        .await;
    assert_eq!(html_lang(&kept.body), Some("zh"));
    let back = s
        .send(visit(Some("zh-CN"), Some("backshare_lang=en")))
        .await;
    assert_eq!(html_lang(&back.body), Some("en"));
    // A language not offered is refused, and so is a choice posted by another site.
    let unknown = s.send(choose("xx", "http://127.0.0.1:3000")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["code"], "invalid");
    assert!(unknown.json()["message"].as_str().unwrap().contains("lang"));
    assert!(unknown.headers.get(header::SET_COOKIE).is_none());
    let forged = s.send(choose("zh", "https://evil.example")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn a_plain_form_sign_in_without_javascript_redirects() {
    let s = server().await;
    let form = |password: &str| {
        Request::post("/api/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::REFERER, "http://127.0.0.1:3000/signin")
            .body(Body::from(format!(
                "email=alice%40acme.example&password={password}"
            )))
            .unwrap()
    };
    let ok = s.send(form("backshare-demo")).await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.headers.get(header::LOCATION).unwrap(), "/backups");
    let failed = s.send(form("wrong")).await;
    assert_eq!(failed.status, StatusCode::FOUND);
    assert_eq!(
        failed.headers.get(header::LOCATION).unwrap(),
        "/signin?failed=1"
    );
}

#[tokio::test]
async fn a_refused_plain_form_post_returns_to_its_page_which_says_why_once() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let refusal = message(
        &s.call(Some(&alice), "delete_backup", "backup_id=cb-none")
            .await,
    );
    let plain = |cookie: Option<&str>| {
        let mut request = Request::post("/api/delete_backup")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::REFERER, "http://127.0.0.1:3000/backups?at=x");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::from("backup_id=cb-none")).unwrap()
    };
    let back = s.send(plain(Some(&alice))).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(back.headers.get(header::LOCATION).unwrap(), "/backups?at=x");
    let page = s.page(Some(&alice), "/backups").await;
    assert!(
        page.body.contains(&refusal),
        "the page does not say: {refusal}"
    );
    let again = s.page(Some(&alice), "/backups").await;
    assert!(!again.body.contains(&refusal), "the sentence is shown once");
    // Not signed in: to "Sign in". Scripts (JSON callers) keep their status and body.
    let anonymous = s.send(plain(None)).await;
    assert_eq!(anonymous.headers.get(header::LOCATION).unwrap(), "/signin");
    let scripted = s
        .call(Some(&alice), "delete_backup", "backup_id=cb-none")
        .await;
    assert_eq!(scripted.status, StatusCode::NOT_FOUND);
}

/// Calls a server function accepting `accept`; the status, content type and raw body.
async fn call_accepting(
    s: &TestServer,
    cookie: Option<&str>,
    endpoint: &str,
    content_type: &str,
    body: String,
    accept: &str,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, accept);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = s
        .app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, bytes.to_vec())
}

/// The pages ask for postcard of their build and get it, answers and errors alike, typed
/// reason included; a caller that asks for JSON, or for nothing in particular, gets JSON,
/// labelled so.
#[tokio::test]
async fn the_pages_get_postcard_and_every_other_caller_json() {
    use backshare::error::Reason;
    use backshare_app::error::{AppError, ErrorCode};
    const POSTCARD: &str = "application/x-postcard";
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let form = "application/x-www-form-urlencoded";
    // What the pages send: postcard of this build.
    let page = format!("{POSTCARD}; build={}", backshare_app::wire::BUILD);

    let (status, kind, body) =
        call_accepting(&s, Some(&alice), "me", form, String::new(), &page).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, POSTCARD));
    let me: Option<backshare::views::Me> = postcard::from_bytes(&body).unwrap();
    assert_eq!(me.unwrap().email, "alice@acme.example");
    for accept in [
        "application/json",
        "*/*",
        "text/plain, application/json;q=0.9",
    ] {
        let (status, kind, body) =
            call_accepting(&s, Some(&alice), "me", form, String::new(), accept).await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::OK, "application/json")
        );
        let me: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(me["email"], "alice@acme.example", "{accept}");
    }

    // A refusal: its kind and typed reason cross in both.
    let refused = json!({ "share_name": "to-dan", "scope": "AllAccounts",
        "backup_ids": [ORDERS], "principals": ["1860000000000004"] })
    .to_string();
    let (status, kind, body) = call_accepting(
        &s,
        Some(&alice),
        "create_share",
        "application/json",
        refused.clone(),
        &format!("{page}, application/json;q=0.5"),
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::CONFLICT, POSTCARD));
    let error: AppError = postcard::from_bytes(&body).unwrap();
    assert_eq!(error.code, ErrorCode::Refused);
    assert!(
        matches!(error.reason.as_deref(), Some(Reason::Refused(_))),
        "{error:?}"
    );
    let (status, kind, body) = call_accepting(
        &s,
        Some(&alice),
        "create_share",
        "application/json",
        refused,
        "application/json",
    )
    .await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::CONFLICT, "application/json")
    );
    let json: AppError = serde_json::from_slice(&body).unwrap();
    assert_eq!(json, error);

    // Not signed in: postcard too, so the page can send its reader to "Sign in".
    let (status, kind, body) =
        call_accepting(&s, None, "credentials", form, String::new(), &page).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::UNAUTHORIZED, POSTCARD)
    );
    let error: AppError = postcard::from_bytes(&body).unwrap();
    assert!(error.is_not_signed_in(), "{error:?}");

    // The guard's own refusals, before any function runs, too.
    let cross_site = Request::post("/api/cancel_sharing")
        .header(header::HOST, "backshare.test")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, form)
        .header(header::ACCEPT, &page)
        .header(header::COOKIE, &alice)
        .body(Body::from("share_id=rs-anything"))
        .unwrap();
    let response = s.app.clone().oneshot(cross_site).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()[header::CONTENT_TYPE], POSTCARD);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let error: AppError = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("another site"), "{error:?}");

    // A page of another build (left open across an update) is told so, in JSON that every
    // build can read, and what it asked does not run.
    let stale = json!({ "share_name": "from-a-stale-page", "scope": "AllAccounts",
        "backup_ids": [ORDERS], "principals": [BOB_ACCOUNT] });
    for accept in [
        "application/x-postcard; build=0000000000000000",
        "application/x-postcard",
    ] {
        let (status, kind, body) = call_accepting(
            &s,
            Some(&alice),
            "create_share",
            "application/json",
            stale.to_string(),
            accept,
        )
        .await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::CONFLICT, "application/json")
        );
        let error: AppError = serde_json::from_slice(&body).unwrap();
        assert_eq!(error.code, ErrorCode::Outdated, "{accept}");
    }
    let shares = s.call(Some(&alice), "my_shares", "").await;
    assert_eq!(shares.status, StatusCode::OK);
    assert!(
        !shares.body.contains("from-a-stale-page"),
        "{}",
        shares.body
    );
}

#[tokio::test]
async fn responses_are_compressed_for_browsers_that_accept_it() {
    let s = server().await;
    let request = Request::get("/signin")
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let reply = s.app.clone().oneshot(request).await.unwrap();
    assert_eq!(
        reply.headers().get(header::CONTENT_ENCODING).unwrap(),
        "gzip"
    );
}

#[tokio::test]
async fn only_the_owners_admin_deletes_a_backup() {
    let s = server().await;
    let form = format!("backup_id={ORDERS}");
    assert_eq!(
        s.call(None, "delete_backup", &form).await.status,
        StatusCode::UNAUTHORIZED
    );
    let carol = s.sign_in("carol@partner.example").await;
    assert_eq!(
        s.call(Some(&carol), "delete_backup", &form).await.status,
        StatusCode::NOT_FOUND
    );
    let vic = s.sign_in("vic@acme.example").await;
    assert_eq!(
        s.call(Some(&vic), "delete_backup", &form).await.status,
        StatusCode::FORBIDDEN
    );
    let alice = s.sign_in("alice@acme.example").await;
    assert_eq!(
        s.call(Some(&alice), "delete_backup", &form).await.status,
        StatusCode::OK
    );
    let listed = s.call(Some(&alice), "list_backups", "").await.json();
    assert!(!listed["backups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["id"] == ORDERS));
}

#[tokio::test]
async fn copies_vaults_and_resources_answer_only_to_whom_they_belong() {
    const WEB: &str = "sb-acmehq-web-001";
    let s = server().await;
    for endpoint in ["vaults", "resources"] {
        assert_eq!(
            s.call(None, endpoint, "").await.status,
            StatusCode::UNAUTHORIZED,
            "{endpoint}"
        );
    }
    for (endpoint, form) in [
        ("copy_into_vault", "grant_id=g-x&vault_id=v-x"),
        ("retry_copy", "grant_id=g-x"),
        ("release_resource", "resource_id=res-acmehq-orders-db"),
    ] {
        assert_eq!(
            s.call(None, endpoint, form).await.status,
            StatusCode::UNAUTHORIZED,
            "{endpoint}"
        );
    }
    let alice = s.sign_in("alice@acme.example").await;
    let vic = s.sign_in("vic@acme.example").await;
    let bob = s.sign_in("bob@acme-east.example").await;
    let carol = s.sign_in("carol@partner.example").await;
    assert_eq!(
        s.create_share(Some(&alice), "web", WEB, BOB_ACCOUNT)
            .await
            .status,
        StatusCode::OK
    );

    // Accepting a server backup needs a vault, sent as the page sends it.
    let page = s.call(Some(&bob), "shared_with_me", "").await.json();
    let invitation = page["pending"][0]["id"].as_str().unwrap().to_owned();
    let choice = &page["pending"][0]["vault_choices"][0];
    let vault = choice["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["refusal"].is_null())
        .unwrap()["vault_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bare = s
        .call(
            Some(&bob),
            "accept_invitation",
            &format!("invitation_id={invitation}"),
        )
        .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert!(message(&bare).contains("Choose a vault"), "{}", bare.body);
    let carols_vault = format!("invitation_id={invitation}&vaults[{WEB}]=vault-partnerb-servers");
    assert_eq!(
        s.call(Some(&bob), "accept_invitation", &carols_vault)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let form = format!("invitation_id={invitation}&vaults[{WEB}]={vault}");
    let accepted = s.call(Some(&bob), "accept_invitation", &form).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let page = s.call(Some(&bob), "shared_with_me", "").await.json();
    let grant = page["received"][0]["grant_id"].as_str().unwrap().to_owned();
    assert!(
        page["received"][0]["status"]["Copying"].is_number(),
        "{}",
        page["received"][0]
    );

    // The copy is Bob's: nobody else may retry it or pick its vault.
    let retry = format!("grant_id={grant}");
    for cookie in [&alice, &vic, &carol] {
        assert_eq!(
            s.call(Some(cookie), "retry_copy", &retry).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let pick = format!("grant_id={grant}&vault_id={vault}");
    assert_eq!(
        s.call(Some(&carol), "copy_into_vault", &pick).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&bob), "copy_into_vault", &pick).await.status,
        StatusCode::CONFLICT
    );
    // Bob's vault and the copy in it show on his Vaults page only.
    let listed = |v: &Value| {
        v["vaults"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == vault.as_str())
    };
    assert!(listed(&s.call(Some(&bob), "vaults", "").await.json()));
    assert!(!listed(&s.call(Some(&carol), "vaults", "").await.json()));
    // A vault's contents: its owner's only; another tenant's vault is not found.
    let contents = format!("vault_id={vault}");
    let held = s.call(Some(&bob), "vault_contents", &contents).await;
    assert_eq!(held.status, StatusCode::OK);
    assert!(held.json()["items"].as_array().is_some());
    assert_eq!(
        s.call(Some(&carol), "vault_contents", &contents)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(None, "vault_contents", &contents).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Releasing: only the owner's admins, and nobody can see another tenant's resources.
    let release = "resource_id=res-acmehq-web-01";
    assert_eq!(
        s.call(Some(&carol), "release_resource", release)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&bob), "release_resource", release).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&vic), "release_resource", release).await.status,
        StatusCode::FORBIDDEN
    );
    let mine = s.call(Some(&carol), "resources", "").await.json();
    assert!(!mine["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "res-acmehq-web-01"));
    assert_eq!(
        s.call(Some(&alice), "release_resource", release)
            .await
            .status,
        StatusCode::OK
    );
}

/// Reads the next server-sent event's text from an open `/api/events` body.
async fn next_event(body: &mut Body) -> String {
    loop {
        let frame = body.frame().await.expect("the feed stays open").unwrap();
        if let Ok(data) = frame.into_data() {
            let text = String::from_utf8_lossy(&data).into_owned();
            // Keep-alive comments carry no event.
            if text.contains("event:") {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn the_push_feed_tells_each_account_of_its_own_changes_only() {
    use futures::FutureExt;
    let s = server().await;
    let anonymous = s.page(None, "/api/events").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let alice = s.sign_in("alice@acme.example").await;
    let bob = s.sign_in("bob@acme-east.example").await;
    let carol = s.sign_in("carol@partner.example").await;
    let open = |cookie: String| {
        let app = s.app.clone();
        async move {
            let request = Request::get("/api/events")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                "text/event-stream"
            );
            response.into_body()
        }
    };
    let mut bobs = open(bob).await;
    let mut carols = open(carol).await;
    // Every connection starts with an event, so a page that (re)connects refetches.
    assert!(next_event(&mut bobs).await.contains("connected"));
    assert!(next_event(&mut carols).await.contains("connected"));

    assert_eq!(
        s.create_share(Some(&alice), "feed", ORDERS, BOB_ACCOUNT)
            .await
            .status,
        StatusCode::OK
    );
    let event = next_event(&mut bobs).await;
    assert!(event.contains("event: change"), "{event}");
    assert!(
        !event.contains("id:"),
        "no global change numbers leave the server: {event}"
    );
    // Carol's feed had the same change offered and passed it over: nothing is waiting.
    assert!(carols.frame().now_or_never().is_none());
}

#[tokio::test]
async fn a_page_position_the_console_did_not_make_is_refused_with_400_naming_it() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    for (endpoint, form) in [
        ("my_shares", "at=page-two"),
        ("shared_with_me", "received=older.x.rs-1"),
        ("shared_with_me", "pending=newer.12"),
    ] {
        let reply = s.call(Some(&alice), endpoint, form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{endpoint} {form}");
        assert!(
            message(&reply).contains("page position"),
            "{endpoint}: {}",
            reply.body
        );
    }
    // A page link the console handed out works.
    let page = s.call(Some(&alice), "my_shares", "").await.json();
    assert!(page["links"]["newer"].is_null());
}

/// A request as a browser page on `origin` would send it, with the caller's cookie.
fn from_page(origin: &str, cookie: &str, endpoint: &str, form: &str) -> Request<Body> {
    Request::post(format!("/api/{endpoint}"))
        .header(header::HOST, "backshare.test")
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn a_change_posted_from_another_site_is_refused_before_it_runs() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let bob = s.sign_in("bob@acme-east.example").await;
    let pending = |reply: Reply| reply.json()["pending"].as_array().unwrap().len();
    let before = pending(s.call(Some(&bob), "shared_with_me", "").await);
    let invitation = s.call(Some(&bob), "shared_with_me", "").await.json()["pending"][0]["id"]
        .as_str()
        .map(str::to_owned);
    let form = format!("invitation_id={}", invitation.clone().unwrap_or_default());
    // Another site's page: refused with 403 and a sentence, and nothing changed.
    let evil = s
        .send(from_page(
            "https://evil.example",
            &bob,
            "reject_invitation",
            &form,
        ))
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN, "{}", evil.body);
    assert!(message(&evil).contains("another site"), "{}", evil.body);
    assert_eq!(
        pending(s.call(Some(&bob), "shared_with_me", "").await),
        before
    );
    // Without Origin, the fetch metadata or the Referer tell.
    let mut cross = from_page("x", &alice, "sign_out", "");
    cross.headers_mut().remove(header::ORIGIN);
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(s.send(cross).await.status, StatusCode::FORBIDDEN);
    let mut referred = from_page("x", &alice, "sign_out", "");
    referred.headers_mut().remove(header::ORIGIN);
    referred.headers_mut().insert(
        header::REFERER,
        "https://evil.example/page".parse().unwrap(),
    );
    assert_eq!(s.send(referred).await.status, StatusCode::FORBIDDEN);
    // A cross-site sign-in form sets no session (login CSRF).
    let mut login = from_page(
        "https://evil.example",
        "",
        "sign_in",
        "email=alice@acme.example&password=backshare-demo",
    );
    login.headers_mut().remove(header::COOKIE);
    let login = s.send(login).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert!(login.headers.get(header::SET_COOKIE).is_none());
    // The server's own page is let through.
    if invitation.is_some() {
        let own = s
            .send(from_page(
                "http://backshare.test",
                &bob,
                "reject_invitation",
                &form,
            ))
            .await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        assert_eq!(
            pending(s.call(Some(&bob), "shared_with_me", "").await),
            before - 1
        );
    }
}

#[tokio::test]
async fn unreadable_arguments_answer_400_naming_the_field_and_big_bodies_413() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    // A missing field, a negative number, malformed JSON: 400, never 500.
    let missing = s.call(Some(&alice), "restore_backup", "").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    assert!(message(&missing).contains("backup_id"), "{}", missing.body);
    assert_eq!(missing.json()["code"], "invalid");
    let wrong_type = json!({ "share_name": "x", "scope": "AllAccounts", "backup_ids": "not a list", "principals": [] });
    let wrong_type = s.json_call(Some(&alice), "create_share", wrong_type).await;
    assert_eq!(
        wrong_type.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_type.body
    );
    assert!(
        message(&wrong_type).contains("backup_ids") || message(&wrong_type).contains("sequence"),
        "{}",
        wrong_type.body
    );
    let mut broken = Request::post("/api/create_share")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &alice)
        .body(Body::from("{\"share_name\": "))
        .unwrap();
    broken
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    let broken = s.send(broken).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.body);
    assert!(
        !broken.body.contains("error deserializing"),
        "{}",
        broken.body
    );
    // NUL in any field (PostgreSQL refuses it in text): 400, raw or encoded.
    for body in ["backup_id=cb-%00", "backup_id=cb-\0"] {
        let nul = s.call(Some(&alice), "restore_backup", body).await;
        assert_eq!(nul.status, StatusCode::BAD_REQUEST, "{}", nul.body);
        assert!(message(&nul).contains("NUL"), "{}", nul.body);
    }
    // A body over the limit (64 KiB by default): 413 before anything reads it.
    let huge = format!("share_id={}", "x".repeat(3 * 1024 * 1024));
    let reply = s.call(Some(&alice), "share_summary", &huge).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert!(message(&reply).contains("64 KiB"), "{}", reply.body);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_private_ones_are_not_cached() {
    let s = server().await;
    let page = s.page(None, "/signin").await;
    let alice = s.sign_in("alice@acme.example").await;
    let api = s.call(Some(&alice), "my_shares", "").await;
    for reply in [&page, &api] {
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("referrer-policy"), "same-origin");
        assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
        if reply.body.contains("<html") {
            assert!(
                header("content-security-policy").contains("script-src 'self' 'nonce-"),
                "a page's scripts are restricted: {}",
                header("content-security-policy")
            );
        }
        assert_eq!(header("cache-control"), "no-store");
    }
}

#[tokio::test]
async fn a_flood_of_wrong_passwords_is_answered_429_with_retry_after() {
    let s = server().await;
    let attempt = || s.call(None, "sign_in", "email=alice@acme.example&password=wrong");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(attempt().await.status);
    }
    assert_eq!(&statuses[..5], &[StatusCode::UNAUTHORIZED; 5]);
    let throttled = attempt().await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.body
    );
    assert_eq!(throttled.json()["code"], "throttled");
    assert!(
        message(&throttled).contains("try again in"),
        "{}",
        throttled.body
    );
    let retry: u64 = throttled.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    // The right password waits for the window too.
    let right = s
        .call(
            None,
            "sign_in",
            "email=alice@acme.example&password=backshare-demo",
        )
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

/// How a matrix row's arguments are sent.
enum Args {
    Form(String),
    Json(Value),
}

/// The callers of the matrix, in its column order.
const CALLERS: [&str; 5] = ["anonymous", "other tenant", "viewer", "recipient", "owner"];

#[tokio::test]
async fn the_authorization_matrix_holds_for_every_server_function() {
    use StatusCode as S;
    let (ok, unauthorized, forbidden, not_found, conflict) = (
        S::OK,
        S::UNAUTHORIZED,
        S::FORBIDDEN,
        S::NOT_FOUND,
        S::CONFLICT,
    );
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let callers = [
        None,
        Some(s.sign_in("carol@partner.example").await),
        Some(s.sign_in("vic@acme.example").await),
        Some(s.sign_in("bob@acme-east.example").await),
        Some(alice.clone()),
    ];
    // Alice (owner) shares her orders backup with Bob (recipient); Vic views Alice's
    // account; Carol's is another tenant.
    let share = s
        .create_share(Some(&alice), "matrix", ORDERS, BOB_ACCOUNT)
        .await;
    let share = share.json().as_str().unwrap().to_owned();
    let bob = callers[3].clone().unwrap();
    let invitation = s.call(Some(&bob), "shared_with_me", "").await.json()["pending"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Alice's access key: only she may deactivate or delete it.
    let key = s.call(Some(&alice), "create_access_key", "").await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = |text: String| Args::Form(text);
    let anyone = [unauthorized, ok, ok, ok, ok];
    // Each row: a server function, its arguments, and what each caller gets, run in this
    // order (rows that change state come after the reads they would disturb).
    let rows: Vec<(&str, Args, [StatusCode; 5])> = vec![
        ("me", form(String::new()), [ok; 5]),
        ("api_reference", form(String::new()), [ok; 5]),
        ("credentials", form(String::new()), anyone),
        ("list_backups", form(String::new()), anyone),
        ("share_options", form(String::new()), anyone),
        ("share_choices", form(String::new()), anyone),
        ("my_shares", form(String::new()), anyone),
        ("shared_with_me", form(String::new()), anyone),
        ("activity", form(String::new()), anyone),
        ("vaults", form(String::new()), anyone),
        ("restores", form(String::new()), anyone),
        ("resources", form(String::new()), anyone),
        (
            "share_summary",
            form(format!("share_id={share}")),
            [unauthorized, not_found, ok, not_found, ok],
        ),
        (
            "share_list",
            form(format!("backup_id={ORDERS}")),
            [unauthorized, not_found, ok, not_found, ok],
        ),
        (
            "vault_contents",
            form("vault_id=vault-acmehq-servers".into()),
            [unauthorized, not_found, ok, not_found, ok],
        ),
        (
            "preview_share",
            Args::Json(
                json!({ "scope": "AllAccounts", "backup_ids": [ORDERS], "principals": ["1840000000000003"] }),
            ),
            anyone,
        ),
        (
            "create_share",
            Args::Json(
                json!({ "share_name": "matrix-2", "scope": "AllAccounts", "backup_ids": [ORDERS], "principals": [BOB_ACCOUNT] }),
            ),
            [unauthorized, not_found, forbidden, not_found, ok],
        ),
        (
            "update_share",
            Args::Json(json!({ "share_id": share, "backup_ids": [], "principals": [BOB_ACCOUNT] })),
            [unauthorized, not_found, forbidden, forbidden, ok],
        ),
        (
            "accept_invitation",
            form(format!("invitation_id={invitation}")),
            [unauthorized, not_found, forbidden, ok, forbidden],
        ),
        (
            "reject_invitation",
            form(format!("invitation_id={invitation}")),
            [unauthorized, not_found, forbidden, conflict, forbidden],
        ),
        (
            "copy_into_vault",
            form("grant_id=gr-none&vault_id=vault-none".into()),
            [unauthorized, not_found, not_found, not_found, not_found],
        ),
        (
            "retry_copy",
            form("grant_id=gr-none".into()),
            [unauthorized, not_found, not_found, not_found, not_found],
        ),
        (
            "cancel_sharing",
            form(format!("share_id={share}&recipient={BOB_ACCOUNT}")),
            [unauthorized, not_found, forbidden, forbidden, ok],
        ),
        (
            "restore_backup",
            form(format!("backup_id={ORDERS}")),
            // The recipient's share is revoking now: restoring from it is refused.
            [unauthorized, not_found, forbidden, conflict, ok],
        ),
        (
            "delete_backup",
            form("backup_id=cb-acmehq-orders-003".into()),
            [unauthorized, not_found, forbidden, not_found, ok],
        ),
        (
            "release_resource",
            form("resource_id=res-acmehq-web-01".into()),
            [unauthorized, not_found, forbidden, not_found, ok],
        ),
        ("access_keys", form(String::new()), anyone),
        // Every signed-in user may hold keys of their own (a viewer's key only reads).
        ("create_access_key", form(String::new()), anyone),
        (
            "deactivate_access_key",
            form(format!("key_id={key}")),
            [unauthorized, not_found, not_found, not_found, ok],
        ),
        (
            "delete_access_key",
            form(format!("key_id={key}")),
            [unauthorized, not_found, not_found, not_found, ok],
        ),
        (
            "sign_in",
            form("email=nobody@acme.example&password=wrong".into()),
            [unauthorized; 5],
        ),
        ("sign_out", form(String::new()), [ok; 5]),
    ];
    // Every server function is in the table, and nothing else is.
    let listed: std::collections::BTreeSet<&str> = rows.iter().map(|row| row.0).collect();
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let registered: std::collections::BTreeSet<&str> =
        registered.iter().map(String::as_str).collect();
    assert_eq!(
        listed, registered,
        "the matrix must list every server function"
    );

    let mut printed = format!("{:<18}", "function");
    for caller in CALLERS {
        printed.push_str(&format!("{caller:>14}"));
    }
    let mut wrong = Vec::new();
    for (endpoint, args, expected) in &rows {
        printed.push_str(&format!("\n{endpoint:<18}"));
        for (caller, (cookie, want)) in CALLERS.iter().zip(callers.iter().zip(expected)) {
            let reply = match args {
                Args::Form(text) => s.call(cookie.as_deref(), endpoint, text).await,
                Args::Json(body) => s.json_call(cookie.as_deref(), endpoint, body.clone()).await,
            };
            printed.push_str(&format!("{:>14}", reply.status.as_u16()));
            if reply.status != *want {
                wrong.push(format!(
                    "{endpoint} as {caller}: {} (expected {want}): {}",
                    reply.status, reply.body
                ));
            }
        }
    }
    println!(
        "{printed}\n{} functions × {} callers",
        rows.len(),
        CALLERS.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn no_malformed_call_of_any_server_function_answers_5xx() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let deep = format!("{}{}", "[".repeat(2_000), "]".repeat(2_000));
    let long = "x".repeat(60 * 1024);
    let fields = [
        "email",
        "password",
        "at",
        "share_name",
        "scope",
        "backup_ids",
        "principals",
        "grant_key",
        "share_id",
        "search",
        "after",
        "backup_id",
        "pending",
        "received",
        "answered",
        "invitation_id",
        "vaults",
        "grant_id",
        "vault_id",
        "recipient",
        "project_id",
        "resource_id",
        "key_id",
    ];
    let values = [
        "",
        "-1",
        "99999999999999999999999",
        "%zz",
        "\u{0}",
        "null",
        "true",
        "older.x.y",
        "newer.-5.",
        "[1,2]",
        &long[..4_000],
    ];
    // Bodies of no shape, each sent with every content type, signed in and not.
    let shapeless: Vec<String> = vec![
        String::new(),
        "{".into(),
        "[]".into(),
        "null".into(),
        "\"text\"".into(),
        "{\"a\":1}".into(),
        deep,
        long.clone(),
        "=&=&&".into(),
        "a=1&a=2&a=3".into(),
    ];
    // Each argument with a wrong or hostile value, as a form and as JSON, signed in.
    let mut shaped: Vec<(&str, String)> = Vec::new();
    for field in fields {
        for value in values {
            let form = format!("{field}={}", value.replace('&', "%26"));
            shaped.push(("application/x-www-form-urlencoded", form));
            shaped.push(("application/json", json!({ field: value }).to_string()));
            let nested = json!({ field: [value, {"nested": [value]}] });
            shaped.push(("application/json", nested.to_string()));
        }
    }
    let content_types = [
        Some("application/json"),
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        None,
    ];
    let endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| !path.ends_with("/sign_out"))
        .collect();
    let mut calls = Vec::new();
    for endpoint in &endpoints {
        for body in &shapeless {
            for content_type in content_types {
                for cookie in [None, Some(alice.as_str())] {
                    calls.push((endpoint, content_type, body.as_str(), cookie));
                }
            }
        }
        for (content_type, body) in &shaped {
            calls.push((
                endpoint,
                Some(*content_type),
                body.as_str(),
                Some(alice.as_str()),
            ));
        }
    }
    let mut failures = Vec::new();
    for (endpoint, content_type, body, cookie) in &calls {
        let mut request = Request::post(endpoint.as_str());
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, *content_type);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, *cookie);
        }
        let reply = s
            .send(request.body(Body::from(body.to_string())).unwrap())
            .await;
        if reply.status.is_server_error() {
            failures.push(format!(
                "{endpoint} {content_type:?} {body:.60}: {} {:.200}",
                reply.status, reply.body
            ));
        }
    }
    let cases = calls.len();
    println!(
        "{cases} malformed calls of {} server functions: {} answered 5xx",
        endpoints.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
}

#[tokio::test]
async fn event_streams_are_capped_per_session_and_end_with_their_session() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let open = |cookie: &str| {
        let request = Request::get("/api/events")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        s.app.clone().oneshot(request)
    };
    let mut streams = Vec::new();
    for _ in 0..backshare_server::feed::STREAMS_PER_SESSION {
        let response = open(&alice).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        streams.push(response.into_body());
    }
    assert_eq!(
        open(&alice).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "one stream too many for one session"
    );
    // A stream that ends frees its place.
    drop(streams.pop());
    let mut kept = open(&alice).await.unwrap().into_body();
    assert!(next_event(&mut kept).await.contains("connected"));
    // Signing out ends the session's open streams (within the recheck period).
    assert_eq!(
        s.call(Some(&alice), "sign_out", "").await.status,
        StatusCode::OK
    );
    let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(frame) = kept.frame().await {
            frame.unwrap();
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
}

#[tokio::test]
async fn a_session_ends_when_idle_and_at_its_absolute_lifetime() {
    use std::time::Duration;
    // Idle: two seconds without a request ends it; requests in between renew it.
    let s = server_with(Web {
        session_idle: Duration::from_secs(2),
        ..Web::default()
    })
    .await;
    let alice = s.sign_in("alice@acme.example").await;
    // The passage of time is the condition itself here: nothing else can be waited on.
    // Used every 1.2 s, the session outlives its 2 s idle timeout: activity renews it.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert_eq!(
            s.call(Some(&alice), "credentials", "").await.status,
            StatusCode::OK,
            "a session in use stayed signed in"
        );
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        s.call(Some(&alice), "credentials", "").await.status,
        StatusCode::UNAUTHORIZED,
        "an idle session ended"
    );
    // Lifetime: however active, a session ends once it is older than its lifetime.
    let s = server_with(Web {
        session_lifetime: Duration::ZERO,
        ..Web::default()
    })
    .await;
    let alice = s.sign_in("alice@acme.example").await;
    assert_eq!(
        s.call(Some(&alice), "credentials", "").await.status,
        StatusCode::UNAUTHORIZED,
        "a session past its lifetime ended"
    );
    // Over HTTPS the cookie is Secure and __Host- prefixed.
    let s = server_with(Web {
        public_origins: vec!["https://backshare.example".into()],
        ..Web::default()
    })
    .await;
    let reply = s
        .call(
            None,
            "sign_in",
            "email=alice@acme.example&password=backshare-demo",
        )
        .await;
    let cookie = reply.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-backshare_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(reply.headers.contains_key("strict-transport-security"));
}

/// An access key of a signed-in user: (id, secret).
async fn access_key(s: &TestServer, cookie: &str) -> (String, String) {
    let key = s.call(Some(cookie), "create_access_key", "").await.json();
    (
        key["id"].as_str().unwrap().to_owned(),
        key["secret"].as_str().unwrap().to_owned(),
    )
}

fn error_type(reply: &Reply) -> &str {
    reply
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn the_ram_endpoint_answers_only_signed_calls_and_hostile_ones_with_4xx() {
    let s = server().await;
    let alice = s.sign_in("alice@acme.example").await;
    let (id, secret) = access_key(&s, &alice).await;
    let key = (id.as_str(), secret.as_str());
    let now = chrono::Utc::now();

    let unsigned = s
        .send(
            Request::post("/ram/getresourceshares")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(unsigned.status, StatusCode::FORBIDDEN);
    assert_eq!(error_type(&unsigned), "MissingAuthenticationTokenException");

    let listed = s
        .ram(
            key,
            "POST",
            "getresourceshares",
            r#"{"resourceOwner":"SELF"}"#,
            now,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(listed.json()["resourceShares"].is_array());

    // A share made through the API is the pages' share: Bob's open feed is told at once
    // (as for a change made in the browser), and his page lists the invitation.
    let bob = s.sign_in("bob@acme-east.example").await;
    let request = Request::get("/api/events")
        .header(header::COOKIE, bob.as_str())
        .body(Body::empty())
        .unwrap();
    let mut feed = s.app.clone().oneshot(request).await.unwrap().into_body();
    assert!(next_event(&mut feed).await.contains("connected"));
    let body = json!({
        "name": "through-ram",
        "resourceArns": [format!("arn:aws:backshare:ap-southeast-1:1840000000000001:backup/{ORDERS}")],
        "principals": [BOB_ACCOUNT],
    });
    let created = s
        .ram(key, "POST", "createresourceshare", &body.to_string(), now)
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let told = tokio::time::timeout(std::time::Duration::from_secs(10), next_event(&mut feed));
    assert!(told.await.expect("Bob's feed is told").contains("change"));
    let page = s.call(Some(&bob), "shared_with_me", "").await.json();
    assert_eq!(page["pending"][0]["share_name"], "through-ram");

    // A signature from 16 minutes ago, a wrong secret, a key of nobody: 403, and which.
    let stale = s
        .ram(
            key,
            "POST",
            "getresourceshares",
            "{}",
            now - chrono::Duration::minutes(16),
        )
        .await;
    assert_eq!(
        (stale.status, error_type(&stale)),
        (StatusCode::FORBIDDEN, "InvalidSignatureException")
    );
    let wrong = s
        .ram(
            (&id, "not-the-secret"),
            "POST",
            "getresourceshares",
            "{}",
            now,
        )
        .await;
    assert_eq!(
        (wrong.status, error_type(&wrong)),
        (StatusCode::FORBIDDEN, "InvalidSignatureException")
    );
    let nobody = s
        .ram(
            ("BKSH0000000000000000", "x"),
            "POST",
            "getresourceshares",
            "{}",
            now,
        )
        .await;
    assert_eq!(
        (nobody.status, error_type(&nobody)),
        (StatusCode::FORBIDDEN, "UnrecognizedClientException")
    );

    // Signed, but hostile: every operation with bodies of no shape, wrong types, huge
    // lists and values, foreign ids. Each answers 4xx with an exception name, none 5xx.
    let operations = [
        "createresourceshare",
        "getresourceshares",
        "associateresourceshare",
        "disassociateresourceshare",
        "getresourceshareassociations",
        "getresourceshareinvitations",
        "acceptresourceshareinvitation",
        "rejectresourceshareinvitation",
        "listpendinginvitationresources",
        "listresources",
        "listprincipals",
        "nosuchoperation",
    ];
    let many: Vec<String> = (0..150)
        .map(|n| format!("arn:aws:ram:x:y:resource-share/rs-{n}"))
        .collect();
    let bodies = [
        "{".to_owned(),
        "[]".to_owned(),
        "null".to_owned(),
        r#"{"resourceOwner": 5}"#.to_owned(),
        r#"{"resourceOwner": "EVERYONE"}"#.to_owned(),
        r#"{"name": "\u0000", "resourceArns": ["arn:aws:backshare:a:b:backup/\u0000"], "principals": ["x"]}"#.to_owned(),
        json!({ "resourceShareArns": many, "resourceOwner": "SELF" }).to_string(),
        json!({ "resourceShareArn": "arn:aws:ram:ap-southeast-1:1840000000000003:resource-share/rs-x", "principals": ["1840000000000003"] }).to_string(),
        json!({ "resourceShareInvitationArn": "arn:aws:ram:ap-southeast-1:1840000000000001:resource-share-invitation/inv-none" }).to_string(),
        json!({ "resourceShareInvitationArn": "not an arn" }).to_string(),
        json!({ "associationType": "PRINCIPAL", "maxResults": 0 }).to_string(),
        json!({ "resourceOwner": "SELF", "nextToken": "older.99.x" }).to_string(),
        json!({ "resourceOwner": "SELF", "nextToken": "garbage" }).to_string(),
        json!({ "name": "x".repeat(10_000), "resourceArns": [], "principals": [] }).to_string(),
    ];
    let mut failures = Vec::new();
    for operation in operations {
        for body in &bodies {
            let reply = s.ram(key, "POST", operation, body, now).await;
            let fine = reply.status.is_success()
                || (reply.status.is_client_error() && !error_type(&reply).is_empty());
            if !fine {
                failures.push(format!(
                    "{operation} {body:.80}: {} {:.200}",
                    reply.status, reply.body
                ));
            }
        }
    }
    let delete = s
        .ram(
            key,
            "DELETE",
            "deleteresourceshare?resourceShareArn=x",
            "",
            now,
        )
        .await;
    assert!(delete.status.is_client_error(), "{}", delete.body);
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // A body over the limit is refused before it is read (the guard's 413).
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(200 * 1024));
    let reply = s.ram(key, "POST", "createresourceshare", &huge, now).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);

    // A deactivated key signs nothing any more.
    let off = s
        .call(
            Some(&alice),
            "deactivate_access_key",
            &format!("key_id={id}"),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    let after = s
        .ram(
            key,
            "POST",
            "getresourceshares",
            r#"{"resourceOwner":"SELF"}"#,
            now,
        )
        .await;
    assert_eq!(
        (after.status, error_type(&after)),
        (StatusCode::FORBIDDEN, "UnrecognizedClientException")
    );
}

#[tokio::test]
async fn server_functions_answer_requests_signed_with_an_access_key_as_its_user() {
    let s = server().await;
    let (alice, vic) = (
        s.sign_in("alice@acme.example").await,
        s.sign_in("vic@acme.example").await,
    );
    let (id, secret) = access_key(&s, &alice).await;
    let key = (id.as_str(), secret.as_str());
    let now = chrono::Utc::now();
    let form = "application/x-www-form-urlencoded";

    // Signed for `backshare`: the call acts as Alice, no session needed.
    let me = s
        .signed(
            key,
            "ap-southeast-1",
            "backshare",
            "POST",
            "/api/credentials",
            "",
            form,
            now,
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["email"], "alice@acme.example");
    assert!(me.headers.get(header::SET_COOKIE).is_none());
    let share = json!({ "share_name": "signed", "scope": "AllAccounts", "backup_ids": [ORDERS], "principals": [BOB_ACCOUNT] });
    let created = s
        .signed(
            key,
            "ap-southeast-1",
            "backshare",
            "POST",
            "/api/create_share",
            &share.to_string(),
            "application/json",
            now,
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    // Signed for RAM, stale, or with a wrong secret: refused before any function runs.
    let other = s
        .signed(
            key,
            "ap-southeast-1",
            "ram",
            "POST",
            "/api/credentials",
            "",
            form,
            now,
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(
        other.body.contains("this endpoint is 'backshare'"),
        "{}",
        other.body
    );
    let wrong = s
        .signed(
            (&id, "wrong"),
            "ap-southeast-1",
            "backshare",
            "POST",
            "/api/credentials",
            "",
            form,
            now,
        )
        .await;
    assert_eq!(
        (wrong.status, error_type(&wrong)),
        (StatusCode::FORBIDDEN, "InvalidSignatureException")
    );

    // A viewer's key reads and changes nothing.
    let (vid, vsecret) = access_key(&s, &vic).await;
    let viewer = (vid.as_str(), vsecret.as_str());
    let read = s
        .signed(
            viewer,
            "ap-southeast-1",
            "backshare",
            "POST",
            "/api/my_shares",
            "",
            form,
            now,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let refused = s
        .signed(
            viewer,
            "ap-southeast-1",
            "backshare",
            "POST",
            "/api/create_share",
            &share.to_string(),
            "application/json",
            now,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        message(&refused).contains("is a viewer"),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn the_ram_operations_hold_the_authorization_matrix() {
    let s = server().await;
    let now = chrono::Utc::now();
    let alice = s.sign_in("alice@acme.example").await;
    let bob = s.sign_in("bob@acme-east.example").await;
    let mut keys = Vec::new();
    for cookie in [
        s.sign_in("carol@partner.example").await,
        s.sign_in("vic@acme.example").await,
        bob.clone(),
        alice.clone(),
    ] {
        keys.push(access_key(&s, &cookie).await);
    }
    // Carol signs for her own region; the others for Acme's.
    let regions = [
        "eu-west-1",
        "ap-southeast-1",
        "ap-southeast-1",
        "ap-southeast-1",
    ];
    let hq = "1840000000000001";
    let backup = format!("arn:aws:backshare:ap-southeast-1:{hq}:backup/{ORDERS}");
    let created = s
        .ram(
            (&keys[3].0, &keys[3].1),
            "POST",
            "createresourceshare",
            &json!({ "name": "matrix", "resourceArns": [backup], "principals": [BOB_ACCOUNT] })
                .to_string(),
            now,
        )
        .await
        .json();
    let share = created["resourceShare"]["resourceShareArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let invitations = s
        .ram(
            (&keys[2].0, &keys[2].1),
            "POST",
            "getresourceshareinvitations",
            "{}",
            now,
        )
        .await
        .json();
    let invitation = invitations["resourceShareInvitations"][0]["resourceShareInvitationArn"]
        .as_str()
        .unwrap()
        .to_owned();

    const OK: &str = "ok";
    const DENIED: &str = "MissingAuthenticationTokenException";
    // Each row: an operation, its body, and what anonymous (unsigned), another tenant, the
    // viewer, the recipient and the owner get. Reads return only the caller's own rows
    // (checked below for the other tenant); changes of another's share are not found.
    let rows: Vec<(&str, Value, [&str; 5])> = vec![
        (
            "getresourceshares",
            json!({ "resourceOwner": "SELF", "resourceShareArns": [share] }),
            [DENIED, OK, OK, OK, OK],
        ),
        (
            "getresourceshareinvitations",
            json!({}),
            [DENIED, OK, OK, OK, OK],
        ),
        (
            "getresourceshareassociations",
            json!({ "associationType": "PRINCIPAL", "resourceShareArns": [share] }),
            [DENIED, OK, OK, OK, OK],
        ),
        (
            "listresources",
            json!({ "resourceOwner": "OTHER-ACCOUNTS" }),
            [DENIED, OK, OK, OK, OK],
        ),
        (
            "listprincipals",
            json!({ "resourceOwner": "SELF" }),
            [DENIED, OK, OK, OK, OK],
        ),
        (
            "listpendinginvitationresources",
            json!({ "resourceShareInvitationArn": invitation }),
            [
                DENIED,
                "ResourceShareInvitationArnNotFoundException",
                "ResourceShareInvitationArnNotFoundException",
                OK,
                "ResourceShareInvitationArnNotFoundException",
            ],
        ),
        (
            "associateresourceshare",
            json!({ "resourceShareArn": share, "principals": ["proj-acmeeast-standby"] }),
            [
                DENIED,
                "UnknownResourceException",
                "OperationNotPermittedException",
                "UnknownResourceException",
                OK,
            ],
        ),
        // Vic is a viewer of the owner's account: that account may not answer its own
        // share's invitation; the other tenant does not see it at all.
        (
            "acceptresourceshareinvitation",
            json!({ "resourceShareInvitationArn": invitation }),
            [
                DENIED,
                "ResourceShareInvitationArnNotFoundException",
                "OperationNotPermittedException",
                OK,
                "OperationNotPermittedException",
            ],
        ),
        (
            "rejectresourceshareinvitation",
            json!({ "resourceShareInvitationArn": invitation }),
            [
                DENIED,
                "ResourceShareInvitationArnNotFoundException",
                "OperationNotPermittedException",
                "ResourceShareInvitationAlreadyAcceptedException",
                "OperationNotPermittedException",
            ],
        ),
        (
            "disassociateresourceshare",
            json!({ "resourceShareArn": share, "principals": [BOB_ACCOUNT] }),
            [
                DENIED,
                "UnknownResourceException",
                "OperationNotPermittedException",
                "UnknownResourceException",
                OK,
            ],
        ),
        (
            "createresourceshare",
            json!({ "name": "matrix-2", "resourceArns": [backup], "principals": [BOB_ACCOUNT] }),
            [
                DENIED,
                "UnknownResourceException",
                "OperationNotPermittedException",
                "OperationNotPermittedException", // a received backup is not shared onward
                OK,
            ],
        ),
    ];
    let mut wrong = Vec::new();
    let mut printed = format!("{:<32}", "operation");
    for caller in CALLERS {
        printed.push_str(&format!("{caller:>14}"));
    }
    for (operation, body, expected) in &rows {
        printed.push_str(&format!("\n{operation:<32}"));
        for (n, want) in expected.iter().enumerate() {
            let reply = if n == 0 {
                let request =
                    Request::post(format!("/ram/{operation}")).body(Body::from(body.to_string()));
                s.send(request.unwrap()).await
            } else {
                let key = &keys[n - 1];
                let region = regions[n - 1];
                let target = format!("/ram/{operation}");
                s.signed_in_region(
                    (&key.0, &key.1),
                    region,
                    "POST",
                    &target,
                    &body.to_string(),
                    now,
                )
                .await
            };
            let got = if reply.status.is_success() {
                OK
            } else {
                error_type(&reply)
            };
            printed.push_str(&format!(
                "{:>14}",
                got.trim_end_matches("Exception")
                    .chars()
                    .take(13)
                    .collect::<String>()
            ));
            if got != *want {
                wrong.push(format!(
                    "{operation} as {}: {} {} (wanted {want})",
                    CALLERS[n], reply.status, reply.body
                ));
            }
            if reply.status.is_server_error() {
                wrong.push(format!("{operation} as {}: 5xx", CALLERS[n]));
            }
        }
    }
    println!("{printed}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The other tenant's reads hold none of Acme's rows.
    let carol = (keys[0].0.as_str(), keys[0].1.as_str());
    for (operation, body) in [
        (
            "getresourceshares",
            json!({ "resourceOwner": "OTHER-ACCOUNTS" }),
        ),
        ("getresourceshareinvitations", json!({})),
        (
            "listresources",
            json!({ "resourceOwner": "OTHER-ACCOUNTS" }),
        ),
    ] {
        let reply = s
            .signed_in_region(
                carol,
                "eu-west-1",
                "POST",
                &format!("/ram/{operation}"),
                &body.to_string(),
                now,
            )
            .await;
        assert!(
            !reply.body.contains(hq) && !reply.body.contains(ORDERS),
            "{operation}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn an_access_key_over_its_call_rate_is_throttled_and_other_keys_are_not() {
    // One call a second with a burst of three: the fourth call at once is over the rate.
    let s = server_with(Web {
        api_calls_per_second: 1,
        api_burst: 3,
        ..Web::default()
    })
    .await;
    let alice = s.sign_in("alice@acme.example").await;
    let carol = s.sign_in("carol@partner.example").await;
    let (id, secret) = access_key(&s, &alice).await;
    let (other_id, other_secret) = access_key(&s, &carol).await;
    let now = chrono::Utc::now();
    let list = r#"{"resourceOwner":"SELF"}"#;
    let target = "/ram/getresourceshares";
    for n in 1..=3 {
        let reply = s
            .ram((&id, &secret), "POST", "getresourceshares", list, now)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "call {n}: {}", reply.body);
    }
    let throttled = s
        .ram((&id, &secret), "POST", "getresourceshares", list, now)
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_type(&throttled), "ThrottlingException");
    assert_eq!(throttled.json()["message"], "Rate exceeded");
    let wait: u64 = throttled.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "Retry-After: {wait}");
    // The native API shares the key's bucket: a signed server function is refused too.
    let signed_function = s
        .signed(
            (&id, &secret),
            "ap-southeast-1",
            "backshare",
            "POST",
            "/api/credentials",
            "",
            "application/x-www-form-urlencoded",
            now,
        )
        .await;
    assert_eq!(signed_function.status, StatusCode::TOO_MANY_REQUESTS);
    // Another account's key (Carol signs for her region), and the same user's session,
    // are untouched.
    let carol_lists = async |secret: &str| {
        s.signed_in_region((&other_id, secret), "eu-west-1", "POST", target, list, now)
            .await
            .status
    };
    assert_eq!(carol_lists(&other_secret).await, StatusCode::OK);
    assert_eq!(
        s.call(Some(&alice), "credentials", "").await.status,
        StatusCode::OK
    );
    // A badly signed call never spends the key's calls (only the secret's holder can).
    assert_eq!(carol_lists("not-the-secret").await, StatusCode::FORBIDDEN);
    assert_eq!(carol_lists(&other_secret).await, StatusCode::OK);
}
