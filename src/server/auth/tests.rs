//! Tests of the route rules, the audit actions, the throttle and the client address.

use super::security::{FREE_FAILURES_EMAIL, MAX_DELAY_SECS};
use super::*;
use crate::domain::auth::Access;
use std::time::Instant;

#[test]
fn rules() {
    let get = Method::GET;
    let post = Method::POST;
    assert_eq!(need(&get, "/login"), Need::Public);
    assert_eq!(need(&post, "/login"), Need::Public);
    assert_eq!(need(&get, "/healthz"), Need::Public);
    assert_eq!(need(&get, "/invite/abc"), Need::Public);
    assert_eq!(need(&get, "/invite/abc/x"), Need::Access(Access::Read));
    assert_eq!(need(&get, "/pkg/paas.wasm"), Need::Static);
    assert_eq!(need(&get, "/favicon.svg"), Need::Static);
    assert_eq!(need(&get, "/projects/1.css"), Need::Access(Access::Read));
    assert_eq!(need(&get, "/"), Need::Access(Access::Read));
    assert_eq!(need(&get, "/api/projects"), Need::Access(Access::Read));
    assert_eq!(need(&post, "/api/projects"), Need::Access(Access::Write));
    assert_eq!(
        need(&post, "/rpc/list_projects"),
        Need::Access(Access::Read)
    );
    assert_eq!(
        need(&post, "/rpc/delete_project"),
        Need::Access(Access::Write)
    );
    assert_eq!(
        need(&post, "/rpc/brand_new_fn"),
        Need::Access(Access::Write)
    );
    assert_eq!(need(&post, "/rpc/admin_users"), Need::Access(Access::Admin));
    assert_eq!(need(&get, "/admin"), Need::Access(Access::Admin));
    assert_eq!(need(&post, "/upload/import"), Need::Access(Access::Write));
}

#[test]
fn what_is_audited() {
    assert_eq!(
        audit_action(&Method::DELETE, "/api/projects/1"),
        Some("delete")
    );
    assert_eq!(
        audit_action(&Method::POST, "/rpc/delete_account"),
        Some("delete")
    );
    assert_eq!(
        audit_action(&Method::POST, "/upload/import"),
        Some("import")
    );
    assert_eq!(
        audit_action(&Method::POST, "/rpc/import_conversation"),
        Some("import")
    );
    assert_eq!(
        audit_action(&Method::POST, "/api/private/auto-rotate"),
        Some("rotation")
    );
    assert_eq!(
        audit_action(&Method::POST, "/rpc/rotate_account"),
        Some("rotation")
    );
    for (method, path) in [
        (Method::PUT, "/api/settings/model"),
        (Method::DELETE, "/api/settings/model"),
        (Method::POST, "/rpc/admin_save_model"),
    ] {
        assert_eq!(audit_action(&method, path), Some("settings.model"));
    }
    assert_eq!(audit_action(&Method::POST, "/api/projects"), None);
    assert_eq!(audit_action(&Method::GET, "/api/projects/1"), None);
}

#[test]
fn throttle_grows() {
    let mut t = Throttle::default();
    let t0 = Instant::now();
    for _ in 0..FREE_FAILURES_EMAIL {
        assert_eq!(t.wait("email:a", t0), 0);
        t.fail("email:a", t0);
    }
    assert_eq!(t.wait("email:a", t0), 1);
    t.fail("email:a", t0);
    assert_eq!(t.wait("email:a", t0), 2);
    for _ in 0..40 {
        t.fail("email:a", t0);
    }
    assert_eq!(t.wait("email:a", t0), MAX_DELAY_SECS);
    assert_eq!(
        t.wait("email:a", t0 + Duration::from_secs(MAX_DELAY_SECS)),
        0
    );
    t.clear("email:a");
    assert_eq!(t.wait("email:a", t0), 0);
    // addresses get more tries (people share them)
    for _ in 0..FREE_FAILURES_EMAIL {
        t.fail("ip:1", t0);
    }
    assert_eq!(t.wait("ip:1", t0), 0);
}

#[test]
fn forwarded_addresses_only_from_trusted_proxies() {
    let mut h = HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        HeaderValue::from_static("6.6.6.6, 10.0.0.5"),
    );
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert_eq!(client_ip(&h, Some(peer), 0), "127.0.0.1");
    assert_eq!(client_ip(&h, Some(peer), 1), "10.0.0.5");
    assert_eq!(client_ip(&h, Some(peer), 2), "6.6.6.6");
}
