//! Tests of account status, input, refills, selection and pasted imports.

use super::Strategy;
use super::*;
use crate::domain::DomainError;
use proptest::prelude::{prop_assert, prop_assert_eq, prop_assert_ne, proptest};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

pub(crate) fn account(id: i64, credits: i64, status: AccountStatus) -> Account {
    Account {
        id: AccountId(id),
        account_name: format!("A{id}"),
        account_email: None,
        platform: Platform::Genspark,
        specialization: None,
        notes: None,
        credits_available: credits,
        credit_capacity: 100,
        status,
        reset: ResetRuleInput::default(),
        last_refresh_at: None,
        next_refresh_at: None,
        last_used_at: None,
        created_at: ts("2026-01-01T00:00:00Z"),
        updated_at: ts("2026-01-01T00:00:00Z"),
        version: 1,
    }
}

fn req() -> SelectRequest {
    SelectRequest::parse(&SelectInput::default()).unwrap()
}

const NOW: &str = "2026-02-01T12:00:00Z";

#[test]
fn spec_selection_order_on_a_crafted_pool() {
    use AccountStatus::*;
    let mut pool = vec![
        account(1, 95, Blocked),   // blocked: never
        account(2, 99, Exhausted), // wrong status
        account(3, 49, Available), // below 50
        account(4, 80, Available), // 80, used recently
        account(5, 80, Active),    // 80, used long ago -> wins the tie
        account(6, 70, Available),
        account(7, 90, Available), // frontend: best when asked for frontend? no: backend
    ];
    pool[3].last_used_at = Some(ts("2026-01-31T00:00:00Z"));
    pool[4].last_used_at = Some(ts("2026-01-01T00:00:00Z"));
    pool[6].specialization = Some("Backend, Rust".into());
    pool[5].specialization = Some("React, Frontend".into());
    let now = ts(NOW);
    // no specialization: the 90-credit account
    assert_eq!(select(&pool, &req(), now).unwrap().account.id, AccountId(7));
    // Frontend: account 7 (Backend) no longer matches; 4 and 5 have no specialization (match),
    // tie at 80 broken by least recent use
    let frontend = SelectRequest {
        specialization: Some("frontend".into()),
        ..req()
    };
    let s = select(&pool, &frontend, now).unwrap();
    assert_eq!(s.account.id, AccountId(5));
    assert!(s.reason.contains("least recently used"), "{}", s.reason);
    assert_eq!(s.candidates, 3);
    // min_credits raises the bar
    let high = SelectRequest {
        min_credits: 85,
        ..req()
    };
    assert_eq!(select(&pool, &high, now).unwrap().account.id, AccountId(7));
    // never the excluded one
    let rotate = SelectRequest {
        exclude: Some(AccountId(7)),
        ..req()
    };
    assert_eq!(
        select(&pool, &rotate, now).unwrap().account.id,
        AccountId(5)
    );
}

#[test]
fn strategies() {
    use AccountStatus::*;
    let now = ts(NOW);
    let mut a = account(1, 90, Available);
    a.credit_capacity = 1000; // 9 %
    let mut b = account(2, 60, Available); // 60 %
    b.next_refresh_at = Some(ts("2026-02-01T13:00:00Z"));
    let mut c = account(3, 70, Active); // 70 %
    c.next_refresh_at = Some(ts("2026-02-03T00:00:00Z"));
    c.last_used_at = Some(ts("2026-02-01T11:00:00Z"));
    let pool = vec![a, b, c];
    let pick = |s: Strategy, current: Option<i64>| {
        let r = SelectRequest {
            strategy: s,
            current: current.map(AccountId),
            ..req()
        };
        select(&pool, &r, now).unwrap()
    };
    assert_eq!(pick(Strategy::Best, None).account.id, AccountId(1));
    assert_eq!(pick(Strategy::MostHeadroom, None).account.id, AccountId(3));
    let soon = pick(Strategy::SoonestReset, None);
    assert_eq!(soon.account.id, AccountId(2));
    assert!(soon.reason.contains("in 1 h"), "{}", soon.reason);
    assert_eq!(pick(Strategy::Sticky, Some(3)).account.id, AccountId(3));
    assert_eq!(pick(Strategy::Sticky, Some(99)).account.id, AccountId(1));
    assert_eq!(
        pick(Strategy::LeastRecentlyUsed, None).account.id,
        AccountId(1)
    );
    for s in Strategy::ALL {
        assert!(!pick(s, None).reason.is_empty());
    }
}

#[test]
fn none_available_suggests_the_soonest_refresh() {
    use AccountStatus::*;
    let mut a = account(1, 5, Exhausted);
    a.next_refresh_at = Some(ts("2026-02-01T14:30:00Z"));
    a.account_name = "Claude-Pro".into();
    let b = account(2, 30, Available);
    let e = select(&[a, b], &req(), ts(NOW)).unwrap_err();
    let DomainError::NoAccount {
        message,
        advice: suggestion,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(message, "No available accounts with sufficient credits");
    assert!(
        suggestion.contains("Claude-Pro refreshes soonest, in 2 h 30 min"),
        "{suggestion}"
    );
    assert!(suggestion.contains("A2 has 30 credits"), "{suggestion}");
    let e = select(&[], &req(), ts(NOW)).unwrap_err();
    let DomainError::NoAccount { advice, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(advice.contains("wait for credit refresh"), "{advice}");
}

#[test]
fn status_rules() {
    use AccountStatus::*;
    let th = Thresholds::default();
    assert_eq!(Available.after_credits(9, th), Exhausted);
    assert_eq!(Active.after_credits(9, th), Exhausted);
    assert_eq!(Exhausted.after_credits(10, th), Available);
    assert_eq!(Blocked.after_credits(100, th), Blocked);
    assert_eq!(Blocked.after_credits(0, th), Blocked);
    assert_eq!(Active.after_credits(50, th), Active);
}

#[test]
fn new_account_validation_names_fields() {
    let th = Thresholds::default();
    let e = |i: AccountInput| NewAccount::parse(&i, th).unwrap_err().field;
    let ok = AccountInput {
        account_name: Some("A".into()),
        ..Default::default()
    };
    assert_eq!(e(AccountInput::default()), "account_name");
    assert_eq!(
        e(AccountInput {
            platform: Some("myspace".into()),
            ..ok.clone()
        }),
        "platform"
    );
    assert_eq!(
        e(AccountInput {
            account_email: Some("not-an-email".into()),
            ..ok.clone()
        }),
        "account_email"
    );
    assert_eq!(
        e(AccountInput {
            credits_available: Some(-1),
            ..ok.clone()
        }),
        "credits_available"
    );
    assert_eq!(
        e(AccountInput {
            status: Some("sleeping".into()),
            ..ok.clone()
        }),
        "status"
    );
    let a = NewAccount::parse(
        &AccountInput {
            credits_available: Some(5),
            ..ok.clone()
        },
        th,
    )
    .unwrap();
    assert_eq!(
        a.status,
        AccountStatus::Exhausted,
        "few credits start exhausted"
    );
    let a = NewAccount::parse(&ok, th).unwrap();
    assert_eq!(
        (a.credits, a.capacity, a.platform),
        (100, 100, Platform::Genspark)
    );
}

#[test]
fn patch_re_evaluates_status() {
    let th = Thresholds::default();
    let now = ts(NOW);
    let a = account(1, 80, AccountStatus::Active);
    let p = apply_patch(
        a.clone(),
        &AccountInput {
            credits_available: Some(3),
            ..Default::default()
        },
        now,
        th,
    )
    .unwrap();
    assert_eq!(p.status, AccountStatus::Exhausted);
    let back = apply_patch(
        p,
        &AccountInput {
            credits_available: Some(60),
            ..Default::default()
        },
        now,
        th,
    )
    .unwrap();
    assert_eq!(back.status, AccountStatus::Available);
    let e = apply_patch(a, &AccountInput::default(), now, th).unwrap_err();
    assert_eq!(e.field, "body");
}

#[test]
fn refill_is_due_once_per_window() {
    let th = Thresholds::default();
    let mut a = account(1, 3, AccountStatus::Exhausted);
    a.reset = ResetRuleInput {
        kind: Some("rolling".into()),
        hours: Some(5),
        ..Default::default()
    };
    a.last_refresh_at = Some(ts("2026-02-01T00:00:00Z"));
    a.next_refresh_at = Some(ts("2026-02-01T05:00:00Z"));
    assert_eq!(a.due_refill(ts("2026-02-01T04:59:00Z"), th), None);
    let r = a.due_refill(ts("2026-02-01T11:00:00Z"), th).unwrap();
    assert_eq!(r.window_at, ts("2026-02-01T10:00:00Z"));
    assert_eq!(r.next_refresh_at, Some(ts("2026-02-01T15:00:00Z")));
    assert_eq!((r.credits_before, r.credits_after), (3, 100));
    assert_eq!(r.status, AccountStatus::Available);
    // applied: the same instant has nothing more to do
    a.credits_available = r.credits_after;
    a.last_refresh_at = Some(r.window_at);
    a.next_refresh_at = r.next_refresh_at;
    assert_eq!(a.due_refill(ts("2026-02-01T11:00:00Z"), th), None);
}

#[test]
fn paste_formats() {
    let csv = "account_name,platform,credits,reset,reset_hours\nA,claude,80,rolling,5\nB,nope,10,,\n\"C,x\",gemini,abc,,\n";
    let rows = parse_paste(csv).unwrap();
    assert_eq!(rows.len(), 3);
    let a = rows[0].as_ref().unwrap();
    assert_eq!(a.account_name.as_deref(), Some("A"));
    assert_eq!(a.reset.as_ref().unwrap().hours, Some(5));
    assert!(
        rows[1].is_ok(),
        "platform is checked later, by NewAccount::parse"
    );
    let e = rows[2].as_ref().unwrap_err();
    assert_eq!((e.row, e.field.as_str()), (4, "credits_available"));

    let jl = "{\"account_name\": \"J1\"}\n\n{\"account_name\": 5}\n";
    let rows = parse_paste(jl).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].is_ok());
    assert_eq!(rows[1].as_ref().unwrap_err().row, 3);

    assert_eq!(parse_paste("  ").unwrap_err().field, "text");
    assert!(parse_paste("who,what\n1,2")
        .unwrap_err()
        .message
        .contains("unknown CSV column"));
    let ragged = parse_paste("account_name,platform\nA\n").unwrap();
    assert!(ragged[0]
        .as_ref()
        .unwrap_err()
        .error
        .contains("malformed CSV row"));
}

proptest! {
    #[test]
    fn selection_never_breaks_its_rules(
        specs in proptest::collection::vec((0i64..200, 0usize..4, 0u8..3), 0..30),
        min in 0i64..150,
        strategy in 0usize..5,
        exclude in 0i64..30,
    ) {
        let pool: Vec<Account> = specs.iter().enumerate().map(|(i, (c, s, sp))| {
            let mut a = account(i as i64 + 1, *c, AccountStatus::ALL[*s]);
            a.specialization = match sp { 0 => None, 1 => Some("Frontend".into()), _ => Some("Backend".into()) };
            a
        }).collect();
        let r = SelectRequest {
            specialization: Some("front".into()),
            min_credits: min,
            strategy: Strategy::ALL[strategy],
            current: None,
            exclude: Some(AccountId(exclude)),
        };
        match select(&pool, &r, ts(NOW)) {
            Ok(s) => {
                prop_assert!(s.account.credits_available >= min);
                prop_assert!(matches!(s.account.status, AccountStatus::Available | AccountStatus::Active));
                prop_assert!(s.account.id != AccountId(exclude));
                prop_assert!(s.account.specialization.as_deref() != Some("Backend"));
            }
            Err(e) => prop_assert!(matches!(e, DomainError::NoAccount { .. }), "unexpected error {:?}", e),
        }
    }

    #[test]
    fn status_after_credits_is_consistent(credits in -5i64..200, s in 0usize..4) {
        let th = Thresholds::default();
        let before = AccountStatus::ALL[s];
        let after = before.after_credits(credits, th);
        if before == AccountStatus::Blocked { prop_assert_eq!(after, AccountStatus::Blocked) }
        else if credits < th.exhausted_below { prop_assert_eq!(after, AccountStatus::Exhausted) }
        else { prop_assert_ne!(after, AccountStatus::Exhausted) }
    }
}
