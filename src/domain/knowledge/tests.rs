use super::*;

#[test]
fn success_rate_arithmetic() {
    assert_eq!(
        success_rate(0, 0),
        1.0,
        "the spec's default before any outcome"
    );
    assert_eq!(after_outcome(0, 0, true), (1, 1, 1.0));
    assert_eq!(after_outcome(1, 1, false), (2, 1, 0.5));
    let (u, s, r) = after_outcome(2, 1, false);
    assert_eq!((u, s), (3, 1));
    assert!((r - 1.0 / 3.0).abs() < 1e-12);
    // counters stay consistent even from inconsistent stored values
    assert_eq!(success_rate(2, 5), 1.0);
    assert_eq!(success_rate(4, -1), 0.0);
    assert_eq!(after_outcome(i64::MAX, i64::MAX, true).0, i64::MAX);
}

#[test]
fn at_equal_relevance_the_higher_success_rate_ranks_first() {
    assert!(score(2.0, 10, 9) > score(2.0, 10, 5));
    assert!(score(2.0, 10, 9) > score(2.0, 0, 0), "proven beats untried");
    assert!(
        score(2.0, 0, 0) > score(2.0, 10, 1),
        "untried beats mostly failing"
    );
    assert!(
        score(2.0, 1, 1) < score(2.0, 10, 9),
        "one lucky use is not nine of ten"
    );
    // relevance still matters most when the difference is large
    assert!(score(8.0, 10, 2) > score(2.0, 10, 10));
}

#[test]
fn rank_orders_by_score_then_use() {
    let entry = |id: i64, usage: i64| Entry {
        id,
        category: Category::Tip,
        title: format!("t{id}"),
        description: "d".into(),
        tags: None,
        usage_count: usage,
        success_count: usage,
        success_rate: 1.0,
        source_session_id: None,
        created_at: crate::domain::time::Timestamp::from_unix(0).unwrap(),
        updated_at: crate::domain::time::Timestamp::from_unix(0).unwrap(),
        version: 1,
    };
    let hit = |id, usage, score| Hit {
        entry: entry(id, usage),
        relevance: 1.0,
        score,
        title_marked: String::new(),
        snippet_marked: String::new(),
    };
    let mut hits = vec![hit(1, 0, 1.0), hit(2, 5, 3.0), hit(3, 9, 1.0)];
    rank(&mut hits);
    let ids: Vec<i64> = hits.iter().map(|h| h.entry.id).collect();
    assert_eq!(ids, vec![2, 3, 1]);
}

#[test]
fn queries_are_quoted_so_fts_syntax_is_searched_for() {
    let q = SearchQuery::parse("borrow checker E0382").unwrap().unwrap();
    assert_eq!(
        q.words.as_deref(),
        Some("\"borrow\" \"checker\" \"e0382\"*")
    );
    assert!(!q.plain, "a code in it");
    assert!(SearchQuery::parse("Borrow checker").unwrap().unwrap().plain);
    assert_eq!(
        q.any_words.as_deref(),
        Some("\"borrow\" OR \"checker\" OR \"e0382\"")
    );
    assert_eq!(q.substring.as_deref(), Some("\"borrow checker E0382\""));

    let q = SearchQuery::parse("say \"hi\" NEAR(a b) -x * (")
        .unwrap()
        .unwrap();
    assert_eq!(
        q.words.as_deref(),
        Some("\"say\" \"hi\" \"near\" \"a\" \"b\" \"x\""),
        "operators become plain words, punctuation goes"
    );
    assert_eq!(
        q.substring.as_deref(),
        Some("\"say \"\"hi\"\" NEAR(a b) -x * (\"")
    );

    // identifiers keep their underscores
    let q = SearchQuery::parse("ERR_CONNECTION_REFUSED")
        .unwrap()
        .unwrap();
    assert_eq!(q.words.as_deref(), Some("\"err_connection_refused\"*"));

    assert_eq!(SearchQuery::parse("   ").unwrap(), None);
    assert_eq!(
        SearchQuery::parse("**").unwrap(),
        None,
        "nothing to look for"
    );
    let q = SearchQuery::parse("\"\"\"").unwrap().unwrap();
    assert_eq!(q.words, None);
    // three quotes, each doubled, inside quotes
    assert_eq!(
        q.substring.as_deref(),
        Some(format!("\"{}\"", "\"".repeat(6)).as_str())
    );
    assert_eq!(SearchQuery::parse(&"x".repeat(501)).unwrap_err().field, "q");
}

#[test]
fn suggestions_use_distinctive_words() {
    let q = SearchQuery::from_text("Fix the borrow checker error E0382 in the cart").unwrap();
    assert_eq!(
        q.any_words.as_deref(),
        Some("\"fix\" OR \"borrow\" OR \"checker\" OR \"error\" OR \"e0382\" OR \"cart\"")
    );
    assert_eq!(SearchQuery::from_text("do it to me"), None);
}

#[test]
fn highlighted_text_splits_into_segments() {
    let s = format!(
        "use {MARK_START}serde{MARK_END} and {MARK_START}sqlx{MARK_END}{MARK_START}!{MARK_END}"
    );
    assert_eq!(
        segments(&s),
        vec![
            ("use ".to_string(), false),
            ("serde".to_string(), true),
            (" and ".to_string(), false),
            ("sqlx!".to_string(), true),
        ]
    );
    assert_eq!(segments("plain"), vec![("plain".to_string(), false)]);
    assert_eq!(
        segments(&format!("{MARK_END}x{MARK_START}")),
        vec![("x".to_string(), false)]
    );
}

#[test]
fn entries_and_tags_parse() {
    let ok = NewEntry::parse(&EntryInput {
        category: Some("Error solution".into()),
        title: Some("  Fix E0382  ".into()),
        description: Some("Clone the value or borrow it.".into()),
        tags: Some("Rust, #borrowck rust  ownership".into()),
        source_session_id: Some(3),
        version: None,
    })
    .unwrap();
    assert_eq!(ok.category, Category::ErrorSolution);
    assert_eq!(ok.title, "Fix E0382");
    assert_eq!(ok.tags.as_deref(), Some("rust,borrowck,ownership"));

    let bad = |edit: fn(&mut EntryInput)| {
        let mut i = EntryInput {
            category: Some("tip".into()),
            title: Some("t".into()),
            description: Some("d".into()),
            ..Default::default()
        };
        edit(&mut i);
        NewEntry::parse(&i).unwrap_err().field
    };
    assert_eq!(bad(|i| i.category = Some("recipe".into())), "category");
    assert_eq!(bad(|i| i.category = None), "category");
    assert_eq!(bad(|i| i.title = Some(" ".into())), "title");
    assert_eq!(bad(|i| i.title = Some("x".repeat(201))), "title");
    assert_eq!(bad(|i| i.description = Some("\n".into())), "description");
    assert_eq!(bad(|i| i.tags = Some("x".repeat(41))), "tags");
    assert_eq!(bad(|i| i.source_session_id = Some(0)), "source_session_id");

    let q = KnowledgeQuery {
        category: Some("all".into()),
        tag: Some("#Rust".into()),
        ..Default::default()
    };
    assert_eq!(
        q.filters().unwrap(),
        Filters {
            category: None,
            tag: Some("rust".into())
        }
    );
    let q = KnowledgeQuery {
        tag: Some("a b".into()),
        ..Default::default()
    };
    assert_eq!(q.filters().unwrap_err().field, "tag");
}
