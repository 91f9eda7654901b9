//! Lines gathered into turns, for the parsers that read a log line by line (a console
//! copy, a Markdown transcript).

use super::{turn, ImportedTurn};

/// The kind of block a line-by-line log parser is reading, and the role its lines are
/// imported as (`None`: dropped).
pub(super) trait BlockKind: Copy + PartialEq {
    fn role(self) -> Option<&'static str>;
}

/// The lines of the block being read, gathered into one turn when the next block starts.
pub(super) struct TurnBuffer<K> {
    turns: Vec<ImportedTurn>,
    block: K,
    buf: String,
}

impl<K: BlockKind> TurnBuffer<K> {
    pub(super) fn new(block: K) -> Self {
        Self {
            turns: Vec::new(),
            block,
            buf: String::new(),
        }
    }

    /// The block being read.
    pub(super) fn block(&self) -> K {
        self.block
    }

    fn flush(&mut self) {
        let text = self.buf.trim();
        if let (false, Some(role)) = (text.is_empty(), self.block.role()) {
            self.turns.push(turn(role, text));
        }
        self.buf.clear();
    }

    /// Starts a new block (and turn) of `block`.
    pub(super) fn start(&mut self, block: K) {
        self.flush();
        self.block = block;
    }

    /// Goes on with a block of `block`: lines of the kind being read stay in its turn.
    pub(super) fn carry_on(&mut self, block: K) {
        if block != self.block {
            self.start(block);
        }
    }

    pub(super) fn push(&mut self, line: &str) {
        self.buf.push_str(line);
        self.buf.push('\n');
    }

    pub(super) fn finish(mut self) -> Vec<ImportedTurn> {
        self.flush();
        self.turns
    }
}
