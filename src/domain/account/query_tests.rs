//! Tests of the account list's query parsing and links.

use super::*;

#[test]
fn query_parsing_and_links() {
    let q = AccountQuery::parse(&AccountQueryInput {
        status: Some("exhausted".into()),
        platform: Some("claude".into()),
        q: Some("front end".into()),
        sort: Some("refresh".into()),
        page: Some("2".into()),
    })
    .unwrap();
    assert_eq!(
        q.to_query_string(),
        "?status=exhausted&platform=claude&q=front%20end&sort=refresh&page=2"
    );
    assert_eq!(q.offset(), 50);
    let bad = AccountQueryInput {
        platform: Some("aol".into()),
        ..Default::default()
    };
    assert_eq!(AccountQuery::parse(&bad).unwrap_err().field, "platform");
    assert_eq!(
        AccountQuery::parse_lenient(&bad),
        AccountQuery {
            page: 1,
            ..Default::default()
        }
    );
    let all = AccountQueryInput {
        status: Some("all".into()),
        ..Default::default()
    };
    assert_eq!(AccountQuery::parse(&all).unwrap().status, None);
}
