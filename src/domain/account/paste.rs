//! Pasted accounts: JSON lines, a JSON array or CSV with a header row, read row by row.

use super::AccountInput;
use crate::domain::quota::ResetRuleInput;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// One row's problem in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 1-based row number in the request (or line in pasted text).
    pub row: usize,
    pub field: String,
    pub error: String,
}

/// Parses pasted accounts: JSON lines (one object a line), a JSON array, or CSV with a
/// header row (`account_name,account_email,platform,specialization,credits,capacity,…`).
pub fn parse_paste(text: &str) -> Result<Vec<Result<AccountInput, RowError>>, FieldError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            "text",
            "paste CSV with a header row, or JSON lines",
        ));
    }
    if trimmed.starts_with('[') {
        let rows: Vec<serde_json::Value> = serde_json::from_str(trimmed)
            .map_err(|e| FieldError::new("text", format!("not a JSON array: {e}")))?;
        return Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                serde_json::from_value::<AccountInput>(v)
                    .map(|input| AccountInput {
                        line: Some(i + 1),
                        ..input
                    })
                    .map_err(|e| RowError {
                        row: i + 1,
                        field: "row".into(),
                        error: e.to_string(),
                    })
            })
            .collect());
    }
    if trimmed.starts_with('{') {
        return Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str::<AccountInput>(l)
                    .map(|input| AccountInput {
                        line: Some(i + 1),
                        ..input
                    })
                    .map_err(|e| RowError {
                        row: i + 1,
                        field: "row".into(),
                        error: format!("not a JSON object: {e}"),
                    })
            })
            .collect());
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| FieldError::new("text", format!("unreadable CSV header: {e}")))?
        .clone();
    let known = [
        "account_name",
        "name",
        "account_email",
        "email",
        "platform",
        "specialization",
        "notes",
        "credits_available",
        "credits",
        "credit_capacity",
        "capacity",
        "status",
        "reset",
        "reset_kind",
        "reset_at",
        "reset_tz",
        "reset_hours",
        "reset_weekday",
        "reset_day",
    ];
    if let Some(h) = headers
        .iter()
        .find(|h| !known.contains(&h.to_ascii_lowercase().as_str()))
    {
        return Err(FieldError::new(
            "text",
            format!("unknown CSV column {h:?}; known: {}", known.join(", ")),
        ));
    }
    if !headers
        .iter()
        .any(|h| matches!(h.to_ascii_lowercase().as_str(), "account_name" | "name"))
    {
        return Err(FieldError::new(
            "text",
            "the CSV header needs an account_name column",
        ));
    }
    let mut out = Vec::new();
    let mut last_line = 1;
    for record in reader.records() {
        // the line the record starts on (blank lines and quoted line breaks counted)
        let row = match &record {
            Ok(r) => r.position().map(|p| record_line(text, p)),
            Err(e) => e.position().map(|p| record_line(text, p)),
        }
        .unwrap_or(last_line + 1);
        last_line = row;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push(Err(RowError {
                    row,
                    field: "row".into(),
                    error: format!("malformed CSV row: {e}"),
                }));
                continue;
            }
        };
        out.push(csv_row(&headers, &record, row));
    }
    Ok(out)
}

/// The line a CSV record's text starts on: the reader's position counts the blank lines
/// before it as part of the record.
fn record_line(text: &str, p: &csv::Position) -> usize {
    let from = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    let blank = text
        .get(from..)
        .unwrap_or("")
        .bytes()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| *b == b'\n')
        .count();
    usize::try_from(p.line())
        .unwrap_or(usize::MAX)
        .saturating_add(blank)
}

fn csv_row(
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
    row: usize,
) -> Result<AccountInput, RowError> {
    let mut input = AccountInput::default();
    let mut reset = ResetRuleInput::default();
    let mut has_reset = false;
    let int = |v: &str, field: &str| -> Result<Option<i64>, RowError> {
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i64>().map(Some).map_err(|_| RowError {
            row,
            field: field.into(),
            error: format!("{v:?} is not a whole number"),
        })
    };
    for (h, v) in headers.iter().zip(record.iter()) {
        let v = v.trim();
        let text = || (!v.is_empty()).then(|| v.to_owned());
        match h.to_ascii_lowercase().as_str() {
            "account_name" | "name" => input.account_name = text(),
            "account_email" | "email" => input.account_email = text(),
            "platform" => input.platform = text(),
            "specialization" => input.specialization = text(),
            "notes" => input.notes = text(),
            "credits_available" | "credits" => {
                input.credits_available = int(v, "credits_available")?
            }
            "credit_capacity" | "capacity" => input.credit_capacity = int(v, "credit_capacity")?,
            "status" => input.status = text(),
            "reset" | "reset_kind" => {
                reset.kind = text();
                has_reset |= !v.is_empty();
            }
            "reset_at" => reset.at = text(),
            "reset_tz" => reset.tz = text(),
            "reset_hours" => reset.hours = int(v, "reset.hours")?,
            "reset_weekday" => reset.weekday = text(),
            "reset_day" => reset.day = int(v, "reset.day")?,
            _ => {}
        }
    }
    if has_reset {
        input.reset = Some(reset);
    }
    input.line = Some(row);
    Ok(input)
}
