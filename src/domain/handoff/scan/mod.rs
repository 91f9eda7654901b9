//! Reading a raw log: normalise it, split it into speaker turns and then into units
//! (one sentence, list item, command or output line each), and find the salient facts
//! (file paths, commands, error lines, URLs, identifiers, versions, commit ids) in it.

mod extract;
mod facts;
mod lexicon;
mod lines;
mod turns;

pub use extract::scan;
pub use facts::is_error_line;
pub use lines::{clean_line, truncate_chars};

/// Separates the levels of a unit's heading path.
pub const HEADING_SEP: char = '\u{1f}';

/// Who said a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
    /// Tool output, aider's own `>` lines, system prompts.
    Tool,
}

/// What a unit is, by where it stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Prose,
    /// A line inside a shell block, a `$ ` line or a recorded tool command.
    Command,
    /// A line of program or tool output.
    Output,
}

/// One selectable piece of the log.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Cleaned text: one line, markdown decoration removed, whitespace collapsed.
    pub text: String,
    pub role: Role,
    pub kind: Kind,
    /// Index of the turn it belongs to.
    pub turn: usize,
    /// Rank of its turn among the turns of its role (0 = first user turn).
    pub role_rank: usize,
    /// Position in the log, 0.0 (start) to 1.0 (end).
    pub pos: f64,
    /// The markdown headings above it in its turn, outermost first, lower-cased and
    /// separated by [`HEADING_SEP`].
    pub heading: std::sync::Arc<str>,
    /// Whether it is a markdown heading itself.
    pub is_heading: bool,
    /// Whether its text reads as an error message ([`is_error_line`]), when the scan
    /// already asked.
    pub error_line: Option<bool>,
}

/// The kinds of salient fact a successor may need verbatim.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Path,
    Command,
    Error,
    Url,
    Identifier,
    Version,
    Commit,
}

impl FactKind {
    /// How many kinds there are.
    pub const COUNT: usize = 7;

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Command => "command",
            Self::Error => "error",
            Self::Url => "url",
            Self::Identifier => "identifier",
            Self::Version => "version",
            Self::Commit => "commit",
        }
    }
}

/// A salient fact with where and how often it occurs.
#[derive(Debug, Clone)]
pub struct FactInfo {
    pub kind: FactKind,
    pub text: String,
    pub count: usize,
    pub last: f64,
    /// Mentioned by the user.
    pub by_user: bool,
}

/// A scanned log.
#[derive(Debug, Default)]
pub struct Scan {
    pub title: Option<String>,
    pub units: Vec<Unit>,
    pub facts: Vec<FactInfo>,
    pub turns: usize,
}

#[cfg(test)]
mod tests;
