//! The requests list: search, filters, sorting and keyset pages (no OFFSET,
//! so page 4,000 costs what page 1 costs), and counts per status.

use chrono::{DateTime, NaiveDate, Utc};

use super::{on_pool, Db};
use crate::model::dashboard::{Filter, Sort};

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

/// One page of requests (`limit` rows, plus one to tell whether more follow).
pub async fn list(db: &Db, f: &Filter, user_id: i64, limit: i64) -> sqlx::Result<Vec<ListRow>> {
    let (key, dir) = match f.sort {
        Sort::Updated => ("r.updated_at", "<"),
        Sort::Created => ("r.created_at", "<"),
        Sort::Title => ("lower(r.title)", ">"),
    };
    let order = if dir == "<" { "DESC" } else { "ASC" };
    let (after_key, after_id) = match f.after.rsplit_once('~') {
        Some((k, id)) => (Some(k.to_string()), id.parse::<i64>().ok()),
        None => (None, None),
    };
    let after_time = after_key
        .as_deref()
        .and_then(|k| DateTime::parse_from_rfc3339(k).ok())
        .map(|t| t.with_timezone(&Utc));
    let keyset = match (f.sort, &after_key, after_id) {
        (Sort::Title, Some(_), Some(_)) => format!("AND ({key}, r.id) {dir} ($9, $10)"),
        (_, Some(_), Some(_)) if after_time.is_some() => {
            format!("AND ({key}, r.id) {dir} ($11, $10)")
        }
        _ => String::new(),
    };
    let sql = format!(
        "SELECT r.id, r.title, r.reference, r.flow, r.status, u.display_name AS owner_name, r.signers, \
         r.signer_states, r.signers_signed, r.archived_at, r.created_at, r.updated_at \
         FROM requests r JOIN users u ON u.id = r.owner_id \
         WHERE {MATCHES} {keyset} \
         ORDER BY {key} {order}, r.id {order} LIMIT $8"
    );
    let like = like_pattern(&f.q);
    on_pool!(db, pool => sqlx::query_as::<_, ListRow>(&sql)
        .bind(&like).bind(&f.status).bind(&f.flow).bind(f.mine).bind(user_id)
        .bind(day(&f.from, false)).bind(day(&f.to, true)).bind(limit)
        .bind(after_key.clone().unwrap_or_default()).bind(after_id.unwrap_or(0)).bind(after_time)
        .fetch_all(pool).await)
}

/// The filter of the list: $1 search pattern, $2 status, $3 flow, $4 only
/// mine, $5 the user, $6 created from, $7 created before.
const MATCHES: &str = "($1 = '' OR lower(r.title) LIKE $1 ESCAPE '\\' \
     OR lower(r.reference) LIKE $1 ESCAPE '\\' OR lower(r.signers) LIKE $1 ESCAPE '\\') \
     AND ($2 = '' OR r.status = $2) AND ($3 = '' OR r.flow = $3) AND ($4 = FALSE OR r.owner_id = $5) \
     AND ($6 IS NULL OR r.created_at >= $6) AND ($7 IS NULL OR r.created_at < $7)";

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
/// status (the status tabs; the status filter itself is left out).
pub async fn counts(db: &Db, f: &Filter, user_id: i64) -> sqlx::Result<Vec<(String, i64)>> {
    let sql =
        format!("SELECT r.status, COUNT(*) FROM requests r WHERE {MATCHES} GROUP BY r.status");
    let like = like_pattern(&f.q);
    on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(&like).bind("").bind(&f.flow).bind(f.mine).bind(user_id)
        .bind(day(&f.from, false)).bind(day(&f.to, true))
        .fetch_all(pool).await)
}

/// Requests waiting at their service with no message since `since`.
pub async fn quiet(db: &Db, since: DateTime<Utc>) -> sqlx::Result<i64> {
    let sql = "SELECT COUNT(*) FROM requests WHERE status = 'waiting' \
               AND COALESCE(last_postback_at, started_at) < $1";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(since).fetch_one(pool).await)
}
