//! Group commit for the intake: postbacks and webhooks that arrive together
//! are written in one statement (one transaction, one fsync), and each is
//! answered only once the transaction that holds it is committed. Writer tasks take
//! whatever queued while the previous batch was being written, so there is
//! no waiting window: a lone message is written at once, and under load the
//! batches grow by themselves.

use std::sync::Arc;

use app::ssr::db::postbacks::{self, NewPostback};
use app::ssr::db::Db;
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot, Mutex};

/// Messages written in one transaction at most.
const MAX_BATCH: usize = 256;

/// A message to store, owning its parts.
pub struct Incoming {
    pub received_at: DateTime<Utc>,
    pub headers: String,
    pub body: String,
    pub size: i64,
    pub provider: &'static str,
    pub external_id: Option<String>,
    pub hint: Option<String>,
    pub signature: Option<String>,
    pub state: &'static str,
    pub reason: Option<String>,
}

impl Incoming {
    fn row(&self) -> NewPostback<'_> {
        NewPostback {
            headers: &self.headers,
            body: &self.body,
            size: self.size,
            provider: self.provider,
            external_id: self.external_id.as_deref(),
            hint: self.hint.as_deref(),
            signature: self.signature.as_deref(),
            state: self.state,
            reason: self.reason.as_deref(),
        }
    }
}

struct Item {
    incoming: Incoming,
    stored: oneshot::Sender<Result<i64, String>>,
}

/// The intake's side of the writers.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Item>,
}

impl Writer {
    /// Starts the writer tasks: one on SQLite (it has one writer anyway),
    /// a few on PostgreSQL, whose commits can overlap.
    pub fn spawn(db: Db) -> Writer {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        let rx = Arc::new(Mutex::new(rx));
        let tasks = match db {
            Db::Sqlite(_) => 1,
            Db::Postgres(_) => 4,
        };
        for _ in 0..tasks {
            tokio::spawn(run(db.clone(), rx.clone()));
        }
        Writer { queue }
    }

    /// Stores `incoming`; the id once it is committed.
    pub async fn store(&self, incoming: Incoming) -> Result<i64, String> {
        let (stored, answer) = oneshot::channel();
        let gone = || "the postback writer has stopped".to_string();
        self.queue
            .send(Item { incoming, stored })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn run(db: Db, queue: Arc<Mutex<mpsc::Receiver<Item>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            return; // the intake is gone
        }
        write(&db, &mut batch).await;
    }
}

/// Writes `batch` in one transaction and answers each; if that fails, each
/// on its own, so one bad message cannot fail the others.
async fn write(db: &Db, batch: &mut Vec<Item>) {
    match write_together(db, batch).await {
        Ok(ids) => {
            for (item, id) in batch.drain(..).zip(ids) {
                let _ = item.stored.send(Ok(id));
            }
        }
        Err(e) if batch.len() == 1 => {
            let item = batch.pop().expect("one item");
            let _ = item.stored.send(Err(e.to_string()));
        }
        Err(e) => {
            tracing::warn!(error = %e, size = batch.len(), "a batch of postbacks failed; writing each alone");
            for item in batch.drain(..) {
                let one = postbacks::insert(db, &item.incoming.row(), item.incoming.received_at)
                    .await
                    .map_err(|e| e.to_string());
                let _ = item.stored.send(one);
            }
        }
    }
}

async fn write_together(db: &Db, batch: &[Item]) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<_> = batch
        .iter()
        .map(|item| (item.incoming.row(), item.incoming.received_at))
        .collect();
    postbacks::insert_many(db, &rows).await
}
