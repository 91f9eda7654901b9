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

/// One language's cue lists (in the order of [`Cue`]) and section headings.
struct Lexicon {
    lang: Lang,
    cues: [&'static [&'static str]; 7],
    headings: &'static [(&'static [&'static str], Section)],
}

const LEXICONS: [Lexicon; 8] = [
    Lexicon {
        lang: Lang::En,
        cues: [
            EN_GOAL,
            EN_CONSTRAINT,
            EN_DONE,
            EN_PROGRESS,
            EN_BLOCKER,
            EN_DECISION,
            EN_NEXT,
        ],
        // English headings are matched first, by heading_level_section's own table
        headings: &[],
    },
    Lexicon {
        lang: Lang::Id,
        cues: [
            &[
                "tujuan",
                "sasaran",
                "saya ingin",
                "aku ingin",
                "saya mau",
                "kami ingin",
                "tolong",
                "bantu",
                "buatkan",
                "bikin",
                "membuat",
                "implementasi",
                "perbaiki",
                "tambahkan",
                "agar",
                "supaya",
            ],
            &[
                "harus",
                "jangan",
                "wajib",
                "tidak boleh",
                "hanya",
                "selalu",
                "pastikan",
                "hindari",
                "tanpa",
                "dilarang",
                "penting",
                "batas",
            ],
            &[
                "selesai",
                "sudah",
                "berhasil",
                "sukses",
                "telah",
                "beres",
                "diperbaiki",
                "ditambahkan",
                "dibuat",
                "lulus",
            ],
            &[
                "sedang",
                "masih",
                "dalam proses",
                "belum selesai",
                "sebagian",
            ],
            &[
                "gagal",
                "error",
                "masalah",
                "kendala",
                "tidak bisa",
                "tidak dapat",
                "rusak",
                "hambatan",
                "macet",
                "galat",
            ],
            &[
                "memutuskan",
                "keputusan",
                "memilih",
                "karena",
                "daripada",
                "menggunakan",
                "pakai",
                "pendekatan",
                "strategi",
                "arsitektur",
            ],
            &[
                "selanjutnya",
                "berikutnya",
                "langkah",
                "nanti",
                "rencana",
                "lanjutkan",
                "perlu",
                "tahap",
                "fase",
            ],
        ],
        headings: &[
            (&["langkah", "selanjutnya", "rencana"], Section::Next),
            (&["masalah", "kendala", "hambatan"], Section::Blockers),
            (&["keputusan", "arsitektur"], Section::Decisions),
            (&["aturan", "batasan", "persyaratan"], Section::Constraints),
            (&["selesai", "pencapaian"], Section::Done),
            (&["status", "ringkasan"], Section::State),
            (&["tujuan", "sasaran"], Section::Goal),
        ],
    },
    Lexicon {
        lang: Lang::Es,
        cues: [
            &[
                "objetivo",
                "propósito",
                "quiero",
                "quisiera",
                "necesito",
                "necesitamos",
                "ayúdame",
                "por favor",
                "crear",
                "implementar",
                "arreglar",
                "añadir",
                "agregar",
                "construir",
                "para que",
            ],
            &[
                "debe",
                "debes",
                "nunca",
                "siempre",
                "no uses",
                "no hagas",
                "solo",
                "sólo",
                "evita",
                "sin ",
                "asegúrate",
                "obligatorio",
                "importante",
                "prohibido",
                "mantén",
            ],
            &[
                "hecho",
                "terminado",
                "completado",
                "listo",
                "funciona",
                "arreglado",
                "resuelto",
                "añadido",
                "creado",
                "implementado",
                "desplegado",
            ],
            &[
                "en progreso",
                "trabajando en",
                "actualmente",
                "todavía",
                "aún",
                "pendiente",
            ],
            &[
                "error",
                "falla",
                "fallo",
                "falló",
                "bloqueado",
                "no funciona",
                "no puedo",
                "problema",
                "excepción",
                "roto",
                "conflicto",
                "no se encuentra",
                "falta",
            ],
            &[
                "decidimos",
                "decidí",
                "decisión",
                "elegimos",
                "elegí",
                "en lugar de",
                "en vez de",
                "porque",
                "usaremos",
                "enfoque",
                "estrategia",
                "arquitectura",
                "opción",
            ],
            &[
                "siguiente",
                "próximo",
                "próximos pasos",
                "luego",
                "después",
                "hay que",
                "tenemos que",
                "vamos a",
                "plan",
                "paso",
                "fase",
            ],
        ],
        headings: &[
            (
                &["próximos pasos", "siguientes pasos", "pendiente", "plan"],
                Section::Next,
            ),
            (
                &["problema", "error", "bloqueo", "riesgo"],
                Section::Blockers,
            ),
            (&["decisi", "arquitectura", "diseño"], Section::Decisions),
            (&["restricci", "reglas", "requisitos"], Section::Constraints),
            (&["hecho", "completado", "logros"], Section::Done),
            (&["estado", "resumen"], Section::State),
            (&["objetivo", "meta"], Section::Goal),
        ],
    },
    Lexicon {
        lang: Lang::Pt,
        cues: [
            &[
                "objetivo",
                "quero",
                "gostaria",
                "preciso",
                "precisamos",
                "me ajude",
                "por favor",
                "criar",
                "implementar",
                "corrigir",
                "adicionar",
                "construir",
                "para que",
            ],
            &[
                "deve",
                "nunca",
                "sempre",
                "não use",
                "não faça",
                "apenas",
                "somente",
                "evite",
                "sem ",
                "certifique",
                "obrigatório",
                "importante",
                "proibido",
                "mantenha",
            ],
            &[
                "feito",
                "concluído",
                "concluída",
                "pronto",
                "funciona",
                "corrigido",
                "resolvido",
                "adicionado",
                "criado",
                "implementado",
                "terminado",
            ],
            &[
                "em andamento",
                "em progresso",
                "trabalhando em",
                "atualmente",
                "ainda",
                "pendente",
            ],
            &[
                "erro",
                "falha",
                "falhou",
                "bloqueado",
                "não funciona",
                "não consigo",
                "problema",
                "exceção",
                "quebrado",
                "conflito",
                "não encontrado",
                "faltando",
            ],
            &[
                "decidimos",
                "decidi",
                "decisão",
                "escolhemos",
                "escolhi",
                "em vez de",
                "ao invés de",
                "porque",
                "vamos usar",
                "abordagem",
                "estratégia",
                "arquitetura",
                "opção",
            ],
            &[
                "próximo",
                "próximos passos",
                "depois",
                "em seguida",
                "falta",
                "precisa",
                "temos que",
                "vamos",
                "plano",
                "passo",
                "fase",
            ],
        ],
        headings: &[
            (&["próximos passos", "pendente", "plano"], Section::Next),
            (
                &["problema", "erro", "bloqueio", "risco"],
                Section::Blockers,
            ),
            (&["decis", "arquitetura"], Section::Decisions),
            (&["restri", "regras", "requisitos"], Section::Constraints),
            (&["feito", "concluído"], Section::Done),
            (&["estado", "resumo"], Section::State),
            (&["objetivo", "meta"], Section::Goal),
        ],
    },
    Lexicon {
        lang: Lang::De,
        cues: [
            &[
                "ziel",
                "aufgabe",
                "ich möchte",
                "ich will",
                "wir müssen",
                "wir brauchen",
                "bitte",
                "erstellen",
                "implementieren",
                "beheben",
                "hinzufügen",
                "damit",
            ],
            &[
                "muss",
                "müssen",
                "niemals",
                "immer",
                "nicht ",
                "nur ",
                "vermeide",
                "ohne",
                "stelle sicher",
                "pflicht",
                "wichtig",
                "verboten",
                "darf nicht",
                "keine",
            ],
            &[
                "erledigt",
                "fertig",
                "abgeschlossen",
                "funktioniert",
                "behoben",
                "gelöst",
                "hinzugefügt",
                "erstellt",
                "implementiert",
                "bestanden",
            ],
            &[
                "in arbeit",
                "arbeite an",
                "derzeit",
                "aktuell",
                "noch",
                "teilweise",
                "ausstehend",
            ],
            &[
                "fehler",
                "fehlgeschlagen",
                "schlägt fehl",
                "blockiert",
                "funktioniert nicht",
                "kann nicht",
                "problem",
                "ausnahme",
                "kaputt",
                "konflikt",
                "nicht gefunden",
                "fehlt",
            ],
            &[
                "entschieden",
                "entscheidung",
                "gewählt",
                "statt",
                "anstatt",
                "weil",
                "verwenden",
                "ansatz",
                "strategie",
                "architektur",
            ],
            &[
                "nächste",
                "als nächstes",
                "danach",
                "dann",
                "offen",
                "noch zu",
                "plan",
                "schritt",
                "phase",
                "später",
            ],
        ],
        headings: &[
            (&["nächste", "offen", "plan"], Section::Next),
            (&["problem", "fehler", "risik"], Section::Blockers),
            (&["entscheid", "architektur"], Section::Decisions),
            (&["regeln", "vorgaben", "anforderung"], Section::Constraints),
            (&["erledigt", "abgeschlossen"], Section::Done),
            (&["stand", "zusammenfassung"], Section::State),
            (&["ziel", "aufgabe"], Section::Goal),
        ],
    },
    Lexicon {
        lang: Lang::Fr,
        cues: [
            &[
                "objectif",
                "je veux",
                "je voudrais",
                "nous devons",
                "aide-moi",
                "s'il te plaît",
                "s'il vous plaît",
                "créer",
                "implémenter",
                "corriger",
                "ajouter",
                "construire",
                "afin de",
                "pour que",
            ],
            &[
                "doit",
                "doivent",
                "jamais",
                "toujours",
                "ne pas",
                "seulement",
                "uniquement",
                "évite",
                "sans ",
                "assure-toi",
                "obligatoire",
                "important",
                "interdit",
                "garder",
            ],
            &[
                "terminé",
                "terminée",
                "fini",
                "fonctionne",
                "corrigé",
                "résolu",
                "ajouté",
                "créé",
                "implémenté",
                "déployé",
                "réussi",
            ],
            &[
                "en cours",
                "je travaille sur",
                "actuellement",
                "encore",
                "partiellement",
                "en attente",
            ],
            &[
                "erreur",
                "échec",
                "échoue",
                "bloqué",
                "ne fonctionne pas",
                "impossible",
                "problème",
                "exception",
                "cassé",
                "conflit",
                "introuvable",
                "manquant",
            ],
            &[
                "décidé",
                "décision",
                "choisi",
                "au lieu de",
                "plutôt que",
                "parce que",
                "utiliser",
                "approche",
                "stratégie",
                "architecture",
            ],
            &[
                "prochaine",
                "prochain",
                "ensuite",
                "puis",
                "reste à",
                "à faire",
                "il faut",
                "plan",
                "étape",
                "phase",
                "plus tard",
            ],
        ],
        headings: &[
            (&["prochaine", "à faire", "plan"], Section::Next),
            (&["problème", "erreur", "risque"], Section::Blockers),
            (&["décision", "architecture"], Section::Decisions),
            (&["contrainte", "règles", "exigence"], Section::Constraints),
            (&["terminé", "réalis"], Section::Done),
            (&["état", "résumé"], Section::State),
            (&["objectif", "but"], Section::Goal),
        ],
    },
    Lexicon {
        lang: Lang::Ja,
        cues: [
            &[
                "目的",
                "目標",
                "ゴール",
                "したい",
                "してほしい",
                "してください",
                "お願い",
                "作成",
                "実装",
                "修正",
                "追加",
                "構築",
            ],
            &[
                "必ず",
                "絶対",
                "しないで",
                "禁止",
                "のみ",
                "だけ",
                "避け",
                "常に",
                "必須",
                "重要",
                "してはいけない",
            ],
            &[
                "完了",
                "済み",
                "終わり",
                "成功",
                "しました",
                "できました",
                "通りました",
                "動作確認",
            ],
            &["進行中", "作業中", "対応中", "現在", "まだ", "途中", "一部"],
            &[
                "エラー",
                "失敗",
                "ブロック",
                "動かない",
                "できない",
                "問題",
                "例外",
                "バグ",
                "競合",
                "見つかりません",
                "不足",
            ],
            &[
                "決定",
                "決めました",
                "選択",
                "採用",
                "代わりに",
                "ではなく",
                "なぜなら",
                "方針",
                "アプローチ",
                "設計",
                "アーキテクチャ",
            ],
            &[
                "次に",
                "次の",
                "今後",
                "残り",
                "予定",
                "計画",
                "ステップ",
                "フェーズ",
                "後で",
                "必要",
            ],
        ],
        headings: &[
            (&["次", "今後", "予定", "計画"], Section::Next),
            (&["問題", "課題", "エラー", "リスク"], Section::Blockers),
            (&["決定", "設計", "方針"], Section::Decisions),
            (&["制約", "ルール", "要件"], Section::Constraints),
            (&["完了", "成果"], Section::Done),
            (&["状況", "現状", "概要"], Section::State),
            (&["目的", "目標"], Section::Goal),
        ],
    },
    Lexicon {
        lang: Lang::Zh,
        cues: [
            &[
                "目标",
                "目的",
                "我想",
                "我要",
                "我希望",
                "需要",
                "请",
                "帮我",
                "创建",
                "实现",
                "修复",
                "添加",
                "构建",
            ],
            &[
                "必须", "不要", "禁止", "只能", "总是", "始终", "避免", "确保", "务必", "不能",
                "不得", "重要",
            ],
            &[
                "完成",
                "已经",
                "成功",
                "修复了",
                "已修复",
                "已添加",
                "已实现",
                "通过",
                "搞定",
            ],
            &["进行中", "正在", "目前", "当前", "仍然", "还在", "部分"],
            &[
                "错误",
                "失败",
                "阻塞",
                "报错",
                "无法",
                "问题",
                "异常",
                "冲突",
                "找不到",
                "缺少",
                "卡住",
            ],
            &[
                "决定",
                "选择",
                "采用",
                "而不是",
                "代替",
                "因为",
                "方案",
                "策略",
                "架构",
                "设计",
            ],
            &[
                "下一步",
                "接下来",
                "然后",
                "之后",
                "待办",
                "剩下",
                "计划",
                "步骤",
                "阶段",
                "稍后",
            ],
        ],
        headings: &[
            (&["下一步", "待办", "计划"], Section::Next),
            (&["问题", "错误", "风险"], Section::Blockers),
            (&["决定", "决策", "架构", "设计"], Section::Decisions),
            (&["约束", "规则", "要求"], Section::Constraints),
            (&["完成", "成果"], Section::Done),
            (&["状态", "现状", "概述"], Section::State),
            (&["目标", "目的"], Section::Goal),
        ],
    },
];

/// A matched cue word's language, list and place in the list, and whether it must start
/// at a word boundary (words of scripts written without spaces need not).
#[derive(Clone, Copy)]
struct Owner {
    lang: Lang,
    list: u8,
    word: u16,
    boundary: bool,
}

/// One automaton over every cue word of every language: each unit is searched once.
fn automaton() -> &'static (aho_corasick::AhoCorasick, Vec<Owner>) {
    static AC: std::sync::OnceLock<(aho_corasick::AhoCorasick, Vec<Owner>)> =
        std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let mut words = Vec::new();
        let mut owner = Vec::new();
        for lex in &LEXICONS {
            for (li, list) in lex.cues.iter().enumerate() {
                for (wi, w) in list.iter().enumerate() {
                    words.push(*w);
                    owner.push(Owner {
                        lang: lex.lang,
                        list: li as u8,
                        word: wi as u16,
                        boundary: !w.chars().next().is_some_and(is_cjk),
                    });
                }
            }
        }
        let ac = aho_corasick::AhoCorasick::new(&words).expect("cue words build an automaton");
        (ac, owner)
    })
}

/// How many distinct cue words of each list, in the log's languages, occur in `hay`
/// (lower-case), each starting at a word boundary where its script has them.
pub(super) struct CueCounts([usize; 7]);

impl CueCounts {
    pub(super) fn of(hay: &str, langs: Langs) -> CueCounts {
        let (ac, owner) = automaton();
        let mut seen: Vec<(Lang, u8, u16)> = Vec::new();
        let mut counts = [0usize; 7];
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

/// Words of a text that carry meaning: those of two letters or more, and about one per
/// two characters of scripts written without spaces.
pub(super) fn word_count(text: &str) -> usize {
    let spaced = text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
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

/// For every function word, the languages it belongs to (one bit per entry of
/// [`FUNCTION_WORDS`]).
fn function_words() -> &'static std::collections::HashMap<&'static str, u8> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<&'static str, u8>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
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
/// of a stretch of [`CHUNK_WORDS`] words of it (at least three of them), plus Japanese
/// or Chinese where such a stretch has a dozen kana or Han characters.
pub(super) fn detect<'a, T, I>(turns: T) -> Langs
where
    T: IntoIterator<Item = I>,
    I: IntoIterator<Item = &'a str>,
{
    let table = function_words();
    let mut langs = Langs::default();
    for texts in turns {
        let mut chunk = Chunk::default();
        for text in texts {
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
                    let bits = if w.bytes().any(|b| b.is_ascii_uppercase()) || !w.is_ascii() {
                        table.get(w.to_lowercase().as_str())
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
                }
            }
        }
        langs = chunk.langs(langs);
    }
    langs
}

const EN_GOAL: &[&str] = &[
    "goal",
    "objective",
    "mission",
    "purpose",
    "i want",
    "i'd like",
    "i would like",
    "we need",
    "help me",
    "please",
    "trying to",
    "the task",
    "task:",
    "so that",
    "build",
    "implement",
    "create",
    "fix",
    "add",
    "make",
    "set up",
    "migrate",
    "refactor",
    "investigate",
    "analy",
    "audit",
    "find",
];
const EN_CONSTRAINT: &[&str] = &[
    "must",
    "never",
    "always",
    "don't",
    "do not",
    "dont",
    "only",
    "avoid",
    "keep",
    "make sure",
    "should",
    "shouldn't",
    "without",
    "prefer",
    "rule",
    "required",
    "require",
    "important",
    "critical",
    "forbid",
    "no ",
    "not ",
    "ensure",
    "strict",
    "mandatory",
    "constraint",
    "instead",
    "rather",
    "limit",
];
const EN_DONE: &[&str] = &[
    "done",
    "completed",
    "complete",
    "finished",
    "committed",
    "commit",
    "pushed",
    "merged",
    "deployed",
    "created",
    "added",
    "fixed",
    "resolved",
    "implemented",
    "updated",
    "passes",
    "passing",
    "works",
    "working",
    "success",
    "successfully",
    "ready",
    "shipped",
    "applied",
    "verified",
    "released",
    "published",
    "wrote",
    "written",
    "built",
];
const EN_PROGRESS: &[&str] = &[
    "in progress",
    "working on",
    "currently",
    "wip",
    "started",
    "partially",
    "partial",
    "ongoing",
    "halfway",
    "not yet",
    "still",
    "draft",
    "pending",
];
const EN_BLOCKER: &[&str] = &[
    "block",
    "stuck",
    "fail",
    "error",
    "exception",
    "conflict",
    "cannot",
    "can't",
    "unable",
    "not working",
    "doesn't work",
    "broken",
    "issue",
    "problem",
    "bug",
    "timeout",
    "denied",
    "rejected",
    "missing",
    "not found",
    "crash",
    "wrong",
    "unresolved",
    "unverified",
    "todo",
    "regression",
    "warning",
    "fatal",
    "panic",
    "lost",
];
const EN_DECISION: &[&str] = &[
    "decid",
    "decision",
    "chose",
    "choose",
    "instead of",
    "rather than",
    "because",
    "so that",
    "we'll use",
    "will use",
    "use ",
    "using",
    "switch to",
    "switched",
    "approach",
    "option",
    "strategy",
    "trade-off",
    "tradeoff",
    "recommend",
    "went with",
    "opted",
    "design",
    "architecture",
    "stack",
    "replace",
    "prefer",
];
const EN_NEXT: &[&str] = &[
    "next",
    "todo",
    "to do",
    "remaining",
    "then",
    "need to",
    "needs to",
    "should",
    "will ",
    "plan",
    "pending",
    "follow-up",
    "follow up",
    "later",
    "after that",
    "still need",
    "must",
    "let's",
    "going to",
    "step",
    "phase",
    "deploy",
    "tomorrow",
    "continue",
];

/// Heading words that put every unit under them in a section: English, then the log's
/// other languages.
fn heading_level_section(h: &str, langs: Langs) -> Option<Section> {
    let table: &[(&[&str], Section)] = &[
        (
            &[
                "next",
                "todo",
                "to do",
                "remaining",
                "roadmap",
                "plan",
                "follow",
                "action item",
                "recommend",
            ],
            Section::Next,
        ),
        (
            &[
                "block", "issue", "problem", "error", "bug", "risk", "known", "fail",
            ],
            Section::Blockers,
        ),
        (
            &[
                "decision",
                "architecture",
                "design",
                "approach",
                "stack",
                "why",
                "solution",
            ],
            Section::Decisions,
        ),
        (
            &[
                "constraint",
                "rule",
                "requirement",
                "guideline",
                "convention",
                "principle",
                "must",
                "policy",
                "practice",
                "avoid",
            ],
            Section::Constraints,
        ),
        (
            &[
                "done",
                "complete",
                "accomplish",
                "achiev",
                "finished",
                "what was",
                "changes",
                "implemented",
                "fixed",
            ],
            Section::Done,
        ),
        (&["progress", "wip", "ongoing"], Section::InProgress),
        (
            &[
                "status",
                "state",
                "summary",
                "result",
                "where we are",
                "current",
            ],
            Section::State,
        ),
        (
            &[
                "goal",
                "objective",
                "mission",
                "purpose",
                "overview",
                "context",
                "task",
            ],
            Section::Goal,
        ),
        (&["file", "structure", "layout"], Section::Files),
    ];
    table
        .iter()
        .chain(
            LEXICONS
                .iter()
                .filter(|l| langs.has(l.lang))
                .flat_map(|l| l.headings.iter()),
        )
        .find(|(words, _)| words.iter().any(|w| h.contains(w)))
        .map(|(_, s)| *s)
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
}
