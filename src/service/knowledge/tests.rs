use super::*;
use crate::storage::temp_db;

fn t() -> Timestamp {
    Timestamp::parse("2026-03-01T00:00:00Z").unwrap()
}

async fn add(db: &Db, category: &str, title: &str, description: &str, tags: &str) -> Entry {
    create(
        db,
        &EntryInput {
            category: Some(category.into()),
            title: Some(title.into()),
            description: Some(description.into()),
            tags: Some(tags.into()),
            source_session_id: None,
            version: None,
        },
        t(),
    )
    .await
    .unwrap()
}

async fn find(db: &Db, q: &str) -> Vec<i64> {
    search(
        db,
        &KnowledgeQuery {
            q: Some(q.into()),
            ..Default::default()
        },
        20,
    )
    .await
    .unwrap()
    .iter()
    .map(|h| h.entry.id)
    .collect()
}

async fn outcome(db: &Db, id: i64, worked: bool) -> Entry {
    record_outcome(
        db,
        id,
        &OutcomeInput {
            worked: Some(worked),
            ..Default::default()
        },
        t(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_identifier_finds_the_error_solution_that_mentions_it() {
    let (_d, db) = temp_db().await;
    let fix = add(
        &db,
        "error_solution",
        "Postgres refuses connections in CI",
        "The job failed with `ERR_CONNECTION_REFUSED` from `db::pool::connect_with_retry`; \
         start the service container before the tests.",
        "ci,postgres",
    )
    .await;
    add(
        &db,
        "tip",
        "Connection pooling",
        "Use a pool of 8 connections.",
        "postgres",
    )
    .await;
    add(
        &db,
        "pattern",
        "Retry with backoff",
        "Wrap flaky calls in a retry.",
        "",
    )
    .await;

    assert_eq!(find(&db, "ERR_CONNECTION_REFUSED").await, vec![fix.id]);
    assert_eq!(find(&db, "connect_with_retry").await, vec![fix.id]);
    // part of an identifier or error string: the trigram index
    assert_eq!(find(&db, "CONNECTION_REF").await, vec![fix.id]);
    assert_eq!(find(&db, "db::pool").await, vec![fix.id]);
}

#[tokio::test]
async fn stemming_matches_other_forms_of_a_word() {
    let (_d, db) = temp_db().await;
    let e = add(
        &db,
        "best_practice",
        "Caching compiled templates",
        "Templates are compiled once and cached.",
        "",
    )
    .await;
    assert_eq!(find(&db, "cache").await, vec![e.id]);
    assert_eq!(find(&db, "compiling templates").await, vec![e.id]);
    assert_eq!(find(&db, "Template").await, vec![e.id]);
    assert!(find(&db, "zebra").await.is_empty());
}

#[tokio::test]
async fn at_equal_relevance_the_entry_that_worked_more_often_ranks_first() {
    let (_d, db) = temp_db().await;
    let a = add(&db, "tip", "Flaky websocket test", "Raise the timeout.", "").await;
    let b = add(&db, "tip", "Flaky websocket test", "Raise the timeout.", "").await;
    for worked in [true, false, false] {
        outcome(&db, a.id, worked).await;
    }
    for worked in [true, true, false] {
        outcome(&db, b.id, worked).await;
    }
    let hits = search(
        &db,
        &KnowledgeQuery {
            q: Some("websocket".into()),
            ..Default::default()
        },
        10,
    )
    .await
    .unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[0].relevance, hits[1].relevance,
        "same text, same relevance"
    );
    assert_eq!(hits[0].entry.id, b.id);
    assert!(hits[0].score > hits[1].score);
    // title matches weigh more than description matches
    let c = add(&db, "tip", "Timeouts", "A websocket needs a ping.", "").await;
    let order = find(&db, "websocket").await;
    assert_eq!(order.last(), Some(&c.id), "{order:?}");
}

#[tokio::test]
async fn the_index_follows_edits_and_deletes() {
    let (_d, db) = temp_db().await;
    let e = add(&db, "tip", "Use sccache", "Speeds up rebuilds.", "build").await;
    assert_eq!(find(&db, "sccache").await, vec![e.id]);
    update(
        &db,
        e.id,
        &EntryInput {
            category: Some("optimization".into()),
            title: Some("Use mold as the linker".into()),
            description: Some("Links in a fraction of the time.".into()),
            tags: Some("build,linker".into()),
            source_session_id: None,
            version: None,
        },
        t(),
    )
    .await
    .unwrap();
    assert!(find(&db, "sccache").await.is_empty(), "old words are gone");
    assert_eq!(find(&db, "mold linker").await, vec![e.id]);
    delete(&db, e.id).await.unwrap();
    assert!(find(&db, "mold").await.is_empty());
    assert!(find(&db, "linker").await.is_empty());
    let n = crate::storage::testing::knowledge_trigram_matches(&db, "mold").await;
    assert_eq!(n, 0);
    assert_eq!(delete(&db, e.id).await.unwrap_err().status_code(), 404);
}

#[tokio::test]
async fn outcomes_update_the_counters_and_the_history() {
    let (_d, db) = temp_db().await;
    let e = add(&db, "tip", "t", "d", "").await;
    assert_eq!(
        (e.usage_count, e.success_count, e.success_rate),
        (0, 0, 1.0)
    );
    let e1 = outcome(&db, e.id, true).await;
    assert_eq!(
        (e1.usage_count, e1.success_count, e1.success_rate),
        (1, 1, 1.0)
    );
    let e2 = outcome(&db, e.id, false).await;
    assert_eq!(
        (e2.usage_count, e2.success_count, e2.success_rate),
        (2, 1, 0.5)
    );
    let history = outcomes(&db, e.id).await.unwrap();
    assert_eq!(history.len(), 2);
    let bad = record_outcome(&db, e.id, &OutcomeInput::default(), t())
        .await
        .unwrap_err();
    assert_eq!(bad.field(), Some("worked"));
    let bad = record_outcome(
        &db,
        e.id,
        &OutcomeInput {
            worked: Some(true),
            session_id: Some(999),
            note: None,
        },
        t(),
    )
    .await
    .unwrap_err();
    assert_eq!(bad.field(), Some("session_id"));
    assert_eq!(
        get(&db, e.id).await.unwrap().usage_count,
        2,
        "refused outcomes change nothing"
    );
}

#[tokio::test]
async fn fts_syntax_in_queries_is_searched_for_never_an_error() {
    let (_d, db) = temp_db().await;
    let e = add(
        &db,
        "error_solution",
        "Fix \"unbalanced (parens\"",
        "NEAR the -end * of AND OR NOT",
        "",
    )
    .await;
    for q in [
        "\"",
        "\"\"",
        "\"unbalanced",
        "(",
        ")",
        "((a",
        "a)",
        "*",
        "a*",
        "*a",
        "-",
        "-x",
        "a -b",
        "NEAR",
        "NEAR(a b)",
        "NEAR(a b, 2)",
        "AND",
        "OR",
        "NOT",
        "a AND",
        "OR b",
        "title:fix",
        "{title}: x",
        "^start",
        "a + b",
        "'",
        "\\",
        "\u{0}",
        "💥",
        "e\u{301}",
        ":",
        "a:b:c",
        "--",
    ] {
        let r = search(
            &db,
            &KnowledgeQuery {
                q: Some(q.into()),
                ..Default::default()
            },
            10,
        )
        .await;
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert_eq!(find(&db, "\"unbalanced (parens\"").await, vec![e.id]);
    assert_eq!(find(&db, "NEAR the -end").await, vec![e.id]);
}

#[tokio::test]
async fn suggestions_come_from_a_sessions_text() {
    let (_d, db) = temp_db().await;
    let e = add(
        &db,
        "error_solution",
        "Borrow checker E0382 in loops",
        "Clone before the loop.",
        "rust",
    )
    .await;
    add(&db, "tip", "Deploy on Fridays", "Never.", "ops").await;
    let hits = suggest(&db, "Fix the E0382 error in the cart loop", 3)
        .await
        .unwrap();
    assert_eq!(hits.first().map(|h| h.entry.id), Some(e.id));
    assert!(suggest(&db, "to be or not", 3).await.unwrap().is_empty());
}

#[tokio::test]
async fn filters_by_category_and_tag() {
    let (_d, db) = temp_db().await;
    let a = add(&db, "tip", "Alpha", "x", "rust,cli").await;
    let b = add(&db, "pattern", "Beta", "x", "rust").await;
    let ids = |hits: Vec<Hit>| hits.iter().map(|h| h.entry.id).collect::<Vec<_>>();
    let q = |category: &str, tag: &str| KnowledgeQuery {
        q: None,
        category: Some(category.into()),
        tag: Some(tag.into()),
    };
    assert_eq!(
        ids(search(&db, &q("tip", ""), 10).await.unwrap()),
        vec![a.id]
    );
    assert_eq!(ids(search(&db, &q("", "cli"), 10).await.unwrap()).len(), 1);
    assert_eq!(ids(search(&db, &q("", "rust"), 10).await.unwrap()).len(), 2);
    assert_eq!(
        ids(search(&db, &q("", "rus"), 10).await.unwrap()).len(),
        0,
        "whole tags only"
    );
    let mut with_q = q("pattern", "rust");
    with_q.q = Some("beta".into());
    assert_eq!(ids(search(&db, &with_q, 10).await.unwrap()), vec![b.id]);
    let (tags, cats) = facets(&db).await.unwrap();
    assert_eq!(tags[0], ("rust".to_string(), 2));
    assert_eq!(cats.len(), 2);
}
