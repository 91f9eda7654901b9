//! Counting and cutting text by characters, and the word sets that tell near-duplicates apart.

use unicode_segmentation::UnicodeSegmentation;

pub(super) fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to at most `max` characters on a grapheme boundary, preferring a word
/// boundary, and marks the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut n = 0;
    for g in s.graphemes(true) {
        let gc = chars(g);
        if n + gc > max - 1 {
            break;
        }
        out.push_str(g);
        n += gc;
    }
    // back off to a word boundary when one is near
    if let Some(i) = out.rfind(' ') {
        if chars(&out[i..]) < 24 && i > 0 {
            out.truncate(i);
        }
    }
    let trimmed = out.trim_end_matches([' ', ',', ';', ':', '-']).len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// The text's opening clauses that fit in `max` characters (cut at a sentence end, a
/// semicolon or a dash between words), marked as cut; `None` when the first clause is
/// shorter than `min` or does not fit.
pub fn clauses(s: &str, max: usize, min: usize) -> Option<String> {
    let mut best = None;
    for (i, c) in s.char_indices() {
        let after = &s[i + c.len_utf8()..];
        // a clause ends where a space follows its mark (not in `0.5` or `a.rs`)
        let head = match c {
            // (a full stop before a small letter ends an abbreviation: `incl. the`)
            '.' if after.starts_with(' ') && after.trim_start().starts_with(char::is_lowercase) => {
                continue
            }
            '.' | '!' | '?' | ';' if after.starts_with(' ') => &s[..i + c.len_utf8()],
            '—' | '–' if after.starts_with(' ') && s[..i].ends_with(' ') => s[..i].trim_end(),
            _ => continue,
        };
        let n = chars(head);
        if n + 1 > max {
            break;
        }
        if n >= min {
            best = Some(head);
        }
    }
    best.map(|h| format!("{}…", h.trim_end_matches([';', ' '])))
}

/// The set of a text's words (longer than two characters, case folded), as sorted
/// hashes: enough to tell near-duplicates apart, without allocating the words.
#[derive(Debug, Clone, Default)]
pub(super) struct WordSet(Vec<u64>);

impl WordSet {
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// How many words two sets share.
    pub(super) fn common(&self, other: &WordSet) -> usize {
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < self.0.len() && j < other.0.len() {
            match self.0[i].cmp(&other.0[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }
}

pub(super) fn word_set(s: &str) -> WordSet {
    let mut out = Vec::new();
    for w in s.split(|c: char| !c.is_alphanumeric()) {
        if w.len() <= 2 {
            continue;
        }
        // FNV-1a over the case-folded characters (bytes, for ASCII words)
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        if w.is_ascii() {
            for b in w.bytes() {
                h ^= u64::from(b.to_ascii_lowercase());
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        } else {
            for c in w.chars().flat_map(char::to_lowercase) {
                h ^= u64::from(c);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        out.push(h);
    }
    out.sort_unstable();
    out.dedup();
    WordSet(out)
}

pub(super) fn similar(a: &WordSet, b: &WordSet) -> bool {
    if a.len() == 0 || b.len() == 0 {
        return false;
    }
    let small = a.len().min(b.len());
    a.common(b) * 10 >= small * 8
}

/// A DFA over fixed word lists (cue words, error words), `any_case` for ASCII case: every
/// unit of a log is searched, and a few hundred KB built once is cheap.
pub(super) fn word_automaton(words: &[&str], any_case: bool) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(any_case)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(words)
        .expect("fixed word lists build an automaton")
}
