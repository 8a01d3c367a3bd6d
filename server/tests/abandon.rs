//! PDF work is abandoned when the uploader goes away: the check of a
//! document stops at its next step instead of running to the end. (Its own
//! test binary: it watches the process-wide pool of PDF workers.)

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use server::documents::{corpus, work};
use support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_check_stops_when_the_uploader_goes_away() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("staff@example.nl", "staff").await;
    let draft = app.new_draft(&staff).await;
    // Ten streams of 60 MB zeros each: checked stream by stream until refused.
    let bomb = corpus::named("bomb-10x60mb");
    let idle = work::available();

    // How long the whole check takes on this machine, right now.
    let started = Instant::now();
    let res = app.upload(&staff, draft, "bomb.pdf", bomb.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let whole = started.elapsed();
    assert!(
        whole > Duration::from_millis(400),
        "too quick to measure: {whole:?}"
    );

    // Again, but the uploader leaves a quarter of the way in.
    let url = app.url(&format!("/api/requests/{draft}/documents"));
    let upload = tokio::spawn({
        let staff = staff.clone();
        async move {
            staff
                .post(url)
                .header("content-type", "application/pdf")
                .body(bomb)
                .send()
                .await
        }
    });
    let started = Instant::now();
    while work::available() == idle && started.elapsed() < whole {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(work::available() < idle, "the check started");
    tokio::time::sleep(whole / 4).await;
    upload.abort();
    let left_at = Instant::now();
    while work::available() < idle {
        assert!(
            left_at.elapsed() < whole,
            "the check ran on after the uploader left"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stopped = left_at.elapsed();
    println!("whole check {whole:?}; stopped {stopped:?} after the uploader left");
    assert!(
        stopped < whole / 2,
        "stopped {stopped:?} after leaving; the whole check takes {whole:?}"
    );
    app.stop().await;
}
