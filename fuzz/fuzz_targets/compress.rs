//! Fuzzes the handoff engine's input parser and selection: any bytes, any budget.
//! `cargo +nightly fuzz run compress` (from the project root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paas::domain::handoff::{compress, Facts, MIN_BUDGET};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let budget = MIN_BUDGET + usize::from(u16::from_le_bytes([data[0], data[1]]));
    let text = String::from_utf8_lossy(&data[2..]);
    if let Ok(b) = compress(&text, &Facts::default(), budget) {
        assert!(b.markdown.chars().count() <= budget);
        // its own output compresses to itself
        if !b.markdown.is_empty() {
            let again = compress(&b.markdown, &Facts::default(), budget).unwrap();
            assert_eq!(again.markdown, b.markdown);
        }
    }
});
