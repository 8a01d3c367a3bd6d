//! Periodic duties that several instances share (the simulators' clock,
//! sweeps): each round is claimed in the database by moving its `next_at`
//! forward, so two instances never do the same round.

use chrono::{DateTime, Utc};

use super::{on_pool, Db};

/// Claims the round of `name` that is due at `now` for `instance`, and
/// sets the next one for `next`; false when another instance has this
/// round (or it is not due yet).
pub async fn claim(
    db: &Db,
    name: &str,
    instance: &str,
    now: DateTime<Utc>,
    next: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sql =
        "INSERT INTO periodic_duties (name, next_at, last_by, updated_at) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (name) DO UPDATE SET next_at = excluded.next_at, \
               last_by = excluded.last_by, updated_at = excluded.updated_at \
               WHERE periodic_duties.next_at <= excluded.updated_at";
    let n = on_pool!(db, pool => sqlx::query(sql).bind(name).bind(next).bind(instance).bind(now)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}
