//! The hostile-PDF corpus uploaded through the portal: every file gets a
//! clear answer (accepted, or refused with a message) within a time bound,
//! the process stays within a memory bound, and `/healthz` stays fast while
//! the uploads run. Runs in its own test binary so the memory figures are
//! this test's alone.

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use server::documents::corpus;
use support::TestApp;

/// The slowest any one hostile file may take to be answered.
const PER_FILE: Duration = Duration::from_secs(20);
/// The most the whole test process may grow to (its peak resident memory).
const PEAK_MIB: u64 = 1_500;
/// How slow `/healthz` may get while the uploads run.
const HEALTH: Duration = Duration::from_millis(750);

fn rss_peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn run_corpus(app: TestApp, every: usize) {
    let staff = app.signed_in("staff@example.nl", "staff").await;
    let draft = app.new_draft(&staff).await;
    let cases: Vec<_> = corpus::all().into_iter().step_by(every).collect();

    // Meanwhile, a health check every 100 ms.
    let probe_url = app.url("/healthz");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut worst = Duration::ZERO;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                let ok = http
                    .get(&probe_url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                assert!(ok, "/healthz failed during the uploads");
                worst = worst.max(t.elapsed());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            worst
        })
    };

    let mut slowest = (Duration::ZERO, String::new());
    let mut accepted = Vec::new();
    let mut refused = 0;
    for case in &cases {
        let started = Instant::now();
        let res = app
            .upload(
                &staff,
                draft,
                &format!("{}.pdf", case.name),
                case.bytes.clone(),
            )
            .await;
        let took = started.elapsed();
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {status} {body}",
            case.name
        );
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            let message = body["message"].as_str().unwrap_or_default();
            assert!(
                message.len() > 20 && message.ends_with('.'),
                "{}: a clear message: {body}",
                case.name
            );
            refused += 1;
        } else {
            accepted.push(case.name.clone());
        }
        assert!(took < PER_FILE, "{} took {took:?}", case.name);
        if took > slowest.0 {
            slowest = (took, case.name.clone());
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let worst_health = probe.await.unwrap();
    let peak_mib = rss_peak_kib() / 1024;
    println!(
        "hostile corpus: {} files, {refused} refused, {} accepted ({accepted:?}); slowest {:?} ({}); \
         peak RSS {peak_mib} MiB; slowest /healthz {worst_health:?}",
        cases.len(),
        accepted.len(),
        slowest.0,
        slowest.1
    );
    assert!(peak_mib < PEAK_MIB, "peak RSS {peak_mib} MiB");
    assert!(worst_health < HEALTH, "/healthz took {worst_health:?}");
    // The classes that must never get in.
    for never in [
        "arrays-1000",
        "dicts-10000",
        "objstm-flate-1000",
        "content-1000",
        "bomb-80mb-content",
        "bomb-10x60mb",
        "double-flate",
        "pages-50000",
        "openaction-js",
        "encrypt-aes",
        "many-objects",
    ] {
        assert!(
            !accepted.iter().any(|a| a == never) || every > 1,
            "{never} was accepted"
        );
    }
    // The portal is still fine: an ordinary PDF goes in.
    let res = app
        .upload(&staff, draft, "plain.pdf", support::sample_pdf())
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_hostile_pdf_gets_a_clear_answer_in_bounded_time_and_memory() {
    run_corpus(TestApp::spawn().await, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_pdfs_on_postgres_too() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    // Every seventh file: the database is not what is being tested here.
    run_corpus(app, 7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_bombs_at_once_leave_the_server_responsive() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    let draft = app.new_draft(&staff).await;
    let bomb = corpus::named("bomb-10x60mb");
    let uploads: Vec<_> = (0..3)
        .map(|i| {
            let (app_url, staff, bomb) = (
                app.url(&format!("/api/requests/{draft}/documents")),
                staff.clone(),
                bomb.clone(),
            );
            tokio::spawn(async move {
                staff
                    .post(app_url)
                    .header("x-file-name", format!("bomb{i}.pdf"))
                    .header("content-type", "application/pdf")
                    .body(bomb)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let t = Instant::now();
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    let took = t.elapsed();
    assert!(health.status().is_success());
    assert!(
        took < HEALTH,
        "/healthz took {took:?} while bombs were checked"
    );
    for u in uploads {
        assert_eq!(u.await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.stop().await;
}
