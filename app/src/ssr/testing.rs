//! Fresh databases for tests, on SQLite always and on PostgreSQL when
//! `TEST_POSTGRES_URL` is set. A skipped PostgreSQL run says so on stderr
//! (past the test harness's capture), and fails when `CI` is set.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::ssr::db::Db;

/// A database that exists only for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Another handle removes it.
    Nothing,
    File(PathBuf),
    Database {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    /// A new SQLite file in the temp folder, migrated.
    pub async fn sqlite() -> TestDb {
        Self::sqlite_until(None).await
    }

    /// A new SQLite database with the migrations before `version` only: a
    /// portal as an earlier release left it (`migrate()` upgrades it).
    pub async fn sqlite_before(version: i64) -> TestDb {
        Self::sqlite_until(Some(version)).await
    }

    /// A new PostgreSQL database with the migrations before `version` only.
    pub async fn postgres_before(version: i64) -> Option<TestDb> {
        Self::postgres_until(Some(version)).await
    }

    async fn sqlite_until(before: Option<i64>) -> TestDb {
        let path =
            std::env::temp_dir().join(format!("portal-test-{}.db", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", path.display());
        let db = Db::connect(&url).await.expect("open test sqlite");
        migrate(&db, before).await.expect("migrate test sqlite");
        TestDb {
            db,
            url,
            cleanup: Cleanup::File(path),
        }
    }

    /// A new PostgreSQL database next to `TEST_POSTGRES_URL`, migrated; `None`
    /// (after a loud warning) when the variable is not set.
    pub async fn postgres() -> Option<TestDb> {
        Self::postgres_until(None).await
    }

    async fn postgres_until(before: Option<i64>) -> Option<TestDb> {
        let Some(admin_url) = std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|v| !v.is_empty())
        else {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
                panic!("TEST_POSTGRES_URL must be set in CI: the PostgreSQL half of the tests cannot be skipped there");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: PostgreSQL half of this test: TEST_POSTGRES_URL is not set ***\n"
            );
            return None;
        };
        let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
        let admin = PgConnectOptions::from_str(&admin_url)
            .expect("TEST_POSTGRES_URL is not a PostgreSQL URL");
        let mut conn = admin.connect().await.expect("connect to TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
        let url = admin.clone().database(&name).to_url_lossy().to_string();
        let db = Db::connect(&url).await.expect("open test postgres");
        migrate(&db, before).await.expect("migrate test postgres");
        Some(TestDb {
            db,
            url,
            cleanup: Cleanup::Database { admin_url, name },
        })
    }

    /// Another handle on the same database (a second portal instance's),
    /// which leaves removing it to this one.
    pub async fn share(&self) -> TestDb {
        TestDb {
            db: Db::connect(&self.url)
                .await
                .expect("open the shared test database"),
            url: self.url.clone(),
            cleanup: Cleanup::Nothing,
        }
    }

    /// Closes the pool and removes the database.
    pub async fn remove(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Nothing => {}
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                    let _ = conn.close().await;
                }
            }
        }
    }
}

/// All migrations, or (for upgrade tests) those before `before`, read from
/// the same files the binary embeds (so their checksums match on upgrade).
async fn migrate(db: &Db, before: Option<i64>) -> Result<(), sqlx::migrate::MigrateError> {
    let Some(before) = before else {
        return db.migrate().await;
    };
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(db.backend());
    let old = std::env::temp_dir().join(format!(
        "portal-migrations-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&old).map_err(sqlx::Error::Io)?;
    for entry in std::fs::read_dir(&source).map_err(sqlx::Error::Io)? {
        let path = entry.map_err(sqlx::Error::Io)?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let version: i64 = name
            .split('_')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(i64::MAX);
        if version < before {
            std::fs::copy(&path, old.join(&name)).map_err(sqlx::Error::Io)?;
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.as_path()).await?;
    let result = match db {
        Db::Sqlite(pool) => migrator.run(pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    };
    let _ = std::fs::remove_dir_all(&old);
    result
}

/// Runs `test` once on a fresh SQLite database and once on a fresh
/// PostgreSQL database (when configured).
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let sqlite = TestDb::sqlite().await;
    test(sqlite.db.clone()).await;
    sqlite.remove().await;
    if let Some(pg) = TestDb::postgres().await {
        test(pg.db.clone()).await;
        pg.remove().await;
    }
}
