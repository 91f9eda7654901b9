//! Text fields: trimmed, bounded in characters (not bytes), with errors that name the
//! field. Every text the domain accepts goes through here.

use crate::error::FieldError;

fn too_long(field: &str, max: usize, n: usize) -> FieldError {
    FieldError::new(
        field,
        format!("at most {max} characters (this one has {n})"),
    )
}

/// The key two names are the same by: trimmed and Unicode case-folded (`Öl` = `öl`,
/// `STRASSE` = `straße`). Account names are unique by this key, in every path.
/// Percent-encodes text for a URL: everything but the unreserved `A-Z a-z 0-9 - _ . ~`.
pub fn percent_encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, RESERVED).to_string()
}

/// Formats an integer with thin thousands separators: 12 345.
pub fn figure(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

pub fn name_key(s: &str) -> String {
    caseless::default_case_fold_str(s.trim())
}

/// Optional text: blank means none.
pub fn optional(s: Option<&str>, field: &str, max: usize) -> Result<Option<String>, FieldError> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let n = t.chars().count();
    if n > max {
        return Err(too_long(field, max, n));
    }
    Ok(Some(t.to_owned()))
}

/// A required one-line name: not blank, no control characters.
pub fn required_name(s: &str, field: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(FieldError::new(field, "a name is required"));
    }
    if n > max {
        return Err(too_long(field, max, n));
    }
    if t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bounds_and_blanks() {
        assert_eq!(optional(Some("  "), "f", 3).unwrap(), None);
        assert_eq!(
            optional(Some(" ab "), "f", 3).unwrap().as_deref(),
            Some("ab")
        );
        assert_eq!(
            optional(Some("éééé"), "f", 3).unwrap_err().message,
            "at most 3 characters (this one has 4)"
        );
        assert_eq!(
            required_name(" ", "name", 5).unwrap_err().message,
            "a name is required"
        );
        assert!(required_name("a\u{7}", "name", 5).is_err());
    }

    proptest! {
        #[test]
        fn accepted_text_is_trimmed_and_bounded(s in "\\PC{0,40}", max in 1usize..30) {
            if let Ok(Some(t)) = optional(Some(&s), "f", max) {
                prop_assert!(t.chars().count() <= max);
                prop_assert_eq!(t.trim(), t.as_str());
            }
        }
    }
}
