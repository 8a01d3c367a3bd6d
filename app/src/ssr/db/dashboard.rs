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
         r.signers_signed, r.archived_at, r.created_at, r.updated_at \
         FROM requests r JOIN users u ON u.id = r.owner_id \
         WHERE ($1 = '' OR lower(r.title) LIKE $1 ESCAPE '\\' OR lower(r.reference) LIKE $1 ESCAPE '\\' \
         OR lower(r.signers) LIKE $1 ESCAPE '\\') \
         AND ($2 = '' OR r.status = $2) AND ($3 = '' OR r.flow = $3) AND ($4 = FALSE OR r.owner_id = $5) \
         AND ($6 IS NULL OR r.created_at >= $6) AND ($7 IS NULL OR r.created_at < $7) \
         {keyset} \
         ORDER BY {key} {order}, r.id {order} LIMIT $8"
    );
    let q = f.q.trim().to_lowercase();
    let like = if q.is_empty() {
        String::new()
    } else {
        // `%` and `_` are searched for as themselves.
        let literal = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{literal}%")
    };
    on_pool!(db, pool => sqlx::query_as::<_, ListRow>(&sql)
        .bind(&like).bind(&f.status).bind(&f.flow).bind(f.mine).bind(user_id)
        .bind(day(&f.from, false)).bind(day(&f.to, true)).bind(limit)
        .bind(after_key.clone().unwrap_or_default()).bind(after_id.unwrap_or(0)).bind(after_time)
        .fetch_all(pool).await)
}

/// How many requests there are per status.
pub async fn counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    let sql = "SELECT status, COUNT(*) FROM requests GROUP BY status";
    on_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)
}

/// Requests waiting at Signhost with no postback since `since`.
pub async fn quiet(db: &Db, since: DateTime<Utc>) -> sqlx::Result<i64> {
    let sql = "SELECT COUNT(*) FROM requests WHERE status = 'waiting' \
               AND COALESCE(last_postback_at, started_at) < $1";
    on_pool!(db, pool => sqlx::query_scalar(sql).bind(since).fetch_one(pool).await)
}
