//! Answers on one kept-alive connection, through the real accept loop (`TCP_NODELAY`,
//! hyper's HTTP/1.1 keep-alive) and the real router, with the browser bundle embedded as
//! the binary embeds it: a static asset, `GET /api/stats` and the dashboard page, signed
//! in, with 1,000 accounts (a third of them low on credits) and 100 projects.
//! Run: `make bench` (or `cargo bench --features ssr --bench serve`; build the site first
//! with `scripts/build-site.sh release` so there is a bundle to embed). Prints p50, p90
//! and the slowest of 300 requests each (goals: static and stats p50 < 1 ms, dashboard
//! p50 < 10 ms).

use leptos::config::LeptosOptions;
use paas::domain::auth::Role;
use paas::server::assets::{Asset, Embedded};
use paas::server::AppState;
use std::io::Read;
use std::time::{Duration, Instant};

static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));
const BUNDLE_HASH: &str = include_str!(concat!(env!("OUT_DIR"), "/bundle_hash.txt"));

const ACCOUNTS: i64 = 1_000;
const PROJECTS: i64 = 100;
const RUNS: usize = 300;
const PASSWORD: &str = "correct horse battery staple";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (base, cookie) = rt.block_on(start(dir.path()));
    // the stylesheet as the page links it
    let Some(asset) = ASSETS.iter().find(|a| a.path.ends_with("/paas.css")) else {
        println!("no browser bundle embedded: run scripts/build-site.sh release first");
        return;
    };
    let asset = asset.path.to_string();
    println!("one kept-alive connection, {ACCOUNTS} accounts, {PROJECTS} projects");
    // one connection: the agent keeps at most one idle connection and the requests run
    // one after another, so every request after the first reuses it
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_idle_connections(1)
        .max_idle_connections_per_host(1)
        .http_status_as_error(false)
        .build()
        .into();
    for (label, path) in [
        ("static asset", asset.as_str()),
        ("GET /api/stats", "/api/stats"),
        ("dashboard page", "/"),
    ] {
        let mut runs = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for i in 0..RUNS + 20 {
            let t = Instant::now();
            let mut res = agent
                .get(format!("{base}{path}"))
                .header("Cookie", format!("paas_session={cookie}"))
                .header("Accept-Encoding", "br, gzip")
                .call()
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let mut body = Vec::new();
            res.body_mut().as_reader().read_to_end(&mut body).unwrap();
            if i >= 20 {
                runs.push(t.elapsed());
                bytes = body.len();
            }
        }
        runs.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        println!(
            "{label:<16} {path:<44} p50 {:>7.3} ms   p90 {:>7.3} ms   slowest {:>7.3} ms   {bytes} bytes",
            ms(runs[RUNS / 2]),
            ms(runs[RUNS * 9 / 10]),
            ms(runs[RUNS - 1]),
        );
    }
    drop(rt);
}

/// Seeds the database, starts the server on a free port: its base URL and a sign-in cookie.
async fn start(dir: &std::path::Path) -> (String, String) {
    let db = paas::storage::open(&dir.join("bench.db").to_string_lossy())
        .await
        .unwrap();
    let now = paas::server::clock::now();
    let cli = paas::storage::auth::Actor::default();
    paas::service::auth::create_user(
        &db,
        "owner@example.com",
        "Owner",
        Role::Owner,
        PASSWORD,
        &cli,
        now,
    )
    .await
    .unwrap();
    let cookie = paas::service::auth::sign_in(
        &db,
        "owner@example.com",
        PASSWORD,
        "127.0.0.1",
        "bench",
        now,
    )
    .await
    .unwrap()
    .secret;
    let platforms = ["claude", "chatgpt", "gemini", "genspark", "local"];
    let mut tx = paas::storage::begin_write(&db).await.unwrap();
    for p in 1..=PROJECTS {
        sqlx::query("INSERT INTO projects (id, name) VALUES (?, ?)")
            .bind(p)
            .bind(format!("Project {p}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    for a in 1..=ACCOUNTS {
        // every third account is low (under 30 % left): the dashboard's alerts
        let credits = if a % 3 == 0 { a % 250 } else { 400 + a % 600 };
        sqlx::query(
            "INSERT INTO accounts (id, account_name, platform, credits_available, credit_capacity, \
             next_refresh_at) VALUES (?, ?, ?, ?, 1000, ?)",
        )
        .bind(a)
        .bind(format!("account-{a}"))
        .bind(platforms[(a % 5) as usize])
        .bind(credits)
        .bind(now.plus_seconds(3_600 * (a % 168)))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let assets = Embedded {
        files: ASSETS,
        hash: BUNDLE_HASH,
    };
    let security = paas::server::auth::Security::new(
        paas::server::guard::Origins::new(None, Some(port)).unwrap(),
        600,
    );
    let app = paas::server::router::router(AppState {
        leptos_options: LeptosOptions::builder()
            .output_name("paas")
            .site_pkg_dir(assets.pkg_dir())
            .site_root(dir.join("site").to_string_lossy().to_string())
            .build(),
        db,
        max_body_bytes: 64 * 1024,
        max_import_bytes: 1024 * 1024,
        pool: Default::default(),
        analytics: Default::default(),
        imports: Default::default(),
        security,
        events: Default::default(),
        prices: Default::default(),
        capture_dirs: Default::default(),
        assets,
        time_zone: Default::default(),
        model_pass: paas::service::model::ModelPass::ephemeral(),
    });
    tokio::spawn(paas::server::listen::serve(
        listener,
        app,
        paas::server::listen::Limits {
            header_timeout: Duration::from_secs(30),
            max_connections: 64,
        },
        std::future::pending(),
    ));
    (format!("http://127.0.0.1:{port}"), cookie)
}
