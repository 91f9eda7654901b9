//! Fuzzes bundle parsing and validation: any bytes parse or fail with a named problem,
//! never a panic; a bundle that validates survives JSON and has a stable canonical form.
//! `cargo +nightly fuzz run bundle` (from the project root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paas::domain::bundle::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse(&text) {
        Err(e) => assert!(!e.field.is_empty()),
        Ok(b) => {
            if b.validate().is_ok() {
                let again = parse(&serde_json::to_string(&b).unwrap()).unwrap();
                assert!(again.validate().is_ok());
                assert!(again.canonical() == b.canonical());
                assert!(b.canonical().canonical() == b.canonical());
            }
        }
    }
});
