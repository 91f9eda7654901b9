//! Text from addresses, queries and form fields into numbers and ids: the one place both
//! the REST API and the server functions parse them, each error naming its field.

use crate::error::FieldError;
use std::str::FromStr;

/// A whole number, or `None` for a missing or blank value.
pub fn opt_number(raw: Option<&str>, field: &str) -> Result<Option<i64>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| FieldError::new(field, format!("{v:?} is not a whole number"))),
    }
}

/// A typed id (`ProjectId`, `AccountId`…), the error naming `field`.
pub fn id<T: FromStr<Err = FieldError>>(raw: &str, field: &str) -> Result<T, FieldError> {
    raw.parse::<T>()
        .map_err(|e| FieldError::new(field, e.message))
}

/// A typed id, or `None` for a missing or blank value.
pub fn opt_id<T: FromStr<Err = FieldError>>(
    raw: Option<&str>,
    field: &str,
) -> Result<Option<T>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => id(v, field).map(Some),
    }
}

/// A row id without a type of its own (checkpoints, files, knowledge entries).
pub fn row_id(raw: &str, field: &str, what: &str) -> Result<i64, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err(FieldError::new(field, format!("{raw:?} is not {what} id"))),
    }
}

/// A whole number within `range`, `default` when missing or blank.
pub fn within(
    raw: Option<&str>,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
) -> Result<i64, FieldError> {
    match opt_number(raw, field) {
        Ok(None) => Ok(default),
        Ok(Some(n)) if range.contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            field,
            format!(
                "{:?} is not between {} and {}",
                raw.unwrap_or_default(),
                range.start(),
                range.end()
            ),
        )),
    }
}

/// A page number from 1, 1 when missing or blank.
pub fn page(raw: Option<&str>) -> Result<u32, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(1),
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| FieldError::new("page", format!("{p:?} is not a page number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::project::ProjectId;

    #[test]
    fn values_parse_once_with_their_field_named() {
        assert_eq!(opt_number(None, "days").unwrap(), None);
        assert_eq!(opt_number(Some(" "), "days").unwrap(), None);
        assert_eq!(opt_number(Some(" 30 "), "days").unwrap(), Some(30));
        assert_eq!(opt_number(Some("3x"), "days").unwrap_err().field, "days");
        assert_eq!(id::<ProjectId>("7", "project_id").unwrap(), ProjectId(7));
        let e = id::<ProjectId>("0", "project_id").unwrap_err();
        assert_eq!(e.field, "project_id");
        assert!(e.message.contains("not a project id"), "{}", e.message);
        assert_eq!(opt_id::<ProjectId>(Some(""), "p").unwrap(), None);
        assert_eq!(opt_id::<ProjectId>(Some("-3"), "p").unwrap_err().field, "p");
        assert_eq!(row_id("12", "file", "a file").unwrap(), 12);
        assert_eq!(row_id("x", "file", "a file").unwrap_err().field, "file");
        assert_eq!(within(None, "limit", 1..=200, 50).unwrap(), 50);
        assert_eq!(within(Some(" 7 "), "limit", 1..=200, 50).unwrap(), 7);
        assert_eq!(
            within(Some("201"), "limit", 1..=200, 50).unwrap_err().field,
            "limit"
        );
        assert_eq!(
            within(Some("x"), "limit", 1..=200, 50).unwrap_err().field,
            "limit"
        );
        assert_eq!(page(None).unwrap(), 1);
        assert_eq!(page(Some("3")).unwrap(), 3);
        assert_eq!(page(Some("0")).unwrap_err().field, "page");
    }
}
