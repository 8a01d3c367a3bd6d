//! Backups of the embedded SQLite database: a consistent copy made while
//! the portal runs (`VACUUM INTO`, which reads one snapshot while writers
//! go on), and putting one back, refused while a portal runs on the
//! database. Each running portal holds a shared lock on `<database>.running`;
//! a restore needs it exclusively. PostgreSQL is backed up with its own
//! tools (`pg_dump`/`pg_restore`, in the README).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context};
use app::ssr::db::Db;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

/// The database file of a `sqlite:` URL; `None` for PostgreSQL.
pub fn sqlite_file(database_url: &str) -> anyhow::Result<Option<PathBuf>> {
    if !database_url.starts_with("sqlite:") {
        return Ok(None);
    }
    let options = SqliteConnectOptions::from_str(database_url)
        .with_context(|| "DATABASE_URL is not a SQLite URL")?;
    let file = options.get_filename();
    if file == Path::new(":memory:") {
        return Ok(None);
    }
    Ok(Some(file.to_path_buf()))
}

fn marker_of(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".running");
    PathBuf::from(name)
}

/// Held while a portal runs on a SQLite database (dropped at exit, or by
/// the system when the process dies).
pub struct Running {
    _file: File,
}

impl Running {
    /// Marks the database in use by this process (many portals may share it).
    pub fn mark(database: &Path) -> anyhow::Result<Running> {
        if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let path = marker_of(database);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.lock_shared()
            .with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(Running { _file: file })
    }
}

/// Copies the running database to `to` (a new file), consistently.
/// Returns the copy's size in bytes.
pub async fn backup(db: &Db, to: &Path) -> anyhow::Result<u64> {
    let Db::Sqlite(pool) = db else {
        bail!(
            "the portal runs on PostgreSQL: back it up with pg_dump (see the README, \"Backups\")"
        );
    };
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let target = to
        .to_str()
        .with_context(|| format!("{} is not a UTF-8 path", to.display()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .with_context(|| format!("the backup to {} failed", to.display()))?;
    Ok(std::fs::metadata(to)?.len())
}

/// Checks that `file` is a whole portal database (integrity and migrations).
async fn check_backup(file: &Path) -> anyhow::Result<i64> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    if integrity != "ok" {
        bail!("{} is damaged: {integrity}", file.display());
    }
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .with_context(|| format!("{} is not a portal database", file.display()))?;
    version.with_context(|| format!("{} is not a portal database", file.display()))
}

/// Puts the backup `from` in place of the database at `database`; the
/// database it replaces is kept beside it (`….before-restore-<time>`).
/// Refused while a portal runs on it. Returns where the old one went.
pub async fn restore(from: &Path, database: &Path) -> anyhow::Result<Option<PathBuf>> {
    check_backup(from).await?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let marker = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(marker_of(database))?;
    if marker.try_lock().is_err() {
        bail!(
            "a portal is running on {}: stop every instance first, then restore",
            database.display()
        );
    }
    // Copied beside the target first, so the target is never half written.
    let incoming = database.with_extension("restoring");
    std::fs::copy(from, &incoming)
        .with_context(|| format!("cannot copy {} beside the database", from.display()))?;
    let kept = if database.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut name = database.as_os_str().to_owned();
        name.push(format!(".before-restore-{stamp}"));
        let aside = PathBuf::from(name);
        std::fs::rename(database, &aside)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = database.as_os_str().to_owned();
            side.push(suffix);
            let side = PathBuf::from(side);
            if side.exists() {
                let mut to = aside.as_os_str().to_owned();
                to.push(suffix);
                std::fs::rename(&side, PathBuf::from(to))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&incoming, database)?;
    drop(marker);
    Ok(kept)
}
