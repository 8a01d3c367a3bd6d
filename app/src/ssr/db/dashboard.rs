//! The requests list: search, filters, sorting and keyset pages (no OFFSET,
//! so page 4,000 costs what page 1 costs), and counts per status.

use chrono::{DateTime, NaiveDate, Utc};

use super::{on_pool, Db};
use crate::model::dashboard::{Filter, Sort, COUNT_CAP};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub title: String,
    pub reference: String,
    pub flow: String,
    pub status: String,
    pub owner_name: String,
    pub signers: String,
    pub signer_states: String,
    pub signers_signed: i64,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The sort key of a row, as the `after` cursor carries it.
pub fn cursor(sort: Sort, row: &ListRow) -> String {
    let key = match sort {
        Sort::Updated => row.updated_at.to_rfc3339(),
        Sort::Created => row.created_at.to_rfc3339(),
        Sort::Title => row.title.to_lowercase(),
    };
    format!("{key}~{}", row.id)
}

fn day(s: &str, end: bool) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let d = if end { d.succ_opt()? } else { d };
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

/// A value for one `$n` of a query put together from the active filters.
enum Arg {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

/// Binds `args` in order to a query of either backend.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(n) => q.bind(*n),
                Arg::Time(t) => q.bind(*t),
            };
        }
        q
    }};
}

/// How a query asks SQLite's search index, depending on how much it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fts {
    /// Every match first, then the page among them: cheap when few match.
    InSet,
    /// The page's rows in order, each checked (with LIKE, or in the index
    /// for a search beyond ASCII): cheap when many match (a broad word is
    /// found within the first rows).
    Probe,
    /// The index drives the query (`requests_search` is in its FROM), so
    /// a LIMIT stops it early: for the capped counts.
    Driving,
}

/// Whether the search goes through SQLite's trigram index.
fn uses_fts(db: &Db, f: &Filter) -> bool {
    matches!(db, Db::Sqlite(_)) && f.q.trim().chars().count() >= 3
}

/// The requests per status behind the status tabs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    pub per_status: Vec<(String, i64)>,
    /// More than the cap match the search: `per_status` holds only the
    /// first matches found, in no particular order.
    pub capped: bool,
}

/// The conditions of the filters that are set, and nothing for those that
/// are not (a condition such as `$2 = '' OR status = $2` would keep both
/// databases from using an index). Status is left out for the counts.
fn conditions(
    db: &Db,
    f: &Filter,
    user_id: i64,
    with_status: bool,
    fts: Fts,
    args: &mut Vec<Arg>,
) -> Vec<String> {
    let mut add = |sql: &dyn Fn(usize) -> String, arg: Arg| {
        args.push(arg);
        sql(args.len())
    };
    let mut out = Vec::new();
    let like = like_pattern(&f.q);
    let words = f.q.trim();
    // A broad search's page is found by checking the rows in list order,
    // which the LIKE below does without a lookup per row; it folds ASCII
    // case only, so other letters keep the index.
    let by_row = fts == Fts::Probe && words.is_ascii();
    if uses_fts(db, f) && !by_row {
        // SQLite's trigram index (migration 0014) finds any part of three
        // letters or more, ignoring case, as the LIKE below does.
        out.push(add(
            &|n| match fts {
                Fts::InSet => format!(
                    "r.id IN (SELECT rowid FROM requests_search WHERE requests_search MATCH ${n})"
                ),
                Fts::Probe => format!(
                    "EXISTS (SELECT 1 FROM requests_search WHERE requests_search MATCH ${n} \
                     AND requests_search.rowid = r.id)"
                ),
                Fts::Driving => format!("requests_search MATCH ${n}"),
            },
            Arg::Text(format!("\"{}\"", words.replace('"', "\"\""))),
        ));
    } else if !like.is_empty() {
        // PostgreSQL uses its trigram indexes on these expressions (and
        // chooses for itself between them and the list's order).
        out.push(add(
            &|n| {
                format!(
                    "(lower(r.title) LIKE ${n} ESCAPE '\\' OR lower(r.reference) LIKE ${n} ESCAPE '\\' \
                     OR lower(r.signers) LIKE ${n} ESCAPE '\\')"
                )
            },
            Arg::Text(like),
        ));
    }
    if with_status && !f.status.is_empty() {
        out.push(add(
            &|n| format!("r.status = ${n}"),
            Arg::Text(f.status.clone()),
        ));
    }
    if !f.flow.is_empty() {
        out.push(add(
            &|n| format!("r.flow = ${n}"),
            Arg::Text(f.flow.clone()),
        ));
    }
    if f.mine {
        out.push(add(&|n| format!("r.owner_id = ${n}"), Arg::Int(user_id)));
    }
    if let Some(t) = day(&f.from, false) {
        out.push(add(&|n| format!("r.created_at >= ${n}"), Arg::Time(t)));
    }
    if let Some(t) = day(&f.to, true) {
        out.push(add(&|n| format!("r.created_at < ${n}"), Arg::Time(t)));
    }
    out
}

fn where_sql(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

/// One page of requests (`limit` rows, plus one to tell whether more follow).
/// `broad`: the search matches many requests (its counts were capped).
pub async fn list(
    db: &Db,
    f: &Filter,
    user_id: i64,
    limit: i64,
    broad: bool,
) -> sqlx::Result<Vec<ListRow>> {
    let (key, dir) = match f.sort {
        Sort::Updated => ("r.updated_at", "<"),
        Sort::Created => ("r.created_at", "<"),
        Sort::Title => ("lower(r.title)", ">"),
    };
    let order = if dir == "<" { "DESC" } else { "ASC" };
    let mut args = Vec::new();
    let fts = if broad { Fts::Probe } else { Fts::InSet };
    let mut conds = conditions(db, f, user_id, true, fts, &mut args);
    if let Some((after_key, after_id)) = f.after.rsplit_once('~') {
        let after_id = after_id.parse::<i64>().ok();
        let after = match f.sort {
            Sort::Title => Some(Arg::Text(after_key.to_string())),
            _ => DateTime::parse_from_rfc3339(after_key)
                .ok()
                .map(|t| Arg::Time(t.with_timezone(&Utc))),
        };
        if let (Some(after), Some(after_id)) = (after, after_id) {
            args.push(after);
            args.push(Arg::Int(after_id));
            let (k, i) = (args.len() - 1, args.len());
            conds.push(format!("({key}, r.id) {dir} (${k}, ${i})"));
        }
    }
    args.push(Arg::Int(limit));
    let sql = format!(
        "SELECT r.id, r.title, r.reference, r.flow, r.status, u.display_name AS owner_name, r.signers, \
         r.signer_states, r.signers_signed, r.archived_at, r.created_at, r.updated_at \
         FROM requests r JOIN users u ON u.id = r.owner_id \
         {} ORDER BY {key} {order}, r.id {order} LIMIT ${}",
        where_sql(&conds),
        args.len()
    );
    on_pool!(db, pool => bind_all!(sqlx::query_as::<_, ListRow>(&sql), &args).fetch_all(pool).await)
}

/// The search words as a LIKE pattern (`%` and `_` are searched for as themselves).
fn like_pattern(q: &str) -> String {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return String::new();
    }
    let literal = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{literal}%")
}

/// How many requests match the filter's search, flow, owner and dates, per
/// status (the status tabs; the status filter itself is left out), up to
/// `COUNT_CAP` when a filter is set.
pub async fn counts(db: &Db, f: &Filter, user_id: i64) -> sqlx::Result<Counts> {
    counts_up_to(db, f, user_id, COUNT_CAP).await
}

/// `counts` with another cap.
pub async fn counts_up_to(db: &Db, f: &Filter, user_id: i64, cap: i64) -> sqlx::Result<Counts> {
    let unfiltered =
        f.q.trim().is_empty() && f.flow.is_empty() && f.from.is_empty() && f.to.is_empty();
    if unfiltered {
        // Kept per owner and status by triggers (migration 0014).
        let per_status = if f.mine {
            let sql = "SELECT status, n FROM request_counts WHERE owner_id = $1 AND n > 0";
            on_pool!(db, pool => sqlx::query_as(sql).bind(user_id).fetch_all(pool).await)
        } else {
            let sql = "SELECT status, CAST(SUM(n) AS BIGINT) FROM request_counts \
                       GROUP BY status HAVING SUM(n) > 0";
            on_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)
        }?;
        return Ok(Counts {
            per_status,
            capped: false,
        });
    }
    let mut args = Vec::new();
    let conds = conditions(db, f, user_id, false, Fts::Driving, &mut args);
    let from = if uses_fts(db, f) {
        "requests_search JOIN requests r ON r.id = requests_search.rowid"
    } else {
        "requests r"
    };
    args.push(Arg::Int(cap + 1));
    let sql = format!(
        "SELECT status, COUNT(*) FROM (SELECT r.status FROM {from} {} LIMIT ${}) m GROUP BY status",
        where_sql(&conds),
        args.len()
    );
    let per_status: Vec<(String, i64)> =
        on_pool!(db, pool => bind_all!(sqlx::query_as(&sql), &args).fetch_all(pool).await)?;
    let capped = per_status.iter().map(|(_, n)| n).sum::<i64>() > cap;
    Ok(Counts { per_status, capped })
}

/// Requests waiting at their service with no message since `since`.
pub async fn quiet(db: &Db, since: DateTime<Utc>) -> sqlx::Result<i64> {
    let sql = "SELECT COUNT(*) FROM requests WHERE status = 'waiting' \
               AND COALESCE(last_postback_at, started_at) < $1";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(since).fetch_one(pool).await)
}
