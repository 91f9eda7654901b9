//! Tests of secrets, passwords, sign-in, sessions, tokens and invitations.

use super::*;

const GOOD: &str = "correct horse battery staple";

fn cli() -> Actor {
    Actor {
        user: None,
        label: "cli".into(),
        ip: String::new(),
    }
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix(1_800_000_000 + secs).unwrap()
}

#[test]
fn secrets_are_random_and_stored_hashed() {
    let (a, b) = (new_secret(), new_secret());
    assert_ne!(a, b);
    assert_eq!(a.len(), 43);
    assert_eq!(secret_hash(&a).len(), 64);
    assert_ne!(secret_hash(&a), secret_hash(&b));
}

#[test]
fn common_passwords_are_refused() {
    for bad in [
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "ann@example.com1",
    ] {
        let e = check_password(bad, "ann@example.com", "Ann").unwrap_err();
        assert_eq!(e.field, "password", "{bad}");
    }
    check_password(GOOD, "ann@example.com", "Ann").unwrap();
}

#[tokio::test]
async fn sign_in_sessions_and_tokens() {
    let (_dir, db) = storage::temp_db().await;
    assert!(needs_setup(&db).await.unwrap());
    let owner = setup_owner(&db, "Ann@Example.com", "Ann", GOOD, "127.0.0.1", at(0))
        .await
        .unwrap();
    assert_eq!(owner.email, "ann@example.com");
    assert_eq!(owner.role, Role::Owner);
    // a second setup is refused in the transaction
    let again = setup_owner(&db, "eve@example.com", "Eve", GOOD, "", at(1)).await;
    assert_eq!(again.unwrap_err().status_code(), 409);

    // the same message for an unknown e-mail and a wrong password
    let unknown = sign_in(&db, "nobody@example.com", GOOD, "", "", at(2)).await;
    let wrong = sign_in(&db, "ann@example.com", "wrong password!!", "", "", at(2)).await;
    assert_eq!(unknown.unwrap_err(), wrong.unwrap_err());
    let s = sign_in(&db, " ANN@example.com", GOOD, "10.0.0.1", "test", at(3))
        .await
        .unwrap();
    let (me, sid) = session_user(&db, &s.secret, at(4)).await.unwrap().unwrap();
    assert_eq!((me.role, me.access), (Role::Owner, Access::Admin));
    // the stored row holds no secret
    let stored = crate::storage::testing::session_token_hashes(&db).await;
    assert!(!stored.contains(&s.secret));
    // idle for the idle timeout: gone
    assert!(
        session_user(&db, &s.secret, at(4 + auth::SESSION_IDLE_SECS))
            .await
            .unwrap()
            .is_none()
    );
    assert!(session_user(&db, &s.secret, at(5)).await.unwrap().is_none());
    let _ = sid;

    // tokens: narrowed by scope, by role, by expiry and revocation
    let member = create_user(
        &db,
        "bob@example.com",
        "Bob",
        Role::Member,
        GOOD,
        &cli(),
        at(10),
    )
    .await
    .unwrap();
    let too_much = create_token(&db, member.id, "ci", Scope::Admin, None, &cli(), at(11)).await;
    assert_eq!(too_much.unwrap_err().field(), Some("scope"));
    let (secret, info) = create_token(&db, member.id, "ci", Scope::Read, Some(1), &cli(), at(11))
        .await
        .unwrap();
    assert!(secret.starts_with("paas_") && secret.starts_with(&info.prefix));
    let (me, _) = token_user(&db, &secret, at(12)).await.unwrap().unwrap();
    assert_eq!(me.access, Access::Read);
    assert!(token_user(&db, &secret, at(11 + 86_400))
        .await
        .unwrap()
        .is_none());
    assert!(token_user(&db, "paas_nope", at(12))
        .await
        .unwrap()
        .is_none());
    revoke_token(&db, member.id, info.id, &cli(), at(13))
        .await
        .unwrap();
    assert!(token_user(&db, &secret, at(14)).await.unwrap().is_none());
    // another user's token cannot be revoked by id
    let (_, other) = create_token(&db, owner.id, "mine", Scope::Admin, None, &cli(), at(15))
        .await
        .unwrap();
    let theirs = revoke_token(&db, member.id, other.id, &cli(), at(16)).await;
    assert_eq!(theirs.unwrap_err().status_code(), 404);

    // disabling ends sessions; the last owner cannot be disabled
    let last = set_disabled(&db, owner.id, true, &cli(), at(20)).await;
    assert_eq!(last.unwrap_err().status_code(), 409);
    let s = sign_in(&db, "bob@example.com", GOOD, "", "", at(21))
        .await
        .unwrap();
    set_disabled(&db, member.id, true, &cli(), at(22))
        .await
        .unwrap();
    assert!(session_user(&db, &s.secret, at(23))
        .await
        .unwrap()
        .is_none());
    assert!(sign_in(&db, "bob@example.com", GOOD, "", "", at(24))
        .await
        .is_err());

    let log = audit_log(&db, 100).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "setup",
        "sign_in",
        "sign_in.failed",
        "token.create",
        "token.revoke",
        "user.disable",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(log
        .iter()
        .all(|e| !e.detail.contains(GOOD) && !e.target.contains(GOOD)));
}

#[tokio::test]
async fn invitations_are_used_once() {
    let (_dir, db) = storage::temp_db().await;
    let owner = setup_owner(&db, "ann@example.com", "Ann", GOOD, "", at(0))
        .await
        .unwrap();
    let (secret, _) = invite(
        &db,
        owner.id,
        "cy@example.com",
        "Cy",
        Role::Viewer,
        &cli(),
        at(1),
    )
    .await
    .unwrap();
    let user = accept_invite(&db, &secret, GOOD, "", at(2)).await.unwrap();
    assert_eq!(user.role, Role::Viewer);
    assert!(accept_invite(&db, &secret, GOOD, "", at(3)).await.is_err());
    let (late, _) = invite(
        &db,
        owner.id,
        "di@example.com",
        "Di",
        Role::Member,
        &cli(),
        at(4),
    )
    .await
    .unwrap();
    assert!(accept_invite(&db, &late, GOOD, "", at(5 + INVITE_SECS))
        .await
        .is_err());
}
