//! The words that cue each section, in the languages logs are written in, and which of
//! those languages a log uses. English cues always apply; the others only to a log whose
//! turns are detected to be in that language (by script for Japanese and Chinese, by
//! their most common words for the others), so a word of one language that happens to be
//! a word of another does not mislead the selection.

use super::Section;

/// What a cue word says about the unit it is in, in the order of a lexicon's lists.
#[derive(Clone, Copy)]
pub(super) enum Cue {
    Goal,
    Constraint,
    Done,
    Progress,
    Blocker,
    Decision,
    Next,
    /// A short reply that accepts what was proposed ("yes", "go ahead", "option 2").
    Agree,
    /// A word that negates the problem words after it ("no errors", "without a conflict").
    Negation,
    /// Thanks and acknowledgements: counted only where they open the text ("Thank you
    /// for …"), and a heading of them ("Acknowledgments") marks what stands under it.
    Courtesy,
    /// An answer that concedes the user was right ("You're right", "My mistake"):
    /// counted only where it opens the text.
    Concede,
}

/// A language cue words are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    En,
    Id,
    Es,
    Pt,
    De,
    Fr,
    Ja,
    Zh,
}

/// The languages a log is written in (English always).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Langs(u16);

impl Default for Langs {
    fn default() -> Self {
        Langs(1 << Lang::En as u16)
    }
}

impl Langs {
    pub(super) fn has(self, l: Lang) -> bool {
        self.0 & (1 << l as u16) != 0
    }

    fn with(self, l: Lang) -> Langs {
        Langs(self.0 | (1 << l as u16))
    }
}

/// One language's cue lists (in the order of [`Cue`]) and section headings, read from
/// its word file (`cues/<language>.txt`).
struct Lexicon {
    lang: Lang,
    cues: [Vec<String>; CUES],
    headings: Vec<(Section, Vec<String>)>,
}

/// The word files, English first (its headings are tried first).
const SOURCES: [(Lang, &str); 8] = [
    (Lang::En, include_str!("cues/en.txt")),
    (Lang::Id, include_str!("cues/id.txt")),
    (Lang::Es, include_str!("cues/es.txt")),
    (Lang::Pt, include_str!("cues/pt.txt")),
    (Lang::De, include_str!("cues/de.txt")),
    (Lang::Fr, include_str!("cues/fr.txt")),
    (Lang::Ja, include_str!("cues/ja.txt")),
    (Lang::Zh, include_str!("cues/zh.txt")),
];

const CUE_NAMES: [&str; CUES] = [
    "goal",
    "constraint",
    "done",
    "progress",
    "blocker",
    "decision",
    "next",
    "agree",
    "negation",
    "courtesy",
    "concede",
];

/// How many cue lists a language has.
const CUES: usize = 11;

fn section_named(name: &str) -> Option<Section> {
    Some(match name {
        "next" => Section::Next,
        "blockers" => Section::Blockers,
        "decisions" => Section::Decisions,
        "constraints" => Section::Constraints,
        "done" => Section::Done,
        "in progress" => Section::InProgress,
        "state" => Section::State,
        "goal" => Section::Goal,
        "files" => Section::Files,
        _ => return None,
    })
}

/// Reads a word file: `[list]` lines start a list, `#` lines are comments, a trailing
/// `\s` is a space. Lines under an unknown list are left out (a test checks there are
/// none).
fn parse(lang: Lang, text: &str) -> Lexicon {
    let mut lex = Lexicon {
        lang,
        cues: Default::default(),
        headings: Vec::new(),
    };
    enum Into {
        Cue(usize),
        Heading(usize),
        Nowhere,
    }
    let mut into = Into::Nowhere;
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            into = if let Some(i) = CUE_NAMES.iter().position(|c| *c == name) {
                Into::Cue(i)
            } else if let Some(s) = name.strip_prefix("heading ").and_then(section_named) {
                lex.headings.push((s, Vec::new()));
                Into::Heading(lex.headings.len() - 1)
            } else {
                Into::Nowhere
            };
            continue;
        }
        let word = match line.trim_end().strip_suffix("\\s") {
            Some(w) => format!("{w} "),
            None => line.trim_end().to_owned(),
        };
        match into {
            Into::Cue(i) => lex.cues[i].push(word),
            Into::Heading(i) => lex.headings[i].1.push(word),
            Into::Nowhere => {}
        }
    }
    lex
}

fn lexicons() -> &'static [Lexicon] {
    static LEX: std::sync::OnceLock<Vec<Lexicon>> = std::sync::OnceLock::new();
    LEX.get_or_init(|| SOURCES.iter().map(|(l, t)| parse(*l, t)).collect())
}

/// A matched cue word's language, list and place in the list, and whether it must start
/// at a word boundary (words of scripts written without spaces need not).
#[derive(Clone, Copy)]
struct Owner {
    lang: Lang,
    list: u8,
    word: u16,
    boundary: bool,
}

type Automaton = (aho_corasick::AhoCorasick, Vec<Owner>);

/// One automaton over every cue word of English (`all` false) or of every language: each
/// unit is searched once. Most logs are in English alone, and search the smaller one.
fn automaton(all: bool) -> &'static Automaton {
    static ENGLISH: std::sync::OnceLock<Automaton> = std::sync::OnceLock::new();
    static ALL: std::sync::OnceLock<Automaton> = std::sync::OnceLock::new();
    let build = || {
        let mut words = Vec::new();
        let mut owner = Vec::new();
        for lex in lexicons().iter().filter(|l| all || l.lang == Lang::En) {
            for (li, list) in lex.cues.iter().enumerate() {
                for (wi, w) in list.iter().enumerate() {
                    words.push(w.as_str());
                    owner.push(Owner {
                        lang: lex.lang,
                        list: li as u8,
                        word: wi as u16,
                        boundary: !w.chars().next().is_some_and(is_cjk),
                    });
                }
            }
        }
        let ac = super::text::word_automaton(&words, false);
        (ac, owner)
    };
    if all {
        ALL.get_or_init(build)
    } else {
        ENGLISH.get_or_init(build)
    }
}

/// How many distinct cue words of each list, in the log's languages, occur in `hay`
/// (lower-case), each starting at a word boundary where its script has them.
pub(super) struct CueCounts([usize; CUES]);

impl CueCounts {
    pub(super) fn of(hay: &str, langs: Langs) -> CueCounts {
        let (ac, owner) = automaton(langs != Langs::default());
        let mut seen: Vec<(Lang, u8, u16)> = Vec::new();
        let mut counts = [0usize; CUES];
        // where the last negation ended: a problem word close after it does not count
        let mut negated_from: Option<usize> = None;
        for m in ac.find_overlapping_iter(hay) {
            let o = owner[m.pattern().as_usize()];
            if !langs.has(o.lang) {
                continue;
            }
            let at = m.start();
            let boundary = !o.boundary
                || at == 0
                || !hay[..at]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
            if !boundary {
                continue;
            }
            let opening_only = o.list == Cue::Courtesy as u8 || o.list == Cue::Concede as u8;
            if opening_only && hay[..at].chars().any(char::is_alphanumeric) {
                continue;
            }
            if o.list == Cue::Negation as u8 {
                negated_from = Some(m.end());
            } else if o.list == Cue::Blocker as u8
                && negated_from.is_some_and(|e| e <= at && negates(&hay[e..at]))
            {
                continue;
            }
            let key = (o.lang, o.list, o.word);
            if !seen.contains(&key) {
                seen.push(key);
                counts[o.list as usize] += 1;
            }
        }
        CueCounts(counts)
    }

    pub(super) fn get(&self, c: Cue) -> usize {
        self.0[c as usize]
    }
}

/// Whether what stands between a negation and a problem word leaves the word negated:
/// at most three words, in the same clause ("no known errors", not "no. The error").
fn negates(between: &str) -> bool {
    between.split_whitespace().count() <= 3 && !between.contains(['.', ',', ';', ':', '!', '?'])
}

/// Words of a text that carry meaning: those of two letters or more, and about one per
/// two characters of scripts written without spaces.
pub(super) fn word_count(text: &str) -> usize {
    let spaced = text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).nth(1).is_some())
        .count();
    let unspaced = if text.is_ascii() {
        0
    } else {
        text.chars().filter(|c| is_cjk(*c)).count() / 2
    };
    spaced + unspaced
}

/// Han, kana and hangul: scripts written without spaces between words.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF66}'..='\u{FF9F}')
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{FF66}'..='\u{FF9F}')
}

/// The commonest short words of each language written in Latin script that other
/// languages do not share (a turn is in the language when they are frequent in it).
const FUNCTION_WORDS: [(Lang, &[&str]); 5] = [
    (
        Lang::Id,
        &[
            "yang", "dan", "untuk", "dengan", "tidak", "saya", "sudah", "bisa", "ini", "itu",
            "akan", "dari", "adalah", "kita", "kami", "juga", "belum", "karena", "tapi",
        ],
    ),
    (
        Lang::Es,
        &[
            "los", "las", "del", "está", "pero", "una", "qué", "esto", "cuando", "muy", "también",
            "hay", "puedes", "porque", "para", "como",
        ],
    ),
    (
        Lang::Pt,
        &[
            "não", "uma", "você", "da", "mas", "também", "está", "isso", "pode", "quando",
            "porque", "então", "já", "com", "são",
        ],
    ),
    (
        Lang::De,
        &[
            "und", "nicht", "ist", "ich", "wir", "für", "eine", "auf", "mit", "das", "der", "sich",
            "auch", "noch", "wenn", "aber", "oder", "kann",
        ],
    ),
    (
        Lang::Fr,
        &[
            "les", "des", "est", "pas", "une", "dans", "avec", "nous", "vous", "sur", "pour",
            "mais", "sont", "cette", "être", "aussi", "je",
        ],
    ),
];

/// How many words are read at a time to tell their language (a turn, or a part of a
/// long one).
const CHUNK_WORDS: usize = 400;

/// How many stretches of a turn are read at most (the opening of a long document tells
/// its language).
const CHUNKS_PER_TURN: usize = 3;

/// For every function word, the languages it belongs to (one bit per entry of
/// [`FUNCTION_WORDS`]).
fn function_words() -> &'static rustc_hash::FxHashMap<&'static str, u8> {
    static MAP: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, u8>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = rustc_hash::FxHashMap::default();
        for (i, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            for w in *words {
                *map.entry(*w).or_insert(0u8) |= 1 << i;
            }
        }
        map
    })
}

/// Counts of one stretch of text.
#[derive(Default)]
struct Chunk {
    words: usize,
    hits: [usize; FUNCTION_WORDS.len()],
    kana: usize,
    han: usize,
}

impl Chunk {
    /// The languages the stretch is written in, added to `langs`.
    fn langs(&self, mut langs: Langs) -> Langs {
        for (i, (lang, _)) in FUNCTION_WORDS.iter().enumerate() {
            if self.hits[i] >= 3 && self.hits[i] * 20 >= self.words {
                langs = langs.with(*lang);
            }
        }
        if self.kana >= 12 {
            langs = langs.with(Lang::Ja);
        } else if self.han >= 12 {
            langs = langs.with(Lang::Zh);
        }
        langs
    }
}

/// The languages of a set of turns (each given as its texts): English, plus each
/// language whose function words make up at least a twentieth of the words of a turn or
/// of a stretch of [`CHUNK_WORDS`] words of it, among its first [`CHUNKS_PER_TURN`] (at
/// least three of them), plus Japanese or Chinese where such a stretch has a dozen kana
/// or Han characters.
pub(super) fn detect<'a, T, I>(turns: T) -> Langs
where
    T: IntoIterator<Item = I>,
    I: IntoIterator<Item = &'a str>,
{
    let table = function_words();
    let mut langs = Langs::default();
    for texts in turns {
        let mut chunk = Chunk::default();
        let mut chunks = 0;
        'turn: for text in texts {
            if !text.is_ascii() {
                for c in text.chars() {
                    if is_kana(c) {
                        chunk.kana += 1;
                    } else if is_cjk(c) {
                        chunk.han += 1;
                    }
                }
            }
            for w in text.split(|c: char| !c.is_alphabetic()) {
                if w.is_empty() {
                    continue;
                }
                chunk.words += 1;
                // function words are short
                if w.len() <= 8 {
                    let mut buf = [0u8; 8];
                    let bits = if !w.is_ascii() {
                        table.get(w.to_lowercase().as_str())
                    } else if w.bytes().any(|b| b.is_ascii_uppercase()) {
                        // (lower-cased on the stack: most capitals open a sentence)
                        let low = &mut buf[..w.len()];
                        low.copy_from_slice(w.as_bytes());
                        low.make_ascii_lowercase();
                        table.get(std::str::from_utf8(low).unwrap_or(w))
                    } else {
                        table.get(w)
                    };
                    if let Some(bits) = bits {
                        for (i, hit) in chunk.hits.iter_mut().enumerate() {
                            *hit += usize::from(bits & (1 << i) != 0);
                        }
                    }
                }
                if chunk.words >= CHUNK_WORDS {
                    langs = chunk.langs(langs);
                    chunk = Chunk::default();
                    chunks += 1;
                    if chunks >= CHUNKS_PER_TURN {
                        break 'turn;
                    }
                }
            }
        }
        langs = chunk.langs(langs);
    }
    langs
}

/// The section a heading names: the first list, English first, with a word in it.
fn heading_level_section(h: &str, langs: Langs) -> Option<Section> {
    lexicons()
        .iter()
        .filter(|l| langs.has(l.lang))
        .flat_map(|l| l.headings.iter())
        .find(|(_, words)| words.iter().any(|w| h.contains(w.as_str())))
        .map(|(s, _)| *s)
}

/// Whether a heading of the path is one of thanks or acknowledgements.
pub(super) fn is_courtesy_heading(path: &str, langs: Langs) -> bool {
    path.split(super::scan::HEADING_SEP)
        .any(|h| CueCounts::of(h, langs).get(Cue::Courtesy) > 0)
}

/// The section a heading path names: the innermost heading that names one.
pub(super) fn heading_section(path: &str, langs: Langs) -> Option<Section> {
    path.rsplit(super::scan::HEADING_SEP)
        .find_map(|h| heading_level_section(h, langs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_file_has_every_list_and_known_headings() {
        for (lang, text) in SOURCES {
            let lex = parse(lang, text);
            for (i, list) in lex.cues.iter().enumerate() {
                // (negations before a word are few, and in Japanese they mostly follow it)
                let few = [Cue::Negation, Cue::Courtesy, Cue::Concede];
                let least = if few.iter().any(|c| *c as usize == i) {
                    3
                } else {
                    5
                };
                assert!(list.len() >= least, "{lang:?} {}", CUE_NAMES[i]);
                assert!(list
                    .iter()
                    .all(|w| !w.trim().is_empty() && w.to_lowercase() == *w));
            }
            assert!(lex.headings.len() >= 7, "{lang:?}");
            // no list of an unknown name
            for line in text.lines().filter(|l| l.starts_with('[')) {
                let name = line.trim_matches(['[', ']']);
                assert!(
                    CUE_NAMES.contains(&name)
                        || name
                            .strip_prefix("heading ")
                            .and_then(section_named)
                            .is_some(),
                    "{lang:?}: [{name}]"
                );
            }
        }
        let en = parse(Lang::En, SOURCES[0].1);
        assert!(en.cues[Cue::Decision as usize].contains(&"use ".to_string()));
    }

    #[test]
    fn cue_words_start_at_word_boundaries() {
        let en = Langs::default();
        let c = CueCounts::of("the next step: we decided to deploy", en);
        assert_eq!(c.get(Cue::Next), 3); // next, step, deploy
        assert_eq!(c.get(Cue::Decision), 1); // decid
        assert_eq!(CueCounts::of("context", en).get(Cue::Next), 0);
        // a word counts once however often it occurs
        assert_eq!(CueCounts::of("next next next", en).get(Cue::Next), 1);
    }

    fn langs_of(texts: &[&str]) -> Langs {
        detect(texts.iter().map(|t| std::iter::once(*t)))
    }

    #[test]
    fn languages_are_told_by_their_function_words_and_scripts() {
        let id = langs_of(&[
            "Tolong perbaiki bug ini, karena build yang terakhir gagal dan saya tidak bisa deploy.",
        ]);
        assert!(id.has(Lang::Id) && !id.has(Lang::Es) && !id.has(Lang::De));
        let es = langs_of(&["El servidor no arranca porque falta la variable, pero los tests también fallan cuando hay una base de datos."]);
        assert!(es.has(Lang::Es) && !es.has(Lang::Id));
        let de = langs_of(&["Ich kann das nicht bauen, weil der Test mit einem Fehler abbricht und wir noch warten."]);
        assert!(de.has(Lang::De) && !de.has(Lang::Fr));
        let fr = langs_of(&["Je ne peux pas lancer les tests dans le conteneur, mais nous avons une solution pour la suite."]);
        assert!(fr.has(Lang::Fr) && !fr.has(Lang::De));
        let pt = langs_of(&["Você já testou isso? Não funciona quando a porta está ocupada, mas também falha com outra."]);
        assert!(pt.has(Lang::Pt));
        let ja = langs_of(&["ビルドが失敗しました。次に依存関係を修正してください。"]);
        assert!(ja.has(Lang::Ja) && !ja.has(Lang::Zh));
        let zh = langs_of(&["构建失败了，下一步需要修复依赖关系，然后重新部署到服务器。"]);
        assert!(zh.has(Lang::Zh) && !zh.has(Lang::Ja));
        let en = langs_of(&[
            "The build failed because the test for the parser is missing, and we are not done yet.",
        ]);
        assert_eq!(en, Langs::default());
    }

    #[test]
    fn other_languages_cue_only_in_logs_written_in_them() {
        let id = Langs::default().with(Lang::Id);
        let hay = "langkah selanjutnya: perbaiki migrasi";
        assert!(CueCounts::of(hay, id).get(Cue::Next) >= 2);
        assert_eq!(CueCounts::of(hay, Langs::default()).get(Cue::Next), 0);
        // words of scripts without spaces match inside a sentence
        let zh = Langs::default().with(Lang::Zh);
        assert!(CueCounts::of("构建失败了，下一步需要修复", zh).get(Cue::Next) >= 1);
        assert!(CueCounts::of("构建失败了，下一步需要修复", zh).get(Cue::Blocker) >= 1);
        assert_eq!(
            heading_section("próximos pasos", Langs::default().with(Lang::Es)),
            Some(Section::Next)
        );
        assert_eq!(heading_section("próximos pasos", Langs::default()), None);
    }

    #[test]
    fn a_negated_problem_word_is_no_problem() {
        let en = Langs::default();
        let blockers = |t: &str| CueCounts::of(t, en).get(Cue::Blocker);
        assert_eq!(blockers("✓ no blockers or critical issues found"), 0);
        assert_eq!(blockers("merged without a conflict"), 0);
        assert_eq!(blockers("the build fails with a linker error"), 2);
        // a negation ends with its clause
        assert_eq!(blockers("no. the error is back"), 1);
        assert_eq!(blockers("not found"), 1);
        let es = Langs::default().with(Lang::Es);
        assert_eq!(CueCounts::of("sin errores", es).get(Cue::Blocker), 0);
    }
}
