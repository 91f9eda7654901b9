//! The account list's query: status and platform filters, search text, sort and page,
//! read from a URL and written back into links.

use super::{AccountStatus, Platform, PER_PAGE};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountSort {
    /// Most credits first (the spec's order).
    #[default]
    Credits,
    /// Largest share of capacity left first.
    Headroom,
    /// Soonest refill first.
    Refresh,
    /// Alphabetical.
    Name,
    /// Most recently used first.
    Used,
}

impl AccountSort {
    pub const ALL: [AccountSort; 5] = [
        Self::Credits,
        Self::Headroom,
        Self::Refresh,
        Self::Name,
        Self::Used,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credits => "credits",
            Self::Headroom => "headroom",
            Self::Refresh => "refresh",
            Self::Name => "name",
            Self::Used => "used",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Credits => "Credits",
            Self::Headroom => "Headroom",
            Self::Refresh => "Next refill",
            Self::Name => "Name",
            Self::Used => "Last used",
        }
    }
}

impl FromStr for AccountSort {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .or_else(|| s.trim().is_empty().then_some(Self::Credits))
            .ok_or_else(|| {
                FieldError::new(
                    "sort",
                    format!("{s:?} is not one of credits, headroom, refresh, name, used"),
                )
            })
    }
}

/// Raw list parameters from a URL query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AccountQueryInput {
    /// available, active, exhausted or blocked
    #[serde(default)]
    pub status: Option<String>,
    /// genspark, claude, chatgpt, gemini, local or other
    #[serde(default)]
    pub platform: Option<String>,
    /// Text searched in name and specialization.
    #[serde(default)]
    pub q: Option<String>,
    /// credits, headroom, refresh, name or used
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", param(value_type = Option<u32>, minimum = 1))]
    pub page: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountQuery {
    pub status: Option<AccountStatus>,
    pub platform: Option<Platform>,
    pub q: Option<String>,
    pub sort: AccountSort,
    pub page: u32,
}

impl AccountQuery {
    pub fn parse(input: &AccountQueryInput) -> Result<Self, FieldError> {
        let opt = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "all")
                .map(str::to_owned)
        };
        let page = match input.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(FieldError::new(
                        "page",
                        format!("{p:?} is not a page number (1, 2, …)"),
                    ))
                }
            },
        };
        let q = opt(&input.q);
        if q.as_ref()
            .is_some_and(|q| q.chars().count() > crate::domain::limits::MAX_QUERY_CHARS)
        {
            return Err(FieldError::new(
                "q",
                format!(
                    "at most {} characters",
                    crate::domain::limits::MAX_QUERY_CHARS
                ),
            ));
        }
        Ok(Self {
            status: opt(&input.status).map(|s| s.parse()).transpose()?,
            platform: opt(&input.platform).map(|s| s.parse()).transpose()?,
            q,
            sort: input.sort.as_deref().unwrap_or("").parse()?,
            page,
        })
    }

    /// Like `parse`, with defaults for anything unreadable (for UI links).
    pub fn parse_lenient(input: &AccountQueryInput) -> Self {
        let fallback = |f: fn(&AccountQueryInput) -> AccountQueryInput| Self::parse(&f(input)).ok();
        Self::parse(input)
            .ok()
            .or_else(|| {
                fallback(|i| AccountQueryInput {
                    page: None,
                    ..i.clone()
                })
            })
            .or_else(|| {
                fallback(|i| AccountQueryInput {
                    q: i.q.clone(),
                    ..Default::default()
                })
            })
            .unwrap_or(Self {
                page: 1,
                ..Default::default()
            })
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * i64::from(PER_PAGE)
    }

    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(p) = self.platform {
            parts.push(format!("platform={}", p.as_str()));
        }
        if let Some(q) = &self.q {
            parts.push(format!("q={}", crate::domain::text::percent_encode(q)));
        }
        if self.sort != AccountSort::Credits {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}
