//! The requests list: filters, sorting and pages, shared by the page and the server.

use serde::{Deserialize, Serialize};

use super::request::{RequestStatus, RequestSummary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Last changed first.
    #[default]
    Updated,
    /// Newest first.
    Created,
    /// By title, A to Z.
    Title,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "created" => Sort::Created,
            "title" => Sort::Title,
            _ => Sort::Updated,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Updated => "updated",
            Sort::Created => "created",
            Sort::Title => "title",
        }
    }
}

/// What the list is narrowed to. Empty strings mean "any".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Words in the title, reference, or a signer's name or email.
    pub q: String,
    pub status: String,
    pub flow: String,
    pub mine: bool,
    /// Created on or after this day (YYYY-MM-DD).
    pub from: String,
    /// Created on or before this day (YYYY-MM-DD).
    pub to: String,
    pub sort: Sort,
    /// Where the previous page ended (opaque).
    pub after: String,
}

impl Filter {
    /// Whether anything leaves requests out (the sort and page do not).
    pub fn narrows(&self) -> bool {
        !self.q.trim().is_empty()
            || !self.status.is_empty()
            || !self.flow.is_empty()
            || self.mine
            || !self.from.is_empty()
            || !self.to.is_empty()
    }

    /// The filter from named values (the address's query, or the form).
    pub fn from_lookup(get: impl Fn(&str) -> String) -> Filter {
        Filter {
            q: get("q"),
            status: get("status"),
            flow: get("flow"),
            mine: get("mine") == "on",
            from: get("from"),
            to: get("to"),
            sort: Sort::parse(&get("sort")),
            after: get("after"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<RequestSummary>,
    /// The `after` of the next page, when there is one.
    pub next: Option<String>,
    /// How many requests there are per status (all of them, not only this page).
    pub counts: Vec<(RequestStatus, i64)>,
    /// The search matches more requests than are counted (`COUNT_CAP`):
    /// `counts` holds only the first matches found.
    pub counts_capped: bool,
    /// Requests waiting without news from Signhost for too long.
    pub quiet: i64,
    pub quiet_hours: i64,
}

pub const PAGE_SIZE: i64 = 25;

/// A search's counts stop here: past it the list says "more than" instead
/// of counting every match.
pub const COUNT_CAP: i64 = 1000;
