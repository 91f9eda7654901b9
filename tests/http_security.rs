//! Nobody in where they don't belong, tried as an attacker would: every route needs a
//! signed-in user or token except the public ones, roles and token scopes hold, pages of
//! other sites cannot make changes, a foreign `Host` is refused, sign-in is throttled, and
//! stored text never runs as script. Through the real router on a real database file.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{app, bare_app, As, TestApp, ORIGIN, PASSWORD};
use paas::domain::auth::Role;
use serde_json::json;

/// Every route the router has, with `1` for its parameters: REST and top-level routes as
/// declared in the router sources, pages from the app's route list, and every server
/// function the binary registered.
fn every_route() -> Vec<String> {
    let mut paths = Vec::new();
    for (file, prefix) in [("src/rest/mod.rs", "/api"), ("src/server/router.rs", "")] {
        let src = std::fs::read_to_string(file).unwrap();
        for part in src.split(".route(").skip(1) {
            let lit = part.trim_start().trim_start_matches('"');
            let path = &lit[..lit.find('"').unwrap()];
            let mut p = format!("{prefix}{path}");
            while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
                p.replace_range(a..=b, "1");
            }
            paths.push(p);
        }
    }
    for route in leptos_axum::generate_route_list(paas::ui::App) {
        let mut p = route.path().to_string();
        while let Some(a) = p.find(':') {
            let end = p[a..].find('/').map(|e| a + e).unwrap_or(p.len());
            p.replace_range(a..end, "1");
        }
        while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
            p.replace_range(a..=b, "1");
        }
        paths.push(if p.is_empty() { "/".into() } else { p });
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        paths.push(path.to_string());
    }
    paths.sort();
    paths.dedup();
    paths
}

const PUBLIC: &[&str] = &[
    "/login",
    "/setup",
    "/healthz",
    "/readyz",
    "/invite/1",
    "/rpc/auth_status",
    "/rpc/invitation_info",
];

#[tokio::test]
async fn every_route_needs_sign_in_but_the_public_ones() {
    let app = app().await;
    let routes = every_route();
    assert!(routes.len() > 80, "found only {} routes", routes.len());
    for must in [
        "/api/projects",
        "/rpc/delete_project",
        "/upload/import",
        "/accounts/1",
    ] {
        assert!(routes.iter().any(|r| r == must), "{must} not enumerated");
    }
    let mut checked = 0;
    for path in &routes {
        if PUBLIC.contains(&path.as_str()) {
            continue;
        }
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let req = Request::builder()
                .method(method.clone())
                .uri(path.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let a = app.send_as(req, &As::Nobody).await;
            let page = method == Method::GET
                && !path.starts_with("/api")
                && !path.starts_with("/rpc/")
                && !path.starts_with("/upload/");
            if page {
                assert_eq!(a.status, StatusCode::SEE_OTHER, "{method} {path}");
                let to = a.headers[header::LOCATION].to_str().unwrap();
                assert!(to.starts_with("/login"), "{method} {path} → {to}");
            } else {
                assert_eq!(
                    a.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path}: {}",
                    a.text()
                );
            }
            checked += 1;
        }
    }
    // and nothing was written by all of that
    assert_eq!(app.project_count().await, 0);
    println!(
        "{checked} unauthenticated requests over {} routes refused",
        routes.len()
    );

    // the public ones answer without a sign-in
    for path in ["/login", "/setup", "/healthz", "/readyz"] {
        let a = app
            .send_as(Request::get(path).body(Body::empty()).unwrap(), &As::Nobody)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
    }
    // an unknown file name is not a way around it
    let a = app
        .send_as(
            Request::get("/secret.js").body(Body::empty()).unwrap(),
            &As::Nobody,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_page_redirects_to_sign_in_and_back() {
    let app = app().await;
    let a = app
        .send_as(
            Request::get("/projects/7?tab=files")
                .body(Body::empty())
                .unwrap(),
            &As::Nobody,
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.headers[header::LOCATION],
        "/login?next=%2Fprojects%2F7%3Ftab%3Dfiles"
    );
    let api = app
        .send_as(
            Request::get("/api/projects").body(Body::empty()).unwrap(),
            &As::Nobody,
        )
        .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    let j = api.json();
    assert_eq!(j["success"], false);
    assert!(j["error"].as_str().unwrap().contains("sign in"));
}

async fn sign_in_form(app: &TestApp, email: &str, password: &str) -> common::Answer {
    let body = serde_urlencoded::to_string([
        ("email", email),
        ("password", password),
        ("next", "/accounts"),
    ])
    .unwrap();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(body))
        .unwrap();
    app.send_as(req, &As::Nobody).await
}

fn cookie_of(a: &common::Answer) -> Option<String> {
    a.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("paas_session="))
        .map(|c| c["paas_session=".len()..c.find(';').unwrap()].to_owned())
}

#[tokio::test]
async fn sign_in_sign_out_and_throttling() {
    let app = app().await;
    let ok = sign_in_form(&app, "Owner@Example.com", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers[header::LOCATION], "/accounts");
    let set = ok.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    let cookie = cookie_of(&ok).unwrap();
    let me = As::Cookie(cookie.clone());
    let page = app
        .send_as(Request::get("/accounts").body(Body::empty()).unwrap(), &me)
        .await;
    assert_eq!(page.status, StatusCode::OK);

    // sign out: the cookie is cleared and no longer works
    let out = app
        .send_as(Request::post("/logout").body(Body::empty()).unwrap(), &me)
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let after = app
        .send_as(
            Request::get("/api/projects").body(Body::empty()).unwrap(),
            &me,
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);

    // the same answer for an unknown e-mail and a wrong password
    let unknown = sign_in_form(&app, "nobody@example.com", PASSWORD).await;
    let wrong = sign_in_form(&app, "owner@example.com", "not the password!").await;
    assert_eq!(
        unknown.headers[header::LOCATION],
        "/login?error=failed&next=%2Faccounts"
    );
    assert_eq!(
        wrong.headers[header::LOCATION],
        unknown.headers[header::LOCATION]
    );
    assert!(cookie_of(&wrong).is_none());

    // after five failures the account waits, even with the right password
    for _ in 0..4 {
        sign_in_form(&app, "owner@example.com", "still not it!!").await;
    }
    let locked = sign_in_form(&app, "owner@example.com", PASSWORD).await;
    assert!(
        locked.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login?error=throttled"),
        "{:?}",
        locked.headers
    );
    assert!(locked.headers.contains_key(header::RETRY_AFTER));
    assert!(cookie_of(&locked).is_none());
    // scripts get a 429 with Retry-After
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(format!(
            "email=owner%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let json = app.send_as(req, &As::Nobody).await;
    assert_eq!(json.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(json.headers.contains_key(header::RETRY_AFTER));
    // failures are in the audit log, without the passwords tried
    let log: Vec<(String, String)> =
        sqlx::query_as("SELECT action, target || detail FROM audit_log")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(log.iter().filter(|(a, _)| a == "sign_in.failed").count() >= 5);
    assert!(log.iter().all(|(_, t)| !t.contains("not it")));
}

#[tokio::test]
async fn roles_decide_who_writes() {
    let app = app().await;
    let viewer = As::Cookie(app.user("viewer@example.com", Role::Viewer).await);
    let member = As::Cookie(app.user("member@example.com", Role::Member).await);
    let owner = As::Cookie(app.cookie.clone());
    let account = app.account_named("Pool").await;
    sqlx::query("UPDATE accounts SET account_email = 'pool@example.com', notes = 'secret notes' WHERE id = ?")
        .bind(account)
        .execute(&app.db)
        .await
        .unwrap();
    let project = app.create("Shared").await;

    let post = |uri: &str, body: serde_json::Value| {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let rpc = |name: &str, form: &str| {
        Request::post(format!("/rpc/{name}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(form.to_owned()))
            .unwrap()
    };
    // one write of each kind, by each role: (request, viewer, member, owner)
    type Make = Box<dyn Fn() -> Request<Body>>;
    let cases: Vec<(&str, Make, [StatusCode; 3])> = vec![
        (
            "REST create",
            Box::new(move || {
                post(
                    "/api/projects",
                    json!({ "name": format!("P{}", rand_suffix()) }),
                )
            }),
            [
                StatusCode::FORBIDDEN,
                StatusCode::CREATED,
                StatusCode::CREATED,
            ],
        ),
        (
            "server function write",
            Box::new(move || {
                rpc(
                    "create_knowledge",
                    &format!("title=T{}&description=d&category=tip", rand_suffix()),
                )
            }),
            [StatusCode::FORBIDDEN, StatusCode::OK, StatusCode::OK],
        ),
        (
            "server function read",
            Box::new(move || rpc("list_projects", "")),
            [StatusCode::OK, StatusCode::OK, StatusCode::OK],
        ),
        (
            "REST read",
            Box::new(move || {
                Request::get(format!("/api/projects/{project}"))
                    .body(Body::empty())
                    .unwrap()
            }),
            [StatusCode::OK, StatusCode::OK, StatusCode::OK],
        ),
        (
            "delete",
            Box::new(move || {
                Request::delete(format!("/api/accounts/{}", 999_999))
                    .body(Body::empty())
                    .unwrap()
            }),
            [
                StatusCode::FORBIDDEN,
                StatusCode::NOT_FOUND,
                StatusCode::NOT_FOUND,
            ],
        ),
        (
            "owner's page",
            Box::new(move || rpc("admin_overview", "")),
            [StatusCode::FORBIDDEN, StatusCode::FORBIDDEN, StatusCode::OK],
        ),
        (
            "bundle export",
            Box::new(move || {
                Request::get(format!("/api/projects/{project}/export"))
                    .body(Body::empty())
                    .unwrap()
            }),
            [StatusCode::FORBIDDEN, StatusCode::OK, StatusCode::OK],
        ),
    ];
    for (what, make, want) in &cases {
        for (who, status) in [&viewer, &member, &owner].into_iter().zip(want) {
            let a = app.send_as(make(), who).await;
            assert_eq!(a.status, *status, "{what} as {who:?}: {}", a.text());
        }
    }
    // viewers see no e-mails or notes, by any path
    for who in [&viewer, &member] {
        let one = app
            .send_as(
                Request::get(format!("/api/accounts/{account}"))
                    .body(Body::empty())
                    .unwrap(),
                who,
            )
            .await;
        let list = app
            .send_as(
                Request::get("/api/accounts").body(Body::empty()).unwrap(),
                who,
            )
            .await;
        let page = app
            .send_as(
                Request::get(format!("/accounts/{account}"))
                    .body(Body::empty())
                    .unwrap(),
                who,
            )
            .await;
        let rpc_one = app
            .send_as(rpc("get_account", &format!("id={account}")), who)
            .await;
        let shown = [one.text(), list.text(), page.text(), rpc_one.text()].concat();
        let is_viewer = std::ptr::eq(who, &viewer);
        assert_eq!(
            !shown.contains("pool@example.com") && !shown.contains("secret notes"),
            is_viewer,
            "{who:?}"
        );
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn tokens_have_scopes_expiry_and_a_rate() {
    let app = app().await;
    let read = As::Token(app.token("owner@example.com", "read", None).await);
    let write = As::Token(app.token("owner@example.com", "write", Some(30)).await);
    let new_project = || {
        Request::post("/api/projects")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({ "name": format!("T{}", rand_suffix()) }).to_string(),
            ))
            .unwrap()
    };
    let list = || Request::get("/api/projects").body(Body::empty()).unwrap();
    assert_eq!(app.send_as(list(), &read).await.status, StatusCode::OK);
    assert_eq!(
        app.send_as(new_project(), &read).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send_as(new_project(), &write).await.status,
        StatusCode::CREATED
    );
    // a write token needs no Origin (no cookie, no ambient authority)
    // and last use is recorded
    let used: Option<String> =
        sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE scope = 'write'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(used.is_some());
    // stored as a hash with a visible prefix, never the token
    let As::Token(secret) = &write else {
        unreachable!()
    };
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT prefix, token_hash FROM api_tokens")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|(p, h)| p.starts_with("paas_") && h != secret));
    // expired
    sqlx::query("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE scope = 'write'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.send_as(new_project(), &write).await.status,
        StatusCode::UNAUTHORIZED
    );
    // unknown
    let bogus = As::Token("paas_not-a-real-token".into());
    assert_eq!(
        app.send_as(list(), &bogus).await.status,
        StatusCode::UNAUTHORIZED
    );
    // a member's admin token is refused at creation; a viewer's token cannot write
    app.user("viewer@example.com", Role::Viewer).await;
    let v = As::Token(app.token("viewer@example.com", "read", None).await);
    assert_eq!(
        app.send_as(new_project(), &v).await.status,
        StatusCode::FORBIDDEN
    );

    // rate: a token with a budget of 3 per minute gets 429 with Retry-After on the 4th
    let security = paas::server::auth::Security::new(
        paas::server::guard::Origins::new(None, Some(3000)).unwrap(),
        3,
    );
    let tight = bare_app(security).await;
    tight.user("ann@example.com", Role::Member).await;
    let t = As::Token(tight.token("ann@example.com", "read", None).await);
    for _ in 0..3 {
        assert_eq!(tight.send_as(list(), &t).await.status, StatusCode::OK);
    }
    let limited = tight.send_as(list(), &t).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
}

/// Every server function that changes something, with the cookie of the signed-in owner.
fn writing_rpcs() -> Vec<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .filter(|p| {
            let name = p.trim_start_matches("/rpc/");
            !paas::server::auth::READ_RPCS.contains(&name)
                && !paas::server::auth::PUBLIC_RPCS.contains(&name)
        })
        .collect()
}

async fn data_version(app: &TestApp) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM accounts), \
                (SELECT COUNT(*) FROM knowledge_base), (SELECT COUNT(*) FROM api_tokens)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn other_sites_cannot_change_anything() {
    let app = app().await;
    let project = app.create("Target").await;
    let account = app.account_named("Victim").await;
    let before = data_version(&app).await;
    let cookie = format!("paas_session={}", app.cookie);
    let rpcs = writing_rpcs();
    assert!(rpcs.len() > 30, "{rpcs:?}");
    let mut tried = 0;
    let evil_headers: [&[(&str, &str)]; 4] = [
        &[("origin", "http://evil.example")],
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.example"),
        ],
        &[("origin", "null")],
        // neither header, but the cookie: refused too
        &[],
    ];
    for path in rpcs.iter().cloned().chain([
        "/upload/sessions/1/import".to_string(),
        "/upload/import".into(),
        "/api/projects".into(),
        format!("/api/projects/{project}"),
        format!("/api/accounts/{account}"),
        "/logout".into(),
    ]) {
        for headers in evil_headers {
            for content_type in ["application/x-www-form-urlencoded", "text/plain"] {
                let mut req = Request::post(path.as_str())
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::COOKIE, &cookie);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                let body = format!("id={project}&form[name]=pwned&name=pwned");
                let a = app
                    .send_as(req.body(Body::from(body)).unwrap(), &As::Nobody)
                    .await;
                assert_eq!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{path} {headers:?}: {}",
                    a.text()
                );
                tried += 1;
            }
        }
        // a DELETE from another site
        let a = app
            .send_as(
                Request::delete(format!("/api/projects/{project}"))
                    .header(header::COOKIE, &cookie)
                    .header("origin", "http://evil.example")
                    .body(Body::empty())
                    .unwrap(),
                &As::Nobody,
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
    // every REST route the router has, with every writing method, from another site
    for path in every_route().into_iter().filter(|p| p.starts_with("/api")) {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let req = Request::builder()
                .method(method.clone())
                .uri(path.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, &cookie)
                .header("origin", "http://evil.example")
                .body(Body::from(
                    r#"{"name":"pwned","project_id":1,"account_id":1}"#,
                ))
                .unwrap();
            let a = app.send_as(req, &As::Nobody).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {path}");
            tried += 1;
        }
    }
    assert_eq!(data_version(&app).await, before, "nothing written");
    let name: String = sqlx::query_scalar("SELECT name FROM projects WHERE id = ?")
        .bind(project)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Target");
    println!("{tried} cross-site writes refused");

    // the same write from the app's own page goes through
    let ours = app
        .rpc(
            "update_project",
            &[("id", &project.to_string()), ("name", "Renamed")],
        )
        .await;
    assert_ne!(ours.status, StatusCode::FORBIDDEN, "{}", ours.text());
}

#[tokio::test]
async fn a_foreign_host_is_refused() {
    let app = app().await;
    for host in [
        "evil.example",
        "evil.example:3000",
        "127.0.0.1.evil.example:3000",
    ] {
        let req = Request::get("/api/accounts")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let a = app.send(req).await;
        assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(!a.text().contains("Victim"));
    }
    for host in ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"] {
        let req = Request::get("/api/accounts")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn stored_text_never_runs() {
    let app = app().await;
    let evil = "</title><img src=x onerror=alert(1)><script>alert(2)</script>";
    let project = app.create(evil).await;
    let account = app.account_named(evil).await;
    let session = app.session(project, account, evil).await;
    let k = app
        .json(
            "POST",
            "/api/knowledge",
            json!({
                "title": evil,
                "description": "see [x](javascript:alert(3)) and ![i](data:text/html;base64,PHNjcmlwdD4=) and [ok](https://example.com)",
                "category": "tip"
            })
            .to_string(),
        )
        .await;
    assert_eq!(k.status, StatusCode::CREATED, "{}", k.text());
    let knowledge = k.json()["id"].as_i64().unwrap();
    for page in [
        format!("/projects/{project}"),
        format!("/accounts/{account}"),
        format!("/sessions/{session}"),
        format!("/knowledge/{knowledge}"),
        "/accounts".into(),
        "/sessions".into(),
        "/knowledge".into(),
        "/".into(),
    ] {
        let a = app.get(&page).await;
        assert_eq!(a.status, StatusCode::OK, "{page}");
        let html = a.text();
        assert!(!html.contains("<img src=x"), "{page}: live <img>");
        assert!(!html.contains("<script>alert"), "{page}: live <script>");
        let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
        assert!(!title.contains('<'), "{page}: {title}");
        assert!(
            !html.to_ascii_lowercase().contains("href=\"javascript:"),
            "{page}"
        );
        assert!(!html.contains("src=\"data:"), "{page}");
    }
    let k = app.get(&format!("/knowledge/{knowledge}")).await.text();
    assert!(k.contains("href=\"https://example.com\""));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_policy() {
    let app = app().await;
    let a = app.get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    let h = |n: &str| a.headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(h("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(h("x-frame-options").as_deref(), Some("DENY"));
    assert!(h("referrer-policy").is_some());
    let csp = h("content-security-policy").expect("a CSP on pages");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap()
        .to_owned();
    assert!(nonce.len() >= 16);
    let html = a.text();
    // every script on the page carries the nonce
    let scripts = html.matches("<script").count();
    let stamped = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(
        scripts > 0 && stamped >= scripts,
        "{scripts} scripts, {stamped} with the nonce"
    );
    // a new nonce per response
    let b = app.get("/").await;
    assert_ne!(
        b.headers["content-security-policy"],
        a.headers["content-security-policy"]
    );
    // JSON answers allow nothing active
    let j = app.get("/api/projects").await;
    assert!(j.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
}

#[tokio::test]
async fn first_run_setup_needs_the_code_from_the_log() {
    let security = paas::server::auth::Security::new(
        paas::server::guard::Origins::new(None, Some(3000)).unwrap(),
        600,
    );
    *security.setup_code.lock().unwrap() = Some("abc123def456".into());
    let app = bare_app(security).await;
    let setup = |code: &str| {
        let body = serde_urlencoded::to_string([
            ("code", code),
            ("email", "first@example.com"),
            ("name", "First"),
            ("password", PASSWORD),
        ])
        .unwrap();
        Request::post("/setup")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, ORIGIN)
            .body(Body::from(body))
            .unwrap()
    };
    let page = app
        .send_as(
            Request::get("/setup").body(Body::empty()).unwrap(),
            &As::Nobody,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let wrong = app.send_as(setup("wrong"), &As::Nobody).await;
    assert_eq!(wrong.headers[header::LOCATION], "/setup?error=code");
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users, 0);
    let ok = app.send_as(setup("abc123def456"), &As::Nobody).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let cookie = cookie_of(&ok).expect("signed in after setup");
    let me = app
        .send_as(
            Request::get("/api/projects").body(Body::empty()).unwrap(),
            &As::Cookie(cookie),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    // the code is used up
    let again = app.send_as(setup("abc123def456"), &As::Nobody).await;
    assert_eq!(again.headers[header::LOCATION], "/setup?error=code");
    let role: String = sqlx::query_scalar("SELECT role FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(role, "owner");
}

#[tokio::test]
async fn the_command_line_adds_users_and_tokens() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("cli.db").display());
    let bin = env!("CARGO_BIN_EXE_paas");
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(bin)
            .args(args)
            .args(["--database-url", &db])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let add = run(
        &[
            "user",
            "add",
            "--email",
            "ci@example.com",
            "--name",
            "CI",
            "--role",
            "member",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let weak = run(
        &[
            "user",
            "add",
            "--email",
            "w@example.com",
            "--name",
            "W",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "password1234\n",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("--password"));
    let token = run(
        &[
            "token",
            "create",
            "--email",
            "ci@example.com",
            "--name",
            "ci",
            "--scope",
            "write",
            "--expires-days",
            "7",
        ],
        "",
    );
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let out = String::from_utf8(token.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "the token alone: {out:?}");
    assert!(lines[0].starts_with("paas_") && lines[0].len() > 40);
    let admin = run(
        &[
            "token",
            "create",
            "--email",
            "ci@example.com",
            "--name",
            "x",
            "--scope",
            "admin",
        ],
        "",
    );
    assert!(
        !admin.status.success(),
        "a member cannot hold an admin token"
    );
    let reset = run(
        &[
            "user",
            "reset-password",
            "--email",
            "ci@example.com",
            "--password-stdin",
        ],
        "another long passphrase here\n",
    );
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    let list = run(&["user", "list"], "");
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(
        listed.contains("ci@example.com\tCI\tmember\tactive"),
        "{listed}"
    );
    assert!(!listed.contains(PASSWORD));
}

#[tokio::test]
async fn deletes_imports_and_rotations_are_in_the_audit_log() {
    let app = app().await;
    let account = app.account_named("Gone").await;
    let a = app
        .send(
            Request::delete(format!("/api/accounts/{account}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let project = app.create("Trash me").await;
    let del = app
        .rpc("delete_project", &[("id", &project.to_string())])
        .await;
    assert!(
        del.status.is_success() || del.status.is_redirection(),
        "{}",
        del.text()
    );
    // a refused delete is not recorded as one
    let missing = app
        .send(
            Request::delete("/api/accounts/999999")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, action, target FROM audit_log WHERE action = 'delete' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "owner@example.com".into(),
                "delete".into(),
                format!("DELETE /api/accounts/{account}")
            ),
            (
                "owner@example.com".into(),
                "delete".into(),
                "POST /rpc/delete_project".into()
            ),
        ]
    );
    // the owner reads it; nobody else does
    let log = app.rpc("admin_overview", &[]).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.text().contains("/api/accounts/"));
}
