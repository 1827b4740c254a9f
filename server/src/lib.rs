//! The Backshare server: configuration, start-up, sessions, routes and the job worker.

pub mod feed;
pub mod forms;
pub mod guard;
pub mod language;
pub mod ram;
pub mod rate;
pub mod sessions;
pub mod signed;
pub mod sigv4;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use backshare::ids::AccountId;
use backshare::rules::Limits;
use backshare::service::{Backshare, Settings};
use backshare_app::{shell, App};
use clap::{Parser, Subcommand};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

/// Settings from flags, or from the environment (names in the README).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "backshare-server",
    about = "Backshare: share backups across accounts."
)]
pub struct Config {
    /// Folder for the database file and backup bytes.
    #[arg(long, env = "BACKSHARE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Database URL; default: the SQLite file `backshare.db` in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Address to listen on; default: Leptos' configuration (127.0.0.1:3000).
    #[arg(long, env = "LEPTOS_SITE_ADDR")]
    pub site_addr: Option<SocketAddr>,
    /// Seed the demo accounts into a new, empty database.
    #[arg(long, env = "BACKSHARE_DEMO", default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,
    /// How long a cancelled share stays "Revoking" (e.g. `10m`, `2s`).
    #[arg(long, env = "BACKSHARE_REVOCATION_DELAY", default_value = "10m", value_parser = humantime::parse_duration)]
    pub revocation_delay: Duration,
    /// How long an invitation waits for an answer before it expires (e.g. `7d`).
    #[arg(long, env = "BACKSHARE_INVITATION_TTL", default_value = "7d", value_parser = humantime::parse_duration)]
    pub invitation_ttl: Duration,
    /// Mark the session cookie `Secure` and send HSTS (set this behind HTTPS).
    #[arg(long, env = "BACKSHARE_SECURE_COOKIES", default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub secure_cookies: bool,
    /// The address people open Backshare at (`https://backshare.example.com`; several
    /// separated by commas). Changes are accepted only from pages of these origins; unset,
    /// from the origin each request names in `Host`.
    #[arg(long, env = "BACKSHARE_PUBLIC_URL", value_delimiter = ',')]
    pub public_url: Vec<String>,
    /// A session ends after this long without a request (e.g. `12h`).
    #[arg(long, env = "BACKSHARE_SESSION_IDLE", default_value = "12h", value_parser = humantime::parse_duration)]
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active (e.g. `7d`).
    #[arg(long, env = "BACKSHARE_SESSION_LIFETIME", default_value = "7d", value_parser = humantime::parse_duration)]
    pub session_lifetime: Duration,
    /// The largest request body accepted (e.g. `64KiB`); larger ones answer 413.
    #[arg(long, env = "BACKSHARE_BODY_LIMIT", default_value = "64KiB", value_parser = parse_bytes)]
    pub body_limit: u64,
    /// Signed API calls (`/ram/*`, signed `/api/*`) per second per access key, on
    /// average, on each instance; more answer 429 `ThrottlingException` (0: no limit).
    #[arg(long, env = "BACKSHARE_API_CALLS_PER_SECOND", default_value_t = 50)]
    pub api_calls_per_second: u32,
    /// Signed API calls one access key may make at once before the rate applies.
    #[arg(long, env = "BACKSHARE_API_BURST", default_value_t = 200)]
    pub api_burst: u32,
    /// Rule 9: recipient projects per server or disk backup.
    #[arg(
        long,
        env = "BACKSHARE_LIMIT_PROJECTS_PER_COPY_BACKUP",
        default_value_t = 10
    )]
    pub limit_projects_per_copy_backup: u64,
    /// Rule 9: recipient accounts per cluster backup.
    #[arg(
        long,
        env = "BACKSHARE_LIMIT_ACCOUNTS_PER_CLUSTER_BACKUP",
        default_value_t = 64
    )]
    pub limit_accounts_per_cluster_backup: u64,
    /// Rule 9: backups in resource shares per account.
    #[arg(long, env = "BACKSHARE_LIMIT_SHARED_BACKUPS", default_value_t = 1_000)]
    pub limit_shared_backups: u64,
    /// Rule 9: shared cluster backups per account (raisable per account with `raise-limit`).
    #[arg(
        long,
        env = "BACKSHARE_LIMIT_SHARED_CLUSTER_BACKUPS",
        default_value_t = 1_024
    )]
    pub limit_shared_cluster_backups: u64,
    /// Bytes per second per copy into a vault, e.g. `50MiB` (0: no limit), so copies do
    /// not starve everything else of the disk or the network.
    #[arg(long, env = "BACKSHARE_COPY_RATE_LIMIT", default_value = "0", value_parser = parse_rate)]
    pub copy_rate_limit: u64,
    /// How long a worker holds a copy or a restore without renewing it before another
    /// worker, on any instance, may take it over.
    #[arg(long, env = "BACKSHARE_JOB_LEASE", default_value = "30s", value_parser = humantime::parse_duration)]
    pub job_lease: Duration,
    /// Failed sign-ins per email within the window before sign-in answers 429.
    #[arg(
        long,
        env = "BACKSHARE_SIGN_IN_FAILURES_PER_EMAIL",
        default_value_t = 5
    )]
    pub sign_in_failures_per_email: u32,
    /// Failed sign-ins per client address within the window before sign-in answers 429.
    #[arg(
        long,
        env = "BACKSHARE_SIGN_IN_FAILURES_PER_ADDRESS",
        default_value_t = 50
    )]
    pub sign_in_failures_per_address: u32,
    /// The window failed sign-ins are counted in, from the first failure (e.g. `15m`).
    #[arg(long, env = "BACKSHARE_SIGN_IN_WINDOW", default_value = "15m", value_parser = humantime::parse_duration)]
    pub sign_in_window: Duration,
    /// Restores one account may have running at once; more answer 429.
    #[arg(long, env = "BACKSHARE_RESTORES_PER_ACCOUNT", default_value_t = 4)]
    pub restores_per_account: u32,
    /// Copies one account may have waiting or under way at once; more answer 429.
    #[arg(long, env = "BACKSHARE_COPIES_PER_ACCOUNT", default_value_t = 100)]
    pub copies_per_account: u32,
    /// Password checks (Argon2, about 19 MiB each) running at once.
    #[arg(long, env = "BACKSHARE_PASSWORD_CHECKS", default_value_t = 4)]
    pub password_checks: usize,
    /// The master key wrapping every account's key, as 64 hex digits; default: the file
    /// `master.key` in the data folder, created on first start.
    #[arg(long, env = "BACKSHARE_MASTER_KEY", hide_env_values = true, value_parser = |text: &str| Ok::<_, String>(backshare::crypto::Secret::new(text)))]
    pub master_key: Option<backshare::crypto::Secret>,
    /// Where backup bytes live: `local` (the data folder) or `s3` (a bucket from the usual
    /// `AWS_*` settings; needs a build with the `s3` feature).
    #[arg(long, env = "BACKSHARE_OBJECT_STORE", default_value = "local", value_parser = ["local", "s3"])]
    pub object_store: String,
    /// Sharing is opt-in per account: only accounts enabled with `enable-sharing` may
    /// share backups (as in the database source's beta). Off: every account may share.
    #[arg(long, env = "BACKSHARE_SHARING_OPT_IN", default_value_t = false)]
    pub sharing_opt_in: bool,
    /// An operator command instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Operator commands of the server binary.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Sets one account's limit of shared cluster backups (rule 9), then exits.
    RaiseLimit {
        /// The account ID (16 digits).
        #[arg(long)]
        account: String,
        /// The new limit.
        #[arg(long)]
        shared_cluster_backups: u64,
    },
    /// Puts an account into a resource directory, at its root or in a folder, or takes it
    /// out (no --directory). Shares with folder principals follow at once, then exits.
    PlaceAccount {
        /// The account ID (16 digits).
        #[arg(long)]
        account: String,
        /// The resource directory id (`rd-…`); omit to take the account out.
        #[arg(long)]
        directory: Option<String>,
        /// A folder of that directory (`fd-…`); omit for the directory's root.
        #[arg(long, requires = "directory")]
        folder: Option<String>,
    },
    /// Lets an account share backups when sharing is opt-in (`--sharing-opt-in`), or
    /// takes that away again (`off`), then exits.
    EnableSharing {
        /// The account ID (16 digits).
        #[arg(long)]
        account: String,
        /// `on` (the default) or `off`.
        #[arg(value_parser = ["on", "off"], default_value = "on")]
        state: String,
    },
    /// Turns a resource directory's auto-accept on or off, then exits.
    AutoAccept {
        /// The resource directory id (`rd-…`).
        #[arg(long)]
        directory: String,
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

impl Config {
    fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("backshare.db").display()))
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        Ok(Settings {
            invitation_ttl: chrono::Duration::from_std(self.invitation_ttl)
                .context("BACKSHARE_INVITATION_TTL is too long")?,
            revocation_delay: chrono::Duration::from_std(self.revocation_delay)
                .context("BACKSHARE_REVOCATION_DELAY is too long")?,
            limits: Limits {
                projects_per_copy_backup: self.limit_projects_per_copy_backup,
                accounts_per_cluster_backup: self.limit_accounts_per_cluster_backup,
                shared_backups_per_account: self.limit_shared_backups,
                shared_cluster_backups_per_account: self.limit_shared_cluster_backups,
            },
            job_lease: chrono::Duration::from_std(self.job_lease)
                .context("BACKSHARE_JOB_LEASE is too long")?,
            copy_rate_limit: self.copy_rate_limit,
            master_key: self.master_key.clone(),
            sharing_opt_in: self.sharing_opt_in,
            sign_in: backshare::service::SignInThrottle {
                per_email: self.sign_in_failures_per_email,
                per_address: self.sign_in_failures_per_address,
                window: chrono::Duration::from_std(self.sign_in_window)
                    .context("BACKSHARE_SIGN_IN_WINDOW is too long")?,
            },
            password_checks: self.password_checks,
            restores_per_account: self.restores_per_account,
            copies_per_account: self.copies_per_account,
        })
    }
}

/// Opens storage (creating the data folder and database when missing), applies migrations
/// and seeds the demo when asked and the database is new.
pub async fn open(config: &Config) -> anyhow::Result<Backshare> {
    backshare::crypto::create_private_dir(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            config.data_dir.display()
        )
    })?;
    let url = config.database_url();
    let db = backshare::db::connect(&url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            backshare::db::without_password(&url)
        )
    })?;
    // Instances sharing a bucket must share the key that wraps every account's key.
    if config.object_store == "s3" && config.master_key.is_none() {
        anyhow::bail!("BACKSHARE_OBJECT_STORE=s3 needs BACKSHARE_MASTER_KEY (64 hex digits), the same on every instance");
    }
    let objects = match config.object_store.as_str() {
        #[cfg(feature = "s3")]
        "s3" => backshare::objects::ObjectStore::s3_from_env()
            .context("cannot configure the S3 object store from the AWS_* settings")?,
        #[cfg(not(feature = "s3"))]
        "s3" => anyhow::bail!(
            "BACKSHARE_OBJECT_STORE=s3 needs a build with S3 support: cargo leptos build --release --bin-features s3"
        ),
        _ => backshare::objects::ObjectStore::local(&config.data_dir)
            .context("cannot open the object store in the data folder")?,
    };
    let svc = Backshare::with_objects(db, &config.data_dir, objects, config.settings()?)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot open the master key")?;
    if config.demo
        && backshare::demo::seed_if_empty(&svc, chrono::Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        print_demo_banner();
    }
    Ok(svc)
}

fn print_demo_banner() {
    println!(
        "\nDemo seeded. Sign in with password \"{}\" as:",
        backshare::demo::DEMO_PASSWORD
    );
    for user in backshare::demo::USERS {
        println!(
            "  {:<24} {:<7} {} (account ID {})",
            user.email, user.role, user.account, user.account_id
        );
    }
    println!();
}

/// `GET /api/openapi.json`: public, like the reference page that renders it.
async fn openapi_document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(backshare_app::openapi::document())
}

/// The whole HTTP surface: pages, server functions under `/api`, static files, sessions.
pub async fn router(
    svc: Backshare,
    feed: feed::Feed,
    leptos_options: LeptosOptions,
    web: guard::Web,
) -> anyhow::Result<Router> {
    let store = sessions::Sessions::open(svc.db(), svc.writer().clone())
        .await
        .context("cannot open the session store")?;
    let api_rate = rate::ApiRate::new(web.api_calls_per_second, web.api_burst);
    // Expired sessions go every minute, on every instance (a delete of what is due), and
    // so do the call buckets of idle access keys.
    tokio::spawn({
        let (store, api_rate) = (store.clone(), api_rate.clone());
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                api_rate.forget_idle();
                if let Err(error) = store.delete_expired().await {
                    tracing::warn!(%error, "deleting expired sessions failed; retrying");
                }
            }
        }
    });
    // Over HTTPS the cookie is `__Host-`: Secure, for this host only, for every path.
    let cookie = if web.https() {
        "__Host-backshare_session"
    } else {
        "backshare_session"
    };
    let idle = time::Duration::try_from(web.session_idle).unwrap_or(time::Duration::hours(12));
    let sessions = SessionManagerLayer::new(store.clone())
        .with_name(cookie)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(web.https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle));
    let lifetime = backshare_app::api::SessionLifetime(
        chrono::Duration::from_std(web.session_lifetime).unwrap_or(chrono::Duration::days(7)),
    );

    let secure_cookies = web.https();
    let routes = generate_route_list(App);
    let extensions = (
        axum::Extension(svc.clone()),
        axum::Extension(feed),
        axum::Extension(store.clone()),
    );
    let context = move || {
        provide_context(svc.clone());
        provide_context(lifetime);
        // Each page's inline scripts carry this response's nonce (see the app's CSP).
        leptos::nonce::provide_nonce();
    };
    Ok(Router::new()
        .route("/api/events", axum::routing::get(feed::events))
        // The native API's OpenAPI 3.1 document, derived from the server functions' types.
        .route("/api/openapi.json", axum::routing::get(openapi_document))
        .route(
            backshare_app::language::CHOOSE_PATH,
            axum::routing::post(move |headers, form| {
                language::choose(secure_cookies, headers, form)
            }),
        )
        // The AWS RAM-compatible API, signed with access keys (see `ram`).
        .route(
            "/ram/{operation}",
            axum::routing::post(ram::endpoint).delete(ram::endpoint),
        )
        .leptos_routes_with_context(&leptos_options, routes, context, {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        // Requests signed with an access key act as its user (the native API).
        .layer(axum::middleware::from_fn_with_state(
            (extensions.0 .0.clone(), api_rate.clone()),
            signed::verify,
        ))
        // A refused form posted without JavaScript returns to its page (inside `sessions`,
        // which keeps the sentence for it).
        .layer(axum::middleware::from_fn(forms::refusals_back_to_page))
        .layer(extensions.0)
        .layer(extensions.1)
        .layer(extensions.2)
        .layer(axum::Extension(api_rate))
        .layer(axum::middleware::from_fn_with_state(
            crate::sessions::renewal_interval(web.session_idle),
            crate::sessions::renew_on_activity,
        ))
        .layer(sessions)
        // The wasm bundle shrinks to about 40 % with gzip, to less with Brotli.
        .layer(tower_http::compression::CompressionLayer::new())
        // Outermost: a refused request reaches nothing, and every answer gets the headers.
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(web),
            guard::guard,
        ))
        .with_state(leptos_options))
}

/// Runs the background work until `stop` fires: the lifecycle (expiries, revocations) every
/// second, copies and restores every half second in tasks of their own. Each step is a
/// conditional transition (copies also hold a lease), so a crash or a second instance does
/// no harm.
pub async fn run_jobs(svc: Backshare, stop: tokio::sync::watch::Receiver<bool>) {
    // Copies and restores run in loops of their own: moving bytes must not hold up expiry
    // and revocation.
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(COPY_SLOTS));
    let copies = repeat(
        Duration::from_millis(500),
        stop.clone(),
        "copies started",
        {
            let svc = svc.clone();
            move || {
                let (svc, slots) = (svc.clone(), slots.clone());
                async move { Ok(svc.start_due_copies(chrono::Utc::now(), &slots).await? as u64) }
            }
        },
    );
    let restores = repeat(
        Duration::from_millis(500),
        stop.clone(),
        "restores finished",
        {
            let svc = svc.clone();
            move || {
                let svc = svc.clone();
                async move { svc.run_restores(chrono::Utc::now()).await }
            }
        },
    );
    let lifecycle = repeat(
        Duration::from_secs(1),
        stop,
        "background work done",
        move || {
            let svc = svc.clone();
            async move { svc.run_lifecycle(chrono::Utc::now()).await }
        },
    );
    tokio::join!(copies, restores, lifecycle);
}

/// Copies running at once on one instance.
const COPY_SLOTS: usize = 4;

/// Runs `work` every `period` until `stop` fires, logging what it did and any failure (the
/// next round retries).
async fn repeat<F, Fut>(
    period: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
    done: &'static str,
    mut work: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, backshare::service::ServiceError>>,
{
    let mut every = tokio::time::interval(period);
    loop {
        tokio::select! {
            _ = every.tick() => match work().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "{done}"),
                Err(error) => tracing::error!(%error, "{done}: failed; retrying"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// "50MiB", "1GB", "0": bytes per second.
fn parse_rate(text: &str) -> Result<u64, String> {
    parse_bytes(text.trim().trim_end_matches("/s"))
}

/// "64KiB", "1MB", "100": bytes.
fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 64KiB"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}: use B, KiB, MiB or GiB"
            ))
        }
    };
    Ok(number * factor)
}

/// Runs an operator command, or serves.
pub async fn run(config: Config) -> anyhow::Result<()> {
    match config.command.clone() {
        Some(Command::RaiseLimit {
            account,
            shared_cluster_backups,
        }) => {
            let svc = open(&config).await?;
            let account = AccountId::parse(&account).map_err(|e| anyhow::anyhow!("{e}"))?;
            svc.set_cluster_share_limit(&account, shared_cluster_backups)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Account {account} may now share {shared_cluster_backups} cluster backups.");
            Ok(())
        }
        Some(Command::PlaceAccount {
            account,
            directory,
            folder,
        }) => {
            let svc = open(&config).await?;
            let account = AccountId::parse(&account).map_err(|e| anyhow::anyhow!("{e}"))?;
            svc.place_account(
                &account,
                directory.as_deref(),
                folder.as_deref(),
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            match (directory, folder) {
                (Some(d), Some(f)) => println!("Account {account} is now in folder {f} of {d}."),
                (Some(d), None) => println!("Account {account} is now at the root of {d}."),
                _ => println!("Account {account} is in no resource directory now."),
            }
            Ok(())
        }
        Some(Command::EnableSharing { account, state }) => {
            let svc = open(&config).await?;
            let account = AccountId::parse(&account).map_err(|e| anyhow::anyhow!("{e}"))?;
            svc.enable_sharing(&account, state == "on", chrono::Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            match state.as_str() {
                "on" => println!("Account {account} may share backups."),
                _ => println!("Account {account} may not share backups while sharing is opt-in."),
            }
            Ok(())
        }
        Some(Command::AutoAccept { directory, state }) => {
            let svc = open(&config).await?;
            svc.set_auto_accept(&directory, state == "on")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Auto-accept of {directory} is {state}.");
            Ok(())
        }
        None => serve(config).await,
    }
}

/// Starts everything and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let mut leptos = get_configuration(None).context("cannot read the Leptos configuration")?;
    if let Some(addr) = config.site_addr {
        leptos.leptos_options.site_addr = addr;
    }
    // A release build names the bundle's files by their hashes and writes the names beside
    // the binary: use them whenever they are there, however the server was started.
    let hashes = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(leptos.leptos_options.hash_file.as_ref())));
    if hashes.is_some_and(|file| file.exists()) {
        leptos.leptos_options.hash_files = true;
    }
    let addr = leptos.leptos_options.site_addr;
    let svc = open(&config).await?;
    let feed = feed::Feed::new();
    let web = guard::Web {
        secure_cookies: config.secure_cookies,
        public_origins: config
            .public_url
            .iter()
            .map(|url| url.trim().trim_end_matches('/').to_owned())
            .collect(),
        body_limit: usize::try_from(config.body_limit).unwrap_or(usize::MAX),
        session_idle: config.session_idle,
        session_lifetime: config.session_lifetime,
        api_calls_per_second: config.api_calls_per_second,
        api_burst: config.api_burst,
    };
    let app = router(svc.clone(), feed.clone(), leptos.leptos_options, web).await?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let follow = tokio::spawn(feed::follow(svc.clone(), feed.clone(), stop_rx.clone()));
    let jobs = tokio::spawn(run_jobs(svc, stop_rx));

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("Backshare is listening on http://{addr}");
    // Each request knows its client's address (sign-in throttles per address too).
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            feed.close();
        })
        .await?;
    let _ = stop_tx.send(true);
    let _ = jobs.await;
    let _ = follow.await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
