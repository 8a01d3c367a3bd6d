//! Portal processes for the tests that run the real binary: started on a
//! port against a shared database, killed with SIGKILL.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One portal process on `port`, sharing the database at `db_url`.
pub struct Portal(Child);

impl Portal {
    pub async fn start(db_url: &str, port: u16, extra: &[(&str, &str)]) -> Portal {
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", db_url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            // Keys as an operator configures them, the same in every process.
            .env("SIGNHOST_APP_KEY", "sandbox-app-key")
            .env("SIGNHOST_USER_TOKEN", "sandbox-user-token")
            .env("SIGNHOST_SHARED_SECRET", "sandbox-shared-secret")
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let portal = Portal(child);
        let health = format!("http://127.0.0.1:{port}/healthz");
        for _ in 0..150 {
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return portal;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the portal did not come up on port {port}");
    }

    /// SIGKILL: no shutdown, no flushing, nothing finished.
    pub fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits up to `seconds` for `check` to hold.
pub async fn until<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..seconds * 10 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}
