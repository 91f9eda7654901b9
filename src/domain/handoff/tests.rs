use super::*;

const LOG: &str = "User: We need to migrate the billing service to Rust so that invoices render in under 50 ms.\n\
Assistant: I read src/billing/invoice.rs and Cargo.toml. I'll use axum instead of actix because the rest of the stack uses tower.\n\
User: Never change the public REST paths, and keep the database schema as it is.\n\
Assistant: Done: the invoice endpoint is ported and committed as 4f2a9c1.\n\
```text\nerror[E0599]: no method named `render_pdf` found for struct `Invoice`\n```\n\
Assistant: The PDF step still fails with the error above; render_pdf is missing on Invoice.\n\
User: Next, port the render_pdf step and run cargo test --workspace.\n";

fn facts() -> Facts {
    Facts::default()
}

#[test]
fn sections_hold_goal_state_errors_constraints_and_next() {
    let b = compress(LOG, &facts(), 4000).unwrap();
    let md = &b.markdown;
    assert!(md.starts_with("# Handoff"), "{md}");
    for needle in [
        "## Goal\n- We need to migrate the billing service",
        "## Constraints\n",
        "Never change the public REST paths",
        "## Next steps\n",
        "port the render_pdf step",
        "error[E0599]",
        "src/billing/invoice.rs",
        "4f2a9c1",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    assert!(b.dropped.is_empty(), "{:?}", b.dropped);
}

#[test]
fn never_over_budget_and_reports_dropped_facts() {
    let mut big = String::new();
    for i in 0..400 {
        big.push_str(&format!(
            "Assistant: edited src/module_{i}/file_{i}.rs and ran cargo build -p crate_{i}\n"
        ));
    }
    big.push_str("User: keep going with the parser next.\n");
    let b = compress(&big, &facts(), 600).unwrap();
    assert!(b.markdown.chars().count() <= 600);
    assert!(!b.dropped.is_empty());
    assert!(b.facts_kept > 0 && b.facts_kept < b.facts_total);
    assert_eq!(b.stats.compressed_chars, b.markdown.chars().count());
    assert!(b.stats.compression_ratio > 90.0, "{:?}", b.stats);
}

#[test]
fn session_record_is_pinned_first() {
    let f = Facts {
        project_name: Some("Billing".into()),
        session_number: Some(7),
        objectives: Some("Port invoices".into()),
        blockers: Some("PDF rendering".into()),
        critical_files: vec!["src/lib.rs".into()],
        ..Facts::default()
    };
    let b = compress(LOG, &f, 3000).unwrap();
    assert!(b
        .markdown
        .starts_with("# Handoff: Billing · after session 7\n"));
    assert!(
        b.markdown.contains("## Goal\n- Port invoices\n"),
        "{}",
        b.markdown
    );
    assert!(b
        .markdown
        .contains("## Blockers & errors\n- PDF rendering\n"));
    assert!(b.markdown.contains("Critical: src/lib.rs"));
    // a record without a log still gives a briefing
    let only = compress("", &f, 3000).unwrap();
    assert!(only.markdown.contains("Port invoices"));
}

#[test]
fn bad_input_is_refused() {
    assert_eq!(compress("   \n", &facts(), 2000), Err(CompressError::Empty));
    assert_eq!(compress("a\0b", &facts(), 2000), Err(CompressError::Binary));
    let junk: String = (0..500)
        .map(|i| char::from_u32(1 + (i % 8)).unwrap())
        .collect();
    assert_eq!(compress(&junk, &facts(), 2000), Err(CompressError::Binary));
    assert_eq!(compress(LOG, &facts(), 10), Err(CompressError::Budget));
}

#[test]
fn cut_is_grapheme_safe() {
    let s = "👨‍👩‍👧‍👦 family é́ accents and more words here";
    for n in 1..30 {
        let c = cut(s, n);
        assert!(c.chars().count() <= n, "{n}: {c}");
        assert!(s.starts_with(c.trim_end_matches('…')));
    }
    assert_eq!(cut("short", 10), "short");
}

#[test]
fn levels_map_to_budgets() {
    assert_eq!(Level::High.budget(100_000), 2000);
    assert_eq!(Level::High.budget(10), 1500);
    assert_eq!(Level::Medium.budget(100_000), 5000);
    assert_eq!(Level::Low.budget(10_000_000), 24_000);
    assert!(Level::Low.budget(200_000) > Level::Medium.budget(200_000));
}

mod props {
    use super::super::*;
    use proptest::prelude::*;

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            "(User|Assistant): [a-zA-Z ]{0,40}(error|fixed|next|must|src/[a-z]{1,8}\\.rs)?[a-z .]{0,30}",
            "```(bash|text)?",
            "\\$ (cargo|git|npm) [a-z]{1,8}",
            "[-*#>] [\\PC]{0,60}",
            "TypeError: [a-z ]{5,30}",
            "\\PC{0,80}",
            "[a-z \\x01-\\x08]{0,40}",
            // a Markdown transcript's marks, a to-do list, a line that leads a list
            "> \\[!(IMPORTANT|WARNING|CAUTION)\\]",
            "(💻|📖|✅) \\*\\*(Bash|Read|TodoWrite)(: [a-z ]{0,20})?\\*\\*",
            "- \\[( |x)\\] [a-z ]{0,30}",
            "[A-Za-z ]{1,30}:",
            "\\| [a-z/.]{1,12} \\| L[0-9]{1,3} \\| [a-z ]{0,20} \\|",
        ]
    }

    fn log() -> impl Strategy<Value = String> {
        prop::collection::vec(line(), 1..60).prop_map(|v| v.join("\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_over_budget(text in log(), budget in MIN_BUDGET..3000usize) {
            if let Ok(b) = compress(&text, &Facts::default(), budget) {
                prop_assert!(b.markdown.chars().count() <= budget);
                prop_assert_eq!(b.stats.compressed_chars, b.markdown.chars().count());
            }
        }

        #[test]
        fn deterministic(text in log(), budget in MIN_BUDGET..3000usize) {
            let a = compress(&text, &Facts::default(), budget);
            let b = compress(&text, &Facts::default(), budget);
            prop_assert_eq!(a, b);
        }

        #[test]
        fn idempotent_on_its_own_output(text in log(), budget in MIN_BUDGET..3000usize) {
            if let Ok(once) = compress(&text, &Facts::default(), budget) {
                if once.markdown.trim().is_empty() {
                    return Ok(());
                }
                let twice = compress(&once.markdown, &Facts::default(), budget).unwrap();
                prop_assert_eq!(&twice.markdown, &once.markdown);
            }
        }

        #[test]
        fn everything_kept_when_it_fits(text in log()) {
            // a budget far above the log: every line of it is in the briefing
            let budget = (text.chars().count() * 3 + 2000).min(MAX_BUDGET);
            if let Ok(b) = compress(&text, &Facts::default(), budget) {
                prop_assert!(b.dropped.is_empty(), "{:?}", b.dropped);
                let s = scan::scan(&text);
                for u in &s.units {
                    // (an open to-do item may be listed under the next steps without its box)
                    let text = u.text.strip_prefix("[ ] ").unwrap_or(&u.text);
                    prop_assert!(b.markdown.contains(text), "lost {:?}", u.text);
                }
            }
        }
    }
}

#[test]
fn control_characters_do_not_reach_the_briefing() {
    // found by fuzzing: a log with a few control characters gave a briefing made mostly
    // of them, which the engine then refused as binary
    let log = "User: fix \u{1}\u{2} the parser in src/a.rs\nAssistant: done \u{3}\u{4}\u{5} and committed\n";
    let once = compress(log, &facts(), 400).unwrap();
    assert!(!once.markdown.chars().any(|c| c.is_control() && c != '\n'));
    let twice = compress(&once.markdown, &facts(), 400).unwrap();
    assert_eq!(twice.markdown, once.markdown);
}

#[test]
fn versions_in_yaml_blocks() {
    let s =
        scan::scan("# Doc\n\n```yaml\nTech Stack:\n  Backend: Hono v4.11.7 + TypeScript\n```\n");
    assert!(
        s.facts
            .iter()
            .any(|f| f.kind == FactKind::Version && f.text == "4.11.7"),
        "{:?}",
        s.facts
    );
}

#[test]
fn the_briefing_ends_with_how_to_continue_within_the_budget() {
    for budget in [3_000, 4_000, 8_000] {
        let b = compress(LOG, &facts(), budget).unwrap();
        let md = &b.markdown;
        assert!(chars(md) <= budget);
        let (_, last) = md
            .rsplit_once("## How to continue\n- ")
            .unwrap_or_else(|| panic!("no closing line at {budget}:\n{md}"));
        // the last part, one line: what to read first and the next step
        assert_eq!(last.trim_end().lines().count(), 1, "{md}");
        assert!(last.starts_with("Read Blockers & errors"), "{last}");
        assert!(
            last.contains("next: Next, port the render_pdf step"),
            "{last}"
        );
        // compressing the briefing again keeps it
        let again = compress(md, &facts(), budget).unwrap();
        assert!(
            again.markdown.contains("## How to continue\n- Read"),
            "{}",
            again.markdown
        );
    }
}

/// A log in `lines`, with neutral filler turns between its lines so that the budget
/// makes the engine choose.
fn padded(lines: &[&str], filler: &dyn Fn(usize) -> String) -> String {
    let mut log = String::new();
    for (i, l) in lines.iter().enumerate() {
        log.push_str(l);
        log.push('\n');
        for j in 0..6 {
            log.push_str(&filler(i * 10 + j));
            log.push('\n');
        }
    }
    log
}

#[test]
fn cue_words_of_the_logs_language_pick_its_sections() {
    let id = padded(
        &[
            "User: Tolong buatkan modul ekspor CSV untuk laporan penjualan agar tim keuangan bisa mengunduhnya.",
            "User: Jangan ubah format tanggal yang sudah ada, dan harus tetap memakai UTF-8.",
            "Assistant: Kami memutuskan memakai crate csv karena lebih aman daripada menulis parser sendiri.",
            "Assistant: Masih ada masalah: unduhan gagal untuk berkas di atas sepuluh megabita karena batas waktu proxy.",
            "User: Langkah selanjutnya: tambahkan streaming untuk berkas besar lalu uji dengan lima puluh megabita.",
        ],
        &|i| format!("Assistant: Saya membaca berkas src/util/helper_{i}.rs untuk memahami struktur kodenya."),
    );
    let b = compress(&id, &facts(), 1500).unwrap();
    let md = &b.markdown;
    let has = |s: Section, text: &str| section_items(md, s).iter().any(|i| i.contains(text));
    assert!(
        has(Section::Constraints, "Jangan ubah format tanggal"),
        "{md}"
    );
    assert!(
        has(Section::Decisions, "memutuskan memakai crate csv"),
        "{md}"
    );
    assert!(has(Section::Next, "Langkah selanjutnya"), "{md}");
    assert!(has(Section::Blockers, "unduhan gagal"), "{md}");

    let zh = padded(
        &[
            "User: 请帮我实现订单导出功能，让财务团队可以下载报表。",
            "User: 不要修改现有的日期格式，必须继续使用 UTF-8 编码。",
            "Assistant: 我们决定采用 csv 库，因为它比自己写解析器更安全。",
            "Assistant: 还有一个问题：超过十兆的文件下载失败，因为代理超时。",
            "User: 下一步：为大文件加上流式传输，然后用五十兆的文件测试。",
        ],
        &|i| format!("Assistant: 我阅读了 src/util/helper_{i}.rs 文件来了解代码结构。"),
    );
    let b = compress(&zh, &facts(), 1500).unwrap();
    let md = &b.markdown;
    let has = |s: Section, text: &str| section_items(md, s).iter().any(|i| i.contains(text));
    assert!(has(Section::Constraints, "不要修改现有的日期格式"), "{md}");
    assert!(has(Section::Decisions, "我们决定采用 csv 库"), "{md}");
    assert!(has(Section::Next, "下一步"), "{md}");
    assert!(has(Section::Blockers, "下载失败"), "{md}");
}

#[test]
fn a_document_opens_with_its_goal_and_keeps_its_other_sections() {
    let mut doc = String::from(
        "# Status board\n\nUpdated after each step.\n\n## Goal\n\nPort the billing service to Rust so invoices render in under 50 ms.\n\n## Done\n\n",
    );
    for i in 0..40 {
        doc.push_str(&format!(
            "- ✅ Error handling for module {i} ported with its tests green\n"
        ));
    }
    doc.push_str("\n## Decisions\n\nWe chose axum instead of actix because the stack already uses tower.\n\n## Next steps\n\n1. Port the PDF renderer, then run the load test against staging.\n2. Move the archive job to the new queue once the renderer is live.\n3. Later, retire the old billing cron and its alerts on the dashboard.\n");
    let b = compress(&doc, &facts(), 900).unwrap();
    let md = &b.markdown;
    let goal = section_items(md, Section::Goal);
    assert!(
        goal.iter()
            .any(|g| g.starts_with("Port the billing service")),
        "{md}"
    );
    // headings of a word or two are not items
    assert!(
        !md.contains("- Goal\n") && !md.contains("- Next steps\n"),
        "{md}"
    );
    assert!(
        section_items(md, Section::Decisions)
            .iter()
            .any(|i| i.contains("axum instead of actix")),
        "{md}"
    );
    // the soonest next step first
    let next = section_items(md, Section::Next);
    assert!(next[0].contains("PDF renderer"), "{md}");
    // a checked item is done, not a problem
    assert!(section_items(md, Section::Blockers).is_empty(), "{md}");
}

#[test]
fn a_proposal_the_user_accepts_is_a_decision() {
    let log = |reply: &str| {
        format!(
            "User: Should we write the config parser by hand?\n\
             Assistant: I recommend option 1, nom instead of a hand-written parser, because its errors point at the column. Shall I go with that?\n\
             User: {reply}\n\
             Assistant: Started on src/config/parse.rs.\n"
        )
    };
    let decided = |reply: &str| {
        let b = compress(&log(reply), &facts(), 2000).unwrap();
        section_items(&b.markdown, Section::Decisions)
            .iter()
            .any(|i| i.contains("nom instead of a hand-written parser"))
    };
    assert!(decided("yes, go ahead"));
    assert!(decided("2"));
    // a long answer that argues is not a plain acceptance
    assert!(!decided(
        "I am not sure about that at all: the parser has to accept the old format as well, and nom makes the error messages harder to localise for our users."
    ));
}

#[test]
fn summaries_and_hook_feedback_are_not_the_users_words() {
    let log = "User: Port the invoice renderer to Rust.\n\
        User: This session is being continued from a previous conversation that ran out of context. The conversation is summarized below: the renderer must keep the old PDF layout, and the tests must run offline.\n\
        User: Never touch the database schema.\n\
        User: Stop hook feedback:\nYou must never stop with uncommitted files in the tree.\n\
        Assistant: Ported src/render.rs; the layout test passes.\n\
        User: Then add the totals row to the invoice.\n";
    let b = compress(log, &facts(), 1200).unwrap();
    let constraints = section_items(&b.markdown, Section::Constraints);
    assert!(
        constraints
            .iter()
            .any(|c| c.contains("Never touch the database schema")),
        "{}",
        b.markdown
    );
    assert!(
        !constraints
            .iter()
            .any(|c| c.contains("previous conversation") || c.contains("uncommitted files")),
        "{}",
        b.markdown
    );
}

#[test]
fn the_key_to_a_boards_marks_is_in_no_section() {
    let log = "# Board\n\n## Status legend\n\n`[x]` done · `[~]` in progress · `[ ]` todo\n\n\
        ## Models\n\n- [x] ScoreData helpers done, with their tests\n\
        - [~] MusicManager in progress: the loader is half done\n\
        - [ ] UserSettingData: the save accessors are still todo\n";
    let all: Vec<String> = Section::ALL.iter().flat_map(|s| ranked(log, *s)).collect();
    assert!(!all.iter().any(|u| u.contains("`[~]`")), "{all:?}");
    // the items themselves, whatever their marks, still count
    assert!(
        all.iter().any(|u| u.contains("ScoreData helpers done")),
        "{all:?}"
    );
    assert!(
        ranked(log, Section::Next)
            .iter()
            .any(|u| u.contains("UserSettingData")),
        "{all:?}"
    );
}

/// The candidates of a section for `log`, best first, as text.
fn ranked(log: &str, s: Section) -> Vec<String> {
    let scanned = scan::scan(log);
    rank::rank_units(&scanned.units, scanned.turns <= 1)[s as usize]
        .iter()
        .map(|(i, _)| scanned.units[*i].text.clone())
        .collect()
}

#[test]
fn a_banner_is_no_rule_and_a_settled_problem_no_blocker() {
    let log = "User: Build the report generator for the finance team.\n\
        Assistant: The upload problem was fixed and deployed yesterday.\n\
        Assistant: The export job is blocked by a missing S3 credential.\n\
        Assistant: I wrote the summary page and the chart of monthly totals.\n\
        User: NEVER send a report without review, and keep a copy of every report.\n\
        User: END OF FINAL DELIVERY REPORT\n";
    let rules = ranked(log, Section::Constraints);
    assert!(rules[0].starts_with("NEVER send"), "{rules:?}");
    assert!(!rules.iter().any(|r| r.contains("END OF")), "{rules:?}");
    let blockers = ranked(log, Section::Blockers);
    assert!(
        blockers[0].contains("missing S3 credential"),
        "{blockers:?}"
    );
}

#[test]
fn an_open_to_do_item_is_a_next_step() {
    let log = "User: Release version 1.2.1 of the converter.\n\
        Assistant: Here is the plan.\n\
        - [x] Update the changelog entry\n\
        - [ ] Commit version bump\n\
        Assistant: The changelog is updated.\n";
    let next = ranked(log, Section::Next);
    assert_eq!(
        next.first().map(String::as_str),
        Some("[ ] Commit version bump"),
        "{next:?}"
    );
    // the briefing lists it without its box, under the next steps
    let b = compress(log, &facts(), 2000).unwrap();
    assert_eq!(
        section_items(&b.markdown, Section::Next),
        ["Commit version bump"],
        "{}",
        b.markdown
    );
    assert!(
        b.markdown.contains("next: Commit version bump."),
        "{}",
        b.markdown
    );
}

#[test]
fn a_long_item_keeps_its_opening_clauses_when_room_is_short() {
    let item = "Recover real names from debug strings (NOT invented) — e.g. the mesh and note managers were found this way.";
    assert_eq!(
        text::clauses(item, 70, 40).as_deref(),
        Some("Recover real names from debug strings (NOT invented)…")
    );
    assert_eq!(text::clauses(item, 30, 20), None);
    // an abbreviation does not end a clause
    let dots =
        "Use dot syntax for calls incl. class getters; brackets only for calls with arguments.";
    assert_eq!(text::clauses(dots, 35, 20), None);
    assert_eq!(
        text::clauses(dots, 60, 20).as_deref(),
        Some("Use dot syntax for calls incl. class getters…")
    );
}

#[test]
fn a_line_ending_in_a_colon_leads_its_list_as_a_heading_would() {
    let log = "User: Port the config parser to the new format.\n\
        Assistant: The parser is ported and its tests pass.\n\
        Remaining work:\n\
        - wire the strict flag into the command line\n\
        - describe the format in the manual\n\
        Assistant: I also renamed the old module.\n";
    let next = ranked(log, Section::Next);
    assert!(
        next.len() >= 2
            && next[..2].iter().any(|n| n.contains("wire the strict flag"))
            && next[..2].iter().any(|n| n.contains("describe the format")),
        "{next:?}"
    );
    // without the lead-in, the same items say nothing of what comes next; nor after a
    // whole sentence that happens to end in a colon
    let plain = log.replace("Remaining work:\n", "");
    let sentence = log.replace(
        "Remaining work:",
        "I went through the parser, the tests and the remaining work of the old module:",
    );
    for other in [plain, sentence] {
        assert!(!ranked(&other, Section::Next)
            .iter()
            .any(|n| n.contains("wire the strict flag")));
    }
}

#[test]
fn thanks_and_acknowledgements_are_in_no_section() {
    let log = "# Delivery report\n\n## Summary\n\nThe importer is built and its tests pass.\n\n\
        ## Known issues\n\nThe export problem is still open: large files time out.\n\n\
        ## Acknowledgments\n\n- Tailwind CSS - a framework that must stay on version 3\n\
        - You - for trusting this tool to solve your problem\n\n\
        ## Conclusion\n\nThank you for the opportunity to solve this problem.\n\
        Gracias por confiar en este proyecto y su problema.\n";
    let all: Vec<String> = Section::ALL.iter().flat_map(|s| ranked(log, *s)).collect();
    for courtesy in ["Tailwind", "trusting", "Thank you", "Gracias"] {
        assert!(
            !all.iter().any(|u| u.contains(courtesy)),
            "{courtesy}: {all:?}"
        );
    }
    // the open problem is still a blocker, and thanks later in a sentence change nothing
    assert!(ranked(log, Section::Blockers)
        .iter()
        .any(|u| u.contains("export problem")));
    let later = log.replace(
        "large files time out",
        "large files time out, thanks to the proxy",
    );
    assert!(ranked(&later, Section::Blockers)
        .iter()
        .any(|u| u.contains("export problem")));
}

#[test]
fn a_to_do_item_checked_off_later_is_no_next_step() {
    let log = "User: Release version 1.3 of the command line tool.\n\
        Assistant: Here is the plan:\n\
        - [ ] Update the changelog for the release\n\
        - [ ] Commit the bump\n\
        - [ ] Create the tag\n\
        Assistant: The changelog now lists every change since 1.2.\n\
        - [x] Update the changelog for the release\n\
        - [ ] ⏳ Commit the bump\n\
        - [ ] Create the tag\n\
        Assistant: Committing now.\n";
    let next = ranked(log, Section::Next);
    assert!(
        !next.iter().any(|n| n.contains("Update the changelog")),
        "{next:?}"
    );
    // each open item once, from its latest copy, and short items are not crowded out
    for item in ["Commit the bump", "Create the tag"] {
        assert_eq!(
            next.iter().filter(|n| n.contains(item)).count(),
            1,
            "{item}: {next:?}"
        );
    }
    assert!(next.iter().any(|n| n.contains("⏳ Commit the bump")));
}

#[test]
fn a_correction_the_assistant_concedes_is_a_blocker() {
    let log = "User: Plan the next release of the reader app.\n\
        Assistant: The plan targets hospital staff using the reader on shared tablets.\n\
        User: so you have no idea who this app is for\n\
        Assistant: You're right. I assumed an audience the notes never name.\n\
        User: It is for my own reading notes, plan for that.\n\
        Assistant: I will plan the release around personal reading notes.\n";
    let blockers = ranked(log, Section::Blockers);
    assert!(
        blockers
            .iter()
            .any(|b| b.contains("no idea who this app is for")),
        "{blockers:?}"
    );
    // without the concession, or with "you're right" deep inside the answer, the
    // user's words are no blocker
    for answer in [
        "Assistant: The notes name nurses as its readers.",
        "Assistant: The notes name nurses, and you're right to ask.",
    ] {
        let other = log.replace(
            "Assistant: You're right. I assumed an audience the notes never name.",
            answer,
        );
        assert!(!ranked(&other, Section::Blockers)
            .iter()
            .any(|b| b.contains("no idea who this app is for")));
    }
    // in Spanish too
    let es = "User: Planifica la próxima versión de la aplicación para los lectores del club.\n\
        Assistant: El plan es para el personal del hospital que usa las tabletas de la sala.\n\
        User: entonces no sabes para quién es esta aplicación, pero lo dices como si lo supieras\n\
        Assistant: Tienes razón. Supuse un público que las notas no nombran, y eso es un error mío.\n\
        User: Es para mis propias notas de lectura, planifica para eso y para los libros del club.\n\
        Assistant: Planificaré la versión para las notas de lectura personales y los libros del club.\n";
    assert!(ranked(es, Section::Blockers)
        .iter()
        .any(|b| b.contains("no sabes para quién")));
}
