//! `server backup` and `server restore` on SQLite: a copy made while
//! requests are being written holds every request and archived file of
//! its moment (SHA-256 matching), and a restore is refused while a portal
//! runs on the database.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use app::ssr::db::{archive, Db};
use server::backup;
use sha2::{Digest, Sha256};
use support::flow::{archived_request, quiet_worker};
use support::TestApp;

/// Every archived file of the database: (request, file id) → SHA-256 of
/// its stored content, checked against the SHA-256 stored beside it.
async fn archived(db: &Db, requests: &[i64]) -> BTreeMap<(i64, String), String> {
    let mut all = BTreeMap::new();
    for &id in requests {
        for row in archive::list(db, id).await.unwrap() {
            let content = archive::content(db, id, row.id).await.unwrap().unwrap();
            let digest = hex::encode(Sha256::digest(&content));
            assert_eq!(digest, row.sha256, "stored content matches its SHA-256");
            all.insert((id, format!("{}:{}", row.kind, row.file_id)), digest);
        }
    }
    all
}

async fn request_count(db: &Db) -> i64 {
    let Db::Sqlite(pool) = db else { unreachable!() };
    sqlx::query_scalar("SELECT COUNT(*) FROM requests")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_under_write_load_restores_every_request_and_archived_file() {
    let app = TestApp::spawn_with(&[("WORKERS", "off")]).await;
    let owner = app.signed_in("owner@example.nl", "staff").await;
    let w = quiet_worker(&app);
    let mut signed = Vec::new();
    for _ in 0..3 {
        signed.push(archived_request(&app, &owner, &w).await);
    }
    let files = archived(&app.db, &signed).await;
    assert!(files.len() >= 6, "signed PDFs and receipts: {files:?}");
    let before = request_count(&app.db).await;

    // Staff keep creating drafts while the backup is made.
    let dir = std::env::temp_dir().join(format!("portal-backup-{}", uuid::Uuid::new_v4()));
    let copy = dir.join("copy.db");
    let writing = AtomicBool::new(true);
    let load = async {
        let mut made = 0;
        while writing.load(Ordering::Relaxed) || made < 20 {
            app.new_draft(&owner).await;
            made += 1;
        }
        made
    };
    let backing_up = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let bytes = backup::backup(&app.db, &copy).await.unwrap();
        writing.store(false, Ordering::Relaxed);
        bytes
    };
    let (made, bytes) = tokio::join!(load, backing_up);
    assert!(bytes > 0 && made >= 20);
    let after = request_count(&app.db).await;
    assert!(
        backup::backup(&app.db, &copy).await.is_err(),
        "an existing file is not overwritten"
    );

    // Restored to a new place, the copy has a consistent moment of it.
    let target = dir.join("restored").join("portal.db");
    assert_eq!(backup::restore(&copy, &target).await.unwrap(), None);
    let url = format!("sqlite://{}", target.display());
    let restored = Db::connect(&url).await.unwrap();
    restored.migrate().await.unwrap();
    let count = request_count(&restored).await;
    assert!(
        (before..=after).contains(&count),
        "{before} ≤ {count} ≤ {after}"
    );
    assert_eq!(archived(&restored, &signed).await, files);
    restored.close().await;

    // Refused while a portal runs on it; done (keeping the old one) once stopped.
    let running = backup::Running::mark(&target).unwrap();
    let refused = backup::restore(&copy, &target).await.unwrap_err();
    assert!(
        refused.to_string().contains("a portal is running"),
        "{refused}"
    );
    drop(running);
    let kept = backup::restore(&copy, &target).await.unwrap().unwrap();
    assert!(kept.exists());

    // Something that is not a backup is refused and changes nothing.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(backup::restore(&junk, &target).await.is_err());
    let again = Db::connect(&url).await.unwrap();
    assert_eq!(request_count(&again).await, count);
    again.close().await;

    std::fs::remove_dir_all(&dir).ok();
    app.stop().await;
}
